// The journey section built from a table of journey events: see
// include/cxmetrics/report/model.hpp (build_journey_section).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/memory_models.hpp"
#include "cxmetrics/journey/summary.hpp"
#include "cxmetrics/journey/touchpoints.hpp"
#include "cxmetrics/report/model.hpp"

namespace cxm::inline v0_1::report {
namespace {

// journey_fields with the optional category fields the table lacks left out.
journey_fields fields_of(const response_table& t, journey_fields f) {
  for (std::string* name : {&f.touchpoint, &f.stage, &f.owner}) {
    if (!name->empty() && !t.schema().find(*name)) name->clear();
  }
  return f;
}

std::string list_of(const std::vector<journey_score_field>& scores) {
  std::string s;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (i > 0) s += i + 1 == scores.size() ? " or " : ", ";
    s += scores[i].name;
  }
  return s;
}

}  // namespace

journey_options journey_options_for(const schema& s) {
  journey_options o;
  for (std::string* name : {&o.fields.touchpoint, &o.fields.stage, &o.fields.owner}) {
    if (!s.find(*name)) name->clear();
  }
  // The declared score fields, then csat and ces (as `cxm journeys` reads them).
  std::vector<journey_score_field> scores;
  for (const field& f : s.declared()) {
    if (f.kind == field_kind::score) scores.push_back({f.name, {}});
  }
  for (const auto& p : o.fields.scores) scores.push_back(p);
  std::erase_if(scores, [&](const journey_score_field& x) { return field_key(x.name) == field_key(o.fields.outcome); });
  o.fields.scores = std::move(scores);
  return o;
}

journey_section build_journey_section(const response_table& t, const journey_options& o, double level) {
  check_level(level);
  if (!t.schema().find(o.fields.journey)) {
    throw invalid_argument("the table has no journey field '" + o.fields.journey + "'", at_field(o.fields.journey));
  }
  journey_summary summary(o.weights);  // checks the weights
  const journey_fields fields = fields_of(t, o.fields);
  journey_reader reader(fields);
  journey_map map(t.scales());
  touchpoint_impact impact(o.detractor_max);
  reader.on_event([&](const journey_event_row& e) {
    map.add(e, reader.stages());
    impact.add_event(e.event.tag, e.event.x);
  });
  reader.add(t, "table");

  memory_model_state models;
  reader.for_each_journey([&](std::string_view id, const peak_end_state& s) {
    summary.add(s);
    models.add(s, hash_text(id));
    impact.add_journey(s);
  });
  map.order_stages(reader.stages());

  journey_section j;
  j.method = "Each row with a score is an event of its journey (field " + fields.journey + "): the first of " +
             list_of(fields.scores) +
             " it answers, on the experience scale -1 to 1 (x = (score - neutral) / (max - neutral), the neutral "
             "point the scale's midpoint unless declared); a journey's outcome is its " +
             (fields.outcome.empty() ? std::string("(none)") : fields.outcome) +
             " answer; its remembered score weighs its most intense moment and its end (peak-end rule, Kahneman et "
             "al. 1993)";
  j.journeys = reader.summary().journeys;
  j.events = reader.summary().events;
  j.with_outcome = impact.count();
  j.detractors = impact.detractors();
  j.detractor_max = o.detractor_max;
  j.weights = o.weights;
  j.summary = summary.result(level);
  j.thin_below = o.thin_below;

  // The map: every (channel, stage), empty cells as no_data.
  j.channels = map.channels();
  for (const auto& s : map.stages()) j.stages.push_back(s.empty() ? std::string("(no stage)") : s);
  for (const auto& c : map.channels()) {
    for (const auto& s : map.stages()) {
      const journey_cell* cell = map.cell(c, s);
      j.cells.push_back(cell == nullptr ? estimate::no_data() : cell->experience.result(level));
    }
  }

  // Touchpoints: the tags (touchpoint, owner, channel, stage) summed per
  // (touchpoint, owner), in order of first use.
  const auto& labels = reader.tags().labels();
  std::map<std::pair<std::string, std::string>, std::uint32_t> group_of;
  std::vector<std::pair<std::string, std::string>> groups;
  std::vector<std::uint32_t> tag_to_group(labels.size());
  for (std::size_t k = 0; k < labels.size(); ++k) {
    const auto key = std::make_pair(labels[k].touchpoint, labels[k].owner);
    const auto [it, added] = group_of.try_emplace(key, static_cast<std::uint32_t>(groups.size()));
    if (added) groups.push_back(key);
    tag_to_group[k] = it->second;
  }
  std::vector<journey_touchpoint> rows;
  for (auto& r : impact.regroup(tag_to_group).result(level)) {
    journey_touchpoint p;
    p.touchpoint = groups.at(r.tag).first.empty() ? std::string("(no touchpoint)") : groups.at(r.tag).first;
    p.owner = groups.at(r.tag).second;
    p.impact = std::move(r);
    rows.push_back(std::move(p));
  }
  // Most negative-peak lift first (no value last); ties by events, then name.
  const auto lift = [](const journey_touchpoint& p) {
    return p.impact.peak.lift.has_value() ? p.impact.peak.lift.value() : -1.0;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const journey_touchpoint& a, const journey_touchpoint& b) {
    if (lift(a) != lift(b)) return lift(a) > lift(b);
    if (a.impact.events != b.impact.events) return a.impact.events > b.impact.events;
    return std::tie(a.touchpoint, a.owner) < std::tie(b.touchpoint, b.owner);
  });
  j.touchpoints_total = rows.size();
  if (o.max_touchpoints > 0 && rows.size() > o.max_touchpoints) rows.resize(o.max_touchpoints);
  j.touchpoints = std::move(rows);

  memory_model_options mo;
  mo.weights = o.weights;
  mo.level = level;
  j.models = compare_memory_models(models, mo);

  const auto& rs = reader.summary();
  if (rs.rejected > 0) {
    std::string why;
    for (const auto& [reason, n] : rs.rejected_by_reason) {
      if (n == 0) continue;
      why += (why.empty() ? "" : ", ") + reason + " " + std::to_string(n);
    }
    j.notes.push_back(std::to_string(rs.rejected) + " rows were left out of the journeys (" + why + ").");
  }
  if (rs.unscored > 0) {
    j.notes.push_back(std::to_string(rs.unscored) + " rows answer none of " + list_of(fields.scores) +
                      ": no event (their outcome still counts).");
  }
  if (rs.without_events > 0) {
    j.notes.push_back(std::to_string(rs.without_events) + " journeys have no event and are not counted.");
  }
  return j;
}

}  // namespace cxm::report
