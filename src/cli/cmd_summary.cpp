// `cxm summary FILE`: every metric with n, effective n, value, SE and
// interval, overall and per group (--by channel,month,segment,agent), each
// group tested against the rest of the responses by stats/compare_to_rest.hpp
// (the same test as `cxm report`), with the p-values of the tested groups of
// one metric adjusted together (Holm by default).
//
// The file is streamed: each batch of accepted rows is fed to a group_by of
// one metric_set per group (engine/grouped.hpp: the SIMD grouped kernel,
// channels, segments and agents keyed by label, months by by_period in the
// --utc-offset), so memory grows with the number of groups, not with the
// file. Groups are listed by ascending key (labels by their bytes, months in
// time order, "(none)" first). At the end the --max-groups groups with the
// most responses are shown (in key order) and the others are pooled into one
// row "other (k groups)"; all work after the read is linear in the number of
// groups.
//
// Declared score fields (--field q1:score:1-5, a mapping's "fields") get
// two tables each, named after the field: the share in the scale's top box
// (the top two points by default, "1-5/1" the top one; Wilson or --method)
// and the mean with its t interval, per group and overall, tested against
// the rest like CSAT. Each is a rating_accumulator bound to the field
// (engine/metric_set.hpp), in a group_by of its own fed the same batches.
// Other declared kinds are read (and checked) but not summarised.
//
// Columns: a metric named by --metrics, a --by key and --weight COL need
// their column (exit 1 naming the columns found when it is missing). With
// the default metric list a metric whose column is absent is left out of
// every format, with one note on stderr.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <functional>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/input.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/io/batch_view.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "report/answer_counts.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/multiplicity.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1::cli {
namespace {

enum class dim { channel, month, segment, agent };
constexpr std::size_t max_dims = 4;

using group_state = detail::answer_counts;
using detail::ces_of;
using detail::csat_of;
using detail::nps_of;
using detail::res_of;

// The state of one declared score field in one group: a rating bound to the
// field (engine/metric_set.hpp). The fields are a run-time list, so each has
// a group_by of its own, counted by the same grouped kernel as group_state.
using rating_state = metric_set<bound<rating_accumulator>>;

// The groups of N keys chosen at run time, fed batch by batch.
template <class State>
class groups_base {
 public:
  virtual ~groups_base() = default;
  virtual void feed(const response_batch& b) = 0;
  // Calls f(labels, state) for every group, in ascending key order.
  virtual void each(const std::function<void(std::vector<std::string>, const State&)>& f) const = 0;
};

template <std::size_t>
using field_key = by_field;

template <class State, class Seq>
class groups_of;
template <class State, std::size_t... I>
class groups_of<State, std::index_sequence<I...>> final : public groups_base<State> {
 public:
  groups_of(const State& prototype, const std::vector<by_field>& keys) : g_(prototype, keys[I]...) {}
  void feed(const response_batch& b) override { g_.feed(view_of(b)); }
  void each(const std::function<void(std::vector<std::string>, const State&)>& f) const override {
    for (const auto& [key, state] : g_.groups()) f({to_string(std::get<I>(key))...}, state.get());
  }

 private:
  group_by<State, field_key<I>...> g_;
};

template <class State>
std::unique_ptr<groups_base<State>> make_groups(const State& prototype, const std::vector<by_field>& keys) {
  switch (keys.size()) {
    case 1: return std::make_unique<groups_of<State, std::make_index_sequence<1>>>(prototype, keys);
    case 2: return std::make_unique<groups_of<State, std::make_index_sequence<2>>>(prototype, keys);
    case 3: return std::make_unique<groups_of<State, std::make_index_sequence<3>>>(prototype, keys);
    default: return std::make_unique<groups_of<State, std::make_index_sequence<4>>>(prototype, keys);
  }
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
        m == interval_method::bootstrap || m == interval_method::tango || m == interval_method::t) {
      c.nps = m;
      used = true;
    }
    if (m == interval_method::wald || m == interval_method::wilson || m == interval_method::wilson_cc ||
        m == interval_method::jeffreys || m == interval_method::clopper_pearson ||
        m == interval_method::agresti_coull) {
      c.proportion = m;
      used = true;
    }
    if (!used) throw failure(usage, "--method " + name + " applies to no metric here (means always use t)");
  }
  return c;
}

