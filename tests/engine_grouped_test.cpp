// Grouped histograms (engine::count_scores_by) and time keys at every
// instruction-set level, against plain loops written here: counts per cell,
// point and missing answer; weight sums against a score_counts fed the rows
// one by one (the same row order, so equal to the last bit); time keys
// against cxm::period_of; the first bad row of every kind of bad value.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/group_by.hpp"

namespace {

using namespace cxm;
using engine::count_options;
using engine::key_column;

constexpr std::uint8_t kMissing = 255;
constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

count_options at_level(isa level) {
  count_options o;
  o.level = level;
  return o;
}

// Scores on `sc` with about one row in `missing_every` missing.
std::vector<std::uint8_t> scores_on(const scale& sc, std::size_t n, std::uint32_t seed, int missing_every) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(sc.min(), sc.max());
  std::vector<std::uint8_t> out(n);
  for (auto& v : out) {
    v = missing_every > 0 && rng() % static_cast<unsigned>(missing_every) == 0 ? kMissing
                                                                              : static_cast<std::uint8_t>(pick(rng));
  }
  return out;
}

// Reference: counts per cell (cells × (points + 1), missing last) by a loop.
template <class CellOf>
std::vector<std::uint64_t> ref_counts(std::span<const std::uint8_t> s, const scale& sc, std::size_t cells,
                                      CellOf cell_of) {
  const auto width = static_cast<std::size_t>(sc.points()) + 1;
  std::vector<std::uint64_t> n(cells * width, 0);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t bin = s[i] == kMissing ? width - 1 : static_cast<std::size_t>(s[i] - sc.min());
    ++n[cell_of(i) * width + bin];
  }
  return n;
}

std::vector<std::uint64_t> counts_of(const engine::grouped_counts& g) {
  std::vector<std::uint64_t> n;
  for (std::size_t c = 0; c < g.size(); ++c) {
    for (std::size_t b = 0; b < g.points(); ++b) n.push_back(g.count(c, b));
    n.push_back(g.missing(c));
  }
  return n;
}

class GroupedLevel : public ::testing::TestWithParam<isa> {
 protected:
  void SetUp() override {
    if (!isa_available(GetParam())) GTEST_SKIP() << "level " << to_string(GetParam()) << " not available";
  }
};

TEST_P(GroupedLevel, HistogramsMatchReferenceOnTilesOffsetsScalesAndKeyWidths) {
  // Lengths around tiles (256 rows) and vectors, unaligned starts, scales of
  // <= 16 and > 16 points and with an offset, missing answers, one to four
  // key columns of every width (four take the one-pass-per-key kernel).
  const auto o = at_level(GetParam());
  std::mt19937 rng(5);
  const std::vector<scale> scales = {scale::nps(), scale::csat(), scale::custom(0, 100, 80, 40),
                                     scale::custom(20, 30, 28, 23), scale::custom(0, 254, 200, 100)};
  for (const auto& sc : scales) {
    for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{255}, std::size_t{257}, std::size_t{4099}}) {
      for (std::size_t off : {std::size_t{0}, std::size_t{3}}) {
        const auto sbuf = scores_on(sc, len + off, static_cast<std::uint32_t>(len + off), 5);
        std::vector<std::uint8_t> a(len + off);
        std::vector<std::uint16_t> b(len + off);
        std::vector<std::uint32_t> c(len + off);
        for (std::size_t i = 0; i < a.size(); ++i) {
          const std::uint32_t r = rng();
          a[i] = static_cast<std::uint8_t>(r % 7);
          b[i] = static_cast<std::uint16_t>((r >> 8) % 30);
          c[i] = static_cast<std::uint32_t>((r >> 16) % 3);
        }
        const std::span<const std::uint8_t> s(sbuf.data() + off, len);
        const std::span<const std::uint8_t> ka(a.data() + off, len);
        const std::span<const std::uint16_t> kb(b.data() + off, len);
        const std::span<const std::uint32_t> kc(c.data() + off, len);
        const std::string where = sc.describe() + " n=" + std::to_string(len) + " offset=" + std::to_string(off);
        {
          const key_column keys[] = {{ka, 7, "a"}, {kb, 30, "b"}};
          const auto g = engine::count_scores_by(s, keys, sc, o);
          EXPECT_EQ(counts_of(g), ref_counts(s, sc, 7 * 30, [&](std::size_t i) { return ka[i] * 30u + kb[i]; }))
              << where;
          EXPECT_FALSE(g.weighted());
        }
        {
          const key_column keys[] = {{kc, 3, "c"}, {ka, 7, "a"}, {kb, 30, "b"}};
          const auto g = engine::count_scores_by(s, keys, sc, o);
          EXPECT_EQ(counts_of(g), ref_counts(s, sc, 3 * 7 * 30,
                                             [&](std::size_t i) { return (kc[i] * 7u + ka[i]) * 30u + kb[i]; }))
              << where;
        }
        {
          const key_column keys[] = {{ka, 7, "a"}, {kc, 3, "c"}, {ka, 7, "a2"}, {kb, 30, "b"}};
          const auto g = engine::count_scores_by(s, keys, sc, o);
          EXPECT_EQ(counts_of(g), ref_counts(s, sc, 7 * 3 * 7 * 30, [&](std::size_t i) {
                      return ((ka[i] * 3u + kc[i]) * 7u + ka[i]) * 30u + kb[i];
                    })) << where;
        }
      }
    }
  }
}

