// `cxm summary FILE`: every metric with n, effective n, value, SE and
// interval, overall and per group (--by channel,month,segment,agent), each
// group tested against the rest of the responses with the p-values of one
// metric adjusted together (Holm by default).
//
// The file is streamed: each batch of accepted rows is added to one small
// state per group (score counts: a few hundred bytes each), so memory does
// not grow with the file. "The rest" of a group is the overall counts minus
// the group's, bin by bin.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::cli {
namespace {

enum class dim { channel, month, segment, agent };
constexpr std::size_t max_dims = 4;
using group_key = std::array<std::int64_t, max_dims>;

struct group_key_hash {
  std::size_t operator()(const group_key& k) const noexcept {
    std::size_t h = 0x9e3779b97f4a7c15ULL;
    for (auto v : k) h = (h ^ static_cast<std::size_t>(v)) * 0x100000001b3ULL;
    return h;
  }
};

struct summary_args {
  input_args input;
  std::vector<std::string> by;
  std::vector<std::string> metrics{"nps", "csat", "ces", "resolution"};
  std::string weight;
  double level = 0.95;
  std::vector<std::string> methods;
  std::string adjust = "holm";
};

// The counts of one group.
struct group_state {
  score_counts nps{scale::nps()};
  score_counts csat{scale::csat()};
  score_counts ces{scale::ces()};
  score_counts resolved{scale::binary()};
  std::uint64_t unknown = 0;
  std::uint64_t rows = 0;
};

// counts(total) − counts(part), bin by bin (weight sums clipped at 0 against rounding).
score_counts minus(const score_counts& total, const score_counts& part) {
  const auto bins = total.bins();
  std::vector<std::uint64_t> n(bins);
  std::vector<double> w, w2;
  const bool weighted = total.weighted() || part.weighted();
  if (weighted) {
    w.resize(bins);
    w2.resize(bins);
  }
  for (std::size_t b = 0; b < bins; ++b) {
    n[b] = total.count(b) - part.count(b);
    if (weighted) {
      w[b] = n[b] == 0 ? 0.0 : std::max(0.0, total.weight(b) - part.weight(b));
      w2[b] = n[b] == 0 ? 0.0 : std::max(0.0, total.weight_sq(b) - part.weight_sq(b));
    }
  }
  return score_counts(total.scale_of(), std::move(n), std::move(w), std::move(w2));
}

struct method_choice {
  interval_method nps = interval_method::adjusted_wald;
  interval_method proportion = interval_method::wilson;
};

method_choice choose_methods(const std::vector<std::string>& names) {
  method_choice c;
  for (const auto& name : names) {
    const auto m = parse_method(name);
    bool used = false;
    if (m == interval_method::wald || m == interval_method::adjusted_wald || m == interval_method::bayes_dirichlet ||
        m == interval_method::bootstrap) {
      c.nps = m;
      used = true;
    }
    if (m == interval_method::wald || m == interval_method::wilson || m == interval_method::jeffreys ||
        m == interval_method::clopper_pearson || m == interval_method::agresti_coull) {
      c.proportion = m;
      used = true;
    }
    if (!used) throw failure(usage, "--method " + name + " applies to no metric here (means always use t)");
  }
  return c;
}

// One metric's table: a row per group plus "all", with the test against the rest.
struct metric_rows {
  table t;
  std::vector<double> p;  // raw p-values of the group rows, in row order
};

class summary_run {
 public:
  explicit summary_run(const summary_args& a) : a_(a) {
    for (const auto& b : a.by) {
      if (b == "channel") dims_.push_back(dim::channel);
      else if (b == "month") dims_.push_back(dim::month);
      else if (b == "segment") dims_.push_back(dim::segment);
      else if (b == "agent") dims_.push_back(dim::agent);
      else throw failure(usage, "--by: unknown key '" + b + "' (use channel, month, segment, agent)");
    }
    if (dims_.size() > max_dims) throw failure(usage, "--by takes at most 4 keys");
    for (const auto& m : a.metrics) {
      if (m != "nps" && m != "csat" && m != "ces" && m != "resolution") {
        throw failure(usage, "--metrics: unknown metric '" + m + "' (use nps, csat, ces, resolution)");
      }
    }
    check_level(a.level);
    methods_ = choose_methods(a.methods);
    adjust_ = stats::parse_p_adjust(a.adjust, at_field("--adjust"));
  }

