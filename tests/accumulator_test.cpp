// The accumulator contract: concept checks, column counting with missing
// answers, row input against columnar input, metric_set against its members
// run alone, group_by against a std::map reference counted by hand, merge
// laws and error reporting.
//
// References are independent of the code under test: histograms counted by
// hand in the test (plain arrays indexed by score, std::map keyed by group),
// small examples worked out in comments, and the same data fed through a
// second path (rows against columns, one accumulator against a set). Weights
// are multiples of 1/4 below 4, so every Σw and Σw² here is exact in double
// and sums in any order agree bit for bit. Random data come from
// std::mt19937_64 (fully specified by the standard) with fixed seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/testing/merge_laws.hpp"

// Types with external linkage, so that their unused members draw no warning.
namespace accumulator_test_types {

/// Everything an accumulator needs except merge.
struct lacks_merge {
  using result_type = int;
  [[nodiscard]] std::uint64_t count() const noexcept { return 0; }
  [[nodiscard]] bool empty() const noexcept { return true; }
  [[nodiscard]] int result() const { return 0; }
  void add(int) {}
  friend bool operator==(const lacks_merge&, const lacks_merge&) = default;
};
/// The same with merge but without ==.
struct lacks_equality {
  using result_type = int;
  void merge(const lacks_equality&) {}
  [[nodiscard]] std::uint64_t count() const noexcept { return 0; }
  [[nodiscard]] bool empty() const noexcept { return true; }
  [[nodiscard]] int result() const { return 0; }
};


// Accumulators that break one law each, so the helper is seen to catch it.
struct forgets_merges {  // merge keeps only the left state
  using result_type = std::uint64_t;
  std::uint64_t n = 0;
  void add(int) { ++n; }
  void merge(const forgets_merges&) {}
  [[nodiscard]] std::uint64_t count() const noexcept { return n; }
  [[nodiscard]] bool empty() const noexcept { return n == 0; }
  [[nodiscard]] std::uint64_t result() const { return n; }
  friend bool operator==(const forgets_merges&, const forgets_merges&) = default;
};
struct keeps_order {  // the state is the sequence of inputs: merge appends
  using result_type = std::uint64_t;
  std::vector<int> seen;
  void add(int v) { seen.push_back(v); }
  void merge(const keeps_order& o) { seen.insert(seen.end(), o.seen.begin(), o.seen.end()); }
  [[nodiscard]] std::uint64_t count() const noexcept { return seen.size(); }
  [[nodiscard]] bool empty() const noexcept { return seen.empty(); }
  [[nodiscard]] std::uint64_t result() const { return seen.size(); }
  friend bool operator==(const keeps_order&, const keeps_order&) = default;
};

}  // namespace accumulator_test_types

