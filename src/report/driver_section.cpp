// The key-driver section of the report: built from a table
// (include/cxmetrics/report/driver_section.hpp), its chart, and its HTML and
// Markdown (src/report/driver_tables.hpp), drawn from the same table values.
#include "cxmetrics/report/driver_section.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/drivers/driver_input.hpp"
#include "cxmetrics/report/svg_primitives.hpp"
#include "report/driver_tables.hpp"
#include "report/tables.hpp"

namespace cxm::inline v0_1::report {
namespace {

using detail::cell_interval;
using detail::cell_value;
using detail::table;

std::string esc(std::string_view s) { return xml_escape(s); }

std::string scale_text(const std::optional<scale>& s) {
  if (!s) return "numeric";
  return std::to_string(s->min()) + "-" + std::to_string(s->max());
}

// "0.123 [0.100, 0.150]", or "0.123" without an interval.
std::string value_ci(double v, const interval* ci, int d) {
  std::string s = format_fixed(v, d);
  if (ci != nullptr && std::isfinite(ci->lower) && std::isfinite(ci->upper)) {
    s += " [" + format_fixed(ci->lower, d) + ", " + format_fixed(ci->upper, d) + "]";
  }
  return s;
}

// An estimate with its interval in one cell: "3.71 [3.66, 3.76]".
std::string estimate_ci(const estimate& e, int d) {
  if (!e.has_value() || !e.has_interval()) return cell_value(e, d);
  return cell_value(e, d) + " " + cell_interval(e, d);
}

estimate percent(const estimate& e) {
  if (!e.has_value()) return e;
  if (!e.has_interval()) return estimate::insufficient(100.0 * e.value(), e.n(), e.effective_n(), e.note());
  interval ci = *e.ci();
  ci.lower *= 100.0;
  ci.upper *= 100.0;
  return estimate(100.0 * e.value(), 100.0 * e.se(), ci, e.n(), e.effective_n());
}

// ---------------------------------------------------------------------------
// Tables

table importance_table(const driver_section& s, double level) {
  const auto& a = s.analysis;
  const bool boot = s.boot.has_value();
  const std::string lvl = format_level(level);
  table t;
  t.caption = "Importance: shares of R\xC2\xB2 = " + format_fixed(a.r2, 3) +
              (boot ? " (" + lvl + "% bootstrap intervals)" : std::string());
  t.header = {"driver", "LMG", "relative weight", "Pratt"};
  t.numeric = {false, true, true, true};
  double sum_lmg = 0.0, sum_rw = 0.0, sum_pratt = 0.0;
  for (std::size_t j = 0; j < a.drivers.size(); ++j) {
    const auto& d = a.drivers[j];
    const drivers::driver_intervals* ci = boot ? &s.boot->drivers.at(j) : nullptr;
    t.rows.push_back({d.name, value_ci(d.lmg, ci ? &ci->lmg : nullptr, 3),
                      value_ci(d.relweight, ci ? &ci->relweight : nullptr, 3),
                      value_ci(d.pratt, ci ? &ci->pratt : nullptr, 3)});
    t.row_class.emplace_back("");
    sum_lmg += d.lmg;
    sum_rw += d.relweight;
    sum_pratt += d.pratt;
  }
  t.rows.push_back({"sum (R\xC2\xB2 " + value_ci(a.r2, boot ? &s.boot->r2 : nullptr, 3) + ")",
                    format_fixed(sum_lmg, 3), format_fixed(sum_rw, 3), format_fixed(sum_pratt, 3)});
  t.row_class.emplace_back("total");
  return t;
}

// The measures that do not split R²: alone, last, the coefficient, VIF.
table other_measures_table(const driver_section& s, double level) {
  const auto& a = s.analysis;
  const bool boot = s.boot.has_value();
  const std::string lvl = format_level(level);
  table t;
  t.caption = "Other measures: R\xC2\xB2 alone and lost without the driver" +
              (boot ? " (" + lvl + "% bootstrap intervals)" : std::string()) +
              ", standardised coefficient (" + lvl + "% t interval), variance inflation";
  t.header = {"driver", "first R\xC2\xB2", "last R\xC2\xB2", "beta (std.)", "VIF"};
  t.numeric = {false, true, true, true, true};
  for (std::size_t j = 0; j < a.drivers.size(); ++j) {
    const auto& d = a.drivers[j];
    const drivers::driver_intervals* ci = boot ? &s.boot->drivers.at(j) : nullptr;
    t.rows.push_back({d.name, value_ci(d.first_r2, ci ? &ci->first_r2 : nullptr, 3),
                      value_ci(d.last_r2, ci ? &ci->last_r2 : nullptr, 3), value_ci(d.beta_std, &d.beta_ci, 3),
                      format_fixed(d.vif, 2)});
    t.row_class.emplace_back(d.vif > 10.0 ? "sig" : "");
  }
  return t;
}

table performance_table(const driver_section& s, double level) {
  const std::string lvl = format_level(level);
  table t;
  t.caption = "Performance over the rows analysed, and the quadrant of each driver";
  t.header = {"driver", "scale", "n", "mean [" + lvl + "% t interval]", "top box % [" + lvl + "% Wilson interval]",
              "quadrant"};
  t.numeric = {false, false, true, true, true, false};
  for (std::size_t j = 0; j < s.performance.size(); ++j) {
    const auto& p = s.performance[j];
    t.rows.push_back({s.analysis.drivers[j].name, p.scale, std::to_string(p.mean.n()), estimate_ci(p.mean, 2),
                      p.top_box ? estimate_ci(percent(*p.top_box), 1) : "-",
                      p.quadrant ? quadrant_name(*p.quadrant) : "-"});
    t.row_class.emplace_back(p.quadrant && *p.quadrant == drivers::quadrant::fix_first ? "sig" : "");
  }
  return t;
}

table model_table(const driver_section& s) {
  const auto& a = s.analysis;
  table t;
  t.caption = "Model";
  t.header = {"outcome", "R\xC2\xB2", "n", "missing values", "rows", "dropped listwise", "dropped pairwise"};
  t.numeric = {false, true, true, false, true, true, true};
  t.rows.push_back({a.outcome, value_ci(a.r2, s.boot ? &s.boot->r2 : nullptr, 3), std::to_string(a.n),
                    drivers::to_string(a.policy), std::to_string(a.rows), std::to_string(a.dropped_listwise),
                    std::to_string(a.dropped_pairwise)});
  t.row_class.emplace_back("");
  return t;
}

std::string rows_note(const driver_section& s) {
  const auto& a = s.analysis;
  return "n: rows analysed (" +
         std::string(a.policy == drivers::missing_policy::listwise ? "listwise: the rows with every value"
                                                                   : "pairwise: the pair with the fewest rows") +
         "); dropped listwise: rows with a value missing (" + std::to_string(a.dropped_listwise) + " of " +
         std::to_string(a.rows) + "); dropped pairwise: rows with fewer than two values (" +
         std::to_string(a.dropped_pairwise) + ").";
}

bool has_chart(const driver_section& s) {
  for (const auto& p : s.performance) {
    if (!p.quadrant) return false;
  }
  return !s.performance.empty();
}

}  // namespace

// ---------------------------------------------------------------------------
// Building

driver_section build_driver_section(const response_table& t, const driver_report_options& o, double level,
                                    bool weighted) {
  check_level(level);
  if (o.drivers.empty()) throw invalid_argument("a driver section needs at least one driver", at_field("drivers"));
  if (o.bootstrap == 1) {
    throw invalid_argument("a bootstrap needs at least 2 resamples (0: none)", at_field("bootstrap"));
  }
  drivers::driver_input in(t.schema(), o.outcome, o.drivers, o.missing);
  in.keep_rows(o.bootstrap > 0);
  in.add(t);
  drivers::driver_options dopt;
  dopt.level = level;

  driver_section s;
  s.analysis = drivers::analyse_drivers(in.state(), in.outcome(), in.drivers(), dopt);
  s.seed = o.seed;
  if (o.bootstrap > 0) {
    drivers::bootstrap_options bo;
    bo.replicates = o.bootstrap;
    bo.seed = o.seed;
    s.boot = drivers::bootstrap_drivers(in.rows(), o.drivers.size(), o.missing, dopt, bo);
  }
  const std::size_t k = s.analysis.drivers.size();
  stats::proportion_options po;
  po.level = level;
  bool all_scores = true;
  std::vector<double> importance(k), performance(k);
  for (std::size_t j = 0; j < k; ++j) {
    driver_performance p;
    p.scale = scale_text(in.scale_of(j));
    p.mean = in.mean(j, level);
    p.top_box = in.top_box(j, po);
    all_scores = all_scores && p.top_box && p.top_box->has_value();
    importance[j] = s.analysis.drivers[j].lmg;
    performance[j] = p.top_box && p.top_box->has_value() ? p.top_box->value() : 0.0;
    s.performance.push_back(std::move(p));
  }
  if (all_scores) {
    const auto q = drivers::quadrants(importance, performance);
    for (std::size_t j = 0; j < k; ++j) s.performance[j].quadrant = q[j];
  }

  const std::string lvl = format_level(level);
  s.title = "Key drivers of " + s.analysis.outcome;
  s.method = "Standardised least squares of " + s.analysis.outcome + " on " + std::to_string(k) + " driver" +
             (k == 1 ? "" : "s") + " (" + drivers::to_string(o.missing) +
             " missing values); importances: LMG (the Shapley value of R\xC2\xB2 over all orders of the drivers), "
             "Johnson's relative weights, Pratt's beta times r, first and last R\xC2\xB2; " +
             (s.boot ? "intervals: percentiles of " + std::to_string(o.bootstrap) +
                           " bootstrap resamples of the rows, seed " + std::to_string(o.seed)
                     : std::string("no bootstrap intervals (cxm report --bootstrap B)")) +
             "; performance: the top-box share with its " + lvl + "% Wilson interval";
  if (all_scores) {
    s.notes.push_back(
        "Quadrants: LMG and the top-box share, each split at its median over the drivers (at or above the median "
        "is high): fix first = high importance, low performance; keep up = high, high; possible overkill = low "
        "importance, high performance; low priority = low, low.");
  } else {
    s.notes.push_back("No quadrants or chart: a driver is numeric, so it has no top box to measure performance by.");
  }
  if (s.boot && s.boot->failed > 0) {
    s.notes.push_back(std::to_string(s.boot->failed) + " of " + std::to_string(s.boot->replicates) +
                      " bootstrap resamples were degenerate and skipped.");
  }
  if (weighted) s.notes.push_back("Survey weights are not used in the driver analysis: every row counts once.");
  for (const auto& w : s.analysis.warnings) s.notes.push_back("Warning: " + w + ".");
  return s;
}

importance_performance_chart driver_chart(const driver_section& s, double level) {
  importance_performance_chart c;
  c.id = s.id + "-importance-performance";
  c.title = "Importance \xC3\x97 performance: drivers of " + s.analysis.outcome;
  c.level = level;
  if (!has_chart(s)) return c;
  for (std::size_t j = 0; j < s.performance.size(); ++j) {
    const auto& d = s.analysis.drivers[j];
    const auto& p = s.performance[j];
    driver_point pt;
    pt.label = d.name;
    pt.importance = d.lmg;
    if (s.boot) {
      pt.importance_lower = s.boot->drivers.at(j).lmg.lower;
      pt.importance_upper = s.boot->drivers.at(j).lmg.upper;
    }
    const estimate top = percent(*p.top_box);
    pt.performance = top.value();
    if (top.has_interval()) {
      pt.performance_lower = top.ci()->lower;
      pt.performance_upper = top.ci()->upper;
    }
    pt.n = top.n();
    pt.detail = "mean " + cell_value(p.mean, 2) + " on " + p.scale;
    c.points.push_back(std::move(pt));
  }
  return c;
}

// ---------------------------------------------------------------------------
// Writers

namespace detail {

void driver_html(std::string& out, const driver_section& s, double level) {
  open_html_section(out, s.id, s.title, s.method);
  write_html_table(out, model_table(s));
  out += "<p class=\"note\">" + esc(rows_note(s)) + "</p>\n";
  if (has_chart(s)) {
    out += "<h3>Importance \xC3\x97 performance</h3>\n<figure>\n" +
           render_importance_performance(driver_chart(s, level)) + "</figure>\n";
  }
  write_html_table(out, importance_table(s, level));
  write_html_table(out, performance_table(s, level));
  write_html_table(out, other_measures_table(s, level));
  for (const auto& n : s.notes) out += "<p class=\"note\">" + esc(n) + "</p>\n";
  out += "</section>\n";
}

void driver_markdown(std::string& out, const driver_section& s, double level) {
  out += "## " + md_text(s.title) + "\n\n";
  if (!s.method.empty()) out += md_text(s.method) + ".\n\n";
  write_md_table(out, model_table(s));
  out += md_text(rows_note(s)) + "\n\n";
  write_md_table(out, importance_table(s, level));
  write_md_table(out, performance_table(s, level));
  write_md_table(out, other_measures_table(s, level));
  for (const auto& n : s.notes) out += md_text(n) + "\n\n";
}

}  // namespace detail
}  // namespace cxm::report
