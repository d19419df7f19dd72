// Which of the six elements of B2B experience move likelihood to recommend?
// A key-driver analysis of the bundled B2B survey (examples/data/drivers.csv,
// written by generate_driver_data.cpp from known true weights): every
// importance measure with seeded bootstrap intervals, each element's
// performance (top-box share) and quadrant, and the importance × performance
// chart as SVG.
//
//   driver_analysis [drivers.csv] [chart.svg]     (defaults: the bundled file, drivers.svg)
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "cxmetrics/drivers/driver_input.hpp"
#include "cxmetrics/drivers/key_drivers.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/report/driver_charts.hpp"

#ifndef CXMETRICS_EXAMPLE_DATA
#define CXMETRICS_EXAMPLE_DATA "examples/data"
#endif

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : CXMETRICS_EXAMPLE_DATA "/drivers.csv";
  const std::string svg = argc > 2 ? argv[2] : "drivers.svg";
  const std::vector<std::string> elements{"commitment",     "fulfilment",  "seamlessness",
                                          "responsiveness", "proactivity", "evolution"};
  try {
    // The six ratings are declared score fields on 1-5 (top box 4-5).
    cxm::ingest_options o;
    cxm::schema_builder fields;
    for (const auto& e : elements) fields.score(e, cxm::scale::custom(1, 5, 4, 2));
    o.schema = std::move(fields).build();
    const auto data = cxm::read_responses(file, o);

    // One pass into the sufficient statistics (rows kept for the bootstrap).
    cxm::drivers::driver_input in(data.table.schema(), "nps", elements);  // listwise by default
    in.keep_rows(true);
    in.add(data.table);
    const auto a = cxm::drivers::analyse_drivers(in.state(), in.outcome(), in.drivers());
    cxm::drivers::bootstrap_options bo;
    bo.replicates = 2000;
    bo.seed = 1;
    const auto boot = cxm::drivers::bootstrap_drivers(in.rows(), elements.size(), cxm::drivers::missing_policy::listwise,
                                                      {}, bo);

    std::printf("Key drivers of likelihood to recommend: %s\n", file.c_str());
    std::printf("rows %llu, analysed %llu (listwise; %llu dropped for a missing value), R2 %.3f [%.3f, %.3f]\n",
                static_cast<unsigned long long>(a.rows), static_cast<unsigned long long>(a.n),
                static_cast<unsigned long long>(a.dropped_listwise), a.r2, boot.r2.lower, boot.r2.upper);
    std::printf("importances with 95%% percentile intervals of %zu bootstrap resamples (seed %llu)\n\n",
                boot.replicates, static_cast<unsigned long long>(bo.seed));
    std::printf("  %-15s %-21s %-21s %-21s %-21s %-21s %s\n", "element", "LMG", "relative weight", "Pratt",
                "first R2", "last R2", "beta (std.)");
    const auto cell = [](double v, const cxm::interval& ci) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f [%.3f, %.3f]", v, ci.lower, ci.upper);
      return std::string(buf);
    };
    for (std::size_t j = 0; j < a.drivers.size(); ++j) {
      const auto& d = a.drivers[j];
      const auto& ci = boot.drivers[j];
      std::printf("  %-15s %-21s %-21s %-21s %-21s %-21s %s\n", d.name.c_str(), cell(d.lmg, ci.lmg).c_str(),
                  cell(d.relweight, ci.relweight).c_str(), cell(d.pratt, ci.pratt).c_str(),
                  cell(d.first_r2, ci.first_r2).c_str(), cell(d.last_r2, ci.last_r2).c_str(),
                  cell(d.beta_std, ci.beta_std).c_str());
    }

    // Ranked by LMG, with performance (top-box share, Wilson) and quadrant.
    std::vector<double> importance, performance;
    std::vector<std::size_t> rank;
    for (std::size_t j = 0; j < a.drivers.size(); ++j) {
      importance.push_back(a.drivers[j].lmg);
      performance.push_back(in.top_box(j)->value());
      rank.push_back(j);
    }
    const auto quadrant = cxm::drivers::quadrants(importance, performance);
    std::stable_sort(rank.begin(), rank.end(), [&](std::size_t x, std::size_t y) { return importance[x] > importance[y]; });
    std::printf("\nRanked by LMG, with performance (top box 4-5 of 1-5) and the quadrant\n");
    std::printf("  %-4s %-15s %-8s %-22s %s\n", "rank", "element", "LMG", "top box % [95% Wilson]", "quadrant");
    cxm::report::importance_performance_chart chart;
    chart.id = "drivers-importance-performance";
    chart.title = "Six elements of B2B experience: importance x performance for likelihood to recommend";
    for (std::size_t r = 0; r < rank.size(); ++r) {
      const std::size_t j = rank[r];
      const auto top = *in.top_box(j);
      char pct[64];
      std::snprintf(pct, sizeof pct, "%.1f [%.1f, %.1f]", 100 * top.value(), 100 * top.ci()->lower,
                    100 * top.ci()->upper);
      std::printf("  %-4zu %-15s %-8.3f %-22s %s\n", r + 1, a.drivers[j].name.c_str(), importance[j], pct,
                  cxm::report::quadrant_name(quadrant[j]));
    }
    // The chart: every element at (top-box %, LMG), both intervals as whiskers.
    for (std::size_t j = 0; j < a.drivers.size(); ++j) {
      const auto top = *in.top_box(j);
      cxm::report::driver_point p;
      p.label = a.drivers[j].name;
      p.importance = a.drivers[j].lmg;
      p.importance_lower = boot.drivers[j].lmg.lower;
      p.importance_upper = boot.drivers[j].lmg.upper;
      p.performance = 100 * top.value();
      p.performance_lower = 100 * top.ci()->lower;
      p.performance_upper = 100 * top.ci()->upper;
      p.n = top.n();
      chart.points.push_back(p);
    }
    std::ofstream(svg, std::ios::binary) << cxm::report::render_importance_performance(chart);
    std::printf("\nwrote %s\n", svg.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "driver_analysis: %s\n", e.what());
    return 1;
  }
  return 0;
}