  void add(const response_batch& b) {
    // The reader's dictionaries live only while it runs: keep copies.
    const auto& ch = b.channel_labels().names();
    for (std::size_t i = channel_names_.size(); i < ch.size(); ++i) channel_names_.push_back(ch[i]);
    for (std::size_t i = segment_names_.size(); i < b.segments().size(); ++i) {
      segment_names_.push_back(b.segments().name(static_cast<std::uint32_t>(i)));
    }
    for (std::size_t i = agent_names_.size(); i < b.agents().size(); ++i) {
      agent_names_.push_back(b.agents().name(static_cast<std::uint32_t>(i)));
    }
    const bool weighted = !a_.weight.empty();
    const auto nps = b.nps(), csat = b.csat(), ces = b.ces();
    const auto res = b.resolved();
    const auto w = b.weight();
    group_key last{};
    group_state* g = nullptr;
    for (std::size_t i = 0; i < b.size(); ++i) {
      group_key k{};
      for (std::size_t d = 0; d < dims_.size(); ++d) k[d] = key_of(b, i, dims_[d]);
      if (!g || k != last) {
        g = &groups_[k];
        last = k;
      }
      ++g->rows;
      const double wi = weighted ? w[i] : 1.0;
      if (nps[i] != response_table::missing_score) weighted ? g->nps.add(nps[i], wi) : g->nps.add(nps[i]);
      if (csat[i] != response_table::missing_score) weighted ? g->csat.add(csat[i], wi) : g->csat.add(csat[i]);
      if (ces[i] != response_table::missing_score) weighted ? g->ces.add(ces[i], wi) : g->ces.add(ces[i]);
      if (res[i] == static_cast<std::int8_t>(resolution::unknown)) {
        ++g->unknown;
      } else {
        weighted ? g->resolved.add(res[i], wi) : g->resolved.add(res[i]);
      }
    }
  }

  void emit(const context& ctx, const ingest_report& report) {
    // Groups in ascending key order (map), then the overall counts.
    std::map<group_key, const group_state*> sorted;
    group_state all;
    for (const auto& [k, g] : groups_) {
      sorted.emplace(k, &g);
      all.nps.merge(g.nps);
      all.csat.merge(g.csat);
      all.ces.merge(g.ces);
      all.resolved.merge(g.resolved);
      all.unknown += g.unknown;
      all.rows += g.rows;
    }
    std::vector<table> out;
    auto want = [&](const char* m) { return std::find(a_.metrics.begin(), a_.metrics.end(), m) != a_.metrics.end(); };
    if (want("nps")) {
      out.push_back(metric_table(
          "nps", "NPS (points, -100..100)", 2, sorted, all, [](const group_state& g) -> const score_counts& { return g.nps; },
          [&](const score_counts& c) {
            nps_options o;
            o.level = a_.level;
            o.method = methods_.nps;
            return compute_nps(c, o).nps;
          },
          [&](const score_counts& g, const score_counts& rest) { return compare_nps(g, rest, a_.level); }));
    }
    if (want("csat")) {
      const auto sel = [](const group_state& g) -> const score_counts& { return g.csat; };
      out.push_back(metric_table("csat", "CSAT, share satisfied (4-5 of 1-5)", 4, sorted, all, sel,
                                 [&](const score_counts& c) { return share(c); }, share_test()));
      out.push_back(metric_table("csat_mean", "CSAT mean (1-5; t interval)", 3, sorted, all, sel,
                                 [&](const score_counts& c) { return stats::mean_t(c, a_.level); }, mean_test()));
    }
    if (want("ces")) {
      const auto sel = [](const group_state& g) -> const score_counts& { return g.ces; };
      out.push_back(metric_table("ces", "CES mean (1-7; t interval)", 3, sorted, all, sel,
                                 [&](const score_counts& c) { return stats::mean_t(c, a_.level); }, mean_test()));
      out.push_back(metric_table("ces_easy", "CES, share easy (5-7 of 1-7)", 4, sorted, all, sel,
                                 [&](const score_counts& c) { return share(c); }, share_test()));
    }
    if (want("resolution")) {
      auto t = metric_table("resolution", "Resolution rate (unknowns excluded)", 4, sorted, all,
                            [](const group_state& g) -> const score_counts& { return g.resolved; },
                            [&](const score_counts& c) { return share(c); }, share_test());
      t.notes.push_back(std::to_string(all.unknown) + " responses did not say whether their issue was resolved");
      out.push_back(std::move(t));
    }
    out.push_back(ingest_table(report));
    nlohmann::json extra = nlohmann::json::object();
    extra["file"] = a_.input.file;
    extra["level"] = a_.level;
    extra["adjust"] = stats::to_string(adjust_);
    extra["weighted"] = !a_.weight.empty();
    extra["by"] = a_.by;
    ctx.emit(out, extra);
  }

