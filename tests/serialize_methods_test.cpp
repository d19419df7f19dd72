// The interval methods in the archives and their checks: every method's
// binary code and JSON name (core/estimate.hpp's one list), the options of
// the metrics with the methods added last, and states of version 1 that
// carry their codes.
//
// References independent of the library: the codes of io/binary.hpp's
// layout table and the to_string names, written out by hand; byte layouts
// from that table; intervals in closed form evaluated with Python 3
// (statistics.NormalDist for z), given where used.
#include <gtest/gtest.h>

#include <cstddef>
#include <iterator>
#include <string>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/json.hpp"

#include "serialize_support.hpp"

namespace shard_demo {

/// An application's saved queries: the interval method of a net score (any
/// method, through the public tables of core/estimate.hpp) and the options
/// of the metrics' results, each with its own checks. Payload (45 bytes):
/// +0 u8 net, +1 rating_options (f64 level, u8 share_method), +10
/// csat_options (f64 level, i32 top_box, u8 share_method), +23 ces_options
/// (f64 level, i32 easy_min, u8 share_method), +36 resolution_options (f64
/// level, u8 method).
struct saved_queries {
  cxm::interval_method net = cxm::interval_method::adjusted_wald;
  cxm::rating_options rating;
  cxm::csat_options csat;
  cxm::ces_options ces;
  cxm::resolution_options resolution;
  friend bool operator==(const saved_queries&, const saved_queries&) = default;
};

constexpr cxm::serial_type serial_type_of(cxm::serial_tag<saved_queries>) noexcept {
  return {static_cast<cxm::type_tag>(0x8003), 1, "saved_queries"};
}

template <class Ar>
void visit_fields(Ar& ar, saved_queries& q) {
  saved_queries v = q;
  ar.choice("net", v.net, cxm::interval_method_codes, cxm::interval_method_names, "interval method");
  ar.field("rating", v.rating);
  ar.field("csat", v.csat);
  ar.field("ces", v.ces);
  ar.field("resolution", v.resolution);
  if constexpr (Ar::loading) q = v;
}

}  // namespace shard_demo

