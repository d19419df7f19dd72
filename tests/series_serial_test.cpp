// The binary and JSON forms of series<A> (series/series.hpp, layout in
// io/binary.hpp): round trips of every bucket kind, offsets and kinds of
// state; merging after a round trip equals merging before; the layout
// against bytes built here by hand from the documented table; and a typed
// error naming each field for corrupt, truncated or inconsistent input.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "cxmetrics/series/series.hpp"
#include "serialize_support.hpp"

namespace {

using namespace serialize_test_support;  // NOLINT: the byte builders of the serialization tests
using cxm::period;
using cxm::series;
using cxm::time_bucket;
using cxm::timestamp;

using nps_series = series<nps_accumulator>;

timestamp at_day(std::int64_t day, int hour = 12) { return timestamp{std::chrono::seconds{day * 86400 + hour * 3600}}; }

/// A series of `kind` with random answers on random days of 2023-2025 (some
/// periods left without any), unweighted or weighted.
template <class A, class Add>
series<A> random_series(std::mt19937_64& rng, time_bucket kind, std::chrono::seconds offset, A proto, Add add,
                        int n) {
  series<A> s(kind, offset, proto);
  for (int i = 0; i < n; ++i) {
    const std::int64_t day = 19358 + static_cast<std::int64_t>(rng() % 1000);  // from 2023-01-01
    add(s, at_day(day, static_cast<int>(rng() % 24)), rng);
  }
  return s;
}

const auto add_nps = [](nps_series& s, timestamp t, std::mt19937_64& rng) {
  const int score = static_cast<int>(rng() % 11);
  if (rng() % 2) {
    s.add(t, score, random_weight(rng));
  } else {
    s.add(t, score);
  }
};

// ---------------------------------------------------------------------------
// Round trips

TEST(SeriesSerial, RoundTripsEveryBucketKindAndOffset) {
  std::mt19937_64 rng(2101);
  for (const auto kind : {time_bucket::day, time_bucket::iso_week, time_bucket::month, time_bucket::quarter,
                          time_bucket::year}) {
    for (const auto offset : {std::chrono::seconds{0}, std::chrono::seconds{2 * 3600}, std::chrono::seconds{-5 * 3600 - 1800},
                              std::chrono::seconds{18 * 3600}}) {
      SCOPED_TRACE(std::string(to_string(kind)) + " " + format_utc_offset(offset));
      const auto s = random_series(rng, kind, offset, nps_accumulator{}, add_nps, 300);
      const auto back = round_trip(s);
      EXPECT_EQ(back, s);
      EXPECT_EQ(back.bucket(), kind);
      EXPECT_EQ(back.utc_offset(), offset);
      EXPECT_EQ(back.count(), s.count());
      EXPECT_EQ(back.first(), s.first());
      EXPECT_EQ(back.last(), s.last());
      // Every period's state, empty ones included, and what they report.
      const auto a = s.result(), b = back.result();
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << i;
      EXPECT_EQ(serialize(back), serialize(s));  // canonical: writes back the same bytes
      const auto j = json_round_trip(s);
      EXPECT_EQ(j, s);
      EXPECT_EQ(serialize(j), serialize(s));
    }
  }
}

TEST(SeriesSerial, RoundTripsOtherStatesAndTheirPrototype) {
  std::mt19937_64 rng(2102);
  // A CSAT series on a top box of 3: the prototype's scale travels.
  series<csat_accumulator> c(time_bucket::month, {}, csat_accumulator(scale::csat(3)));
  for (int i = 0; i < 200; ++i) c.add(at_day(19358 + static_cast<std::int64_t>(rng() % 400)), 1 + static_cast<int>(rng() % 5));
  const auto cb = round_trip(c);
  EXPECT_EQ(cb, c);
  EXPECT_EQ(cb.prototype().counts().scale_of(), scale::csat(3));
  EXPECT_EQ(json_round_trip(c), c);
  // Resolution with unknown answers, weekly.
  series<resolution_accumulator> r(time_bucket::iso_week, std::chrono::hours{-3});
  const resolution values[] = {resolution::yes, resolution::no, resolution::unknown};
  for (int i = 0; i < 200; ++i) r.add(at_day(19358 + static_cast<std::int64_t>(rng() % 200)), values[rng() % 3]);
  EXPECT_EQ(round_trip(r), r);
  EXPECT_EQ(json_round_trip(r), r);
  // The empty series.
  EXPECT_EQ(round_trip(nps_series{}), nps_series{});
  EXPECT_EQ(json_round_trip(nps_series(time_bucket::year, std::chrono::hours{1})),
            nps_series(time_bucket::year, std::chrono::hours{1}));
}

TEST(SeriesSerial, APeriodHoldingOnlyAnEmptyMergeIsNotWritten) {
  nps_series s;
  s.add(at_day(19400), 9);
  s.merge_at(period{time_bucket::month, 700}, nps_accumulator{});  // stored, but empty
  nps_series plain;
  plain.add(at_day(19400), 9);
  EXPECT_EQ(s, plain);
  EXPECT_EQ(serialize(s), serialize(plain));
  EXPECT_EQ(round_trip(s).stored().size(), 1u);
}

TEST(SeriesSerial, MergeAfterRoundTripEqualsMergeBefore) {
  std::mt19937_64 rng(2103);
  for (int k = 0; k < 20; ++k) {
    const auto kind = static_cast<time_bucket>(rng() % 5);
    const auto a = random_series(rng, kind, std::chrono::hours{2}, nps_accumulator{}, add_nps, 1 + static_cast<int>(rng() % 200));
    const auto b = random_series(rng, kind, std::chrono::hours{2}, nps_accumulator{}, add_nps, static_cast<int>(rng() % 200));
    expect_merge_commutes_with_serialization(a, b);
    // Through JSON too.
    auto direct = a;
    direct.merge(b);
    auto via = json_round_trip(a);
    via.merge(json_round_trip(b));
    EXPECT_EQ(via, direct);
    // And the reports agree: the monthly NPS of the merged shards.
    const auto v = [](const nps_accumulator& x) { return x.result().nps; };
    const auto pa = direct.points(v), pb = via.points(v);
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
      EXPECT_EQ(pa[i].value.n(), pb[i].value.n());
      if (pa[i].value.has_value()) {
        EXPECT_EQ(pa[i].value.value(), pb[i].value.value());
      }
    }
  }
  // A round trip keeps the kind: series of another offset still refuse to merge.
  auto x = round_trip(nps_series(time_bucket::month, std::chrono::hours{1}));
  EXPECT_THROW(x.merge(nps_series(time_bucket::month, std::chrono::hours{2})), incompatible_merge);
}

