// Building a report model from responses: see include/cxmetrics/report/model.hpp.
#include "cxmetrics/report/model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/engine/response_view.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"
#include "report/answer_counts.hpp"

namespace cxm::inline v0_1::report {
namespace {

using group_state = detail::answer_counts;
using detail::ces_of;
using detail::csat_of;
using detail::nps_of;
using detail::res_of;
using detail::unknown_of;

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
    case metric::nps: return compute_nps(nps_of(g), o.nps).nps;
    case metric::csat: return scaled(compute_csat(csat_of(g), o.csat).satisfied, 100.0);
    case metric::resolution: return scaled(compute_resolution(res_of(g), unknown_of(g), o.res).rate, 100.0);
  }
  return {};
}

// Responses of the group without the metric.
std::uint64_t excluded_of(metric m, const group_state& g) {
  switch (m) {
    case metric::nps: return g.count() - nps_of(g).count();
    case metric::csat: return g.count() - csat_of(g).count();
    case metric::resolution: return unknown_of(g);
  }
  return 0;
}

// A count such as min_n: "30", or "2.5" when fractional.
std::string format_count(double n) {
  if (n == std::floor(n) && n < 1e15) return std::to_string(static_cast<std::uint64_t>(n));
  return format_fixed(n, 1);
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

const score_counts& counts_of(metric m, const group_state& g) {
  switch (m) {
    case metric::nps: return nps_of(g);
    case metric::csat: return csat_of(g);
    case metric::resolution: return res_of(g);
  }
  return nps_of(g);
}

stats::rest_metric test_of(metric m) { return m == metric::nps ? stats::rest_metric::net_score : stats::rest_metric::share; }

// A grouping as shown: the largest groups (by rows) and the others pooled.
struct grouping {
  std::vector<std::pair<std::string, const group_state*>> shown;  // label, counts; "other" last
  std::size_t total = 0;   // groups before pooling
  std::size_t pooled = 0;  // groups in "other"
  std::unique_ptr<group_state> other;
};

// `groups` in display order; keeps the max_groups with the most rows (ties:
// the earlier in display order) in that order and pools the others. O(k).
grouping select(const std::vector<std::pair<std::string, const group_state*>>& groups, std::size_t max_groups,
                const group_state& empty) {
  grouping out;
  out.total = groups.size();
  if (max_groups == 0 || groups.size() <= max_groups) {
    out.shown = groups;
    return out;
  }
  std::vector<std::uint64_t> rows(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) rows[i] = groups[i].second->count();
  const auto keep = detail::largest_groups(rows, max_groups);
  out.other = std::make_unique<group_state>(empty);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (keep[i]) {
      out.shown.push_back(groups[i]);
    } else {
      out.other->merge(*groups[i].second);
      ++out.pooled;
    }
  }
  out.shown.emplace_back("other (" + std::to_string(out.pooled) + " groups)", out.other.get());
  return out;
}

// Each shown group against the rest of the responses (stats::compare_to_rest).
group_comparison compare_groups(metric m, const grouping& groups, const group_state& all, const metric_options& o,
                                const model_options& opt) {
  group_comparison c;
  c.adjust = opt.adjust;
  c.alpha = 1.0 - opt.level;
  c.overall = value_of(m, all, o);
  const double factor = m == metric::nps ? 1.0 : 100.0;
  std::vector<const score_counts*> counts;
  counts.reserve(groups.shown.size());
  for (const auto& [label, g] : groups.shown) counts.push_back(&counts_of(m, *g));
  stats::rest_options ro;
  ro.level = opt.level;
  ro.adjust = opt.adjust;
  ro.min_n = opt.min_n;
  const auto cmp = stats::compare_to_rest(counts, counts_of(m, all), test_of(m), ro);
  std::size_t too_few = 0;
  for (std::size_t i = 0; i < groups.shown.size(); ++i) {
    const auto& g = *groups.shown[i].second;
    group_row r;
    r.label = groups.shown[i].first;
    r.value = value_of(m, g, o);
    r.difference = scaled(cmp[i].vs_rest.difference, factor);
    r.p_value = cmp[i].vs_rest.p_value;
    r.p_adjusted = cmp[i].p_adjusted;
    r.status = cmp[i].status;
    r.note = cmp[i].note;
    r.excluded = excluded_of(m, g);
    if (r.status != stats::rest_status::tested) ++too_few;
    c.rows.push_back(std::move(r));
  }
  if (too_few > 0) {
    c.notes.push_back(std::to_string(too_few) + " of " + std::to_string(c.rows.size()) +
                      " groups are too few to test: fewer than " + format_count(opt.min_n) +
                      " responses (effective n when weighted) in the group or the rest" +
                      (m == metric::nps ? std::string() : ", or an expected count below 5 (Cochran 1954)") +
                      "; they take no part in the adjustment.");
  }
  if (groups.pooled > 0) {
    c.notes.push_back("Showing the " + std::to_string(groups.shown.size() - 1) + " largest of " +
                      std::to_string(groups.total) + " groups; the other " + std::to_string(groups.pooled) +
                      " are pooled into one row, tested against the rest as one group.");
  }
  return c;
}

}  // namespace