 private:
  std::int64_t key_of(const response_batch& b, std::size_t i, dim d) const {
    switch (d) {
      case dim::channel: return b.channel()[i];
      case dim::month: {
        const auto t = b.time()[i];
        if (t == response_table::missing_time) return std::numeric_limits<std::int64_t>::min();
        return month_index(timestamp{std::chrono::seconds{t}});
      }
      case dim::segment: return b.segment()[i];
      case dim::agent: return b.agent()[i];
    }
    return 0;
  }

  std::string label_of(std::int64_t v, dim d) const {
    switch (d) {
      case dim::channel: return channel_names_.at(static_cast<std::size_t>(v));
      case dim::month:
        return v == std::numeric_limits<std::int64_t>::min() ? "(none)" : month_label(static_cast<int>(v));
      case dim::segment: {
        const auto& s = segment_names_.at(static_cast<std::size_t>(v));
        return s.empty() ? "(none)" : s;
      }
      case dim::agent: {
        const auto& s = agent_names_.at(static_cast<std::size_t>(v));
        return s.empty() ? "(none)" : s;
      }
    }
    return "";
  }

  estimate share(const score_counts& c) const {
    stats::proportion_options o;
    o.level = a_.level;
    o.method = methods_.proportion;
    return stats::proportion(c.high(), c.total(), o);
  }
  using comparer = std::function<stats::comparison(const score_counts&, const score_counts&)>;
  comparer share_test() const {
    return [this](const score_counts& g, const score_counts& rest) {
      return stats::compare_proportions(g.high(), g.total(), rest.high(), rest.total(), a_.level);
    };
  }
  comparer mean_test() const {
    return [this](const score_counts& g, const score_counts& rest) {
      return stats::compare_estimates(stats::mean_t(g, a_.level), stats::mean_t(rest, a_.level), a_.level);
    };
  }