// ---------------------------------------------------------------------------
// The layout, from the table in io/binary.hpp

/// An NPS state (version 2 layout: score_counts on the NPS scale, unweighted).
bytes nps_counts(std::initializer_list<std::pair<int, std::uint64_t>> bins) {
  std::uint64_t c[11] = {};
  for (const auto& [score, n] : bins) c[score] = n;
  bytes out = cat({nps_scale, B({0}), le32(11)});
  for (auto x : c) out = cat({out, le64(x)});
  return out;
}

/// The prototype as a tagged state: u16 tag 0x0010, u8 version 2, u32 length.
bytes tagged_nps(const bytes& state) {
  return cat({B({0x10, 0x00, 0x02}), le32(static_cast<std::uint32_t>(state.size())), state});
}

struct stored_period {
  std::int32_t index;
  bytes state;
};

bytes series_payload(unsigned bucket, std::int32_t offset, const bytes& proto, std::initializer_list<stored_period> periods) {
  bytes out = cat({B({bucket}), le32(static_cast<std::uint32_t>(offset)), tagged_nps(proto),
                   le32(static_cast<std::uint32_t>(periods.size()))});
  for (const auto& p : periods) out = cat({out, le32(static_cast<std::uint32_t>(p.index)), p.state});
  return out;
}

// 2024-03 is month 650 since 1970-01 (54 years · 12 + 2); 2024-05 is 652.
const bytes empty_state = nps_counts({});
const bytes march = nps_counts({{9, 2}, {3, 1}});
const bytes may = nps_counts({{10, 1}});

