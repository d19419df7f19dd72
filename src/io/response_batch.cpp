// Batches: the readers' access to a batch's columns, and a batch's rows as
// responses. See include/cxmetrics/io/response_batch.hpp.
#include "cxmetrics/io/response_batch.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <tuple>

#include "io/chunk_out.hpp"

namespace cxm {

namespace detail {

void batch_access::resize_rows(response_batch& b, std::size_t n) {
  std::apply([n](auto&... c) { (c.resize(n), ...); }, row_columns(b));
}

void batch_access::truncate(response_batch& b, std::size_t n) {
  if (n >= b.size()) return;
  resize_rows(b, n);
  b.id_text_.resize(n == 0 ? 0 : static_cast<std::size_t>(b.id_end_[n - 1]));
  b.why_text_.resize(n == 0 ? 0 : static_cast<std::size_t>(b.why_end_[n - 1]));
}

void batch_access::grow(response_batch& b) { resize_rows(b, std::max<std::size_t>(1024, 2 * b.nps_.size())); }

void batch_access::seal(response_batch& b, std::size_t n, std::size_t id_bytes, std::size_t why_bytes) {
  resize_rows(b, n);
  b.id_text_.resize(id_bytes);
  b.why_text_.resize(why_bytes);
}

}  // namespace detail

response response_batch::row(std::size_t i) const {
  response r;
  r.id = std::string(id(i));
  if (nps_[i] != response_table::missing_score) r.nps = nps_[i];
  if (csat_[i] != response_table::missing_score) r.csat = csat_[i];
  if (ces_[i] != response_table::missing_score) r.ces = ces_[i];
  if (time_[i] != response_table::missing_time) r.time = timestamp{std::chrono::seconds{time_[i]}};
  r.channel = channel_id{channel_[i]};
  r.segment = segments_->name(segment_[i]);
  r.agent = agents_->name(agent_[i]);
  r.weight = weight_[i];
  r.resolved = static_cast<resolution>(resolved_[i]);
  r.why = std::string(why(i));
  return r;
}

void response_batch::append_to(response_table& table) const {
  // The table's open channel set learns the batch's labels in id order, so
  // its ids equal the batch's.
  if (channels_ != nullptr) {
    for (std::size_t c = table.channel_labels().size(); c < channels_->size(); ++c) {
      (void)table.channel_of(channels_->names()[c]);
    }
  }
  table.reserve(table.size() + size());
  for (std::size_t i = 0; i < size(); ++i) table.append(row(i));
  if (weighted_) table.mark_weighted();
}

}  // namespace cxm