namespace {

using namespace cxm;
using accumulator_test_types::lacks_equality;
using accumulator_test_types::lacks_merge;
using accumulator_test_types::forgets_merges;
using accumulator_test_types::keeps_order;

// ------------------------------------------------------------------ concept

using full_set = metric_set<nps_accumulator, csat_accumulator, ces_accumulator, resolution_accumulator, score_histogram>;
using dense_nps = group_by<nps_accumulator, dense_key<6>, dense_key<>>;
using hashed_nps = group_by<nps_accumulator, std::uint64_t, std::string>;
using mixed_hist = group_by<score_histogram, dense_key<4>, std::string>;
using grouped_set = group_by<metric_set<nps_accumulator, resolution_accumulator>, dense_key<6>>;

static_assert(accumulator<nps_accumulator>);
static_assert(accumulator<csat_accumulator>);
static_assert(accumulator<ces_accumulator>);
static_assert(accumulator<resolution_accumulator>);
static_assert(accumulator<score_histogram>);
static_assert(accumulator<full_set>);
static_assert(accumulator<dense_nps>);
static_assert(accumulator<hashed_nps>);
static_assert(accumulator<mixed_hist>);
static_assert(accumulator<grouped_set>);
static_assert(accumulator<group_by<dense_nps, std::string>>);  // groupings nest

static_assert(accumulates_weighted<nps_accumulator, int>);
static_assert(accumulates_weighted<csat_accumulator, int>);
static_assert(accumulates_weighted<ces_accumulator, int>);
static_assert(accumulates_weighted<resolution_accumulator, resolution>);
static_assert(accumulates_weighted<score_histogram, int>);
static_assert(accumulates<nps_accumulator, response>);
static_assert(accumulates<csat_accumulator, response>);
static_assert(accumulates<ces_accumulator, response>);
static_assert(accumulates<resolution_accumulator, response>);
static_assert(accumulates<full_set, response>);
static_assert(accumulates<full_set, response_columns>);
// Columns go through the engine, one function for every histogram-backed state.
template <class A>
concept takes_scores = requires(A& a, std::span<const std::uint8_t> s, std::span<const float> w) {
  engine::add_column(a, s);
  engine::add_column(a, s, w);
};
template <class A>
concept takes_flags = requires(A& a, std::span<const std::int8_t> f) { engine::add_column(a, f); };
static_assert(takes_scores<nps_accumulator> && takes_scores<csat_accumulator> && takes_scores<ces_accumulator>);
static_assert(takes_scores<rating_accumulator> && takes_scores<score_histogram>);
static_assert(takes_flags<resolution_accumulator> && !takes_scores<resolution_accumulator>);
static_assert(!takes_flags<nps_accumulator>);

// The states hold no query parameters: no options() to read back, and no
// constructor that takes them; result() takes them instead.
template <class A, class Options>
concept holds_no_options = !requires(const A& a) { a.options(); } && !std::is_constructible_v<A, Options> &&
                           requires(const A& a, const Options& o) { a.result(o); };
static_assert(holds_no_options<nps_accumulator, nps_options>);
static_assert(holds_no_options<csat_accumulator, rating_options> && !std::is_constructible_v<csat_accumulator, csat_options>);
static_assert(holds_no_options<ces_accumulator, rating_options> && !std::is_constructible_v<ces_accumulator, ces_options>);
static_assert(holds_no_options<rating_accumulator, rating_options>);
static_assert(holds_no_options<resolution_accumulator, resolution_options>);

static_assert(std::is_same_v<nps_accumulator::result_type, nps_result>);
static_assert(std::is_same_v<full_set::result_type,
                             std::tuple<nps_result, csat_result, ces_result, resolution_result, score_counts>>);
static_assert(std::is_same_v<dense_nps::key_type, std::tuple<std::uint32_t, std::uint32_t>>);
static_assert(std::is_same_v<hashed_nps::key_type, std::tuple<std::uint64_t, std::string>>);

static_assert(!accumulator<lacks_merge>);
static_assert(!accumulator<lacks_equality>);
static_assert(!accumulator<int>);
static_assert(!accumulates<nps_accumulator, std::string>);
static_assert(!accumulates_weighted<full_set, response>);  // a response carries its own weight
static_assert(!column_member<lacks_merge>);
static_assert(column_member<score_histogram>);

// ------------------------------------------------------------------ data

constexpr std::array<double, 8> dyadic_weights{0.25, 0.5, 0.75, 1.0, 1.0, 1.5, 2.0, 3.75};

/// Seeded random responses; each answer is missing with probability ~1/8.
/// `weighted` draws weights from dyadic_weights, otherwise every weight is 1.
std::vector<response> random_rows(std::size_t n, std::uint64_t seed, bool weighted) {
  std::mt19937_64 rng(seed);
  const auto pick = [&](std::uint64_t k) { return static_cast<int>(rng() % k); };
  std::vector<response> rows(n);
  for (auto& r : rows) {
    if (pick(8) != 0) r.nps = pick(11);
    if (pick(8) != 0) r.csat = 1 + pick(5);
    if (pick(8) != 0) r.ces = 1 + pick(7);
    r.resolved = std::array{resolution::yes, resolution::no, resolution::unknown}[static_cast<std::size_t>(pick(3))];
    r.channel = channel_id{static_cast<std::uint16_t>(pick(6))};
    r.agent = "agent-" + std::to_string(pick(40));
    r.segment = std::array{"smb", "enterprise", "consumer", ""}[static_cast<std::size_t>(pick(4))];
    if (weighted) r.weight = dyadic_weights[static_cast<std::size_t>(pick(dyadic_weights.size()))];
  }
  return rows;
}

response_table table_of(const std::vector<response>& rows) {
  response_table t;
  for (const auto& r : rows) t.append(r);
  return t;
}

/// Many engine chunks on two threads, so the columnar paths split and merge.
engine::count_options split_options() {
  engine::count_options o;
  o.threads = 2;
  o.chunk = engine::block_rows;
  return o;
}

/// A hand-made histogram: count and Σw, Σw² per score.
struct hand_hist {
  std::vector<std::uint64_t> n;
  std::vector<double> w;
  std::vector<double> w2;
  explicit hand_hist(std::size_t points = 11) : n(points, 0), w(points, 0.0), w2(points, 0.0) {}
  void add(std::size_t bin, double weight) {
    ++n[bin];
    w[bin] += weight;
    w2[bin] += weight * weight;
  }
};

/// Expects `c` to hold exactly the counts of `h` (and its weight sums when weighted).
void expect_counts(const score_counts& c, const hand_hist& h, bool weighted, const std::string& what) {
  ASSERT_EQ(c.bins(), h.n.size()) << what;
  EXPECT_EQ(c.weighted(), weighted) << what;
  for (std::size_t b = 0; b < h.n.size(); ++b) {
    EXPECT_EQ(c.count(b), h.n[b]) << what << " bin " << b;
    if (weighted) {
      EXPECT_EQ(c.weight(b), h.w[b]) << what << " bin " << b;
      EXPECT_EQ(c.weight_sq(b), h.w2[b]) << what << " bin " << b;
    }
  }
}

// ------------------------------------------------------------------ column counting

TEST(CountColumn, SkipsAndCountsMissingScores) {
  // NPS scores 9, –, 3, 10, –, 7, 3: bins 3→2, 7→1, 9→1, 10→1; two missing.
  const std::vector<std::uint8_t> s{9, 255, 3, 10, 255, 7, 3};
  const auto c = engine::count_column(s, scale::nps());
  EXPECT_EQ(c.missing, 2U);
  EXPECT_EQ(c.counts.count(), 5U);
  EXPECT_EQ(c.counts.count_of(3), 2U);
  EXPECT_EQ(c.counts.count_of(7), 1U);
  EXPECT_EQ(c.counts.count_of(9), 1U);
  EXPECT_EQ(c.counts.count_of(10), 1U);
  EXPECT_FALSE(c.counts.weighted());

  // Weighted: the weights 8 and 16 of the missing rows are checked, not kept:
  // Σw = 0.5 + 1 + 0.25 + 2 + 0.75 = 4.5, Σw² = 0.25 + 1 + 0.0625 + 4 + 0.5625 = 5.875.
  const std::vector<double> w{0.5, 8.0, 1.0, 0.25, 16.0, 2.0, 0.75};
  const auto cw = engine::count_column(s, w, scale::nps());
  EXPECT_EQ(cw.missing, 2U);
  ASSERT_TRUE(cw.counts.weighted());
  EXPECT_EQ(cw.counts.total().w, 4.5);
  EXPECT_EQ(cw.counts.total().w2, 5.875);
  EXPECT_EQ(cw.counts.weight(scale::nps().bin(3)), 1.75);  // rows 2 and 6

  // No missing row: the same as the engine's histogram.
  const std::vector<std::uint8_t> full{1, 2, 5, 5};
  const auto plain = engine::count_column(full, scale::csat());
  EXPECT_EQ(plain.missing, 0U);
  EXPECT_EQ(plain.counts, engine::count_scores(full, scale::csat()));
}

TEST(CountColumn, LargeRandomColumnMatchesHandCounts) {
  std::mt19937_64 rng(20240611);
  const std::size_t n = 50'000;
  std::vector<std::uint8_t> s(n);
  std::vector<double> w(n);
  hand_hist h(7);
  std::uint64_t missing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = dyadic_weights[rng() % dyadic_weights.size()];
    if (rng() % 5 == 0) {
      s[i] = 255;
      ++missing;
    } else {
      s[i] = static_cast<std::uint8_t>(1 + rng() % 7);
      h.add(s[i] - 1U, w[i]);
    }
  }
  const auto o = split_options();
  const auto c = engine::count_column(s, scale::ces(), o);
  EXPECT_EQ(c.missing, missing);
  expect_counts(c.counts, h, false, "unweighted");
  const auto cw = engine::count_column(s, w, scale::ces(), o);
  EXPECT_EQ(cw.missing, missing);
  expect_counts(cw.counts, h, true, "double weights");
  const std::vector<float> wf(w.begin(), w.end());
  EXPECT_EQ(engine::count_column(s, wf, scale::ces(), o), cw);
}

