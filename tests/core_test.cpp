// Core types: scales, counts, estimates, timestamps, channels, errors.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <random>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"

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

// error_kind names the <kind> of the id every error type writes into its
// message, for every id of the table in core/error.hpp.
template <class E>
void expect_kind_of_message(const char* kind) {
  const E e("x");
  EXPECT_EQ(error_kind(E::code), kind);
  EXPECT_EQ(std::string(e.what()), "[cxm." + std::string(kind) + "." + std::to_string(E::code) + "] x");
}

TEST(Error, KindNamesAreTheIdsOfTheMessages) {
  expect_kind_of_message<score_out_of_scale>("score_out_of_scale");
  expect_kind_of_message<invalid_weight>("invalid_weight");
  expect_kind_of_message<unknown_channel>("unknown_channel");
  expect_kind_of_message<malformed_timestamp>("malformed_timestamp");
  expect_kind_of_message<invalid_value>("invalid_value");
  expect_kind_of_message<invalid_argument>("invalid_argument");
  expect_kind_of_message<incompatible_merge>("incompatible_merge");
  expect_kind_of_message<parse_error>("parse_error");
  expect_kind_of_message<limit_exceeded>("limit_exceeded");
  expect_kind_of_message<serialization_error>("serialization_error");
  EXPECT_EQ(error_kind(7), "unknown");
  static_assert(error_kind(301) == "parse_error");
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

TEST(Counts, WeightRangeEdges) {
  // A weight is 0 or in [1e-100, 1e100]; anything else is invalid_weight,
  // and nothing is counted.
  score_counts c(scale::nps());
  EXPECT_NO_THROW(c.add(9, 1e100));
  EXPECT_NO_THROW(c.add(9, 1e-100));
  EXPECT_NO_THROW(c.add(9, 0.0));
  EXPECT_NO_THROW(c.add(9, -0.0));  // -0 is 0
  EXPECT_EQ(c.count(), 4u);
  for (const double bad : {1.0000001e100, 9.99e-101, 1e155, 1e-200, std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min() / 2, std::numeric_limits<double>::max()}) {
    EXPECT_THROW(c.add(9, bad, at_row(3, "weight")), invalid_weight) << bad;
  }
  EXPECT_EQ(c.count(), 4u);
  try {
    check_weight(1e155, at_row(3, "weight"));
    FAIL() << "no exception";
  } catch (const invalid_weight& e) {
    EXPECT_EQ(std::string(e.what()),
              "[cxm.invalid_weight.102] row 3, field 'weight': weight 1e+155 is outside the range of weights: 0, or "
              "1e-100 to 1e100");
  }
  // Sums are not weights: a state of many large weights rebuilds.
  EXPECT_NO_THROW(score_counts(scale::csat(), {1, 0, 0, 0, 0}, {1e150, 0, 0, 0, 0}, {1e300, 0, 0, 0, 0}));
}

TEST(Counts, ExtremeWeightsGiveTheResultsOfUnitWeights) {
  // NPS and CSAT are ratios of weighted sums and Kish's n is (Σw)²/Σw², so
  // multiplying every weight by s changes no value, SE or effective n. With
  // s = 1e99 and 1e-99 (weights up to 4e99 and down to 1e-99, squares 1.6e199
  // and 1e-198) the results must equal those of the weights 1..4 themselves.
  const std::vector<std::pair<int, double>> rows{{10, 1}, {9, 2}, {8, 3}, {3, 4}, {0, 1}, {10, 2}, {6, 3}, {9, 4}};
  auto nps_with = [&](double s) {
    score_counts c(scale::nps());
    for (const auto& [score, w] : rows) c.add(score, w * s);
    return compute_nps(c);
  };
  const auto unit = nps_with(1.0);
  for (const double s : {1e99, 1e-99}) {
    const auto r = nps_with(s);
    EXPECT_NEAR(r.nps.value(), unit.nps.value(), 1e-12) << s;
    EXPECT_NEAR(r.nps.se(), unit.nps.se(), 1e-12) << s;
    EXPECT_NEAR(r.nps.effective_n(), unit.nps.effective_n(), 1e-12) << s;
    ASSERT_TRUE(r.nps.ci().has_value());
    EXPECT_NEAR(r.nps.ci()->lower, unit.nps.ci()->lower, 1e-12) << s;
  }
  // By hand: Σw = 20, promoters 10, 9, 10, 9 → 1 + 2 + 2 + 4 = 9, detractors
  // 3, 0, 6 → 4 + 1 + 3 = 8; NPS = 100·(9 − 8)/20 = 5; Kish n = 400/60.
  EXPECT_NEAR(unit.nps.value(), 5.0, 1e-12);
  EXPECT_NEAR(unit.nps.effective_n(), 400.0 / 60.0, 1e-12);

  // The largest sums a state can reach: 10^18 responses of weight 1e100.
  const score_counts big(scale::csat(), {500000000000000000ULL, 0, 0, 0, 500000000000000000ULL},
                         {5e117, 0, 0, 0, 5e117}, {5e217, 0, 0, 0, 5e217});
  const auto share = compute_csat(big);
  EXPECT_NEAR(share.satisfied.value(), 0.5, 1e-12);
  EXPECT_TRUE(std::isfinite(share.satisfied.se()));
  EXPECT_NEAR(share.satisfied.effective_n(), 1e18, 1e6);
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

TEST(Timestamp, IsoFormsExportsWrite) {
  using namespace std::chrono;
  // Expected values from std::chrono's calendar (an independent count of days).
  auto at = [](year_month_day d, int h, int m, int s) {
    return timestamp{sys_days{d}} + hours{h} + minutes{m} + seconds{s};
  };
  const auto d = 2024y / March / 5;
  EXPECT_EQ(parse_timestamp("2024-03-05"), at(d, 0, 0, 0));
  EXPECT_EQ(parse_timestamp("2024-03-05T14:07"), at(d, 14, 7, 0));
  EXPECT_EQ(parse_timestamp("2024-03-05 14:07"), at(d, 14, 7, 0));
  EXPECT_EQ(parse_timestamp("2024-03-05t14:07:09z"), at(d, 14, 7, 9));
  EXPECT_EQ(parse_timestamp("2024-03-05T14:07:09,123456Z"), at(d, 14, 7, 9));
  EXPECT_EQ(parse_timestamp("2024-03-05T14:07+02:00"), at(d, 12, 7, 0));
  EXPECT_EQ(parse_timestamp("2024-03-05 14:07:09.5+0530"), at(d, 8, 37, 9));
  EXPECT_EQ(parse_timestamp("2024-03-05T01:07:09-03"), at(d, 4, 7, 9));
  EXPECT_EQ(parse_timestamp("2024-03-05T00:30:00+01:00"), at(2024y / March / 4, 23, 30, 0));
  EXPECT_EQ(parse_timestamp(" 2024-03-05T14:07:09Z\r"), at(d, 14, 7, 9));
}

TEST(Timestamp, UnixEpochSecondsAndMilliseconds) {
  using namespace std::chrono;
  // 2024-03-05T14:07:09Z = 1709647629 s (date -u -d @1709647629).
  const timestamp t{seconds{1709647629}};
  EXPECT_EQ(parse_timestamp("1709647629"), t);
  EXPECT_EQ(parse_timestamp("+1709647629.999"), t);  // a fraction keeps its second
  // Milliseconds: 1709647629123 ms = 1709647629 s + 123 ms → 1709647629 s
  // (automatic: 1709647629123 >= 10^11).
  EXPECT_EQ(parse_timestamp("1709647629123"), t);
  EXPECT_EQ(parse_timestamp("1709647629123.9"), t);
  // Floor for times before 1970: -1.5 s is in second -2; -1500 ms too.
  EXPECT_EQ(parse_timestamp("-1.5"), timestamp{seconds{-2}});
  EXPECT_EQ(parse_timestamp("-1500", {}, epoch_unit::milliseconds), timestamp{seconds{-2}});
  // The switch: 10^11 - 1 is seconds (year 5138: out of range), 10^11 is
  // milliseconds: 10^8 s = 1973-03-03T09:46:40Z (1157 days + 35200 s).
  EXPECT_EQ(parse_timestamp("100000000000"), timestamp{sys_days{1973y / March / 3}} + hours{9} + minutes{46} +
                                                 seconds{40});
  EXPECT_EQ(try_parse_timestamp("99999999999").state, timestamp_parse::status::out_of_range);
  // A forced unit: 1709647629 ms = 1709647.629 s → 1709647 s; seconds reads
  // 1709647629123 as the year 56000 (out of range).
  EXPECT_EQ(parse_timestamp("1709647629", {}, epoch_unit::milliseconds), timestamp{seconds{1709647}});
  EXPECT_EQ(try_parse_timestamp("1709647629123", epoch_unit::seconds).state, timestamp_parse::status::out_of_range);
  EXPECT_EQ(parse_timestamp("1709647629", {}, epoch_unit::seconds), t);
  for (const char* bad : {"1709647629.", "1.7e9", "0x10", "--1", "1709647629 ms", "."}) {
    EXPECT_EQ(try_parse_timestamp(bad).state, timestamp_parse::status::malformed) << bad;
  }
}

TEST(Timestamp, OnlyTimesFrom1900To2200AreAccepted) {
  using namespace std::chrono;
  // The bounds, counted by std::chrono's calendar.
  EXPECT_EQ(earliest_timestamp, timestamp{sys_days{1900y / January / 1}});
  EXPECT_EQ(latest_timestamp, timestamp{sys_days{2200y / December / 31}} + hours{23} + minutes{59} + seconds{59});
  EXPECT_EQ(parse_timestamp("1900-01-01"), earliest_timestamp);
  EXPECT_EQ(parse_timestamp("2200-12-31T23:59:59Z"), latest_timestamp);
  EXPECT_EQ(parse_timestamp("-2208988800"), earliest_timestamp);
  EXPECT_EQ(parse_timestamp("7289654399999"), latest_timestamp);  // ms: 7289654399.999 s
  for (const char* out : {"1899-12-31T23:59:59Z", "2201-01-01", "1800-01-01", "2300-01-01T00:00:00Z",
                          "1900-01-01T00:30:00+01:00", "2200-12-31T23:59:59-00:01", "-2208988801", "7289654400000",
                          "0000-01-01", "9999-12-31", "99999999999999999999999"}) {
    const auto r = try_parse_timestamp(out);
    EXPECT_EQ(r.state, timestamp_parse::status::out_of_range) << out;
    EXPECT_NE(r.reason.find("1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z"), std::string::npos) << r.reason;
    EXPECT_THROW((void)parse_timestamp(out), malformed_timestamp) << out;
  }
  // An epoch's reason says what it was read as. -99999999999 s is day
  // -1157408 and 51201 s: -1199-02-15T14:13:21Z (Hinnant's civil_from_days
  // run in Python; proleptic Gregorian, astronomical year numbering).
  EXPECT_EQ(try_parse_timestamp("-99999999999").reason,
            "timestamp '-99999999999' read as Unix epoch seconds is -1199-02-15T14:13:21Z, outside the accepted "
            "range 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z");
  EXPECT_EQ(try_parse_timestamp("2300-01-01").reason,
            "timestamp '2300-01-01' is outside the accepted range 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z");
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
