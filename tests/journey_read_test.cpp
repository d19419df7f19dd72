// journey_reader: journeys out of response rows (journey/journeys.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/journey/journeys.hpp"

namespace {

using cxm::journey_fields;
using cxm::journey_reader;
using cxm::peak_end_state;

cxm::ingest_options with_rating() {
  cxm::ingest_options o;
  o.schema = cxm::schema_builder().score("rating", cxm::parse_scale("0-10")).build();
  return o;
}

journey_fields three_scores(bool sorted = false) {
  journey_fields f;
  f.scores = {{"csat", {}}, {"ces", {}}, {"rating", {}}};
  f.sorted = sorted;
  return f;
}

// Reads CSV text through `r` as one input.
cxm::ingest_report feed(journey_reader& r, const std::string& csv, const cxm::ingest_options& o,
                        std::vector<cxm::ingest_reject>* ingest_rejects = nullptr, const std::string& name = "test.csv") {
  r.begin_input(name);
  cxm::ingest_sink sink;
  sink.on_batch = [&](const cxm::response_batch& b) { r.add(b); };
  if (ingest_rejects) sink.on_reject = [&](const cxm::ingest_reject& x) { ingest_rejects->push_back(x); };
  auto rep = cxm::stream_responses_csv_text(csv, name, r.ingest_options_for(o), sink);
  r.close();
  return rep;
}

const std::string header = "journey,timestamp,channel,touchpoint,owner,stage,csat,ces,rating,nps,resolved\n";

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::string bundled() { return std::string(CXMETRICS_TEST_DATA_DIR) + "/../../examples/data/journeys.csv"; }

// A journey as labels and values, for comparing reads whose tag ids differ.
struct journey_view {
  cxm::peak_end_values values;
  cxm::touchpoint_label worst, end;
  std::int64_t worst_time = 0, end_time = 0;
  bool operator==(const journey_view&) const = default;
};

std::map<std::string, journey_view> views(const cxm::journey_set& s, const cxm::journey_tags& tags) {
  std::map<std::string, journey_view> m;
  for (std::size_t j = 0; j < s.size(); ++j) {
    const auto& st = s[j];
    if (st.empty()) continue;
    m[s.id(j)] = {st.result(), tags[st.worst_tag()], tags[st.end_tag()], st.worst_time(), st.end_time()};
  }
  return m;
}

}  // namespace

// Two journeys worked by hand on three scales. Experience x = (s − mid)/(max − mid):
//   A1 csat 5 → (5 − 3)/2 = 1          (10:00)
//   A2 ces 1  → (1 − 4)/3 = −1         (next day; partner courier)
//   A3 rating 8 → (8 − 5)/5 = 0.6      (03 09:00)
//   A4 csat 2 → (2 − 3)/2 = −0.5       (03 09:00, same second, later row: the end)
// best 1, worst −1, intense = worst (|−1| ≥ 1), end −0.5, mean (1 − 1 + 0.6 − 0.5)/4 = 0.025,
// remembered ½·(−1) + ½·(−0.5) = −0.75; outcome 3 (on A3 and again on A4).
//   B1 csat 4 and ces 7 on one row: the first listed field, csat → (4 − 3)/2 = 0.5; no outcome.
TEST(JourneyRead, HandComputedJourneysOnMixedScales) {
  const std::string csv = header +
                          "A,2025-01-01T10:00:00Z,web,pages,company,awareness,5,,,,\n"
                          "B,2025-01-01T11:00:00Z,app,checkout,company,purchase,4,7,,,\n"
                          "A,2025-01-02T10:00:00Z,phone,courier,partner,delivery,,1,,,\n"
                          "A,2025-01-03T09:00:00Z,web,chat,company,support,,,8,3,yes\n"
                          "A,2025-01-03T09:00:00Z,email,faq,customer,support,2,,,3,\n";
  journey_reader r(three_scores());
  std::vector<std::size_t> fields_used;
  r.on_event([&](const cxm::journey_event_row& e) { fields_used.push_back(e.score_field); });
  const auto rep = feed(r, csv, with_rating());
  EXPECT_EQ(rep.summary.accepted, 5U);
  ASSERT_EQ(r.journeys().size(), 2U);
  EXPECT_EQ(r.journeys().id(0), "A");
  const peak_end_state& a = r.journeys()[0];
  EXPECT_EQ(a.count(), 4U);
  EXPECT_DOUBLE_EQ(a.best(), 1.0);
  EXPECT_DOUBLE_EQ(a.worst(), -1.0);
  EXPECT_DOUBLE_EQ(a.intense(), -1.0);
  EXPECT_DOUBLE_EQ(a.end(), -0.5);
  EXPECT_NEAR(a.mean(), 0.025, 1e-15);
  EXPECT_EQ(a.outcome(), 3);
  EXPECT_DOUBLE_EQ(cxm::remembered(a), -0.75);
  EXPECT_EQ(r.tags()[a.worst_tag()], (cxm::touchpoint_label{"courier", "partner", "phone", "delivery"}));
  EXPECT_EQ(r.tags()[a.end_tag()], (cxm::touchpoint_label{"faq", "customer", "email", "support"}));
  const peak_end_state& b = r.journeys()[1];
  EXPECT_EQ(b.count(), 1U);
  EXPECT_DOUBLE_EQ(b.end(), 0.5);
  EXPECT_DOUBLE_EQ(b.intense(), 0.5);
  EXPECT_FALSE(b.has_outcome());
  EXPECT_EQ(fields_used, (std::vector<std::size_t>{0, 0, 1, 2, 0}));
  EXPECT_EQ(r.stages(), (std::vector<std::string>{"awareness", "purchase", "delivery", "support"}));
  EXPECT_EQ(r.summary().events, 5U);
  EXPECT_EQ(r.summary().journeys, 2U);
  EXPECT_EQ(r.summary().rejected, 0U);
}

