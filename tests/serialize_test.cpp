// Binary serialization (io/binary.hpp) and JSON of the accumulator states
// (io/json.hpp).
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
#include "cxmetrics/io/binary_engine.hpp"
#include "cxmetrics/io/json.hpp"

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
using engine::grouped_nps;
using engine::nps_tally;
using engine::weighted_nps_tally;
using bytes = std::vector<std::byte>;
using nlohmann::json;

static_assert(serializable<scale> && serializable<score_counts> && serializable<nps_accumulator> &&
              serializable<csat_accumulator> && serializable<ces_accumulator> &&
              serializable<resolution_accumulator> && serializable<nps_tally> && serializable<weighted_nps_tally> &&
              serializable<grouped_nps> && serializable<shard_demo::labelled_shard>);
static_assert(!serializable<int> && !serializable<std::string>);

bytes B(std::initializer_list<unsigned> v) {
  bytes out;
  for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
  return out;
}

bytes read_golden(const std::string& name) {
  const std::string path = std::string(CXMETRICS_TEST_DATA_DIR) + "/golden/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes out(raw.size());
  std::transform(raw.begin(), raw.end(), out.begin(), [](char c) { return static_cast<std::byte>(c); });
  return out;
}

/// Preamble + payload with the CRC computed by cxm::crc32 (itself checked
/// against the reference check value in Crc32.MatchesTheCatalogue).
bytes wrap(type_tag tag, const bytes& payload, std::uint8_t state_version = 1) {
  binary_writer w;
  for (auto m : serial_magic) w.write_u8(m);
  w.write_u8(serial_format_version);
  w.write_u8(state_version);
  w.write_u16(static_cast<std::uint16_t>(tag));
  w.write_u32(static_cast<std::uint32_t>(payload.size()));
  w.write_u32(crc32(payload));
  auto out = std::move(w).take();
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

/// Recomputes the preamble's CRC after the payload was edited.
void fix_crc(bytes& b) {
  const auto c = crc32(std::span<const std::byte>(b).subspan(serial_preamble_size));
  for (int i = 0; i < 4; ++i) b[12 + i] = static_cast<std::byte>((c >> (8 * i)) & 0xFF);
}

/// deserialize<T> must throw serialization_error whose field is `field` and
/// whose message contains `fragment` (checked when not empty).
template <class T>
void expect_error(std::span<const std::byte> b, const std::string& field, const std::string& fragment = {}) {
  try {
    (void)deserialize<T>(b);
    ADD_FAILURE() << "no exception; expected one at field '" << field << "'";
  } catch (const serialization_error& e) {
    EXPECT_EQ(e.where().field, field) << e.what();
    if (!fragment.empty()) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
    EXPECT_EQ(e.id(), 401);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a serialization_error: " << e.what();
  }
}

/// Reading `text` as a T must throw serialization_error at `path` whose
/// message contains `fragment` (checked when not empty).
template <class T>
void expect_bad_json(const std::string& text, const std::string& path, const std::string& fragment = {}) {
  SCOPED_TRACE(text);
  const auto j = json::parse(text);
  try {
    (void)j.get<T>();
    ADD_FAILURE() << "no exception";
  } catch (const serialization_error& e) {
    EXPECT_EQ(e.where().field, path) << e.what();
    if (!fragment.empty()) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a cxm::serialization_error: " << e.what();
  }
}

// --- random states ------------------------------------------------------------

double random_weight(std::mt19937_64& rng) {
  // Multiples of 1/64 in [0, 8): exact sums, and 0 weights occur.
  return static_cast<double>(rng() % 512) / 64.0;
}

void fill(score_counts& c, std::mt19937_64& rng, bool weighted, int n) {
  const auto& s = c.scale_of();
  for (int i = 0; i < n; ++i) {
    const int score = s.min() + static_cast<int>(rng() % static_cast<unsigned>(s.points()));
    if (weighted) {
      c.add(score, random_weight(rng));
    } else {
      c.add(score);
    }
  }
}

template <class Acc>
void fill_acc(Acc& a, std::mt19937_64& rng, bool weighted, int n, int lo, int hi) {
  for (int i = 0; i < n; ++i) {
    const int score = lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1));
    if (weighted) {
      a.add(score, random_weight(rng));
    } else {
      a.add(score);
    }
  }
}

nps_options random_nps_options(std::mt19937_64& rng) {
  nps_options o;
  const interval_method methods[] = {interval_method::wald, interval_method::adjusted_wald,
                                     interval_method::bayes_dirichlet, interval_method::bootstrap};
  o.method = methods[rng() % 4];
  o.level = 0.5 + static_cast<double>(rng() % 49) / 100.0;
  o.prior = 0.25 * static_cast<double>(1 + rng() % 8);
  o.bootstrap_replicates = 2 + rng() % 5000;
  o.seed = rng();
  return o;
}

nps_accumulator random_nps(std::mt19937_64& rng, bool weighted) {
  nps_accumulator a;
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 0, 10);
  return a;
}

csat_options random_csat_options(std::mt19937_64& rng) {
  csat_options o;
  const interval_method methods[] = {interval_method::wilson, interval_method::jeffreys,
                                     interval_method::clopper_pearson, interval_method::agresti_coull,
                                     interval_method::wald};
  o.level = 0.8 + static_cast<double>(rng() % 19) / 100.0;
  o.top_box = 1 + static_cast<int>(rng() % 4);
  o.share_method = methods[rng() % 5];
  return o;
}

/// A CSAT state on the top box of `o` (the rest of the options is not state).
csat_accumulator random_csat(std::mt19937_64& rng, const csat_options& o, bool weighted) {
  csat_accumulator a(scale::csat(o.top_box));
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 1, 5);
  return a;
}

ces_options random_ces_options(std::mt19937_64& rng) {
  ces_options o;
  o.level = 0.8 + static_cast<double>(rng() % 19) / 100.0;
  o.easy_min = 2 + static_cast<int>(rng() % 6);
  o.share_method = rng() % 2 ? interval_method::wilson : interval_method::jeffreys;
  return o;
}

/// A CES state on the threshold of `o`.
ces_accumulator random_ces(std::mt19937_64& rng, const ces_options& o, bool weighted) {
  ces_accumulator a(scale::ces(o.easy_min));
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 1, 7);
  return a;
}