report_model build_report_model(const response_table& t, const model_options& opt) {
  check_level(opt.level);
  if (!(std::isfinite(opt.min_n) && opt.min_n >= 0.0)) {
    throw invalid_argument("report: min_n must be finite and >= 0, got " + std::to_string(opt.min_n),
                           at_field("min_n"));
  }
  metric_options o;
  o.nps.level = opt.level;
  o.csat.level = opt.level;
  o.ces.level = opt.level;
  o.res.level = opt.level;
  if (has_csat(t)) o.csat.top_box = t.csat_scale().max() - t.csat_scale().high_min() + 1;
  if (has_ces(t)) o.ces.easy_min = t.ces_scale().high_min();
  const bool show_nps = opt.metrics.nps && has_nps(t);
  const bool show_csat = opt.metrics.csat && has_csat(t);
  const bool show_ces = opt.metrics.ces && has_ces(t);
  const bool show_res = opt.metrics.resolution;

  // Per channel and per segment label (the four answers) and per month (NPS
  // only), each through group_by: the SIMD grouped kernel, O(groups) after it.
  const group_state empty = detail::empty_answer_counts({t.nps_scale(), t.csat_scale(), t.ces_scale()});
  response_view v = view_of(t);
  if (!opt.weighted) v.values.weights = {};
  group_by<group_state, by_label> by_channel(empty, by_label{category::channel});
  group_by<group_state, by_label> by_segment(empty, by_label{category::segment});
  group_by<score_histogram, by_period> by_month(score_histogram(t.nps_scale()),
                                                by_period(time_bucket::month, opt.utc_offset));
  by_channel.feed(v);
  by_segment.feed(v);
  if (show_nps) by_month.feed(v);
  // Months with NPS answers, and NPS answers without a time.
  std::map<int, score_counts> nps_by_month;
  std::uint64_t undated = 0;
  for (const auto& [key, h] : by_month.groups()) {
    const period& p = std::get<0>(key);
    if (h.get().count() == 0) continue;
    if (!p.has_time()) {
      undated = h.get().count();
    } else {
      nps_by_month.emplace(p.index, h.get().counts());
    }
  }
  // Channels in the table's order of first use, segments by label.
  group_state all = empty;
  std::vector<std::pair<std::string, const group_state*>> channel_list;
  for (const auto& [key, g] : by_channel.groups()) {
    all.merge(g.get());
    channel_list.emplace_back(std::get<0>(key), &g.get());
  }
  const auto first_use = [&](const std::string& label) { return t.channel_labels().find(label).value_or(channel_id{}).value; };
  std::stable_sort(channel_list.begin(), channel_list.end(),
                   [&](const auto& a, const auto& b) { return first_use(a.first) < first_use(b.first); });
  std::vector<std::pair<std::string, const group_state*>> segment_list;
  for (const auto& [key, g] : by_segment.groups()) {
    segment_list.emplace_back(std::get<0>(key).empty() ? std::string("(none)") : std::get<0>(key), &g.get());
  }
  const grouping channels = select(channel_list, opt.max_groups, empty);
  const grouping segments = select(segment_list, opt.max_groups, empty);

  report_model m;
  m.title = opt.title;
  m.source = opt.source;
  m.responses = t.size();
  m.level = opt.level;
  m.weighted = opt.weighted;
  if (opt.weighted) m.weight_column = opt.weight_column;
  const std::string lvl = format_level(opt.level);
  const std::string adj = adjust_name(opt.adjust);

  // Headlines.
  if (show_nps) {
    headline h;
    h.name = "NPS";
    h.description = "points, -100 to 100; adjusted Wald interval (Rocks 2016)";
    h.value = compute_nps(nps_of(all), o.nps).nps;
    m.headlines.push_back(std::move(h));
  }
  if (show_csat) {
    headline h;
    h.name = "CSAT";
    h.description = "% satisfied (" + std::to_string(t.csat_scale().high_min()) + "-" +
                    std::to_string(t.csat_scale().max()) + " of " + std::to_string(t.csat_scale().min()) + "-" +
                    std::to_string(t.csat_scale().max()) + "); Wilson interval";
    h.unit = "%";
    h.value = scaled(compute_csat(csat_of(all), o.csat).satisfied, 100.0);
    m.headlines.push_back(std::move(h));
  }
  if (show_ces) {
    headline h;
    h.name = "CES";
    h.description = "mean effort score, " + std::to_string(t.ces_scale().min()) + " to " +
                    std::to_string(t.ces_scale().max()) + " (higher is easier); Student t interval";
    h.decimals = 2;
    h.value = compute_ces(ces_of(all), o.ces).mean;
    m.headlines.push_back(std::move(h));
  }
  if (show_res) {
    headline h;
    h.name = "Resolution";
    h.description = "% resolved of yes/no answers (" + std::to_string(unknown_of(all)) +
                    " without an answer excluded); Wilson interval";
    h.unit = "%";
    h.value = value_of(metric::resolution, all, o);
    m.headlines.push_back(std::move(h));
  }

  // Score distribution per channel.
  if (show_nps && nps_of(all).count() > 0) {
    const auto row_of = [&](const std::string& label, const score_counts& c) {
      distribution_row r;
      r.label = label;
      r.detractors = opt.weighted ? c.low().w : static_cast<double>(c.low().n);
      r.passives = opt.weighted ? c.middle().w : static_cast<double>(c.middle().n);
      r.promoters = opt.weighted ? c.high().w : static_cast<double>(c.high().n);
      r.n = c.count();
      return r;
    };
    for (const auto& [label, g] : channels.shown) m.distributions.push_back(row_of(label, nps_of(*g)));
    m.distributions.push_back(row_of("all", nps_of(all)));
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
  const std::string min_n_text = format_count(opt.min_n);
  const auto add_comparison = [&](metric mt, const grouping& groups, const char* id, const std::string& title,
                                  const std::string& name, const std::string& group_by, const std::string& method) {
    if (groups.total < 2) return;
    auto c = compare_groups(mt, groups, all, o, opt);
    c.id = id;
    c.title = title;
    c.metric = name;
    c.group_by = group_by;
    c.unit = mt == metric::nps ? "" : "%";
    c.method = method + "; p-values " + adj + " across the tested groups; groups with fewer than " + min_n_text +
               " responses on a side are not tested";
    m.comparisons.push_back(std::move(c));
  };
  const std::string nps_method =
      "NPS in points with " + lvl + "% adjusted Wald interval (Rocks 2016); each group against the rest by a "
      "z test with the variance pooled under the null hypothesis";
  const std::string share_test = opt.weighted ? "the pooled two-proportion z test on Kish's effective sizes"
                                              : "the pooled two-proportion z test";
  if (show_nps && nps_of(all).count() > 0) {
    add_comparison(metric::nps, channels, "nps-by-channel", "NPS by channel", "NPS", "channel", nps_method);
    add_comparison(metric::nps, segments, "nps-by-segment", "NPS by segment", "NPS", "segment", nps_method);
  }
  if (show_csat && csat_of(all).count() > 0) {
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
    if (opt.utc_offset.count() != 0) s.method += "; months at UTC" + format_utc_offset(opt.utc_offset);
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
  if (show_res && res_of(all).count() > 0) {
    group_comparison c;
    if (channels.total >= 2) {
      c = compare_groups(metric::resolution, channels, all, o, opt);
    } else {
      c.overall = value_of(metric::resolution, all, o);
      for (const auto& [label, g] : channels.shown) {
        group_row r;
        r.label = label;
        r.value = value_of(metric::resolution, *g, o);
        r.excluded = excluded_of(metric::resolution, *g);
        r.status = stats::rest_status::too_few;
        r.note = "the only group";
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
               "; p-values " + adj + " across the tested groups";
    m.resolution = std::move(c);
  }

  if (show_nps && opt.trend && !nps_by_month.empty()) {
    std::string why;
    m.trend = build_trend_section(t, *opt.trend, opt.level, opt.weighted, opt.utc_offset, opt.thin_below, &why);
    if (!m.trend && !why.empty()) m.notes.push_back(why);
  }
  if (opt.journey && t.schema().find(opt.journey->fields.journey)) {
    m.journey = build_journey_section(t, *opt.journey, opt.level);
  }
  if (opt.drivers) m.drivers = build_driver_section(t, *opt.drivers, opt.level, opt.weighted);

  m.notes.push_back("All intervals are " + lvl + "% intervals. Significance marks compare each group with all "
                    "other responses at p < " + format_fixed(1.0 - opt.level, 2) + " after adjustment (p-values " +
                    adj + " within each comparison). Groups with fewer than " + min_n_text +
                    " responses (effective n when weighted) on a side are too few to test.");
  m.notes.push_back(opt.weighted ? "Survey weights applied" +
                                       (opt.weight_column.empty() ? std::string() : " (column " + opt.weight_column + ")") +
                                       "; Kish's effective n in the intervals and tests."
                                 : "Unweighted: every response counts once.");
  return m;
}

report_model build_report_model(const ingest_result& data, const model_options& options) {
  // A field is in missing_by_field exactly when the file has its column.
  model_options o = options;
  const auto& present = data.report.summary.missing_by_field;
  const auto has = [&](const char* f) { return present.empty() || present.count(f) > 0; };
  o.metrics.nps = o.metrics.nps && has("nps");
  o.metrics.csat = o.metrics.csat && has("csat");
  o.metrics.ces = o.metrics.ces && has("ces");
  o.metrics.resolution = o.metrics.resolution && has("resolved");
  report_model m = build_report_model(data.table, o);
  m.ingest = data.report.summary;
  const std::size_t k = std::min(options.max_rejects_shown, data.rejects.size());
  m.rejects.assign(data.rejects.begin(), data.rejects.begin() + static_cast<std::ptrdiff_t>(k));
  return m;
}

}  // namespace cxm::report