TEST_P(GroupedLevel, TallyIsTheHistogramFoldedIntoThreeGroups) {
  // count_nps_by and count_scores_by share the kernel; on a column without
  // missing answers the tally of a cell is the sum of its bins per group.
  const auto o = at_level(GetParam());
  for (const auto& sc : {scale::nps(), scale::ces(), scale::custom(0, 100, 80, 40)}) {
    const auto s = scores_on(sc, 3001, 11, 0);
    std::vector<std::uint8_t> k(s.size());
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>((i * 7) % 13);
    const key_column keys[] = {{k, 13, "k"}};
    const auto h = engine::count_scores_by(s, keys, sc, o);
    const auto t = engine::count_nps_by(s, keys, sc, o);
    for (std::size_t c = 0; c < 13; ++c) {
      const auto counts = h.counts(c);
      EXPECT_EQ(t.cells()[c].detractors, counts.low().n);
      EXPECT_EQ(t.cells()[c].passives, counts.middle().n);
      EXPECT_EQ(t.cells()[c].promoters, counts.high().n);
      EXPECT_EQ(h.missing(c), 0u);
    }
  }
}

TEST_P(GroupedLevel, WeightedHistogramsEqualAddingTheRowsOneByOne) {
  // General (lognormal) weights, 1.0 on a third of the rows, missing
  // answers: per cell a score_counts fed the same rows in order is the
  // reference, to the last bit; weighted_rows counts the rows of weight != 1.
  const auto o = at_level(GetParam());
  const scale sc = scale::nps();
  for (std::size_t len : {std::size_t{1}, std::size_t{300}, std::size_t{9001}}) {
    const auto s = scores_on(sc, len, static_cast<std::uint32_t>(len), 6);
    std::mt19937 rng(3);
    std::lognormal_distribution<double> wdist(0.0, 1.0);
    std::vector<double> wd(len);
    std::vector<float> wf(len);
    std::vector<std::uint16_t> k(len);
    for (std::size_t i = 0; i < len; ++i) {
      wd[i] = rng() % 3 == 0 ? 1.0 : wdist(rng);
      wf[i] = static_cast<float>(wd[i]);
      k[i] = static_cast<std::uint16_t>(rng() % 5);
    }
    const key_column keys[] = {{k, 5, "k"}};
    std::vector<score_counts> ref(5, score_counts(sc));
    std::vector<score_counts> ref_f(5, score_counts(sc));
    std::vector<std::uint64_t> weighted(5, 0);
    for (std::size_t i = 0; i < len; ++i) {
      weighted[k[i]] += wd[i] != 1.0;
      if (s[i] == kMissing) continue;
      ref[k[i]].add(s[i], wd[i]);
      ref_f[k[i]].add(s[i], static_cast<double>(wf[i]));
    }
    const auto g = engine::count_scores_by(s, wd, keys, sc, o);
    const auto gf = engine::count_scores_by(s, wf, keys, sc, o);
    ASSERT_TRUE(g.weighted());
    for (std::size_t c = 0; c < 5; ++c) {
      const auto counts = g.counts(c);
      for (std::size_t b = 0; b < counts.bins(); ++b) {
        EXPECT_EQ(counts.count(b), ref[c].count(b)) << "cell " << c << " bin " << b;
        EXPECT_EQ(counts.weight(b), ref[c].weight(b)) << "cell " << c << " bin " << b;
        EXPECT_EQ(counts.weight_sq(b), ref[c].weight_sq(b)) << "cell " << c << " bin " << b;
      }
      EXPECT_EQ(g.weighted_rows(c), weighted[c]);
      if (ref_f[c].weighted()) {
        EXPECT_EQ(gf.counts(c), ref_f[c]) << "cell " << c;
      }
    }
  }
}