resolution_accumulator random_resolution(std::mt19937_64& rng, bool weighted) {
  resolution_accumulator a;
  const resolution values[] = {resolution::yes, resolution::no, resolution::unknown};
  const int n = static_cast<int>(rng() % 60);
  for (int i = 0; i < n; ++i) {
    const auto v = values[rng() % 3];
    if (weighted) {
      a.add(v, random_weight(rng));
    } else {
      a.add(v);
    }
  }
  return a;
}

nps_tally random_tally(std::mt19937_64& rng) {
  return nps_tally{rng() % 1000, rng() % 1000, rng() >> 8};
}

bin_totals random_totals(std::mt19937_64& rng) {
  bin_totals t;
  t.n = rng() % 50;
  for (std::uint64_t i = 0; i < t.n; ++i) {
    const double w = random_weight(rng);
    t.w += w;
    t.w2 += w * w;
  }
  return t;
}

weighted_nps_tally random_weighted_tally(std::mt19937_64& rng) {
  weighted_nps_tally t;
  t.detractors = random_totals(rng);
  t.passives = random_totals(rng);
  t.promoters = random_totals(rng);
  return t;
}

grouped_nps random_grouped(std::mt19937_64& rng, std::vector<std::uint32_t> shape) {
  std::size_t cells = 1;
  for (auto c : shape) cells *= c;
  std::vector<nps_tally> t(cells);
  for (auto& x : t) x = random_tally(rng);
  return grouped_nps(std::move(shape), std::move(t));
}

std::vector<std::uint32_t> random_shape(std::mt19937_64& rng) {
  std::vector<std::uint32_t> shape(1 + rng() % 3);
  for (auto& c : shape) c = static_cast<std::uint32_t>(1 + rng() % 4);
  return shape;
}

// Merges for the engine values, which have none of their own.
nps_tally plus(nps_tally a, const nps_tally& b) {
  a.detractors += b.detractors;
  a.passives += b.passives;
  a.promoters += b.promoters;
  return a;
}
grouped_nps plus(const grouped_nps& a, const grouped_nps& b) {
  std::vector<nps_tally> t(a.cells().begin(), a.cells().end());
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = plus(t[i], b.cells()[i]);
  return grouped_nps(std::vector<std::uint32_t>(a.shape().begin(), a.shape().end()), std::move(t));
}

template <class T>
T round_trip(const T& x) {
  return deserialize<T>(serialize(x));
}

template <class T>
T json_round_trip(const T& x) {
  const json j = x;
  return json::parse(j.dump()).get<T>();
}

/// serialize(merge(a, b)) == serialize(merge(deserialize(a'), deserialize(b'))).
template <class Acc>
void expect_merge_commutes_with_serialization(const Acc& a, const Acc& b) {
  Acc direct = a;
  direct.merge(b);
  Acc via = deserialize<Acc>(serialize(a));
  via.merge(deserialize<Acc>(serialize(b)));
  EXPECT_EQ(serialize(direct), serialize(via));
  EXPECT_EQ(via, direct);
}

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

// --- golden files ---------------------------------------------------------------

template <class T>
void check_golden(const std::string& name, const T& value) {
  SCOPED_TRACE(name);
  const auto golden = read_golden(name);
  ASSERT_FALSE(golden.empty());
  EXPECT_EQ(serialize(value), golden);
  EXPECT_EQ(deserialize<T>(golden), value);
}

/// A golden file of an older state version (of the state or of a member):
/// it reads to `value`; written again it takes the current layout.
template <class T>
void check_golden_reads(const std::string& name, const T& value) {
  SCOPED_TRACE(name);
  const auto golden = read_golden(name);
  ASSERT_FALSE(golden.empty());
  EXPECT_NE(serialize(value), golden);
  EXPECT_EQ(deserialize<T>(golden), value);
  EXPECT_EQ(deserialize<T>(serialize(deserialize<T>(golden))), value);
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
  check_golden_reads("nps_accumulator.bin", golden_nps());
  check_golden_reads("csat_accumulator_weighted.bin", golden_csat());
  check_golden_reads("ces_accumulator.bin", golden_ces());
  check_golden_reads("resolution_accumulator.bin", golden_resolution());

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

// --- hostile input ----------------------------------------------------------------

/// Every proper prefix throws; one extra byte throws; every single-byte
/// change throws (CRC-32 catches every error within one byte of the payload
/// and every header byte is checked for its exact value).
template <class T>
void expect_rejects_truncation_and_corruption(const bytes& good, bool exhaustive, std::mt19937_64& rng) {
  ASSERT_NO_THROW((void)deserialize<T>(good));
  for (std::size_t len = 0; len < good.size(); ++len) {
    EXPECT_THROW((void)deserialize<T>(std::span<const std::byte>(good).first(len)), serialization_error) << len;
  }
  auto longer = good;
  longer.push_back(std::byte{0});
  expect_error<T>(longer, "preamble.payload_length", "1 trailing bytes");

  auto corrupt_at = [&](std::size_t pos, unsigned flip) {
    auto b = good;
    b[pos] ^= static_cast<std::byte>(flip);
    try {
      (void)deserialize<T>(b);
      ADD_FAILURE() << "byte " << pos << " xor " << flip << " was not detected";
    } catch (const serialization_error& e) {
      // A header byte is named by its own field; a payload byte by the CRC.
      // The state version byte may turn into another version this build
      // reads: the payload is then read in that layout, and rejected there.
      const auto& f = e.where().field;
      if (pos >= serial_preamble_size) {
        EXPECT_EQ(f, "preamble.crc32") << e.what();
      } else if (pos == 5 && std::to_integer<unsigned>(b[5]) >= 1 &&
                 std::to_integer<unsigned>(b[5]) <= serial_type_of(serial_tag<T>{}).version) {
        EXPECT_NE(f.rfind(std::string(serial_type_of(serial_tag<T>{}).name), 0), std::string::npos) << e.what();
      } else {
        EXPECT_EQ(f.rfind("preamble.", 0), 0u) << e.what();
      }
    }
  };
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    if (exhaustive) {
      for (unsigned flip = 1; flip < 256; ++flip) corrupt_at(pos, flip);
    } else {
      corrupt_at(pos, 1 + static_cast<unsigned>(rng() % 255));
    }
  }
}

