// JSON: round trips of the core types, a hand-written expected text, and
// malformed input raising cxm errors (never nlohmann's).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "cxmetrics/io/json.hpp"

#include "serialize_support.hpp"

namespace {

using namespace cxm;
using nlohmann::json;

template <class T>
T round_trip(const T& x) {
  const json j = x;
  return json::parse(j.dump()).get<T>();
}

// Reading `text` throws serialization_error (a cxm error, never nlohmann's)
// whose location names `path`.
template <class T>
void expect_bad(const std::string& text, const std::string& path) {
  serialize_test_support::expect_bad_json<T>(text, path);
}

TEST(Json, HandWrittenEstimateText) {
  const estimate e(25.0, 12.5, interval{0.5, 49.5, 0.95, interval_method::wilson}, 8, 8.0);
  // Keys in nlohmann's default (alphabetical) order.
  EXPECT_EQ(json(e).dump(),
            R"({"effective_n":8.0,"interval":{"level":0.95,"lower":0.5,"method":"wilson","upper":49.5},)"
            R"("n":8,"note":"","se":12.5,"status":"ok","value":25.0})");
  EXPECT_EQ(json(estimate{}).dump(),
            R"({"effective_n":0.0,"interval":null,"n":0,"note":"no responses","se":null,"status":"no_data","value":null})");
  EXPECT_EQ(json(scale::csat(1)).dump(), R"({"high_min":5,"kind":"csat","low_max":1,"max":5,"min":1})");
}

TEST(Json, EstimateRoundTrips) {
  const estimate ok(-12.25, 3.5, interval{-19.1, -5.4, 0.9, interval_method::adjusted_wald}, 120, 97.5);
  EXPECT_EQ(round_trip(ok), ok);
  const auto ins = estimate::insufficient(4.0, 1, 1.0, "a t interval needs at least 2 responses");
  EXPECT_EQ(round_trip(ins), ins);
  const auto none = estimate::no_data(3, "every weight is 0");
  EXPECT_EQ(round_trip(none), none);
  EXPECT_EQ(round_trip(estimate{}), estimate{});
  // Doubles survive exactly (nlohmann writes the shortest text that reads back).
  const estimate odd(0.1 + 0.2, 1.0 / 3.0, interval{1e-300, 0.7, 0.95, interval_method::t}, 5, 4.999999999);
  EXPECT_EQ(round_trip(odd), odd);
}

TEST(Json, ScaleRoundTripsAndIsRebuiltByFactories) {
  for (const auto& s : {scale::nps(), scale::csat(), scale::csat(1), scale::ces(), scale::ces(6), scale::binary(),
                        scale::custom(-3, 3, 1, -1)}) {
    EXPECT_EQ(round_trip(s), s);
  }
  EXPECT_EQ(json::parse(R"({"kind":"csat","high_min":5})").get<scale>(), scale::csat(1));
  EXPECT_EQ(json::parse(R"({"kind":"nps"})").get<scale>(), scale::nps());
  expect_bad<scale>(R"({"kind":"nps","max":11})", "scale.max");
  expect_bad<scale>(R"({"kind":"csat","high_min":1})", "scale.high_min");  // top-box 5 is not allowed
  expect_bad<scale>(R"({"kind":"custom","min":5,"max":5,"high_min":5,"low_max":5})", "scale");
  expect_bad<scale>(R"({"kind":"custom","min":0,"max":10})", "scale");
  expect_bad<scale>(R"({"kind":"likert"})", "scale.kind");
  expect_bad<scale>(R"({"min":0})", "scale.kind");
  expect_bad<scale>(R"({"kind":"ces","high_min":"5"})", "scale.high_min");
  expect_bad<scale>(R"([1,2])", "scale");
}

TEST(Json, ScoreCountsRoundTripWeightedAndNot) {
  score_counts c(scale::nps());
  for (int s : {0, 6, 7, 9, 10, 10}) c.add(s);
  const json j = c;
  EXPECT_FALSE(j.contains("sum_w"));
  EXPECT_EQ(j["counts"], json::parse("[1,0,0,0,0,0,1,1,0,1,2]"));
  EXPECT_EQ(round_trip(c), c);

  score_counts w(scale::ces());
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200; ++i) w.add(1 + static_cast<int>(rng() % 7), 0.25 + static_cast<double>(rng() % 1000) / 400.0);
  EXPECT_TRUE(round_trip(w).weighted());
  EXPECT_EQ(round_trip(w), w);
}

