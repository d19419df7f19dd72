// Counting engine: every kernel at every instruction-set level against plain
// counting loops written here (the independent reference), on odd lengths and
// unaligned starts, with every value of a scale, with bad values, and across
// thread counts and chunk sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/core/isa.hpp"

namespace {

using namespace cxm;
using engine::count_options;

// ------------------------------------------------------------------ references

std::vector<std::uint64_t> ref_hist(std::span<const std::uint8_t> s, const scale& sc) {
  std::vector<std::uint64_t> n(static_cast<std::size_t>(sc.points()), 0);
  for (auto v : s) ++n[static_cast<std::size_t>(v - sc.min())];
  return n;
}

engine::nps_tally ref_tally(std::span<const std::uint8_t> s, const scale& sc) {
  engine::nps_tally t;
  for (auto v : s) {
    if (v <= sc.low_max()) {
      ++t.detractors;
    } else if (v >= sc.high_min()) {
      ++t.promoters;
    } else {
      ++t.passives;
    }
  }
  return t;
}

template <class TW>
engine::weighted_nps_tally ref_weighted_tally(std::span<const std::uint8_t> s, std::span<const TW> w,
                                              const scale& sc) {
  engine::weighted_nps_tally t;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bin_totals& b = s[i] <= sc.low_max() ? t.detractors : (s[i] >= sc.high_min() ? t.promoters : t.passives);
    const double x = static_cast<double>(w[i]);
    ++b.n;
    b.w += x;
    b.w2 += x * x;
  }
  return t;
}

// Random scores on a scale; `pattern` 0 uniform, 1 all the same value,
// 2 every value in turn, 3 long runs.
std::vector<std::uint8_t> make_scores(std::size_t n, const scale& sc, std::uint32_t seed, int pattern = 0) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(sc.min(), sc.max());
  std::vector<std::uint8_t> out(n);
  int run_value = pick(rng);
  for (std::size_t i = 0; i < n; ++i) {
    switch (pattern) {
      case 0: out[i] = static_cast<std::uint8_t>(pick(rng)); break;
      case 1: out[i] = static_cast<std::uint8_t>(sc.max()); break;
      case 2: out[i] = static_cast<std::uint8_t>(sc.min() + static_cast<int>(i % static_cast<std::size_t>(sc.points()))); break;
      default:
        if (i % 1000 == 0) run_value = pick(rng);
        out[i] = static_cast<std::uint8_t>(run_value);
        break;
    }
  }
  return out;
}

const std::vector<std::size_t> kLengths = {0,   1,   2,   15,  16,   17,   31,   32,   33,    63,    64,  65,
                                           127, 128, 129, 255, 256,  257,  1000, 4095, 4096,  4097,  10000, 70001};
const std::vector<std::size_t> kOffsets = {0, 1, 3, 15, 33};

std::vector<scale> test_scales() {
  return {scale::nps(),
          scale::csat(),
          scale::ces(),
          scale::binary(),
          scale::custom(20, 30, 28, 23),     // 11 points above 15: shuffle path with an offset
          scale::custom(0, 100, 80, 40),     // 101 points: compare path / scalar histogram
          scale::custom(0, 255, 200, 100),   // every byte is valid
          scale::custom(3, 18, 15, 6)};      // 16 points, the largest shuffle histogram
}

count_options at_level(isa level) {
  count_options o;
  o.level = level;
  return o;
}

// ------------------------------------------------------------------ per level

class EngineLevel : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    if (!isa_available(GetParam())) {
      GTEST_SKIP() << "level " << to_string(GetParam()) << " not available on this CPU/build";
    }
  }
};

TEST_P(EngineLevel, HistogramAndTallyMatchReferenceOnOddLengthsAndOffsets) {
  const auto o = at_level(GetParam());
  std::uint32_t seed = 1;
  for (const auto& sc : test_scales()) {
    for (std::size_t len : kLengths) {
      const auto buffer = make_scores(len + 64, sc, seed++);
      for (std::size_t off : kOffsets) {
        const std::span<const std::uint8_t> s(buffer.data() + off, len);
        const auto h = engine::count_scores(s, sc, o);
        ASSERT_EQ(std::vector<std::uint64_t>(h.raw_counts().begin(), h.raw_counts().end()), ref_hist(s, sc))
            << sc.describe() << " n=" << len << " offset=" << off;
        ASSERT_FALSE(h.weighted());
        ASSERT_EQ(engine::count_nps(s, sc, o), ref_tally(s, sc))
            << sc.describe() << " n=" << len << " offset=" << off;
      }
    }
  }
}

