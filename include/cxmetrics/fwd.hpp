// Forward declarations of the public cxmetrics types, for headers that only
// name them.
#pragma once

#include <cstdint>

namespace cxm {

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

struct nps_options;
struct nps_result;
class nps_accumulator;
struct csat_options;
struct csat_result;
class csat_accumulator;
struct ces_options;
struct ces_result;
class ces_accumulator;
struct resolution_options;
struct resolution_result;
class resolution_accumulator;
class score_histogram;

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