/// Payload bytes changed AND the CRC recomputed (what the CRC cannot see):
/// every result is either a serialization_error or a valid state that
/// re-serializes to exactly the bytes read (canonical form); a state of an
/// older version, written again in the current layout, reads back equal.
template <class T>
int payload_mutations_are_checked(const bytes& good, std::mt19937_64& rng, int rounds) {
  int rejected = 0;
  // A state written in an older layout (its own, or of a member) is not
  // written back in it.
  const bool current_layout = serialize(deserialize<T>(good)) == good;
  for (int i = 0; i < rounds; ++i) {
    auto b = good;
    const auto pos = serial_preamble_size + rng() % (good.size() - serial_preamble_size);
    const std::uint8_t values[] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0x02, static_cast<std::uint8_t>(rng())};
    b[pos] = static_cast<std::byte>(values[rng() % 7]);
    fix_crc(b);
    try {
      const T x = deserialize<T>(b);
      if (current_layout) {
        EXPECT_EQ(serialize(x), b) << "accepted but not canonical at byte " << pos;
      } else {
        EXPECT_EQ(deserialize<T>(serialize(x)), x) << "accepted at byte " << pos << " but not kept";
      }
    } catch (const serialization_error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a serialization_error: " << e.what();
    }
  }
  return rejected;
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

bytes le64(std::uint64_t v) {
  bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  return out;
}
bytes le32(std::uint32_t v) {
  bytes out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  return out;
}
bytes f64(double v) { return le64(std::bit_cast<std::uint64_t>(v)); }
bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
const bytes nps_scale = cat({B({0}), le32(0), le32(10), le32(9), le32(6)});
const bytes binary_scale = cat({B({3}), le32(0), le32(1), le32(1), le32(0)});

bytes eleven_counts(std::uint64_t v = 1) {
  bytes out;
  for (int i = 0; i < 11; ++i) out = cat({out, le64(v)});
  return out;
}

bytes nps_options_bytes(double level = 0.95, unsigned method = 1, double prior = 0.5, std::uint64_t reps = 2000) {
  return cat({f64(level), B({method}), f64(prior), le64(reps), le64(0x5eed)});
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
  expect_error<nps_accumulator>(wrap(type_tag::nps_accumulator, cat({nps_options_bytes(0.95, 10), counts_ok})),
                                "nps_accumulator.options.method", "byte offset 24: interval method code 10");
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

// --- engine accumulators: score_histogram, metric_set, group_by --------------------
// (io/binary_engine.hpp; JSON in io/json.hpp). References independent of the
// writer: the golden files score_histogram.bin, metric_set_nps_csat.bin and
// group_by_nps_dense4_string.bin (make_golden.py, from the layout table of
// io/binary.hpp) and payloads put together below from the same table. Byte
// offsets in the expected messages are counted by hand from that table:
//   metric_set payload: +0 u64 rows (byte 16), +8 u32 M (byte 24), member 0
//     nested at 28: 7 + nps_accumulator state (33 + 22 + 8·11 = 143) = 150
//     bytes, so member 1 at 178.
//   group_by<nps_accumulator, dense_key<4>, std::string> payload: K at 16,
//     key 0 kind 20 / cardinality 21, key 1 kind 25 / cardinality 26,
//     prototype nested at 30 (150 bytes), G at 180, group 0 at 184: u32 key,
//     u32 length + bytes of the string, then the 143-byte state.

namespace {

using nps_csat = metric_set<nps_accumulator, csat_accumulator>;
using full_set =
    metric_set<nps_accumulator, csat_accumulator, ces_accumulator, resolution_accumulator, score_histogram>;
using csat_res = metric_set<csat_accumulator, resolution_accumulator>;
using chan_seg = group_by<nps_accumulator, dense_key<4>, std::string>;
using agent_grid = group_by<csat_res, std::uint64_t, std::int32_t>;
using dense_hist = group_by<score_histogram, dense_key<3>, dense_key<>>;

static_assert(serializable<score_histogram> && serializable<nps_csat> && serializable<full_set> &&
              serializable<chan_seg> && serializable<agent_grid> && serializable<dense_hist>);
static_assert(serializable<group_by<chan_seg, std::string>>);  // groupings nest
// A key type the format has no code for (16-bit integers) is not serializable.
static_assert(!serializable<group_by<nps_accumulator, std::int16_t>>);

scale random_member_scale(std::mt19937_64& rng) {
  // The scales a score_histogram member of a metric_set can read (nps, csat, ces, resolved).
  switch (rng() % 4) {
    case 0: return scale::nps();
    case 1: return scale::csat(1 + static_cast<int>(rng() % 4));
    case 2: return scale::ces(2 + static_cast<int>(rng() % 6));
    default: return scale::binary();
  }
}

score_histogram random_histogram(std::mt19937_64& rng, const scale& s, bool weighted) {
  score_counts c(s);
  fill(c, rng, weighted, static_cast<int>(rng() % 40));
  return score_histogram(std::move(c));
}

response random_response(std::mt19937_64& rng, bool weighted) {
  response r;
  if (rng() % 4 != 0) r.nps = static_cast<int>(rng() % 11);
  if (rng() % 4 != 0) r.csat = 1 + static_cast<int>(rng() % 5);
  if (rng() % 4 != 0) r.ces = 1 + static_cast<int>(rng() % 7);
  const resolution values[] = {resolution::yes, resolution::no, resolution::unknown};
  r.resolved = values[rng() % 3];
  if (weighted) r.weight = random_weight(rng);
  return r;
}

template <class Set>
Set with_rows(Set s, std::mt19937_64& rng, bool weighted) {
  const int n = static_cast<int>(rng() % 30);
  for (int i = 0; i < n; ++i) s.add(random_response(rng, weighted));
  return s;
}

chan_seg random_chan_seg(std::mt19937_64& rng, bool weighted) {
  chan_seg g;
  const char* const segments[] = {"chat", "email", "phone", "", "f\xc3\xa4rm"};
  const int n = static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    const auto channel = rng() % 4;
    const std::string segment = segments[rng() % 5];
    if (rng() % 6 == 0) {
      g.add(channel, segment, response{});  // the group exists, with nothing counted
    } else if (weighted) {
      g.add(channel, segment, static_cast<int>(rng() % 11), random_weight(rng));
    } else {
      g.add(channel, segment, static_cast<int>(rng() % 11));
    }
  }
  return g;
}

/// CSAT (on the top box of `so`) and resolution per agent and segment.
agent_grid random_agent_grid(std::mt19937_64& rng, const csat_options& so, bool weighted) {
  agent_grid g{csat_res(csat_accumulator(scale::csat(so.top_box)), resolution_accumulator{})};
  const std::uint64_t agents[] = {0, 7, std::uint64_t{1} << 40, std::numeric_limits<std::uint64_t>::max()};
  const std::int32_t segments[] = {std::numeric_limits<std::int32_t>::min(), -5, 0, 3};
  const int n = static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) g.add(agents[rng() % 4], segments[rng() % 4], random_response(rng, weighted));
  return g;
}

