// The binary form of every mergeable state, so that shards counted on many
// machines can be shipped and merged later (the serialise/deserialise
// contract of Apache DataSketches: a versioned preamble, a static
// deserialize that checks every length, golden files).
//
//   std::vector<std::byte> bytes = cxm::serialize(acc);                 // any state below
//   auto back = cxm::deserialize<cxm::nps_accumulator>(bytes);           // checks everything
//   back.merge(other_shard);
//
// Why std::vector<std::byte>: the bytes are not text, and std::byte cannot be
// mistaken for characters (no printing, no NUL-termination, no char signedness);
// it is what deserialize reads (std::span<const std::byte>), so
// deserialize<T>(serialize(x)) needs no conversion. Bytes held in a
// std::string or a uint8_t buffer are passed as std::as_bytes(std::span(s)).
//
// This header brings the framework (io/binary_archive.hpp: encoding,
// preamble, CRC-32, checks, serialize / deserialize) together with every
// cxmetrics state, each of which describes its fields once in a hook beside
// the type (core/fields.hpp); the JSON form (io/json.hpp) walks the same
// hooks, so both forms accept the same states.
//
// TYPE TAGS (type_tag, core/fields.hpp) and payload layouts. Offsets are
// relative to the start of the payload; a part of a state (e.g. the
// score_counts inside an accumulator) is written inline, without preamble,
// at that place. Each layout is what the type's field hook writes, in the
// order of its fields; the hook sits beside the type (core/scale.hpp,
// core/counts.hpp, metrics/*.hpp, engine/fields.hpp).
//
//   0x0001 scale  (17 bytes)
//     +0  u8   kind: 0 nps, 1 csat, 2 ces, 3 binary, 4 custom
//     +1  i32  min        +5 i32 max        +9 i32 high_min        +13 i32 low_max
//     The scale is rebuilt through its factory (scale::csat(6 - high_min),
//     scale::ces(high_min), scale::custom(...)) and every field must match it.
//
//   Every layout below is state version 1 unless it says otherwise.
//
//   0x0002 score_counts  (22 + 8·B, or 22 + 24·B when weighted)
//     +0   17     scale
//     +17  u8     weighted: 0 or 1
//     +18  u32    B = number of bins; must equal the scale's points
//     +22  B×u64  counts per bin (score min .. max); their sum must fit a u64
//     then, only when weighted:
//          B×f64  Σw per bin       finite, >= 0, and 0 when the bin's count is 0
//          B×f64  Σw² per bin      same rules
//
//   0x0010 nps_accumulator, state version 2  (score_counts)
//     +0 score_counts on scale::nps()
//   0x0011 csat_accumulator, version 2  (score_counts)
//     +0 score_counts on a CSAT scale (scale::csat(top_box): the top box is state)
//   0x0012 ces_accumulator, version 2  (score_counts)
//     +0 score_counts on a CES scale (scale::ces(easy_min))
//   0x0013 resolution_accumulator, version 2  (score_counts + 8)
//     +0 score_counts on scale::binary(), then u64 unknown (answered +
//     unknown must fit a u64)
//   0x0014 score_histogram, version 1  (score_counts)
//     +0 score_counts, on any scale
//   0x0015 rating_accumulator, version 1  (score_counts)
//     +0 score_counts, on any scale
//   What a reader asks for (level, interval method, prior, seed, replicates)
//   is not state: it is given to result(options).
//
//   Version 1 of the four metric accumulators, still read: their options,
//   then the layout of version 2. The options are checked and dropped.
//     nps_accumulator         +0 f64 level   +8 u8 method   +9 f64 prior
//                             +17 u64 bootstrap_replicates   +25 u64 seed
//     csat_accumulator        +0 f64 level   +8 i32 top_box (1..4)
//                             +12 u8 share_method; the counts must lie on
//                             scale::csat(top_box)
//     ces_accumulator         +0 f64 level   +8 i32 easy_min (2..7)
//                             +12 u8 share_method; the counts must lie on
//                             scale::ces(easy_min)
//     resolution_accumulator  +0 f64 level   +8 u8 method
//
//   0x0020 engine::nps_tally  (24 bytes)
//     +0 u64 detractors   +8 u64 passives   +16 u64 promoters   (sum fits a u64)
//   0x0021 engine::weighted_nps_tally  (72 bytes)
//     detractors, passives, promoters, each: u64 n, f64 Σw, f64 Σw²
//     (Σw, Σw² finite, >= 0, and 0 when n is 0; the three n sum within a u64)
//   0x0022 engine::grouped_nps  (8 + 4·K + 24·C)
//     +0 u32 K key columns   +4 K×u32 cardinalities   then u32 C cells
//     then C × nps_tally (24 bytes each, row-major, last key fastest)
//     C must equal the product of the cardinalities; K = 0 with C = 0 is the
//     default-constructed (empty) grouping.
//
//   0x0030 metric_set<A...>  (12 + sum of (7 + member))
//     +0  u64 rows = count(); must be >= the count of every member
//     +8  u32 M members; must equal sizeof...(A)
//     +12 M tagged members in member order (u16 tag, u8 state version,
//         u32 length L, then L bytes of state); member i's tag must be that
//         of A_i, e.g. 0x0010 then 0x0011 for
//         metric_set<nps_accumulator, csat_accumulator>
//
//   0x0032 bound<A>  (4 + 4 + name + 7 + state)
//     +0  u32 field_id (below 65534, schema::max_fields)
//     +4  u32 length N, then N bytes: the field's name (non-empty; a
//         predefined id must carry its own name)
//     then the A as a tagged state (u16 tag of A, u8 version, u32 length, state)
//
//   0x0031 group_by<Acc, Key...>  (4 + 5·K + 7 + prototype + 4 + groups)
//     +0  u32 K keys; must equal sizeof...(Key)
//     +4  K × (u8 kind, u32 cardinality), key by key: the kind must be the
//         Key's (codes below); the cardinality is N for dense_key<N>, any for
//         dense_key<> (an all-dense grouping has at most max_dense_groups =
//         2^20 cells, the product), 0 for a hashed key
//     then the prototype as a tagged state (u16 tag of Acc, u8 version, u32
//         length, state: so the tag names Acc); it must be empty
//     then u32 G groups, then G times:
//         the key, one value per key: dense u32 below its cardinality,
//         uint64 / int64 u64 (two's complement), uint32 u32, int32 i32,
//         string u32 byte count + bytes
//         then that group's Acc state inline, in the state version of
//         the prototype
//     Keys strictly ascending (std::tuple's <; strings bytewise as unsigned
//     char, a prefix first), so each at most once; each state is as
//     insert() keeps it, i.e. inserting it into the prototype leaves its
//     bytes unchanged; the groups' counts sum within a u64.
//   group_by key kinds: 0 dense (dense_key<N>), 1 dense_runtime
//   (dense_key<>), 2 uint64, 3 int64, 4 uint32, 5 int32 (any integer type of
//   that width and signedness), 6 string (std::string).
//
//   0x0040 peak_end_state  (84 bytes; journey/peak_end.hpp)
//     +0 u64 count (< 2^32)   +8 f64 sum   +16 f64 duration (finite, >= 0)
//     +24 f64 best   +32 f64 worst   +40 f64 end   (each a single-precision
//         value; -1 <= worst <= end <= best <= 1)
//     +48 i64 worst_time   +56 u32 worst_tag   +60 i64 end_time
//     +68 u64 end_order   +76 u32 end_tag   +80 i32 outcome (-1 none, or
//         0..32767); duration is a single-precision value too
//     count·worst <= sum <= count·best; a state of no events (count 0) is
//     all zeros but its outcome.
//
//   0x0050 series<A>  (5 + 7 + prototype + 4 + periods; series/series.hpp)
//     +0  u8   bucket: 0 day, 1 iso_week, 2 month, 3 quarter, 4 year
//     +1  i32  utc_offset in seconds, within ±64800 (±18:00)
//     +5  the prototype as a tagged state (u16 tag of A, u8 version, u32
//         length, state: so the tag names A); it must be empty
//     then u32 P periods, then P times:
//         i32 index (core/period.hpp: e.g. months since 1970-01), strictly
//         ascending, never period::no_time
//         then that period's A state inline, in the state version of the
//         prototype; not equal to the prototype (a period without input is
//         not written), each as merge_at keeps it (merging it into the
//         prototype leaves its bytes unchanged); the counts sum within a u64.
//
//   0x0060 summary_state  (report/summary_state.hpp, which has its layout:
//     keys, UTC offset, prototypes, the reading's counts, then the groups)
//
//   0x8000..0xFFFF: free for application types (never used by cxmetrics).
//
//   interval_method codes (a u8: the method's position in
//   interval_method_codes, core/estimate.hpp, which is its numeric value):
//   0 wald, 1 adjusted_wald, 2 wilson, 3 jeffreys, 4 clopper_pearson,
//   5 agresti_coull, 6 t, 7 bayes_dirichlet, 8 bootstrap, 9 newcombe,
//   10 tango, 11 wilson_cc, 12 mover. Codes are never renumbered; a new
//   method takes the next one.
//
// A NESTED STATE whose type the reader must check (members of a composite)
// is written with binary_writer::write_nested and read with
// binary_reader::read_nested<T>:
//     u16 type tag, u8 state version, u32 length L, then L bytes of state.
//
// ADDING A TYPE. Declare serial_type_of and visit_fields beside it
// (core/fields.hpp), with a tag of its own: a cxmetrics type adds an
// enumerator to type_tag (a new number, never reuse or renumber one) and a
// row to the table above; an application type uses a number in
// 0x8000..0xFFFF. Then cxm::serialize(x) / cxm::deserialize<T>(bytes) and
// the JSON form work. Pin the layout with a golden file in
// tests/data/golden/ (made by make_golden.py from the table above), a test
// in tests/serialize_test.cpp and a seed in tests/fuzz/corpus/deserialize/,
// and add the type to the fuzz target. Changing a layout raises the version
// in serial_type_of; the hook keeps reading the older ones (ar.legacy). A
// type can also join the binary form alone with the low-level hooks of
// io/binary_archive.hpp.
//
// Header: cxmetrics/io/binary.hpp (header-only).
#pragma once

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/fields.hpp"
#include "cxmetrics/io/binary_archive.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
