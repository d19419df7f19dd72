// Building a report model from responses: see include/cxmetrics/report/model.hpp.
#include "cxmetrics/report/model.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/stats/compare.hpp"

namespace cxm::report {
namespace {

// The score histograms of one group of responses.
struct group_state {
  score_counts nps;
  score_counts csat;
  score_counts ces;
  score_counts res;  // binary: 0 = no, 1 = yes
  std::uint64_t rows = 0;
  std::uint64_t unknown = 0;  // resolution not answered

  explicit group_state(const response_table& t)
      : nps(t.nps_scale()), csat(t.csat_scale()), ces(t.ces_scale()), res(scale::binary()) {}

  void merge(const group_state& o) {
    nps.merge(o.nps);
    csat.merge(o.csat);
    ces.merge(o.ces);
    res.merge(o.res);
    rows += o.rows;
    unknown += o.unknown;
  }
};

// Adds row i of the table to g (weighted or not).
void add_row(group_state& g, const response_table& t, std::size_t i, bool weighted) {
  const double w = t.weight()[i];
  const auto add = [&](score_counts& c, std::uint8_t v) {
    if (v == response_table::missing_score) return;
    if (weighted) {
      c.add(v, w);
    } else {
      c.add(v);
    }
  };
  add(g.nps, t.nps()[i]);
  add(g.csat, t.csat()[i]);
  add(g.ces, t.ces()[i]);
  const auto r = static_cast<resolution>(t.resolved()[i]);
  if (r == resolution::unknown) {
    ++g.unknown;
  } else {
    const std::uint8_t v = r == resolution::yes ? 1 : 0;
    add(g.res, v);
  }
  ++g.rows;
}

// e with value, SE and interval multiplied by f (fractions → percent).
estimate scaled(const estimate& e, double f) {
  switch (e.state()) {
    case estimate::status::ok: {
      interval ci = *e.ci();
      ci.lower *= f;
      ci.upper *= f;
      return estimate(e.value() * f, e.se() * f, ci, e.n(), e.effective_n());
    }
    case estimate::status::insufficient:
      return estimate::insufficient(e.value() * f, e.n(), e.effective_n(), e.note());
    case estimate::status::no_data:
      break;
  }
  return e;
}

// The options of every metric at one level.
struct metric_options {
  nps_options nps;
  csat_options csat;
  ces_options ces;
  resolution_options res;
};

bool has_nps(const response_table& t) {
  return t.nps_scale().kind() == scale_kind::nps || t.nps_scale().kind() == scale_kind::custom;
}
bool has_csat(const response_table& t) { return t.csat_scale().kind() == scale_kind::csat; }
bool has_ces(const response_table& t) { return t.ces_scale().kind() == scale_kind::ces; }

enum class metric { nps, csat, resolution };

// The metric of one group, in display units.
estimate value_of(metric m, const group_state& g, const metric_options& o) {
  switch (m) {
    case metric::nps: return compute_nps(g.nps, o.nps).nps;
    case metric::csat: return scaled(compute_csat(g.csat, o.csat).satisfied, 100.0);
    case metric::resolution: return scaled(compute_resolution(g.res, g.unknown, o.res).rate, 100.0);
  }
  return {};
}

// Responses of the group without the metric.
std::uint64_t excluded_of(metric m, const group_state& g) {
  switch (m) {
    case metric::nps: return g.rows - g.nps.count();
    case metric::csat: return g.rows - g.csat.count();
    case metric::resolution: return g.unknown;
  }
  return 0;
}

// Share of the high bins of a and b compared (weighted or not).
stats::comparison compare_shares(const score_counts& a, const score_counts& b, double level) {
  if (a.weighted() || b.weighted()) return stats::compare_proportions(a.high(), a.total(), b.high(), b.total(), level);
  return stats::compare_proportions(a.high().n, a.count(), b.high().n, b.count(), level);
}

stats::comparison compare_of(metric m, const group_state& a, const group_state& b, double level) {
  switch (m) {
    case metric::nps: return compare_nps(a.nps, b.nps, level);
    case metric::csat: return compare_shares(a.csat, b.csat, level);
    case metric::resolution: return compare_shares(a.res, b.res, level);
  }
  return {};
}

std::string adjust_name(stats::p_adjust a) {
  switch (a) {
    case stats::p_adjust::none: return "not adjusted";
    case stats::p_adjust::bonferroni: return "adjusted by Bonferroni";
    case stats::p_adjust::holm: return "adjusted by Holm (1979)";
    case stats::p_adjust::benjamini_hochberg: return "adjusted by Benjamini-Hochberg (1995)";
  }
  return "";
}

// Each group against the rest of the groups merged.
group_comparison compare_groups(metric m, const std::vector<std::pair<std::string, const group_state*>>& groups,
                                const group_state& all, const group_state& empty, const metric_options& o,
                                const model_options& opt) {
  group_comparison c;
  c.adjust = opt.adjust;
  c.alpha = 1.0 - opt.level;
  c.overall = value_of(m, all, o);
  const double factor = m == metric::nps ? 1.0 : 100.0;
  std::vector<double> raw;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    group_state rest = empty;
    for (std::size_t j = 0; j < groups.size(); ++j) {
      if (j != i) rest.merge(*groups[j].second);
    }
    const auto& g = *groups[i].second;
    const auto cmp = compare_of(m, g, rest, opt.level);
    group_row r;
    r.label = groups[i].first;
    r.value = value_of(m, g, o);
    r.difference = scaled(cmp.difference, factor);
    r.p_value = cmp.p_value;
    r.excluded = excluded_of(m, g);
    raw.push_back(cmp.p_value);
    c.rows.push_back(std::move(r));
  }
  const auto adjusted = stats::adjust_p(raw, opt.adjust);
  for (std::size_t i = 0; i < c.rows.size(); ++i) c.rows[i].p_adjusted = adjusted[i];
  return c;
}

}  // namespace

