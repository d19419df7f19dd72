// Binary serialization (io/binary.hpp) and JSON of the accumulator states
// (io/json.hpp); the engine's states are in serialize_engine_test.cpp, the
// interval methods' codes and names in serialize_methods_test.cpp.
//
// References independent of the writer:
//   * CRC-32/ISO-HDLC check value crc32("123456789") = 0xCBF43926 (Cook's
//     CRC catalogue; /usr/bin/python3 -c 'import zlib; print(hex(zlib.crc32(b"123456789")))').
//   * Hand-built byte sequences below, written from the documented layout
//     (IEEE-754 patterns by hand: 1.5 = 0x3FF8000000000000, 1.25 = 0x3FF4...,
//     0.5 = 0x3FE0..., 0.25 = 0x3FD0...), with CRCs from Python's zlib.
//   * Golden files tests/data/golden/*.bin made by make_golden.py with
//     Python's struct and zlib from the documented layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/json.hpp"

#include "serialize_support.hpp"

// An application type that joins the format the documented way (ADL hooks
// in its own namespace, a tag from the application range), holding two
// nested cxmetrics states and a string.
namespace shard_demo {

struct labelled_shard {
  cxm::nps_accumulator nps;
  cxm::engine::nps_tally tally;
  std::string label;
  friend bool operator==(const labelled_shard&, const labelled_shard&) = default;
};

constexpr cxm::serial_type serial_type_of(cxm::serial_tag<labelled_shard>) noexcept {
  return {static_cast<cxm::type_tag>(0x8001), 1, "labelled_shard"};
}

inline void write_state(cxm::binary_writer& w, const labelled_shard& s) {
  w.write_nested(s.nps);
  w.write_nested(s.tally);
  w.write_string(s.label);
}

inline labelled_shard read_state(cxm::binary_reader& r, cxm::serial_tag<labelled_shard>) {
  labelled_shard s;
  s.nps = r.read_nested<cxm::nps_accumulator>("nps");
  s.tally = r.read_nested<cxm::engine::nps_tally>("tally");
  const auto at = r.offset() + 4;  // first byte of the label, after its length
  s.label = r.read_string("label");
  for (std::size_t i = 0; i < s.label.size(); ++i) {
    if (s.label[i] < 0x20 || s.label[i] > 0x7E) r.fail_at(at + i, {"label", i}, "label characters must be printable ASCII");
  }
  return s;
}

/// The same idea with a field hook (core/fields.hpp): one description gives
/// the binary and the JSON form, with the same checks.
struct tagged_shard {
  cxm::nps_accumulator nps;
  std::string label;
  friend bool operator==(const tagged_shard&, const tagged_shard&) = default;
};

constexpr cxm::serial_type serial_type_of(cxm::serial_tag<tagged_shard>) noexcept {
  return {static_cast<cxm::type_tag>(0x8002), 1, "tagged_shard"};
}

template <class Ar>
void visit_fields(Ar& ar, tagged_shard& s) {
  tagged_shard v = s;
  {
    auto in = ar.member("nps");
    (void)ar.tagged(v.nps);
  }
  ar.field("label", v.label);
  for (const char c : v.label) {
    if (c < 0x20 || c > 0x7E) ar.fail("label characters must be printable ASCII");
  }
  if constexpr (Ar::loading) s = std::move(v);
}

}  // namespace shard_demo