TEST_P(EngineLevel, ByteCountersDoNotOverflowOnLongRuns) {
  // 300 000 equal scores: far more than 255 vectors of any width between two
  // flushes of the byte counters, so an unflushed counter would wrap.
  const auto o = at_level(GetParam());
  for (const auto& sc : test_scales()) {
    for (int pattern : {1, 2, 3}) {
      const auto s = make_scores(300000, sc, 7, pattern);
      const auto h = engine::count_scores(s, sc, o);
      EXPECT_EQ(std::vector<std::uint64_t>(h.raw_counts().begin(), h.raw_counts().end()), ref_hist(s, sc))
          << sc.describe() << " pattern " << pattern;
      EXPECT_EQ(engine::count_nps(s, sc, o), ref_tally(s, sc)) << sc.describe() << " pattern " << pattern;
    }
  }
  // Hand count: 300 000 tens are 300 000 promoters, nothing else.
  const std::vector<std::uint8_t> tens(300000, 10);
  const auto t = engine::count_nps(tens, scale::nps(), o);
  EXPECT_EQ(t.promoters, 300000u);
  EXPECT_EQ(t.passives + t.detractors, 0u);
}

TEST_P(EngineLevel, EveryScoreOutsideTheScaleIsReportedWithItsRow) {
  const auto o = at_level(GetParam());
  for (const auto& sc : test_scales()) {
    if (sc.min() == 0 && sc.max() == 255) continue;  // no byte is outside it
    std::vector<int> bad_values;
    if (sc.min() > 0) bad_values.push_back(sc.min() - 1);
    if (sc.min() > 0) bad_values.push_back(0);
    if (sc.max() < 255) bad_values.push_back(sc.max() + 1);
    if (sc.max() < 255) bad_values.push_back(255);
    if (sc.max() < 16) bad_values.push_back(16);  // aliases bin 0 in a 16-entry table
    for (std::size_t len : {std::size_t{1}, std::size_t{17}, std::size_t{64}, std::size_t{1000}, std::size_t{9000}}) {
      for (std::size_t pos : {std::size_t{0}, len / 2, len - 1}) {
        for (int bad : bad_values) {
          auto s = make_scores(len, sc, static_cast<std::uint32_t>(len + pos));
          s[pos] = static_cast<std::uint8_t>(bad);
          auto expect_row = [&](auto&& call, const char* what) {
            try {
              call();
              ADD_FAILURE() << what << ": no exception for score " << bad << " at " << pos << " on the "
                            << sc.describe();
            } catch (const score_out_of_scale& e) {
              EXPECT_EQ(e.where().row, pos) << what;
              EXPECT_EQ(e.where().field, "score") << what;
              EXPECT_NE(std::string(e.what()).find("score " + std::to_string(bad)), std::string::npos) << e.what();
            }
          };
          expect_row([&] { (void)engine::count_scores(s, sc, o); }, "histogram");
          expect_row([&] { (void)engine::count_nps(s, sc, o); }, "tally");
          const std::vector<float> wf(len, 1.0f);
          const std::vector<double> wd(len, 1.0);
          expect_row([&] { (void)engine::count_nps(s, wf, sc, o); }, "weighted tally f32");
          expect_row([&] { (void)engine::count_nps(s, wd, sc, o); }, "weighted tally f64");
          expect_row([&] { (void)engine::count_scores(s, wf, sc, o); }, "weighted histogram");
          const std::vector<std::uint8_t> key(len, 0);
          const engine::key_column keys[] = {{key, 1, "k"}};
          expect_row([&] { (void)engine::count_nps_by(s, keys, sc, o); }, "grouped");
        }
      }
    }
  }
}

TEST_P(EngineLevel, FirstBadRowWinsAcrossChunksAndThreads) {
  auto o = at_level(GetParam());
  o.first_row = 1000;  // rows are reported in the caller's numbering
  o.score_field = "nps";
  auto s = make_scores(100000, scale::nps(), 3);
  s[70000] = 11;
  s[30000] = 200;
  s[99999] = 12;
  for (unsigned threads : {1u, 2u, 5u}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{8192}, std::size_t{1} << 20}) {
      o.threads = threads;
      o.chunk = chunk;
      try {
        (void)engine::count_nps(s, scale::nps(), o);
        ADD_FAILURE() << "no exception";
      } catch (const score_out_of_scale& e) {
        EXPECT_EQ(e.where().row, 31000u);
        EXPECT_STREQ(e.what(),
                     "[cxm.score_out_of_scale.101] row 31000, field 'nps': score 200 is outside the NPS scale 0..10");
      }
    }
  }
}