dense_hist random_dense_hist(std::mt19937_64& rng, const scale& s, std::uint32_t months, bool weighted) {
  dense_hist g(score_histogram(s), months);
  const int n = static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    const int score = s.min() + static_cast<int>(rng() % static_cast<unsigned>(s.points()));
    if (weighted) {
      g.add(rng() % 3, rng() % months, score, random_weight(rng));
    } else {
      g.add(rng() % 3, rng() % months, score);
    }
  }
  return g;
}

/// round trip, re-serialization and JSON of one state.
template <class T>
void expect_round_trips(const T& x) {
  const auto b = serialize(x);
  const T back = deserialize<T>(b);
  EXPECT_EQ(back, x);
  EXPECT_EQ(serialize(back), b);
  EXPECT_EQ(json_round_trip(x), x);
}

// Payload pieces from the layout table (see the comment above).
bytes nps_state(std::initializer_list<std::pair<int, std::uint64_t>> bins, const bytes& options = nps_options_bytes()) {
  std::uint64_t n[11] = {};
  for (const auto& [score, count] : bins) n[score] = count;
  bytes out = cat({options, nps_scale, B({0}), le32(11)});
  for (const auto c : n) out = cat({out, le64(c)});
  return out;
}
bytes nested_nps(const bytes& state) {
  return cat({B({0x10, 0x00, 0x01}), le32(static_cast<std::uint32_t>(state.size())), state});
}
bytes str(const std::string& s) {
  bytes out = le32(static_cast<std::uint32_t>(s.size()));
  for (const char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}
bytes group(std::uint32_t channel, const std::string& segment, const bytes& state) {
  return cat({le32(channel), str(segment), state});
}
const bytes chan_seg_keys = cat({le32(2), B({0}), le32(4), B({6}), le32(0)});
bytes chan_seg_payload(const bytes& prototype, std::initializer_list<bytes> groups) {
  bytes out = cat({chan_seg_keys, nested_nps(prototype), le32(static_cast<std::uint32_t>(groups.size()))});
  for (const auto& g : groups) out = cat({out, g});
  return out;
}
bytes wrap_payload_of(const bytes& good, std::size_t payload_bytes) {
  const auto tag = static_cast<type_tag>(std::to_integer<unsigned>(good[6]) | (std::to_integer<unsigned>(good[7]) << 8));
  return wrap(tag, bytes(good.begin() + 16, good.begin() + 16 + static_cast<std::ptrdiff_t>(payload_bytes)));
}

chan_seg golden_chan_seg() {
  chan_seg g;
  g.add(0, "chat", 10);
  g.add(2, "chat", 7);
  g.add(0, "phone", 6);
  g.add(3, "email", response{});  // no NPS answer: an empty group
  g.add(2, "chat", 8);
  g.add(0, "chat", 9);
  g.add(2, "chat", 0);
  return g;
}

nps_csat golden_nps_csat() {
  nps_csat s;
  response a;
  a.nps = 9;
  a.csat = 5;
  response b;
  b.nps = 3;
  response c;
  c.csat = 4;
  for (const auto& r : {a, b, c, response{}}) s.add(r);
  return s;
}

score_histogram golden_histogram() {
  score_histogram h(scale::csat(1));
  for (int s : {5, 5, 2, 1}) h.add(s);
  return h;
}

TEST(BinaryEngine, GoldenFilesPinVersion1) {
  check_golden("score_histogram.bin", golden_histogram());
  // metric_set and group_by are at version 1; these files hold their NPS and
  // CSAT members in state version 1 (with options), and still read.
  check_golden_reads("metric_set_nps_csat.bin", golden_nps_csat());
  check_golden_reads("group_by_nps_dense4_string.bin", golden_chan_seg());
  // The payload put together here from the table agrees with the generator.
  const auto empty = nps_state({});
  EXPECT_EQ(wrap(type_tag::grouped,
                 chan_seg_payload(empty, {group(0, "chat", nps_state({{9, 1}, {10, 1}})),
                                          group(0, "phone", nps_state({{6, 1}})),
                                          group(2, "chat", nps_state({{0, 1}, {7, 1}, {8, 1}})),
                                          group(3, "email", empty)})),
            read_golden("group_by_nps_dense4_string.bin"));
  EXPECT_EQ(std::string(to_string(type_tag::grouped)), "group_by");
  EXPECT_EQ(serial_type_of(serial_tag<chan_seg>{}).tag, type_tag::grouped);
  EXPECT_EQ(serial_type_of(serial_tag<nps_csat>{}).tag, type_tag::metric_set);
  EXPECT_EQ(serial_type_of(serial_tag<score_histogram>{}).tag, type_tag::score_histogram);
}

TEST(BinaryEngine, GoldenFilesPinMembersOfVersion2) {
  // The same composites with their members in state version 2, from
  // make_golden.py; the counts are checked against the rows added.
  check_golden("metric_set_nps_csat_v2.bin", golden_nps_csat());
  check_golden("group_by_nps_dense4_string_v2.bin", golden_chan_seg());
  const auto s = deserialize<nps_csat>(read_golden("metric_set_nps_csat_v2.bin"));
  EXPECT_EQ(s.count(), 4u);                                          // four rows, one without answers
  EXPECT_EQ(s.get<nps_accumulator>().counts().count_of(9), 1u);      // nps 9 and 3
  EXPECT_EQ(s.get<nps_accumulator>().counts().count_of(3), 1u);
  EXPECT_EQ(s.get<csat_accumulator>().result().satisfied.value(), 1.0);  // csat 5 and 4, top-2
  const auto g = deserialize<chan_seg>(read_golden("group_by_nps_dense4_string_v2.bin"));
  EXPECT_EQ(g.groups().size(), 4u);
  EXPECT_EQ(g.at(2, "chat").count(), 3u);                            // 7, 8, 0
  EXPECT_EQ(g.at(2, "chat").counts().low().n, 1u);                   // 0 is the one detractor
  EXPECT_TRUE(g.at(3, "email").empty());
  // Both versions of a file read to the same state.
  EXPECT_EQ(deserialize<chan_seg>(read_golden("group_by_nps_dense4_string.bin")), g);
  EXPECT_EQ(deserialize<nps_csat>(read_golden("metric_set_nps_csat.bin")), s);
}

TEST(BinaryEngine, RoundTripsAndMergesOfRandomStates) {
  std::mt19937_64 rng(8675309);
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE(iter);
    const bool wa = iter % 3 == 1;
    const bool wb = iter % 3 == 2;

    const auto s = random_member_scale(rng);
    const auto ha = random_histogram(rng, iter % 5 == 4 ? scale::custom(-2, 4, 3, 0) : s, wa);
    expect_round_trips(ha);
    expect_merge_commutes_with_serialization(ha, random_histogram(rng, ha.scale_of(), wb));

    const full_set proto(nps_accumulator{}, csat_accumulator(scale::csat(random_csat_options(rng).top_box)),
                         ces_accumulator(scale::ces(random_ces_options(rng).easy_min)), resolution_accumulator{},
                         score_histogram(s));
    const auto ma = with_rows(proto, rng, wa);
    expect_round_trips(ma);
    expect_merge_commutes_with_serialization(ma, with_rows(proto, rng, wb));

    const auto ga = random_chan_seg(rng, wa);
    expect_round_trips(ga);
    expect_merge_commutes_with_serialization(ga, random_chan_seg(rng, wb));

    const auto so = random_csat_options(rng);
    const auto aa = random_agent_grid(rng, so, wa);
    expect_round_trips(aa);
    expect_merge_commutes_with_serialization(aa, random_agent_grid(rng, so, wb));

    const auto months = static_cast<std::uint32_t>(1 + rng() % 5);
    const auto da = random_dense_hist(rng, s, months, wa);
    expect_round_trips(da);
    expect_merge_commutes_with_serialization(da, random_dense_hist(rng, s, months, wb));
  }
  // Empty and edge states.
  expect_round_trips(score_histogram{});
  expect_round_trips(nps_csat{});
  expect_round_trips(chan_seg{});
  expect_round_trips(agent_grid{});
  expect_round_trips(dense_hist(score_histogram(scale::binary()), 0U));  // cardinality 0: no key fits
  expect_round_trips(group_by<chan_seg, std::string>{});
  group_by<chan_seg, std::string> nested{chan_seg{}};
  nested.add("2024-05", 1, "chat", 9);
  nested.add("2024-04", 3, "\xff\x01", 0);  // string keys are any bytes
  const auto back = round_trip(nested);
  EXPECT_EQ(back, nested);
  EXPECT_EQ(back.at("2024-04").at(3, "\xff\x01").count(), 1u);
  EXPECT_EQ(serialize(back), serialize(nested));
}

