// Binary and JSON forms of the engine's states: score_histogram,
// metric_set and group_by (hooks in engine/fields.hpp, archives in io/).
// References independent of the writer: the golden files
// score_histogram.bin, metric_set_nps_csat*.bin and
// group_by_nps_dense4_string*.bin (make_golden.py, from the layout table of
// io/binary.hpp) and payloads put together below from the same table (in
// the layout of state version 1, which still reads). Byte offsets in the
// expected messages are counted by hand from that table:
//   metric_set payload: +0 u64 rows (byte 16), +8 u32 M (byte 24), member 0
//     nested at 28: 7 + nps_accumulator state (33 + 22 + 8·11 = 143) = 150
//     bytes, so member 1 at 178.
//   group_by<nps_accumulator, dense_key<4>, std::string> payload: K at 16,
//     key 0 kind 20 / cardinality 21, key 1 kind 25 / cardinality 26,
//     prototype nested at 30 (150 bytes), G at 180, group 0 at 184: u32 key,
//     u32 length + bytes of the string, then the 143-byte state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/json.hpp"

#include "serialize_support.hpp"

namespace {

using namespace cxm;
using namespace serialize_test_support;

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
  check_golden("metric_set_nps_csat.bin", golden_nps_csat(), layout::older);
  check_golden("group_by_nps_dense4_string.bin", golden_chan_seg(), layout::older);
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
  // Both versions of a file read to the same state.
  EXPECT_EQ(deserialize<chan_seg>(read_golden("group_by_nps_dense4_string.bin")), g);
  EXPECT_EQ(deserialize<nps_csat>(read_golden("metric_set_nps_csat.bin")), s);
  EXPECT_EQ(g.groups().size(), 4u);
  EXPECT_EQ(g.at(2, "chat").count(), 3u);                            // 7, 8, 0
  EXPECT_EQ(g.at(2, "chat").counts().low().n, 1u);                   // 0 is the one detractor
  EXPECT_TRUE(g.at(3, "email").empty());
}

/// `b` with every occurrence of `from` replaced by `to` (same length) and
/// the CRC recomputed; `n` is how many there were.
bytes replaced(bytes b, const bytes& from, const bytes& to, int& n) {
  n = 0;
  for (auto it = std::search(b.begin(), b.end(), from.begin(), from.end()); it != b.end();
       it = std::search(it + static_cast<std::ptrdiff_t>(from.size()), b.end(), from.begin(), from.end())) {
    std::copy(to.begin(), to.end(), it);
    ++n;
  }
  fix_crc(b);
  return b;
}

TEST(BinaryEngine, CompositesOfVersion1MergeWhateverTheirMembersWereAskedWith) {
  // The version-1 golden files with every member's options rewritten (other
  // level, method, prior, replicates and seed; CSAT's top box kept): they
  // read to the same state, and merge with the files as they are.
  const bytes nps_default = nps_options_bytes();  // what make_golden.py wrote
  const bytes nps_other = cat({f64(0.8), B({8}), f64(1.5), le64(99), le64(12345)});
  const bytes csat_default = cat({f64(0.95), le32(2), B({2})});
  const bytes csat_other = cat({f64(0.99), le32(2), B({4})});

  int n = 0;
  const auto set_file = read_golden("metric_set_nps_csat.bin");
  auto other_set = replaced(set_file, nps_default, nps_other, n);
  EXPECT_EQ(n, 1);
  other_set = replaced(other_set, csat_default, csat_other, n);
  EXPECT_EQ(n, 1);
  ASSERT_NE(other_set, set_file);
  const auto s = deserialize<nps_csat>(set_file);
  auto merged = deserialize<nps_csat>(other_set);
  EXPECT_EQ(merged, s);
  ASSERT_NO_THROW(merged.merge(s));
  EXPECT_EQ(merged.count(), 8u);  // the four rows twice
  EXPECT_EQ(merged.get<nps_accumulator>().counts().count_of(9), 2u);
  EXPECT_EQ(merged.get<csat_accumulator>().count(), 4u);

  const auto group_file = read_golden("group_by_nps_dense4_string.bin");
  const auto other_groups = replaced(group_file, nps_default, nps_other, n);
  EXPECT_EQ(n, 5);  // the prototype and the four groups
  const auto g = deserialize<chan_seg>(group_file);
  auto gm = deserialize<chan_seg>(other_groups);
  EXPECT_EQ(gm, g);
  ASSERT_NO_THROW(gm.merge(deserialize<chan_seg>(read_golden("group_by_nps_dense4_string_v2.bin"))));
  EXPECT_EQ(gm.at(2, "chat").count(), 6u);  // 7, 8, 0 twice
  EXPECT_EQ(gm.at(0, "chat").counts().count_of(10), 2u);
  EXPECT_TRUE(gm.at(3, "email").empty());
}

TEST(BinaryEngine, RoundTripsAndMergesOfRandomStates) {
  std::mt19937_64 rng(8675309);
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE(iter);
    const bool wa = iter % 3 == 1, wb = iter % 3 == 2;  // unweighted, or one side weighted

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
    const auto g = random_chan_seg(rng, iter % 2 == 1);
    const bool w = iter % 2 == 1;
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