TEST_P(EngineLevel, InvalidWeightsAreReportedWithTheirRow) {
  const auto o = at_level(GetParam());
  // NaN, infinities, negatives, and outside 0 and 1e-100 .. 1e100 (counts.hpp):
  // just past each end, far past, and a subnormal.
  const double bad_values[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(), -1.0, -1e-300, 1.0000001e100, 9.99e-101,
                               1e155, 1e-200, std::numeric_limits<double>::denorm_min()};
  for (std::size_t len : {std::size_t{1}, std::size_t{16}, std::size_t{33}, std::size_t{5000}, std::size_t{20000}}) {
    for (std::size_t pos : {std::size_t{0}, len / 3, len - 1}) {
      for (double bad : bad_values) {
        const auto s = make_scores(len, scale::nps(), 11);
        std::vector<double> wd(len, 0.5);
        std::vector<float> wf(len, 0.5f);
        wd[pos] = bad;
        wf[pos] = static_cast<float>(bad);  // -1e-300 and 1e-200 round to ±0.0f, which are valid weights
        const double fw = static_cast<double>(wf[pos]);
        const bool float_bad = !((fw >= 1e-100 && fw <= 1e100) || fw == 0.0);
        auto check = [&](auto&& call, bool expect_throw, const char* what) {
          if (!expect_throw) {
            EXPECT_NO_THROW(call()) << what;
            return;
          }
          try {
            call();
            ADD_FAILURE() << what << ": no exception for weight " << bad << " at " << pos;
          } catch (const invalid_weight& e) {
            EXPECT_EQ(e.where().row, pos) << what;
            EXPECT_EQ(e.where().field, "weight") << what;
          }
        };
        check([&] { (void)engine::count_nps(s, wd, scale::nps(), o); }, true, "tally f64");
        check([&] { (void)engine::count_nps(s, wf, scale::nps(), o); }, float_bad, "tally f32");
        check([&] { (void)engine::count_scores(s, wd, scale::nps(), o); }, true, "histogram f64");
        check([&] { (void)engine::count_scores(s, wf, scale::nps(), o); }, float_bad, "histogram f32");
      }
    }
  }
}

TEST_P(EngineLevel, NegativeZeroWeightIsValidAndWeighsNothing) {
  const auto o = at_level(GetParam());
  const std::vector<std::uint8_t> s = {10, 0, 7};
  const std::vector<double> w = {-0.0, 2.0, 1.0};
  const auto t = engine::count_nps(s, w, scale::nps(), o);
  EXPECT_EQ(t.promoters.n, 1u);
  EXPECT_EQ(t.promoters.w, 0.0);
  EXPECT_EQ(t.detractors.w, 2.0);
  EXPECT_EQ(t.detractors.w2, 4.0);
}

TEST_P(EngineLevel, OverflowingWeightSumsThrowInsteadOfReturningInfinity) {
  const auto o = at_level(GetParam());
  const std::vector<std::uint8_t> s = {9, 9};
  const std::vector<double> w = {1e300, 1e300};  // w² = 1e600 would overflow a double; 1e300 > 1e100 is no weight
  for (const auto& call : {std::function<void()>([&] { (void)engine::count_nps(s, w, scale::nps(), o); }),
                           std::function<void()>([&] { (void)engine::count_scores(s, w, scale::nps(), o); })}) {
    try {
      call();
      ADD_FAILURE() << "no exception";
    } catch (const invalid_weight& e) {
      EXPECT_EQ(e.where().row, 0U);  // the row is named (no internal message about sums)
      EXPECT_EQ(e.reason(), "weight 1e+300 is outside the range of weights: 0, or 1e-100 to 1e100");
    }
  }
}

TEST_P(EngineLevel, WeightsAtTheEdgesOfTheRangeAreCounted) {
  // 0, -0, 1e-100 and 1e100 are weights. 40 rows (SIMD blocks and a scalar
  // tail): score 10 with weight 1e100 (rows 0, 4, ...), score 0 with 1e-100
  // (rows 1, 5, ...), score 7 with 0 and -0. Per group, 10 equal weights:
  // Σw = 10·w and Σw² = 10·w², to within rounding of the sums.
  const auto o = at_level(GetParam());
  std::vector<std::uint8_t> s;
  std::vector<double> w;
  for (int i = 0; i < 40; ++i) {
    const int k = i % 4;
    s.push_back(k == 0 ? 10 : (k == 1 ? 0 : 7));
    w.push_back(k == 0 ? 1e100 : (k == 1 ? 1e-100 : (k == 2 ? 0.0 : -0.0)));
  }
  const auto t = engine::count_nps(s, w, scale::nps(), o);
  EXPECT_EQ(t.promoters.n, 10U);
  EXPECT_NEAR(t.promoters.w / 1e101, 1.0, 1e-15);
  EXPECT_NEAR(t.promoters.w2 / 1e201, 1.0, 1e-15);
  EXPECT_NEAR(t.detractors.w / 1e-99, 1.0, 1e-15);
  EXPECT_NEAR(t.detractors.w2 / 1e-199, 1.0, 1e-15);  // 1e-200 is a normal double: nothing underflows
  EXPECT_EQ(t.passives.n, 20U);
  EXPECT_EQ(t.passives.w, 0.0);
  const auto h = engine::count_scores(s, w, scale::nps(), o);
  EXPECT_NEAR(h.weight(10) / 1e101, 1.0, 1e-15);
  EXPECT_NEAR(h.weight_sq(0) / 1e-199, 1.0, 1e-15);
}