TEST(BinaryEngine, AnotherInstantiationIsRejectedByName) {
  const auto ms = read_golden("metric_set_nps_csat.bin");
  expect_error<metric_set<csat_accumulator, nps_accumulator>>(
      ms, "metric_set.members[0].type_tag",
      "byte offset 28: holds nps_accumulator (tag 0x0010), expected csat_accumulator (tag 0x0011)");
  expect_error<metric_set<nps_accumulator, ces_accumulator>>(
      ms, "metric_set.members[1].type_tag",
      "byte offset 178: holds csat_accumulator (tag 0x0011), expected ces_accumulator (tag 0x0012)");
  expect_error<metric_set<nps_accumulator>>(
      ms, "metric_set.member_count", "byte offset 24: holds 2 members, but this metric_set has 1 (nps_accumulator)");
  expect_error<nps_accumulator>(ms, "preamble.type_tag",
                                "holds metric_set (tag 0x0030), expected nps_accumulator (tag 0x0010)");
  expect_error<score_counts>(read_golden("score_histogram.bin"), "preamble.type_tag",
                            "holds score_histogram (tag 0x0014), expected score_counts (tag 0x0002)");

  const auto g = read_golden("group_by_nps_dense4_string.bin");
  expect_error<group_by<nps_accumulator, dense_key<4>, std::uint64_t>>(
      g, "group_by.keys[1].kind", "byte offset 25: is a 'string' key, but key 1 of this group_by is a 'uint64' key");
  expect_error<group_by<nps_accumulator, dense_key<>, std::string>>(
      g, "group_by.keys[0].kind",
      "byte offset 20: is a 'dense' key, but key 0 of this group_by is a 'dense_runtime' key");
  expect_error<group_by<nps_accumulator, dense_key<5>, std::string>>(
      g, "group_by.keys[0].cardinality", "byte offset 21: is 4, but key 0 is a dense_key<5>");
  expect_error<group_by<nps_accumulator, dense_key<4>>>(
      g, "group_by.key_count", "byte offset 16: holds 2 keys, but this group_by has 1 ('dense')");
  expect_error<group_by<csat_accumulator, dense_key<4>, std::string>>(
      g, "group_by.prototype.type_tag",
      "byte offset 30: holds nps_accumulator (tag 0x0010), expected csat_accumulator (tag 0x0011)");
  expect_error<group_by<nps_csat, dense_key<4>, std::string>>(g, "group_by.prototype.type_tag",
                                                              "expected metric_set (tag 0x0030)");
  expect_error<chan_seg>(read_golden("grouped_nps.bin"), "preamble.type_tag",
                         "holds grouped_nps (tag 0x0022), expected group_by (tag 0x0031)");
  // The accumulator's own parts are checked too: a metric_set prototype with
  // its members in another order.
  std::mt19937_64 rng(5);
  const auto grid = serialize(random_agent_grid(rng, csat_options{}, false));
  expect_error<group_by<metric_set<resolution_accumulator, csat_accumulator>, std::uint64_t, std::int32_t>>(
      grid, "group_by.prototype.members[0].type_tag", "expected resolution_accumulator (tag 0x0013)");
  expect_error<group_by<csat_res, std::int64_t, std::int32_t>>(grid, "group_by.keys[0].kind",
                                                               "is a 'uint64' key, but key 0 of this group_by is a 'int64' key");
  expect_error<group_by<csat_res, std::uint64_t, std::uint32_t>>(grid, "group_by.keys[1].kind", "is a 'int32' key");
}