// A declared neutral point: 7 on 0–10 gives 8 → (8 − 7)/(10 − 7) = 1/3 and
// 6 → (6 − 7)/(7 − 0) = −1/7.
TEST(JourneyRead, DeclaredNeutralPoint) {
  journey_fields f = three_scores();
  f.scores = {{"rating", 7.0}};
  journey_reader r(f);
  feed(r, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,,,8,,\nA,2025-01-01T11:00:00Z,web,p,company,awareness,,,6,,\n",
       with_rating());
  ASSERT_EQ(r.journeys().size(), 1U);
  EXPECT_NEAR(r.journeys()[0].best(), 1.0 / 3.0, 1e-7);   // single precision
  EXPECT_NEAR(r.journeys()[0].worst(), -1.0 / 7.0, 1e-7);
  EXPECT_NEAR(r.journeys()[0].end(), -1.0 / 7.0, 1e-7);
}

// A row without any event score (the NPS survey row) is no event, but its
// outcome counts; a journey of such rows alone is counted apart.
TEST(JourneyRead, OutcomeOnlyRows) {
  journey_reader r(three_scores());
  feed(r, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,,,\n"
                   "A,2025-01-02T10:00:00Z,email,survey,company,support,,,,9,\n"
                   "C,2025-01-02T10:00:00Z,email,survey,company,support,,,,2,\n",
       with_rating());
  EXPECT_EQ(r.summary().rows, 3U);
  EXPECT_EQ(r.summary().events, 1U);
  EXPECT_EQ(r.summary().unscored, 2U);
  EXPECT_EQ(r.summary().journeys, 1U);
  EXPECT_EQ(r.summary().without_events, 1U);
  EXPECT_EQ(r.journeys()[0].outcome(), 9);
  EXPECT_DOUBLE_EQ(r.journeys()[0].end(), 0.5);  // the survey row is not the end
  std::vector<std::string> seen;
  r.for_each_journey([&](std::string_view id, const peak_end_state&) { seen.emplace_back(id); });
  EXPECT_EQ(seen, std::vector<std::string>{"A"});
}