TEST(Json, MalformedScoreCountsThrowCxmErrors) {
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":[1,2,3]})", "score_counts.counts");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":[1,2,3,4,-5]})", "score_counts.counts[4]");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":[1,2,3,4,1.5]})", "score_counts.counts[4]");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":"12345"})", "score_counts.counts");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"}})", "score_counts.counts");
  expect_bad<score_counts>(R"({"counts":[1,2,3,4,5]})", "score_counts.scale");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":[1,1,1,1,1],"sum_w":[1,1,1,1,1]})", "score_counts");
  expect_bad<score_counts>(R"({"scale":{"kind":"csat"},"counts":[1,1,1,1,1],"sum_w":[1,1,1,1,1],"sum_w2":[1,1,1]})",
                           "score_counts.sum_w2");
  expect_bad<score_counts>(
      R"({"scale":{"kind":"csat"},"counts":[1,1,1,1,1],"sum_w":[1,1,-1,1,1],"sum_w2":[1,1,1,1,1]})",
      "score_counts.sum_w[2]");
  expect_bad<score_counts>(
      R"({"scale":{"kind":"csat"},"counts":[0,1,1,1,1],"sum_w":[2,1,1,1,1],"sum_w2":[4,1,1,1,1]})",
      "score_counts.sum_w[0]");  // weight in a bin without responses
  expect_bad<score_counts>(R"(null)", "score_counts");
}

TEST(Json, IntervalAndEnums) {
  const interval i{0.1, 0.4, 0.99, interval_method::clopper_pearson};
  EXPECT_EQ(round_trip(i), i);
  expect_bad<interval>(R"({"lower":0.1,"upper":0.4,"level":1.5,"method":"wald"})", "interval.level");
  expect_bad<interval>(R"({"lower":0.5,"upper":0.4,"level":0.9,"method":"wald"})", "interval");
  expect_bad<interval>(R"({"lower":0.1,"upper":0.4,"level":0.9,"method":"magic"})", "interval.method");
  expect_bad<interval>(R"({"lower":0.1,"level":0.9,"method":"wald"})", "interval.upper");

  for (auto m : {interval_method::wald, interval_method::adjusted_wald, interval_method::wilson,
                 interval_method::jeffreys, interval_method::clopper_pearson, interval_method::agresti_coull,
                 interval_method::t, interval_method::bayes_dirichlet, interval_method::bootstrap,
                 interval_method::newcombe, interval_method::tango, interval_method::wilson_cc,
                 interval_method::mover}) {
    EXPECT_EQ(json(m), json(to_string(m)));
    EXPECT_EQ(round_trip(m), m);
  }
  EXPECT_EQ(json(resolution::unknown).dump(), R"("unknown")");
  for (auto r : {resolution::yes, resolution::no, resolution::unknown}) EXPECT_EQ(round_trip(r), r);
  expect_bad<resolution>(R"("maybe")", "resolution");
  expect_bad<resolution>(R"(1)", "resolution");
  expect_bad<interval_method>(R"("")", "interval_method");
}