TEST(BinaryEngine, PayloadValuesAreCheckedWithPathAndOffset) {
  const auto empty = nps_state({});
  const auto chat = group(0, "chat", nps_state({{9, 1}}));
  EXPECT_EQ(deserialize<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {chat}))).count(), 1u);

  // Keys: strictly ascending, each once, dense ones below their cardinality.
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {chat, group(0, "chat", empty)})),
                         "group_by.groups[1].key", "byte offset 339: repeats the key of group 0");
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(0, "phone", empty), chat})),
                         "group_by.groups[1].key", "byte offset 340: is below the key of group 0");
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(1, "a", empty), chat})),
                         "group_by.groups[1].key", "is below the key of group 0");
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(4, "chat", empty)})),
                         "group_by.groups[0].key[0]", "byte offset 184: dense key 4 is not below the key's cardinality 4");
  // The string's length is checked against the bytes left.
  expect_error<chan_seg>(wrap(type_tag::grouped, cat({chan_seg_keys, nested_nps(empty), le32(1), le32(0), le32(1000),
                                                      B({'c', 'h', 'a', 't'})})),
                         "group_by.groups[0].key[1]", "byte offset 188: declares 1000 elements of 1 bytes, but only 4");
  // The group count is checked before anything is read (8 bytes: a u32 and a string length).
  expect_error<chan_seg>(wrap(type_tag::grouped, cat({chan_seg_keys, nested_nps(empty), le32(0xffffffffu)})),
                         "group_by.groups",
                         "byte offset 180: declares 4294967295 elements of 8 bytes, but only 0 bytes remain");
  // Key descriptors.
  expect_error<chan_seg>(wrap(type_tag::grouped, cat({le32(2), B({0}), le32(4), B({9}), le32(0)})),
                         "group_by.keys[1].kind", "byte offset 25: key kind code 9 is not one of 0..6");
  expect_error<chan_seg>(wrap(type_tag::grouped, cat({le32(2), B({0}), le32(4), B({6}), le32(3)})),
                         "group_by.keys[1].cardinality", "byte offset 26: is 3, but a hashed key has cardinality 0");
  expect_error<dense_hist>(wrap(type_tag::grouped, cat({le32(2), B({0}), le32(3), B({1}), le32(1u << 20)})),
                           "group_by.keys", "byte offset 16: the cardinalities make more than 1048576 cells");
  // The prototype must be empty.
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(nps_state({{0, 1}, {10, 1}}), {})),
                         "group_by.prototype",
                         "byte offset 30: counts 2 responses, but the prototype of a group_by must be empty");
  // A group written (in version 1) with other options than its prototype
  // (level 0.9): the options are dropped when read, so it fits.
  EXPECT_EQ(deserialize<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(0, "chat", nps_state({{9, 1}},
                                                                                        nps_options_bytes(0.9)))})))
                .at(0, "chat")
                .count(),
            1u);
  // A group must merge with the prototype: a histogram on the NPS scale
  // under a prototype on the binary scale (keys 1 × int64, group key 5).
  const auto binary_counts = cat({binary_scale, B({0}), le32(2), le64(0), le64(0)});
  expect_error<group_by<score_histogram, std::int64_t>>(
      wrap(type_tag::grouped,
           cat({le32(1), B({3}), le32(0), B({0x14, 0x00, 0x01}), le32(static_cast<std::uint32_t>(binary_counts.size())),
                binary_counts, le32(1), le64(5), nps_scale, B({0}), le32(11), eleven_counts()})),
      "group_by.groups[0].state",
      "byte offset 82: cannot merge score_histogram states on different scales: the NPS scale 0..10");
  // A group error inside its state names the path.
  expect_error<chan_seg>(
      wrap(type_tag::grouped, chan_seg_payload(empty, {group(0, "chat", nps_state({}, nps_options_bytes(0.95, 2)))})),
      "group_by.groups[0].state.options.method", "'wilson' is not an NPS interval method");
  // Unweighted counts under a weighted prototype change when inserted (they
  // become weighted): not the canonical form.
  bytes zeros;
  for (int i = 0; i < 11; ++i) zeros = cat({zeros, le64(0)});
  const auto weighted_empty = cat({nps_options_bytes(), nps_scale, B({1}), le32(11), zeros, zeros, zeros});
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(weighted_empty, {chat})), "group_by.groups[0].state",
                         "byte offset 372: changes when inserted into the prototype");
  // ... while weighted counts under an unweighted prototype are kept as they are.
  const auto weighted_chat = cat({nps_options_bytes(), nps_scale, B({1}), le32(11), zeros, zeros, zeros});
  EXPECT_NO_THROW((void)deserialize<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(0, "chat", weighted_chat)}))));
  // The groups' counts sum within a u64: 2^63 + 2^63 overflows at group 1 (state at 339 + 12).
  const auto half = nps_state({{5, std::uint64_t{1} << 63}});
  expect_error<chan_seg>(wrap(type_tag::grouped, chan_seg_payload(empty, {group(0, "chat", half), group(1, "chat", half)})),
                         "group_by.groups[1].state", "byte offset 351: counts sum past 2^64 - 1");

  // metric_set: rows must cover every member's count; the member count is checked.
  auto ms = read_golden("metric_set_nps_csat.bin");
  ms[16] = std::byte{1};
  fix_crc(ms);
  expect_error<nps_csat>(ms, "metric_set.rows", "byte offset 16: metric_set of 1 rows has a member that counts 2 responses");
  ms = read_golden("metric_set_nps_csat.bin");
  ms[24] = std::byte{3};
  fix_crc(ms);
  expect_error<nps_csat>(ms, "metric_set.member_count", "holds 3 members, but this metric_set has 2");
  // score_histogram: the counts' own checks, under its path.
  auto h = read_golden("score_histogram.bin");
  h[16 + 18] = std::byte{4};  // bins: 4, the CSAT scale has 5 points
  fix_crc(h);
  expect_error<score_histogram>(h, "score_histogram.counts.bins", "byte offset 34: 4 bins, but the CSAT scale 1..5");
}