namespace {

using namespace cxm;
using namespace serialize_test_support;

static_assert(serializable<scale> && serializable<score_counts> && serializable<nps_accumulator> &&
              serializable<csat_accumulator> && serializable<ces_accumulator> &&
              serializable<resolution_accumulator> && serializable<nps_tally> && serializable<weighted_nps_tally> &&
              serializable<grouped_nps> && serializable<shard_demo::labelled_shard>);
static_assert(!serializable<int> && !serializable<std::string>);

// --- CRC and hand-built bytes -------------------------------------------------

TEST(Crc32, MatchesTheCatalogue) {
  const std::string check = "123456789";
  const auto b = std::as_bytes(std::span(check));
  EXPECT_EQ(crc32(b), 0xCBF43926u);  // CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32({}), 0u);
  EXPECT_EQ(crc32(b.subspan(4), crc32(b.first(4))), 0xCBF43926u);  // incremental
  static_assert(crc32({}) == 0u);
}

TEST(BinaryFormat, HandBuiltNpsTally) {
  // nps_tally{5, 2, 9}: preamble, then three little-endian u64.
  // CRC: /usr/bin/python3 -c 'import zlib,struct; print(hex(zlib.crc32(struct.pack("<QQQ",5,2,9))))' → 0xd30d0f10
  const bytes expected = B({'C', 'X', 'M', 'S',                      // magic
                            0x01,                                    // format version
                            0x01,                                    // state version
                            0x20, 0x00,                              // tag 0x0020
                            0x18, 0x00, 0x00, 0x00,                  // payload length 24
                            0x10, 0x0f, 0x0d, 0xd3,                  // CRC-32
                            0x05, 0, 0, 0, 0, 0, 0, 0,               // detractors
                            0x02, 0, 0, 0, 0, 0, 0, 0,               // passives
                            0x09, 0, 0, 0, 0, 0, 0, 0});             // promoters
  EXPECT_EQ(serialize(nps_tally{5, 2, 9}), expected);
  EXPECT_EQ(deserialize<nps_tally>(expected), (nps_tally{5, 2, 9}));
}

TEST(BinaryFormat, HandBuiltScaleAndWeightedTally) {
  // scale::csat(1): kind 1, min 1, max 5, high_min 5, low_max 1 (i32 each).
  // CRC: zlib.crc32(struct.pack("<Biiii",1,1,5,5,1)) → 0x88deb57e
  const bytes csat1 = B({'C', 'X', 'M', 'S', 1, 1, 0x01, 0x00, 17, 0, 0, 0, 0x7e, 0xb5, 0xde, 0x88,  //
                         1, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0});
  EXPECT_EQ(serialize(scale::csat(1)), csat1);
  EXPECT_EQ(deserialize<scale>(csat1), scale::csat(1));

  // weighted_nps_tally {{2, 1.5, 1.25}, {0, 0, 0}, {1, 0.5, 0.25}}: doubles as
  // their IEEE-754 patterns, low byte first.
  // CRC: zlib.crc32(struct.pack("<QddQddQdd",2,1.5,1.25,0,0,0,1,0.5,0.25)) → 0xf845ef67
  const bytes wt = B({'C', 'X', 'M', 'S', 1, 1, 0x21, 0x00, 72, 0, 0, 0, 0x67, 0xef, 0x45, 0xf8,  //
                      2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0xf4, 0x3f,  //
                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,              //
                      1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0, 0, 0, 0, 0, 0, 0xd0, 0x3f});
  weighted_nps_tally t;
  t.detractors = bin_totals{2, 1.5, 1.25};
  t.promoters = bin_totals{1, 0.5, 0.25};
  EXPECT_EQ(serialize(t), wt);
  EXPECT_EQ(deserialize<weighted_nps_tally>(wt), t);
  EXPECT_EQ(wt, read_golden("weighted_nps_tally.bin"));  // the generator agrees with the hand-built bytes
}

TEST(BinaryFormat, NegativeIntegersAreTwosComplement) {
  // scale::custom(-3, 3, 1, -1): -3 = FD FF FF FF, -1 = FF FF FF FF.
  const auto b = serialize(scale::custom(-3, 3, 1, -1));
  const bytes payload(b.begin() + 16, b.end());
  EXPECT_EQ(payload, B({4, 0xfd, 0xff, 0xff, 0xff, 3, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
}

// The states of the golden files, built by adding their responses.
nps_accumulator golden_nps() {
  nps_accumulator na;
  for (int s : {0, 6, 7, 9, 10, 10}) na.add(s);
  return na;
}
csat_accumulator golden_csat() {
  csat_accumulator ca(scale::csat(1));
  ca.add(5, 2.0);
  ca.add(1, 0.5);
  ca.add(4, 1.0);
  return ca;
}
ces_accumulator golden_ces() {
  ces_accumulator ea(scale::ces(6));
  for (int s : {1, 6, 7, 7}) ea.add(s);
  return ea;
}
resolution_accumulator golden_resolution() {
  resolution_accumulator ra;
  for (auto r : {resolution::yes, resolution::yes, resolution::no, resolution::unknown, resolution::unknown}) ra.add(r);
  return ra;
}

TEST(BinaryFormat, GoldenFilesPinVersion1) {
  check_golden("scale_custom.bin", scale::custom(-3, 3, 1, -1));

  score_counts nps(scale::nps());
  for (int s : {0, 6, 7, 9, 10, 10}) nps.add(s);
  check_golden("score_counts_nps.bin", nps);

  score_counts ces(scale::ces());
  ces.add(2, 0.5);
  ces.add(5, 1.25);
  ces.add(5, 2.0);
  check_golden("score_counts_ces_weighted.bin", ces);

  // Version 1 of the metric accumulators held their options (level, method,
  // ...); they still read, to the same counts, and the options are gone.
  check_golden("nps_accumulator.bin", golden_nps(), layout::older);
  check_golden("csat_accumulator_weighted.bin", golden_csat(), layout::older);
  check_golden("ces_accumulator.bin", golden_ces(), layout::older);
  check_golden("resolution_accumulator.bin", golden_resolution(), layout::older);

  check_golden("nps_tally.bin", nps_tally{5, 2, 9});

  weighted_nps_tally wt;
  wt.detractors = bin_totals{2, 1.5, 1.25};
  wt.promoters = bin_totals{1, 0.5, 0.25};
  check_golden("weighted_nps_tally.bin", wt);

  std::vector<nps_tally> cells;
  for (std::uint64_t i = 0; i < 6; ++i) cells.push_back(nps_tally{i, 2 * i, 3 * i + 1});
  check_golden("grouped_nps.bin", grouped_nps({2, 3}, cells));
}

TEST(BinaryFormat, GoldenFilesPinVersion2) {
  // Version 2 holds the histogram alone; make_golden.py writes the files
  // from the layout table, and each is checked here against values worked
  // out by hand from its responses, not against the writer.
  check_golden("nps_accumulator_v2.bin", golden_nps());
  check_golden("csat_accumulator_weighted_v2.bin", golden_csat());
  check_golden("ces_accumulator_v2.bin", golden_ces());
  check_golden("resolution_accumulator_v2.bin", golden_resolution());

  // Scores 0, 6, 7, 9, 10, 10: 3 promoters, 2 detractors → NPS 100·1/6.
  const auto na = deserialize<nps_accumulator>(read_golden("nps_accumulator_v2.bin"));
  EXPECT_EQ(na.counts().count_of(10), 2u);
  EXPECT_EQ(na.counts().count_of(8), 0u);
  EXPECT_NEAR(na.result().nps.value(), 100.0 / 6.0, 1e-12);
  // Top-1 CSAT with weights 2 (5), 0.5 (1), 1 (4): satisfied Σw 2 of 3.5.
  const auto ca = deserialize<csat_accumulator>(read_golden("csat_accumulator_weighted_v2.bin"));
  EXPECT_EQ(ca.scale_of(), scale::csat(1));
  EXPECT_EQ(ca.counts().total().w2, 0.25 + 1.0 + 4.0);
  EXPECT_NEAR(ca.result().satisfied.value(), 2.0 / 3.5, 1e-15);
  // CES easy from 6, scores 1, 6, 7, 7: easy 3 of 4, mean 21/4.
  const auto ea = deserialize<ces_accumulator>(read_golden("ces_accumulator_v2.bin"));
  EXPECT_EQ(ea.scale_of(), scale::ces(6));
  EXPECT_EQ(ea.result().easy.value(), 0.75);
  EXPECT_EQ(ea.result().mean.value(), 5.25);
  // Yes, yes, no and two unknowns: rate 2/3 of the 3 answered.
  const auto ra = deserialize<resolution_accumulator>(read_golden("resolution_accumulator_v2.bin"));
  EXPECT_EQ(ra.unknown(), 2u);
  EXPECT_EQ(ra.answered(), 3u);
  EXPECT_NEAR(ra.result().rate.value(), 2.0 / 3.0, 1e-15);
  // A rating on 1..5 with top box 4–5, scores 5, 4, 4, 2, 1: top box 3 of 5,
  // mean 16/5.
  rating_accumulator rating(scale::custom(1, 5, 4, 2));
  for (int s : {5, 4, 4, 2, 1}) rating.add(s);
  check_golden("rating_accumulator.bin", rating);
  const auto rb = deserialize<rating_accumulator>(read_golden("rating_accumulator.bin"));
  EXPECT_EQ(rb.result().top_box.value(), 0.6);
  EXPECT_EQ(rb.result().mean.value(), 3.2);
  // Version 1 and version 2 files of one state read to the same state.
  EXPECT_EQ(deserialize<nps_accumulator>(read_golden("nps_accumulator.bin")), na);
  EXPECT_EQ(deserialize<csat_accumulator>(read_golden("csat_accumulator_weighted.bin")), ca);
}

TEST(BinaryFormat, GoldenFilesOfVersion1GiveTheirResults) {
  // The files of state version 1 (unchanged since they were written) held
  // the options of make_golden.py's comments; asked for with those options,
  // the states read give the numbers worked out from their responses.
  // Intervals: Python 3 with statistics.NormalDist (z) and exact binomial
  // tails by bisection, independent of stats/.
  const auto na = deserialize<nps_accumulator>(read_golden("nps_accumulator.bin"));
  const auto nr = na.result();  // the file held nps_options{}
  EXPECT_EQ(nr.nps.n(), 6u);
  EXPECT_NEAR(nr.nps.value(), 100.0 / 6.0, 1e-12);  // 3 promoters − 2 detractors of 6
  EXPECT_EQ(nr.nps.ci()->method, interval_method::adjusted_wald);

  // csat_options{0.9, top_box 1, jeffreys}: Σw of the 5s, 2, of 3.5.
  const auto ca = deserialize<csat_accumulator>(read_golden("csat_accumulator_weighted.bin"));
  const auto cr = ca.result({0.9, interval_method::jeffreys});
  EXPECT_NEAR(cr.satisfied.value(), 2.0 / 3.5, 1e-15);
  EXPECT_EQ(cr.satisfied.ci()->level, 0.9);
  EXPECT_EQ(cr.satisfied.ci()->method, interval_method::jeffreys);

  // ces_options{0.99, easy_min 6, clopper_pearson}; scores 1, 6, 7, 7: easy
  // 3 of 4. Clopper–Pearson 99 %: L solves P(X ≥ 3 | 4, L) = 0.005,
  // U = 0.995^(1/4) = 0.998747649390 (P(X ≤ 3 | 4, U) = 1 − U⁴).
  const auto ea = deserialize<ces_accumulator>(read_golden("ces_accumulator.bin"));
  const auto er = ea.result({0.99, interval_method::clopper_pearson});
  EXPECT_EQ(er.easy.value(), 0.75);
  EXPECT_EQ(er.mean.value(), 5.25);
  EXPECT_NEAR(er.easy.ci()->lower, 0.110884985468, 1e-9);
  EXPECT_NEAR(er.easy.ci()->upper, 0.998747649390, 1e-9);

  // resolution_options{} (Wilson 95 %); yes, yes, no, 2 unknown: 2 of 3.
  // Wilson: centre (x + z²/2)/(n + z²), half z/(n + z²)·√(x(n − x)/n + z²/4).
  const auto ra = deserialize<resolution_accumulator>(read_golden("resolution_accumulator.bin"));
  const auto rr = ra.result();
  EXPECT_EQ(rr.unknown, 2u);
  EXPECT_NEAR(rr.rate.value(), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(rr.rate.ci()->lower, 0.207659600802, 1e-9);
  EXPECT_NEAR(rr.rate.ci()->upper, 0.938508055280, 1e-9);
}

// --- round trips and merges ---------------------------------------------------------

TEST(BinaryFormat, RoundTripsAndMergesOfRandomStates) {
  std::mt19937_64 rng(20240601);
  for (int iter = 0; iter < 60; ++iter) {
    SCOPED_TRACE(iter);
    const bool wa = iter % 3 == 1;
    const bool wb = iter % 3 == 2;

    score_counts ca(scale::custom(-2, 4, 3, 0));
    score_counts cb(scale::custom(-2, 4, 3, 0));
    fill(ca, rng, wa, static_cast<int>(rng() % 40));
    fill(cb, rng, wb, static_cast<int>(rng() % 40));
    EXPECT_EQ(round_trip(ca), ca);
    EXPECT_EQ(round_trip(ca).weighted(), ca.weighted());
    expect_merge_commutes_with_serialization(ca, cb);

    const auto na = random_nps(rng, wa);
    EXPECT_EQ(round_trip(na), na);
    expect_merge_commutes_with_serialization(na, random_nps(rng, wb));

    const auto so = random_csat_options(rng);
    const auto sa = random_csat(rng, so, wa);
    EXPECT_EQ(round_trip(sa), sa);
    expect_merge_commutes_with_serialization(sa, random_csat(rng, so, wb));

    const auto eo = random_ces_options(rng);
    const auto ea = random_ces(rng, eo, wa);
    EXPECT_EQ(round_trip(ea), ea);
    expect_merge_commutes_with_serialization(ea, random_ces(rng, eo, wb));

    const auto ra = random_resolution(rng, wa);
    EXPECT_EQ(round_trip(ra), ra);
    EXPECT_EQ(round_trip(ra).unknown(), ra.unknown());
    expect_merge_commutes_with_serialization(ra, random_resolution(rng, wb));

    const auto ta = random_tally(rng);
    const auto tb = random_tally(rng);
    EXPECT_EQ(round_trip(ta), ta);
    EXPECT_EQ(serialize(plus(ta, tb)), serialize(plus(round_trip(ta), round_trip(tb))));

    const auto wta = random_weighted_tally(rng);
    EXPECT_EQ(round_trip(wta), wta);

    const auto shape = random_shape(rng);
    const auto ga = random_grouped(rng, shape);
    const auto gb = random_grouped(rng, shape);
    EXPECT_EQ(round_trip(ga), ga);
    EXPECT_EQ(serialize(plus(ga, gb)), serialize(plus(round_trip(ga), round_trip(gb))));
  }
  EXPECT_EQ(round_trip(grouped_nps{}), grouped_nps{});
  EXPECT_EQ(round_trip(grouped_nps({}, {nps_tally{1, 2, 3}})), grouped_nps({}, {nps_tally{1, 2, 3}}));
  EXPECT_EQ(round_trip(grouped_nps({3, 0}, {})), grouped_nps({3, 0}, {}));
  for (const auto& s : {scale::nps(), scale::csat(), scale::csat(4), scale::ces(2), scale::ces(7), scale::binary(),
                        scale::custom(-1000, 23, 0, -1)}) {
    EXPECT_EQ(round_trip(s), s);
  }
  // Extreme but valid values survive bit for bit.
  score_counts big(scale::binary(), {std::numeric_limits<std::uint64_t>::max() - 7, 7},
                   {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min()}, {0.0, -0.0});
  const auto back = round_trip(big);
  EXPECT_EQ(back, big);
  EXPECT_TRUE(std::signbit(back.weight_sq(1)));
  EXPECT_EQ(back.weight(1), std::numeric_limits<double>::denorm_min());
}

TEST(BinaryFormat, ApplicationTypeWithNestedStates) {
  std::mt19937_64 rng(7);
  shard_demo::labelled_shard s{random_nps(rng, true), nps_tally{1, 2, 3}, "chat/2024-05"};
  const auto b = serialize(s);
  EXPECT_EQ(deserialize<shard_demo::labelled_shard>(b), s);
  expect_error<nps_accumulator>(b, "preamble.type_tag", "holds tag 0x8001 (not a cxmetrics type), expected nps_accumulator (tag 0x0010)");

  // The nested tally's tag (after the nested nps state) turned into a scale tag.
  binary_writer w;
  w.write_nested(s.nps);
  const auto tally_at = serial_preamble_size + w.size();
  auto bad = b;
  bad[tally_at] = std::byte{0x01};
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.tally.type_tag",
                                           "byte offset " + std::to_string(tally_at) +
                                               ": holds scale (tag 0x0001), expected nps_tally (tag 0x0020)");
  // Its length claims more bytes than remain.
  bad = b;
  bad[tally_at + 3] = std::byte{0xff};
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.tally.length", "remain (truncated)");
  // Its length is shorter than the tally: the tally reads past its end.
  bad = b;
  bad[tally_at + 3] = std::byte{23};
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.tally.promoters", "truncated");
  // Its version is newer than this build's.
  bad = b;
  bad[tally_at + 2] = std::byte{2};
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.tally.state_version", "newer");
  // A value check of the application's own.
  bad = b;
  bad[bad.size() - 1] = std::byte{0x07};
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.label[11]",
                                           "byte offset " + std::to_string(b.size() - 1) + ": label characters");
  // The label's length claims more bytes than remain.
  bad = b;
  bad[bad.size() - 16] = std::byte{13};  // low byte of the u32 length of the 12-byte label
  fix_crc(bad);
  expect_error<shard_demo::labelled_shard>(bad, "labelled_shard.label", "declares 13 elements of 1 bytes, but only 12");
}

TEST(BinaryHostile, TruncationAndSingleByteCorruption) {
  std::mt19937_64 rng(99);
  // Exhaustive (every position × every non-zero XOR) on the golden files.
  expect_rejects_truncation_and_corruption<scale>(read_golden("scale_custom.bin"), true, rng);
  expect_rejects_truncation_and_corruption<score_counts>(read_golden("score_counts_ces_weighted.bin"), true, rng);
  expect_rejects_truncation_and_corruption<nps_accumulator>(read_golden("nps_accumulator.bin"), true, rng);
  expect_rejects_truncation_and_corruption<csat_accumulator>(read_golden("csat_accumulator_weighted.bin"), true, rng);
  expect_rejects_truncation_and_corruption<ces_accumulator>(read_golden("ces_accumulator.bin"), true, rng);
  expect_rejects_truncation_and_corruption<resolution_accumulator>(read_golden("resolution_accumulator.bin"), true, rng);
  expect_rejects_truncation_and_corruption<nps_tally>(read_golden("nps_tally.bin"), true, rng);
  expect_rejects_truncation_and_corruption<weighted_nps_tally>(read_golden("weighted_nps_tally.bin"), true, rng);
  expect_rejects_truncation_and_corruption<grouped_nps>(read_golden("grouped_nps.bin"), true, rng);
  // Seeded random corruption of random weighted states.
  for (int i = 0; i < 5; ++i) {
    expect_rejects_truncation_and_corruption<nps_accumulator>(serialize(random_nps(rng, true)),
                                                              false, rng);
    expect_rejects_truncation_and_corruption<resolution_accumulator>(
        serialize(random_resolution(rng, true)), false, rng);
    expect_rejects_truncation_and_corruption<grouped_nps>(serialize(random_grouped(rng, random_shape(rng))), false, rng);
  }
}

TEST(BinaryHostile, PayloadChangesBehindAValidCrcAreCheckedOrCanonical) {
  std::mt19937_64 rng(4242);
  // Each state holds values with a narrow domain (flags, enum codes, lengths,
  // scale bounds, options), so some mutations must be rejected.
  EXPECT_GT(payload_mutations_are_checked<nps_accumulator>(read_golden("nps_accumulator.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<csat_accumulator>(read_golden("csat_accumulator_weighted.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<ces_accumulator>(read_golden("ces_accumulator.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<resolution_accumulator>(read_golden("resolution_accumulator.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<score_counts>(read_golden("score_counts_ces_weighted.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<scale>(read_golden("scale_custom.bin"), rng, 1000), 0);
  EXPECT_GT(payload_mutations_are_checked<weighted_nps_tally>(read_golden("weighted_nps_tally.bin"), rng, 2000), 0);
  EXPECT_GT(payload_mutations_are_checked<grouped_nps>(read_golden("grouped_nps.bin"), rng, 2000), 0);
  (void)payload_mutations_are_checked<nps_tally>(read_golden("nps_tally.bin"), rng, 500);  // every count is valid
}

TEST(BinaryHostile, PreambleErrorsSayWhatAndWhere) {
  const auto good = read_golden("nps_accumulator.bin");
  expect_error<nps_accumulator>({}, "preamble", "buffer of 0 bytes is shorter than the 16-byte preamble");
  auto b = good;
  b[2] = std::byte{'m'};
  expect_error<nps_accumulator>(b, "preamble.magic", "byte offset 2: magic bytes are not \"CXMS\"");
  b = good;
  b[4] = std::byte{2};
  expect_error<nps_accumulator>(b, "preamble.format_version", "byte offset 4: format version 2 is not supported");
  b = good;
  b[5] = std::byte{3};
  expect_error<nps_accumulator>(b, "preamble.state_version",
                                "byte offset 5: state version 3 of nps_accumulator is not supported (this build reads "
                                "versions 1..2; written by a newer cxmetrics)");
  // A version-1 payload announced as version 2 is read in the version-2
  // layout, and its first byte (the level's) is no scale kind.
  b[5] = std::byte{2};
  expect_error<nps_accumulator>(b, "nps_accumulator.counts.scale.kind", "byte offset 16: scale kind code");
  b[5] = std::byte{0};
  expect_error<nps_accumulator>(b, "preamble.state_version", "state version 0");
  expect_error<csat_accumulator>(good, "preamble.type_tag",
                                 "byte offset 6: holds nps_accumulator (tag 0x0010), expected csat_accumulator (tag 0x0011)");
  expect_error<score_counts>(good, "preamble.type_tag", "expected score_counts (tag 0x0002)");
  b = good;
  b[8] = std::byte{0xff};
  expect_error<nps_accumulator>(b, "preamble.payload_length", "byte offset 8: payload length is 255 bytes, but only 143 follow");
  b = good;
  b[9] = std::byte{0xff};
  b[10] = std::byte{0xff};
  b[11] = std::byte{0xff};
  expect_error<nps_accumulator>(b, "preamble.payload_length", "(truncated)");
  b = good;
  b.back() ^= std::byte{0x40};
  expect_error<nps_accumulator>(b, "preamble.crc32", "byte offset 12: CRC-32 of the payload does not match (stored 0x15367d82");
  // read_preamble checks everything but the type.
  const auto p = read_preamble(good);
  EXPECT_EQ(p.tag, type_tag::nps_accumulator);
  EXPECT_EQ(p.payload_size, good.size() - 16);
  EXPECT_EQ(p.crc, 0x15367d82u);  // make_golden.py prints it
}

TEST(BinaryHostile, PayloadValuesAreCheckedWithPathAndOffset) {
  const auto counts_ok = cat({nps_scale, B({0}), le32(11), eleven_counts()});
  // Sanity: the hand-built payload is accepted.
  EXPECT_EQ(deserialize<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(), counts_ok}))).count(),
            11u);

  // Options: level at payload offset 0 (byte 16), method at 24, prior 25, replicates 33.
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(1.0), counts_ok})),
                                "nps_accumulator.options.level", "byte offset 16: confidence level must be in (0, 1)");
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator, cat({nps_options_bytes(std::numeric_limits<double>::quiet_NaN()), counts_ok})),
      "nps_accumulator.options.level");
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 13), counts_ok})),
                                "nps_accumulator.options.method", "byte offset 24: interval method code 13");
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 2), counts_ok})),
                                "nps_accumulator.options.method", "'wilson' is not an NPS interval method");
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 1, -1.0), counts_ok})),
                                "nps_accumulator.options.prior", "byte offset 25");
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 1, 0.5, 1), counts_ok})),
                                "nps_accumulator.options.bootstrap_replicates", "byte offset 33");

  // Counts start at payload offset 33 (byte 49): scale 17, flag at 66, bins at 67, counts from 71.
  const auto opts = nps_options_bytes();
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator, cat({opts, nps_scale, B({2}), le32(11), eleven_counts()})),
      "nps_accumulator.counts.weighted", "byte offset 66: is 2, a flag must be 0 or 1");
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator, cat({opts, nps_scale, B({0}), le32(10), eleven_counts()})),
      "nps_accumulator.counts.bins", "byte offset 67: 10 bins, but the NPS scale 0..10 has 11 points");
  // A huge length is refused before anything is allocated.
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator, cat({opts, nps_scale, B({1}), le32(0xffffffffu), eleven_counts()})),
      "nps_accumulator.counts.bins", "declares 4294967295 elements of 24 bytes, but only 88 bytes remain");
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator, cat({opts, nps_scale, B({0}), le32(11), eleven_counts(1ull << 62)})),
      // 4 · 2^62 = 2^64: the fourth count (index 3) overflows.
      "nps_accumulator.counts.counts[3]", "byte offset " + std::to_string(71 + 3 * 8) + ": counts sum past 2^64 - 1");
  // The scale's fields: an NPS kind with max 11.
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator,
           cat({opts, B({0}), le32(0), le32(11), le32(9), le32(6), B({0}), le32(11), eleven_counts()})),
      "nps_accumulator.counts.scale.max", "byte offset 54: is 11, but the NPS scale 0..10 has 10");
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator,
           cat({opts, B({9}), le32(0), le32(10), le32(9), le32(6), B({0}), le32(11), eleven_counts()})),
      "nps_accumulator.counts.scale.kind", "byte offset 49: scale kind code 9");
  // A custom scale with 11 points is not the NPS scale of an nps_accumulator.
  expect_error<nps_accumulator>(
      wrap(type_tag::nps_accumulator,
           cat({opts, B({4}), le32(0), le32(10), le32(9), le32(6), B({0}), le32(11), eleven_counts()})),
      "nps_accumulator.counts.scale", "byte offset 49: is the custom scale 0..10");
  // Custom scale bounds go through scale::custom's checks.
  expect_error<scale>(wrap(type_tag::scale, cat({B({4}), le32(5), le32(5), le32(5), le32(5)})), "scale",
                      "byte offset 16: custom scale needs min < max");
  expect_error<scale>(wrap(type_tag::scale, cat({B({4}), le32(0x80000000u), le32(0x7fffffff), le32(1), le32(0)})),
                      "scale", "more than 1024 points");
  expect_error<scale>(wrap(type_tag::scale, cat({B({1}), le32(1), le32(5), le32(0x80000000u), le32(1)})),
                      "scale.high_min", "byte offset 25: CSAT high_min must be 2..5");
  // Trailing bytes inside a payload whose length and CRC agree.
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({opts, counts_ok, B({0})})), "nps_accumulator",
                                "1 unread bytes after the end of the state");
  // A payload cut short (length and CRC agree): the bin count is checked
  // against the bytes left before any count is read.
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({opts, nps_scale, B({0}), le32(11), le64(1)})),
                                "nps_accumulator.counts.bins", "byte offset 67: declares 11 elements of 8 bytes, but only 8 bytes remain");
  // Cut inside a fixed-size field.
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({f64(0.95), B({1}), le32(7)})),
                                "nps_accumulator.options.prior", "byte offset 25: needs 8 bytes, but only 4 remain (truncated)");

  // Weighted bins: Σw must be finite and >= 0, and 0 where the count is 0.
  const auto wscale = cat({binary_scale, B({1}), le32(2)});
  expect_error<score_counts>(
      wrap(type_tag::score_counts, cat({wscale, le64(1), le64(1), f64(-1.0), f64(1.0), f64(1.0), f64(1.0)})),
      "score_counts.sum_w[0]", "must be finite and >= 0");
  expect_error<score_counts>(
      wrap(type_tag::score_counts,
           cat({wscale, le64(1), le64(1), f64(1.0), f64(1.0), f64(1.0), f64(std::numeric_limits<double>::infinity())})),
      "score_counts.sum_w2[1]");
  expect_error<score_counts>(
      wrap(type_tag::score_counts, cat({wscale, le64(0), le64(1), f64(0.5), f64(1.0), f64(0.25), f64(1.0)})),
      "score_counts.sum_w[0]", "but the count is 0");

  // Options that disagree with the counts' scale: CSAT top box 2 over top-1 counts.
  const auto csat1 = cat({B({1}), le32(1), le32(5), le32(5), le32(1)});
  expect_error<csat_accumulator>(
      wrap(type_tag::csat_accumulator,
           cat({f64(0.95), le32(2), B({2}), csat1, B({0}), le32(5), le64(1), le64(1), le64(1), le64(1), le64(1)})),
      "csat_accumulator.counts.scale", "need the CSAT scale 1..5 (high from 4)");
  expect_error<csat_accumulator>(
      wrap(type_tag::csat_accumulator,
           cat({f64(0.95), le32(0), B({2}), csat1, B({0}), le32(5), le64(1), le64(1), le64(1), le64(1), le64(1)})),
      "csat_accumulator.options.top_box", "byte offset 24: CSAT top-box width must be 1..4, got 0");
  expect_error<csat_accumulator>(
      wrap(type_tag::csat_accumulator,
           cat({f64(0.95), le32(1), B({6}), csat1, B({0}), le32(5), le64(1), le64(1), le64(1), le64(1), le64(1)})),
      "csat_accumulator.options.share_method", "'t' is not a proportion interval method");
  expect_error<ces_accumulator>(wrap(type_tag::ces_accumulator, cat({f64(0.95), le32(8), B({2})})),
                                "ces_accumulator.options.easy_min", "must be 2..7, got 8");

  // Resolution: answered + unknown must fit a u64.
  const auto res = [&](std::uint64_t unknown) {
    return wrap(type_tag::resolution_accumulator,
                cat({f64(0.95), B({2}), binary_scale, B({0}), le32(2), le64(5), le64(5), le64(unknown)}));
  };
  EXPECT_EQ(deserialize<resolution_accumulator>(res(std::numeric_limits<std::uint64_t>::max() - 10)).count(),
            std::numeric_limits<std::uint64_t>::max());
  expect_error<resolution_accumulator>(res(std::numeric_limits<std::uint64_t>::max() - 9),
                                       "resolution_accumulator.unknown", "byte offset 63: counts sum past");

  // Tallies.
  expect_error<nps_tally>(wrap(type_tag::nps_tally, cat({le64(1), le64(~0ull), le64(0)})), "nps_tally.passives",
                          "byte offset 24");
  expect_error<weighted_nps_tally>(
      wrap(type_tag::weighted_nps_tally, cat({le64(0), f64(0.0), f64(0.0), le64(0), f64(0.0), f64(1.0), le64(0),
                                              f64(0.0), f64(0.0)})),
      "weighted_nps_tally.passives.sum_w2", "byte offset 56: weight sum is 1");
  // grouped_nps: cells must match the shape; lengths checked before allocation.
  expect_error<grouped_nps>(wrap(type_tag::grouped_nps, cat({le32(2), le32(2), le32(3), le32(5), bytes(5 * 24)})),
                            "grouped_nps.cells", "5 cells, but the product of the cardinalities is 6");
  expect_error<grouped_nps>(wrap(type_tag::grouped_nps, cat({le32(0xffffffffu), le32(2)})), "grouped_nps.key_columns",
                            "declares 4294967295 elements of 4 bytes, but only 4 bytes remain");
  expect_error<grouped_nps>(
      wrap(type_tag::grouped_nps, cat({le32(2), le32(0xffffffffu), le32(0xffffffffu), le32(0)})), "grouped_nps.cells",
      "larger than 2^32");
  expect_error<grouped_nps>(wrap(type_tag::grouped_nps, cat({le32(0), le32(2)})), "grouped_nps.cells",
                            "declares 2 elements of 24 bytes");
  expect_error<grouped_nps>(wrap(type_tag::grouped_nps, cat({le32(0), le32(2), bytes(48)})), "grouped_nps.cells",
                            "without key columns has 0 (empty) or 1");
}