TEST_P(EngineLevel, WeightedSumsAreExactOnDyadicWeights) {
  // Weights k/4 (k = 0..40) and their squares k²/16 are exact binary
  // fractions, and every partial sum here stays far below 2^53 / 16, so any
  // summation order gives the exact sum: the kernels must equal the plain
  // loop bit for bit.
  const auto o = at_level(GetParam());
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> k(0, 40);
  for (const auto& sc : test_scales()) {
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{4096}, std::size_t{4111},
                            std::size_t{50001}}) {
      const auto buffer = make_scores(len + 8, sc, static_cast<std::uint32_t>(len));
      std::vector<float> wf(len + 8);
      std::vector<double> wd(len + 8);
      for (std::size_t i = 0; i < wf.size(); ++i) {
        const int v = k(rng);
        wf[i] = static_cast<float>(v) / 4.0f;
        wd[i] = static_cast<double>(v) / 4.0;
      }
      for (std::size_t off : {std::size_t{0}, std::size_t{3}}) {
        const std::span<const std::uint8_t> s(buffer.data() + off, len);
        const std::span<const float> f(wf.data() + off, len);
        const std::span<const double> d(wd.data() + off, len);
        EXPECT_EQ(engine::count_nps(s, f, sc, o), ref_weighted_tally(s, f, sc)) << sc.describe() << " n=" << len;
        EXPECT_EQ(engine::count_nps(s, d, sc, o), ref_weighted_tally(s, d, sc)) << sc.describe() << " n=" << len;

        const auto points = static_cast<std::size_t>(sc.points());
        std::vector<std::uint64_t> n(points, 0);
        std::vector<double> sw(points, 0.0);
        std::vector<double> sw2(points, 0.0);
        for (std::size_t i = 0; i < len; ++i) {
          const auto b = static_cast<std::size_t>(s[i] - sc.min());
          ++n[b];
          sw[b] += d[i];
          sw2[b] += d[i] * d[i];
        }
        const score_counts expected(sc, n, sw, sw2);
        EXPECT_EQ(engine::count_scores(s, f, sc, o), expected) << sc.describe() << " n=" << len;
        EXPECT_EQ(engine::count_scores(s, d, sc, o), expected) << sc.describe() << " n=" << len;
      }
    }
  }
}

TEST_P(EngineLevel, GroupedTallyMatchesReference) {
  const auto o = at_level(GetParam());
  std::mt19937 rng(9);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{31}, std::size_t{1023}, std::size_t{1025},
                          std::size_t{40000}}) {
    const auto s = make_scores(len, scale::nps(), static_cast<std::uint32_t>(len) + 1);
    std::vector<std::uint8_t> channel(len);
    std::vector<std::uint16_t> month(len);
    std::vector<std::uint32_t> agent(len);
    for (std::size_t i = 0; i < len; ++i) {
      channel[i] = static_cast<std::uint8_t>(rng() % 8);
      month[i] = static_cast<std::uint16_t>(rng() % 36);
      agent[i] = static_cast<std::uint32_t>(rng() % 5000);
    }
    // channel × month: 288 cells, 16-bit index lanes, four counter copies.
    {
      const engine::key_column keys[] = {{channel, 8, "channel"}, {month, 36, "month"}};
      const auto g = engine::count_nps_by(s, keys, scale::nps(), o);
      std::vector<engine::nps_tally> ref(8 * 36);
      for (std::size_t i = 0; i < len; ++i) {
        auto& t = ref[channel[i] * 36u + month[i]];
        t.detractors += s[i] <= 6;
        t.passives += s[i] == 7 || s[i] == 8;
        t.promoters += s[i] >= 9;
      }
      ASSERT_EQ(g.size(), ref.size());
      EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << "n=" << len;
      EXPECT_EQ(g.total(), ref_tally(s, scale::nps()));
      if (len > 0) {
        EXPECT_EQ(g.at({channel[0], month[0]}), ref[channel[0] * 36u + month[0]]);
      }
    }
    // month × agent (32-bit keys): 180 000 cells, 32-bit lanes, one copy.
    {
      const engine::key_column keys[] = {{month, 36, "month"}, {agent, 5000, "agent"}};
      const auto g = engine::count_nps_by(s, keys, scale::nps(), o);
      std::vector<engine::nps_tally> ref(36 * 5000);
      for (std::size_t i = 0; i < len; ++i) {
        auto& t = ref[month[i] * 5000u + agent[i]];
        t.detractors += s[i] <= 6;
        t.passives += s[i] == 7 || s[i] == 8;
        t.promoters += s[i] >= 9;
      }
      EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << "n=" << len;
    }
    // One key on a CSAT scale (offset scores).
    {
      const auto cs = make_scores(len, scale::csat(), 4);
      const engine::key_column keys[] = {{channel, 8, "channel"}};
      const auto g = engine::count_nps_by(cs, keys, scale::csat(), o);
      for (std::uint32_t c = 0; c < 8; ++c) {
        std::vector<std::uint8_t> sub;
        for (std::size_t i = 0; i < len; ++i) {
          if (channel[i] == c) sub.push_back(cs[i]);
        }
        EXPECT_EQ(g.at({c}), ref_tally(sub, scale::csat()));
      }
    }
  }
}