response_field field_of_metric(const std::string& m) {
  if (m == "nps") return response_field::nps;
  if (m == "csat") return response_field::csat;
  if (m == "ces") return response_field::ces;
  return response_field::resolved;
}

response_field field_of_dim(dim d) {
  switch (d) {
    case dim::channel: return response_field::channel;
    case dim::month: return response_field::timestamp;
    case dim::segment: return response_field::segment;
    case dim::agent: return response_field::agent;
  }
  return response_field::channel;
}

// A group: its key labels (empty: "other (k groups)"), its counts and those
// of each declared score field.
struct group {
  std::vector<std::string> labels;
  group_state state;
  std::vector<rating_state> ratings;
};

// A table's selection of a group's counts.
using select_counts = std::function<const score_counts&(const group&)>;
select_counts of(const score_counts& (*f)(const group_state&) noexcept) {
  return [f](const group& g) -> const score_counts& { return f(g.state); };
}

class summary_run {
 public:
  explicit summary_run(summary_args& a) : a_(a) {
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
    if (const auto se = stats::weighted_se_from(a.weighted_se)) {
      se_ = *se;
    } else {
      throw failure(usage, "--weighted-se " + quote_value(a.weighted_se) + " is not linearized or kish");
    }
    offset_ = parse_utc_offset(a.groups.utc_offset);
    apply_weight_flags(a.groups, a.input);
    // A field a flag names must have its column.
    for (auto d : dims_) a.input.required.push_back(field_of_dim(d));
    if (a.metrics_given) {
      for (const auto& m : a.metrics) a.input.required.push_back(field_of_metric(m));
    }
    const auto options = make_ingest_options(a.input);
    prototype_ = detail::empty_answer_counts(options.scales);
    all_ = prototype_;
    // Every declared score field gets a rating (mean and top box) bound to it.
    const schema fields = schema_of(options);
    for (std::size_t i = predefined_field_count; i < fields.size(); ++i) {
      const field_id f(i);
      if (fields[f].kind != field_kind::score) continue;
      rating_prototypes_.emplace_back(on_field(fields, f, rating_accumulator(*fields[f].score_scale)));
    }
    all_ratings_ = rating_prototypes_;
    if (!dims_.empty()) {
      std::vector<by_field> keys;
      for (auto d : dims_) keys.push_back(extractor_of(d));
      groups_ = make_groups(prototype_, keys);
      for (const auto& r : rating_prototypes_) rating_groups_.push_back(make_groups(r, keys));
    }
  }

  void add(const response_batch& b) {
    if (groups_) {
      groups_->feed(b);
      for (auto& g : rating_groups_) g->feed(b);
    } else {
      const auto v = view_of(b);
      all_.add(v.values);
      for (auto& r : all_ratings_) r.add(v.values);
    }
  }