TEST(BinaryFormat, StatesOfVersion1WithDifferentOptionsMerge) {
  // Two version-1 CSAT states on the top-1 scale, one written with level 0.9
  // and Jeffreys (the golden file), one with level 0.95 and Wilson: the
  // options are dropped when read, so the states merge.
  const auto jeffreys = deserialize<csat_accumulator>(read_golden("csat_accumulator_weighted.bin"));
  const auto csat1 = cat({B({1}), le32(1), le32(5), le32(5), le32(1)});
  const auto wilson = deserialize<csat_accumulator>(wrap(
      type_tag::csat_accumulator,
      cat({f64(0.95), le32(1), B({2}), csat1, B({0}), le32(5), le64(0), le64(0), le64(0), le64(3), le64(1)})));
  auto merged = jeffreys;
  ASSERT_NO_THROW(merged.merge(wilson));
  EXPECT_EQ(merged.count(), 7u);
  EXPECT_EQ(merged.counts().count_of(4), 4u);  // 1 from the golden file, 3 from the other
  // A top-2 state is another state, whatever its options: it does not merge.
  EXPECT_THROW(merged.merge(csat_accumulator{}), incompatible_merge);
}

TEST(BinaryFormat, StatesOfVersion1MergeWhateverTheyWereAskedWith) {
  // Version-1 states of every metric, written with other levels, methods,
  // priors, replicates and seeds than the golden files: the options are
  // dropped when read, so the states merge; only another cut does not.
  const auto v1_nps = [](std::initializer_list<int> scores) {
    std::vector<std::uint64_t> n(11, 0);
    for (int x : scores) ++n[static_cast<std::size_t>(x)];
    bytes b = cat({f64(0.8), B({7}), f64(2.0), le64(50), le64(7), nps_scale, B({0}), le32(11)});
    for (auto c : n) b = cat({b, le64(c)});
    return wrap(type_tag::nps_accumulator, b);
  };
  auto nps = deserialize<nps_accumulator>(read_golden("nps_accumulator.bin"));  // adjusted_wald, prior 0.5, seed 0x5eed
  ASSERT_NO_THROW(nps.merge(deserialize<nps_accumulator>(v1_nps({9, 9, 3}))));  // bayes_dirichlet 80 %, prior 2, seed 7
  // Scores 0, 6, 7, 9, 10, 10 and 9, 9, 3: 5 promoters, 3 detractors of 9.
  EXPECT_EQ(nps.count(), 9u);
  EXPECT_EQ(nps.counts().count_of(9), 3u);
  EXPECT_NEAR(nps.result().nps.value(), 100.0 * 2.0 / 9.0, 1e-12);

  // CES golden: level 0.99, Clopper–Pearson, easy from 6. Another with level
  // 0.9 and Wilson on the same cut merges; one with easy from 5 does not.
  const auto v1_ces = [](int easy_min, std::uint64_t sixes) {
    const auto ces_scale = cat({B({2}), le32(1), le32(7), le32(static_cast<std::uint32_t>(easy_min)),
                                le32(static_cast<std::uint32_t>(8 - easy_min))});  // scale::ces, easy_min >= 5
    return wrap(type_tag::ces_accumulator,
                cat({f64(0.9), le32(static_cast<std::uint32_t>(easy_min)), B({2}), ces_scale, B({0}), le32(7), le64(0),
                     le64(0), le64(0), le64(0), le64(0), le64(sixes), le64(0)}));
  };
  auto ces = deserialize<ces_accumulator>(read_golden("ces_accumulator.bin"));
  ASSERT_NO_THROW(ces.merge(deserialize<ces_accumulator>(v1_ces(6, 4))));
  EXPECT_EQ(ces.result().easy.value(), 7.0 / 8.0);  // 3 of 4, then 4 sixes
  const auto before = ces;
  EXPECT_THROW(ces.merge(deserialize<ces_accumulator>(v1_ces(5, 1))), incompatible_merge);
  EXPECT_EQ(ces, before);

  // Resolution golden: Wilson 95 %; another written with Jeffreys at 80 %.
  auto fcr = deserialize<resolution_accumulator>(read_golden("resolution_accumulator.bin"));
  ASSERT_NO_THROW(fcr.merge(deserialize<resolution_accumulator>(wrap(
      type_tag::resolution_accumulator,
      cat({f64(0.8), B({3}), binary_scale, B({0}), le32(2), le64(0), le64(3), le64(1)})))));
  EXPECT_EQ(fcr.answered(), 6u);  // yes, yes, no, then 3 yes
  EXPECT_EQ(fcr.unknown(), 3u);
  EXPECT_NEAR(fcr.result().rate.value(), 5.0 / 6.0, 1e-15);
}