// Every rule's reject, with its reason, line and field; nothing dropped:
// rows == events + unscored + rejected, and the ingest reader's own reject
// (a CSAT of 6, off its 1–5 scale) stays in the ingest report.
TEST(JourneyRead, RejectsWithReasons) {
  journey_fields f = three_scores();
  f.stage_order = {"awareness", "purchase", "delivery", "support"};
  journey_reader r(f);
  std::vector<cxm::ingest_reject> rejects, ingest_rejects;
  r.on_reject([&](const cxm::ingest_reject& x) { rejects.push_back(x); });
  const auto rep = feed(r, header +
                               "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,,9,\n"   // line 2
                               ",2025-01-01T10:00:00Z,web,p,company,awareness,4,,,,\n"     // 3: no journey
                               "A,2025-01-01T11:00:00Z,web,p,company,checkout,4,,,,\n"     // 4: unknown stage
                               "A,2025-01-01T12:00:00Z,web,p,company,purchase,2,,,3,\n"    // 5: outcome 3 after 9
                               "A,2025-01-01T13:00:00Z,web,p,company,purchase,6,,,,\n"     // 6: csat off scale
                               "A,2025-01-01T14:00:00Z,web,p,company,delivery,3,,,9,\n",   // 7: same outcome: fine
                        with_rating(), &ingest_rejects);
  ASSERT_EQ(rejects.size(), 3U);
  EXPECT_EQ(rejects[0].line, 3U);
  EXPECT_EQ(rejects[0].field, "journey");
  EXPECT_EQ(rejects[0].reason, "the row has no journey id");
  EXPECT_EQ(rejects[1].line, 4U);
  EXPECT_EQ(rejects[1].field, "stage");
  EXPECT_EQ(rejects[1].value, "checkout");
  EXPECT_NE(rejects[1].reason.find("stage 'checkout' is not in the stage order (awareness, purchase, delivery, support)"),
            std::string::npos);
  EXPECT_EQ(rejects[2].line, 5U);
  EXPECT_EQ(rejects[2].field, "nps");
  EXPECT_EQ(rejects[2].reason, "outcome 3 differs from the journey's earlier outcome 9");
  for (const auto& x : rejects) {
    EXPECT_EQ(x.file, "test.csv");
    EXPECT_EQ(x.error_id, cxm::invalid_value::code);
  }
  ASSERT_EQ(ingest_rejects.size(), 1U);
  EXPECT_EQ(ingest_rejects[0].cause, cxm::reject_cause::score_out_of_scale);
  EXPECT_EQ(rep.summary.rejected, 1U);
  const auto& s = r.summary();
  EXPECT_EQ(s.rows, 5U);
  EXPECT_EQ(s.rejected, 3U);
  EXPECT_EQ(s.rejected_by_reason.at("no_journey_id"), 1U);
  EXPECT_EQ(s.rejected_by_reason.at("unknown_stage"), 1U);
  EXPECT_EQ(s.rejected_by_reason.at("outcome_conflict"), 1U);
  EXPECT_EQ(s.rows, s.events + s.unscored + s.rejected);
  // The journey kept rows 2 and 7 only: x 0.5 and 0.
  ASSERT_EQ(r.journeys().size(), 1U);
  EXPECT_EQ(r.journeys()[0].count(), 2U);
  EXPECT_DOUBLE_EQ(r.journeys()[0].end(), 0.0);
  EXPECT_EQ(r.journeys()[0].outcome(), 9);
}