TEST(Json, MalformedEstimatesThrowCxmErrors) {
  expect_bad<estimate>(R"({"status":"ok","n":3,"value":1.0,"interval":null})", "estimate.interval");
  expect_bad<estimate>(R"({"status":"ok","n":3,"value":null,"interval":{"lower":0,"upper":1,"level":0.9,"method":"t"}})",
                       "estimate.value");
  expect_bad<estimate>(R"({"status":"fine","n":3})", "estimate.status");
  expect_bad<estimate>(R"({"status":"no_data","n":-3})", "estimate.n");
  expect_bad<estimate>(R"({"status":"no_data"})", "estimate.n");
  expect_bad<estimate>(R"({"status":"no_data","n":0,"value":2})", "estimate.value");
  expect_bad<estimate>(R"({"status":"insufficient","n":1,"value":2,"se":0.5})", "estimate.se");
  expect_bad<estimate>(R"({"status":"ok","n":3,"value":"1","interval":null})", "estimate.value");
  expect_bad<estimate>(R"("ok")", "estimate");
}

TEST(Json, LocationRoundTripsWithOnlyKnownParts) {
  const auto l = in_file("a.csv", 3, 7, "nps");
  const json j = l;
  EXPECT_EQ(j.dump(), R"({"column":7,"field":"nps","file":"a.csv","line":3})");
  const auto back = j.get<location>();
  EXPECT_EQ(back.to_string(), l.to_string());
  EXPECT_EQ(back.line, l.line);
  EXPECT_FALSE(back.row.has_value());
  EXPECT_EQ(json(at_row(4)).get<location>().row, 4u);
  expect_bad<location>(R"({"line":"3"})", "location.line");
}

TEST(Json, ResponseRoundTrips) {
  response r;
  r.id = "r-1";
  r.nps = 9;
  r.ces = 2;
  r.time = timestamp{std::chrono::seconds{1709647629}};
  r.channel = channels::face_to_face;
  r.segment = "enterprise";
  r.agent = "Äijä";
  r.weight = 1.75;
  r.resolved = resolution::no;
  r.why = "said \"soon\",\nthen nothing";
  const json j = r;
  // 1709647629 s = 2024-03-05T14:07:09Z (19787 days × 86400 + 50829 s).
  EXPECT_EQ(j["time"], "2024-03-05T14:07:09Z");
  EXPECT_TRUE(j["csat"].is_null());
  EXPECT_EQ(j["channel"], 3);
  EXPECT_EQ(round_trip(r), r);
  EXPECT_EQ(round_trip(response{}), response{});

  const auto lab = json::parse(R"({"nps":10,"channel":"Face-to-face","time":"2024-03-05T16:07:09+02:00"})").get<response>();
  EXPECT_EQ(lab.channel, channels::face_to_face);
  EXPECT_EQ(lab.time, r.time);
  EXPECT_EQ(lab.weight, 1.0);

  expect_bad<response>(R"({"nps":"9"})", "response.nps");
  expect_bad<response>(R"({"nps":9.5})", "response.nps");
  expect_bad<response>(R"({"time":"yesterday"})", "response.time");
  expect_bad<response>(R"({"channel":"fax"})", "response.channel");
  expect_bad<response>(R"({"channel":70000})", "response.channel");
  expect_bad<response>(R"({"weight":null})", "response.weight");
  expect_bad<response>(R"({"resolved":"perhaps"})", "response.resolved");
  expect_bad<response>(R"({"why":5})", "response.why");
}

TEST(Json, ParseJsonTextThrowsCxmErrorsOnly) {
  EXPECT_EQ(parse_json<scale>(R"({"kind":"ces","high_min":6})"), scale::ces(6));
  EXPECT_EQ(parse_json<resolution>(R"("no")"), resolution::no);
  try {
    (void)parse_json<scale>(R"({"kind":"nps")");  // truncated text
    FAIL() << "no exception";
  } catch (const serialization_error& e) {
    EXPECT_EQ(e.id(), 401);
    EXPECT_EQ(e.where().column, 14u);  // parsing stopped after the 13 bytes of text
  }
  EXPECT_THROW((void)parse_json<estimate>("{\"status\":\"ok\",}"), serialization_error);
  EXPECT_THROW((void)parse_json<score_counts>(""), serialization_error);
  EXPECT_THROW((void)parse_json<score_counts>(R"({"scale":{"kind":"binary"},"counts":[1]})"), serialization_error);
}

}  // namespace
