// The reader-wide state and the delivery of chunks in input order
// (src/io/session.hpp).
#include "io/session.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "cxmetrics/core/error.hpp"
#include "io/column_match.hpp"

namespace cxm::detail {

session::session(const ingest_options& options, const ingest_sink& sink, std::string source, ingest_format format)
    : options_(options),
      sink_(sink),
      source_(std::move(source)),
      channels_(options.channels),
      parse_channels_(options.channels),
      plan_(options) {
  plan_.channels = &parse_channels_;
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

void session::set_present(const std::array<bool, response_field_count>& present) {
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (present[f]) report_.summary.missing_by_field[to_string(static_cast<response_field>(f))] = 0;
  }
}

void session::set_header(std::vector<std::string> header, header_mapping&& m) {
  for (std::size_t i = 0; i < m.column_field.size() && i < header.size(); ++i) {
    if (m.column_field[i]) report_.column_of[static_cast<std::size_t>(*m.column_field[i])] = header[i];
  }
  report_.header = std::move(header);
  report_.ignored_columns = std::move(m.ignored);
}

ingest_reject session::make_reject(pending_reject&& p) const {
  ingest_reject r;
  r.file = source_;
  r.line = p.line;
  r.column = p.column;
  r.field = p.field ? to_string(*p.field) : "";
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
  auto& seg = batch_access::segment(b);
  auto& ag = batch_access::agent(b);
  std::size_t nch = 0, nseg = 1, nag = 1;
  if (strict) {
    for (std::size_t i = 0; i < n; ++i) {
      nch = std::max<std::size_t>(nch, ch[i] + 1U);
      nseg = std::max<std::size_t>(nseg, seg[i] + 1U);
      nag = std::max<std::size_t>(nag, ag[i] + 1U);
    }
  } else {
    nch = c.channels.used.size();
    nseg = c.segments.size();
    nag = c.agents.size();
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
  segment_map_.resize(nseg);
  for (std::size_t i = 0; i < nseg; ++i) {
    segment_map_[i] = segments_.intern(c.segments.at(static_cast<std::uint32_t>(i))).first;
  }
  agent_map_.resize(nag);
  for (std::size_t i = 0; i < nag; ++i) agent_map_[i] = agents_.intern(c.agents.at(static_cast<std::uint32_t>(i))).first;
  for (std::size_t i = 0; i < n; ++i) {
    ch[i] = channel_map_[ch[i]];
    seg[i] = segment_map_[seg[i]];
    ag[i] = agent_map_[ag[i]];
  }
  batch_access::bind(b, accepted_, &channels_, &segments_, &agents_);

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
  for (std::size_t f = 0; f < response_field_count; ++f) {
    if (c.missing[f] != 0) s.missing_by_field[to_string(static_cast<response_field>(f))] += c.missing[f];
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
