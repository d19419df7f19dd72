// The journey section of the report: its charts (the model's charts of
// report/html.hpp) and its HTML and Markdown (src/report/tables.hpp), both
// drawn from the same table values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cxmetrics/report/html.hpp"
#include "report/tables.hpp"

namespace cxm::inline v0_1::report {
namespace {

using detail::cell_interval;
using detail::cell_value;
using detail::table;

std::string esc(std::string_view s) { return xml_escape(s); }

std::string place_label(const journey_touchpoint& t) {
  return t.owner.empty() ? t.touchpoint : t.touchpoint + " (" + t.owner + ")";
}

std::string pct(double share) { return format_fixed(100.0 * share, 1) + "%"; }

estimate percent(const estimate& e) {
  if (!e.has_value()) return e;
  if (!e.has_interval()) return estimate::insufficient(100.0 * e.value(), e.n(), e.effective_n(), e.note());
  interval ci = *e.ci();
  ci.lower *= 100.0;
  ci.upper *= 100.0;
  return estimate(100.0 * e.value(), 100.0 * e.se(), ci, e.n(), e.effective_n());
}

std::string weights_text(const memory_weights& w) {
  std::string s;
  const auto part = [&](const char* name, double v) {
    if (v == 0.0) return;
    if (!s.empty()) s += ", ";
    s += std::string(name) + " " + format_fixed(v, 2);
  };
  part("peak", w.intense);
  part("trough", w.trough);
  part("best", w.best);
  part("end", w.end);
  part("mean", w.mean);
  return s;
}

const memory_model_fit* model_named(const memory_model_report& r, const std::string& name) {
  for (const auto& m : r.models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool has_cv(const memory_model_fit* m) { return m != nullptr && m->fitted && m->cross_validated; }

// ---------------------------------------------------------------------------
// Tables

table summary_table(const journey_section& j, double level) {
  table t;
  t.caption = "Remembered score and plain mean (experience scale -1 to 1)";
  t.header = {"", "value", format_level(level) + "% interval", "n"};
  t.numeric = {false, true, true, true};
  const auto count_row = [&](const std::string& name, std::uint64_t n) {
    t.rows.push_back({name, std::to_string(n), "", ""});
  };
  count_row("journeys with events", j.journeys);
  count_row("events", j.events);
  count_row("journeys with an outcome", j.with_outcome);
  count_row("of them detractors (outcome 0-" + std::to_string(j.detractor_max) + ")", j.detractors);
  const auto est_row = [&](const std::string& name, const estimate& e, int d) {
    t.rows.push_back({name, cell_value(e, d), cell_interval(e, d), std::to_string(e.n())});
  };
  est_row("mean remembered score (" + weights_text(j.weights) + ")", j.summary.remembered, 3);
  est_row("mean of the journeys' plain means", j.summary.mean, 3);
  est_row("remembered and plain mean differ in sign (%)", percent(j.summary.disagreement), 1);
  t.row_class.assign(t.rows.size(), std::string());
  return t;
}

table map_table(const journey_section& j, double level) {
  table t;
  t.header = {j.row_label, j.column_label, "events", "mean experience", format_level(level) + "% interval", "thin"};
  t.numeric = {false, false, true, true, true, false};
  for (std::size_t i = 0; i < j.channels.size(); ++i) {
    for (std::size_t k = 0; k < j.stages.size(); ++k) {
      const estimate& e = j.cells.at(i * j.stages.size() + k);
      const bool empty = e.n() == 0;
      const bool thin = !empty && e.n() < j.thin_below;
      t.rows.push_back({j.channels[i], j.stages[k], std::to_string(e.n()), empty ? "no events" : cell_value(e, 3),
                        empty ? "" : cell_interval(e, 3), thin ? "yes" : ""});
      t.row_class.emplace_back(empty ? "empty" : thin ? "thin" : "");
    }
  }
  return t;
}

// A ratio with its interval in one cell: "1.94 [1.40, 2.26]".
std::string with_interval(const estimate& e, int d) {
  if (!e.has_value()) return cell_value(e, d);
  return e.has_interval() ? cell_value(e, d) + " " + cell_interval(e, d) : cell_value(e, d);
}

table touchpoint_table(const journey_section& j, double level) {
  const std::string lvl = " (" + format_level(level) + "% interval)";
  table t;
  t.header = {"touchpoint", "owner", "events", "own score", "worst in detractors", "share", "base rate",
              "peak lift" + lvl, "end lift" + lvl, "outcome when worst"};
  t.numeric = {false, false, true, true, true, true, true, true, true, true};
  for (const auto& p : j.touchpoints) {
    const touchpoint_row& r = p.impact;
    t.rows.push_back({p.touchpoint, p.owner, std::to_string(r.events), cell_value(r.score, 3),
                      std::to_string(r.peak.detractors), r.peak.share.has_value() ? pct(r.peak.share.value()) : "-",
                      pct(r.peak.base), with_interval(r.peak.lift, 2), with_interval(r.end.lift, 2),
                      cell_value(r.outcome_when_peak, 2)});
    const bool hurts = r.peak.lift.has_interval() && r.peak.lift.ci()->lower > 1.0;
    t.row_class.emplace_back(hurts ? "sig" : "");
  }
  return t;
}

std::string terms_text(const memory_model_fit& m) {
  std::string s;
  for (const auto& term : m.terms) {
    if (!s.empty()) s += "; ";
    s += term.name + " " + cell_value(term.coef, 2);
    if (term.coef.has_interval()) s += " " + cell_interval(term.coef, 2);
  }
  return s;
}

table model_table(const journey_section& j) {
  table t;
  t.header = {"model", "R\xC2\xB2", "RMSE", "CV RMSE", "best", "weights (intercept first)"};
  t.numeric = {false, true, true, true, false, false};
  for (const auto& m : j.models.models) {
    const bool best = m.name == j.models.best;
    t.rows.push_back({m.name, m.fitted ? format_fixed(m.r2, 3) : "-", m.fitted ? format_fixed(m.rmse, 3) : "-",
                      has_cv(&m) ? format_fixed(m.cv_rmse, 3) : "-", best ? "yes" : "",
                      m.fitted ? terms_text(m) : "not fitted: " + m.note});
    t.row_class.emplace_back(best ? "sig" : "");
  }
  return t;
}

// One sentence: does peak-end beat the plain mean out of sample?
std::string verdict(const journey_section& j) {
  const memory_model_fit* pe = model_named(j.models, "peak_end");
  const memory_model_fit* mean = model_named(j.models, "mean");
  if (!has_cv(pe) || !has_cv(mean)) {
    return "Peak-end and the plain mean cannot both be cross-validated on these journeys (" +
           std::to_string(j.models.n) + " with an outcome).";
  }
  const std::string a = format_fixed(pe->cv_rmse, 3);
  const std::string b = format_fixed(mean->cv_rmse, 3);
  std::string s = pe->cv_rmse < mean->cv_rmse   ? "Peak-end (1/2, 1/2) predicts the outcome better than the plain mean"
                  : pe->cv_rmse > mean->cv_rmse ? "The plain mean predicts the outcome better than peak-end (1/2, 1/2)"
                                                : "Peak-end (1/2, 1/2) and the plain mean predict the outcome equally well";
  s += " out of sample: 10-fold cross-validated RMSE " + a + " against " + b + " (" + std::to_string(j.models.n) +
       " journeys with an outcome).";
  if (!j.models.best.empty()) s += " Lowest CV RMSE: " + j.models.best + ".";
  return s;
}

std::string touchpoints_note(const journey_section& j) {
  std::string s = "Lift: the share of detractors' journeys (outcome 0-" + std::to_string(j.detractor_max) +
                  ") whose worst moment (below 0) or end is at the touchpoint, over that share among all journeys "
                  "with an outcome; intervals by the delta method on the log scale. Share: of detractors' journeys "
                  "whose worst moment is there; base rate: of all journeys with an outcome. Highlighted: a "
                  "negative-peak lift whose interval lies above 1.";
  if (j.touchpoints.size() < j.touchpoints_total) {
    s += " Showing " + std::to_string(j.touchpoints.size()) + " of " + std::to_string(j.touchpoints_total) +
         " touchpoints: those with the highest negative-peak lift.";
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------
// Charts

heat_grid_chart journey_map_chart(const journey_section& j, double level) {
  heat_grid_chart c;
  c.id = j.id + "-map";
  c.title = "Journey map: mean experience by " + j.row_label + " and " + j.column_label;
  c.row_label = j.row_label;
  c.column_label = j.column_label;
  c.metric = "mean experience";
  c.decimals = 2;
  c.level = level;
  c.thin_below = j.thin_below;
  c.rows = j.channels;
  c.columns = j.stages;
  for (const auto& e : j.cells) {
    heat_cell h;
    h.n = e.n();
    if (e.has_value()) h.value = e.value();
    if (e.has_interval()) {
      h.lower = e.ci()->lower;
      h.upper = e.ci()->upper;
    }
    c.cells.push_back(h);
  }
  return c;
}

ratio_chart touchpoint_chart(const journey_section& j, double level) {
  ratio_chart c;
  c.id = j.id + "-touchpoints";
  c.title = "Touchpoint impact: lift over the base rate among detractors' journeys";
  c.series = {"negative peak", "end"};
  c.level = level;
  const auto value_of = [&](const touchpoint_side& s, const char* what) {
    ratio_value v;
    if (s.lift.has_value()) v.value = s.lift.value();
    if (s.lift.has_interval()) {
      v.lower = s.lift.ci()->lower;
      v.upper = s.lift.ci()->upper;
    }
    v.n = s.journeys;
    v.detail = std::string(what) + " in " + std::to_string(s.detractors) + " of " + std::to_string(j.detractors) +
               " detractor journeys" + (s.share.has_value() ? " (" + pct(s.share.value()) + ")" : std::string()) +
               ", base rate " + pct(s.base);
    return v;
  };
  for (const auto& t : j.touchpoints) {
    ratio_row r;
    r.label = place_label(t);
    r.values = {value_of(t.impact.peak, "negative peak"), value_of(t.impact.end, "end")};
    c.rows.push_back(std::move(r));
  }
  return c;
}

model_error_chart memory_model_chart(const journey_section& j) {
  model_error_chart c;
  c.id = j.id + "-models";
  c.title = "Memory models: 10-fold cross-validated RMSE of the outcome";
  c.axis_label = "cross-validated RMSE (outcome points)";
  c.decimals = 2;
  c.n = j.models.n;
  for (const auto& m : j.models.models) {
    model_error_row r;
    r.label = m.name;
    if (has_cv(&m)) r.error = m.cv_rmse;
    if (m.fitted) r.detail = "RMSE " + format_fixed(m.rmse, 3) + ", R\xC2\xB2 " + format_fixed(m.r2, 3);
    r.best = m.name == j.models.best;
    r.note = m.note.empty() ? (m.fitted ? "no cross-validation" : "not fitted") : m.note;
    c.rows.push_back(std::move(r));
  }
  return c;
}

// ---------------------------------------------------------------------------
// Writers

namespace detail {

void journey_html(std::string& out, const journey_section& j, double level) {
  open_html_section(out, j.id, j.title, j.method);
  write_html_table(out, summary_table(j, level));

  out += "<h3>Journey map</h3>\n<figure>\n" + render_heat_grid(journey_map_chart(j, level)) + "</figure>\n";
  out += "<details><summary>Table</summary>\n";
  write_html_table(out, map_table(j, level));
  out += "</details>\n";

  out += "<h3>Touchpoints</h3>\n";
  if (!j.touchpoints.empty()) out += "<figure>\n" + render_ratio_bars(touchpoint_chart(j, level)) + "</figure>\n";
  write_html_table(out, touchpoint_table(j, level));
  out += "<p class=\"note\">" + esc(touchpoints_note(j)) + "</p>\n";

  out += "<h3>Memory models: does peak-end beat the mean?</h3>\n";
  out += "<figure>\n" + render_model_errors(memory_model_chart(j)) + "</figure>\n";
  write_html_table(out, model_table(j));
  out += "<p class=\"note\">" + esc(verdict(j)) + "</p>\n";
  for (const auto& n : j.notes) out += "<p class=\"note\">" + esc(n) + "</p>\n";
  out += "</section>\n";
}

void journey_markdown(std::string& out, const journey_section& j, double level) {
  out += "## " + md_text(j.title) + "\n\n";
  if (!j.method.empty()) out += md_text(j.method) + ".\n\n";
  write_md_table(out, summary_table(j, level));
  out += "### Journey map\n\n";
  write_md_table(out, map_table(j, level));
  out += "### Touchpoints\n\n";
  write_md_table(out, touchpoint_table(j, level));
  out += md_text(touchpoints_note(j)) + "\n\n";
  out += "### Memory models: does peak-end beat the mean?\n\n";
  write_md_table(out, model_table(j));
  out += md_text(verdict(j)) + "\n\n";
  for (const auto& n : j.notes) out += md_text(n) + "\n\n";
}

}  // namespace detail
}  // namespace cxm::report