TEST_P(EngineLevel, FourOrMoreKeyColumnsMatchReference) {
  // More than three key columns take the multi-pass kernel; with and without
  // a 32-bit column (32-bit and 16-bit counter indices).
  const auto o = at_level(GetParam());
  std::mt19937 rng(31);
  for (std::size_t len : {std::size_t{0}, std::size_t{5}, std::size_t{1024}, std::size_t{3001}}) {
    const auto s = make_scores(len, scale::ces(), static_cast<std::uint32_t>(len) + 2);
    std::vector<std::uint8_t> a(len), b(len);
    std::vector<std::uint16_t> c(len);
    std::vector<std::uint32_t> d(len);
    for (std::size_t i = 0; i < len; ++i) {
      a[i] = static_cast<std::uint8_t>(rng() % 2);
      b[i] = static_cast<std::uint8_t>(rng() % 3);
      c[i] = static_cast<std::uint16_t>(rng() % 4);
      d[i] = static_cast<std::uint32_t>(rng() % 5);
    }
    std::vector<engine::nps_tally> ref(2 * 3 * 4 * 5);
    for (std::size_t i = 0; i < len; ++i) {
      auto& t = ref[((a[i] * 3u + b[i]) * 4u + c[i]) * 5u + d[i]];
      t.detractors += s[i] <= 3;  // CES difficult 1..3, easy 5..7
      t.passives += s[i] == 4;
      t.promoters += s[i] >= 5;
    }
    const engine::key_column wide[] = {{a, 2, "a"}, {b, 3, "b"}, {c, 4, "c"}, {d, 5, "d"}};
    const auto g = engine::count_nps_by(s, wide, scale::ces(), o);
    EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << "n=" << len;

    std::vector<std::uint16_t> d16(d.begin(), d.end());
    const engine::key_column narrow[] = {{a, 2, "a"}, {b, 3, "b"}, {c, 4, "c"}, {d16, 5, "d"}};
    EXPECT_EQ(engine::count_nps_by(s, narrow, scale::ces(), o), g) << "n=" << len;

    if (len > 2) {
      auto bad = d;
      bad[len - 2] = 5;
      const engine::key_column with_bad[] = {{a, 2, "a"}, {b, 3, "b"}, {c, 4, "c"}, {bad, 5, "d"}};
      try {
        (void)engine::count_nps_by(s, with_bad, scale::ces(), o);
        ADD_FAILURE() << "no exception";
      } catch (const invalid_value& e) {
        EXPECT_EQ(e.where().row, len - 2);
        EXPECT_EQ(e.where().field, "d");
      }
    }
  }
}

// Plain loop over the rows: the reference of every grouped test below.
// `cell_of(i)` gives the row-major cell of row i.
template <class CellOf>
std::vector<engine::nps_tally> ref_grouped(std::span<const std::uint8_t> s, const scale& sc, std::size_t cells,
                                           CellOf cell_of) {
  std::vector<engine::nps_tally> ref(cells);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto& t = ref[cell_of(i)];
    t.detractors += s[i] <= sc.low_max();
    t.passives += s[i] > sc.low_max() && s[i] < sc.high_min();
    t.promoters += s[i] >= sc.high_min();
  }
  return ref;
}

