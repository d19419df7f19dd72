// Journeys on the bundled journey data (examples/data/journeys.csv, written
// by generate_journey_data.cpp): the channel × stage map of the mean
// experience, the touchpoints that hurt most, and whether the peak-end rule
// explains the customers' NPS better than the average of their moments.
//
//   journey_report [journeys.csv]
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/journeys.hpp"
#include "cxmetrics/journey/memory_models.hpp"
#include "cxmetrics/journey/touchpoints.hpp"

int main(int argc, char** argv) try {
  const std::string file = argc > 1 ? argv[1] : "examples/data/journeys.csv";

  // The events: the first answered of a 0–10 rating, CSAT 1–5 and CES 1–7,
  // each mapped onto −1…1; the outcome is the journey's NPS.
  cxm::journey_fields fields;
  fields.scores = {{"rating", {}}, {"csat", {}}, {"ces", {}}};
  fields.stage_order = {"awareness", "purchase", "delivery", "support"};
  cxm::journey_reader reader(fields);
  cxm::ingest_options options;
  options.schema = cxm::schema_builder().score("rating", cxm::parse_scale("0-10")).build();
  options = reader.ingest_options_for(options);

  cxm::journey_map map;
  cxm::touchpoint_impact impact(6);  // detractors: NPS 0–6
  reader.on_event([&](const cxm::journey_event_row& e) {
    map.add(e, reader.stages());
    impact.add_event(e.event.tag, e.event.x);
  });
  std::vector<cxm::ingest_reject> rejects;
  reader.on_reject([&](const cxm::ingest_reject& r) { rejects.push_back(r); });
  const auto report = reader.read(file, options);

  cxm::memory_model_state models(1);
  reader.for_each_journey([&](std::string_view id, const cxm::peak_end_state& j) {
    models.add(j, cxm::hash_text(id));
    impact.add_journey(j);
  });
  const auto& s = reader.summary();
  std::printf("cxmetrics journey report: %s\n", file.c_str());
  std::printf("rows %llu (ingest rejects %llu, journey rejects %llu), events %llu, journeys %llu\n\n",
              static_cast<unsigned long long>(report.summary.rows_read),
              static_cast<unsigned long long>(report.summary.rejected), static_cast<unsigned long long>(s.rejected),
              static_cast<unsigned long long>(s.events), static_cast<unsigned long long>(s.journeys));

  // The map: mean experience per cell, '.' where no event happened.
  map.order_stages(reader.stages());
  std::printf("Mean experience (-1..1) by channel and stage; '.' = no events\n  %-8s", "channel");
  for (const auto& st : map.stages()) std::printf(" %10s", st.c_str());
  std::printf("\n");
  for (const auto& ch : map.channels()) {
    std::printf("  %-8s", ch.c_str());
    for (const auto& st : map.stages()) {
      const cxm::journey_cell* c = map.cell(ch, st);
      if (c) {
        std::printf(" %+10.2f", c->experience.mean);
      } else {
        std::printf(" %10s", ".");
      }
    }
    std::printf("\n");
  }

  // The touchpoints where detractors' journeys most often hit their worst moment.
  std::vector<std::string> names;
  std::vector<std::uint32_t> group;
  for (const auto& l : reader.tags().labels()) {
    const std::string key = l.touchpoint + " (" + l.owner + ")";
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end()) it = names.insert(names.end(), key);
    group.push_back(static_cast<std::uint32_t>(it - names.begin()));
  }
  auto rows = impact.regroup(group).result();
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.peak.detractors > b.peak.detractors;
  });
  std::printf("\nTouchpoints that hurt most: the worst moment of detractors' journeys\n");
  std::printf("  %-28s %8s %10s %10s %18s\n", "touchpoint (owner)", "score", "detractors", "share", "lift [95%]");
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i) {
    const auto& r = rows[i];
    std::printf("  %-28s %+8.2f %10llu %9.1f%% %6.2f [%4.2f, %4.2f]\n", names.at(r.tag).c_str(), r.score.value(),
                static_cast<unsigned long long>(r.peak.detractors), 100.0 * r.peak.share.value(), r.peak.lift.value(),
                r.peak.lift.ci()->lower, r.peak.lift.ci()->upper);
  }

  // Which memory explains the outcome: 10-fold cross-validated RMSE.
  const auto cmp = cxm::compare_memory_models(models);
  std::printf("\nMemory models of NPS, %llu journeys with an outcome (10-fold cross-validated RMSE, NPS points)\n",
              static_cast<unsigned long long>(cmp.n));
  double mean_cv = 0.0, peak_end_cv = 0.0;
  for (const auto& m : cmp.models) {
    if (!m.fitted || !m.cross_validated) continue;
    std::printf("  %-10s R2 %.3f  cv RMSE %.3f\n", m.name.c_str(), m.r2, m.cv_rmse);
    if (m.name == "mean") mean_cv = m.cv_rmse;
    if (m.name == "peak_end") peak_end_cv = m.cv_rmse;
  }
  std::printf("\npeak-end %s the mean: cross-validated RMSE %.3f vs %.3f\n",
              peak_end_cv < mean_cv ? "beats" : "does not beat", peak_end_cv, mean_cv);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "journey_report: " << e.what() << '\n';
  return 1;
}