namespace {

using namespace cxm;
using namespace serialize_test_support;

// --- interval methods -----------------------------------------------------------

TEST(IntervalMethods, EveryMethodHasItsDocumentedCodeAndName) {
  // The codes of io/binary.hpp's table and the to_string names, written out
  // here: a method added to the library must be added to this list too.
  struct known {
    interval_method m;
    unsigned code;
    const char* name;
  };
  const known methods[] = {{interval_method::wald, 0, "wald"},
                           {interval_method::adjusted_wald, 1, "adjusted_wald"},
                           {interval_method::wilson, 2, "wilson"},
                           {interval_method::jeffreys, 3, "jeffreys"},
                           {interval_method::clopper_pearson, 4, "clopper_pearson"},
                           {interval_method::agresti_coull, 5, "agresti_coull"},
                           {interval_method::t, 6, "t"},
                           {interval_method::bayes_dirichlet, 7, "bayes_dirichlet"},
                           {interval_method::bootstrap, 8, "bootstrap"},
                           {interval_method::newcombe, 9, "newcombe"},
                           {interval_method::tango, 10, "tango"},
                           {interval_method::wilson_cc, 11, "wilson_cc"},
                           {interval_method::mover, 12, "mover"}};
  ASSERT_EQ(std::size(methods), all_interval_methods.size());
  for (const auto& k : methods) {
    SCOPED_TRACE(k.name);
    shard_demo::saved_queries q;
    q.net = k.m;
    const auto b = serialize(q);
    ASSERT_EQ(b.size(), serial_preamble_size + 45);
    EXPECT_EQ(b[serial_preamble_size], static_cast<std::byte>(k.code));
    EXPECT_EQ(deserialize<shard_demo::saved_queries>(b), q);
    const json j = q;
    EXPECT_EQ(j.at("net"), k.name);
    EXPECT_EQ(json_round_trip(q), q);
    EXPECT_EQ(json(k.m).dump(), "\"" + std::string(k.name) + "\"");
    EXPECT_EQ(json_round_trip(k.m), k.m);
    const interval i{0.25, 0.5, 0.9, k.m};
    EXPECT_EQ(json_round_trip(i), i);
  }
  // The first code past the table, and names that are not a method's.
  auto b = serialize(shard_demo::saved_queries{});
  b[serial_preamble_size] = std::byte{13};
  fix_crc(b);
  expect_error<shard_demo::saved_queries>(b, "saved_queries.net", "byte offset 16: interval method code 13 is not one of 0..12");
  expect_bad_json<interval_method>(R"("Tango")", "interval_method");
  expect_bad_json<interval>(R"({"lower":0.1,"upper":0.4,"level":0.9,"method":"mover "})", "interval.method");
}

TEST(IntervalMethods, OptionsWithTheNewMethodsRoundTripInBothForms) {
  // Wilson with continuity correction is a proportion method: every
  // metric's options take it. Bytes from the layout of saved_queries.
  const shard_demo::saved_queries q{interval_method::tango,
                                    {0.9, interval_method::wilson_cc},
                                    {0.95, 1, interval_method::wilson_cc},
                                    {0.99, 6, interval_method::wilson_cc},
                                    {0.8, interval_method::wilson_cc}};
  const auto b = serialize(q);
  const bytes payload(b.begin() + serial_preamble_size, b.end());
  EXPECT_EQ(payload, cat({B({10}), f64(0.9), B({11}), f64(0.95), le32(1), B({11}), f64(0.99), le32(6), B({11}),
                          f64(0.8), B({11})}));
  EXPECT_EQ(deserialize<shard_demo::saved_queries>(b), q);
  EXPECT_EQ(json(q).dump(),
            R"({"ces":{"easy_min":6,"level":0.99,"share_method":"wilson_cc"},)"
            R"("csat":{"level":0.95,"share_method":"wilson_cc","top_box":1},"net":"tango",)"
            R"("rating":{"level":0.9,"share_method":"wilson_cc"},"resolution":{"level":0.8,"method":"wilson_cc"}})");
  EXPECT_EQ(json_round_trip(q), q);
  auto mover = q;
  mover.net = interval_method::mover;
  EXPECT_EQ(deserialize<shard_demo::saved_queries>(serialize(mover)), mover);
  EXPECT_EQ(json_round_trip(mover), mover);

  // Tango and MOVER are not proportion methods: the options refuse them, in
  // both forms, at the field.
  auto bad = b;
  bad[serial_preamble_size + 9] = std::byte{10};  // rating.share_method
  fix_crc(bad);
  expect_error<shard_demo::saved_queries>(bad, "saved_queries.rating.share_method",
                                          "'tango' is not a proportion interval method");
  json j = q;
  j["resolution"]["method"] = "mover";
  expect_bad_json<shard_demo::saved_queries>(j.dump(), "saved_queries.resolution.method",
                                             "'mover' is not a proportion interval method");
  auto bad_csat = b;
  bad_csat[serial_preamble_size + 22] = std::byte{12};  // csat.share_method
  fix_crc(bad_csat);
  expect_error<shard_demo::saved_queries>(bad_csat, "saved_queries.csat.share_method",
                                          "'mover' is not a proportion interval method");

  // The options in use: 3 yes, 1 no with Wilson-cc 95 %. Reference: Newcombe
  // (1998) method 4 in closed form, z from Python's statistics.NormalDist:
  //   L = (2np + z² − 1 − z√(z² − 2 − 1/n + 4p(nq + 1))) / (2(n + z²))
  //   U = (2np + z² + 1 + z√(z² + 2 − 1/n + 4p(nq − 1))) / (2(n + z²))
  // = 0.219426520065, 0.986808838176.
  resolution_accumulator fcr;
  for (auto r : {resolution::yes, resolution::yes, resolution::no, resolution::yes}) fcr.add(r);
  const auto rr = fcr.result({0.95, interval_method::wilson_cc});
  EXPECT_EQ(rr.rate.ci()->method, interval_method::wilson_cc);
  EXPECT_NEAR(rr.rate.ci()->lower, 0.219426520065, 1e-9);
  EXPECT_NEAR(rr.rate.ci()->upper, 0.986808838176, 1e-9);
}

TEST(IntervalMethods, StatesOfVersion1WithTheNewCodesReadOrNameTheMethod) {
  // Version-1 states held their options; a proportion method of a new code
  // (11, wilson_cc) reads and is dropped, and the counts give the result
  // asked for (the reference of the test above).
  const auto fcr = deserialize<resolution_accumulator>(wrap(
      type_tag::resolution_accumulator, cat({f64(0.95), B({11}), binary_scale, B({0}), le32(2), le64(1), le64(3), le64(0)})));
  EXPECT_EQ(fcr.answered(), 4u);
  const auto rr = fcr.result({0.95, interval_method::wilson_cc});
  EXPECT_NEAR(rr.rate.ci()->lower, 0.219426520065, 1e-9);
  EXPECT_NEAR(rr.rate.ci()->upper, 0.986808838176, 1e-9);
  const auto csat1 = cat({B({1}), le32(1), le32(5), le32(5), le32(1)});
  const auto ca = deserialize<csat_accumulator>(wrap(
      type_tag::csat_accumulator,
      cat({f64(0.95), le32(1), B({11}), csat1, B({0}), le32(5), le64(0), le64(0), le64(0), le64(1), le64(3)})));
  EXPECT_EQ(ca.counts().count_of(5), 3u);
  // An NPS method (10, tango) reads and is dropped; a method NPS does not
  // take, and a code past the table, are named.
  const auto counts_ok = cat({nps_scale, B({0}), le32(11), eleven_counts()});
  EXPECT_EQ(deserialize<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 10), counts_ok})))
                .counts(),
            deserialize<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 1), counts_ok})))
                .counts());
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 12), counts_ok})),
                                "nps_accumulator.options.method", "'mover' is not an NPS interval method");
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 13), counts_ok})),
                                "nps_accumulator.options.method", "byte offset 24: interval method code 13 is not one of 0..12");
}

}  // namespace