TEST(BinaryRegistry, TagsAreUniqueAndNamed) {
  std::set<std::uint16_t> seen;
  for (auto t : registered_type_tags) {
    EXPECT_TRUE(seen.insert(static_cast<std::uint16_t>(t)).second) << static_cast<int>(t);
    EXPECT_STRNE(to_string(t), "");
    EXPECT_LT(static_cast<std::uint16_t>(t), 0x8000);  // the application range stays free
  }
  EXPECT_STREQ(to_string(static_cast<type_tag>(0x8001)), "");
  EXPECT_EQ(serial_type_of(serial_tag<grouped_nps>{}).tag, type_tag::grouped_nps);
  EXPECT_EQ(std::string(to_string(type_tag::score_histogram)), "score_histogram");
}

// --- JSON of the accumulator states -------------------------------------------------

TEST(FieldHooks, ApplicationTypeHasBothForms) {
  std::mt19937_64 rng(11);
  shard_demo::tagged_shard s{random_nps(rng, true), "chat/2024-05"};
  static_assert(serializable<shard_demo::tagged_shard>);
  const auto b = serialize(s);
  EXPECT_EQ(deserialize<shard_demo::tagged_shard>(b), s);
  EXPECT_EQ(json_round_trip(s), s);
  shard_demo::tagged_shard small{nps_accumulator{}, "x"};
  small.nps.add(10);
  EXPECT_EQ(json(small).dump(), R"({"label":"x","nps":{"counts":{"counts":[0,0,0,0,0,0,0,0,0,0,1],)"
                                R"("scale":{"high_min":9,"kind":"nps","low_max":6,"max":10,"min":0}}}})");
  // The hook's own check, and a member's, under the same path in both forms.
  auto bad = b;
  bad.back() = std::byte{0x07};
  fix_crc(bad);
  expect_error<shard_demo::tagged_shard>(bad, "tagged_shard.label", "label characters must be printable ASCII");
  expect_bad_json<shard_demo::tagged_shard>(R"({"label":"a\u0007","nps":{"counts":{"scale":{"kind":"nps"},)"
                                            R"("counts":[0,0,0,0,0,0,0,0,0,0,1]}}})",
                                            "tagged_shard.label", "label characters must be printable ASCII");
  expect_bad_json<shard_demo::tagged_shard>(R"({"label":"a","nps":{"counts":{"scale":{"kind":"csat"},)"
                                            R"("counts":[0,0,0,0,1]}}})",
                                            "tagged_shard.nps.counts.scale", "holds counts on the NPS scale");
}

