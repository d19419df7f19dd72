// Multiple-testing adjustment (stats/multiplicity.hpp) against R's p.adjust
// and a hand-worked example.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace {

using namespace cxm;
using cxm::stats::adjust_p;
using cxm::stats::p_adjust;
using cxm::stats::parse_p_adjust;

constexpr double na = std::numeric_limits<double>::quiet_NaN();

void expect_same(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "index " << i;
    } else {
      EXPECT_DOUBLE_EQ(got[i], want[i]) << "index " << i;
    }
  }
}

TEST(AdjustP, HandWorkedExample) {
  // p = (0.01, 0.04, 0.03, 0.005), m = 4. Sorted: 0.005, 0.01, 0.03, 0.04.
  // Holm: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04 -> running max 0.06.
  // BH, from the top: 4/4·0.04 = 0.04, 4/3·0.03 = 0.04, 4/2·0.01 = 0.02, 4/1·0.005 = 0.02 (running min).
  // Bonferroni: 4·p.
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  expect_same(adjust_p(p, p_adjust::holm), {0.03, 0.06, 0.06, 0.02});
  expect_same(adjust_p(p, p_adjust::benjamini_hochberg), {0.02, 0.04, 0.04, 0.02});
  expect_same(adjust_p(p, p_adjust::bonferroni), {0.04, 0.16, 0.12, 0.02});
  expect_same(adjust_p(p, p_adjust::none), p);
}

TEST(AdjustP, MatchesRWithTies) {
  // p <- c(0.021, 0.001, 0.04, 0.04, 0.3, 0.021, 0.8, 0.0001, 0.04, 0.5)
  const std::vector<double> p = {0.021, 0.001, 0.04, 0.04, 0.3, 0.021, 0.8, 0.0001, 0.04, 0.5};
  // sprintf("%.17g", p.adjust(p, "holm"))
  expect_same(adjust_p(p, p_adjust::holm),
              {0.16800000000000001, 0.0090000000000000011, 0.23999999999999999, 0.23999999999999999,
               0.89999999999999991, 0.16800000000000001, 1, 0.001, 0.23999999999999999, 1});
  // sprintf("%.17g", p.adjust(p, "BH"))
  expect_same(adjust_p(p, p_adjust::benjamini_hochberg),
              {0.052500000000000005, 0.0050000000000000001, 0.057142857142857148, 0.057142857142857148, 0.375,
               0.052500000000000005, 0.80000000000000004, 0.001, 0.057142857142857148, 0.55555555555555558});
  // sprintf("%.17g", p.adjust(p, "bonferroni"))
  expect_same(adjust_p(p, p_adjust::bonferroni),
              {0.21000000000000002, 0.01, 0.40000000000000002, 0.40000000000000002, 1, 0.21000000000000002, 1,
               0.001, 0.40000000000000002, 1});
}

TEST(AdjustP, NaNStaysNaNAndIsNotCounted) {
  // p <- c(0.02, NA, 0.01, 0.5, NA, 0.03): m = 4, not 6.
  const std::vector<double> p = {0.02, na, 0.01, 0.5, na, 0.03};
  // p.adjust(p, "holm")
  expect_same(adjust_p(p, p_adjust::holm), {0.059999999999999998, na, 0.040000000000000001, 0.5, na,
                                            0.059999999999999998});
  // p.adjust(p, "BH")
  expect_same(adjust_p(p, p_adjust::benjamini_hochberg),
              {0.039999999999999994, na, 0.039999999999999994, 0.5, na, 0.039999999999999994});
  // p.adjust(p, "bonferroni")
  expect_same(adjust_p(p, p_adjust::bonferroni), {0.080000000000000002, na, 0.040000000000000001, 1, na, 0.12});
  expect_same(adjust_p(p, p_adjust::none), p);
  // All NaN: nothing to adjust.
  expect_same(adjust_p(std::vector<double>{na, na}, p_adjust::holm), {na, na});
}

TEST(AdjustP, LargeValuesAreCappedAtOne) {
  // p <- c(0.6, 0.7, 0.9, 0.95); p.adjust(p, "holm"); p.adjust(p, "BH")
  const std::vector<double> p = {0.6, 0.7, 0.9, 0.95};
  expect_same(adjust_p(p, p_adjust::holm), {1, 1, 1, 1});
  expect_same(adjust_p(p, p_adjust::benjamini_hochberg),
              {0.94999999999999996, 0.94999999999999996, 0.94999999999999996, 0.94999999999999996});
  expect_same(adjust_p(p, p_adjust::bonferroni), {1, 1, 1, 1});
}