TEST(SeriesSerial, LayoutIsTheDocumentedOne) {
  nps_series s(time_bucket::month, std::chrono::hours{2});
  s.add(timestamp{std::chrono::seconds{1709726400}}, 9);   // 2024-03-06T12:00Z
  s.add(timestamp{std::chrono::seconds{1709726400}}, 9);
  s.add(timestamp{std::chrono::seconds{1709812800}}, 3);   // 2024-03-07T12:00Z
  s.add(timestamp{std::chrono::seconds{1715083200}}, 10);  // 2024-05-07T12:00Z
  const auto hand = wrap(type_tag::series, series_payload(2, 7200, empty_state, {{650, march}, {652, may}}));
  EXPECT_EQ(serialize(s), hand);
  EXPECT_EQ(deserialize<nps_series>(hand), s);
  // The fuzz corpus' seed, written by Python (struct, zlib.crc32) from the
  // same table: the same bytes, CRC included.
  EXPECT_EQ(read_golden("../../fuzz/corpus/deserialize/valid_series_nps_month.bin"), hand);
  EXPECT_EQ(static_cast<std::uint16_t>(type_tag::series), 0x0050);
  EXPECT_STREQ(to_string(type_tag::series), "series");
  // The JSON form, written by hand.
  const std::string counts0 = R"({"counts":{"scale":{"kind":"nps","min":0,"max":10,"high_min":9,"low_max":6},"counts":[0,0,0,0,0,0,0,0,0,0,0]}})";
  const std::string text = R"({"bucket":"month","utc_offset":7200,"prototype":)" + counts0 +
                           R"(,"periods":[{"index":650,"state":{"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,1,0,0,0,0,0,2,0]}}},)"
                           R"({"index":652,"state":{"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,1]}}}]})";
  EXPECT_EQ(parse_json<nps_series>(text), s);
}

// ---------------------------------------------------------------------------
// Corrupt input: one test per field, each a typed error naming it

TEST(SeriesSerial, EachCorruptFieldIsNamed) {
  const auto good = [](const bytes& payload) { return wrap(type_tag::series, payload); };
  ASSERT_NO_THROW((void)deserialize<nps_series>(good(series_payload(2, 0, empty_state, {{650, march}}))));
  // bucket: a code past year.
  expect_error<nps_series>(good(series_payload(5, 0, empty_state, {})), "series.bucket", "is not one of 0..4");
  // utc_offset: past 18 hours.
  expect_error<nps_series>(good(series_payload(2, 18 * 3600 + 1, empty_state, {})), "series.utc_offset",
                           "64801 seconds, but a UTC offset lies within -18:00 .. +18:00");
  expect_error<nps_series>(good(series_payload(2, -18 * 3600 - 60, empty_state, {})), "series.utc_offset");
  // prototype: not empty; of another type (a CSAT tag where NPS is expected).
  expect_error<nps_series>(good(series_payload(2, 0, march, {})), "series.prototype",
                           "counts 3 inputs, but the prototype of a series' periods must be empty");
  bytes other = cat({B({2}), le32(0), B({0x11, 0x00, 0x02}), le32(static_cast<std::uint32_t>(empty_state.size())),
                     empty_state, le32(0)});
  expect_error<nps_series>(good(other), "series.prototype.type_tag");
  // periods: a count beyond the bytes left (checked before allocating).
  expect_error<nps_series>(good(cat({B({2}), le32(0), tagged_nps(empty_state), le32(1000000)})), "series.periods",
                           "declares 1000000 elements");
  // index: repeated, descending, the no-time index.
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{650, march}, {650, may}})), "series.periods[1].index",
                           "repeats the index of period 0");
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{652, march}, {650, may}})), "series.periods[1].index",
                           "is below the index of period 0");
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{period::no_time, march}})),
                           "series.periods[0].index", "without a time");
  // state: empty; on another scale; corrupt inside (11 bins announced, 12 written).
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{650, empty_state}})), "series.periods[0].state",
                           "is empty");
  bytes twelve = cat({nps_scale, B({0}), le32(12)});
  for (int i = 0; i < 12; ++i) twelve = cat({twelve, le64(0)});
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{650, twelve}})), "series.periods[0].state.counts.bins");
  // The counts sum within a u64.
  const auto half = nps_counts({{5, std::uint64_t{1} << 63}});
  expect_error<nps_series>(good(series_payload(2, 0, empty_state, {{650, half}, {651, half}})), "series.periods[1].state",
                           "counts sum past 2^64 - 1");
  // A state that changes when merged into the prototype: unweighted counts
  // under a weighted (empty) prototype.
  bytes zeros;
  for (int i = 0; i < 11; ++i) zeros = cat({zeros, le64(0)});
  const bytes weighted_empty = cat({nps_scale, B({1}), le32(11), zeros, zeros, zeros});
  expect_error<nps_series>(good(series_payload(2, 0, weighted_empty, {{650, march}})), "series.periods[0].state",
                           "changes when merged into the prototype");
  // The preamble: another type's tag.
  expect_error<nps_series>(wrap(type_tag::grouped, series_payload(2, 0, empty_state, {})), "preamble.type_tag");
}

