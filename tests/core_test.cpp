// Core types: scales, counts, estimates, timestamps, channels, errors.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace {

using namespace cxm;

TEST(Scale, BuiltInCutPoints) {
  constexpr auto n = scale::nps();
  static_assert(n.min() == 0 && n.max() == 10 && n.points() == 11);
  EXPECT_TRUE(n.is_low(6));
  EXPECT_FALSE(n.is_low(7));
  EXPECT_TRUE(n.is_high(9));
  EXPECT_FALSE(n.is_high(8));

  const auto c = scale::csat();
  EXPECT_EQ(c.min(), 1);
  EXPECT_EQ(c.high_min(), 4);  // top-2-box
  EXPECT_EQ(c.low_max(), 2);
  EXPECT_EQ(scale::csat(1).high_min(), 5);

  const auto e = scale::ces();
  EXPECT_EQ(e.high_min(), 5);
  EXPECT_EQ(e.low_max(), 3);
  EXPECT_EQ(scale::ces(4).low_max(), 3);
  EXPECT_EQ(scale::ces(6).low_max(), 2);
}

TEST(Scale, InvalidDefinitionsThrow) {
  EXPECT_THROW((void)scale::custom(5, 5, 5, 5), invalid_argument);
  EXPECT_THROW((void)scale::custom(0, 10, 5, 5), invalid_argument);
  EXPECT_THROW((void)scale::custom(0, 5000, 4000, 10), invalid_argument);
  EXPECT_THROW((void)scale::csat(0), invalid_argument);
  EXPECT_THROW((void)scale::ces(8), invalid_argument);
  EXPECT_NO_THROW((void)scale::custom(-3, 3, 1, -1));
}

TEST(Scale, OutOfScaleIsAnErrorNamingRowFieldAndValue) {
  const auto n = scale::nps();
  try {
    n.check(11, at_row(17, "nps"));
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.id(), 101);
    EXPECT_STREQ(e.what(), "[cxm.score_out_of_scale.101] row 17, field 'nps': score 11 is outside the NPS scale 0..10");
  }
  EXPECT_THROW(n.check(-1), score_out_of_scale);
  EXPECT_THROW(n.check(7.5), score_out_of_scale);
  EXPECT_THROW(n.check(std::nan("")), score_out_of_scale);
  EXPECT_NO_THROW(n.check(10.0));
}

TEST(Error, AllDeriveFromBaseAndCarryLocation) {
  try {
    throw malformed_timestamp("bad", in_file("a.csv", 3, 7, "time"));
  } catch (const error& e) {
    EXPECT_EQ(e.id(), 104);
    EXPECT_EQ(std::string(e.what()), "[cxm.malformed_timestamp.104] a.csv:3:7, field 'time': bad");
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.reason(), "bad");
  }
}

TEST(Counts, AddCountsAndGroups) {
  score_counts c(scale::nps());
  for (int s : {0, 6, 7, 8, 9, 10, 10}) c.add(s);
  EXPECT_EQ(c.count(), 7u);
  EXPECT_EQ(c.low().n, 2u);
  EXPECT_EQ(c.middle().n, 2u);
  EXPECT_EQ(c.high().n, 3u);
  EXPECT_EQ(c.count_of(10), 2u);
  EXPECT_FALSE(c.weighted());
  EXPECT_DOUBLE_EQ(c.effective_n(), 7.0);
  EXPECT_THROW(c.add(11), score_out_of_scale);
  EXPECT_EQ(c.count(), 7u) << "a rejected score must not be counted";
}

TEST(Counts, WeightsAreValidatedAndNothingIsCountedOnError) {
  score_counts c(scale::nps());
  EXPECT_THROW(c.add(5, std::nan("")), invalid_weight);
  EXPECT_THROW(c.add(5, -0.5), invalid_weight);
  EXPECT_THROW(c.add(5, INFINITY), invalid_weight);
  EXPECT_TRUE(c.empty());
  c.add(9, 2.0);
  c.add(0, 0.0);  // zero weight: a response that carries no weight
  c.add(9);       // unweighted after weighted counts as weight 1
  EXPECT_EQ(c.count(), 3u);
  EXPECT_DOUBLE_EQ(c.high().w, 3.0);
  EXPECT_DOUBLE_EQ(c.high().w2, 5.0);
  EXPECT_DOUBLE_EQ(c.low().w, 0.0);
  // Kish: (Σw)² / Σw² = 9 / 5.
  EXPECT_DOUBLE_EQ(c.effective_n(), 9.0 / 5.0);
}

TEST(Counts, MergeOfDifferentScalesThrows) {
  score_counts a(scale::nps()), b(scale::csat()), c(scale::csat(1));
  EXPECT_THROW(a.merge(b), incompatible_merge);
  EXPECT_THROW(b.merge(c), incompatible_merge);
}

// Property: counts of A merged with counts of B equal the counts of A ∪ B,
// and merging is commutative and associative (seeded, exact: weights are
// multiples of 1/4 so every sum is exact in double).
TEST(Counts, MergeEqualsCountsOfConcatenation) {
  std::mt19937_64 rng(20261125);
  for (int trial = 0; trial < 200; ++trial) {
    const bool weighted = trial % 2 == 1;
    std::vector<std::pair<int, double>> rows(rng() % 300);
    for (auto& [s, w] : rows) {
      s = static_cast<int>(rng() % 11);
      w = static_cast<double>(rng() % 16) / 4.0;
    }
    const std::size_t cut1 = rows.empty() ? 0 : rng() % rows.size();
    const std::size_t cut2 = cut1 + (rows.size() == cut1 ? 0 : rng() % (rows.size() - cut1));
    auto count = [&](std::size_t lo, std::size_t hi) {
      score_counts c(scale::nps());
      for (std::size_t i = lo; i < hi; ++i) weighted ? c.add(rows[i].first, rows[i].second) : c.add(rows[i].first);
      return c;
    };
    const auto a = count(0, cut1), b = count(cut1, cut2), c = count(cut2, rows.size());
    const auto all = count(0, rows.size());
    EXPECT_EQ(merged(merged(a, b), c), all);
    EXPECT_EQ(merged(a, merged(b, c)), all);
    EXPECT_EQ(merged(merged(c, a), b), all);
    EXPECT_EQ(merged(b, a), merged(a, b));
  }
}