TEST(CountColumn, ErrorsNameTheFirstBadRow) {
  engine::count_options o;
  o.first_row = 100;
  o.score_field = "csat";
  o.weight_field = "w";
  // A missing row first, then score 6 (off the 1..5 scale) at index 4 and 0 at index 6.
  const std::vector<std::uint8_t> s{3, 255, 2, 255, 6, 1, 0};
  try {
    (void)engine::count_column(s, scale::csat(), o);
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(104));
    EXPECT_EQ(e.where().field, "csat");
  }
  // The first bad score is at 0 here: bytes below the scale are caught too.
  const std::vector<std::uint8_t> low{255, 0, 3};
  try {
    (void)engine::count_column(low, scale::csat(), o);
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(101));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Bad weight (index 2) before a bad score (index 4), after a missing row.
  const std::vector<double> w1{1, 1, nan, 1, 1, 1, 1};
  try {
    (void)engine::count_column(s, w1, scale::csat(), o);
    FAIL() << "no throw";
  } catch (const invalid_weight& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(102));
    EXPECT_EQ(e.where().field, "w");
  }
  // Bad score (index 4) before a bad weight (index 5).
  const std::vector<double> w2{1, 1, 1, 1, 1, -1, 1};
  try {
    (void)engine::count_column(s, w2, scale::csat(), o);
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(104));
  }
  // A bad weight on a missing row counts too.
  const std::vector<double> w3{1, -2, 1, 1, 1, 1, 1};
  try {
    (void)engine::count_column(s, w3, scale::csat(), o);
    FAIL() << "no throw";
  } catch (const invalid_weight& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(101));
  }
  // A scale reaching 255 cannot be told from the missing marker.
  const std::vector<std::uint8_t> any{1};
  EXPECT_THROW((void)engine::count_column(any, scale::custom(0, 255, 200, 100)), invalid_argument);
}

TEST(CountColumn, ResolvedFlags) {
  // 1, 0, −1, 1, −1, 1: yes 3, no 1, unknown 2.
  const std::vector<std::int8_t> f{1, 0, -1, 1, -1, 1};
  const auto c = engine::count_resolved(f);
  EXPECT_EQ(c.counts.count_of(1), 3U);
  EXPECT_EQ(c.counts.count_of(0), 1U);
  EXPECT_EQ(c.missing, 2U);
  // Weighted: Σw(yes) = 0.5 + 1 + 2 = 3.5; the unknowns' weights are dropped.
  const std::vector<double> w{0.5, 0.25, 9.0, 1.0, 9.0, 2.0};
  const auto cw = engine::count_resolved(f, w);
  EXPECT_EQ(cw.counts.weight(1), 3.5);
  EXPECT_EQ(cw.counts.weight(0), 0.25);
  EXPECT_EQ(cw.missing, 2U);

  engine::count_options o;
  o.score_field = "resolved";
  for (const auto& bad : {std::vector<std::int8_t>{1, 0, 2, -1}, std::vector<std::int8_t>{1, -1, 2, 0}}) {
    try {
      (void)engine::count_resolved(bad, o);
      FAIL() << "no throw";
    } catch (const invalid_value& e) {
      EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(2));
      EXPECT_EQ(e.where().field, "resolved");
    }
  }
}

// ------------------------------------------------------------------ rows against columns