TEST_P(EngineLevel, GroupedTallyMatchesReferenceOnTileBoundariesOffsetsAndScales) {
  // Lengths around the kernels' tiles (256 rows) and vectors, columns that
  // start at unaligned addresses, a scale of more than 16 points (compare
  // path), a scale with an offset, one to three key columns of every width,
  // and long runs of one cell (all rows on one counter copy).
  const auto o = at_level(GetParam());
  std::mt19937 rng(77);
  const std::vector<scale> scales = {scale::nps(), scale::csat(), scale::custom(0, 100, 80, 40),
                                     scale::custom(20, 30, 28, 23)};
  for (const auto& sc : scales) {
    for (std::size_t len : {std::size_t{0}, std::size_t{3}, std::size_t{255}, std::size_t{256}, std::size_t{257},
                            std::size_t{511}, std::size_t{513}, std::size_t{4099}}) {
      for (std::size_t off : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
        for (int pattern : {0, 3}) {
          const auto sbuf = make_scores(len + off, sc, static_cast<std::uint32_t>(len * 7 + off), pattern);
          std::vector<std::uint8_t> a(len + off);
          std::vector<std::uint16_t> b(len + off);
          std::vector<std::uint32_t> c(len + off);
          for (std::size_t i = 0; i < a.size(); ++i) {
            const bool run = pattern == 3;  // runs: the same keys for 1000 rows
            const std::uint32_t r = run ? static_cast<std::uint32_t>(i / 1000) * 2654435761u : rng();
            a[i] = static_cast<std::uint8_t>(r % 13);
            b[i] = static_cast<std::uint16_t>((r >> 8) % 40);
            c[i] = static_cast<std::uint32_t>((r >> 16) % 3);
          }
          const std::span<const std::uint8_t> s(sbuf.data() + off, len);
          const std::span<const std::uint8_t> ka(a.data() + off, len);
          const std::span<const std::uint16_t> kb(b.data() + off, len);
          const std::span<const std::uint32_t> kc(c.data() + off, len);
          const std::string where = sc.describe() + " n=" + std::to_string(len) + " offset=" + std::to_string(off) +
                                    " pattern=" + std::to_string(pattern);
          {  // u8 × u16: 13 × 40 cells, 16-bit index lanes, four counter copies
            const engine::key_column keys[] = {{ka, 13, "a"}, {kb, 40, "b"}};
            const auto ref = ref_grouped(s, sc, 13 * 40, [&](std::size_t i) { return ka[i] * 40u + kb[i]; });
            const auto g = engine::count_nps_by(s, keys, sc, o);
            EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << where;
          }
          {  // u16 × u8 × u32: 40 × 13 × 3 cells, 32-bit index lanes, one copy
            const engine::key_column keys[] = {{kb, 40, "b"}, {ka, 13, "a"}, {kc, 3, "c"}};
            const auto ref =
                ref_grouped(s, sc, 40 * 13 * 3, [&](std::size_t i) { return (kb[i] * 13u + ka[i]) * 3u + kc[i]; });
            const auto g = engine::count_nps_by(s, keys, sc, o);
            EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << where;
          }
          {  // one u8 key: 39 counters in four copies
            const engine::key_column keys[] = {{ka, 13, "a"}};
            const auto ref = ref_grouped(s, sc, 13, [&](std::size_t i) { return std::size_t{ka[i]}; });
            const auto g = engine::count_nps_by(s, keys, sc, o);
            EXPECT_TRUE(std::equal(ref.begin(), ref.end(), g.cells().begin())) << where;
          }
        }
      }
    }
  }
}

TEST_P(EngineLevel, GroupedKeysFarOutsideTheirCardinalityAreReported) {
  // The largest value of each key width, in the vector part of a tile and in
  // the scalar tail: the kernel must stop before such a key addresses a
  // counter (the sanitizer build checks that nothing is written out of bounds).
  const auto o = at_level(GetParam());
  const std::size_t len = 1000;  // 3 whole tiles and a tail of 232 rows
  const auto s = make_scores(len, scale::nps(), 5);
  std::vector<std::uint8_t> channel(len);
  std::vector<std::uint16_t> month(len);
  std::vector<std::uint32_t> agent(len);
  for (std::size_t i = 0; i < len; ++i) {
    channel[i] = static_cast<std::uint8_t>(i % 8);
    month[i] = static_cast<std::uint16_t>(i % 36);
    agent[i] = static_cast<std::uint32_t>(i % 50);
  }
  for (std::size_t pos : {std::size_t{0}, std::size_t{300}, std::size_t{999}}) {
    auto expect_key = [&](auto&& call, const char* field, const std::string& value) {
      try {
        call();
        ADD_FAILURE() << "no exception for " << field << " at " << pos;
      } catch (const invalid_value& e) {
        EXPECT_EQ(e.where().row, pos) << field;
        EXPECT_EQ(e.where().field, field);
        EXPECT_NE(std::string(e.what()).find("key " + value), std::string::npos) << e.what();
      }
    };
    {
      auto c = channel;
      c[pos] = 255;
      const engine::key_column keys[] = {{c, 8, "channel"}, {month, 36, "month"}};
      expect_key([&] { (void)engine::count_nps_by(s, keys, scale::nps(), o); }, "channel", "255");
    }
    {
      auto m = month;
      m[pos] = 65535;
      const engine::key_column keys[] = {{channel, 8, "channel"}, {m, 36, "month"}};
      expect_key([&] { (void)engine::count_nps_by(s, keys, scale::nps(), o); }, "month", "65535");
    }
    {
      auto a = agent;
      a[pos] = 4294967295u;
      const engine::key_column keys[] = {{month, 36, "month"}, {a, 50, "agent"}};
      expect_key([&] { (void)engine::count_nps_by(s, keys, scale::nps(), o); }, "agent", "4294967295");
    }
    {
      auto bad = s;
      bad[pos] = 255;
      const engine::key_column keys[] = {{channel, 8, "channel"}, {month, 36, "month"}};
      try {
        (void)engine::count_nps_by(bad, keys, scale::nps(), o);
        ADD_FAILURE() << "no exception for score 255 at " << pos;
      } catch (const score_out_of_scale& e) {
        EXPECT_EQ(e.where().row, pos);
      }
    }
  }
}

