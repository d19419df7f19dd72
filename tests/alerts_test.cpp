// Close-the-loop alerts: rules, cool-downs, windows (over the stream and per
// group), the baseline test and the guarantee that every match ends as exactly one alert, suppression or
// failure. Streams are replayed with a fake clock; expected counts are worked
// by hand in the comments, the baseline test's p-values by the closed forms
// written out here (not through the library's comparison code).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_engine.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"

namespace {

using cxm::alert;
using cxm::alert_engine;
using cxm::alert_outcome;
using cxm::alert_rule;
using cxm::response;
using cxm::timestamp;

timestamp at(std::int64_t seconds) { return timestamp{std::chrono::seconds{seconds}}; }
constexpr std::int64_t day = 86400;
const std::int64_t t0 = 1704067200;  // 2024-01-01T00:00:00Z

response nps_response(std::string id, int nps, std::optional<timestamp> time = {}) {
  response r;
  r.id = std::move(id);
  r.nps = nps;
  r.time = time;
  return r;
}

// A clock the test moves by hand.
struct fake_clock {
  std::int64_t now = t0;
  std::function<timestamp()> fn() {
    return [this] { return at(now); };
  }
};

struct collected {
  std::vector<alert> records;
  cxm::alert_sink sink() {
    return [this](const alert& a) { records.push_back(a); };
  }
};

void expect_balanced(const cxm::alert_counts& c) {
  EXPECT_EQ(c.matches, c.alerts + c.suppressed + c.failed);
}

TEST(Alerts, DefaultRuleAlertsOnSixOrLessWithTheContext) {
  fake_clock clock;
  cxm::alert_engine_options o;
  o.clock = clock.fn();
  alert_engine e({}, o);
  ASSERT_EQ(e.rules().size(), 1u);  // the default: detractor, NPS <= 6
  collected got;
  e.add_sink(got.sink());
  response r = nps_response("R1", 6, at(t0 + 3600));
  r.channel = cxm::channels::chat;
  r.agent = "CH07";
  r.segment = "consumer";
  r.why = "waited an hour";
  r.resolved = cxm::resolution::no;
  e.process(r);
  e.process(nps_response("R2", 7));   // passive: no alert
  e.process(nps_response("R3", 10));  // promoter
  clock.now += 60;
  e.process(nps_response("R4", 0));
  response none;  // no NPS answer: nothing to check
  e.process(none);
  ASSERT_EQ(got.records.size(), 2u);
  const alert& a = got.records[0];
  EXPECT_EQ(a.outcome, alert_outcome::alert);
  EXPECT_EQ(a.rule, "detractor");
  EXPECT_EQ(a.id, "R1");
  EXPECT_EQ(a.channel, "chat");
  EXPECT_EQ(a.agent, "CH07");
  EXPECT_EQ(a.segment, "consumer");
  EXPECT_EQ(a.why, "waited an hour");
  EXPECT_EQ(a.nps, 6);
  EXPECT_EQ(a.resolved, cxm::resolution::no);
  EXPECT_EQ(a.time, at(t0 + 3600));
  EXPECT_EQ(a.raised_at, at(t0));
  EXPECT_EQ(a.reason, "nps 6 is at most 6");
  EXPECT_EQ(a.sequence, 0u);
  EXPECT_EQ(got.records[1].id, "R4");
  EXPECT_EQ(got.records[1].sequence, 3u);
  EXPECT_EQ(got.records[1].raised_at, at(t0 + 60));
  EXPECT_EQ(e.counts().responses, 5u);
  EXPECT_EQ(e.counts().matches, 2u);
  EXPECT_EQ(e.counts().alerts, 2u);
}

TEST(Alerts, ThresholdAndScalePerRule) {
  // CSAT 2 or less on 1..5; NPS 4 or less; not resolved; an 11-point custom
  // scale 1..11 where 3 is the threshold.
  alert_rule custom = alert_rule::detractor(3, "custom");
  custom.scale = cxm::scale::custom(1, 11, 10, 7);
  alert_engine e({alert_rule::csat_at_most(2), alert_rule::detractor(4, "strict"), alert_rule::unresolved()});
  collected got;
  e.add_sink(got.sink());
  response r;
  r.csat = 2;
  r.nps = 5;
  r.resolved = cxm::resolution::unknown;
  e.process(r);  // csat only
  r.csat = 3;
  r.nps = 4;
  r.resolved = cxm::resolution::no;
  e.process(r);  // strict and unresolved
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_EQ(got.records[0].rule, "low-csat");
  EXPECT_EQ(got.records[1].rule, "strict");
  EXPECT_EQ(got.records[2].rule, "unresolved");
  EXPECT_EQ(got.records[2].reason, "the issue was not resolved");

  alert_engine c({custom});
  response s;
  s.nps = 11;  // inside 1..11
  EXPECT_NO_THROW(c.process(s));
  s.nps = 0;   // outside 1..11: typed error naming the rule and the field
  try {
    c.process(s);
    FAIL() << "expected score_out_of_scale";
  } catch (const cxm::score_out_of_scale& err) {
    EXPECT_NE(std::string(err.what()).find("rule 'custom'"), std::string::npos) << err.what();
    EXPECT_EQ(err.where().field, "nps");
    EXPECT_EQ(err.where().row, 1u);
  }
  EXPECT_EQ(c.counts().responses, 1u);  // the bad response changed nothing
}

TEST(Alerts, CooldownOnePerCustomerPerDayWithSuppressionRecords) {
  alert_rule r = alert_rule::detractor();
  r.cooldown.key = {cxm::alert_key_field::id};
  r.cooldown.seconds = day;
  alert_engine e({r});
  collected got;
  e.add_sink(got.sink());
  // Customer C1 at 0 h, 1 h, 23:59:59 (suppressed twice), 24 h (new alert);
  // C2 at 2 h (alert of its own).
  e.process(nps_response("C1", 3, at(t0)));
  e.process(nps_response("C1", 5, at(t0 + 3600)));
  e.process(nps_response("C2", 2, at(t0 + 7200)));
  e.process(nps_response("C1", 6, at(t0 + day - 1)));
  e.process(nps_response("C1", 1, at(t0 + day)));
  ASSERT_EQ(got.records.size(), 5u);
  const alert_outcome A = alert_outcome::alert, S = alert_outcome::suppressed;
  const std::vector<alert_outcome> expected{A, S, A, S, A};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(got.records[i].outcome, expected[i]) << i;
  EXPECT_EQ(got.records[1].key, "id=C1");
  EXPECT_EQ(got.records[1].detail,
            "cool-down: rule 'detractor' alerted for id=C1 at 2024-01-01T00:00:00Z; the next alert is due from "
            "2024-01-02T00:00:00Z");
  EXPECT_EQ(e.counts().alerts, 3u);
  EXPECT_EQ(e.counts().suppressed, 2u);
  expect_balanced(e.counts());
}

TEST(Alerts, CooldownOnTheFakeClockForUntimedResponses) {
  fake_clock clock;
  cxm::alert_engine_options o;
  o.clock = clock.fn();
  alert_rule r = alert_rule::detractor();
  r.cooldown.key = {cxm::alert_key_field::agent};
  r.cooldown.seconds = 600;
  alert_engine e({r}, o);
  collected got;
  e.add_sink(got.sink());
  response x = nps_response("a", 2);
  x.agent = "A1";
  e.process(x);      // t0: alert
  clock.now += 599;
  e.process(x);      // 599 s later: suppressed
  clock.now += 1;
  e.process(x);      // 600 s after the alert: alert again
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_EQ(got.records[0].outcome, alert_outcome::alert);
  EXPECT_EQ(got.records[1].outcome, alert_outcome::suppressed);
  EXPECT_EQ(got.records[2].outcome, alert_outcome::alert);
  EXPECT_EQ(got.records[2].key, "agent=A1");
}

TEST(Alerts, SinkThrowingEveryThirdCallLosesNothing) {
  // 30 detractors, one sink that throws on calls 3, 6, 9, ...
  //   max_attempts 1: records 3, 6, ..., 30 fail (10), 20 alerts.
  //   max_attempts 2: each throw is followed by a successful retry, so all
  //   30 are alerts; calls C satisfy C − ⌊C/3⌋ = 30 with the last call a
  //   success: C = 44 (44 − 14 = 30; 45 would be a throw).
  for (unsigned attempts : {1u, 2u}) {
    cxm::alert_engine_options o;
    o.max_attempts = attempts;
    alert_rule r = alert_rule::detractor();
    r.cooldown.key = {cxm::alert_key_field::id};
    r.cooldown.seconds = day;
    alert_engine e({r}, o);
    std::uint64_t calls = 0;
    std::vector<alert> delivered;
    e.add_sink([&](const alert& a) {
      if (++calls % 3 == 0) throw std::runtime_error("sink down");
      delivered.push_back(a);
    });
    for (int i = 0; i < 30; ++i) e.process(nps_response("C" + std::to_string(i), i % 7, at(t0 + i)));
    const auto& c = e.counts();
    EXPECT_EQ(c.matches, 30u);
    expect_balanced(c);
    if (attempts == 1) {
      EXPECT_EQ(c.failed, 10u);
      EXPECT_EQ(c.alerts, 20u);
      EXPECT_EQ(calls, 30u);
      ASSERT_EQ(e.failed().size(), 10u);
      EXPECT_EQ(e.failed()[0].id, "C2");
      EXPECT_EQ(e.failed()[0].outcome, alert_outcome::failed);
      EXPECT_EQ(e.failed()[0].detail, "sink 1 failed 1 times, last: sink down");
    } else {
      EXPECT_EQ(c.failed, 0u);
      EXPECT_EQ(c.alerts, 30u);
      EXPECT_EQ(calls, 44u);
    }
    // Every match is accounted for by id: delivered ∪ failed = all 30, once each.
    std::vector<std::string> ids;
    for (const auto& a : delivered) ids.push_back(a.id);
    for (const auto& a : e.failed()) ids.push_back(a.id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids.size(), 30u);
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  }
}

TEST(Alerts, FailedAlertStartsNoCooldownAndSuppressionsCountWhenTheyFail) {
  // A sink that always throws something that is not a std::exception.
  alert_rule r = alert_rule::detractor();
  r.cooldown.seconds = day;  // key: the rule alone
  alert_engine e({r});
  bool down = true;
  std::vector<alert> got;
  e.add_sink([&](const alert& a) {
    if (down) throw 42;
    got.push_back(a);
  });
  e.process(nps_response("a", 1, at(t0)));  // fails 3 times
  down = false;
  e.process(nps_response("b", 1, at(t0 + 1)));  // alert: the failure started no cool-down
  e.process(nps_response("c", 1, at(t0 + 2)));  // suppressed
  down = true;
  e.process(nps_response("d", 1, at(t0 + 3)));  // the suppression record fails
  EXPECT_EQ(e.counts().matches, 4u);
  EXPECT_EQ(e.counts().failed, 2u);
  EXPECT_EQ(e.counts().alerts, 1u);
  EXPECT_EQ(e.counts().suppressed, 1u);
  expect_balanced(e.counts());
  ASSERT_EQ(e.failed().size(), 2u);
  EXPECT_EQ(e.failed()[0].detail, "sink 1 failed 3 times, last: an exception that is not a std::exception");
  EXPECT_EQ(e.failed()[0].attempts, 3u);
  EXPECT_NE(e.failed()[1].detail.find("cool-down"), std::string::npos);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, "b");
  EXPECT_EQ(got[1].outcome, alert_outcome::suppressed);
  const auto drained = e.take_failed();
  EXPECT_EQ(drained.size(), 2u);
  EXPECT_TRUE(e.failed().empty());
  EXPECT_EQ(e.counts().failed, 2u);
}

