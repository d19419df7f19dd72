// group_by fed whole inputs through key extractors: the SIMD histogram path
// and the row loop give identical states (weighted and unweighted, missing
// answers and times), both equal to a std::map built by hand from the rows
// (labels from the channel set, periods from cxm::period_of); inputs whose
// channel ids follow different first-use orders merge by label; batches of a
// streamed file equal the file read whole; errors name the first bad row
// and change nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/io/batch_view.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace {

using namespace cxm;
using std::chrono::seconds;

// Members share columns with other cut points (CSAT top-2 and a top-1
// histogram) so that relabelled counts are exercised too.
using full_set =
    metric_set<nps_accumulator, csat_accumulator, ces_accumulator, resolution_accumulator, score_histogram>;
using by_channel_month = group_by<full_set, by_label, by_period>;

full_set make_set() {
  return full_set(nps_accumulator{}, csat_accumulator{}, ces_accumulator{}, resolution_accumulator{},
                  score_histogram(scale::csat(1)));
}

const seconds kPlus2{2 * 3600};

by_channel_month make_grouping() {
  return by_channel_month(make_set(), by_label{category::channel}, by_period(time_bucket::month, kPlus2));
}

feed_options rows_only() {
  feed_options o;
  o.path = feed_path::rows;
  return o;
}

// Random responses over 2023–2024 with missing answers and times; labels in
// the order `labels` gives them (their first use fixes the table's ids).
std::vector<response> random_rows(std::size_t n, std::uint32_t seed, bool weighted,
                                  const std::vector<std::string>& labels, std::vector<std::string>& label_of_row) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> wdist(0.0, 0.7);
  std::vector<response> rows(n);
  label_of_row.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    response& r = rows[i];
    if (rng() % 7 != 0) r.nps = static_cast<int>(rng() % 11);
    if (rng() % 3 != 0) r.csat = 1 + static_cast<int>(rng() % 5);
    if (rng() % 4 != 0) r.ces = 1 + static_cast<int>(rng() % 7);
    r.resolved = std::array{resolution::yes, resolution::no, resolution::unknown}[rng() % 3];
    if (rng() % 9 != 0) r.time = timestamp{seconds{1672531200 + static_cast<std::int64_t>(rng() % (731ULL * 86400))}};
    if (weighted && rng() % 4 != 0) r.weight = wdist(rng);
    label_of_row[i] = labels[i < labels.size() ? i : rng() % labels.size()];  // every label used, in order
  }
  return rows;
}

response_table table_of(const std::vector<response>& rows, const std::vector<std::string>& label_of_row) {
  response_table t;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    response r = rows[i];
    r.channel = t.channel_of(label_of_row[i]);
    t.append(r);
  }
  return t;
}

// The reference: rows added one by one under (label, period of their time).
std::map<std::tuple<std::string, period>, full_set> by_hand(const std::vector<response>& rows,
                                                            const std::vector<std::string>& label_of_row,
                                                            std::uint64_t first_row = 0) {
  std::map<std::tuple<std::string, period>, full_set> ref;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const period p = rows[i].time ? period_of(*rows[i].time, time_bucket::month, kPlus2)
                                  : period{time_bucket::month, period::no_time};
    auto it = ref.try_emplace({channel_set::normalise(label_of_row[i]), p}, make_set()).first;
    it->second.add(rows[i], at_row(first_row + i));
  }
  return ref;
}

void expect_equals_reference(const by_channel_month& g, const std::map<std::tuple<std::string, period>, full_set>& ref) {
  ASSERT_EQ(g.size(), ref.size());
  auto it = ref.begin();
  for (const auto& [key, acc] : g.groups()) {
    EXPECT_EQ(key, it->first) << std::get<0>(key) << " " << to_string(std::get<1>(key));
    EXPECT_EQ(acc.get(), it->second) << std::get<0>(key) << " " << to_string(std::get<1>(key));
    ++it;
  }
}

const std::vector<std::string> kLabels = {"web", "Chat", "phone", "kiosk", "face-to-face", "partner portal"};