TEST(RowsAndColumns, EveryAccumulatorGivesTheSameState) {
  for (const bool weighted : {false, true}) {
    SCOPED_TRACE(weighted ? "weighted" : "unweighted");
    const auto rows = random_rows(20'000, weighted ? 7 : 8, weighted);
    const auto t = table_of(rows);
    ASSERT_EQ(t.weighted(), weighted);
    const auto o = split_options();

    nps_accumulator nps_rows, nps_cols, nps_cols_f;
    csat_accumulator csat_rows(scale::csat(1)), csat_cols(scale::csat(1));
    ces_accumulator ces_rows, ces_cols;
    resolution_accumulator res_rows, res_cols;
    score_histogram hist_rows(scale::csat()), hist_cols(scale::csat());
    hand_hist nps_hand(11);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      nps_rows.add(r, at_row(i));
      csat_rows.add(r, at_row(i));
      ces_rows.add(r, at_row(i));
      res_rows.add(r, at_row(i));
      if (r.csat) {
        if (weighted) {
          hist_rows.add(*r.csat, r.weight);
        } else {
          hist_rows.add(*r.csat);
        }
      }
      if (r.nps) nps_hand.add(static_cast<std::size_t>(*r.nps), r.weight);
    }
    if (weighted) {
      engine::add_column(nps_cols, t.nps(), t.weight(), o);
      const std::vector<float> wf(t.weight().begin(), t.weight().end());
      engine::add_column(nps_cols_f, t.nps(), std::span<const float>(wf), o);
      engine::add_column(csat_cols, t.csat(), t.weight(), o);
      engine::add_column(ces_cols, t.ces(), t.weight(), o);
      engine::add_column(res_cols, t.resolved(), t.weight(), o);
      engine::add_column(hist_cols, t.csat(), t.weight(), o);
    } else {
      engine::add_column(nps_cols, t.nps(), o);
      nps_cols_f = nps_cols;
      engine::add_column(csat_cols, t.csat(), o);
      engine::add_column(ces_cols, t.ces(), o);
      engine::add_column(res_cols, t.resolved(), o);
      engine::add_column(hist_cols, t.csat(), o);
    }
    expect_counts(nps_rows.counts(), nps_hand, weighted, "nps by hand");
    EXPECT_EQ(nps_rows, nps_cols);
    EXPECT_EQ(nps_cols_f, nps_cols);
    EXPECT_EQ(csat_rows, csat_cols);
    EXPECT_EQ(ces_rows, ces_cols);
    EXPECT_EQ(res_rows, res_cols);
    EXPECT_EQ(hist_rows, hist_cols);
    EXPECT_EQ(nps_rows.result(), nps_cols.result());
    EXPECT_EQ(res_rows.result(), res_cols.result());
    // Unknowns are counted as responses: count() is every row.
    EXPECT_EQ(res_rows.count(), rows.size());
  }
}

TEST(RowsAndColumns, AWeightOtherThanOneMakesTheStateWeighted) {
  // Row 1 has no NPS answer but weight 2: the NPS state still becomes
  // weighted, and the unweighted rows count with weight 1 (Σw = 1 + 1).
  response a;
  a.nps = 9;
  response b;
  b.weight = 2.0;
  response c;
  c.nps = 3;
  nps_accumulator acc;
  acc.add(a);
  EXPECT_FALSE(acc.counts().weighted());
  acc.add(b);
  EXPECT_TRUE(acc.counts().weighted());
  acc.add(c);
  EXPECT_EQ(acc.count(), 2U);
  EXPECT_EQ(acc.counts().total().w, 2.0);
  EXPECT_EQ(acc.counts().total().w2, 2.0);

  // Errors name the field and leave the state unchanged.
  response bad;
  bad.nps = 11;
  const auto before = acc;
  try {
    acc.add(bad, at_row(41));
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(41));
    EXPECT_EQ(e.where().field, "nps");
  }
  bad.nps = 4;
  bad.weight = -1.0;
  try {
    acc.add(bad, at_row(42));
    FAIL() << "no throw";
  } catch (const invalid_weight& e) {
    EXPECT_EQ(e.where().field, "weight");
  }
  EXPECT_EQ(acc, before);
}

// ------------------------------------------------------------------ metric_set

full_set make_full_set() {
  // csat_accumulator on csat(1) and the histogram on csat(2) share the csat column.
  return full_set(nps_accumulator{}, csat_accumulator(scale::csat(1)), ces_accumulator{}, resolution_accumulator{},
                  score_histogram(scale::csat()));
}

TEST(MetricSet, EqualsEachMemberRunAlone) {
  for (const bool weighted : {false, true}) {
    SCOPED_TRACE(weighted ? "weighted" : "unweighted");
    const auto rows = random_rows(12'000, weighted ? 11 : 12, weighted);
    const auto t = table_of(rows);
    auto by_rows = make_full_set();
    auto by_cols = make_full_set();
    nps_accumulator nps;
    csat_accumulator csat(by_rows.get<csat_accumulator>().scale_of());
    ces_accumulator ces;
    resolution_accumulator res;
    score_histogram hist(scale::csat());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      by_rows.add(rows[i], at_row(i));
      nps.add(rows[i], at_row(i));
      csat.add(rows[i], at_row(i));
      ces.add(rows[i], at_row(i));
      res.add(rows[i], at_row(i));
      column_reader<score_histogram>::add(hist, rows[i], at_row(i));
    }
    by_cols.add(t, split_options());

    EXPECT_EQ(by_rows.count(), rows.size());
    EXPECT_EQ(by_rows.get<nps_accumulator>(), nps);
    EXPECT_EQ(by_rows.get<csat_accumulator>(), csat);
    EXPECT_EQ(by_rows.get<2>(), ces);
    EXPECT_EQ(by_rows.get<resolution_accumulator>(), res);
    EXPECT_EQ(by_rows.get<score_histogram>(), hist);
    EXPECT_EQ(by_rows.result(), std::make_tuple(nps.result(), csat.result(), ces.result(), res.result(), hist.result()));
    EXPECT_EQ(by_cols, by_rows);
    // Every member follows the set's weighting, whichever rows answered it.
    EXPECT_EQ(by_cols.get<ces_accumulator>().counts().weighted(), weighted);
    EXPECT_EQ(by_cols.get<resolution_accumulator>().counts().weighted(), weighted);

    // The histogram reads the same csat answers as the top-1 member.
    const auto& h = by_cols.get<score_histogram>().counts();
    const auto& c1 = by_cols.get<csat_accumulator>().counts();
    EXPECT_EQ(std::vector<std::uint64_t>(h.raw_counts().begin(), h.raw_counts().end()),
              std::vector<std::uint64_t>(c1.raw_counts().begin(), c1.raw_counts().end()));
    EXPECT_EQ(c1.scale_of(), scale::csat(1));
  }
}

