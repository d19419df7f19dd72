// `cxm drivers FILE --outcome FIELD --drivers a,b,c`: key-driver analysis
// (drivers/key_drivers.hpp). The outcome and the drivers are fields of the
// read: the predefined scores (nps, csat, ces) or fields declared with
// --field NAME:KIND[:SCALE] (score or numeric) or a mapping's "fields".
//
// The file is streamed into one drivers::moments state (bounded memory);
// with --bootstrap B the rows are also kept, 8·(k + 1) bytes each, and
// resampled B times with --seed.
//
// Tables: "drivers", one row per driver with every measure (or those of
// --method), the bootstrap's percentile intervals (<measure>_lower,
// <measure>_upper), and importance × performance: the driver's mean (t
// interval), its top-box share (Wilson) when it is a score, and its
// quadrant (importance: LMG, or the --method measure; performance: the
// top-box share; each split at its median over the drivers, at or above
// the median high; no quadrant when a driver is numeric); "model", one row
// with R², n, the rows seen and the rows each missing-value policy drops;
// then the ingest table. JSON also carries "r2", "n" and "warnings".
//
// Survey weights are not used (each row counts once); when the file has
// them, a note says so.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cxmetrics/drivers/driver_input.hpp"
#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1::cli {
namespace {

struct drivers_args {
  input_args input;
  std::string outcome;
  std::vector<std::string> drivers;
  std::string method = "all";
  std::string missing = "listwise";
  std::uint64_t bootstrap = 0;
  std::uint64_t seed = 0;
  double level = 0.95;
};

// The measures a --method shows.
struct shown {
  bool beta = true, first = true, last = true, pratt = true, lmg = true, relweight = true;
};

shown shown_of(const std::string& method) {
  if (method == "all") return {};
  shown s{false, false, false, false, false, false};
  if (method == "beta") s.beta = true;
  else if (method == "first") s.first = true;
  else if (method == "last") s.last = true;
  else if (method == "pratt") s.pratt = true;
  else if (method == "lmg") s.lmg = true;
  else if (method == "relweight") s.relweight = true;
  else throw failure(usage, "--method " + quote_value(method) + " is not all, lmg, relweight, pratt, first, last or beta");
  return s;
}

// The importance the quadrants use: LMG for all, else the measure shown
// (|beta| for beta).
double importance_of(const drivers::driver_importance& d, const std::string& method) {
  if (method == "beta") return std::abs(d.beta_std);
  if (method == "first") return d.first_r2;
  if (method == "last") return d.last_r2;
  if (method == "pratt") return d.pratt;
  if (method == "relweight") return d.relweight;
  return d.lmg;
}

void run_drivers(drivers_args& a, const context& ctx) {
  const shown show = shown_of(a.method);
  drivers::missing_policy policy = drivers::missing_policy::listwise;
  if (a.missing == "pairwise") {
    policy = drivers::missing_policy::pairwise;
  } else if (a.missing != "listwise") {
    throw failure(usage, "--missing " + quote_value(a.missing) + " is not listwise or pairwise");
  }
  if (a.drivers.empty()) throw failure(usage, "--drivers names no field");
  if (a.bootstrap == 1) throw failure(usage, "--bootstrap needs at least 2 resamples (0: none)");
  check_level(a.level);
  // A predefined field named as outcome or driver must have its column.
  {
    const schema s = schema_of(make_ingest_options(a.input));
    std::vector<std::string> named = a.drivers;
    named.push_back(a.outcome);
    for (const auto& n : named) {
      const auto id = s.find(n);
      if (id && id->predefined()) a.input.required.push_back(static_cast<response_field>(id->value));
    }
  }
  const auto options = make_ingest_options(a.input);
  drivers::driver_input in(schema_of(options), a.outcome, a.drivers, policy);
  in.keep_rows(a.bootstrap > 0);
  bool weighted = false;
  const auto report = read_input(a.input, ctx, [&](const response_batch& b) {
    weighted = weighted || b.weighted();
    in.add(b);
  });

  drivers::driver_options o;
  o.level = a.level;
  o.lmg = show.lmg;
  const auto result = drivers::analyse_drivers(in.state(), in.outcome(), in.drivers(), o);
  std::optional<drivers::driver_bootstrap> boot;
  if (a.bootstrap > 0) {
    drivers::bootstrap_options bo;
    bo.replicates = static_cast<std::size_t>(a.bootstrap);
    bo.seed = a.seed;
    boot = drivers::bootstrap_drivers(in.rows(), a.drivers.size(), policy, o, bo);
  }
  const std::size_t k = result.drivers.size();

  // Importance × performance: quadrants when every driver is a score.
  bool all_scores = true;
  for (std::size_t j = 0; j < k; ++j) all_scores = all_scores && in.scale_of(j).has_value();
  stats::proportion_options po;
  po.level = a.level;
  std::vector<std::optional<estimate>> top(k);
  std::vector<double> importance(k), performance(k);
  for (std::size_t j = 0; j < k; ++j) {
    top[j] = in.top_box(j, po);
    importance[j] = importance_of(result.drivers[j], a.method);
    performance[j] = top[j] && top[j]->has_value() ? top[j]->value() : 0.0;
    if (top[j] && !top[j]->has_value()) all_scores = false;
  }
  std::vector<drivers::quadrant> quadrant;
  if (all_scores) quadrant = drivers::quadrants(importance, performance);

  std::vector<std::string> columns{"driver"};
  struct measure {
    const char* name;
    bool on;
    double drivers::driver_importance::*value;
    interval drivers::driver_intervals::*ci;
  };
  const measure measures[] = {
      {"beta_std", show.beta, &drivers::driver_importance::beta_std, &drivers::driver_intervals::beta_std},
      {"first_r2", show.first, &drivers::driver_importance::first_r2, &drivers::driver_intervals::first_r2},
      {"last_r2", show.last, &drivers::driver_importance::last_r2, &drivers::driver_intervals::last_r2},
      {"pratt", show.pratt, &drivers::driver_importance::pratt, &drivers::driver_intervals::pratt},
      {"lmg", show.lmg, &drivers::driver_importance::lmg, &drivers::driver_intervals::lmg},
      {"relweight", show.relweight, &drivers::driver_importance::relweight, &drivers::driver_intervals::relweight},
  };
  for (const auto& m : measures) {
    if (!m.on) continue;
    columns.emplace_back(m.name);
    if (boot) {
      columns.push_back(std::string(m.name) + "_lower");
      columns.push_back(std::string(m.name) + "_upper");
    }
    if (m.value == &drivers::driver_importance::beta_std) {
      for (const char* c : {"beta_se", "beta_t_lower", "beta_t_upper", "vif"}) columns.emplace_back(c);
    }
  }
  for (const char* c : {"mean", "mean_lower", "mean_upper", "top_box", "top_box_lower", "top_box_upper", "quadrant"}) {
    columns.emplace_back(c);
  }

  table_writer w(ctx);
  w.begin("drivers",
          "Key drivers of " + in.outcome() + " (R² = " + std::to_string(result.r2).substr(0, 6) + ", n = " +
              std::to_string(result.n) + ", " + drivers::to_string(policy) + ")",
          columns);
  for (std::size_t j = 0; j < k; ++j) {
    const auto& d = result.drivers[j];
    std::vector<cell> row{cell(d.name)};
    for (const auto& m : measures) {
      if (!m.on) continue;
      row.push_back(cell::real(d.*(m.value), 4));
      if (boot) {
        const interval& ci = boot->drivers[j].*(m.ci);
        row.push_back(cell::real(ci.lower, 4));
        row.push_back(cell::real(ci.upper, 4));
      }
      if (m.value == &drivers::driver_importance::beta_std) {
        row.push_back(cell::real(d.beta_se, 4));
        row.push_back(cell::real(d.beta_ci.lower, 4));
        row.push_back(cell::real(d.beta_ci.upper, 4));
        row.push_back(cell::real(d.vif, 3));
      }
    }
    const estimate mean = in.mean(j, a.level);
    row.push_back(mean.has_value() ? cell::real(mean.value(), 3) : cell{});
    row.push_back(mean.ok() ? cell::real(mean.ci()->lower, 3) : cell{});
    row.push_back(mean.ok() ? cell::real(mean.ci()->upper, 3) : cell{});
    const auto& t = top[j];
    row.push_back(t && t->has_value() ? cell::real(t->value(), 4) : cell{});
    row.push_back(t && t->ok() ? cell::real(t->ci()->lower, 4) : cell{});
    row.push_back(t && t->ok() ? cell::real(t->ci()->upper, 4) : cell{});
    row.push_back(quadrant.empty() ? cell{} : cell(std::string(drivers::to_string(quadrant[j]))));
    w.row(row);
  }
  std::vector<std::string> notes;
  notes.push_back(
      "first_r2: r² alone; last_r2: R² lost without the driver; pratt: beta·r; lmg: Shapley value of R² over "
      "all orders; relweight: Johnson (2000); pratt, lmg and relweight sum to R²");
  if (boot) {
    notes.push_back("_lower/_upper: percentile intervals of " + std::to_string(boot->replicates) +
                    " bootstrap resamples of the rows, seed " + std::to_string(a.seed) +
                    (boot->failed ? " (" + std::to_string(boot->failed) + " degenerate resamples skipped)" : ""));
  }
  if (all_scores) {
    notes.push_back(std::string("quadrant: importance (") + (a.method == "all" ? "lmg" : a.method) +
                    ") and top-box share split at their medians over the drivers, at or above the median high: "
                    "fix_first = high importance, low performance; keep_up = high, high; possible_overkill = "
                    "low, high; low_priority = low, low");
  } else {
    notes.push_back("quadrant: none, as a driver is numeric (no top box to measure performance by)");
  }
  if (weighted) notes.push_back("weights: the file's weights are not used; every row counts once");
  for (const auto& x : result.warnings) notes.push_back("warning: " + x);
  w.end(notes);

  std::vector<std::string> model_columns{"outcome", "r2"};
  if (boot) {
    model_columns.emplace_back("r2_lower");
    model_columns.emplace_back("r2_upper");
  }
  for (const char* c : {"n", "missing", "rows", "dropped_listwise", "dropped_pairwise"}) model_columns.emplace_back(c);
  w.begin("model", "Model", model_columns);
  std::vector<cell> mrow{cell(in.outcome()), cell::real(result.r2, 4)};
  if (boot) {
    mrow.push_back(cell::real(boot->r2.lower, 4));
    mrow.push_back(cell::real(boot->r2.upper, 4));
  }
  mrow.emplace_back(result.n);
  mrow.emplace_back(std::string(drivers::to_string(policy)));
  mrow.emplace_back(result.rows);
  mrow.emplace_back(result.dropped_listwise);
  mrow.emplace_back(result.dropped_pairwise);
  w.row(mrow);
  w.end({"n: rows analysed (pairwise: the pair with the fewest); dropped_listwise: rows with a value missing; "
         "dropped_pairwise: rows with fewer than two values"});
  w.write(ingest_table(report));

  nlohmann::json extra = nlohmann::json::object();
  extra["file"] = a.input.file;
  extra["outcome"] = in.outcome();
  extra["r2"] = result.r2;
  extra["n"] = result.n;
  extra["level"] = a.level;
  extra["missing"] = drivers::to_string(policy);
  extra["method"] = a.method;
  extra["bootstrap"] = a.bootstrap;
  if (a.bootstrap > 0) {
    extra["seed"] = a.seed;
    extra["r2_lower"] = boot->r2.lower;
    extra["r2_upper"] = boot->r2.upper;
  }
  extra["warnings"] = result.warnings;
  extra["weights_used"] = false;
  w.finish(extra);
}

}  // namespace

void register_drivers(CLI::App& app, context& ctx) {
  auto args = std::make_shared<drivers_args>();
  auto* sub = app.add_subcommand("drivers", "Key-driver analysis: which fields move the outcome (LMG, relative "
                                            "weights, Pratt, first/last R², beta), with importance × performance");
  add_input_flags(*sub, args->input);
  sub->add_option("--outcome", args->outcome, "The outcome: nps, csat, ces or a declared score or numeric field")
      ->required();
  sub->add_option("--drivers", args->drivers, "The drivers (comma-separated): declared score or numeric fields")
      ->delimiter(',')
      ->required();
  sub->add_option("--method", args->method, "all (default), lmg, relweight, pratt, first, last or beta");
  sub->add_option("--missing", args->missing,
                  "listwise (default: rows with every value) or pairwise (each correlation from its own rows)");
  sub->add_option("--bootstrap", args->bootstrap, "Bootstrap resamples for percentile intervals (0: none)")
      ->transform(count_arg(0, 1000000));
  sub->add_option("--seed", args->seed, "Seed of the bootstrap (default 0)")->transform(count_arg());
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  add_common_flags(*sub, ctx);
  sub->callback([args, &ctx] { run_drivers(*args, ctx); });
}

}  // namespace cxm::cli