// Times over three years around a daylight-free offset, with boundaries:
// local midnights and the second before them, and missing times.
std::vector<std::int64_t> times_for(std::size_t n, std::chrono::seconds offset, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t start = 1640995200;  // 2022-01-01T00:00:00Z
  std::vector<std::int64_t> t(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t day = static_cast<std::int64_t>(rng() % 1096);
    switch (rng() % 5) {
      case 0: t[i] = start + day * 86400 - offset.count(); break;      // a local midnight
      case 1: t[i] = start + day * 86400 - offset.count() - 1; break;  // the second before it
      case 2: t[i] = kNoTime; break;
      default: t[i] = start + static_cast<std::int64_t>(rng() % (1096ULL * 86400)); break;
    }
  }
  return t;
}

TEST_P(GroupedLevel, TimeKeysFollowPeriodOfForEveryBucketAndOffset) {
  const auto o = at_level(GetParam());
  const scale sc = scale::csat();
  for (const auto bucket : {time_bucket::day, time_bucket::iso_week, time_bucket::month, time_bucket::quarter,
                            time_bucket::year}) {
    for (const auto offset : {std::chrono::seconds{0}, std::chrono::seconds{2 * 3600}, std::chrono::seconds{-(5 * 3600 + 1800)},
                              std::chrono::seconds{18 * 3600}}) {
      const std::size_t len = 2049;
      const auto t = times_for(len, offset, static_cast<std::uint32_t>(offset.count()) + 7);
      const auto s = scores_on(sc, len, 9, 7);
      std::vector<std::uint8_t> ch(len);
      for (std::size_t i = 0; i < len; ++i) ch[i] = static_cast<std::uint8_t>(i % 3);
      // The span: from the period of 2021-12-31 (an offset can move a time
      // into the day before) to that of 2025-01-02.
      const auto lo = period_of(timestamp{std::chrono::seconds{1640995200 - 86400}}, bucket, offset);
      const auto hi = period_of(timestamp{std::chrono::seconds{1640995200 + 1097 * 86400}}, bucket, offset);
      const engine::period_span span{bucket, offset, lo.index, static_cast<std::uint32_t>(hi.index - lo.index + 1)};
      const key_column keys[] = {{ch, 3, "channel"}, {t, span, "period"}};
      const auto g = engine::count_scores_by(s, keys, sc, o);
      const auto card = span.count + 1;
      const auto ref_key = [&](std::size_t i) -> std::uint32_t {
        if (t[i] == kNoTime) return 0;
        return 1 + static_cast<std::uint32_t>(period_of(timestamp{std::chrono::seconds{t[i]}}, bucket, offset).index -
                                              span.first);
      };
      const auto ref = ref_counts(s, sc, 3 * card, [&](std::size_t i) { return ch[i] * std::size_t{card} + ref_key(i); });
      EXPECT_EQ(counts_of(g), ref) << to_string(bucket) << " offset " << offset.count();
      for (std::size_t i = 0; i < len; i += 7) {  // the scalar key the errors are reported with
        EXPECT_EQ(keys[1][i], ref_key(i)) << i;
      }
    }
  }
}