TEST(AdjustP, SingleAndEmpty) {
  // p.adjust(0.03, "holm") == p.adjust(0.03, "BH") == 0.03: nothing to adjust for.
  for (auto m : {p_adjust::none, p_adjust::bonferroni, p_adjust::holm, p_adjust::benjamini_hochberg}) {
    expect_same(adjust_p(std::vector<double>{0.03}, m), {0.03});
    EXPECT_TRUE(adjust_p(std::vector<double>{}, m).empty());
  }
  // Bounds are valid p-values.
  expect_same(adjust_p(std::vector<double>{0.0, 1.0}, p_adjust::holm), {0.0, 1.0});
}

TEST(AdjustP, OrderAndMonotonicity) {
  // Adjusted values never fall below the raw ones and keep their order.
  const std::vector<double> p = {0.3, 0.001, 0.07, 0.02, 0.02, 0.9, 0.0004, 0.049};
  for (auto m : {p_adjust::bonferroni, p_adjust::holm, p_adjust::benjamini_hochberg}) {
    const auto a = adjust_p(p, m);
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_GE(a[i], p[i]);
      EXPECT_LE(a[i], 1.0);
      for (std::size_t j = 0; j < p.size(); ++j) {
        if (p[i] < p[j]) {
          EXPECT_LE(a[i], a[j]) << to_string(m) << " " << i << " " << j;
        }
        if (p[i] == p[j]) {
          EXPECT_EQ(a[i], a[j]);
        }
      }
    }
  }
  // Holm is never above Bonferroni, BH never above Holm.
  const auto bonf = adjust_p(p, p_adjust::bonferroni);
  const auto holm = adjust_p(p, p_adjust::holm);
  const auto bh = adjust_p(p, p_adjust::benjamini_hochberg);
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_LE(holm[i], bonf[i]);
    EXPECT_LE(bh[i], holm[i]);
  }
}

TEST(AdjustP, OutOfRangeThrowsNamingTheIndex) {
  const std::vector<double> bad = {0.1, 0.2, 1.5};
  try {
    (void)adjust_p(bad, p_adjust::holm);
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.id(), 201);
    EXPECT_EQ(e.where().field, "p[2]");
    EXPECT_NE(std::string(e.what()).find("p[2]"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)adjust_p(std::vector<double>{-0.01}, p_adjust::none), invalid_argument);
  EXPECT_THROW((void)adjust_p(std::vector<double>{0.5, std::numeric_limits<double>::infinity()}, p_adjust::benjamini_hochberg),
               invalid_argument);
}

TEST(PAdjust, NamesRoundTripAndAliasesParse) {
  for (auto m : {p_adjust::none, p_adjust::bonferroni, p_adjust::holm, p_adjust::benjamini_hochberg}) {
    EXPECT_EQ(parse_p_adjust(to_string(m)), m);
  }
  EXPECT_EQ(parse_p_adjust("bh"), p_adjust::benjamini_hochberg);
  EXPECT_EQ(parse_p_adjust("BH"), p_adjust::benjamini_hochberg);
  EXPECT_EQ(parse_p_adjust("fdr"), p_adjust::benjamini_hochberg);
  EXPECT_EQ(parse_p_adjust(" Holm "), p_adjust::holm);
  EXPECT_EQ(parse_p_adjust("benjamini-hochberg"), p_adjust::benjamini_hochberg);
  EXPECT_STREQ(to_string(p_adjust::benjamini_hochberg), "benjamini_hochberg");
}

TEST(PAdjust, UnknownNameThrows) {
  EXPECT_THROW((void)parse_p_adjust("hochberg"), invalid_argument);  // a different procedure
  EXPECT_THROW((void)parse_p_adjust(""), invalid_argument);
  try {
    (void)parse_p_adjust("sidak", at_field("adjust"));
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "adjust");
    EXPECT_NE(std::string(e.what()).find("'sidak'"), std::string::npos) << e.what();
  }
}

}  // namespace