  void emit(const context& ctx, const ingest_report& report) {
    // Metrics of the default list without a column are left out.
    std::vector<std::string> shown_metrics, absent;
    for (const auto& m : a_.metrics) {
      if (report.has(field_of_metric(m))) {
        shown_metrics.push_back(m);
      } else {
        absent.push_back(m);
      }
    }
    note_absent_metrics(ctx, absent);
    weight_column_ = weight_column(a_.groups, report);

    select_groups();
    const group all{{}, all_, all_ratings_};
    const table_scales scales{nps_of(all_).scale_of(), csat_of(all_).scale_of(), ces_of(all_).scale_of()};

    table_writer out(ctx);
    const auto want = [&](const char* m) {
      return std::find(shown_metrics.begin(), shown_metrics.end(), m) != shown_metrics.end();
    };
    const auto share = [&](const score_counts& c) {
      stats::proportion_options o;
      o.level = a_.level;
      o.method = methods_.proportion;
      o.se = se_;
      return c.weighted() ? stats::proportion(c.high(), c.total(), o) : stats::proportion(c.high().n, c.count(), o);
    };
    const auto mean = [&](const score_counts& c) { return stats::mean_t(c, a_.level, se_); };
    if (want("nps")) {
      const auto nps = [&](const score_counts& c) {
        nps_options o;
        o.level = a_.level;
        o.method = methods_.nps;
        o.weighted_se = se_;
        return compute_nps(c, o).nps;
      };
      metric_table(out, "nps", "NPS (points, -100..100)", 2, all, of(nps_of), nps, stats::rest_metric::net_score);
    }
    if (want("csat")) {
      metric_table(out, "csat", "CSAT, share satisfied (" + range_text(scales.csat) + ")", 4, all, of(csat_of), share,
                   stats::rest_metric::share);
      metric_table(out, "csat_mean",
                   "CSAT mean (" + std::to_string(scales.csat.min()) + "-" + std::to_string(scales.csat.max()) +
                       "; t interval)",
                   3, all, of(csat_of), mean, stats::rest_metric::mean);
    }
    if (want("ces")) {
      metric_table(out, "ces",
                   "CES mean (" + std::to_string(scales.ces.min()) + "-" + std::to_string(scales.ces.max()) +
                       "; t interval)",
                   3, all, of(ces_of), mean, stats::rest_metric::mean);
      metric_table(out, "ces_easy", "CES, share easy (" + range_text(scales.ces) + ")", 4, all, of(ces_of), share,
                   stats::rest_metric::share);
    }
    if (want("resolution")) {
      metric_table(out, "resolution", "Resolution rate (unknowns excluded)", 4, all, of(res_of), share,
                   stats::rest_metric::share,
                   {std::to_string(detail::unknown_of(all_)) + " responses did not say whether their issue was resolved"});
    }
    // Declared score fields: top-box share and mean, as CSAT's.
    for (std::size_t k = 0; k < all_ratings_.size(); ++k) {
      const auto& b = all_ratings_[k].get<0>();
      const scale& sc = b.scale_of();
      const std::string name = table_name(b.field_name());
      const auto select = [k](const group& g) -> const score_counts& { return g.ratings[k].get<0>().counts(); };
      metric_table(out, name, b.field_name() + ", share in the top box (" + range_text(sc) + ")", 4, all, select,
                   share, stats::rest_metric::share);
      metric_table(out, name + "_mean",
                   b.field_name() + " mean (" + std::to_string(sc.min()) + "-" + std::to_string(sc.max()) +
                       "; t interval)",
                   3, all, select, mean, stats::rest_metric::mean);
    }
    out.write(ingest_table(report));
    nlohmann::json extra = nlohmann::json::object();
    extra["file"] = a_.input.file;
    extra["level"] = a_.level;
    extra["adjust"] = stats::to_string(adjust_);
    extra["weighted_se"] = stats::to_string(se_);
    extra["weighted"] = !weight_column_.empty();
    extra["weight_column"] = weight_column_.empty() ? nlohmann::json(nullptr) : nlohmann::json(weight_column_);
    extra["by"] = a_.by;
    extra["groups"] = group_count_;
    extra["min_n"] = a_.groups.min_n;
    extra["max_groups"] = a_.groups.max_groups;
    extra["utc_offset"] = format_utc_offset(offset_);
    out.finish(extra);
  }

 private:
  static std::string range_text(const scale& s) {
    return std::to_string(s.high_min()) + "-" + std::to_string(s.max()) + " of " + std::to_string(s.min()) + "-" +
           std::to_string(s.max());
  }

  // The table of a declared field: its name, or field_NAME when that is the
  // name of another table.
  static std::string table_name(const std::string& field) {
    for (const char* taken : {"nps", "csat", "csat_mean", "ces", "ces_easy", "resolution", "ingest"}) {
      if (field == taken) return "field_" + field;
    }
    return field;
  }