TEST(JsonStates, HandWrittenText) {
  EXPECT_EQ(json(nps_tally{5, 2, 9}).dump(), R"({"detractors":5,"passives":2,"promoters":9})");
  resolution_accumulator r;
  r.add(resolution::yes);
  r.add(resolution::unknown);
  EXPECT_EQ(json(r).dump(),
            R"({"counts":{"counts":[0,1],"scale":{"high_min":1,"kind":"binary","low_max":0,"max":1,"min":0}},)"
            R"("unknown":1})");
  EXPECT_EQ(json(nps_options{}).dump(),
            R"({"bootstrap_replicates":2000,"level":0.95,"method":"adjusted_wald","prior":0.5,"seed":24301})");
  EXPECT_EQ(json(grouped_nps({2}, {nps_tally{1, 2, 3}, nps_tally{}})).dump(),
            R"({"cells":[{"detractors":1,"passives":2,"promoters":3},{"detractors":0,"passives":0,"promoters":0}],)"
            R"("shape":[2]})");
  EXPECT_EQ(json(bin_totals{2, 1.5, 1.25}).dump(), R"({"n":2,"sum_w":1.5,"sum_w2":1.25})");
  EXPECT_EQ(json(rating_options{0.9, interval_method::jeffreys}).dump(), R"({"level":0.9,"share_method":"jeffreys"})");
  rating_accumulator rating(scale::custom(1, 3, 3, 1));
  rating.add(3);
  EXPECT_EQ(json(rating).dump(), R"({"counts":{"counts":[0,0,1],"scale":{"high_min":3,"kind":"custom","low_max":1,)"
                                 R"("max":3,"min":1}}})");
}