TEST(Alerts, WindowOfTheLastNResponses) {
  // NPS over the last 4 answers below 0, min_n 4. Scores and the window:
  //   #  score  window            pro det  NPS
  //   0  10     10                 1   0   (n 1 < 4)
  //   1  3      10 3               1   1   (n 2)
  //   2  8      10 3 8             1   1   (n 3)
  //   3  5      10 3 8 5           1   2   −25  → match
  //   4  9      3 8 5 9            1   2   −25  → match
  //   5  10     8 5 9 10           2   1   +25
  //   6  4      5 9 10 4           2   2   0   (not below 0)
  //   7  (no NPS answer: the window does not move)
  //   8  0      9 10 4 0           2   2   0
  //   9  6      10 4 0 6           1   3   −50  → match
  alert_engine e({alert_rule::below_last(cxm::alert_metric::nps, 4, 0.0, 4, "nps-last-4")});
  collected got;
  e.add_sink(got.sink());
  const std::vector<int> scores{10, 3, 8, 5, 9, 10, 4, -1, 0, 6};
  for (std::size_t i = 0; i < scores.size(); ++i) {
    response r;
    if (scores[i] >= 0) r.nps = scores[i];
    e.process(r);
  }
  ASSERT_EQ(got.records.size(), 3u);
  EXPECT_EQ(got.records[0].sequence, 3u);
  EXPECT_EQ(got.records[1].sequence, 4u);
  EXPECT_EQ(got.records[2].sequence, 9u);
  EXPECT_DOUBLE_EQ(*got.records[0].value, -25.0);
  EXPECT_DOUBLE_EQ(*got.records[2].value, -50.0);
  EXPECT_EQ(got.records[2].n, 4u);
  EXPECT_EQ(got.records[2].reason, "nps over the last 4 answers is -50 (n 4), below 0");
}

