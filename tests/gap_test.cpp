// Perception gap (drivers/gap.hpp) and the paired difference of proportions
// (stats/paired_proportions.hpp), against hand-worked closed forms: the
// paired t interval of the mean gap, Pearson's r and Fisher's z interval,
// the Wilson interval of the "self higher" share, and Newcombe's paired
// interval (method 10) worked from its formula; its φ = 0 case against the
// independent Newcombe interval of stats/compare.hpp (a second method);
// merges of split data against the whole; the min-n guard, missing-value
// counts and typed errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/drivers/gap.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/paired_proportions.hpp"
#include "cxmetrics/testing/merge_laws.hpp"

namespace {

using namespace cxm;
using namespace cxm::drivers;

// Six contacts on CSAT 1–5, (self, customer):
//   (5,4) (4,4) (5,3) (3,4) (4,2) (5,5)
perception_gap six(std::string_view group = {}) {
  perception_gap g(scale::csat(), scale::csat());
  const int s[] = {5, 4, 5, 3, 4, 5}, c[] = {4, 4, 3, 4, 2, 5};
  for (int i = 0; i < 6; ++i) g.add(s[i], c[i], group);
  return g;
}

TEST(PerceptionGap, MeanGapWithPairedTInterval) {
  // d = s − c: 1, 0, 2, −1, 2, 0; Σd = 4, d̄ = 2/3.
  // Σ(d − d̄)² = Σd² − (Σd)²/n = 10 − 16/6 = 22/3; s_d = √((22/3)/5) = 1.2110601;
  // SE = s_d/√6 = 0.4944132; t_{0.975, 5} = 2.5705818 (R: qt(0.975, 5));
  // interval 2/3 ∓ 2.5705818·0.4944132 = [−0.6042630, 1.9375963]
  // (R: t.test(c(5,4,5,3,4,5), c(4,4,3,4,2,5), paired = TRUE)$conf.int).
  const auto r = six().result().organisation;
  ASSERT_TRUE(r.gap.ok());
  EXPECT_EQ(r.n, 6u);
  EXPECT_NEAR(r.gap.value(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.gap.se(), 0.4944132324730443, 1e-12);
  EXPECT_NEAR(r.gap.ci()->lower, -0.6042630085105217, 1e-9);
  EXPECT_NEAR(r.gap.ci()->upper, 1.937596341843855, 1e-9);
  EXPECT_EQ(r.gap.ci()->method, interval_method::t);
  // Means: self 26/6, customer 22/6; their difference is the gap.
  EXPECT_NEAR(r.self_mean.value(), 26.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.customer_mean.value(), 22.0 / 6.0, 1e-12);
  // Customer: Σ(c − c̄)² = 86 − 22²/6 = 16/3; SE = √((16/3)/5/6) = 0.4216370.
  EXPECT_NEAR(r.customer_mean.se(), std::sqrt(16.0 / 3.0 / 5.0 / 6.0), 1e-12);
}

TEST(PerceptionGap, CalibrationWithFisherZInterval) {
  // Sss = 116 − 26²/6 = 10/3, Scc = 86 − 22²/6 = 16/3, Ssc = 96 − 26·22/6 = 2/3;
  // r = (2/3)/√(10/3 · 16/3) = 0.1581139 (R: cor(s, c));
  // z = atanh(r) = 0.1594516, z ± 1.9599640/√(6 − 3) = z ∓ 1.1315857;
  // interval tanh(−0.9721341), tanh(1.2910373) = [−0.7496406, 0.8593980]
  // (R: cor.test(s, c)$conf.int); SE (1 − r²)/√3 = 0.5629165.
  const auto r = six().result().organisation.calibration;
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r.value(), 0.15811388300841897, 1e-12);
  EXPECT_NEAR(r.ci()->lower, -0.7496406073395673, 1e-9);
  EXPECT_NEAR(r.ci()->upper, 0.8593979816370609, 1e-9);
  EXPECT_NEAR(r.se(), 0.5629165124598852, 1e-12);
}

TEST(PerceptionGap, SelfHigherShareWithWilsonAndTiesApart) {
  // Self higher in 3 of 6 (d = 1, 2, 2), ties 2 (d = 0), lower 1.
  // Wilson 3/6: centre (3 + z²/2)/(6 + z²) = 0.5, half z/(6 + z²)·√(3·3/6 + z²/4)
  // = 0.3123837 with z = 1.9599640: [0.1876163, 0.8123837].
  // Ties 2/6: centre (2 + 1.9207294)/9.8414588 = 0.3983890, half 0.3016222:
  // [0.0967714, 0.7000067] (R: prop.test(2, 6, correct = FALSE)$conf.int).
  const auto r = six().result().organisation;
  EXPECT_EQ(r.self_higher_count, 3u);
  EXPECT_EQ(r.tie_count, 2u);
  EXPECT_EQ(r.self_lower_count, 1u);
  ASSERT_TRUE(r.self_higher.ok());
  EXPECT_NEAR(r.self_higher.value(), 0.5, 1e-12);
  EXPECT_NEAR(r.self_higher.ci()->lower, 0.18761630648265054, 1e-9);
  EXPECT_NEAR(r.self_higher.ci()->upper, 0.8123836935173494, 1e-9);
  EXPECT_NEAR(r.ties.value(), 2.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.ties.ci()->lower, 0.09677141110578052, 1e-9);
  EXPECT_NEAR(r.ties.ci()->upper, 0.700006684861608, 1e-9);
}

TEST(PerceptionGap, TopBoxGapIsPaired) {
  // Top box 4–5. Self top in 5 of 6, customer in 4: the paired table
  // a = both 3 ((5,4) (4,4) (5,5)), b = self only 2 ((5,3) (4,2)),
  // c = customer only 1 ((3,4)), d = neither 0.
  // δ = (b − c)/n = 1/6; Wilson 5/6: [0.4364972, 0.9699466]; 4/6: [0.2999933, 0.9032286];
  // φ = (ad − bc)/√(5·1·4·2) = −2/√40 = −0.3162278;
  // L = δ − √((5/6 − 0.4364972)² − 2φ(5/6 − 0.4364972)(0.9032286 − 4/6) + (0.9032286 − 4/6)²)
  //   = 1/6 − √(0.1574805 + 0.0592776 + 0.0559353) = −0.3556484
  // U = δ + √((0.9699466 − 5/6)² − 2φ(0.1366133)(4/6 − 0.2999933) + (0.3666733)²)
  //   = 0.5965431; SE √(b + c − (b − c)²/n)/n = √(3 − 1/6)/6 = 0.2805418;
  // McNemar z = (2 − 1)/√3 = 0.5773503.
  const auto r = six().result().organisation;
  EXPECT_NEAR(r.self_top_box.value(), 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(r.customer_top_box.value(), 4.0 / 6.0, 1e-12);
  const auto& d = r.top_box_gap.difference;
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(d.value(), 1.0 / 6.0, 1e-12);
  EXPECT_NEAR(d.ci()->lower, -0.35564844671240803, 1e-9);
  EXPECT_NEAR(d.ci()->upper, 0.5965431491297477, 1e-9);
  EXPECT_NEAR(d.se(), 0.28054180384339106, 1e-12);
  EXPECT_NEAR(r.top_box_gap.statistic, 1.0 / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(d.ci()->method, interval_method::newcombe);
  EXPECT_EQ(d.n(), 6u);
}

TEST(PairedProportions, NewcombeMethod10ByItsClosedForm) {
  // a = 40, b = 25, c = 8, d = 27 (n = 100): p1 = 0.65, p2 = 0.48, δ = 0.17.
  // Wilson 65/100: [0.5525444, 0.7363575]; 48/100: [0.3846455, 0.5768342].
  // φ = (40·27 − 25·8)/√(65·35·48·52) = 880/2382.9393 = 0.3692918.
  // L = 0.17 − √(0.0974556² − 2·0.3692918·0.0974556·0.0968342 + 0.0968342²) = 0.0608926
  // U = 0.17 + √(0.0863575² − 2·0.3692918·0.0863575·0.0953545 + 0.0953545²) = 0.2723141
  // SE √(33 − 17²/100)/100 = 0.0548726; McNemar z = 17/√33 = 2.9593202,
  // p = 0.0030832 (R: mcnemar.test(matrix(c(40, 8, 25, 27), 2), correct = FALSE)).
  const auto c = stats::compare_paired_proportions(40, 25, 8, 27);
  ASSERT_TRUE(c.difference.ok());
  EXPECT_NEAR(c.difference.value(), 0.17, 1e-12);
  EXPECT_NEAR(c.difference.ci()->lower, 0.06089264316973862, 1e-9);
  EXPECT_NEAR(c.difference.ci()->upper, 0.27231409897149467, 1e-9);
  EXPECT_NEAR(c.difference.se(), 0.054872579673275794, 1e-12);
  EXPECT_NEAR(c.statistic, 2.9593201512468634, 1e-9);
  EXPECT_NEAR(c.p_value, 0.0030831860909079634, 1e-9);
  EXPECT_NEAR(stats::paired_phi(40, 25, 8, 27), 0.3692918142455256, 1e-12);
  // Narrower than the independent interval of the same shares (positive φ).
  const auto indep = stats::compare_proportions(65, 100, 48, 100);
  EXPECT_LT(c.difference.ci()->width(), indep.difference.ci()->width());
}

TEST(PairedProportions, WithoutCorrelationItIsTheIndependentNewcombeInterval) {
  // ad = bc (φ = 0): the paired interval reduces to Newcombe's interval of
  // two independent proportions 4/8 and 4/8 (stats::compare_proportions).
  for (const auto& t : std::vector<std::vector<std::uint64_t>>{{2, 2, 2, 2}, {6, 3, 2, 1}, {0, 5, 0, 3}}) {
    const auto p = stats::compare_paired_proportions(t[0], t[1], t[2], t[3]);
    const std::uint64_t n = t[0] + t[1] + t[2] + t[3];
    const auto i = stats::compare_proportions(t[0] + t[1], n, t[0] + t[2], n);
    ASSERT_EQ(stats::paired_phi(t[0], t[1], t[2], t[3]), 0.0);
    EXPECT_NEAR(p.difference.ci()->lower, i.difference.ci()->lower, 1e-12);
    EXPECT_NEAR(p.difference.ci()->upper, i.difference.ci()->upper, 1e-12);
  }
}

TEST(PairedProportions, EdgeCases) {
  const auto none = stats::compare_paired_proportions(0, 0, 0, 0);
  EXPECT_EQ(none.difference.state(), estimate::status::no_data);
  // No discordant pairs: δ = 0, statistic 0, p = 1.
  const auto same = stats::compare_paired_proportions(5, 0, 0, 5);
  EXPECT_EQ(same.difference.value(), 0.0);
  EXPECT_EQ(same.p_value, 1.0);
  EXPECT_LE(same.difference.ci()->lower, 0.0);
  EXPECT_GE(same.difference.ci()->upper, 0.0);
  // All discordant one way: δ = 1, the interval within [−1, 1].
  const auto all = stats::compare_paired_proportions(0, 7, 0, 0);
  EXPECT_EQ(all.difference.value(), 1.0);
  EXPECT_LE(all.difference.ci()->upper, 1.0);
  EXPECT_THROW((void)stats::compare_paired_proportions(1, 1, 1, 1, 1.5), invalid_argument);
}

TEST(PerceptionGap, DifferentScalesMapSelfOntoTheCustomerScale) {
  // Self on 1–10, customer on CSAT 1–5: s' = 1 + (s − 1)·4/9.
  // (10,5): s' = 5, tie; (1,1): tie; (7,3): s' = 11/3, d = 2/3; (4,4): s' = 7/3, d = −5/3.
  // Mean gap (0 + 0 + 2/3 − 5/3)/4 = −1/4; self mean (5 + 1 + 11/3 + 7/3)/4 = 3.
  perception_gap g(scale::custom(1, 10, 9, 4), scale::csat());
  g.add(10, 5);
  g.add(1, 1);
  g.add(7, 3);
  g.add(4, 4);
  const auto r = g.result().organisation;
  EXPECT_NEAR(r.gap.value(), -0.25, 1e-12);
  EXPECT_NEAR(r.self_mean.value(), 3.0, 1e-12);
  EXPECT_NEAR(r.customer_mean.value(), 13.0 / 4.0, 1e-12);
  EXPECT_EQ(r.tie_count, 2u);
  EXPECT_EQ(r.self_higher_count, 1u);
  // The gap's SD: d = 0, 0, 2/3, −5/3; Σ(d + 1/4)² = 2/16 + (11/12)² + (17/12)² = 2.9583333;
  // SE = √(2.9583333/3/4) = 0.4965161.
  EXPECT_NEAR(r.gap.se(), std::sqrt((2.0 / 16 + 121.0 / 144 + 289.0 / 144) / 3.0 / 4.0), 1e-12);
  // Top boxes are each scale's own: self 9–10 (1 of 4), customer 4–5 (2 of 4).
  EXPECT_NEAR(r.self_top_box.value(), 0.25, 1e-12);
  EXPECT_NEAR(r.customer_top_box.value(), 0.5, 1e-12);
  // --top-box 1: the top point of each scale: self 10 (1), customer 5 (1).
  perception_gap k(scale::custom(1, 10, 9, 4), scale::csat(), 1);
  k.add(10, 5);
  k.add(9, 4);
  EXPECT_EQ(k.self_top_min(), 10);
  EXPECT_EQ(k.customer_top_min(), 5);
  EXPECT_NEAR(k.result().organisation.self_top_box.value(), 0.5, 1e-12);
}

TEST(PerceptionGap, MissingValuesAreDroppedAndCountedByReason) {
  perception_gap g;
  g.add(5, 4, "A");
  g.add(std::nullopt, 4, "A");
  g.add(5, std::nullopt, "A");
  g.add(5, std::nullopt, "B");
  g.add(std::nullopt, std::nullopt);
  g.add(3, 3);
  const auto r = g.result();
  EXPECT_EQ(r.organisation.rows, 6u);
  EXPECT_EQ(r.organisation.n, 2u);
  EXPECT_EQ(r.organisation.missing_self, 1u);
  EXPECT_EQ(r.organisation.missing_customer, 2u);
  EXPECT_EQ(r.organisation.missing_both, 1u);
  EXPECT_EQ(r.ungrouped, 2u);
  ASSERT_EQ(r.groups.size(), 2u);
  // Neither group reaches min_n 30: both listed by key, unranked.
  EXPECT_EQ(r.groups[0].group, "A");
  EXPECT_EQ(r.groups[0].result.rows, 3u);
  EXPECT_EQ(r.groups[0].result.missing_customer, 1u);
  EXPECT_EQ(r.groups[1].group, "B");
  EXPECT_EQ(r.groups[1].result.n, 0u);
  EXPECT_EQ(r.groups[1].result.gap.state(), estimate::status::no_data);
  EXPECT_FALSE(r.groups[0].rank);
  EXPECT_FALSE(r.groups[1].rank);
}

TEST(PerceptionGap, MinNGuardAndRanking) {
  // Four agents: |gap| of C 0 (n 4), A 1/4 (n 4), B 1/4 (n 4), D 2 (n 2, thin).
  perception_gap g;
  for (int i = 0; i < 4; ++i) g.add(4, 4, "C");
  g.add(5, 4, "A");
  for (int i = 0; i < 3; ++i) g.add(4, 4, "A");
  g.add(3, 4, "B");
  for (int i = 0; i < 3; ++i) g.add(4, 4, "B");
  g.add(5, 3, "D");
  g.add(5, 3, "D");
  const auto r = g.result({0.95, 3});
  ASSERT_EQ(r.groups.size(), 4u);
  EXPECT_EQ(r.groups[0].group, "C");
  EXPECT_EQ(r.groups[0].rank, std::optional<std::uint64_t>(1));
  EXPECT_EQ(r.groups[1].group, "A");  // |+1/4| and |−1/4| tie: key order, one rank
  EXPECT_EQ(r.groups[1].rank, std::optional<std::uint64_t>(2));
  EXPECT_EQ(r.groups[2].group, "B");
  EXPECT_EQ(r.groups[2].rank, std::optional<std::uint64_t>(2));
  EXPECT_EQ(r.groups[3].group, "D");  // n 2 < 3: listed, not ranked
  EXPECT_FALSE(r.groups[3].rank);
  EXPECT_NEAR(r.groups[3].result.gap.value(), 2.0, 1e-12);
  // With min_n 2 D is ranked last (4th).
  const auto all = g.result({0.95, 2});
  EXPECT_EQ(all.groups[3].group, "D");
  EXPECT_EQ(all.groups[3].rank, std::optional<std::uint64_t>(4));
  EXPECT_EQ(all.min_n, 2u);
}

TEST(PerceptionGap, DegenerateCasesAreNamedNotNaN) {
  perception_gap g;
  EXPECT_TRUE(g.empty());
  const auto e = g.result().organisation;
  EXPECT_EQ(e.gap.state(), estimate::status::no_data);
  EXPECT_EQ(e.calibration.state(), estimate::status::no_data);
  g.add(4, 4);
  const auto one = g.result().organisation;
  EXPECT_EQ(one.gap.state(), estimate::status::insufficient);  // a t interval needs 2 pairs
  EXPECT_EQ(one.gap.value(), 0.0);
  // Self constant: r undefined, named.
  perception_gap k;
  k.add(4, 3);
  k.add(4, 5);
  k.add(4, 2);
  const auto c = k.result().organisation.calibration;
  EXPECT_EQ(c.state(), estimate::status::no_data);
  EXPECT_NE(c.note().find("self"), std::string::npos);
  // Three pairs: r, no Fisher interval (n − 3 = 0).
  perception_gap t;
  t.add(1, 2);
  t.add(3, 3);
  t.add(5, 5);
  EXPECT_EQ(t.result().organisation.calibration.state(), estimate::status::insufficient);
  // Perfect agreement: r = 1, interval [1, 1].
  perception_gap p;
  for (int i = 1; i <= 5; ++i) p.add(i, i);
  const auto pr = p.result().organisation.calibration;
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(pr.value(), 1.0);
  EXPECT_EQ(pr.ci()->lower, 1.0);
}

// A row of the merge-law data: self, customer (0 = missing), agent.
struct row {
  int self, customer;
  std::string agent;
};

static_assert(cxm::accumulator<perception_gap>, "perception_gap keeps the accumulator contract");

TEST(PerceptionGap, MergeOfSplitDataEqualsTheWhole) {
  std::mt19937_64 rng(22);
  std::vector<row> rows;
  const char* agents[] = {"", "A1", "A2", "B7"};
  for (int i = 0; i < 200; ++i) {
    rows.push_back({static_cast<int>(rng() % 6), static_cast<int>(rng() % 6), agents[rng() % 4]});
  }
  const auto opt = [](int v) { return v == 0 ? std::nullopt : std::optional<int>(v); };
  const auto report = cxm::testing::check_merge_laws(
      [] { return perception_gap(scale::csat(), scale::csat(1)); },
      [&](perception_gap& g, const row& r, std::size_t) { g.add(opt(r.self), opt(r.customer), r.agent); }, rows);
  EXPECT_TRUE(report) << report.message();
  // Two halves merged give the same figures as the whole.
  perception_gap a, b, whole;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    (i % 3 == 0 ? a : b).add(opt(rows[i].self), opt(rows[i].customer), rows[i].agent);
    whole.add(opt(rows[i].self), opt(rows[i].customer), rows[i].agent);
  }
  a.merge(b);
  EXPECT_EQ(a, whole);
  EXPECT_EQ(a.result().organisation.gap.ci()->lower, whole.result().organisation.gap.ci()->lower);
}

TEST(PerceptionGap, JsonRoundTripAndCheckedReading) {
  perception_gap g(scale::custom(1, 10, 9, 4), scale::csat(), 2);
  g.add(10, 5, "AG01");
  g.add(3, 4, "AG02");
  g.add(std::nullopt, 2, "AG02");
  g.add(7, 1);
  const nlohmann::json j = g;
  EXPECT_EQ(j.at("total").at("n"), 3u);
  EXPECT_EQ(j.at("groups").size(), 2u);
  EXPECT_EQ(j.get<perception_gap>(), g);
  EXPECT_EQ(nlohmann::json::parse(j.dump()).get<perception_gap>(), g);
  auto more_ties = j;
  more_ties["total"]["ties"] = 4;  // more ties than pairs
  EXPECT_THROW((void)more_ties.get<perception_gap>(), serialization_error);
  auto twice = j;
  twice["groups"].push_back(twice["groups"][0]);
  EXPECT_THROW((void)twice.get<perception_gap>(), serialization_error);
  auto top = j;
  top["top_box"] = 10;  // no point of 1–10 outside a 10-point top box
  EXPECT_THROW((void)top.get<perception_gap>(), serialization_error);
  auto missing = j;
  missing["total"].erase("sum_cross");
  EXPECT_THROW((void)missing.get<perception_gap>(), serialization_error);
  auto overfull = j;
  overfull["groups"][0]["counts"]["missing_both"] = 10;
  EXPECT_THROW((void)overfull.get<perception_gap>(), serialization_error);
}

TEST(PerceptionGap, TypedErrors) {
  perception_gap g;
  EXPECT_THROW(g.add(6, 4), score_out_of_scale);
  EXPECT_THROW(g.add(4, 0), score_out_of_scale);
  try {
    g.add(4, 9);
    FAIL();
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().field, "customer");
  }
  EXPECT_TRUE(g.empty());  // nothing counted by a failed add
  EXPECT_THROW(perception_gap(scale::csat(), scale::csat(), 5), invalid_argument);
  EXPECT_THROW(perception_gap(scale::csat(), scale::csat(), -1), invalid_argument);
  perception_gap other(scale::nps(), scale::csat());
  EXPECT_THROW(g.merge(other), incompatible_merge);
  perception_gap top1(scale::csat(), scale::csat(), 1);
  EXPECT_THROW(g.merge(top1), incompatible_merge);
  EXPECT_THROW((void)g.result({1.0, 30}), invalid_argument);
}

// ---- declared fields ---------------------------------------------------------------------

response_table table_of(const std::string& text, const schema& s) {
  ingest_options o;
  o.schema = s;
  response_table t(schema_of(o));
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) { b.append_to(t); };
  sink.on_reject = [](const ingest_reject& r) { ADD_FAILURE() << "reject: " << r.reason; };
  (void)stream_responses_csv_text(text, "t", o, sink);
  return t;
}