TEST_P(GroupedLevel, TimeOrderedColumnsMatchPeriodOfAcrossBoundariesAndMissingTimes) {
  // Time-ordered input: most tiles lie in one day or month (one key for the
  // tile), some straddle a midnight or hold a missing time (row by row).
  const auto o = at_level(GetParam());
  const std::size_t len = 20'000;
  std::vector<std::int64_t> t(len);
  for (std::size_t i = 0; i < len; ++i) t[i] = 1709251200 - 40 * 86400 + static_cast<std::int64_t>(i) * 397;
  for (std::size_t i = 1000; i < len; i += 3001) t[i] = kNoTime;
  const auto s = scores_on(scale::nps(), len, 12, 0);
  for (const auto bucket : {time_bucket::day, time_bucket::month}) {
    const auto lo = period_of(timestamp{std::chrono::seconds{t.front()}}, bucket, std::chrono::hours{3});
    const auto hi = period_of(timestamp{std::chrono::seconds{t.back()}}, bucket, std::chrono::hours{3});
    const engine::period_span span{bucket, std::chrono::hours{3}, lo.index, static_cast<std::uint32_t>(hi.index - lo.index + 1)};
    const key_column keys[] = {{t, span, "period"}};
    const auto g = engine::count_scores_by(s, keys, scale::nps(), o);
    const auto ref = ref_counts(s, scale::nps(), span.count + 1, [&](std::size_t i) -> std::size_t {
      if (t[i] == kNoTime) return 0;
      return 1 + static_cast<std::size_t>(
                     period_of(timestamp{std::chrono::seconds{t[i]}}, bucket, std::chrono::hours{3}).index - span.first);
    });
    EXPECT_EQ(counts_of(g), ref) << to_string(bucket);
  }
}

TEST_P(GroupedLevel, ATimeOutsideTheSpanIsReportedWithItsRow) {
  const auto o = at_level(GetParam());
  const std::size_t len = 1000;
  std::vector<std::int64_t> t(len, 1709647629);  // 2024-03-05T14:07:09Z
  const auto s = scores_on(scale::nps(), len, 1, 0);
  const engine::period_span march{time_bucket::month, std::chrono::seconds{0}, 650, 1};  // 2024-03
  for (std::size_t pos : {std::size_t{0}, std::size_t{300}, len - 1}) {
    auto bad = t;
    bad[pos] = 1711929600;  // 2024-04-01T00:00:00Z: April
    const key_column keys[] = {{bad, march, "month"}};
    try {
      (void)engine::count_scores_by(s, keys, scale::nps(), o);
      ADD_FAILURE() << "no exception at " << pos;
    } catch (const invalid_value& e) {
      EXPECT_EQ(e.where().row, pos);
      EXPECT_EQ(e.where().field, "month");
      EXPECT_NE(std::string(e.what()).find("month 2024-04, outside the periods 2024-03 .. 2024-03"), std::string::npos)
          << e.what();
    }
    bad[pos] = std::int64_t{1} << 40;  // year 36812: outside the range of response times
    const key_column far[] = {{bad, march, "month"}};
    EXPECT_THROW((void)engine::count_scores_by(s, far, scale::nps(), o), invalid_value);
  }
}

