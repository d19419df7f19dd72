// A reader's response_batch as the engine's response_view, so that a
// group_by with key extractors is fed batch by batch as they stream in:
//
//   cxm::group_by<cxm::nps_accumulator, cxm::by_label, cxm::by_period> g(
//       cxm::nps_accumulator{}, cxm::by_label{cxm::category::channel}, cxm::by_period{cxm::time_bucket::month});
//   cxm::ingest_sink sink;
//   sink.on_batch = [&](const cxm::response_batch& b) { g.feed(b); };   // g.feed(cxm::view_of(b))
//   cxm::stream_responses("survey.csv", cxm::ingest_options{}, sink);
//
// The view points into the batch (and the reader's dictionaries), so it is
// valid while the sink runs. Its first row number is the batch's
// first_row(), so errors name a row among all accepted rows of the input;
// weights are in the view only when the batch is weighted (as view_of a
// response_table). Channel, segment and agent ids follow the reader's order
// of first use; group_by keys them by label.
//
// Header: cxmetrics/io/batch_view.hpp. Complexity: O(1).
#pragma once

#include "cxmetrics/engine/response_view.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1 {

/// The columns of `b` as a view (see the header comment).
[[nodiscard]] inline response_view view_of(const response_batch& b) noexcept {
  response_view v = detail::view_from(b);
  v.first_row = b.first_row();
  return v;
}

}  // namespace cxm