TEST(Alerts, WindowOfTheLastDaysWithLateResponses) {
  // Resolution rate over the last 2 days below 0.5, min_n 3.
  //   day 0: yes, no        window {0}: 1/2, n 2 < 3
  //   day 1: no             window {0,1}: 1/3 → match
  //   day 1: yes            2/4 = 0.5, not below
  //   day 3: no             window {2,3} (days 0, 1 left): 0/1, n 1 < 3
  //   day 1: yes            late (day 1 <= 3 − 2): not counted, no match
  //   day 2: no, no         window {2,3}: 0/3 → match (second one only: n 2 first)
  auto rule = alert_rule::below_days(cxm::alert_metric::resolution, 2, 0.5, 3, "resolution-2d");
  alert_engine e({rule});
  collected got;
  e.add_sink(got.sink());
  const auto add = [&](std::int64_t d, cxm::resolution v) {
    response r;
    r.resolved = v;
    r.time = at(t0 + d * day + 100);
    e.process(r);
  };
  using cxm::resolution;
  add(0, resolution::yes);
  add(0, resolution::no);
  add(1, resolution::no);
  add(1, resolution::yes);
  add(3, resolution::no);
  add(1, resolution::yes);
  add(2, resolution::no);
  add(2, resolution::no);
  ASSERT_EQ(got.records.size(), 2u);
  EXPECT_EQ(got.records[0].sequence, 2u);
  EXPECT_DOUBLE_EQ(*got.records[0].value, 1.0 / 3.0);
  EXPECT_EQ(got.records[1].sequence, 7u);
  EXPECT_DOUBLE_EQ(*got.records[1].value, 0.0);
  EXPECT_EQ(got.records[1].n, 3u);
  EXPECT_EQ(e.counts().late, 1u);
}

TEST(Alerts, CsatTopBoxWindow) {
  // CSAT top-2-box (4–5) over the last 3 answers below 0.5, min_n 3:
  //   5 4 2 → 2/3; 4 2 1 → 1/3 match; 2 1 5 → 1/3 match; 1 5 5 → 2/3.
  alert_engine e({alert_rule::below_last(cxm::alert_metric::csat, 3, 0.5, 3, "csat")});
  collected got;
  e.add_sink(got.sink());
  for (int s : {5, 4, 2, 1, 5, 5}) {
    response r;
    r.csat = s;
    e.process(r);
  }
  ASSERT_EQ(got.records.size(), 2u);
  EXPECT_EQ(got.records[0].sequence, 3u);
  EXPECT_EQ(got.records[1].sequence, 4u);
  EXPECT_DOUBLE_EQ(*got.records[0].value, 1.0 / 3.0);
}

// The Wald test of two NPS, written from the trinomial variance:
// θ = p_pro − p_det, var = (p_pro + p_det − θ²)/n, z = (θa − θb)/√(va + vb),
// p = erfc(|z|/√2) (two-sided normal).
double nps_p_value(double det_a, double pro_a, double n_a, double det_b, double pro_b, double n_b) {
  const double ta = (pro_a - det_a) / n_a, tb = (pro_b - det_b) / n_b;
  const double va = ((pro_a + det_a) / n_a - ta * ta) / n_a;
  const double vb = ((pro_b + det_b) / n_b - tb * tb) / n_b;
  const double z = (ta - tb) / std::sqrt(va + vb);
  return std::erfc(std::fabs(z) / std::sqrt(2.0));
}

TEST(Alerts, BaselineDropAgainstTheTwoSampleTest) {
  // Baseline (January): 100 answers, 50 promoters, 20 passives, 30 detractors
  // (NPS 20). Then a window of the last 40 answers: the first 20 are like
  // the baseline's mix, the rest all detractors. The rule alerts on the first
  // answer after which the drop is significant at alpha 0.01.
  alert_rule r;
  r.name = "nps-drop";
  r.kind = cxm::alert_rule_kind::baseline_drop;
  r.metric = cxm::alert_metric::nps;
  r.last_responses = 40;
  r.min_n = 20;
  r.alpha = 0.01;
  r.baseline_from = at(t0);
  r.baseline_to = at(t0 + 31 * day);
  alert_engine e({r});
  collected got;
  e.add_sink(got.sink());
  std::int64_t t = t0;
  for (int i = 0; i < 100; ++i) {
    e.process(nps_response("b", i < 50 ? 10 : i < 70 ? 8 : 2, at(t += 60)));
  }
  EXPECT_EQ(e.counts().matches, 0u);  // the baseline period itself never matches
  t = t0 + 40 * day;
  // Window mix: 10 promoters, 4 passives, 6 detractors (NPS 20), then detractors.
  std::vector<int> current;
  for (int i = 0; i < 20; ++i) current.push_back(i < 10 ? 10 : i < 14 ? 8 : 2);
  for (int i = 0; i < 20; ++i) current.push_back(0);
  // Reference: the first k (>= 20) at which the Wald p-value < 0.01 with a drop.
  std::size_t first = 0;
  double det = 0, pro = 0, expected_p = 0;
  for (std::size_t k = 0; k < current.size(); ++k) {
    det += current[k] <= 6 ? 1 : 0;
    pro += current[k] >= 9 ? 1 : 0;
    const double n = static_cast<double>(k + 1);
    if (k + 1 >= 20 && first == 0 && (pro - det) / n < 0.2) {
      const double p = nps_p_value(det, pro, n, 30, 50, 100);
      if (p < 0.01) {
        first = k;
        expected_p = p;
      }
    }
  }
  ASSERT_GT(first, 0u);
  for (int s : current) e.process(nps_response("c", s, at(t += 60)));
  ASSERT_FALSE(got.records.empty());
  const alert& a = got.records[0];
  EXPECT_EQ(a.sequence, 100u + first);
  EXPECT_NEAR(*a.p_value, expected_p, 1e-12 + 1e-9 * expected_p);
  EXPECT_DOUBLE_EQ(*a.baseline_value, 20.0);
  EXPECT_EQ(a.baseline_n, 100u);
  EXPECT_EQ(a.n, first + 1);
  EXPECT_DOUBLE_EQ(*a.alpha, 0.01);
  // Every later answer keeps the window lower still: each matches.
  EXPECT_EQ(got.records.size(), current.size() - first);
}