  // The groups in key order, the --max-groups with the most responses
  // (ties: key order) kept and the others pooled, and every group merged
  // into all_. O(groups) expected.
  void select_groups() {
    std::vector<group> v;
    if (groups_) {
      groups_->each([&](std::vector<std::string> labels, const group_state& g) {
        v.push_back({std::move(labels), g, rating_prototypes_});
        all_.merge(g);
      });
      // Each field's grouping was fed the same rows with the same keys, so
      // it holds the same groups in the same order.
      for (std::size_t k = 0; k < rating_groups_.size(); ++k) {
        std::size_t i = 0;
        rating_groups_[k]->each([&](const std::vector<std::string>& labels, const rating_state& r) {
          if (i >= v.size() || v[i].labels != labels) throw failure(internal, "the groups of a declared field differ");
          v[i++].ratings[k] = r;
          all_ratings_[k].merge(r);
        });
        if (i != v.size()) throw failure(internal, "the groups of a declared field differ");
      }
    }
    group_count_ = groups_ ? v.size() : (all_.empty() ? 0 : 1);  // without --by: the whole input, when it has rows
    std::vector<std::uint64_t> rows(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) rows[i] = v[i].state.count();
    const auto keep = detail::largest_groups(rows, a_.groups.max_groups);
    if (std::find(keep.begin(), keep.end(), false) != keep.end()) {
      group other{{}, prototype_, rating_prototypes_};
      std::vector<group> kept;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (keep[i]) {
          kept.push_back(std::move(v[i]));
        } else {
          other.state.merge(v[i].state);
          for (std::size_t k = 0; k < other.ratings.size(); ++k) other.ratings[k].merge(v[i].ratings[k]);
          ++pooled_;
        }
      }
      kept.push_back(std::move(other));
      v = std::move(kept);
    }
    shown_ = std::move(v);
  }

  static by_field extractor_of(dim d, std::chrono::seconds offset) {
    switch (d) {
      case dim::channel: return by_label{category::channel};
      case dim::month: return by_period(time_bucket::month, offset);
      case dim::segment: return by_label{category::segment};
      case dim::agent: return by_label{category::agent};
    }
    return by_label{category::channel};
  }
  by_field extractor_of(dim d) const { return extractor_of(d, offset_); }

  template <class Compute>
  // Writes one metric's table row by row (a row per group shown, "other"
  // when groups are pooled, then "(all)"); `notes` go below it.
  void metric_table(table_writer& w, const std::string& name, const std::string& title, int digits,
                    const group& all, const select_counts& select, Compute compute, stats::rest_metric test,
                    const std::vector<std::string>& extra_notes = {}) const {
    std::vector<std::string> columns;
    for (auto d : dims_) columns.push_back(to_name(d));
    for (auto& c : estimate_columns()) columns.push_back(c);
    const bool grouped = !dims_.empty() && group_count_ > 1;
    if (grouped) {
      for (const char* c : {"vs_rest", "test", "p_value", "p_adjusted", "significant"}) columns.emplace_back(c);
    }
    const std::size_t width = columns.size();
    w.begin(name, title + (weight_column_.empty() ? "" : ", weighted by " + weight_column_), std::move(columns));
    std::vector<std::string> notes;
    if (!dims_.empty()) {
      std::vector<const score_counts*> counts;
      counts.reserve(shown_.size());
      for (const auto& s : shown_) counts.push_back(&select(s));
      stats::rest_options ro;
      ro.level = a_.level;
      ro.adjust = adjust_;
      ro.min_n = a_.groups.min_n;
      std::vector<stats::rest_comparison> cmp;
      if (grouped) cmp = stats::compare_to_rest(counts, select(all), test, ro);
      for (std::size_t i = 0; i < shown_.size(); ++i) {
        std::vector<cell> row;
        row.reserve(width);
        for (std::size_t d = 0; d < dims_.size(); ++d) {
          if (!shown_[i].labels.empty()) {
            row.emplace_back(shown_[i].labels[d]);
          } else {
            row.emplace_back(d == 0 ? "other (" + std::to_string(pooled_) + " groups)" : std::string());
          }
        }
        for (auto& c : estimate_cells(compute(*counts[i]), digits)) row.push_back(std::move(c));
        if (grouped) {
          const auto& r = cmp[i];
          const auto& diff = r.vs_rest.difference;
          row.push_back(diff.has_value() ? cell::real(diff.value(), digits) : cell{});
          row.emplace_back(stats::to_string(r.status));
          row.push_back(cell::real(r.vs_rest.p_value, -3));
          row.push_back(cell::real(r.p_adjusted, -3));
          row.push_back(r.status == stats::rest_status::tested ? cell(r.significant) : cell{});
        }
        w.row(row);
      }
      if (grouped) {
        const double alpha = 1.0 - a_.level;
        notes.push_back("vs_rest: the group minus all other responses; p adjusted by " +
                          std::string(stats::to_string(adjust_)) + " across the tested groups; significant at "
                          "adjusted p < " + std::to_string(alpha).substr(0, 4));
        notes.push_back(test_note(test));
        notes.push_back("too_few: fewer than " + format_n(a_.groups.min_n) + " responses (effective n when "
                          "weighted) in the group or the rest (--min-n)" +
                          (test == stats::rest_metric::share ? ", or an expected count below 5 (Cochran 1954)"
                                                             : std::string()) +
                          ": not tested, not in the adjustment");
      }
      if (pooled_ != 0) {
        notes.push_back("other (" + std::to_string(pooled_) + " groups): the groups beyond the " +
                          std::to_string(a_.groups.max_groups) +
                          " with the most responses, pooled and tested as one group (--max-groups)");
      }
    }
    std::vector<cell> row;
    for (std::size_t d = 0; d < dims_.size(); ++d) row.emplace_back(d == 0 ? "(all)" : "");
    for (auto& c : estimate_cells(compute(select(all)), digits)) row.push_back(std::move(c));
    if (grouped) row.insert(row.end(), 5, cell{});
    w.row(row);
    notes.insert(notes.end(), extra_notes.begin(), extra_notes.end());
    w.end(notes);
  }

  static std::string format_n(double n) {
    std::string s = std::to_string(n);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  static std::string test_note(stats::rest_metric m) {
    switch (m) {
      case stats::rest_metric::net_score:
        return "test: z test with the variance pooled under the null hypothesis (one trinomial distribution)";
      case stats::rest_metric::share:
        return "test: pooled two-proportion z test (R prop.test, correct = FALSE)";
      case stats::rest_metric::mean:
        return "test: Welch's t test";
    }
    return "";
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

  summary_args& a_;
  std::vector<dim> dims_;
  method_choice methods_;
  stats::weighted_se se_ = stats::weighted_se::linearized;
  stats::p_adjust adjust_ = stats::p_adjust::holm;
  std::chrono::seconds offset_{0};
  std::string weight_column_;
  group_state prototype_;
  group_state all_;                      // every response (merged from the groups when there are any)
  std::unique_ptr<groups_base<group_state>> groups_;  // nullptr without --by
  std::vector<rating_state> rating_prototypes_;       // one per declared score field, in schema order
  std::vector<rating_state> all_ratings_;             // every response, per declared score field
  std::vector<std::unique_ptr<groups_base<rating_state>>> rating_groups_;  // with --by
  std::vector<group> shown_;             // in key order; the pooled rest last
  std::size_t group_count_ = 0;
  std::size_t pooled_ = 0;
};

}  // namespace