TEST(MetricSet, ABadRowChangesNothing) {
  auto s = make_full_set();
  const auto rows = random_rows(50, 3, true);
  for (std::size_t i = 0; i < rows.size(); ++i) s.add(rows[i], at_row(i));
  const auto before = s;
  response bad;
  bad.nps = 10;  // valid, read by the first member
  bad.csat = 4;
  bad.ces = 8;   // off the 1..7 scale
  try {
    s.add(bad, at_row(50));
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(50));
    EXPECT_EQ(e.where().field, "ces");
  }
  bad.ces = 2;
  bad.resolved = static_cast<resolution>(3);
  EXPECT_THROW(s.add(bad, at_row(50)), invalid_value);
  bad.resolved = resolution::no;
  bad.weight = std::numeric_limits<double>::infinity();
  EXPECT_THROW(s.add(bad, at_row(50)), invalid_weight);
  EXPECT_EQ(s, before);

  // Columns: a bad csat value at index 7 with first_row 1000.
  std::vector<std::uint8_t> nps(20, 9);
  std::vector<std::uint8_t> csat(20, 255);
  std::vector<std::uint8_t> ces(20, 4);
  std::vector<std::int8_t> resolved(20, 1);
  csat[7] = 9;
  response_columns cols;
  cols.nps = nps;
  cols.csat = csat;
  cols.ces = ces;
  cols.resolved = resolved;
  engine::count_options o;
  o.first_row = 1000;
  try {
    s.add(cols, o);
    FAIL() << "no throw";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(1007));
    EXPECT_EQ(e.where().field, "csat");
  }
  EXPECT_EQ(s, before);
  // A column a member reads must be given; a column of another length is refused.
  csat[7] = 3;
  cols.ces = {};
  EXPECT_THROW(s.add(cols, o), invalid_argument);
  cols.ces = std::span<const std::uint8_t>(ces).first(19);
  EXPECT_THROW(s.add(cols, o), invalid_argument);
  EXPECT_EQ(s, before);
  // Columns nobody reads may be left out.
  metric_set<nps_accumulator> only_nps;
  response_columns just_nps;
  just_nps.nps = nps;
  only_nps.add(just_nps);
  EXPECT_EQ(only_nps.count(), 20U);
  EXPECT_EQ(only_nps.get<0>().counts().count_of(9), 20U);
}

TEST(MetricSet, PartsAndIncompatibleMerges) {
  auto s = make_full_set();
  for (const auto& r : random_rows(30, 5, false)) s.add(r);
  const full_set rebuilt(s.count(), s.get<0>(), s.get<1>(), s.get<2>(), s.get<3>(), s.get<4>());
  EXPECT_EQ(rebuilt, s);
  EXPECT_THROW(full_set(1, s.get<0>(), s.get<1>(), s.get<2>(), s.get<3>(), s.get<4>()), invalid_argument);

  auto other = full_set();  // csat top-2 where s has top-1
  response r;
  r.nps = 9;
  r.csat = 4;
  other.add(r);
  const auto before = s;
  EXPECT_THROW(s.merge(other), incompatible_merge);
  EXPECT_EQ(s, before);  // the nps member, merged before the csat one failed, is unchanged too
}

// ------------------------------------------------------------------ group_by

TEST(GroupBy, DenseKeysMatchAHandMadeMap) {
  const auto rows = random_rows(15'000, 21, true);
  std::mt19937_64 rng(99);
  std::vector<std::uint8_t> channel(rows.size()), score(rows.size());
  std::vector<std::uint16_t> month(rows.size());
  std::vector<double> weight(rows.size());
  std::map<std::tuple<std::uint32_t, std::uint32_t>, hand_hist> ref;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    channel[i] = static_cast<std::uint8_t>(rows[i].channel.value);
    month[i] = static_cast<std::uint16_t>(rng() % 7);
    score[i] = static_cast<std::uint8_t>(rng() % 11);
    weight[i] = rows[i].weight;
    ref[{channel[i], month[i]}].add(score[i], weight[i]);
  }
  const engine::key_column keys[] = {{channel, 6, "channel"}, {month, 7, "month"}};

  // Rows one by one, the columnar fast path and the weighted row loop.
  dense_nps by_rows(nps_accumulator{}, 7U), by_cols(nps_accumulator{}, 7U), weighted(nps_accumulator{}, 7U);
  for (std::size_t i = 0; i < rows.size(); ++i) by_rows.add(channel[i], month[i], score[i]);
  by_cols.add_columns(keys, score, split_options());
  weighted.add_columns(keys, score, weight);
  EXPECT_EQ(by_cols, by_rows);
  ASSERT_EQ(by_rows.size(), ref.size());
  auto it = ref.begin();
  for (const auto& [key, acc] : by_rows.groups()) {
    EXPECT_EQ(key, it->first);
    expect_counts(acc.get().counts(), it->second, false, "group");
    expect_counts(weighted.at(std::get<0>(key), std::get<1>(key)).counts(), it->second, true, "weighted group");
    ++it;
  }
  // result() lists the same keys with each group's result.
  const auto res = by_rows.result();
  ASSERT_EQ(res.size(), ref.size());
  EXPECT_EQ(res.front().first, ref.begin()->first);
  EXPECT_EQ(res.front().second, compute_nps(by_rows.groups().front().second.get().counts()));

  // A missing score takes the generic loop: the group exists, no score is added.
  std::vector<std::uint8_t> with_missing = score;
  with_missing[0] = 255;
  dense_nps generic(nps_accumulator{}, 7U);
  generic.add_columns(keys, with_missing);
  EXPECT_EQ(generic.count(), rows.size() - 1);
  EXPECT_EQ(generic.size(), ref.size());
  EXPECT_EQ(generic.at(channel[0], month[0]).count(),
            std::accumulate(ref[{channel[0], month[0]}].n.begin(), ref[{channel[0], month[0]}].n.end(),
                            std::uint64_t{0}) -
                1);

  // The same through a plain histogram (row loop) and a mixed dense/hashed key.
  group_by<score_histogram, dense_key<6>, dense_key<>> hist(score_histogram(scale::nps()), 7U);
  hist.add_columns(keys, score);
  mixed_hist mixed{score_histogram(scale::nps())};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    mixed.add(channel[i] % 4, "m" + std::to_string(month[i]), static_cast<int>(score[i]));
  }
  for (const auto& [key, acc] : hist.groups()) {
    EXPECT_EQ(acc.get().counts().raw_counts().size(), 11U);
    expect_counts(acc.get().counts(), ref[key], false, "histogram group");
  }
  // Mixed keys: ("m0" < "m1" < ... as strings), hand totals per (channel % 4, month).
  std::map<std::tuple<std::uint32_t, std::string>, std::uint64_t> mixed_ref;
  for (std::size_t i = 0; i < rows.size(); ++i) ++mixed_ref[{channel[i] % 4U, "m" + std::to_string(month[i])}];
  ASSERT_EQ(mixed.size(), mixed_ref.size());
  auto mit = mixed_ref.begin();
  for (const auto& [key, acc] : mixed.groups()) {
    EXPECT_EQ(key, mit->first);
    EXPECT_EQ(acc.get().count(), mit->second);
    ++mit;
  }
}