TEST(Counts, RebuildFromPartsIsChecked) {
  EXPECT_THROW(score_counts(scale::nps(), std::vector<std::uint64_t>(10)), invalid_argument);
  EXPECT_THROW(score_counts(scale::csat(), std::vector<std::uint64_t>(5), std::vector<double>(5, -1.0),
                            std::vector<double>(5, 1.0)),
               invalid_weight);
  const score_counts ok(scale::csat(), {1, 2, 3, 4, 5});
  EXPECT_EQ(ok.count(), 15u);
  EXPECT_EQ(ok.high().n, 9u);
}

TEST(Estimate, EmptyIsWellDefined) {
  const estimate e;
  EXPECT_EQ(e.state(), estimate::status::no_data);
  EXPECT_FALSE(e.has_value());
  EXPECT_FALSE(e.has_interval());
  EXPECT_TRUE(std::isnan(e.value()));
  EXPECT_EQ(e.value_or(-1.0), -1.0);
  EXPECT_EQ(e.n(), 0u);
  EXPECT_FALSE(e.ci().has_value());
  EXPECT_EQ(e, estimate{});
}

TEST(Estimate, LevelOutsideZeroOneThrows) {
  EXPECT_THROW(check_level(1.0), invalid_argument);
  EXPECT_THROW(check_level(0.0), invalid_argument);
  EXPECT_THROW(check_level(std::nan("")), invalid_argument);
  EXPECT_NO_THROW(check_level(0.9));
}

TEST(Timestamp, ParsesTheFormsSurveyExportsUse) {
  using namespace std::chrono;
  // 2024-03-05T14:07:09Z is 1709647629 s after the epoch (date -u -d @1709647629).
  const timestamp ref{seconds{1709647629}};
  EXPECT_EQ(parse_timestamp("2024-03-05T14:07:09Z"), ref);
  EXPECT_EQ(parse_timestamp("2024-03-05 14:07:09"), ref);
  EXPECT_EQ(parse_timestamp("2024-03-05T16:07:09+02:00"), ref);
  EXPECT_EQ(parse_timestamp("2024-03-05T09:07:09-0500"), ref);
  EXPECT_EQ(parse_timestamp("2024-03-05T14:07:09.999Z"), ref);
  EXPECT_EQ(parse_timestamp("1709647629"), ref);
  EXPECT_EQ(parse_timestamp("2024-03-05"), timestamp{seconds{1709596800}});
  EXPECT_EQ(format_timestamp(ref), "2024-03-05T14:07:09Z");
  EXPECT_EQ(parse_timestamp(format_timestamp(timestamp{seconds{-86401}})), timestamp{seconds{-86401}});
}

TEST(Timestamp, MalformedIsTypedAndNamesTheText) {
  for (const char* bad : {"", "2023-02-29", "2024-13-01", "2024-03-05T24:00", "2024-03-05T12", "yesterday",
                          "2024-03-05T12:00:00+25:00", "2024-03-05T12:00:00Zx", "2024/03/05"}) {
    EXPECT_THROW((void)parse_timestamp(bad, at_row(4, "time")), malformed_timestamp) << bad;
  }
  try {
    (void)parse_timestamp("2023-02-29", at_row(4, "time"));
  } catch (const malformed_timestamp& e) {
    EXPECT_NE(std::string(e.what()).find("row 4, field 'time': timestamp '2023-02-29'"), std::string::npos) << e.what();
  }
}

TEST(Timestamp, MonthIndexAndLabel) {
  EXPECT_EQ(month_index(parse_timestamp("1970-01-31")), 0);
  EXPECT_EQ(month_index(parse_timestamp("2024-03-05")), 54 * 12 + 2);
  EXPECT_EQ(month_label(54 * 12 + 2), "2024-03");
  EXPECT_EQ(month_label(-1), "1969-12");
}

TEST(Channels, OpenAndClosedSets) {
  channel_set open;
  EXPECT_EQ(open.id_of("Face-to-face"), channels::face_to_face);
  EXPECT_EQ(open.id_of(" PHONE "), channels::phone);
  const auto sms = open.id_of("SMS");
  EXPECT_EQ(sms.value, channels::builtin_count);
  EXPECT_EQ(open.name(sms), "sms");

  auto closed = channel_set::closed_of({"phone", "chat"});
  EXPECT_EQ(closed.id_of("chat").value, 1);
  try {
    (void)closed.id_of("fax", at_row(2, "channel"));
    FAIL();
  } catch (const unknown_channel& e) {
    EXPECT_EQ(std::string(e.what()), "[cxm.unknown_channel.103] row 2, field 'channel': channel 'fax' is not one of: phone, chat");
  }
}

TEST(Resolution, ParsesFlagsAndRejectsOthers) {
  EXPECT_EQ(parse_resolution("Yes"), resolution::yes);
  EXPECT_EQ(parse_resolution("0"), resolution::no);
  EXPECT_EQ(parse_resolution("FALSE"), resolution::no);
  EXPECT_EQ(parse_resolution(""), resolution::unknown);
  EXPECT_EQ(parse_resolution("n/a"), resolution::unknown);
  EXPECT_THROW((void)parse_resolution("maybe"), invalid_value);
}

}  // namespace
