// summary_tables (report/summary_state.hpp): the tables of `cxm summary`
// from a summary_state — every metric with n, effective n, value, SE and
// interval, overall and per group, each group tested against the rest of the
// responses by stats/compare_to_rest.hpp (the same test as `cxm report`),
// with the p-values of the tested groups of one metric adjusted together.
//
// The groups are listed in key order; the max_groups groups with the most
// responses are shown (in key order) and the others are pooled into one row
// "other (k groups)". All work is linear in the number of groups.
//
// Declared score fields get two tables each, named after the field: the
// share in the scale's top box and the mean with its t interval.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/report/summary_state.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "report/answer_counts.hpp"

namespace cxm::inline v0_1 {

bool summary_methods::use(interval_method m) noexcept {
  bool used = false;
  if (m == interval_method::wald || m == interval_method::adjusted_wald || m == interval_method::bayes_dirichlet ||
      m == interval_method::bootstrap || m == interval_method::tango || m == interval_method::t) {
    nps = m;
    used = true;
  }
  if (m == interval_method::wald || m == interval_method::wilson || m == interval_method::wilson_cc ||
      m == interval_method::jeffreys || m == interval_method::clopper_pearson ||
      m == interval_method::agresti_coull) {
    proportion = m;
    used = true;
  }
  return used;
}

namespace {

using cell = summary_cell;
using row_t = std::vector<summary_cell>;

cell text(std::string s) { return cell{std::move(s), 4}; }
cell real(double x, int digits) { return std::isnan(x) ? cell{} : cell{x, digits}; }

std::vector<std::string> estimate_columns() {
  return {"n", "effective_n", "value", "se", "lower", "upper", "level", "interval_method", "status"};
}

void append_estimate(row_t& r, const estimate& e, int digits) {
  r.push_back(cell{static_cast<std::uint64_t>(e.n()), 4});
  r.push_back(real(e.effective_n(), 1));
  r.push_back(e.has_value() ? real(e.value(), digits) : cell{});
  r.push_back(e.ok() ? real(e.se(), digits) : cell{});
  if (e.ci()) {
    r.push_back(real(e.ci()->lower, digits));
    r.push_back(real(e.ci()->upper, digits));
    r.push_back(real(e.ci()->level, 2));
    r.push_back(text(to_string(e.ci()->method)));
  } else {
    r.insert(r.end(), 4, cell{});
  }
  r.push_back(text(to_string(e.state())));
}

// A group as the tables see it: its labels (empty: "other (k groups)").
struct shown_group {
  std::vector<std::string> labels;
  summary_group g;
};

using select_counts = std::function<const score_counts&(const summary_group&)>;

std::string range_text(const scale& s) {
  return std::to_string(s.high_min()) + "-" + std::to_string(s.max()) + " of " + std::to_string(s.min()) + "-" +
         std::to_string(s.max());
}

std::string mean_range(const scale& s) { return std::to_string(s.min()) + "-" + std::to_string(s.max()); }

// The table of a declared field: its name, or field_NAME when that is the
// name of another table.
std::string table_name(const std::string& field) {
  for (const char* taken : {"nps", "csat", "csat_mean", "ces", "ces_easy", "resolution", "ingest"}) {
    if (field == taken) return "field_" + field;
  }
  return field;
}

std::string format_n(double n) {
  std::string s = std::to_string(n);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string test_note(stats::rest_metric m) {
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

class table_builder {
 public:
  table_builder(const summary_state& s, const summary_table_options& o) : s_(s), o_(o), all_(s.overall()) {
    select_groups();
  }

  std::size_t group_count() const noexcept { return group_count_; }

  std::vector<summary_table> build() {
    const auto want = [&](const char* m) {
      const bool named = std::find(o_.metrics.begin(), o_.metrics.end(), m) != o_.metrics.end();
      const response_field f = std::string(m) == "nps"    ? response_field::nps
                               : std::string(m) == "csat" ? response_field::csat
                               : std::string(m) == "ces"  ? response_field::ces
                                                          : response_field::resolved;
      return named && s_.input().has(f);
    };
    const auto share = [&](const score_counts& c) {
      stats::proportion_options po;
      po.level = o_.level;
      po.method = o_.methods.proportion;
      po.se = o_.se;
      return c.weighted() ? stats::proportion(c.high(), c.total(), po) : stats::proportion(c.high().n, c.count(), po);
    };
    const auto mean = [&](const score_counts& c) { return stats::mean_t(c, o_.level, o_.se); };
    const auto of = [](const score_counts& (*f)(const summary_counts&) noexcept) -> select_counts {
      return [f](const summary_group& g) -> const score_counts& { return f(g.counts); };
    };
    const auto& c = all_.counts;
    const scale& csat = detail::csat_of(c).scale_of();
    const scale& ces = detail::ces_of(c).scale_of();
    std::vector<summary_table> out;
    if (want("nps")) {
      const auto nps = [&](const score_counts& counts) {
        nps_options no;
        no.level = o_.level;
        no.method = o_.methods.nps;
        no.weighted_se = o_.se;
        return compute_nps(counts, no).nps;
      };
      out.push_back(metric_table("nps", "NPS (points, -100..100)", 2, of(detail::nps_of), nps,
                                 stats::rest_metric::net_score));
    }
    if (want("csat")) {
      out.push_back(metric_table("csat", "CSAT, share satisfied (" + range_text(csat) + ")", 4, of(detail::csat_of),
                                 share, stats::rest_metric::share));
      out.push_back(metric_table("csat_mean", "CSAT mean (" + mean_range(csat) + "; t interval)", 3,
                                 of(detail::csat_of), mean, stats::rest_metric::mean));
    }
    if (want("ces")) {
      out.push_back(metric_table("ces", "CES mean (" + mean_range(ces) + "; t interval)", 3, of(detail::ces_of), mean,
                                 stats::rest_metric::mean));
      out.push_back(metric_table("ces_easy", "CES, share easy (" + range_text(ces) + ")", 4, of(detail::ces_of),
                                 share, stats::rest_metric::share));
    }
    if (want("resolution")) {
      out.push_back(metric_table(
          "resolution", "Resolution rate (unknowns excluded)", 4, of(detail::res_of), share, stats::rest_metric::share,
          {std::to_string(detail::unknown_of(c)) + " responses did not say whether their issue was resolved"}));
    }
    // Declared score fields: top-box share and mean, as CSAT's.
    for (std::size_t k = 0; k < all_.ratings.size(); ++k) {
      const auto& b = all_.ratings[k].get<0>();
      const scale& sc = b.scale_of();
      const std::string name = table_name(b.field_name());
      const auto select = [k](const summary_group& g) -> const score_counts& {
        return g.ratings[k].get<0>().counts();
      };
      out.push_back(metric_table(name, b.field_name() + ", share in the top box (" + range_text(sc) + ")", 4, select,
                                 share, stats::rest_metric::share));
      out.push_back(metric_table(name + "_mean", b.field_name() + " mean (" + mean_range(sc) + "; t interval)", 3,
                                 select, mean, stats::rest_metric::mean));
    }
    out.push_back(ingest_table());
    return out;
  }

 private:
  // The groups in key order, the max_groups with the most responses (ties:
  // key order) kept and the others pooled.
  void select_groups() {
    std::vector<shown_group> v;
    if (!s_.keys().empty()) {
      for (const auto& [key, g] : s_.groups()) {
        std::vector<std::string> labels;
        for (const auto& k : key) labels.push_back(to_string(k));
        v.push_back({std::move(labels), g});
      }
    }
    group_count_ = !s_.keys().empty() ? v.size() : (all_.counts.empty() ? 0 : 1);
    std::vector<std::uint64_t> rows(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) rows[i] = v[i].g.counts.count();
    const auto keep = detail::largest_groups(rows, o_.max_groups);
    if (std::find(keep.begin(), keep.end(), false) != keep.end()) {
      shown_group other{{}, s_.empty_group()};
      std::vector<shown_group> kept;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (keep[i]) {
          kept.push_back(std::move(v[i]));
        } else {
          other.g.counts.merge(v[i].g.counts);
          for (std::size_t k = 0; k < other.g.ratings.size(); ++k) other.g.ratings[k].merge(v[i].g.ratings[k]);
          ++pooled_;
        }
      }
      kept.push_back(std::move(other));
      v = std::move(kept);
    }
    shown_ = std::move(v);
  }

  // One metric's table: a row per group shown, "other" when groups are
  // pooled, then "(all)"; `extra_notes` go below it.
  template <class Compute>
  summary_table metric_table(const std::string& name, const std::string& title, int digits,
                             const select_counts& select, Compute compute, stats::rest_metric test,
                             const std::vector<std::string>& extra_notes = {}) const {
    summary_table t;
    t.name = name;
    const auto& weight = s_.weight_column();
    t.title = title + (weight.empty() ? "" : ", weighted by " + weight);
    const auto& keys = s_.keys();
    for (auto k : keys) t.columns.emplace_back(to_string(k));
    for (auto& c : estimate_columns()) t.columns.push_back(c);
    const bool grouped = !keys.empty() && group_count_ > 1;
    if (grouped) {
      for (const char* c : {"vs_rest", "test", "p_value", "p_adjusted", "significant"}) t.columns.emplace_back(c);
    }
    if (!keys.empty()) {
      std::vector<const score_counts*> counts;
      counts.reserve(shown_.size());
      for (const auto& s : shown_) counts.push_back(&select(s.g));
      stats::rest_options ro;
      ro.level = o_.level;
      ro.adjust = o_.adjust;
      ro.min_n = o_.min_n;
      std::vector<stats::rest_comparison> cmp;
      if (grouped) cmp = stats::compare_to_rest(counts, select(all_), test, ro);
      for (std::size_t i = 0; i < shown_.size(); ++i) {
        row_t row;
        row.reserve(t.columns.size());
        for (std::size_t d = 0; d < keys.size(); ++d) {
          if (!shown_[i].labels.empty()) {
            row.push_back(text(shown_[i].labels[d]));
          } else {
            row.push_back(text(d == 0 ? "other (" + std::to_string(pooled_) + " groups)" : std::string()));
          }
        }
        append_estimate(row, compute(*counts[i]), digits);
        if (grouped) {
          const auto& r = cmp[i];
          const auto& diff = r.vs_rest.difference;
          row.push_back(diff.has_value() ? real(diff.value(), digits) : cell{});
          row.push_back(text(stats::to_string(r.status)));
          row.push_back(real(r.vs_rest.p_value, -3));
          row.push_back(real(r.p_adjusted, -3));
          row.push_back(r.status == stats::rest_status::tested ? cell{r.significant, 4} : cell{});
        }
        t.rows.push_back(std::move(row));
      }
      if (grouped) {
        const double alpha = 1.0 - o_.level;
        t.notes.push_back("vs_rest: the group minus all other responses; p adjusted by " +
                          std::string(stats::to_string(o_.adjust)) + " across the tested groups; significant at "
                          "adjusted p < " + std::to_string(alpha).substr(0, 4));
        t.notes.push_back(test_note(test));
        t.notes.push_back("too_few: fewer than " + format_n(o_.min_n) + " responses (effective n when "
                          "weighted) in the group or the rest (--min-n)" +
                          (test == stats::rest_metric::share ? ", or an expected count below 5 (Cochran 1954)"
                                                             : std::string()) +
                          ": not tested, not in the adjustment");
      }
      if (pooled_ != 0) {
        t.notes.push_back("other (" + std::to_string(pooled_) + " groups): the groups beyond the " +
                          std::to_string(o_.max_groups) +
                          " with the most responses, pooled and tested as one group (--max-groups)");
      }
    }
    row_t row;
    for (std::size_t d = 0; d < keys.size(); ++d) row.push_back(text(d == 0 ? "(all)" : ""));
    append_estimate(row, compute(select(all_)), digits);
    if (grouped) row.insert(row.end(), 5, cell{});
    t.rows.push_back(std::move(row));
    t.notes.insert(t.notes.end(), extra_notes.begin(), extra_notes.end());
    return t;
  }

  // Rows read, accepted, rejected by cause, missing per field, and how a
  // CSV input was split (as `cxm`'s other commands show a read).
  summary_table ingest_table() const {
    summary_table t;
    t.name = "ingest";
    t.title = "Ingest";
    t.columns = {"item", "count"};
    const auto& in = s_.input();
    const auto& s = in.summary;
    const auto add = [&](std::string item, cell c) { t.rows.push_back({text(std::move(item)), std::move(c)}); };
    const auto count = [](std::uint64_t n) { return cell{n, 4}; };
    add("rows read", count(s.rows_read));
    add("accepted", count(s.accepted));
    add("rejected", count(s.rejected));
    for (const auto& [cause, n] : s.rejected_by_cause) {
      if (n) add("rejected: " + cause, count(n));
    }
    for (const auto& [field, n] : s.missing_by_field) {
      if (n) add("missing: " + field, count(n));
    }
    if (s.empty_lines) add("empty lines skipped", count(s.empty_lines));
    auto shown = [](char c) { return c == '\t' ? std::string("tab") : std::string(1, c); };
    if (in.delimiter != 0) {
      add("delimiter", text(shown(in.delimiter)));
      add("delimiter detected", cell{in.delimiter_detected, 4});
    }
    if (in.decimal_point != 0) {
      add("decimal point", text(shown(in.decimal_point)));
      add("decimal point detected", cell{in.decimal_point_detected, 4});
    }
    return t;
  }

  const summary_state& s_;
  const summary_table_options& o_;
  summary_group all_;
  std::vector<shown_group> shown_;  // in key order; the pooled rest last
  std::size_t group_count_ = 0;
  std::size_t pooled_ = 0;
};

}  // namespace

std::vector<summary_table> summary_tables(const summary_state& s, const summary_table_options& o,
                                          std::size_t* group_count) {
  table_builder b(s, o);
  if (group_count != nullptr) *group_count = b.group_count();
  return b.build();
}

}  // namespace cxm