TEST_P(EngineLevel, KeyOutsideItsCardinalityIsReportedWithRowAndField) {
  const auto o = at_level(GetParam());
  const std::size_t len = 5000;
  const auto s = make_scores(len, scale::nps(), 2);
  std::vector<std::uint8_t> channel(len, 3);
  std::vector<std::uint16_t> month(len, 35);
  for (std::size_t pos : {std::size_t{0}, std::size_t{2500}, len - 1}) {
    auto m = month;
    m[pos] = 36;
    const engine::key_column keys[] = {{channel, 8, "channel"}, {m, 36, "month"}};
    try {
      (void)engine::count_nps_by(s, keys, scale::nps(), o);
      ADD_FAILURE() << "no exception";
    } catch (const invalid_value& e) {
      EXPECT_EQ(e.where().row, pos);
      EXPECT_EQ(e.where().field, "month");
      EXPECT_NE(std::string(e.what()).find("key 36"), std::string::npos) << e.what();
    }
  }
}

TEST_P(EngineLevel, SumBytesMatchesAccumulate) {
  const auto o = at_level(GetParam());
  for (std::size_t len : kLengths) {
    const auto buffer = make_scores(len + 7, scale::custom(0, 255, 200, 100), 13);
    const std::span<const std::uint8_t> s(buffer.data() + 7, len);
    EXPECT_EQ(engine::sum_bytes(s, o), std::accumulate(s.begin(), s.end(), std::uint64_t{0})) << len;
  }
}

INSTANTIATE_TEST_SUITE_P(AllLevels, EngineLevel,
                         ::testing::Values(isa::scalar, isa::ssse3, isa::avx2, isa::avx512, isa::neon),
                         [](const ::testing::TestParamInfo<isa>& info) {
                           return std::string(to_string(info.param));
                         });

// ------------------------------------------------------------------ determinism

TEST(EngineDeterminism, ResultsAreIdenticalForAnyThreadsChunksAndLevel) {
  // General (non-dyadic) weights: sums depend on the order of additions, so
  // equality across splits and levels shows the fixed order is followed.
  const std::size_t len = 150001;
  const auto s = make_scores(len, scale::nps(), 21);
  std::mt19937 rng(22);
  std::lognormal_distribution<double> weight(0.0, 1.0);
  std::vector<double> wd(len);
  std::vector<float> wf(len);
  for (std::size_t i = 0; i < len; ++i) {
    wd[i] = weight(rng);
    wf[i] = static_cast<float>(weight(rng));
  }
  std::vector<std::uint8_t> channel(len);
  for (auto& c : channel) c = static_cast<std::uint8_t>(rng() % 8);
  const engine::key_column keys[] = {{channel, 8, "channel"}};

  count_options base;
  base.level = isa::scalar;
  if (!isa_available(isa::scalar)) base.level = best_isa();
  const auto ref_wd = engine::count_nps(s, wd, scale::nps(), base);
  const auto ref_wf = engine::count_nps(s, wf, scale::nps(), base);
  const auto ref_hd = engine::count_scores(s, wd, scale::nps(), base);
  const auto ref_h = engine::count_scores(s, scale::nps(), base);
  const auto ref_g = engine::count_nps_by(s, keys, scale::nps(), base);

  // The plain sequential loop agrees to rounding (relative 1e-12).
  const auto plain = ref_weighted_tally<double>(s, wd, scale::nps());
  EXPECT_NEAR(ref_wd.promoters.w, plain.promoters.w, 1e-12 * plain.promoters.w);
  EXPECT_NEAR(ref_wd.detractors.w2, plain.detractors.w2, 1e-12 * plain.detractors.w2);
  EXPECT_EQ(ref_wd.passives.n, plain.passives.n);

  for (isa level : available_isas()) {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      for (std::size_t chunk : {std::size_t{1}, std::size_t{4096}, std::size_t{5000}, std::size_t{12288},
                                std::size_t{1} << 20}) {
        count_options o;
        o.level = level;
        o.threads = threads;
        o.chunk = chunk;
        const std::string where = std::string(to_string(level)) + " threads=" + std::to_string(threads) +
                                  " chunk=" + std::to_string(chunk);
        EXPECT_EQ(engine::count_nps(s, wd, scale::nps(), o), ref_wd) << where;
        EXPECT_EQ(engine::count_nps(s, wf, scale::nps(), o), ref_wf) << where;
        EXPECT_EQ(engine::count_scores(s, wd, scale::nps(), o), ref_hd) << where;
        EXPECT_EQ(engine::count_scores(s, scale::nps(), o), ref_h) << where;
        EXPECT_EQ(engine::count_nps_by(s, keys, scale::nps(), o), ref_g) << where;
      }
    }
  }
}