TEST(Alerts, BaselineDropOfAProportionUsesThePooledZTest) {
  // Resolution: baseline 80 yes of 100; window of the last 50: 30 yes of 50.
  // Pooled z: p̄ = 110/150, z = (0.6 − 0.8)/√(p̄(1 − p̄)(1/50 + 1/100)),
  // p = erfc(|z|/√2) = 0.00932... < 0.05: the last answer matches.
  alert_rule r;
  r.name = "resolution-drop";
  r.kind = cxm::alert_rule_kind::baseline_drop;
  r.metric = cxm::alert_metric::resolution;
  r.last_responses = 50;
  r.min_n = 50;
  r.alpha = 0.05;
  r.baseline_from = at(t0);
  r.baseline_to = at(t0 + day);
  alert_engine e({r});
  collected got;
  e.add_sink(got.sink());
  for (int i = 0; i < 100; ++i) {
    response x;
    x.time = at(t0 + i);
    x.resolved = i < 80 ? cxm::resolution::yes : cxm::resolution::no;
    e.process(x);
  }
  for (int i = 0; i < 50; ++i) {
    response x;
    x.time = at(t0 + day + i);
    x.resolved = i < 30 ? cxm::resolution::yes : cxm::resolution::no;
    e.process(x);
  }
  ASSERT_EQ(got.records.size(), 1u);
  const double pbar = 110.0 / 150.0;
  const double z = (0.6 - 0.8) / std::sqrt(pbar * (1 - pbar) * (1.0 / 50 + 1.0 / 100));
  const double p = std::erfc(std::fabs(z) / std::sqrt(2.0));
  EXPECT_NEAR(*got.records[0].p_value, p, 1e-12);
  EXPECT_LT(p, 0.05);
  EXPECT_GT(p, 0.005);
  EXPECT_DOUBLE_EQ(*got.records[0].value, 0.6);
  EXPECT_DOUBLE_EQ(*got.records[0].baseline_value, 0.8);
}

TEST(Alerts, RulesFromJson) {
  const auto rules = cxm::parse_alert_rules(R"({"rules": [
    {"name": "detractor", "kind": "score_at_most", "field": "nps", "threshold": 6,
     "cooldown": {"key": ["id"], "seconds": 86400}},
    {"name": "unresolved", "kind": "not_resolved"},
    {"name": "csat-7d", "kind": "window_below", "metric": "csat", "last_days": 7, "threshold": 0.7, "min_n": 20,
     "scale": {"min": 1, "max": 5, "high_min": 5, "low_max": 1}},
    {"name": "nps-drop", "kind": "baseline_drop", "metric": "nps", "last_responses": 200,
     "baseline": {"from": "2024-01-01", "to": "2024-02-01"}, "alpha": 0.01, "min_n": 30}]})",
                                            "rules.json");
  ASSERT_EQ(rules.size(), 4u);
  alert_rule d = alert_rule::detractor();
  d.cooldown = {{cxm::alert_key_field::id}, 86400};
  EXPECT_EQ(rules[0], d);
  EXPECT_EQ(rules[1], alert_rule::unresolved());
  EXPECT_EQ(rules[2].last_days, 7);
  EXPECT_EQ(rules[2].scale, cxm::scale::custom(1, 5, 5, 1));
  EXPECT_EQ(rules[3].baseline_to, at(t0 + 31 * day));
  EXPECT_DOUBLE_EQ(rules[3].alpha, 0.01);
  EXPECT_EQ(cxm::parse_alert_rules(R"([{"name": "d", "kind": "score_at_most"}])")[0].threshold, 6.0);
}

TEST(Alerts, RuleErrorsNameTheRuleAndTheKey) {
  const auto error_of = [](const std::string& text) -> std::pair<std::string, std::string> {
    try {
      (void)cxm::parse_alert_rules(text, "rules.json");
    } catch (const cxm::invalid_argument& e) {
      return {e.where().field, e.what()};
    }
    return {"", "no error"};
  };
  auto [key, what] = error_of(R"({"rules": [{"name": "ok", "kind": "not_resolved"},
                                            {"name": "low-nps", "kind": "score_at_most", "threshold": 11}]})");
  EXPECT_EQ(key, "threshold");
  EXPECT_EQ(what, "[cxm.invalid_argument.201] rules.json, field 'threshold': rule 2 ('low-nps'): threshold 11 is "
                  "not a point of the NPS scale 0..10");
  std::tie(key, what) = error_of(R"([{"name": "w", "kind": "window_below", "metric": "nps", "threshold": 0, "lastdays": 7}])");
  EXPECT_EQ(key, "lastdays");
  EXPECT_NE(what.find("rule 1 ('w'): key 'lastdays' is not one a window_below rule takes"), std::string::npos) << what;
  std::tie(key, what) = error_of(R"([{"name": "w", "kind": "window_below", "metric": "nps", "threshold": 0}])");
  EXPECT_EQ(key, "last_responses");
  std::tie(key, what) = error_of(R"([{"name": "w", "kind": "window_below", "metric": "nps", "threshold": 0.5,
                                     "last_responses": 10, "last_days": 3}])");
  EXPECT_EQ(key, "last_responses");
  std::tie(key, what) = error_of(R"([{"name": "b", "kind": "baseline_drop", "metric": "csat", "last_days": 3,
                                     "baseline": {"from": "2024-02-30", "to": "2024-03-01"}}])");
  EXPECT_EQ(key, "baseline.from");
  std::tie(key, what) = error_of(R"([{"name": "b", "kind": "baseline_drop", "metric": "nps", "last_days": 3,
                                     "alpha": 1.5, "baseline": {"from": "2024-02-01", "to": "2024-03-01"}}])");
  EXPECT_EQ(key, "alpha");
  std::tie(key, what) = error_of(R"([{"name": "x", "kind": "score_at_most"}, {"name": "x", "kind": "not_resolved"}])");
  EXPECT_EQ(key, "name");
  EXPECT_NE(what.find("rule 2 ('x'): the name is used by an earlier rule"), std::string::npos) << what;
  std::tie(key, what) = error_of(R"([{"name": "c", "kind": "score_at_most", "field": "nps",
                                     "cooldown": {"key": ["customer"], "seconds": 60}}])");
  EXPECT_EQ(key, "cooldown.key");
  std::tie(key, what) = error_of(R"([{"name": "c", "kind": "not_resolved", "cooldown": {"seconds": 18446744073709551615}}])");
  EXPECT_EQ(key, "cooldown.seconds");
  std::tie(key, what) = error_of(R"([{"name": "w", "kind": "window_below", "metric": "nps", "threshold": 0, "last_days": 99999}])");
  EXPECT_EQ(key, "last_days");
  std::tie(key, what) = error_of(R"([{"kind": "not_resolved"}])");
  EXPECT_EQ(key, "name");
  std::tie(key, what) = error_of(R"({"rules": [)");
  EXPECT_NE(what.find("rules.json: the rules are not valid JSON"), std::string::npos) << what;
  std::tie(key, what) = error_of(R"({"rules": []})");
  EXPECT_EQ(key, "rules");
}

