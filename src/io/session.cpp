// The reader-wide state and the delivery of chunks in input order
// (src/io/session.hpp).
#include "io/session.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "io/column_match.hpp"

namespace cxm::inline v0_1::detail {

session::session(const ingest_options& options, const ingest_sink& sink, std::string source, ingest_format format)
    : options_(options),
      sink_(sink),
      source_(std::move(source)),
      schema_(schema_of(options)),
      dictionaries_(options.dictionaries ? options.dictionaries
                                         : std::make_shared<category_dictionaries>(options.channels)),
      channels_(dictionaries_->channels()),
      parse_channels_(channels_),
      plan_(options, schema_) {
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    const field_id f(i);
    if (schema_.type_of(f) == column_type::category) labels_.push_back(&dictionaries_->of(schema_[f].name));
  }
  batch_labels_.assign(labels_.begin(), labels_.end());
  plan_.channels = &parse_channels_;
  plan_.closed_channels = channels_.mode() == channel_set::policy::closed;
  report_.column_of.assign(schema_.size(), std::string());
  report_.format = format;
  if (options_.decimal_point == 0) options_.decimal_point = '.';  // not detected (CSV detects before set_dialect)
  plan_.decimal_point = options_.decimal_point;
}

void session::set_dialect(char delimiter, bool delimiter_detected, char decimal_point, bool decimal_point_detected) {
  options_.delimiter = delimiter;
  options_.decimal_point = decimal_point;
  plan_.decimal_point = decimal_point;
  report_.delimiter = delimiter;
  report_.delimiter_detected = delimiter_detected;
  report_.decimal_point = decimal_point;
  report_.decimal_point_detected = decimal_point_detected;
}

void session::set_present(const std::vector<bool>& present) {
  for (std::size_t f = 0; f < present.size(); ++f) {
    if (present[f]) report_.summary.missing_by_field[schema_[field_id(f)].name] = 0;
  }
}

void session::set_header(std::vector<std::string> header, header_mapping&& m) {
  for (std::size_t i = 0; i < m.column_field.size() && i < header.size(); ++i) {
    if (m.column_field[i]) report_.column_of[m.column_field[i]->index()] = header[i];
  }
  report_.header = std::move(header);
  report_.ignored_columns = std::move(m.ignored);
}

ingest_reject session::make_reject(pending_reject&& p) const {
  ingest_reject r;
  r.file = source_;
  r.line = p.line;
  r.column = p.column;
  r.field = p.field ? schema_[*p.field].name : "";
  r.value = std::move(p.value);
  r.reason = std::move(p.reason);
  r.cause = p.cause;
  r.error_id = reject_error_id(p.cause);
  return r;
}

void session::emit(pending_reject&& p) {
  ingest_reject r = make_reject(std::move(p));
  auto& s = report_.summary;
  ++s.rejected;
  ++s.rejected_by_reason[std::string(error_kind(r.error_id))];
  ++s.rejected_by_cause[std::string(to_string(r.cause))];
  if (sink_.on_reject) sink_.on_reject(r);
}

void session::raise_strict(pending_reject&& p) {
  const ingest_reject r = make_reject(std::move(p));
  // The sink sees the offending row too (a rejects file then names it).
  if (sink_.on_reject) sink_.on_reject(r);
  r.raise();
}

void session::deliver_reject(pending_reject r) {
  ++report_.summary.rows_read;
  if (options_.errors == on_error::strict) raise_strict(std::move(r));
  emit(std::move(r));
}