// ------------------------------------------------------------------ small cases by hand

TEST(EngineByHand, WeightedTallyOfSevenResponses) {
  // scores 0 6 7 8 9 10 10, weights 1 2 0.5 0.5 3 1 1:
  // detractors {0, 6}: n 2, Σw 1 + 2 = 3, Σw² 1 + 4 = 5
  // passives   {7, 8}: n 2, Σw 0.5 + 0.5 = 1, Σw² 0.25 + 0.25 = 0.5
  // promoters  {9, 10, 10}: n 3, Σw 3 + 1 + 1 = 5, Σw² 9 + 1 + 1 = 11
  const std::vector<std::uint8_t> s = {0, 6, 7, 8, 9, 10, 10};
  const std::vector<float> w = {1, 2, 0.5f, 0.5f, 3, 1, 1};
  const auto t = engine::count_nps(s, w);
  EXPECT_EQ(t.detractors, (bin_totals{2, 3.0, 5.0}));
  EXPECT_EQ(t.passives, (bin_totals{2, 1.0, 0.5}));
  EXPECT_EQ(t.promoters, (bin_totals{3, 5.0, 11.0}));
  EXPECT_EQ(t.total(), (bin_totals{7, 9.0, 16.5}));
  const auto h = engine::count_scores(s, w, scale::nps());
  EXPECT_EQ(h.count_of(10), 2u);
  EXPECT_EQ(h.weight(10), 2.0);
  EXPECT_EQ(h.weight_sq(9), 9.0);
  const auto u = engine::count_nps(s);
  EXPECT_EQ(u, (engine::nps_tally{2, 2, 3}));
}

// ------------------------------------------------------------------ arguments and dispatch

TEST(EngineArguments, BadShapesAndScalesAreRejected) {
  const std::vector<std::uint8_t> s = {1, 2, 3};
  const std::vector<float> w = {1, 2};
  EXPECT_THROW((void)engine::count_nps(s, w), invalid_argument);
  EXPECT_THROW((void)engine::count_scores(s, w, scale::nps()), invalid_argument);
  EXPECT_THROW((void)engine::count_scores(s, scale::custom(-3, 3, 1, -1)), invalid_argument);
  EXPECT_THROW((void)engine::count_nps(s, scale::custom(0, 300, 200, 100)), invalid_argument);

  const std::vector<std::uint8_t> short_key = {0, 1};
  const std::vector<std::uint8_t> key = {0, 1, 0};
  const engine::key_column wrong_length[] = {{short_key, 2, "k"}};
  EXPECT_THROW((void)engine::count_nps_by(s, wrong_length), invalid_argument);
  const engine::key_column zero_cardinality[] = {{key, 0, "k"}};
  EXPECT_THROW((void)engine::count_nps_by(s, zero_cardinality), invalid_argument);
  const std::vector<std::uint32_t> wide = {0, 1, 2};
  const engine::key_column too_many[] = {{wide, 2048, "a"}, {wide, 2048, "b"}};  // 4 194 304 cells
  EXPECT_THROW((void)engine::count_nps_by(s, too_many), invalid_argument);
  EXPECT_THROW((void)engine::count_nps_by(s, std::span<const engine::key_column>{}), invalid_argument);
}

TEST(EngineDispatch, ForcingALevel) {
  const auto levels = available_isas();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(best_isa(), levels.back());
  EXPECT_EQ(active_isa(), best_isa());
  for (isa level : levels) {
    force_isa(level);
    EXPECT_EQ(active_isa(), level);
    const std::vector<std::uint8_t> s = {0, 9, 10, 7};
    EXPECT_EQ(engine::count_nps(s), (engine::nps_tally{1, 1, 2}));
  }
  force_isa(std::nullopt);
  EXPECT_EQ(active_isa(), best_isa());
  for (isa level : {isa::scalar, isa::ssse3, isa::avx2, isa::avx512, isa::neon}) {
    if (!isa_available(level)) {
      EXPECT_THROW(force_isa(level), invalid_argument);
      count_options o;
      o.level = level;
      const std::vector<std::uint8_t> s = {1};
      EXPECT_THROW((void)engine::count_nps(s, scale::nps(), o), invalid_argument);
    }
  }
#if defined(__x86_64__) || defined(_M_X64)
  // Every x86-64 CPU since 2013 has AVX2; the levels below it are compiled in any case.
  EXPECT_TRUE(isa_available(isa::ssse3) || isa_available(isa::scalar));
#endif
}

}  // namespace