TEST(Alerts, JsonLinesSink) {
  std::ostringstream out;
  alert_rule r = alert_rule::detractor();
  alert_engine e({r});
  e.add_sink(cxm::jsonl_sink(out));
  response x = nps_response("R9", 4, at(t0 + 61));
  x.why = "line one\n\"quoted\"";
  x.channel = cxm::channels::phone;
  e.process(x);
  e.process(nps_response("R10", 9, at(t0 + 62)));
  e.process(nps_response("R11", 2, at(t0 + 63)));
  std::istringstream in(out.str());
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["outcome"], "alert");
  EXPECT_EQ(lines[0]["id"], "R9");
  EXPECT_EQ(lines[0]["channel"], "phone");
  EXPECT_EQ(lines[0]["nps"], 4);
  EXPECT_TRUE(lines[0]["csat"].is_null());
  EXPECT_EQ(lines[0]["time"], "2024-01-01T00:01:01Z");
  EXPECT_EQ(lines[0]["why"], "line one\n\"quoted\"");
  EXPECT_EQ(lines[1]["id"], "R11");

  // A stream that fails: every record is kept as failed, none is lost.
  std::ostringstream broken;
  broken.setstate(std::ios::badbit);
  alert_engine f({r});
  f.add_sink(cxm::jsonl_sink(broken));
  f.process(nps_response("R1", 1));
  EXPECT_EQ(f.counts().failed, 1u);
  EXPECT_EQ(f.failed().at(0).detail, "sink 1 failed 3 times, last: cannot write an alert to the output stream");
}

TEST(Alerts, WindowsMatchAPlainRecomputationNearTheirThresholds) {
  // 4000 answers over about 40 days, a few of them up to 4 days late, each
  // window rule's threshold near its stream's mean so that the windows
  // cross it often, in both directions. The expected matches come from a
  // recomputation here: every answer kept with its day and scores, and each
  // window counted afresh from them after each answer (a day window: the
  // latest day seen and the D − 1 before it; an older answer is late and
  // neither counts nor matches). Catches a window that skips a test it
  // needed, e.g. after answers left a day window.
  const std::vector<alert_rule> rules{alert_rule::below_days(cxm::alert_metric::csat, 3, 0.40, 5, "csat-3d"),
                                      alert_rule::below_days(cxm::alert_metric::nps, 2, -45.0, 5, "nps-2d"),
                                      alert_rule::below_last(cxm::alert_metric::nps, 30, -45.0, 10, "nps-30"),
                                      alert_rule::below_last(cxm::alert_metric::resolution, 25, 0.5, 25, "res-25")};
  alert_engine e(rules);
  collected got;
  e.add_sink(got.sink());
  struct kept {
    std::int64_t day;
    int nps, csat;
    cxm::resolution res;
    bool late3, late2;  // late for the 3-day and the 2-day window
  };
  std::vector<kept> all;
  std::vector<std::vector<std::uint64_t>> expected(rules.size());
  std::int64_t latest = std::numeric_limits<std::int64_t>::min() / 2;
  std::uint64_t s = 7;
  std::int64_t t = t0;
  for (std::uint64_t i = 0; i < 4000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    t += static_cast<std::int64_t>((s >> 20) % 1700);  // about 850 s apart: 100 a day
    const bool back = (s >> 60) == 0;                    // 1 in 16: up to 4 days back
    const std::int64_t when = back ? t - static_cast<std::int64_t>((s >> 30) % (4 * day)) : t;
    response r = nps_response("r", static_cast<int>((s >> 33) % 11), at(when));
    r.csat = static_cast<int>((s >> 40) % 5) + 1;
    r.resolved = ((s >> 50) & 1) ? cxm::resolution::yes : cxm::resolution::no;
    e.process(r);
    const std::int64_t d = (when - t0 + 100 * day) / day - 100;  // floor, also before t0
    all.push_back({d, *r.nps, *r.csat, r.resolved, d <= latest - 3, d <= latest - 2});
    latest = std::max(latest, d);
    const kept& now = all.back();
    double n = 0, hi = 0, pro = 0, det = 0;
    if (!now.late3) {
      for (const auto& a : all) {
        if (!a.late3 && a.day > latest - 3) {
          n += 1;
          hi += a.csat >= 4;
        }
      }
      if (n >= 5 && hi / n < 0.40) expected[0].push_back(i);
    }
    if (!now.late2) {
      n = 0;
      for (const auto& a : all) {
        if (!a.late2 && a.day > latest - 2) {
          n += 1;
          pro += a.nps >= 9;
          det += a.nps <= 6;
        }
      }
      if (n >= 5 && 100.0 * (pro - det) / n < -45.0) expected[1].push_back(i);
    }
    // Last-N windows: every answer, whatever its time.
    pro = det = n = 0;
    for (std::size_t j = all.size() > 30 ? all.size() - 30 : 0; j < all.size(); ++j, n += 1) {
      pro += all[j].nps >= 9;
      det += all[j].nps <= 6;
    }
    if (n >= 10 && 100.0 * (pro - det) / n < -45.0) expected[2].push_back(i);
    double yes = 0;
    n = 0;
    for (std::size_t j = all.size() > 25 ? all.size() - 25 : 0; j < all.size(); ++j, n += 1) {
      yes += all[j].res == cxm::resolution::yes;
    }
    if (n >= 25 && yes / n < 0.5) expected[3].push_back(i);
  }
  std::vector<std::vector<std::uint64_t>> have(rules.size());
  for (const auto& a : got.records) {
    for (std::size_t k = 0; k < rules.size(); ++k) {
      if (a.rule == rules[k].name) have[k].push_back(a.sequence);
    }
  }
  for (std::size_t k = 0; k < rules.size(); ++k) {
    EXPECT_EQ(have[k].size(), expected[k].size()) << rules[k].name;
    const auto diff = std::mismatch(have[k].begin(), have[k].end(), expected[k].begin(), expected[k].end());
    EXPECT_TRUE(diff.first == have[k].end() && diff.second == expected[k].end())
        << rules[k].name << ": first difference at engine "
        << (diff.first == have[k].end() ? -1 : static_cast<long long>(*diff.first)) << ", recomputation "
        << (diff.second == expected[k].end() ? -1 : static_cast<long long>(*diff.second));
    EXPECT_GT(expected[k].size(), 100u) << rules[k].name;
    EXPECT_LT(expected[k].size(), 3500u) << rules[k].name;
  }
  EXPECT_GT(e.counts().late, 0u);
}

// Per-group windows. `agent` responses at one-minute steps.
response agent_response(const std::string& agent, int nps, std::int64_t minute) {
  response r = nps_response(agent + "-" + std::to_string(minute), nps, at(t0 + 60 * minute));
  r.agent = agent;
  return r;
}

