// Batches: the readers' access to a batch's columns, a batch's rows as
// responses, and batches appended to tables. See
// include/cxmetrics/io/response_batch.hpp.
#include "cxmetrics/io/response_batch.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_map>

#include "io/chunk_out.hpp"

namespace cxm::inline v0_1 {

namespace detail {

namespace {
// The schema of a batch no reader has shaped: the predefined fields.
const schema& predefined_schema() {
  static const schema s;
  return s;
}
}  // namespace

void batch_access::shape(response_batch& b, const schema& s) {
  b.schema_ = &s;
  b.columns_.shape(s);
  b.text_.assign(s.columns_of(column_type::text), {});
  b.text_end_.assign(s.columns_of(column_type::text), {});
  b.line_.clear();
}

void batch_access::clear(response_batch& b) {
  b.first_row_ = 0;
  b.weighted_ = false;
  resize_rows(b, 0);
  for (auto& t : b.text_) t.clear();
}

void batch_access::resize_rows(response_batch& b, std::size_t n) {
  b.columns_.each([n](auto& c) { c.resize(n); });
  for (auto& e : b.text_end_) e.resize(n);
  b.line_.resize(n);
}

void batch_access::truncate(response_batch& b, std::size_t n) {
  if (n >= b.size()) return;
  resize_rows(b, n);
  for (std::size_t k = 0; k < b.text_.size(); ++k) b.text_[k].resize(n == 0 ? 0 : static_cast<std::size_t>(b.text_end_[k][n - 1]));
}

void batch_access::grow(response_batch& b) { resize_rows(b, std::max<std::size_t>(1024, 2 * b.line_.size())); }

void batch_access::seal(response_batch& b, std::size_t n, const std::vector<std::size_t>& text_bytes) {
  resize_rows(b, n);
  for (std::size_t k = 0; k < b.text_.size(); ++k) b.text_[k].resize(text_bytes[k]);
}

}  // namespace detail

response_batch::response_batch() { detail::batch_access::shape(*this, detail::predefined_schema()); }

const std::string& response_batch::label(field_id f, std::uint32_t v) const {
  if (schema_->type_of(f) == column_type::channel) return channel_labels().name(channel_id{static_cast<std::uint16_t>(v)});
  return labels(f).name(v);
}

response response_batch::row(std::size_t i) const {
  response r;
  r.id = std::string(id(i));
  if (nps()[i] != response_table::missing_score) r.nps = nps()[i];
  if (csat()[i] != response_table::missing_score) r.csat = csat()[i];
  if (ces()[i] != response_table::missing_score) r.ces = ces()[i];
  if (time()[i] != response_table::missing_time) r.time = timestamp{std::chrono::seconds{time()[i]}};
  r.channel = channel_id{channel()[i]};
  r.segment = segments().name(segment()[i]);
  r.agent = agents().name(agent()[i]);
  r.weight = weight()[i];
  r.resolved = static_cast<resolution>(resolved()[i]);
  r.why = std::string(why(i));
  return r;
}

namespace detail {

/// Mutable access to a table's columns, for response_batch::append_to.
struct table_access {
  static auto& columns(response_table& t) noexcept { return t.columns_; }
  static auto& text(response_table& t) noexcept { return t.text_; }
  static string_dictionary& labels(response_table& t, std::size_t slot) noexcept { return *t.labels_[slot]; }
  static void mark_weighted(response_table& t) noexcept { t.weighted_ = true; }
};

namespace {

// The ids of `from` as ids of another dictionary (by label), looked up once per id.
template <class Id, class Lookup>
std::vector<Id> relabelled(std::span<const Id> from, Lookup lookup) {
  std::unordered_map<Id, Id> seen;
  std::vector<Id> out;
  out.reserve(from.size());
  for (const Id v : from) {
    auto it = seen.find(v);
    if (it == seen.end()) it = seen.emplace(v, lookup(v)).first;
    out.push_back(it->second);
  }
  return out;
}

}  // namespace
}  // namespace detail

void response_batch::append_to(response_table& table) const {
  using detail::table_access;
  const cxm::schema& s = *schema_;
  if (!table.schema().same_columns(s)) {
    throw invalid_argument("the table's fields or scales are not the batch's: build the table with the reader's "
                           "schema (schema_of(options))");
  }
  // Category ids first (a label the table's closed channel set lacks
  // throws here, before any column grows; labels it learns stay learnt).
  const bool shared = table.dictionaries().get() == dictionaries_;
  std::vector<std::uint16_t> channel;
  std::vector<std::vector<std::uint32_t>> category(shared ? 0 : columns_.category.size());
  if (!shared) {
    channel = detail::relabelled(std::span<const std::uint16_t>(columns_.channel), [&](std::uint16_t v) {
      return table.channel_of(channel_labels().name(channel_id{v})).value;
    });
    for (std::size_t k = 0; k < category.size(); ++k) {
      string_dictionary& into = table_access::labels(table, k);
      category[k] = detail::relabelled(std::span<const std::uint32_t>(columns_.category[k]),
                                       [&](std::uint32_t v) { return into.intern(labels_[k]->name(v)).first; });
    }
  }
  auto& to = table_access::columns(table);
  table.reserve(table.size() + size());
  const auto append = [](auto& into, const auto& from) { into.insert(into.end(), from.begin(), from.end()); };
  for (std::size_t k = 0; k < columns_.score.size(); ++k) append(to.score[k], columns_.score[k]);
  for (std::size_t k = 0; k < columns_.flag.size(); ++k) append(to.flag[k], columns_.flag[k]);
  for (std::size_t k = 0; k < columns_.time.size(); ++k) append(to.time[k], columns_.time[k]);
  for (std::size_t k = 0; k < columns_.number.size(); ++k) append(to.number[k], columns_.number[k]);
  append(to.channel, shared ? std::span<const std::uint16_t>(columns_.channel) : std::span<const std::uint16_t>(channel));
  for (std::size_t k = 0; k < columns_.category.size(); ++k) {
    append(to.category[k], shared ? std::span<const std::uint32_t>(columns_.category[k])
                                   : std::span<const std::uint32_t>(category[k]));
  }
  auto& text = table_access::text(table);
  for (std::size_t k = 0; k < text_.size(); ++k) {
    for (std::size_t i = 0; i < size(); ++i) text[k].emplace_back(text_at(k, i));
  }
  if (weighted_) table_access::mark_weighted(table);
}

}  // namespace cxm