TEST(BinaryEngine, EveryTruncationAndSingleByteCorruptionThrows) {
  std::mt19937_64 rng(1234);
  // Exhaustive on the golden files: every prefix, every byte × every non-zero XOR.
  expect_rejects_truncation_and_corruption<score_histogram>(read_golden("score_histogram.bin"), true, rng);
  expect_rejects_truncation_and_corruption<nps_csat>(read_golden("metric_set_nps_csat.bin"), true, rng);
  expect_rejects_truncation_and_corruption<chan_seg>(read_golden("group_by_nps_dense4_string.bin"), true, rng);
  // A payload cut anywhere behind a matching length and CRC: the fields run out.
  for (const char* name : {"score_histogram.bin", "metric_set_nps_csat.bin", "group_by_nps_dense4_string.bin"}) {
    SCOPED_TRACE(name);
    const auto good = read_golden(name);
    for (std::size_t len = 0; len + 16 < good.size(); ++len) {
      const auto cut = wrap_payload_of(good, len);
      const std::string n = name;
      if (n == "score_histogram.bin") {
        EXPECT_THROW((void)deserialize<score_histogram>(cut), serialization_error) << len;
      } else if (n == "metric_set_nps_csat.bin") {
        EXPECT_THROW((void)deserialize<nps_csat>(cut), serialization_error) << len;
      } else {
        EXPECT_THROW((void)deserialize<chan_seg>(cut), serialization_error) << len;
      }
    }
  }
  // Seeded random corruption of random states.
  for (int i = 0; i < 3; ++i) {
    expect_rejects_truncation_and_corruption<chan_seg>(serialize(random_chan_seg(rng, true)),
                                                       false, rng);
    expect_rejects_truncation_and_corruption<agent_grid>(
        serialize(random_agent_grid(rng, random_csat_options(rng), i == 1)), false, rng);
    expect_rejects_truncation_and_corruption<dense_hist>(serialize(random_dense_hist(rng, scale::ces(), 4, i == 2)),
                                                         false, rng);
  }
}

TEST(BinaryEngine, PayloadChangesBehindAValidCrcAreCheckedOrCanonical) {
  std::mt19937_64 rng(777);
  EXPECT_GT(payload_mutations_are_checked<score_histogram>(read_golden("score_histogram.bin"), rng, 2000), 0);
  EXPECT_GT(payload_mutations_are_checked<nps_csat>(read_golden("metric_set_nps_csat.bin"), rng, 3000), 0);
  EXPECT_GT(payload_mutations_are_checked<chan_seg>(read_golden("group_by_nps_dense4_string.bin"), rng, 3000), 0);
  std::mt19937_64 states(31);
  EXPECT_GT(payload_mutations_are_checked<agent_grid>(
                serialize(random_agent_grid(states, csat_options{}, true)), rng, 2000),
            0);
}

TEST(BinaryEngine, UnweightedGroupUnderAWeightedPrototypeIsWrittenAsInsertKeepsIt) {
  // group_by::merge copies a group it lacks as it is, so merging an
  // unweighted grouping into one with a weighted prototype leaves an
  // unweighted group there. It is written as insert() would keep it:
  // weighted, Σw = Σw² = n per bin; the results are the same.
  nps_accumulator weighted_proto;
  response no_answer;
  no_answer.weight = 2.0;
  weighted_proto.add(no_answer);  // weighted, still empty
  ASSERT_TRUE(weighted_proto.counts().weighted());
  ASSERT_TRUE(weighted_proto.empty());
  chan_seg plain;
  plain.add(1, "chat", 9);
  plain.add(1, "chat", 3);
  chan_seg mixed{weighted_proto};
  mixed.merge(plain);
  ASSERT_FALSE(mixed.at(1, "chat").counts().weighted());

  const auto back = round_trip(mixed);
  const auto& c = back.at(1, "chat").counts();
  EXPECT_TRUE(c.weighted());
  EXPECT_EQ(c.count(), 2u);
  EXPECT_EQ(c.weight(9), 1.0);
  EXPECT_EQ(c.weight_sq(3), 1.0);
  // What every metric is computed from: per-group totals of n, Σw and Σw².
  const auto& m = mixed.at(1, "chat").counts();
  EXPECT_EQ(c.low(), m.low());
  EXPECT_EQ(c.middle(), m.middle());
  EXPECT_EQ(c.high(), m.high());
  EXPECT_EQ(c.effective_n(), m.effective_n());
  EXPECT_EQ(serialize(back), serialize(mixed));
  EXPECT_EQ(json_round_trip(mixed), back);
}

// --- JSON of the engine accumulators ---------------------------------------------------

TEST(JsonEngine, HandWrittenText) {
  const std::string binary = R"({"high_min":1,"kind":"binary","low_max":0,"max":1,"min":0})";
  score_histogram h(scale::binary());
  h.add(1);
  EXPECT_EQ(json(h).dump(), R"({"counts":{"counts":[0,1],"scale":)" + binary + "}}");

  metric_set<score_histogram> s{score_histogram(scale::binary())};
  response yes;
  yes.resolved = resolution::yes;
  s.add(yes);
  s.add(response{});
  EXPECT_EQ(json(s).dump(), R"({"members":[{"counts":{"counts":[0,1],"scale":)" + binary + R"(}}],"rows":2})");

  group_by<score_histogram, std::int64_t> g{score_histogram(scale::binary())};
  g.add(std::int64_t{5}, 0);
  g.add(std::int64_t{-3}, 1);
  EXPECT_EQ(json(g).dump(),
            R"({"groups":[{"key":[-3],"state":{"counts":{"counts":[0,1],"scale":)" + binary + R"(}}},)" +
                R"({"key":[5],"state":{"counts":{"counts":[1,0],"scale":)" + binary + R"(}}}],)" +
                R"("keys":[{"cardinality":0,"kind":"int64"}],"prototype":{"counts":{"counts":[0,0],"scale":)" + binary +
                "}}}");
  EXPECT_EQ(parse_json<decltype(g)>(json(g).dump()), g);

  const auto gj = json(golden_chan_seg());
  EXPECT_EQ(gj["keys"].dump(), R"([{"cardinality":4,"kind":"dense"},{"cardinality":0,"kind":"string"}])");
  EXPECT_EQ(gj["groups"][1]["key"].dump(), R"([0,"phone"])");
  EXPECT_EQ(gj["groups"][3]["key"].dump(), R"([3,"email"])");
}