TEST(GroupBy, HashedKeysIterateInKeyOrderWhateverTheInsertionOrder) {
  std::mt19937_64 rng(4242);
  struct row {
    std::uint64_t agent;
    std::string segment;
    int score;
  };
  std::vector<std::uint64_t> agents(30);
  for (auto& a : agents) a = rng();  // spread over the whole 64-bit range
  std::vector<row> data(5'000);
  std::map<std::tuple<std::uint64_t, std::string>, hand_hist> ref;
  for (auto& d : data) {
    d.agent = agents[rng() % agents.size()];
    d.segment = std::array{"b", "a", "", "aa", "B"}[rng() % 5];
    d.score = static_cast<int>(rng() % 11);
    ref[{d.agent, d.segment}].add(static_cast<std::size_t>(d.score), 1.0);
  }
  const auto build = [](const std::vector<row>& v) {
    hashed_nps g;
    for (const auto& d : v) g.add(d.agent, d.segment, d.score);
    return g;
  };
  const auto in_order = build(data);
  auto shuffled_data = data;
  std::shuffle(shuffled_data.begin(), shuffled_data.end(), rng);
  const auto shuffled = build(shuffled_data);
  auto reversed_data = data;
  std::reverse(reversed_data.begin(), reversed_data.end());
  const auto reversed = build(reversed_data);

  EXPECT_EQ(shuffled, in_order);
  EXPECT_EQ(reversed, in_order);
  ASSERT_EQ(in_order.size(), ref.size());
  for (const auto* g : {&in_order, &shuffled, &reversed}) {
    auto it = ref.begin();
    for (const auto& [key, acc] : g->groups()) {
      EXPECT_EQ(key, it->first);
      expect_counts(acc.get().counts(), it->second, false, "hashed group");
      ++it;
    }
    EXPECT_EQ(g->result(), in_order.result());
  }
  const auto& [first_agent, first_segment] = ref.begin()->first;
  EXPECT_EQ(in_order.at(first_agent, first_segment).count(),
            std::accumulate(ref.begin()->second.n.begin(), ref.begin()->second.n.end(), std::uint64_t{0}));
  EXPECT_EQ(in_order.find(first_agent, std::string("no such segment")), nullptr);
  EXPECT_THROW((void)in_order.at(first_agent, "no such segment"), invalid_argument);
}

TEST(GroupBy, DenseKeyOutOfRangeNamesRowAndField) {
  std::vector<std::uint8_t> channel{0, 1, 2, 7, 8, 1};  // 8 is outside 0..7 at index 4
  std::vector<std::uint16_t> month{0, 1, 2, 3, 4, 5};
  std::vector<std::uint8_t> score{9, 9, 3, 4, 10, 6};
  const engine::key_column keys[] = {{channel, 8, "channel"}, {month, 6, "month"}};
  engine::count_options o;
  o.first_row = 500;

  group_by<nps_accumulator, dense_key<8>, dense_key<>> fast(nps_accumulator{}, 6U);
  group_by<score_histogram, dense_key<8>, dense_key<>> slow(score_histogram(scale::nps()), 6U);
  fast.add(0, 0, 5);
  slow.add(0, 0, 5);
  const auto fast_before = fast;
  const auto slow_before = slow;
  const auto expect_key_error = [&](auto& g) {
    try {
      g.add_columns(keys, score, o);
      FAIL() << "no throw";
    } catch (const invalid_value& e) {
      EXPECT_EQ(e.where().row, std::optional<std::uint64_t>(504));
      EXPECT_EQ(e.where().field, "channel");
    }
  };
  expect_key_error(fast);
  expect_key_error(slow);
  EXPECT_EQ(fast, fast_before);
  EXPECT_EQ(slow, slow_before);

  // A bad score on the same row is reported first, on both paths.
  score[4] = 11;
  EXPECT_THROW(fast.add_columns(keys, score, o), score_out_of_scale);
  EXPECT_THROW(slow.add_columns(keys, score, o), score_out_of_scale);
  EXPECT_EQ(fast, fast_before);

  // One row at a time: the key's position names the field; nothing is created.
  try {
    fast.add(8, 0, 5);
    FAIL() << "no throw";
  } catch (const invalid_value& e) {
    EXPECT_EQ(e.where().field, "key 0");
  }
  EXPECT_THROW(fast.add(-1, 0, 5), invalid_value);
  EXPECT_THROW(fast.add(0, 6, 5), invalid_value);
  EXPECT_THROW(fast.add(1, 1, 11), score_out_of_scale);  // bad score: the new group is removed again
  EXPECT_EQ(fast.find(1, 1), nullptr);
  EXPECT_EQ(fast.find(9, 1), nullptr);
  EXPECT_EQ(fast, fast_before);

  // Key columns must fit the grouping.
  const engine::key_column wrong_card[] = {{channel, 9, "channel"}, {month, 6, "month"}};
  EXPECT_THROW(fast.add_columns(wrong_card, score, o), invalid_argument);
  const engine::key_column one_key[] = {{channel, 8, "channel"}};
  EXPECT_THROW(fast.add_columns(one_key, score, o), invalid_argument);
}

TEST(GroupBy, ResponseColumnsEqualRows) {
  const auto rows = random_rows(8'000, 31, true);
  const auto t = table_of(rows);
  grouped_set by_rows, by_cols;
  for (std::size_t i = 0; i < rows.size(); ++i) by_rows.add(rows[i].channel.value, rows[i], at_row(i));
  const engine::key_column keys[] = {{t.channel(), 6, "channel"}};
  by_cols.add_columns(keys, columns_of(t));
  EXPECT_EQ(by_cols, by_rows);
  EXPECT_EQ(by_rows.count(), rows.size());
  // Per channel, the set equals one built from that channel's rows alone.
  for (const auto& [key, set] : by_rows.groups()) {
    metric_set<nps_accumulator, resolution_accumulator> alone;
    for (const auto& r : rows) {
      if (r.channel.value == std::get<0>(key)) alone.add(r);
    }
    EXPECT_EQ(set.get(), alone);
  }
}

TEST(GroupBy, StateFromParts) {
  group_by<csat_accumulator, dense_key<>, std::string> g(csat_accumulator(scale::csat(1)), 5U);
  const auto rows = random_rows(400, 17, true);
  for (const auto& r : rows) g.add(r.channel.value % 5U, r.segment, r);
  auto rebuilt = decltype(g)::with_shape(g.prototype(), g.shape());
  const auto parts = g.groups();
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) rebuilt.insert(it->first, it->second.get());
  EXPECT_EQ(rebuilt, g);
  EXPECT_EQ(g.shape(), (std::array<std::uint32_t, 2>{5, 0}));
  // Inserting under an existing key merges.
  rebuilt.insert(parts.front().first, parts.front().second.get());
  EXPECT_EQ(rebuilt.count(), g.count() + parts.front().second.get().count());
  // Parts that do not fit are refused.
  EXPECT_THROW(rebuilt.insert({5U, "x"}, csat_accumulator(g.prototype().scale_of())), invalid_value);
  EXPECT_THROW(rebuilt.insert({0U, "x"}, csat_accumulator{}), incompatible_merge);
  EXPECT_THROW((void)decltype(g)::with_shape(g.prototype(), {5, 3}), invalid_argument);  // hashed key: 0
  // A dense_key<> of cardinality 0 (as default-constructed) accepts no key.
  auto none = decltype(g)::with_shape(g.prototype(), {0, 0});
  EXPECT_EQ(none, decltype(g)(g.prototype(), 0U));
  EXPECT_THROW(none.add(0U, "x", response{}), invalid_value);
  EXPECT_TRUE(none.groups().empty());
  EXPECT_EQ(decltype(g)().shape(), (std::array<std::uint32_t, 2>{0, 0}));
  // Fixed cardinalities must match.
  using fixed = group_by<score_histogram, dense_key<3>>;
  EXPECT_THROW((void)fixed::with_shape(score_histogram{}, {4}), invalid_argument);
  EXPECT_EQ(fixed::with_shape(score_histogram{}, {3}), fixed{});
  csat_accumulator non_empty;
  non_empty.add(3);
  EXPECT_THROW((void)decltype(g)::with_shape(non_empty, {5, 0}), invalid_argument);
}

// ------------------------------------------------------------------ merge laws

// cxm::testing::check_merge_laws (the public helper for any accumulator):
// identity, commutativity, associativity, union and every split point.
template <class Make, class Feed>
void expect_merge_laws(Make make, Feed feed, const std::vector<response>& rows, const char* what) {
  SCOPED_TRACE(what);
  const auto report = cxm::testing::check_merge_laws(make, feed, rows);
  EXPECT_TRUE(report) << report.message();
}

TEST(Merge, LawsHoldForEveryAccumulator) {
  for (const bool weighted : {false, true}) {
    const auto rows = random_rows(3'000, weighted ? 61 : 62, weighted);
    const auto add = [](auto& acc, const response& r, std::size_t i) { acc.add(r, at_row(i)); };
    expect_merge_laws([] { return nps_accumulator{}; }, add, rows, "nps");
    expect_merge_laws([] { return csat_accumulator(scale::csat(1)); }, add, rows, "csat");
    expect_merge_laws([] { return ces_accumulator{}; }, add, rows, "ces");
    expect_merge_laws([] { return resolution_accumulator{}; }, add, rows, "resolution");
    expect_merge_laws(
        [] { return rating_accumulator(scale::csat()); },
        [](auto& acc, const response& r, std::size_t) {
          if (r.csat) acc.add(*r.csat, r.weight);
        },
        rows, "rating");
    expect_merge_laws(
        [] { return score_histogram(scale::ces()); },
        [](auto& acc, const response& r, std::size_t i) { column_reader<score_histogram>::add(acc, r, at_row(i)); }, rows,
        "histogram");
    expect_merge_laws(make_full_set, add, rows, "metric_set");
    expect_merge_laws(
        [] { return grouped_set{}; },
        [](auto& acc, const response& r, std::size_t i) { acc.add(r.channel.value, r, at_row(i)); }, rows, "dense");
    expect_merge_laws(
        [] { return group_by<full_set, std::string, std::string>(make_full_set()); },
        [](auto& acc, const response& r, std::size_t i) { acc.add(r.agent, r.segment, r, at_row(i)); }, rows, "hashed");
  }
}

TEST(Merge, TheLawHelperCatchesABrokenMerge) {
  const std::vector<int> inputs{3, 1, 4, 1, 5, 9, 2, 6};
  const auto feed = [](auto& acc, int v, std::size_t) { acc.add(v); };
  const auto lost = cxm::testing::check_merge_laws([] { return forgets_merges{}; }, feed, inputs);
  EXPECT_FALSE(lost);
  EXPECT_NE(lost.message().find("union: merge(merge(x, y), z) != the state of all inputs"), std::string::npos)
      << lost.message();
  EXPECT_NE(lost.message().find("split anywhere: merge(state(0..1), state(1..8))"), std::string::npos)
      << lost.message();
  // Appending is associative and keeps the union, but is not commutative:
  // only that law fails, and only while it is promised.
  const auto ordered = cxm::testing::check_merge_laws([] { return keeps_order{}; }, feed, inputs);
  ASSERT_EQ(ordered.failures.size(), 1u) << ordered.message();
  EXPECT_EQ(ordered.failures[0], "commutativity: merge(x, y) != merge(y, x)");
  EXPECT_TRUE(cxm::testing::check_merge_laws([] { return keeps_order{}; }, feed, inputs, {false, 64}));
  // Long inputs are cut at max_cuts places plus both ends.
  EXPECT_EQ(cxm::testing::detail::cut_points(8, 64).size(), 9u);
  EXPECT_EQ(cxm::testing::detail::cut_points(1000, 4), (std::vector<std::size_t>{0, 200, 400, 600, 800, 1000}));
}

/// Two states on scale `same` merge (counts add); a state on `other`, whose
/// points or cut points differ, is refused and changes nothing.
template <class A>
void expect_merges_only_on_its_scale(const scale& same, const scale& other, int score) {
  SCOPED_TRACE(same.describe() + " / " + other.describe());
  A a(same), b(same), c(other);
  a.add(score);
  b.add(score, 0.5);
  c.add(score);
  ASSERT_NO_THROW(a.merge(b));
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.counts().total().w, 1.5);
  const auto before = a;
  EXPECT_THROW(a.merge(c), incompatible_merge);
  EXPECT_EQ(a, before);
}

TEST(Merge, RefusesOnlyWhatChangesTheCounts) {
  // The scale decides the bin a score counts in and the cut points the
  // group (top box, "easy", promoter): they are the state. Level, method,
  // seed and prior are not (see holds_no_options above).
  expect_merges_only_on_its_scale<csat_accumulator>(scale::csat(2), scale::csat(1), 4);
  expect_merges_only_on_its_scale<csat_accumulator>(scale::csat(3), scale::csat(4), 2);
  expect_merges_only_on_its_scale<ces_accumulator>(scale::ces(5), scale::ces(6), 5);
  expect_merges_only_on_its_scale<rating_accumulator>(scale::custom(1, 5, 4, 2), scale::custom(1, 5, 5, 2), 4);
  expect_merges_only_on_its_scale<rating_accumulator>(scale::custom(1, 5, 4, 2), scale::custom(1, 5, 4, 1), 4);
  expect_merges_only_on_its_scale<rating_accumulator>(scale::custom(1, 5, 4, 2), scale::custom(1, 7, 4, 2), 4);
  expect_merges_only_on_its_scale<score_histogram>(scale::nps(), scale::custom(0, 10, 9, 5), 9);

  // States that were read with different questions in mind merge, and each
  // question is answered from the merged counts.
  nps_accumulator east, west;
  for (int x : {10, 9, 2}) east.add(x);
  for (int x : {8, 0}) west.add(x);
  nps_options bootstrap;
  bootstrap.method = interval_method::bootstrap;
  bootstrap.seed = 7;
  bootstrap.bootstrap_replicates = 200;
  nps_options bayes;
  bayes.method = interval_method::bayes_dirichlet;
  bayes.prior = 1.0;
  bayes.level = 0.8;
  (void)east.result(bootstrap);
  (void)west.result(bayes);
  ASSERT_NO_THROW(east.merge(west));
  // 10, 9 promoters, 8 passive, 2 and 0 detractors: NPS 0 whatever is asked.
  EXPECT_EQ(east.result(bootstrap).nps.value(), 0.0);
  EXPECT_EQ(east.result(bayes).nps.ci()->level, 0.8);
}

TEST(Merge, IncompatibleStatesThrow) {
  score_histogram n(scale::nps());
  n.add(9);
  EXPECT_THROW(n.merge(score_histogram(scale::csat())), incompatible_merge);
  EXPECT_THROW(n.merge(score_histogram(scale::custom(0, 10, 8, 5))), incompatible_merge);  // same points, other cuts

  // What a reader asks for is not part of the state; the cut points are.
  csat_accumulator top2;
  EXPECT_THROW(top2.merge(csat_accumulator(scale::csat(1))), incompatible_merge);

  using g = group_by<score_histogram, dense_key<>>;
  g on_nps(score_histogram(scale::nps()), 5U);
  on_nps.add(1, 9);
  const auto before = on_nps;
  g on_csat(score_histogram(scale::csat()), 5U);
  EXPECT_THROW(on_nps.merge(on_csat), incompatible_merge);  // even with no group in common
  g wider(score_histogram(scale::nps()), 6U);
  EXPECT_THROW(on_nps.merge(wider), incompatible_merge);
  EXPECT_EQ(on_nps, before);

  using hashed_csat = group_by<csat_accumulator, std::uint64_t, std::string>;
  hashed_csat h1;
  hashed_csat h2(csat_accumulator{scale::csat(1)});
  h2.add(std::uint64_t{1}, "x", 3);
  EXPECT_THROW(h1.merge(h2), incompatible_merge);
  EXPECT_TRUE(h1.empty());
}

}  // namespace