void session::deliver(chunk_out& c) {
  c.seal();
  response_batch& b = c.batch;
  const bool strict = options_.errors == on_error::strict && !c.rejects.empty();
  if (strict) batch_access::truncate(b, static_cast<std::size_t>(c.rejects.front().accepted_before));
  const std::size_t n = b.size();

  // Local ids were given in order of first accepted use, so the ids used by
  // the first n rows are 0..k-1; mapping them in order gives the global
  // dictionaries the order of first use over the whole input.
  auto& ch = batch_access::channel(b);
  std::size_t nch = 0;
  if (strict) {
    for (std::size_t i = 0; i < n; ++i) nch = std::max<std::size_t>(nch, ch[i] + 1U);
  } else {
    nch = c.channels.used.size();
  }
  // A row past the channel limit (channel_set::max_labels) stops the read
  // with a data error naming the line where the limit was passed: the first
  // row whose new label the set cannot hold, or the row where this chunk
  // alone ran out of batch ids. A reject before it in strict mode comes first.
  const std::uint64_t overflow = c.channel_overflow_line;
  const bool overflow_first = overflow != 0 && !(strict && c.rejects.front().line < overflow);
  const auto limit_at = [&](std::uint64_t line, const std::string& reason) {
    throw limit_exceeded(reason, in_file(source_, line, std::nullopt, "channel"));
  };
  channel_map_.resize(nch);
  for (std::size_t u = 0; u < nch; ++u) {
    const std::uint32_t entry = c.channels.used[u];
    const std::int32_t g = c.channels.global[entry];
    if (g >= 0) {
      channel_map_[u] = static_cast<std::uint16_t>(g);
      continue;
    }
    try {
      channel_map_[u] = channels_.id_of(c.channels.raw.at(entry)).value;
    } catch (const limit_exceeded& e) {
      // Local ids are given in order of first use: the first row with id u.
      std::size_t i = 0;
      while (i < n && ch[i] != u) ++i;
      limit_at(i < n ? batch_access::line(b)[i] : overflow, e.reason());
    }
  }
  if (overflow_first) {
    limit_at(overflow, "more than " + std::to_string(channel_set::max_labels) +
                           " distinct channel labels (as written) in one part of the input; at most " +
                           std::to_string(channel_set::max_labels) + " distinct channels are supported");
  }
  label_maps_.resize(labels_.size());
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    const auto& col = batch_access::category(b, k);
    std::size_t used = 1;
    if (strict) {
      for (std::size_t i = 0; i < n; ++i) used = std::max<std::size_t>(used, col[i] + 1U);
    } else {
      used = c.categories[k].size();
    }
    auto& map = label_maps_[k];
    map.resize(used);
    for (std::size_t i = 0; i < used; ++i) {
      map[i] = labels_[k]->intern(c.categories[k].at(static_cast<std::uint32_t>(i))).first;
    }
  }
  // The channel, segment and agent ids in one pass over the rows (this runs
  // for every row read), then the declared categories'.
  constexpr std::size_t segment = predefined_slot(response_field::segment);
  constexpr std::size_t agent = predefined_slot(response_field::agent);
  {
    std::uint16_t* const chs = ch.data();
    std::uint32_t* const segs = batch_access::category(b, segment).data();
    std::uint32_t* const ags = batch_access::category(b, agent).data();
    const std::uint16_t* const ch_map = channel_map_.data();
    const std::uint32_t* const seg_map = label_maps_[segment].data();
    const std::uint32_t* const ag_map = label_maps_[agent].data();
    for (std::size_t i = 0; i < n; ++i) {
      chs[i] = ch_map[chs[i]];
      segs[i] = seg_map[segs[i]];
      ags[i] = ag_map[ags[i]];
    }
  }
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    if (k == segment || k == agent) continue;
    auto& col = batch_access::category(b, k);
    const auto& map = label_maps_[k];
    for (std::size_t i = 0; i < n; ++i) col[i] = map[col[i]];
  }
  batch_access::bind(b, accepted_, dictionaries_.get(), batch_labels_);

  auto& s = report_.summary;
  if (strict) {
    s.rows_read += n + 1;
    s.accepted += n;
    accepted_ += n;
    if (n > 0 && sink_.on_batch) sink_.on_batch(b);
    raise_strict(std::move(c.rejects.front()));
  }
  s.rows_read += c.rows_read;
  s.accepted += n;
  s.empty_lines += c.empty_lines;
  for (std::size_t f = 0; f < c.missing.size(); ++f) {
    if (c.missing[f] != 0) s.missing_by_field[schema_[field_id(f)].name] += c.missing[f];
  }
  accepted_ += n;
  if (n > 0 && sink_.on_batch) sink_.on_batch(b);
  for (auto& r : c.rejects) emit(std::move(r));
  c.rejects.clear();
}

void session::sync_parse_channels() {
  // Labels are only ever appended, so equal sizes mean equal sets.
  parse_channels_.extend_from(channels_);
}

ingest_report session::finish() { return std::move(report_); }

}  // namespace cxm::detail