TEST_P(GroupedLevel, FirstBadScoreKeyOrWeightIsReportedWithItsRow) {
  const auto o = at_level(GetParam());
  const std::size_t len = 5000;
  const auto s = scores_on(scale::nps(), len, 2, 4);
  std::vector<std::uint8_t> k(len, 1);
  std::vector<float> w(len, 1.0f);
  for (std::size_t pos : {std::size_t{0}, std::size_t{4097}, len - 1}) {
    auto bad_s = s;
    bad_s[pos] = 11;
    const key_column keys[] = {{k, 2, "k"}};
    try {
      (void)engine::count_scores_by(bad_s, keys, scale::nps(), o);
      ADD_FAILURE() << "no exception";
    } catch (const score_out_of_scale& e) {
      EXPECT_EQ(e.where().row, pos);
    }
    EXPECT_THROW((void)engine::count_scores_by(bad_s, w, keys, scale::nps(), o), score_out_of_scale);
    auto bad_k = k;
    bad_k[pos] = 2;
    const key_column bad_keys[] = {{bad_k, 2, "k"}};
    try {
      (void)engine::count_scores_by(s, w, bad_keys, scale::nps(), o);
      ADD_FAILURE() << "no exception";
    } catch (const invalid_value& e) {
      EXPECT_EQ(e.where().row, pos);
      EXPECT_EQ(e.where().field, "k");
    }
    auto bad_w = w;
    bad_w[pos] = -1.0f;
    try {
      (void)engine::count_scores_by(s, bad_w, keys, scale::nps(), o);
      ADD_FAILURE() << "no exception";
    } catch (const invalid_weight& e) {
      EXPECT_EQ(e.where().row, pos);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllLevels, GroupedLevel,
                         ::testing::Values(isa::scalar, isa::ssse3, isa::avx2, isa::avx512, isa::neon),
                         [](const ::testing::TestParamInfo<isa>& info) { return std::string(to_string(info.param)); });

TEST(GroupedCounts, IdenticalForAnyThreadsChunksAndLevel) {
  const std::size_t len = 100003;
  const auto s = scores_on(scale::nps(), len, 4, 9);
  std::vector<std::uint8_t> k(len);
  for (std::size_t i = 0; i < len; ++i) k[i] = static_cast<std::uint8_t>((i * 31) % 8);
  const key_column keys[] = {{k, 8, "k"}};
  const auto ref = engine::count_scores_by(s, keys, scale::nps(), at_level(available_isas().front()));
  for (isa level : available_isas()) {
    for (unsigned threads : {1u, 3u}) {
      for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
        count_options o = at_level(level);
        o.threads = threads;
        o.chunk = chunk;
        EXPECT_EQ(engine::count_scores_by(s, keys, scale::nps(), o), ref) << to_string(level) << " " << threads;
      }
    }
  }
}

TEST(GroupedCounts, ByHand) {
  // Scores 3 5 missing 5 on 1..5 with keys 0 1 1 1 and weights 2 1 0.5 3:
  // cell 0: one 3 (Σw 2, Σw² 4); cell 1: two 5s (Σw 1 + 3 = 4, Σw² 1 + 9 = 10)
  // and one missing; weights other than 1: cell 0 one, cell 1 two (0.5, 3).
  const std::vector<std::uint8_t> s = {3, 5, kMissing, 5};
  const std::vector<std::uint8_t> k = {0, 1, 1, 1};
  const std::vector<double> w = {2, 1, 0.5, 3};
  const key_column keys[] = {{k, 2, "k"}};
  const auto g = engine::count_scores_by(s, w, keys, scale::csat());
  EXPECT_EQ(g.count(0, 2), 1u);
  EXPECT_EQ(g.weight(0, 2), 2.0);
  EXPECT_EQ(g.weight_sq(0, 2), 4.0);
  EXPECT_EQ(g.count(1, 4), 2u);
  EXPECT_EQ(g.weight(1, 4), 4.0);
  EXPECT_EQ(g.weight_sq(1, 4), 10.0);
  EXPECT_EQ(g.missing(1), 1u);
  EXPECT_EQ(g.rows(1), 3u);
  EXPECT_EQ(g.weighted_rows(0), 1u);
  EXPECT_EQ(g.weighted_rows(1), 2u);
  EXPECT_EQ(g.index({1}), 1u);
}

TEST(GroupedCounts, BadArgumentsAreRejected) {
  const std::vector<std::uint8_t> s = {1, 2, 3};
  const std::vector<std::uint8_t> k = {0, 1, 0};
  const key_column keys[] = {{k, 2, "k"}};
  EXPECT_THROW((void)engine::count_scores_by(s, keys, scale::custom(0, 255, 200, 100)), invalid_argument);
  const std::vector<std::uint32_t> wide = {0, 1, 2};
  const key_column too_many[] = {{wide, 1000, "a"}, {wide, 1000, "b"}};  // 10^6 cells of 12 counters
  EXPECT_THROW((void)engine::count_scores_by(s, too_many, scale::nps()), invalid_argument);
  const std::vector<double> short_w = {1, 1};
  EXPECT_THROW((void)engine::count_scores_by(s, short_w, keys, scale::nps()), invalid_argument);
  const std::vector<std::int64_t> t = {0, 0, 0};
  EXPECT_THROW(key_column(t, engine::period_span{time_bucket::day, std::chrono::hours{19}, 0, 1}), invalid_argument);
  EXPECT_THROW(key_column(t, engine::period_span{time_bucket::day, std::chrono::seconds{0}, 0, 0}), invalid_argument);
}

}  // namespace