TEST(GroupByFeed, HistogramPathAndRowLoopEqualTheRowsAddedByHand) {
  for (const bool weighted : {false, true}) {
    std::vector<std::string> labels;
    const auto rows = random_rows(20'000, weighted ? 7 : 8, weighted, kLabels, labels);
    const auto t = table_of(rows, labels);
    ASSERT_EQ(t.weighted(), weighted);
    auto fast = make_grouping();
    auto slow = make_grouping();
    fast.feed(t);
    slow.feed(t, rows_only());
    EXPECT_EQ(fast, slow) << "weighted " << weighted;
    expect_equals_reference(fast, by_hand(rows, labels));
    EXPECT_EQ(fast.count(), rows.size());
  }
}

TEST(GroupByFeed, LabelsKeyGroupsWhateverTheFirstUseOrderOfEachInput) {
  // Two inputs whose channel ids differ (the reversed label order gives
  // "partner portal" id 7 in one and id 6 in the other): fed to one grouping,
  // or to two merged, they equal the concatenated input.
  std::vector<std::string> la;
  std::vector<std::string> lb;
  const auto ra = random_rows(3'000, 1, true, kLabels, la);
  const auto rb = random_rows(2'000, 2, true, std::vector<std::string>(kLabels.rbegin(), kLabels.rend()), lb);
  const auto ta = table_of(ra, la);
  const auto tb = table_of(rb, lb);
  ASSERT_NE(ta.channel_labels().find("partner_portal")->value, tb.channel_labels().find("partner_portal")->value);
  auto all_rows = ra;
  all_rows.insert(all_rows.end(), rb.begin(), rb.end());
  auto all_labels = la;
  all_labels.insert(all_labels.end(), lb.begin(), lb.end());
  const auto whole = table_of(all_rows, all_labels);

  auto one = make_grouping();
  one.feed(ta);
  one.feed(tb);
  auto ga = make_grouping();
  auto gb = make_grouping();
  ga.feed(ta);
  gb.feed(tb);
  ga.merge(gb);
  auto g_whole = make_grouping();
  g_whole.feed(whole);
  // Weight sums of one input fed after another are summed per input and then
  // added (the state of each input is merged in), so compare with the inputs
  // added by hand apart and merged.
  auto ref = by_hand(ra, la);
  for (auto& [key, set] : by_hand(rb, lb, ra.size())) {
    auto it = ref.try_emplace(key, make_set()).first;
    it->second.merge(set);
  }
  expect_equals_reference(one, ref);
  EXPECT_EQ(ga, one);
  // Counts equal those of the concatenated input exactly.
  ASSERT_EQ(g_whole.size(), one.size());
  const auto whole_groups = g_whole.groups();
  const auto one_groups = one.groups();
  for (std::size_t i = 0; i < whole_groups.size(); ++i) {
    EXPECT_EQ(whole_groups[i].first, one_groups[i].first);
    EXPECT_EQ(whole_groups[i].second.get().get<0>().counts().raw_counts().size(), 11u);
    EXPECT_EQ(whole_groups[i].second.get().count(), one_groups[i].second.get().count());
    EXPECT_EQ(whole_groups[i].second.get().get<0>().counts().raw_counts()[10],
              one_groups[i].second.get().get<0>().counts().raw_counts()[10]);
  }
}

TEST(GroupByFeed, SingleAccumulatorsAndCompositeKeys) {
  std::vector<std::string> labels;
  auto rows = random_rows(6'000, 3, true, kLabels, labels);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].segment = std::array{"", "smb", "enterprise"}[i % 3];
  const auto t = table_of(rows, labels);
  const auto both = [&](auto g) {
    auto slow = g;
    g.feed(t);
    slow.feed(t, rows_only());
    EXPECT_EQ(g, slow);
    return g;
  };
  const auto nps = both(group_by<nps_accumulator, by_label>(nps_accumulator{}, by_label{category::channel}));
  both(group_by<resolution_accumulator, by_period>(resolution_accumulator{}, by_period(time_bucket::iso_week)));
  both(group_by<score_histogram, by_label>(score_histogram(scale::ces()), by_label{category::agent}));
  const auto composite = both(group_by<full_set, by_label, by_label, by_period>(
      make_set(), by_label{category::segment}, by_label{category::channel}, by_period(time_bucket::quarter)));
  // Segment "" (none) sorts first; every quarter of 2023–2024 appears.
  EXPECT_EQ(std::get<0>(composite.groups().front().first), "");
  std::uint64_t web = 0;
  for (const auto& r : rows) web += r.nps && labels[&r - rows.data()] == "web";
  EXPECT_EQ(nps.at("web").count(), web);
}

// An accumulator without a histogram: feed takes the row loop.
struct weight_sum {
  using result_type = double;
  double sum = 0.0;
  std::uint64_t n = 0;
  void add(const response& r, const location& = {}) {
    sum += r.weight;
    ++n;
  }
  void merge(const weight_sum& o) {
    sum += o.sum;
    n += o.n;
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return n; }
  [[nodiscard]] bool empty() const noexcept { return n == 0; }
  [[nodiscard]] double result() const { return sum; }
  friend bool operator==(const weight_sum&, const weight_sum&) = default;
};

TEST(GroupByFeed, AnyAccumulatorOfResponsesTakesTheRowLoop) {
  // Weights 0.5, 2 and 1.5 on "web", 1 on "chat": sums 4 and 1.
  response_table t;
  for (const auto& [label, w] : std::vector<std::pair<std::string, double>>{{"web", 0.5}, {"chat", 1}, {"web", 2}, {"web", 1.5}}) {
    response r;
    r.channel = t.channel_of(label);
    r.weight = w;
    t.append(r);
  }
  group_by<weight_sum, by_label> g(weight_sum{}, by_label{category::channel});
  g.feed(t);
  EXPECT_EQ(g.at("web").result(), 4.0);
  EXPECT_EQ(g.at("Chat").result(), 1.0);  // labels are normalised
  group_by<weight_sum, by_label> again(weight_sum{}, by_label{category::channel});
  again.feed(t, rows_only());
  EXPECT_TRUE(again == g);
}

TEST(GroupByFeed, StreamedBatchesEqualTheFileReadWhole) {
  std::vector<std::string> labels;
  const auto rows = random_rows(4'000, 5, true, kLabels, labels);
  const auto file = std::filesystem::temp_directory_path() / "cxm_group_by_feed_test.csv";
  {
    std::ofstream out(file);
    out << "channel,timestamp,nps,csat,ces,resolved,weight\n";
    const auto opt = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string(); };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      out << labels[i] << "," << (r.time ? format_timestamp(*r.time) : "") << "," << opt(r.nps) << "," << opt(r.csat)
          << "," << opt(r.ces) << "," << (r.resolved == resolution::unknown ? "" : to_string(r.resolved)) << ","
          << r.weight << "\n";
    }
  }
  ingest_options o;
  o.chunk_bytes = 4096;  // many batches
  auto streamed = make_grouping();
  std::size_t batches = 0;
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) {
    streamed.feed(b);
    ++batches;
  };
  (void)stream_responses(file, o, sink);
  const auto whole = read_responses(file, o);
  std::filesystem::remove(file);
  EXPECT_GT(batches, 10u);
  auto one = make_grouping();
  one.feed(whole.table);
  ASSERT_EQ(streamed.size(), one.size());
  const auto sg = streamed.groups();
  const auto og = one.groups();
  for (std::size_t i = 0; i < sg.size(); ++i) {
    EXPECT_EQ(sg[i].first, og[i].first);
    EXPECT_EQ(sg[i].second.get().count(), og[i].second.get().count());
    EXPECT_EQ(sg[i].second.get().get<3>().result().unknown, og[i].second.get().get<3>().result().unknown);
  }
}

TEST(GroupByFeed, ATimeOutsideTheSampledSpanIsCountedAfterAll) {
  // 50 000 rows in March 2024 and one in 1995 that the sample misses.
  response_table t;
  for (std::size_t i = 0; i < 50'000; ++i) {
    response r;
    r.nps = static_cast<int>(i % 11);
    r.time = timestamp{seconds{1709251200 + static_cast<std::int64_t>(i)}};
    if (i == 12'345) r.time = timestamp{seconds{800000000}};  // 1995-05-08
    t.append(r);
  }
  group_by<nps_accumulator, by_period> fast(nps_accumulator{}, by_period(time_bucket::year));
  auto slow = fast;
  fast.feed(t);
  slow.feed(t, rows_only());
  EXPECT_EQ(fast, slow);
  EXPECT_EQ(fast.at(period{time_bucket::year, 25}).count(), 1u);  // 1995 − 1970
  EXPECT_EQ(fast.at(period{time_bucket::year, 54}).count(), 49'999u);
}

TEST(GroupByFeed, ErrorsNameTheFirstBadRowOnBothPathsAndChangeNothing) {
  // The table keeps CSAT on 0..10; a member on 1..5 rejects the 7 at row 40
  // and the 0 at row 90: both paths report row 40 (+ first_row) and field csat.
  response_table t(table_scales{scale::nps(), scale::custom(0, 10, 9, 6), scale::ces()});
  for (std::size_t i = 0; i < 100; ++i) {
    response r;
    r.csat = i == 40 ? 7 : (i == 90 ? 0 : 3);
    r.channel = t.channel_of(i % 2 == 0 ? "web" : "chat");
    t.append(r);
  }
  auto view = view_of(t);
  view.first_row = 1000;
  for (const auto path : {feed_path::automatic, feed_path::rows}) {
    auto g = make_grouping();
    const auto before = g;
    feed_options o;
    o.path = path;
    try {
      g.feed(view, o);
      ADD_FAILURE() << "no exception";
    } catch (const score_out_of_scale& e) {
      EXPECT_EQ(e.where().row, 1040u);
      EXPECT_EQ(e.where().field, "csat");
    }
    EXPECT_EQ(g, before);
  }
}

TEST(GroupByFeed, RowsKeysAndMerges) {
  auto g = make_grouping();
  const timestamp t{seconds{1709245800}};  // 2024-02-29T22:30:00Z: March at +02:00
  g.add("Face-to-face", t, response{});
  g.add(std::string("face_to_face"), period_of(t, time_bucket::month, kPlus2), response{});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(std::get<0>(g.groups().front().first), "face_to_face");
  EXPECT_EQ(to_string(std::get<1>(g.groups().front().first)), "2024-03");
  EXPECT_EQ(g.groups().front().second.get().count(), 2u);
  EXPECT_THROW(g.add("web", period{time_bucket::day, 0}, response{}), invalid_value);
  auto other = by_channel_month(make_set(), by_label{category::channel}, by_period(time_bucket::month));
  EXPECT_THROW(g.merge(other), incompatible_merge);
  EXPECT_THROW(by_period(time_bucket::day, std::chrono::hours{19}), invalid_argument);
}

}  // namespace

namespace {

// by_field chosen at run time gives the groups of the extractors it holds:
// (time, label) keys equal the by-hand reference with its parts swapped, on
// both paths, and a key of the wrong kind is an error naming the field.
TEST(GroupByFeed, RunTimeFieldsGroupAsTheExtractorsTheyHold) {
  std::vector<std::string> labels;
  const auto rows = random_rows(9'000, 21, true, kLabels, labels);
  const auto t = table_of(rows, labels);
  using dynamic = group_by<full_set, by_field, by_field>;
  dynamic fast(make_set(), by_field{by_period(time_bucket::month, kPlus2)}, by_field{by_label{category::channel}});
  dynamic slow = fast;
  fast.feed(t);
  slow.feed(t, rows_only());
  EXPECT_EQ(fast, slow);
  const auto ref = by_hand(rows, labels);
  std::map<std::tuple<key_value, key_value>, full_set> swapped;
  for (const auto& [key, acc] : ref) swapped.emplace(std::tuple{key_value(std::get<1>(key)), key_value(std::get<0>(key))}, acc);
  ASSERT_EQ(fast.size(), swapped.size());
  auto it = swapped.begin();
  for (const auto& [key, acc] : fast.groups()) {
    EXPECT_EQ(key, it->first) << to_string(std::get<0>(key)) << " " << to_string(std::get<1>(key));
    EXPECT_EQ(acc.get(), it->second);
    ++it;
  }
  // Rows by hand: a period (or time) for the first key, a label for the second.
  dynamic by_rows(make_set(), by_field{by_period(time_bucket::month, kPlus2)}, by_field{by_label{category::channel}});
  response r;
  r.nps = 9;
  by_rows.add(period_of(timestamp{seconds{1700000000}}, time_bucket::month, kPlus2), "Face-to-Face", r, at_row(0));
  by_rows.add(timestamp{seconds{1700000000}}, "face_to_face", r, at_row(1));
  ASSERT_EQ(by_rows.size(), 1U);
  EXPECT_EQ(std::get<std::string>(std::get<1>(by_rows.groups().front().first)), "face_to_face");
  EXPECT_EQ(to_string(std::get<0>(by_rows.groups().front().first)), "2023-11");
  try {
    by_rows.add("web", "web", r, at_row(2));
    ADD_FAILURE() << "a label as a time key must throw";
  } catch (const invalid_value& e) {
    EXPECT_NE(std::string(e.what()).find("timestamp"), std::string::npos) << e.what();
  }
  EXPECT_EQ(to_string(key_value(std::string())), "(none)");
  EXPECT_EQ(to_string(key_value(period{time_bucket::month, period::no_time})), "(none)");
}

}  // namespace

namespace {

// Rows [first, first + n) of `v`, numbered from there.
response_view slice(const response_view& v, std::size_t first, std::size_t n) {
  const auto part = [&](auto s) { return s.empty() ? s : s.subspan(first, n); };
  response_view out = v;
  out.rows = n;
  out.first_row = v.first_row + first;
  out.values.nps = part(v.values.nps);
  out.values.csat = part(v.values.csat);
  out.values.ces = part(v.values.ces);
  out.values.resolved = part(v.values.resolved);
  out.values.weights = part(v.values.weights);
  out.time = part(v.time);
  out.channel = part(v.channel);
  out.segment = part(v.segment);
  out.agent = part(v.agent);
  return out;
}

}  // namespace

TEST(GroupByFeed, ManySmallInputsAddIntoExistingGroupsAsTheRowLoopDoes) {
  // 20,000 weighted rows as 80 inputs of 250: every input adds into groups
  // the earlier ones made. The histogram path adds each cell's counts and
  // weight sums into its group in place, the row loop merges a fresh state
  // per group; both add one input's sums (in row order) to the group's, so
  // the states are equal bit for bit, and their counts those of the rows
  // added by hand.
  std::vector<std::string> labels;
  const auto rows = random_rows(20'000, 11, true, kLabels, labels);
  const auto t = table_of(rows, labels);
  const auto v = view_of(t);
  auto fast = make_grouping();
  auto slow = make_grouping();
  for (std::size_t first = 0; first < rows.size(); first += 250) {
    fast.feed(slice(v, first, 250));
    slow.feed(slice(v, first, 250), rows_only());
  }
  EXPECT_EQ(fast, slow);
  const auto ref = by_hand(rows, labels);
  ASSERT_EQ(fast.size(), ref.size());
  auto it = ref.begin();
  for (const auto& [key, acc] : fast.groups()) {
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(acc.get().count(), it->second.count());
    EXPECT_EQ(acc.get().get<0>().counts().raw_counts()[9], it->second.get<0>().counts().raw_counts()[9]);
    EXPECT_NEAR(acc.get().get<0>().counts().total().w, it->second.get<0>().counts().total().w,
                1e-9 * it->second.get<0>().counts().total().w);
    ++it;
  }
}

TEST(GroupByFeed, AnErrorAfterEarlierInputsLeavesTheirGroupsAsTheyWere) {
  // A first input makes the groups; a second one, in the same groups, holds
  // a CSAT of 7 (past the 1..5 member) at its row 60 after 59 good rows: the
  // histogram path counts every column before adding anything, so the
  // groups keep the first input's states exactly.
  response_table t(table_scales{scale::nps(), scale::custom(0, 10, 9, 6), scale::ces()});
  for (std::size_t i = 0; i < 200; ++i) {
    response r;
    r.nps = static_cast<int>(i % 11);
    r.csat = i == 160 ? 7 : 1 + static_cast<int>(i % 5);
    r.weight = 0.5 + static_cast<double>(i % 3);
    r.channel = t.channel_of(i % 2 == 0 ? "web" : "chat");
    t.append(r);
  }
  const auto v = view_of(t);
  auto g = make_grouping();
  g.feed(slice(v, 0, 100));
  ASSERT_EQ(g.size(), 2u);  // web and chat, no time
  const auto before = g;
  try {
    g.feed(slice(v, 100, 100));
    ADD_FAILURE() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, 160u);
    EXPECT_EQ(e.where().field, "csat");
  }
  EXPECT_EQ(g, before);
  EXPECT_EQ(g.count(), 100u);
}
