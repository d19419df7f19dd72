// JSON form of the cxmetrics types, through nlohmann/json, so
// `nlohmann::json j = x;` and `j.get<T>()` work for every type below, and
// parse_json<T>(text) reads text.
//
// States (everything io/binary.hpp serializes, plus the options and bin
// totals inside them) are written and read by their field hooks
// (core/fields.hpp) through the JSON archives of io/json_archive.hpp: the
// same hooks as the binary form, so both accept the same states. Values
// without a binary form (interval, estimate, location, response and the
// enumerations) have their JSON in io/json_values.hpp.
//
//   type            JSON
//   ------------    ---------------------------------------------------------------
//   scale           {"kind":"nps","min":0,"max":10,"high_min":9,"low_max":6}; for
//                   nps, csat, ces and binary the bounds may be omitted (the
//                   defaults are used) but must match when given
//   score_counts    {"scale":{...},"counts":[...]} plus "sum_w" and "sum_w2" (one
//                   entry per point) when weighted
//   nps_options     {"level":0.95,"method":"adjusted_wald","prior":0.5,
//                    "bootstrap_replicates":2000,"seed":24301}
//   csat_options    {"level":0.95,"top_box":2,"share_method":"wilson"}
//   ces_options     {"level":0.95,"easy_min":5,"share_method":"wilson"}
//   rating_options  {"level":0.95,"share_method":"wilson"}
//   resolution_options {"level":0.95,"method":"wilson"}
//                   (options are what result() takes; they are not state)
//   nps_accumulator, csat_accumulator, ces_accumulator, rating_accumulator,
//   score_histogram {"counts":{score_counts}}: on the NPS scale, a CSAT scale,
//                   a CES scale, any scale, any scale
//   resolution_accumulator {"counts":{score_counts on the binary scale},
//                   "unknown":N}
//                   Documents written while the accumulators held their
//                   options ({"options":{...},"counts":...}) still read: the
//                   options are checked (and for CSAT and CES must imply the
//                   counts' scale) and dropped.
//   bin_totals      {"n":..,"sum_w":..,"sum_w2":..}
//   engine::nps_tally {"detractors":..,"passives":..,"promoters":..}
//   engine::weighted_nps_tally {"detractors":{bin_totals},"passives":{...},
//                    "promoters":{...}}
//   engine::grouped_nps {"shape":[c0,c1,...],"cells":[{nps_tally},...]}: cells
//                   row-major (last key fastest), as many as the product of
//                   the shape; {"shape":[],"cells":[]} is the empty grouping
//   score_histogram {"counts":{score_counts}} (on any scale)
//   metric_set<A...> {"rows":N,"members":[{A0},{A1},...]}: the members in
//                   order, each in its own form; rows >= every member's count
//   bound<A>        {"field_id":11,"field":"q1","state":{A}}: the field's id in
//                   the schema bound in and its name (merging checks the name)
//   group_by<Acc, Key...> {"keys":[{"kind":"dense","cardinality":4},
//                   {"kind":"string","cardinality":0}],"prototype":{Acc},
//                   "groups":[{"key":[0,"chat"],"state":{Acc}},...]}: one
//                   entry per key, kind "dense" (dense_key<N>), "dense_runtime"
//                   (dense_key<>), "uint64", "int64", "uint32", "int32" or
//                   "string"; cardinality as group_by::shape(); the prototype
//                   empty; groups by strictly ascending key, each state as
//                   insert() keeps it (engine/fields.hpp)
//   series<A>       {"bucket":"month","utc_offset":7200,"prototype":{A},
//                   "periods":[{"index":650,"state":{A}},...]}: bucket "day",
//                   "iso_week", "month", "quarter" or "year"; utc_offset in
//                   seconds; the prototype empty; periods by strictly
//                   ascending index, none empty (series/series.hpp; the
//                   header to include beside this one)
//
// Reading is checked: text that is not JSON, a wrong type, a missing key, a
// bad length or a value outside its domain throws cxm::serialization_error
// naming the key path in its field (e.g. field 'estimate.interval.level'),
// never an nlohmann exception. A scale is rebuilt through its factory, so
// only scales the factories can make are accepted. score_histogram,
// metric_set and group_by also reject keys they do not have (so that an
// object of another type is not taken for one) and report an error of a
// member under their own path, e.g. 'group_by.groups[2].state.counts.scale'.
//
// Header: cxmetrics/io/json.hpp (header-only; needs nlohmann_json, which
// cxmetrics::cxmetrics links).
#pragma once

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/fields.hpp"
#include "cxmetrics/io/json_archive.hpp"
#include "cxmetrics/io/json_values.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/metrics/score_metric.hpp"