TEST(JsonStates, RoundTripsOfRandomStatesAgreeWithBinary) {
  std::mt19937_64 rng(31337);
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE(iter);
    const bool w = iter % 2 == 1;
    const auto na = random_nps(rng, w);
    EXPECT_EQ(json_round_trip(na), na);
    const auto sa = random_csat(rng, random_csat_options(rng), w);
    EXPECT_EQ(json_round_trip(sa), sa);
    const auto ea = random_ces(rng, random_ces_options(rng), w);
    EXPECT_EQ(json_round_trip(ea), ea);
    const auto ra = random_resolution(rng, w);
    EXPECT_EQ(json_round_trip(ra), ra);
    EXPECT_EQ(serialize(json_round_trip(ra)), serialize(ra));
    const auto t = random_tally(rng);
    EXPECT_EQ(json_round_trip(t), t);
    const auto wt = random_weighted_tally(rng);
    EXPECT_EQ(json_round_trip(wt), wt);
    const auto g = random_grouped(rng, random_shape(rng));
    EXPECT_EQ(json_round_trip(g), g);
    EXPECT_EQ(serialize(json_round_trip(g)), serialize(g));
    const auto o = random_nps_options(rng);
    EXPECT_EQ(json_round_trip(o), o);
  }
  EXPECT_EQ(json_round_trip(grouped_nps{}), grouped_nps{});
  nps_options o;
  o.seed = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(json_round_trip(o), o);
  EXPECT_EQ(json_round_trip(csat_options{}), csat_options{});
  EXPECT_EQ(json_round_trip(ces_options{}), ces_options{});
  EXPECT_EQ(json_round_trip(resolution_options{}), resolution_options{});
  EXPECT_EQ(json_round_trip(rating_options{}), rating_options{});
}