  template <class Select, class Compute, class Compare>
  table metric_table(const std::string& name, const std::string& title, int digits,
                     const std::map<group_key, const group_state*>& sorted, const group_state& all, Select select,
                     Compute compute, Compare compare) const {
    table t;
    t.name = name;
    t.title = title + (a_.weight.empty() ? "" : ", weighted by " + a_.weight);
    for (auto d : dims_) t.columns.push_back(to_name(d));
    for (auto& c : estimate_columns()) t.columns.push_back(c);
    const bool grouped = !dims_.empty() && sorted.size() > 1;
    if (grouped) {
      for (const char* c : {"vs_rest", "p_value", "p_adjusted", "significant"}) t.columns.emplace_back(c);
    }
    std::vector<double> p;
    if (!dims_.empty()) {
      const auto& total = select(all);
      for (const auto& [k, g] : sorted) {
        std::vector<cell> row;
        for (std::size_t d = 0; d < dims_.size(); ++d) row.emplace_back(label_of(k[d], dims_[d]));
        const auto& mine = select(*g);
        for (auto& c : estimate_cells(compute(mine), digits)) row.push_back(std::move(c));
        if (grouped) {
          const auto cmp = compare(mine, minus(total, mine));
          row.push_back(cmp.difference.has_value() ? cell::real(cmp.difference.value(), digits) : cell{});
          row.push_back(cell::real(cmp.p_value, -3));
          p.push_back(cmp.p_value);
        }
        t.add(std::move(row));
      }
      if (grouped) {
        const auto adj = stats::adjust_p(p, adjust_);
        const double alpha = 1.0 - a_.level;
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
          t.rows[i].push_back(cell::real(adj[i], -3));
          t.rows[i].push_back(std::isnan(adj[i]) ? cell{} : cell(adj[i] < alpha));
        }
        t.notes.push_back("vs_rest: the group minus all other responses; p adjusted by " +
                          std::string(stats::to_string(adjust_)) + " across the groups; significant at adjusted p < " +
                          std::to_string(alpha).substr(0, 4));
      }
    }
    std::vector<cell> row;
    for (std::size_t d = 0; d < dims_.size(); ++d) row.emplace_back(d == 0 ? "(all)" : "");
    for (auto& c : estimate_cells(compute(select(all)), digits)) row.push_back(std::move(c));
    if (grouped) row.insert(row.end(), 4, cell{});
    t.add(std::move(row));
    return t;
  }

  static std::string to_name(dim d) {
    switch (d) {
      case dim::channel: return "channel";
      case dim::month: return "month";
      case dim::segment: return "segment";
      case dim::agent: return "agent";
    }
    return "";
  }

  const summary_args& a_;
  std::vector<dim> dims_;
  method_choice methods_;
  stats::p_adjust adjust_ = stats::p_adjust::holm;
  std::unordered_map<group_key, group_state, group_key_hash> groups_;
  std::vector<std::string> channel_names_, segment_names_, agent_names_;
};

void run_summary(summary_args& a, const context& ctx) {
  a.input.columns.push_back("weight=" + a.weight);  // no --weight: the weight column is not read
  summary_run run(a);
  const auto report = read_input(a.input, ctx, [&](const response_batch& b) { run.add(b); });
  run.emit(ctx, report);
}

}  // namespace

void register_summary(CLI::App& app, context& ctx) {
  auto args = std::make_shared<summary_args>();
  auto* sub = app.add_subcommand("summary", "NPS, CSAT, CES and resolution rate with intervals, per group");
  add_input_flags(*sub, args->input);
  sub->add_option("--by", args->by, "Group by channel, month, segment and/or agent (comma-separated)")->delimiter(',');
  sub->add_option("--metrics", args->metrics, "Metrics: nps, csat, ces, resolution (default: all)")->delimiter(',');
  sub->add_option("--weight", args->weight, "Weight column (default: unweighted)");
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95);
  sub->add_option("--method", args->methods,
                  "Interval methods: an NPS one (adjusted_wald, wald, bayes_dirichlet, bootstrap) and/or a "
                  "proportion one (wilson, jeffreys, clopper_pearson, agresti_coull, wald)")
      ->delimiter(',');
  sub->add_option("--adjust", args->adjust, "p-value adjustment across groups: holm, bh, bonferroni, none")
      ->default_val("holm");
  add_common_flags(*sub, ctx);
  sub->callback([args, &ctx] { run_summary(*args, ctx); });
}

}  // namespace cxm::cli