TEST(JsonEngine, RoundTripsAgreeWithBinary) {
  std::mt19937_64 rng(2718);
  for (int iter = 0; iter < 20; ++iter) {
    SCOPED_TRACE(iter);
    const bool w = iter % 2 == 1;
    const auto g = random_chan_seg(rng, w);
    EXPECT_EQ(json_round_trip(g), g);
    EXPECT_EQ(serialize(json_round_trip(g)), serialize(g));
    const auto a = random_agent_grid(rng, random_csat_options(rng), w);
    EXPECT_EQ(json_round_trip(a), a);
    const auto d = random_dense_hist(rng, scale::nps(), 3, w);
    EXPECT_EQ(json_round_trip(d), d);
    const auto s = with_rows(full_set{}, rng, w);
    EXPECT_EQ(json_round_trip(s), s);
    EXPECT_EQ(serialize(json_round_trip(s)), serialize(s));
  }
}

TEST(JsonEngine, MalformedStatesThrowCxmErrors) {
  const std::string b = R"({"kind":"binary"})";
  const std::string hist0 = R"({"counts":{"scale":)" + b + R"(,"counts":[0,0]}})";
  const std::string hist1 = R"({"counts":{"scale":)" + b + R"(,"counts":[0,1]}})";
  using hist_by_int = group_by<score_histogram, std::int64_t>;
  const auto gb = [&](const std::string& keys, const std::string& proto, const std::string& groups) {
    return R"({"keys":)" + keys + R"(,"prototype":)" + proto + R"(,"groups":)" + groups + "}";
  };
  const std::string int64_key = R"([{"kind":"int64","cardinality":0}])";
  EXPECT_EQ(parse_json<hist_by_int>(gb(int64_key, hist0, R"([{"key":[-1],"state":)" + hist1 + "}]")).count(), 1u);

  expect_bad_json<score_histogram>(R"({"counts":{"scale":{"kind":"nps"},"counts":[1]}})", "score_histogram.counts.counts");
  expect_bad_json<score_histogram>(R"({"options":{},"counts":{"scale":{"kind":"binary"},"counts":[1,1]}})",
                                   "score_histogram.options", "is not a key of this object");
  expect_bad_json<metric_set<score_histogram>>(R"({"rows":0,"members":[)" + hist1 + "]}", "metric_set.rows",
                                               "has a member that counts 1 responses");
  expect_bad_json<metric_set<score_histogram>>(R"({"rows":2,"members":[)" + hist1 + "," + hist1 + "]}",
                                               "metric_set.members", "holds 2 members, but this metric_set has 1");
  // A histogram's object is no NPS state: its counts lie on the binary scale.
  expect_bad_json<nps_csat>(R"({"rows":2,"members":[)" + hist1 + "," + hist1 + "]}", "metric_set.members[0].counts.scale",
                            "nps_accumulator holds counts on the NPS scale 0..10");
  expect_bad_json<hist_by_int>(gb(R"([{"kind":"uint64","cardinality":0}])", hist0, "[]"), "group_by.keys[0].kind",
                               "is a 'uint64' key, but key 0 of this group_by is a 'int64' key");
  expect_bad_json<hist_by_int>(gb(R"([{"kind":"int64","cardinality":2}])", hist0, "[]"),
                               "group_by.keys[0].cardinality", "but a hashed key has cardinality 0");
  expect_bad_json<hist_by_int>(gb(int64_key, hist1, "[]"), "group_by.prototype", "counts 1 responses");
  expect_bad_json<hist_by_int>(
      gb(int64_key, hist0, R"([{"key":[2],"state":)" + hist1 + R"(},{"key":[2],"state":)" + hist1 + "}]"),
      "group_by.groups[1].key", "repeats the key of group 0");
  expect_bad_json<hist_by_int>(
      gb(int64_key, hist0, R"([{"key":[2],"state":)" + hist1 + R"(},{"key":[-2],"state":)" + hist1 + "}]"),
      "group_by.groups[1].key", "is below the key of group 0");
  expect_bad_json<hist_by_int>(gb(int64_key, hist0, R"([{"key":[1.5],"state":)" + hist1 + "}]"),
                               "group_by.groups[0].key[0]", "must be an integer");
  expect_bad_json<hist_by_int>(gb(int64_key, hist0, R"([{"key":[9223372036854775808],"state":)" + hist1 + "}]"),
                               "group_by.groups[0].key[0]", "too large for an int64");
  expect_bad_json<hist_by_int>(
      gb(int64_key, hist0, R"([{"key":[1],"state":{"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,1]}}}])"),
      "group_by.groups[0].state", "cannot merge score_histogram states on different scales: the NPS scale");
  // A chan_seg with a dense key out of range, a nested error under its path.
  const std::string nps_opts = R"({"level":0.95,"method":"adjusted_wald","prior":0.5,"bootstrap_replicates":2000,"seed":24301})";
  const std::string nps0 = R"({"options":)" + nps_opts + R"(,"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,0]}})";
  const std::string keys = R"([{"kind":"dense","cardinality":4},{"kind":"string","cardinality":0}])";
  expect_bad_json<chan_seg>(gb(keys, nps0, R"([{"key":[4,"chat"],"state":)" + nps0 + "}]"), "group_by.groups[0].key[0]",
                            "dense key 4 is not below the key's cardinality 4");
  expect_bad_json<chan_seg>(gb(keys, nps0, R"([{"key":[1,"chat"],"state":{"options":{"level":1.5,"method":"wald","prior":0.5,)"
                                           R"("bootstrap_replicates":2000,"seed":1},"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,1]}}}])"),
                            "group_by.groups[0].state.options.level", "must be in (0, 1)");
  expect_bad_json<chan_seg>(gb(R"([{"kind":"dense","cardinality":5},{"kind":"string","cardinality":0}])", nps0, "[]"),
                            "group_by.keys[0].cardinality", "is 5, but key 0 is a dense_key<4>");
  expect_bad_json<chan_seg>(gb(R"([{"kind":"dense","cardinality":4}])", nps0, "[]"), "group_by.keys",
                            "holds 1 keys, but this group_by has 2");
  expect_bad_json<chan_seg>(gb(keys, nps0, R"([{"key":[1],"state":)" + nps0 + "}]"), "group_by.groups[0].key",
                            "has 1 entries, expected 2");
  expect_bad_json<chan_seg>(R"({"keys":)" + keys + R"(,"prototype":)" + nps0 + "}", "group_by.groups", "key is missing");
}

}  // namespace
