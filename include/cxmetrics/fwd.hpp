// Forward declarations of the public cxmetrics types, for headers that only
// name them.
#pragma once

#include <cstdint>

namespace cxm::inline v0_1 {

class error;
struct location;
class scale;
class score_counts;
struct bin_totals;
struct interval;
class estimate;
struct response;
struct channel_id;
class channel_set;
enum class resolution : std::int8_t;
class response_table;
class string_dictionary;
class category_dictionaries;
class schema;
class schema_builder;
struct field;
struct field_id;
enum class field_kind : std::uint8_t;
enum class response_field : std::uint16_t;

template <class Spec>
class score_metric;
struct no_options;
struct histogram_spec;
using score_histogram = score_metric<histogram_spec>;
struct rating_options;
struct rating_result;
struct rating_spec;
using rating_accumulator = score_metric<rating_spec>;
struct nps_options;
struct nps_result;
struct nps_spec;
using nps_accumulator = score_metric<nps_spec>;
struct csat_options;
struct csat_result;
struct csat_spec;
using csat_accumulator = score_metric<csat_spec>;
struct ces_options;
struct ces_result;
struct ces_spec;
using ces_accumulator = score_metric<ces_spec>;
struct resolution_options;
struct resolution_result;
class resolution_accumulator;

namespace stats {
struct comparison;
struct proportion_options;
enum class p_adjust : std::uint8_t;
struct net_counts;
struct weighted_options;
struct weighted_point;
enum class weighted_se : std::uint8_t;
}  // namespace stats

}  // namespace cxm