TEST(JourneyRead, BadFieldsAreNamed) {
  journey_fields f = three_scores();
  f.scores = {{"resolved", {}}};
  journey_reader r(f);
  EXPECT_THROW(feed(r, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,,,\n", with_rating()),
               cxm::invalid_argument);
  journey_fields dup;
  dup.stage_order = {"a", "b", "a"};
  EXPECT_THROW(journey_reader{dup}, cxm::invalid_argument);
  // A journey field declared as text, or the channel as the touchpoint: not a category column.
  cxm::ingest_options text_id;
  text_id.schema = cxm::schema_builder().text("journey").build();
  EXPECT_THROW((void)journey_reader(journey_fields{}).ingest_options_for(text_id), cxm::invalid_argument);
  journey_fields on_channel;
  on_channel.touchpoint = "channel";
  EXPECT_THROW((void)journey_reader(on_channel).ingest_options_for({}), cxm::invalid_argument);
}

// The bundled data read in another row order gives the same journeys: every
// row shuffled (seeded), then rows of one journey with equal times put back
// in their relative order (equal times are ordered by input order).
TEST(JourneyRead, OutOfOrderInputEqualsSortedInput) {
  auto lines = lines_of(bundled());
  ASSERT_GT(lines.size(), 10000U);
  const std::string head = lines[0] + "\n";
  std::vector<std::string> rows(lines.begin() + 1, lines.end());
  std::vector<std::size_t> perm(rows.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::mt19937_64 rng(7);
  std::shuffle(perm.begin(), perm.end(), rng);
  // Rows sharing journey and time: positions kept, contents back in input order.
  std::map<std::string, std::vector<std::size_t>> groups;  // key → positions in perm
  const auto key = [&](std::size_t row) {
    const auto& l = rows[row];
    const auto c1 = l.find(','), c2 = l.find(',', c1 + 1);
    return l.substr(0, c2);
  };
  for (std::size_t p = 0; p < perm.size(); ++p) groups[key(perm[p])].push_back(p);
  for (auto& [k, pos] : groups) {
    std::vector<std::size_t> members;
    for (auto p : pos) members.push_back(perm[p]);
    std::sort(members.begin(), members.end());
    for (std::size_t i = 0; i < pos.size(); ++i) perm[pos[i]] = members[i];
  }
  std::string sorted = head, shuffled = head;
  for (const auto& l : rows) sorted += l + "\n";
  for (auto p : perm) shuffled += rows[p] + "\n";

  journey_reader a(three_scores()), b(three_scores());
  feed(a, sorted, with_rating());
  feed(b, shuffled, with_rating());
  EXPECT_EQ(a.summary().events, b.summary().events);
  EXPECT_EQ(a.journeys().size(), 3000U);
  const auto va = views(a.journeys(), a.tags());
  const auto vb = views(b.journeys(), b.tags());
  ASSERT_EQ(va.size(), vb.size());
  for (const auto& [id, v] : va) {
    ASSERT_TRUE(vb.count(id)) << id;
    auto other = vb.at(id).values;
    EXPECT_NEAR(v.values.mean, other.mean, 1e-12) << id;  // the sum added in another order
    other.mean = v.values.mean;
    EXPECT_EQ(v.values, other) << id;
    EXPECT_EQ(v.end, vb.at(id).end) << id;
    EXPECT_EQ(v.end_time, vb.at(id).end_time) << id;
    EXPECT_EQ(v.worst_time, vb.at(id).worst_time) << id;
  }
}

// The bundled data split in two files by time (most journeys have rows in
// both), read as two inputs of one reader: the journeys merge by id into
// those of the whole file.
TEST(JourneyRead, JourneySplitAcrossTwoFilesMergesToTheWhole) {
  auto lines = lines_of(bundled());
  const std::string head = lines[0] + "\n";
  std::string whole = head, early = head, late = head;
  std::size_t in_early = 0;
  std::map<std::string, int> halves;  // journey → 1 early, 2 late, 3 both
  for (std::size_t i = 1; i < lines.size(); ++i) {
    whole += lines[i] + "\n";
    const auto c = lines[i].find(',');
    const bool first_half = lines[i].compare(c + 1, 10, "2025-07-01") < 0;
    (first_half ? early : late) += lines[i] + "\n";
    in_early += first_half ? 1 : 0;
    halves[lines[i].substr(0, c)] |= first_half ? 1 : 2;
  }
  ASSERT_GT(in_early, 3000U);
  EXPECT_GT(std::count_if(halves.begin(), halves.end(), [](const auto& h) { return h.second == 3; }), 20);
  journey_reader all(three_scores()), parts(three_scores());
  feed(all, whole, with_rating());
  feed(parts, early, with_rating(), nullptr, "early.csv");
  feed(parts, late, with_rating(), nullptr, "late.csv");
  const auto va = views(all.journeys(), all.tags());
  const auto vm = views(parts.journeys(), parts.tags());
  ASSERT_EQ(va.size(), vm.size());
  for (const auto& [id, v] : va) {
    ASSERT_TRUE(vm.count(id)) << id;
    auto other = vm.at(id).values;
    EXPECT_NEAR(v.values.mean, other.mean, 1e-12) << id;
    other.mean = v.values.mean;
    EXPECT_EQ(v.values, other) << id;
    EXPECT_EQ(v.end, vm.at(id).end) << id;
    EXPECT_EQ(v.worst_time, vm.at(id).worst_time) << id;
  }
}

// Two readers' journey sets merge by id, the second's tags mapped to the
// first's through their labels. By hand: A = {1 (web), −1 (courier)} in the
// first file, {0.5 (chat, the end)} in the second with outcome 8.
TEST(JourneyRead, JourneySetsOfTwoReadersMerge) {
  journey_reader r1(three_scores()), r2(three_scores());
  feed(r1, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,5,,,,\n"
                    "A,2025-01-02T10:00:00Z,phone,courier,partner,delivery,1,,,,\n", with_rating());
  feed(r2, header + "B,2025-01-01T10:00:00Z,web,p,company,awareness,3,,,,\n"
                    "A,2025-01-03T10:00:00Z,web,chat,company,support,4,,,8,\n", with_rating());
  cxm::journey_tags tags = r1.tags();
  std::vector<std::uint32_t> remap;
  for (const auto& l : r2.tags().labels()) remap.push_back(tags.id_of(l));
  cxm::journey_set merged = r1.journeys();
  merged.merge(r2.journeys(), remap);
  ASSERT_EQ(merged.size(), 2U);
  const auto& a = merged[*merged.find("A")];
  EXPECT_EQ(a.count(), 3U);
  EXPECT_DOUBLE_EQ(a.worst(), -1.0);
  EXPECT_DOUBLE_EQ(a.end(), 0.5);
  EXPECT_EQ(a.outcome(), 8);
  EXPECT_EQ(tags[a.worst_tag()].touchpoint, "courier");
  EXPECT_EQ(tags[a.end_tag()].touchpoint, "chat");
  EXPECT_EQ(merged[*merged.find("B")].count(), 1U);
}

// The same split read by two readers: the second's tags are mapped to the
// first's (through peak_end_state's checked parts) and the sets merge into
// the whole. The parts check must allow for the single precision of worst
// and best: three events of x = 0.2 (6 on 0–10) sum to 0.6 (in double),
// below 3·float(0.2) = 0.6000000089.
TEST(JourneyRead, JourneySetsOfTwoReadersMergeOnTheBundledData) {
  peak_end_state twos;
  for (int i = 0; i < 3; ++i) twos.add({0.2, i, static_cast<std::uint64_t>(i), 0, 0.0});
  EXPECT_EQ(peak_end_state::from_parts(twos.to_parts()), twos);

  auto lines = lines_of(bundled());
  const std::string head = lines[0] + "\n";
  std::string whole = head, early = head, late = head;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    whole += lines[i] + "\n";
    const auto c = lines[i].find(',');
    (lines[i].compare(c + 1, 10, "2025-07-01") < 0 ? early : late) += lines[i] + "\n";
  }
  journey_reader all(three_scores()), r1(three_scores()), r2(three_scores());
  feed(all, whole, with_rating());
  feed(r1, early, with_rating(), nullptr, "early.csv");
  feed(r2, late, with_rating(), nullptr, "late.csv");
  cxm::journey_tags tags = r1.tags();
  std::vector<std::uint32_t> remap;
  for (const auto& l : r2.tags().labels()) remap.push_back(tags.id_of(l));
  cxm::journey_set merged = r1.journeys();
  merged.merge(r2.journeys(), remap);
  const auto va = views(all.journeys(), all.tags());
  const auto vm = views(merged, tags);
  ASSERT_EQ(va.size(), vm.size());
  for (const auto& [id, v] : va) {
    ASSERT_TRUE(vm.count(id)) << id;
    auto other = vm.at(id).values;
    EXPECT_NEAR(v.values.mean, other.mean, 1e-12) << id;
    other.mean = v.values.mean;
    EXPECT_EQ(v.values, other) << id;
    EXPECT_EQ(v.end, vm.at(id).end) << id;
  }
}

// Sorted mode: every journey handed on exactly once, at most one held at a
// time, and the same states as the any-order read.
TEST(JourneyRead, StreamingEmitsEachJourneyOnceHoldingOne) {
  auto lines = lines_of(bundled());
  std::string csv;
  for (const auto& l : lines) csv += l + "\n";
  journey_reader any(three_scores());
  feed(any, csv, with_rating());
  journey_reader stream(three_scores(true));
  std::map<std::string, int> times_seen;
  std::map<std::string, cxm::peak_end_values> got;
  std::size_t most_held = 0;
  stream.on_journey([&](std::string_view id, const peak_end_state& s) {
    ++times_seen[std::string(id)];
    got[std::string(id)] = s.result();
  });
  stream.on_event([&](const cxm::journey_event_row&) { most_held = std::max(most_held, stream.held_journeys()); });
  feed(stream, csv, with_rating());
  EXPECT_EQ(most_held, 1U);
  EXPECT_EQ(stream.held_journeys(), 0U);  // closed at the end
  EXPECT_TRUE(stream.journeys().empty());
  EXPECT_EQ(any.held_journeys(), 3000U);
  ASSERT_EQ(got.size(), 3000U);
  for (const auto& [id, n] : times_seen) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(stream.summary().journeys, 3000U);
  for (std::size_t j = 0; j < any.journeys().size(); ++j) {
    EXPECT_EQ(got.at(any.journeys().id(j)), any.journeys()[j].result());
  }
}

TEST(JourneyRead, StreamingRefusesUnsortedInput) {
  journey_reader r(three_scores(true));
  r.on_journey([](std::string_view, const peak_end_state&) {});
  try {
    feed(r, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,,,\n"
                     "B,2025-01-01T10:00:00Z,web,p,company,awareness,4,,,,\n"
                     "A,2025-01-01T11:00:00Z,web,p,company,awareness,4,,,,\n",
         with_rating());
    FAIL() << "no error";
  } catch (const cxm::invalid_value& e) {
    EXPECT_EQ(e.where().line, 4U);
    EXPECT_NE(std::string(e.what()).find("journey 'A'"), std::string::npos);
  }
}

// A response_table read whole gives the journeys the stream gives.
TEST(JourneyRead, TableInput) {
  journey_reader stream(three_scores());
  const std::string csv = header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,5,,,,\n"
                                   "A,2025-01-02T10:00:00Z,phone,c,partner,delivery,,1,,4,\n";
  feed(stream, csv, with_rating());
  const auto path = std::filesystem::temp_directory_path() / "cxm_journey_read_test.csv";
  std::ofstream(path) << csv;
  journey_reader from_table(three_scores());
  const auto in = cxm::read_responses(path, from_table.ingest_options_for(with_rating()));
  from_table.add(in.table, "t");
  std::filesystem::remove(path);
  ASSERT_EQ(from_table.journeys().size(), 1U);
  EXPECT_EQ(from_table.journeys()[0].result(), stream.journeys()[0].result());
  EXPECT_EQ(from_table.journeys()[0].outcome(), 4);
}

// The map: the cell of each (channel, stage) holds its event rows; cells
// without events are absent.
TEST(JourneyRead, MapCells) {
  journey_reader r(three_scores());
  cxm::journey_map map;
  r.on_event([&](const cxm::journey_event_row& e) { map.add(e, r.stages()); });
  feed(r, header + "A,2025-01-01T10:00:00Z,web,p,company,awareness,5,,,,\n"
                   "A,2025-01-02T10:00:00Z,web,p,company,awareness,1,,,9,yes\n"
                   "B,2025-01-02T10:00:00Z,phone,c,partner,delivery,,2,,,\n",
       with_rating());
  const auto* web = map.cell("web", "awareness");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->experience.n, 2U);
  EXPECT_DOUBLE_EQ(web->experience.mean, 0.0);  // (1 + (−1))/2
  EXPECT_EQ(web->metrics.get<0>().counts().count(), 1U);  // one NPS answer
  EXPECT_EQ(web->metrics.get<1>().counts().count(), 2U);  // two CSAT answers
  EXPECT_EQ(map.cell("web", "delivery"), nullptr);
  const auto e = map.cell("phone", "delivery")->experience.result();
  EXPECT_EQ(e.state(), cxm::estimate::status::insufficient);
  // Mean x of 1 and −1: 0, SD √2, SE 1, t(0.975, 1) = 12.706 → [−1, 1] after clipping.
  const auto w = web->experience.result();
  EXPECT_NEAR(w.se(), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(w.ci()->lower, -1.0);
}
