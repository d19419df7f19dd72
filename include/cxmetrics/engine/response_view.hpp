// The columns of responses the engine reads: response_columns (the answers
// and weights, what metric_set counts) and response_view (those plus the key
// columns and their dictionaries, what group_by::feed groups), from a
// response_table here and from a reader's response_batch in io/batch_view.hpp.
//
//   cxm::metric_set<cxm::nps_accumulator> s;
//   s.add(cxm::columns_of(table));
//   g.feed(cxm::view_of(table));             // a group_by with key extractors
//
// Score columns hold the score or missing_score (255); the resolved column
// 1 yes, 0 no, -1 unknown; times are Unix seconds or missing_time (INT64_MIN);
// channel, segment and agent columns hold ids into the view's dictionaries.
// A view does not own its columns: they must outlive it.
//
// Header: cxmetrics/engine/response_view.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/engine/accumulator.hpp"

namespace cxm::inline v0_1 {

static_assert(engine::missing_score == response_table::missing_score,
              "score columns and response_table must mark missing answers alike");

/// The answer fields of a response (and score columns of a response_table).
enum class answer_field : std::uint8_t { nps, csat, ces, resolved };

[[nodiscard]] constexpr const char* to_string(answer_field f) noexcept {
  switch (f) {
    case answer_field::nps: return "nps";
    case answer_field::csat: return "csat";
    case answer_field::ces: return "ces";
    case answer_field::resolved: return "resolved";
  }
  return "nps";
}

/// Columns of responses in response_table's layout. A column may be left
/// empty when no member reads it; the others must all have the same length.
///
/// Declared score fields (core/schema.hpp) are reached by id through
/// `fields` and `declared_scores(source, id)`, which columns_of and view_of
/// set to the table's or batch's own (so a member bound to a declared field,
/// metric_set.hpp's bound<A>, reads its column); both stay null for bare
/// columns, which then hold the predefined fields only.
struct response_columns {
  std::span<const std::uint8_t> nps;     ///< score or missing_score (255)
  std::span<const std::uint8_t> csat;    ///< score or missing_score (255)
  std::span<const std::uint8_t> ces;     ///< score or missing_score (255)
  std::span<const std::int8_t> resolved;  ///< 1 yes, 0 no, −1 unknown
  std::span<const double> weights;       ///< survey weights; empty: unweighted
  const cxm::schema* fields = nullptr;   ///< the schema of the source; null: predefined fields only
  const void* source = nullptr;          ///< what declared_scores reads
  /// The score column of a declared field of `fields` (throws invalid_argument for another kind).
  std::span<const std::uint8_t> (*declared_scores)(const void* source, field_id f) = nullptr;
};

namespace detail {
/// Points `c` at the declared score columns of `src` (a table or a batch).
template <class Source>
void set_declared(response_columns& c, const Source& src) noexcept {
  c.fields = &src.schema();
  c.source = &src;
  c.declared_scores = [](const void* p, field_id f) { return static_cast<const Source*>(p)->scores(f); };
}
}  // namespace detail

/// The columns of `t`; the weight column only when t.weighted() (so an
/// unweighted table gives unweighted states, as its rows do).
[[nodiscard]] inline response_columns columns_of(const response_table& t) noexcept {
  response_columns c;
  c.nps = t.nps();
  c.csat = t.csat();
  c.ces = t.ces();
  c.resolved = t.resolved();
  if (t.weighted()) c.weights = t.weight();
  detail::set_declared(c, t);
  return c;
}

/// Rows of `c`: the common length of its non-empty columns. Throws
/// invalid_argument naming a column whose length differs.
[[nodiscard]] inline std::size_t rows_of(const response_columns& c) {
  std::size_t rows = 0;
  const char* first = nullptr;
  const auto take = [&](std::size_t n, const char* name) {
    if (n == 0) return;
    if (first == nullptr) {
      rows = n;
      first = name;
    } else if (n != rows) {
      throw invalid_argument("column '" + std::string(name) + "' has " + std::to_string(n) + " rows but '" + first +
                                 "' has " + std::to_string(rows),
                             at_field(name));
    }
  };
  take(c.nps.size(), "nps");
  take(c.csat.size(), "csat");
  take(c.ces.size(), "ces");
  take(c.resolved.size(), "resolved");
  take(c.weights.size(), "weight");
  return rows;
}

/// Columns of responses with their keys (see the header comment). Every
/// non-empty column has `rows` entries; the dictionaries are those the id
/// columns index (a column with ids needs its dictionary).
struct response_view {
  std::size_t rows = 0;
  response_columns values;                 ///< answers and weights
  std::span<const std::int64_t> time;      ///< Unix seconds or missing_time
  std::span<const std::uint16_t> channel;  ///< ids into *channels
  std::span<const std::uint32_t> segment;  ///< ids into *segments (0: no segment)
  std::span<const std::uint32_t> agent;    ///< ids into *agents (0: no agent)
  const channel_set* channels = nullptr;
  const string_dictionary* segments = nullptr;
  const string_dictionary* agents = nullptr;
  std::uint64_t first_row = 0;  ///< row number of row 0 in error messages
};

namespace detail {

/// The view of anything with response_table's column accessors (a table, a
/// reader's batch); weights only when it is weighted.
template <class Columns>
[[nodiscard]] response_view view_from(const Columns& c) noexcept {
  response_view v;
  v.rows = c.size();
  v.values.nps = c.nps();
  v.values.csat = c.csat();
  v.values.ces = c.ces();
  v.values.resolved = c.resolved();
  if (c.weighted()) v.values.weights = c.weight();
  set_declared(v.values, c);
  v.time = c.time();
  v.channel = c.channel();
  v.segment = c.segment();
  v.agent = c.agent();
  v.channels = &c.channel_labels();
  v.segments = &c.segments();
  v.agents = &c.agents();
  return v;
}

}  // namespace detail

/// The columns of `t` as a view; weights only when t.weighted() (as columns_of).
[[nodiscard]] inline response_view view_of(const response_table& t) noexcept { return detail::view_from(t); }

}  // namespace cxm