TEST(JsonStates, MalformedStatesThrowCxmErrors) {
  const std::string nps_counts = R"("counts":{"scale":{"kind":"nps"},"counts":[1,0,0,0,0,0,0,0,0,0,1]})";
  const std::string opts = R"("options":{"level":0.95,"method":"wald","prior":0.5,"bootstrap_replicates":2000,"seed":1})";
  // Today's documents hold the counts alone; those written before the
  // options left the state still read (their options checked, then dropped).
  const auto now = parse_json<nps_accumulator>("{" + nps_counts + "}");
  EXPECT_EQ(now.count(), 2u);
  EXPECT_EQ(parse_json<nps_accumulator>("{" + opts + "," + nps_counts + "}"), now);
  expect_bad_json<nps_accumulator>("{" + nps_counts + R"(,"level":0.9})", "nps_accumulator.level",
                                   "is not a key of this object");
  expect_bad_json<nps_accumulator>(
      R"({"options":{"level":0.95,"method":"wald","prior":0.5,"seed":1},)" + nps_counts + "}",
      "nps_accumulator.options.bootstrap_replicates");
  expect_bad_json<nps_accumulator>(
      R"({"options":{"level":0.95,"method":"wilson","prior":0.5,"bootstrap_replicates":2000,"seed":1},)" +
          nps_counts + "}",
      "nps_accumulator.options.method", "not an NPS interval method");
  expect_bad_json<nps_accumulator>(
      R"({"options":{"level":2,"method":"wald","prior":0.5,"bootstrap_replicates":2000,"seed":1},)" + nps_counts + "}",
      "nps_accumulator.options.level");
  expect_bad_json<nps_accumulator>(
      "{" + opts + R"(,"counts":{"scale":{"kind":"custom","min":0,"max":10,"high_min":9,"low_max":6},)" +
          R"("counts":[1,0,0,0,0,0,0,0,0,0,1]}})",
      "nps_accumulator.counts.scale", "nps_accumulator holds counts on the NPS scale 0..10");
  expect_bad_json<nps_accumulator>("{" + opts + R"(,"counts":{"scale":{"kind":"nps"},"counts":[1,2]}})",
                                   "nps_accumulator.counts.counts");
  expect_bad_json<csat_accumulator>(
      R"({"options":{"level":0.95,"top_box":1,"share_method":"wilson"},"counts":{"scale":{"kind":"csat"},"counts":[1,1,1,1,1]}})",
      "csat_accumulator.counts.scale", "high from 5");
  expect_bad_json<csat_accumulator>(
      R"({"options":{"level":0.95,"top_box":"2","share_method":"wilson"},"counts":{"scale":{"kind":"csat"},"counts":[1,1,1,1,1]}})",
      "csat_accumulator.options.top_box");
  expect_bad_json<ces_accumulator>(
      R"({"options":{"level":0.95,"easy_min":9,"share_method":"wilson"},"counts":{"scale":{"kind":"ces"},"counts":[1,1,1,1,1,1,1]}})",
      "ces_accumulator.options.easy_min", "must be 2..7");
  expect_bad_json<resolution_accumulator>(
      R"({"options":{"level":0.95,"method":"wilson"},"counts":{"scale":{"kind":"binary"},"counts":[1,1]},"unknown":-1})",
      "resolution_accumulator.unknown");
  expect_bad_json<resolution_accumulator>(
      R"({"options":{"level":0.95,"method":"wilson"},"counts":{"scale":{"kind":"binary"},"counts":[1,1]},)"
      R"("unknown":18446744073709551615})",
      "resolution_accumulator.unknown", "counts sum past 2^64 - 1");
  expect_bad_json<resolution_accumulator>(
      R"({"options":{"level":0.95,"method":"wilson"},"counts":{"scale":{"kind":"nps"},"counts":[1,1,1,1,1,1,1,1,1,1,1]},"unknown":0})",
      "resolution_accumulator.counts.scale");
  expect_bad_json<nps_tally>(R"({"detractors":1,"passives":2})", "nps_tally.promoters", "key is missing");
  expect_bad_json<nps_tally>(R"({"detractors":1,"passives":18446744073709551615,"promoters":0})", "nps_tally.passives",
                             "sum past");
  expect_bad_json<weighted_nps_tally>(
      R"({"detractors":{"n":0,"sum_w":1,"sum_w2":1},"passives":{"n":0,"sum_w":0,"sum_w2":0},"promoters":{"n":0,"sum_w":0,"sum_w2":0}})",
      "weighted_nps_tally.detractors.sum_w", "but the count is 0");
  expect_bad_json<weighted_nps_tally>(
      R"({"detractors":{"n":1,"sum_w":-1,"sum_w2":1},"passives":{"n":0,"sum_w":0,"sum_w2":0},"promoters":{"n":0,"sum_w":0,"sum_w2":0}})",
      "weighted_nps_tally.detractors.sum_w");
  expect_bad_json<grouped_nps>(R"({"shape":[2,2],"cells":[]})", "grouped_nps.cells", "product of the cardinalities is 4");
  expect_bad_json<grouped_nps>(R"({"shape":[4294967296],"cells":[]})", "grouped_nps.shape[0]", "32 bits");
  expect_bad_json<grouped_nps>(R"({"shape":[1],"cells":[{"detractors":1,"passives":2,"promoters":-3}]})",
                               "grouped_nps.cells[0].promoters");
  expect_bad_json<grouped_nps>(R"({"shape":{},"cells":[]})", "grouped_nps.shape");
  expect_bad_json<bin_totals>(R"({"n":1,"sum_w":1})", "bin_totals.sum_w2");
}

}  // namespace