TEST(AlertGroups, OnlyTheGroupThatCrossesAlerts) {
  // NPS over each agent's last 4 answers below 0 with min_n 3, beside the
  // same rule over the whole stream. By hand:
  //   #  agent score  A1 window      A2 window        whole stream (last 4)
  //   0  A1    10     10                               10
  //   1  A2    9                     9                 10 9
  //   2  A1    3      10 3                             10 9 3       +33
  //   3  A2    2                     9 2               10 9 3 2     0
  //   4  A1    9      10 3 9  +33                      9 3 2 9      0
  //   5  A2    1                     9 2 1  −33 match  3 2 9 1      −50 match
  //   6  A1    10     10 3 9 10 +50                    2 9 1 10     0
  //   7  A2    10                    9 2 1 10  0       9 1 10 10    +50
  //   8  A2    0                     2 1 10 0 −50 match 1 10 10 0   0
  //   9  A1    5      3 9 10 5  0                      10 10 0 5    0
  // A1 never falls below 0; A2 does twice; the whole stream once.
  const auto per_agent = alert_rule::below_last(cxm::alert_metric::nps, 4, 0.0, 3, "agent-nps")
                             .grouped_by({cxm::alert_key_field::agent});
  const auto whole = alert_rule::below_last(cxm::alert_metric::nps, 4, 0.0, 3, "all-nps");
  alert_engine e({per_agent, whole});
  collected got;
  e.add_sink(got.sink());
  const std::vector<std::pair<std::string, int>> stream{{"A1", 10}, {"A2", 9}, {"A1", 3}, {"A2", 2}, {"A1", 9},
                                                        {"A2", 1},  {"A1", 10}, {"A2", 10}, {"A2", 0}, {"A1", 5}};
  for (std::size_t i = 0; i < stream.size(); ++i) {
    e.process(agent_response(stream[i].first, stream[i].second, static_cast<std::int64_t>(i)));
  }
  ASSERT_EQ(got.records.size(), 3u);
  const alert& a = got.records[0];
  EXPECT_EQ(a.rule, "agent-nps");
  EXPECT_EQ(a.sequence, 5u);
  EXPECT_EQ(a.group, "agent=A2");
  EXPECT_EQ(a.n, 3u);
  EXPECT_DOUBLE_EQ(*a.value, -100.0 / 3.0);  // 1 promoter, 2 detractors of 3
  EXPECT_EQ(a.reason, "nps over the last 4 answers is -33.3333 (n 3), below 0 for agent=A2");
  EXPECT_EQ(got.records[1].rule, "all-nps");
  EXPECT_EQ(got.records[1].sequence, 5u);
  EXPECT_EQ(got.records[1].group, "");
  EXPECT_DOUBLE_EQ(*got.records[1].value, -50.0);
  EXPECT_EQ(got.records[2].rule, "agent-nps");
  EXPECT_EQ(got.records[2].sequence, 8u);
  EXPECT_EQ(got.records[2].group, "agent=A2");
  EXPECT_DOUBLE_EQ(*got.records[2].value, -50.0);
  EXPECT_EQ(got.records[2].n, 4u);
  EXPECT_EQ(e.groups(0), 2u);
  EXPECT_EQ(e.groups(1), 1u);
  EXPECT_EQ(e.counts(0).matches, 2u);
  EXPECT_EQ(e.counts(1).matches, 1u);
  const nlohmann::json j = got.records[0];
  EXPECT_EQ(j["group"], "agent=A2");
}

TEST(AlertGroups, CooldownIsKeptPerGroup) {
  // NPS of each channel's last 2 answers below 0, one alert per hour. The
  // rule's cool-down names no field, yet phone's alert does not hold back
  // chat's: a grouped rule's key is its group.
  //   0 phone 0 (n 1); 1 chat 0 (n 1); 2 phone 0: −100 alert (channel=phone);
  //   3 chat 0: −100 alert (channel=chat); 4 phone 0: suppressed (phone's
  //   alert 2 minutes earlier); 5 chat, 61 minutes after 3: alert again.
  auto rule = alert_rule::below_last(cxm::alert_metric::nps, 2, 0.0, 2, "channel-nps")
                  .grouped_by({cxm::alert_key_field::channel});
  rule.cooldown.seconds = 3600;
  alert_engine e({rule});
  collected got;
  e.add_sink(got.sink());
  const auto add = [&](cxm::channel_id c, std::int64_t minute) {
    response r = nps_response("r" + std::to_string(minute), 0, at(t0 + 60 * minute));
    r.channel = c;
    e.process(r);
  };
  add(cxm::channels::phone, 0);
  add(cxm::channels::chat, 1);
  add(cxm::channels::phone, 2);
  add(cxm::channels::chat, 3);
  add(cxm::channels::phone, 4);
  add(cxm::channels::chat, 64);
  ASSERT_EQ(got.records.size(), 4u);
  EXPECT_EQ(got.records[0].outcome, alert_outcome::alert);
  EXPECT_EQ(got.records[0].key, "channel=phone");
  EXPECT_EQ(got.records[1].outcome, alert_outcome::alert);
  EXPECT_EQ(got.records[1].key, "channel=chat");
  EXPECT_EQ(got.records[2].outcome, alert_outcome::suppressed);
  EXPECT_EQ(got.records[2].group, "channel=phone");
  EXPECT_EQ(got.records[2].detail,
            "cool-down: rule 'channel-nps' alerted for channel=phone at 2024-01-01T00:02:00Z; the next alert is due "
            "from 2024-01-01T01:02:00Z");
  EXPECT_EQ(got.records[3].outcome, alert_outcome::alert);
  EXPECT_EQ(got.records[3].sequence, 5u);
  expect_balanced(e.counts());

  // The cool-down's own fields refine the group: key "channel=phone; id=...".
  rule.cooldown.key = {cxm::alert_key_field::id, cxm::alert_key_field::channel};
  alert_engine f({rule});
  collected fgot;
  f.add_sink(fgot.sink());
  for (std::int64_t m = 0; m < 3; ++m) {
    response r = nps_response("same", 0, at(t0 + 60 * m));
    r.channel = cxm::channels::phone;
    f.process(r);
  }
  ASSERT_EQ(fgot.records.size(), 2u);
  EXPECT_EQ(fgot.records[0].key, "channel=phone; id=same");
  EXPECT_EQ(fgot.records[1].outcome, alert_outcome::suppressed);
}