TEST(SeriesSerial, EveryTruncationAndSingleByteCorruptionThrows) {
  std::mt19937_64 rng(2104);
  const auto good = wrap(type_tag::series, series_payload(2, 3600, empty_state, {{650, march}, {652, may}}));
  expect_rejects_truncation_and_corruption<nps_series>(good, true, rng);
  // A payload cut behind a matching length and CRC: the fields run out, typed.
  const auto payload = series_payload(2, 3600, empty_state, {{650, march}, {652, may}});
  for (std::size_t len = 0; len < payload.size(); ++len) {
    const bytes cut(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_THROW((void)deserialize<nps_series>(wrap(type_tag::series, cut)), serialization_error) << len;
  }
}

TEST(SeriesSerial, MalformedJsonIsNamed) {
  const std::string counts0 = R"({"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,0]}})";
  const std::string counts1 = R"({"counts":{"scale":{"kind":"nps"},"counts":[0,0,0,0,0,0,0,0,0,0,1]}})";
  const auto doc = [&](const std::string& bucket, const std::string& offset, const std::string& proto,
                       const std::string& periods) {
    return R"({"bucket":)" + bucket + R"(,"utc_offset":)" + offset + R"(,"prototype":)" + proto + R"(,"periods":)" +
           periods + "}";
  };
  EXPECT_EQ(parse_json<nps_series>(doc(R"("quarter")", "0", counts0, R"([{"index":217,"state":)" + counts1 + "}]"))
                .count(),
            1u);
  expect_bad_json<nps_series>(doc(R"("decade")", "0", counts0, "[]"), "series.bucket");
  expect_bad_json<nps_series>(doc(R"("month")", "100000", counts0, "[]"), "series.utc_offset", "a UTC offset lies within");
  expect_bad_json<nps_series>(doc(R"("month")", "0", counts1, "[]"), "series.prototype", "must be empty");
  expect_bad_json<nps_series>(
      doc(R"("month")", "0", counts0, R"([{"index":3,"state":)" + counts1 + R"(},{"index":3,"state":)" + counts1 + "}]"),
      "series.periods[1].index", "repeats the index of period 0");
  expect_bad_json<nps_series>(doc(R"("month")", "0", counts0, R"([{"index":3,"state":)" + counts0 + "}]"),
                              "series.periods[0].state", "is empty");
  expect_bad_json<nps_series>(doc(R"("month")", "0", counts0, R"([{"index":"x","state":)" + counts1 + "}]"),
                              "series.periods[0].index");
  expect_bad_json<nps_series>(R"({"bucket":"month","utc_offset":0,"prototype":)" + counts0 + "}", "series.periods");
  const std::string plain = doc(R"("month")", "0", counts0, "[]");
  expect_bad_json<nps_series>(plain.substr(0, plain.size() - 1) + R"(,"extra":1})", "series.extra",
                              "is not a key of this object");
}

}  // namespace