TEST(GapInput, ReadsDeclaredFieldsByAgent) {
  const schema s = schema_builder().score("self", scale::custom(1, 5, 4, 2)).category("unit").build();
  const std::string csv =
      "agent,unit,self,csat\nA,u1,5,4\nA,u1,4,4\nB,u2,5,3\n,u2,3,4\nB,u1,4,\nA,,,2\nC,u1,5,5\n";
  const response_table t = table_of(csv, s);
  gap_input in(t.schema(), "self", "csat", "agent");
  in.add(t);
  const auto r = in.state().result({0.95, 1});
  EXPECT_EQ(r.organisation.rows, 7u);
  EXPECT_EQ(r.organisation.n, 5u);
  EXPECT_EQ(r.organisation.missing_customer, 1u);
  EXPECT_EQ(r.organisation.missing_self, 1u);
  EXPECT_EQ(r.ungrouped, 1u);
  // Gaps: A (5,4) (4,4): 1/2; B (5,3): 2; C (5,5): 0 → ranks C, A, B.
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[0].group, "C");
  EXPECT_EQ(r.groups[1].group, "A");
  EXPECT_NEAR(r.groups[1].result.gap.value(), 0.5, 1e-12);
  EXPECT_EQ(r.groups[1].result.missing_self, 1u);
  EXPECT_EQ(r.groups[2].group, "B");
  EXPECT_EQ(r.groups[2].result.missing_customer, 1u);
  // The same rows by a declared category, and without a group.
  gap_input by_unit(t.schema(), "self", "csat", "unit");
  by_unit.add(t);
  EXPECT_EQ(by_unit.state().total(), in.state().total());
  EXPECT_EQ(by_unit.state().groups().at("u1").n, 3u);
  gap_input plain(t.schema(), "self", "csat");
  plain.add(t);
  EXPECT_EQ(plain.state().total(), in.state().total());
  EXPECT_TRUE(plain.state().groups().empty());
  // By channel (a 16-bit column).
  const response_table tc = table_of("channel,unit,self,csat\nweb,u,5,4\nphone,u,4,4\nweb,u,3,5\n", s);
  gap_input by_channel(tc.schema(), "self", "csat", "channel");
  by_channel.add(tc);
  EXPECT_EQ(by_channel.state().groups().at("web").n, 2u);
}

TEST(GapInput, BadBindingsAreTypedErrorsNamingTheField) {
  const schema s = schema_builder().score("self", scale::custom(1, 5, 4, 2)).numeric("spend").build();
  const auto names = [&](const std::string& self, const std::string& customer, const std::string& group,
                         const std::string& field) {
    try {
      gap_input in(s, self, customer, group);
      ADD_FAILURE() << "no error for " << self << ", " << customer << ", " << group;
    } catch (const invalid_argument& e) {
      EXPECT_EQ(e.where().field, field);
    }
  };
  names("selfie", "csat", "", "selfie");   // not a field
  names("spend", "csat", "", "spend");     // numeric, not a score
  names("self", "self", "", "self");       // one field twice
  names("self", "csat", "spend", "spend"); // group not a category
  names("self", "csat", "region", "region");
  EXPECT_THROW(gap_input(s, "self", "csat", "", 5), invalid_argument);
}

}  // namespace