TEST(AlertGroups, NothingIsLostPerGroupWhenASinkThrows) {
  // 3000 answers over 7 agents; each agent's NPS over their last 20 answers
  // below −40 (min_n 10; uniform scores: NPS about −45), one alert per agent per 2 hours. The expected
  // matches per agent come from a plain recomputation here (a deque per
  // agent, NPS counted afresh); the sink throws on every third call and the
  // engine tries once, so some records fail. Per agent: records delivered
  // (alerts and suppressions) + records failed == expected matches, and each
  // match has exactly one record.
  auto rule = alert_rule::below_last(cxm::alert_metric::nps, 20, -40.0, 10, "agent-nps")
                  .grouped_by({cxm::alert_key_field::agent});
  rule.cooldown.seconds = 7200;
  cxm::alert_engine_options o;
  o.max_attempts = 1;
  alert_engine e({rule}, o);
  std::uint64_t calls = 0;
  std::map<std::string, std::vector<std::uint64_t>> delivered, failed_seq;
  std::map<std::string, std::uint64_t> alerts, suppressed;
  e.add_sink([&](const alert& a) {
    if (++calls % 3 == 0) throw std::runtime_error("sink down");
    delivered[a.agent].push_back(a.sequence);
    ++(a.outcome == alert_outcome::alert ? alerts : suppressed)[a.agent];
    EXPECT_EQ(a.group, "agent=" + a.agent);
  });
  std::map<std::string, std::deque<int>> windows;
  std::map<std::string, std::vector<std::uint64_t>> expected;
  std::uint64_t s = 99;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string agent = "A" + std::to_string((s >> 33) % 7);
    const int score = static_cast<int>((s >> 40) % 11);
    e.process(agent_response(agent, score, static_cast<std::int64_t>(i)));
    auto& w = windows[agent];
    w.push_back(score);
    if (w.size() > 20) w.pop_front();
    int pro = 0, det = 0;
    for (int x : w) {
      pro += x >= 9;
      det += x <= 6;
    }
    if (w.size() >= 10 && 100.0 * (pro - det) / static_cast<double>(w.size()) < -40.0) expected[agent].push_back(i);
  }
  for (const auto& f : e.failed()) failed_seq[f.agent].push_back(f.sequence);
  std::uint64_t total = 0;
  for (auto& [agent, want] : expected) {
    std::vector<std::uint64_t> have = delivered[agent];
    have.insert(have.end(), failed_seq[agent].begin(), failed_seq[agent].end());
    std::sort(have.begin(), have.end());
    EXPECT_EQ(have, want) << agent;
    EXPECT_EQ(alerts[agent] + suppressed[agent] + failed_seq[agent].size(), want.size()) << agent;
    EXPECT_GT(suppressed[agent], 0u) << agent;
    total += want.size();
  }
  EXPECT_EQ(expected.size(), 7u);
  EXPECT_GT(e.counts().failed, 0u);
  EXPECT_EQ(e.counts().matches, total);
  expect_balanced(e.counts());
}

TEST(AlertGroups, TheLeastRecentlySeenGroupMakesRoom) {
  // NPS of each agent's last 2 answers below 0, at most 2 agents kept; every
  // answer a 0. By hand, with the agents in order of last use:
  //   0 A: A [0]              (A)
  //   1 B: B [0]              (B A)
  //   2 A: A [0 0] match      (A B)
  //   3 C: evicts B; C [0]    (C A)
  //   4 B: evicts A; B [0]    (B C)   B's first answer was dropped with it
  //   5 B: B [0 0] match      (B C)
  //   6 A: evicts C; A [0]    (A B)
  // With room for 10 agents: matches at 2, 4, 5 and 6.
  const auto base = alert_rule::below_last(cxm::alert_metric::nps, 2, 0.0, 2, "agent-nps");
  const std::vector<std::string> agents{"A", "B", "A", "C", "B", "B", "A"};
  for (const std::uint64_t room : {2u, 10u}) {
    alert_engine e({base.grouped_by({cxm::alert_key_field::agent}, room)});
    collected got;
    e.add_sink(got.sink());
    for (std::size_t i = 0; i < agents.size(); ++i) e.process(agent_response(agents[i], 0, static_cast<std::int64_t>(i)));
    std::vector<std::uint64_t> seqs;
    for (const auto& a : got.records) seqs.push_back(a.sequence);
    if (room == 2) {
      EXPECT_EQ(seqs, (std::vector<std::uint64_t>{2, 5}));
      EXPECT_EQ(e.counts().evicted, 3u);
      EXPECT_EQ(e.counts(0).evicted, 3u);
      EXPECT_EQ(e.groups(0), 2u);
    } else {
      EXPECT_EQ(seqs, (std::vector<std::uint64_t>{2, 4, 5, 6}));
      EXPECT_EQ(e.counts().evicted, 0u);
      EXPECT_EQ(e.groups(0), 3u);
    }
  }
}

TEST(AlertGroups, BaselineDropPerGroup) {
  // Baseline (day 0): phone 20 promoters (NPS 100), chat 10 promoters and
  // 10 detractors (NPS 0). Then (day 1) each channel's last 10 answers
  // alternate 0 and 10: NPS 0. Phone dropped from 100 to 0; chat did not
  // move. Wald, by hand: θ_now = 0, var_now = (1 − 0)/10 = 0.1; θ_base = 1,
  // var_base = (1 − 1)/20 = 0; z = −1/√0.1 = −3.162, p = erfc(3.162/√2)
  // = 0.00157 < 0.01: one alert, for phone, at its 10th answer of day 1.
  alert_rule r;
  r.name = "channel-drop";
  r.kind = cxm::alert_rule_kind::baseline_drop;
  r.last_responses = 10;
  r.min_n = 10;
  r.alpha = 0.01;
  r.baseline_from = at(t0);
  r.baseline_to = at(t0 + day);
  alert_engine e({r.grouped_by({cxm::alert_key_field::channel})});
  collected got;
  e.add_sink(got.sink());
  const auto add = [&](cxm::channel_id c, int score, std::int64_t t) {
    response x = nps_response("x", score, at(t));
    x.channel = c;
    e.process(x);
  };
  for (int i = 0; i < 20; ++i) {
    add(cxm::channels::phone, 10, t0 + 60 * i);
    add(cxm::channels::chat, i % 2 == 0 ? 10 : 0, t0 + 60 * i + 30);
  }
  for (int i = 0; i < 10; ++i) {
    add(cxm::channels::chat, i % 2 == 0 ? 0 : 10, t0 + day + 60 * i);
    add(cxm::channels::phone, i % 2 == 0 ? 0 : 10, t0 + day + 60 * i + 30);
  }
  ASSERT_EQ(got.records.size(), 1u);
  const alert& a = got.records[0];
  EXPECT_EQ(a.group, "channel=phone");
  EXPECT_EQ(a.sequence, 59u);  // 40 baseline answers, then the 20th of day 1
  EXPECT_DOUBLE_EQ(*a.value, 0.0);
  EXPECT_DOUBLE_EQ(*a.baseline_value, 100.0);
  EXPECT_EQ(a.baseline_n, 20u);
  EXPECT_EQ(a.n, 10u);
  const double p = std::erfc(1.0 / std::sqrt(0.1) / std::sqrt(2.0));
  EXPECT_NEAR(*a.p_value, p, 1e-12);
  EXPECT_NEAR(p, 0.00157, 1e-5);
}