void run_summary(summary_args& a, const context& ctx) {
  summary_run run(a);
  const auto report = read_input(a.input, ctx, [&](const response_batch& b) { run.add(b); });
  run.emit(ctx, report);
}

void register_summary(CLI::App& app, context& ctx) {
  auto args = std::make_shared<summary_args>();
  auto* sub = app.add_subcommand("summary", "NPS, CSAT, CES and resolution rate with intervals, per group");
  add_input_flags(*sub, args->input);
  sub->add_option("--by", args->by, "Group by channel, month, segment and/or agent (comma-separated)")->delimiter(',');
  auto* metrics = sub->add_option("--metrics", args->metrics,
                                  "Metrics: nps, csat, ces, resolution (default: those the file has a column for)")
                      ->delimiter(',');
  add_group_flags(*sub, args->groups);
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  sub->add_option("--method", args->methods,
                  "Interval methods: an NPS one (adjusted_wald, wald, tango, t, bayes_dirichlet, bootstrap) and/or "
                  "a proportion one (wilson, wilson_cc, jeffreys, clopper_pearson, agresti_coull, wald)")
      ->delimiter(',');
  sub->add_option("--adjust", args->adjust, "p-value adjustment across groups: holm, bh, bonferroni, none")
      ->default_val("holm");
  sub->add_option("--weighted-se", args->weighted_se,
                  "SE of weighted estimates: linearized (default; survey::svymean's, with n/(n-1)) or kish "
                  "(Kish's approximation: the unweighted SE at the effective n)")
      ->default_val("linearized");
  add_common_flags(*sub, ctx);
  sub->callback([args, metrics, &ctx] {
    args->metrics_given = metrics->count() > 0;
    run_summary(*args, ctx);
  });
}

}  // namespace cxm::cli