report_model build_report_model(const response_table& t, const model_options& opt) {
  check_level(opt.level);
  metric_options o;
  o.nps.level = opt.level;
  o.csat.level = opt.level;
  o.ces.level = opt.level;
  o.res.level = opt.level;
  if (has_csat(t)) o.csat.top_box = t.csat_scale().max() - t.csat_scale().high_min() + 1;
  if (has_ces(t)) o.ces.easy_min = t.ces_scale().high_min();

  // One pass: per channel, per segment, per month (NPS only).
  std::map<std::uint16_t, group_state> by_channel;
  std::map<std::string, group_state> by_segment;
  std::map<int, score_counts> nps_by_month;
  std::uint64_t undated = 0;
  const auto channel = t.channel();
  const auto segment = t.segment();
  const auto time = t.time();
  const auto nps = t.nps();
  const auto weight = t.weight();
  const group_state empty(t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    add_row(by_channel.try_emplace(channel[i], empty).first->second, t, i, opt.weighted);
    const std::string& seg = t.segments().names()[segment[i]];
    add_row(by_segment.try_emplace(seg.empty() ? std::string("(none)") : seg, empty).first->second, t, i,
            opt.weighted);
    if (nps[i] == response_table::missing_score || !has_nps(t)) continue;
    if (time[i] == response_table::missing_time) {
      ++undated;
      continue;
    }
    const int month = month_index(timestamp{std::chrono::seconds{time[i]}});
    auto& mc = nps_by_month.try_emplace(month, t.nps_scale()).first->second;
    if (opt.weighted) {
      mc.add(nps[i], weight[i]);
    } else {
      mc.add(nps[i]);
    }
  }
  group_state all = empty;
  std::vector<std::pair<std::string, const group_state*>> channels;
  for (const auto& [id, g] : by_channel) {
    all.merge(g);
    channels.emplace_back(t.channel_labels().name(channel_id{id}), &g);
  }
  std::vector<std::pair<std::string, const group_state*>> segments;
  for (const auto& [name, g] : by_segment) segments.emplace_back(name, &g);

  report_model m;
  m.title = opt.title;
  m.source = opt.source;
  m.responses = t.size();
  m.level = opt.level;
  m.weighted = opt.weighted;
  const std::string lvl = format_level(opt.level);
  const std::string adj = adjust_name(opt.adjust);

  // Headlines.
  if (has_nps(t)) {
    headline h;
    h.name = "NPS";
    h.description = "points, -100 to 100; adjusted Wald interval (Rocks 2016)";
    h.value = compute_nps(all.nps, o.nps).nps;
    m.headlines.push_back(std::move(h));
  }
  if (has_csat(t)) {
    headline h;
    h.name = "CSAT";
    h.description = "% satisfied (" + std::to_string(t.csat_scale().high_min()) + "-" +
                    std::to_string(t.csat_scale().max()) + " of " + std::to_string(t.csat_scale().min()) + "-" +
                    std::to_string(t.csat_scale().max()) + "); Wilson interval";
    h.unit = "%";
    h.value = scaled(compute_csat(all.csat, o.csat).satisfied, 100.0);
    m.headlines.push_back(std::move(h));
  }
  if (has_ces(t)) {
    headline h;
    h.name = "CES";
    h.description = "mean effort score, " + std::to_string(t.ces_scale().min()) + " to " +
                    std::to_string(t.ces_scale().max()) + " (higher is easier); Student t interval";
    h.decimals = 2;
    h.value = compute_ces(all.ces, o.ces).mean;
    m.headlines.push_back(std::move(h));
  }
  {
    headline h;
    h.name = "Resolution";
    h.description = "% resolved of yes/no answers (" + std::to_string(all.unknown) +
                    " without an answer excluded); Wilson interval";
    h.unit = "%";
    h.value = value_of(metric::resolution, all, o);
    m.headlines.push_back(std::move(h));
  }

  // Score distribution per channel.
  if (has_nps(t) && all.nps.count() > 0) {
    const auto row_of = [&](const std::string& label, const score_counts& c) {
      distribution_row r;
      r.label = label;
      r.detractors = opt.weighted ? c.low().w : static_cast<double>(c.low().n);
      r.passives = opt.weighted ? c.middle().w : static_cast<double>(c.middle().n);
      r.promoters = opt.weighted ? c.high().w : static_cast<double>(c.high().n);
      r.n = c.count();
      return r;
    };
    for (const auto& [label, g] : channels) m.distributions.push_back(row_of(label, g->nps));
    m.distributions.push_back(row_of("all", all.nps));
    const scale& s = t.nps_scale();
    const auto span = [](int a, int b) {
      if (a > b) return std::string(" (none)");
      return a == b ? " (" + std::to_string(a) + ")" : " (" + std::to_string(a) + "-" + std::to_string(b) + ")";
    };
    m.distribution_categories = {"Detractors" + span(s.min(), s.low_max()),
                                 "Passives" + span(s.low_max() + 1, s.high_min() - 1),
                                 "Promoters" + span(s.high_min(), s.max())};
  }

  // Comparisons.
  const auto add_comparison = [&](metric mt, const std::vector<std::pair<std::string, const group_state*>>& groups,
                                  const char* id, const std::string& title, const std::string& name,
                                  const std::string& group_by, const std::string& method) {
    if (groups.size() < 2) return;
    auto c = compare_groups(mt, groups, all, empty, o, opt);
    c.id = id;
    c.title = title;
    c.metric = name;
    c.group_by = group_by;
    c.unit = mt == metric::nps ? "" : "%";
    c.method = method + "; p-values " + adj + " across the " + std::to_string(groups.size()) + " groups";
    m.comparisons.push_back(std::move(c));
  };
  const std::string nps_method =
      "NPS in points with " + lvl + "% adjusted Wald interval (Rocks 2016); each group against the rest by a "
      "two-sample z test";
  const std::string share_test = opt.weighted ? "a z test on the linearised standard errors"
                                              : "the pooled two-proportion z test";
  if (has_nps(t) && all.nps.count() > 0) {
    add_comparison(metric::nps, channels, "nps-by-channel", "NPS by channel", "NPS", "channel", nps_method);
    add_comparison(metric::nps, segments, "nps-by-segment", "NPS by segment", "NPS", "segment", nps_method);
  }
  if (has_csat(t) && all.csat.count() > 0) {
    add_comparison(metric::csat, channels, "csat-by-channel", "CSAT (% satisfied) by channel", "CSAT %", "channel",
                   "share satisfied with " + lvl + "% Wilson interval; each group against the rest by " + share_test +
                       " (Newcombe interval of the difference)");
  }

  // NPS per month.
  if (!nps_by_month.empty()) {
    period_series s;
    s.id = "nps-by-month";
    s.title = "NPS by month";
    s.metric = "NPS";
    s.period = "month";
    s.method = "NPS in points with " + lvl + "% adjusted Wald interval (Rocks 2016); months with fewer than " +
               std::to_string(opt.thin_below) + " responses are marked thin";
    s.thin_below = opt.thin_below;
    s.undated = undated;
    const int first = nps_by_month.begin()->first;
    const int last = nps_by_month.rbegin()->first;
    for (int k = first; k <= last; ++k) {
      period_point p;
      p.label = month_label(k);
      const auto it = nps_by_month.find(k);
      if (it != nps_by_month.end()) p.value = compute_nps(it->second, o.nps).nps;
      s.points.push_back(std::move(p));
    }
    m.series.push_back(std::move(s));
  }

  // Resolution per channel.
  if (all.res.count() > 0) {
    group_comparison c;
    if (channels.size() >= 2) {
      c = compare_groups(metric::resolution, channels, all, empty, o, opt);
    } else {
      c.overall = value_of(metric::resolution, all, o);
      for (const auto& [label, g] : channels) {
        group_row r;
        r.label = label;
        r.value = value_of(metric::resolution, *g, o);
        r.excluded = excluded_of(metric::resolution, *g);
        c.rows.push_back(std::move(r));
      }
    }
    c.id = "resolution-by-channel";
    c.title = "Resolution rate by channel";
    c.metric = "resolved %";
    c.group_by = "channel";
    c.unit = "%";
    c.adjust = opt.adjust;
    c.alpha = 1.0 - opt.level;
    c.method = "share of yes among yes/no answers with " + lvl +
               "% Wilson interval (unknown answers excluded); each channel against the rest by " + share_test +
               "; p-values " + adj;
    m.resolution = std::move(c);
  }

  m.notes.push_back("All intervals are " + lvl + "% intervals. Significance marks compare each group with all "
                    "other responses at p < " + format_fixed(1.0 - opt.level, 2) + " after adjustment (p-values " +
                    adj + " within each comparison).");
  m.notes.push_back(opt.weighted ? "Survey weights applied (Kish's effective n in the intervals)."
                                 : "Unweighted: every response counts once.");
  return m;
}

report_model build_report_model(const csv_result& data, const model_options& options) {
  report_model m = build_report_model(data.table, options);
  m.ingest = data.summary;
  const std::size_t k = std::min(options.max_rejects_shown, data.rejects.size());
  m.rejects.assign(data.rejects.begin(), data.rejects.begin() + static_cast<std::ptrdiff_t>(k));
  return m;
}

}  // namespace cxm::report