TEST(AlertGroups, RulesFromJsonAndTheirErrors) {
  const auto rules = cxm::parse_alert_rules(R"([
    {"name": "agent-nps", "kind": "window_below", "metric": "nps", "last_responses": 50, "threshold": 0,
     "min_n": 30, "group_by": ["agent"], "max_groups": 5000, "cooldown": {"seconds": 86400}},
    {"name": "segment-drop", "kind": "baseline_drop", "metric": "csat", "last_days": 7, "group_by": ["segment", "channel"],
     "baseline": {"from": "2024-01-01", "to": "2024-02-01"}}])",
                                            "rules.json");
  ASSERT_EQ(rules.size(), 2u);
  auto want = alert_rule::below_last(cxm::alert_metric::nps, 50, 0.0, 30, "agent-nps")
                  .grouped_by({cxm::alert_key_field::agent}, 5000);
  want.cooldown.seconds = 86400;
  EXPECT_EQ(rules[0], want);
  EXPECT_EQ(rules[1].group_by,
            (std::vector<cxm::alert_key_field>{cxm::alert_key_field::segment, cxm::alert_key_field::channel}));
  EXPECT_EQ(rules[1].max_groups, alert_rule::default_max_groups);

  const auto error_of = [](const std::string& rule) -> std::pair<std::string, std::string> {
    try {
      (void)cxm::parse_alert_rules("[{\"name\": \"ok\", \"kind\": \"not_resolved\"}, " + rule + "]", "rules.json");
    } catch (const cxm::invalid_argument& e) {
      return {e.where().field, e.what()};
    }
    return {"", "no error"};
  };
  const std::string w = R"({"name": "g", "kind": "window_below", "metric": "nps", "last_responses": 50, "threshold": 0, )";
  auto [field, what] = error_of(w + R"("group_by": ["team"]})");
  EXPECT_EQ(field, "group_by");
  EXPECT_EQ(what, "[cxm.invalid_argument.201] rules.json, field 'group_by': rule 2 ('g'): unknown key field team "
                  "(id, agent, channel, segment)");
  std::tie(field, what) = error_of(w + R"("group_by": "agent"})");
  EXPECT_EQ(field, "group_by");
  EXPECT_NE(what.find("rule 2 ('g'): group_by must be an array"), std::string::npos) << what;
  std::tie(field, what) = error_of(w + R"("group_by": ["agent", "agent"]})");
  EXPECT_EQ(field, "group_by");
  EXPECT_NE(what.find("rule 2 ('g'): field agent is listed twice"), std::string::npos) << what;
  std::tie(field, what) = error_of(w + R"("group_by": ["agent"], "max_groups": 0})");
  EXPECT_EQ(field, "max_groups");
  EXPECT_NE(what.find("rule 2 ('g'): max_groups must lie in 1..10000000, got 0"), std::string::npos) << what;
  std::tie(field, what) = error_of(w + R"("group_by": ["agent"], "max_groups": -5})");
  EXPECT_EQ(field, "max_groups");
  // 10^6-answer windows for 10^4 agents: 10^10 bytes, more than 2^30.
  std::tie(field, what) = error_of(
      R"({"name": "big", "kind": "window_below", "metric": "nps", "last_responses": 1000000, "threshold": 0,
          "group_by": ["agent"]})");
  EXPECT_EQ(field, "max_groups");
  EXPECT_NE(what.find("rule 2 ('big'): 10000 groups of 1000000 window bytes each exceed 1073741824 bytes"),
            std::string::npos)
      << what;
  std::tie(field, what) = error_of(R"({"name": "s", "kind": "score_at_most", "group_by": ["agent"]})");
  EXPECT_EQ(field, "group_by");
  EXPECT_NE(what.find("rule 2 ('s'): key 'group_by' is not one a score_at_most rule takes"), std::string::npos) << what;
  // The C++ rule refuses the same, naming the rule and the field.
  try {
    alert_engine bad({alert_rule::detractor().grouped_by({cxm::alert_key_field::agent})});
    FAIL() << "expected invalid_argument";
  } catch (const cxm::invalid_argument& e) {
    EXPECT_EQ(e.where().field, "group_by");
    EXPECT_NE(std::string(e.what()).find("rule 'detractor'"), std::string::npos) << e.what();
  }
}

TEST(Alerts, ReplayIsDeterministicAndBalancedOnAMixedStream) {
  // Ten rules over a seeded stream: two replays give identical records, and
  // every rule's counts balance.
  std::vector<alert_rule> rules{alert_rule::detractor(), alert_rule::csat_at_most(2), alert_rule::unresolved(),
                                alert_rule::below_last(cxm::alert_metric::nps, 50, 0, 20, "w1"),
                                alert_rule::below_days(cxm::alert_metric::csat, 2, 0.6, 10, "w2")};
  rules[0].cooldown = {{cxm::alert_key_field::agent}, 3600};
  const auto replay = [&] {
    fake_clock clock;  // raised_at: the same in both replays
    cxm::alert_engine_options o;
    o.clock = clock.fn();
    alert_engine e(rules, o);
    std::vector<alert> out;
    std::uint64_t calls = 0;
    e.add_sink([&](const alert& a) {
      if (++calls % 3 == 0) throw std::runtime_error("every third");
      out.push_back(a);
    });
    std::uint64_t s = 12345;
    for (int i = 0; i < 2000; ++i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      response r;
      r.nps = static_cast<int>((s >> 33) % 11);
      r.csat = static_cast<int>((s >> 40) % 5) + 1;
      r.resolved = ((s >> 50) & 1) ? cxm::resolution::yes : cxm::resolution::no;
      r.agent = "A" + std::to_string((s >> 20) % 5);
      r.time = at(t0 + i * 300);
      e.process(r);
    }
    for (std::size_t k = 0; k < rules.size(); ++k) expect_balanced(e.counts(k));
    expect_balanced(e.counts());
    EXPECT_GT(e.counts().suppressed, 0u);
    EXPECT_EQ(e.counts().failed, 0u);  // retried: every third call fails, the retry succeeds
    return out;
  };
  const auto first = replay();
  const auto second = replay();
  EXPECT_TRUE(first == second);
  EXPECT_EQ(first.size(), second.size());
}

}  // namespace
