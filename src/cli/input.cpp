// Reading responses for the cxm subcommands: flags, progress and rejects.
#include "cli/input.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"

namespace cxm::cli {

void add_input_flags(CLI::App& sub, input_args& a) {
  sub.add_option("FILE", a.file, "Responses: .csv/.tsv, .jsonl, or .sav/.dta/.sas7bdat when built with ReadStat")
      ->required();
  sub.add_option("--input-format", a.format, "csv, jsonl, sav, dta, ... (default: from the file extension)");
  sub.add_option("--delimiter", a.delimiter, "CSV field separator: ',' (default), ';', 'tab' or one character");
  sub.add_flag("--decimal-comma", a.decimal_comma, "Weights use a decimal comma (0,87)");
  sub.add_option("--mapping", a.mapping, "JSON mapping file (columns, delimiter, resolved tokens, channels)");
  sub.add_option("--column", a.columns, "FIELD=COLUMN, e.g. nps=\"Q1 Recommend\" (repeatable; fields: id, "
                                        "timestamp, channel, agent, segment, nps, csat, ces, resolved, weight, why)");
  sub.add_option("--channels", a.channels, "A closed channel set: other labels are rejected")->delimiter(',');
  sub.add_flag("--strict", a.strict, "Stop at the first bad row with exit code 1");
  sub.add_option("--rejects", a.rejects, "Write every rejected row with its reason to this CSV file");
  sub.add_option("--threads", a.threads, "Parsing threads (0: all cores)")->default_val(1);
  sub.add_option("--chunk-bytes", a.chunk_bytes, "Bytes per thread and window")->default_val(std::size_t{1} << 20)
      ->check(CLI::PositiveNumber);
}

ingest_options make_ingest_options(const input_args& a) {
  ingest_options o;
  if (!a.mapping.empty()) {
    if (!std::filesystem::exists(a.mapping)) throw failure(io_failure, a.mapping + ": mapping file not found");
    o = load_mapping(a.mapping, o);
  }
  if (!a.format.empty()) {
    const auto f = format_from_name(a.format);
    if (!f) throw failure(usage, "unknown input format '" + a.format + "'");
    o.format = *f;
  }
  if (!a.delimiter.empty()) {
    if (a.delimiter == "tab" || a.delimiter == "\\t") {
      o.delimiter = '\t';
    } else if (a.delimiter.size() == 1) {
      o.delimiter = a.delimiter[0];
    } else {
      throw failure(usage, "--delimiter takes one character or 'tab', got '" + a.delimiter + "'");
    }
  }
  if (a.decimal_comma) o.decimal_point = ',';
  for (const auto& pair : a.columns) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos) throw failure(usage, "--column takes FIELD=COLUMN, got '" + pair + "'");
    const auto field = field_from_name(pair.substr(0, eq));
    if (!field) throw failure(usage, "--column: unknown field '" + pair.substr(0, eq) + "'");
    o.columns.name_of(*field) = pair.substr(eq + 1);
  }
  if (!a.channels.empty()) o.channels = channel_set::closed_of(a.channels);
  if (a.strict) o.errors = on_error::strict;
  o.threads = a.threads;
  o.chunk_bytes = a.chunk_bytes;
  return o;
}

namespace {

// One line on stderr, rewritten in place, once work has run for a while.
class progress_line {
 public:
  progress_line(bool enabled, std::uint64_t file_bytes, double bytes_per_line)
      : enabled_(enabled), file_bytes_(file_bytes), bytes_per_line_(bytes_per_line),
        start_(std::chrono::steady_clock::now()) {}

  void update(std::uint64_t rows, std::uint64_t lines) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double t = std::chrono::duration<double>(now - start_).count();
    if (t < 1.5 || now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double bytes = std::min(static_cast<double>(file_bytes_), static_cast<double>(lines) * bytes_per_line_);
    const double rate = bytes / t;
    const double eta = rate > 0 ? (static_cast<double>(file_bytes_) - bytes) / rate : 0.0;
    std::fprintf(stderr, "\r\033[Kcxm: ~%.0f of %.0f MB, %llu rows, %.0f MB/s, ETA %.0f s", bytes / 1e6,
                 static_cast<double>(file_bytes_) / 1e6, static_cast<unsigned long long>(rows), rate / 1e6, eta);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  std::uint64_t file_bytes_;
  double bytes_per_line_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

// Bytes per line in the first MiB: the progress line's estimate of how far a
// line number is into the file.
double sample_bytes_per_line(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string buf(std::size_t{1} << 20, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.resize(static_cast<std::size_t>(in.gcount()));
  const auto lines = static_cast<double>(std::count(buf.begin(), buf.end(), '\n'));
  return lines > 0 ? static_cast<double>(buf.size()) / lines : static_cast<double>(buf.size() + 1);
}

}  // namespace

ingest_report read_input(const input_args& a, const context& ctx,
                         const std::function<void(const response_batch&)>& on_batch,
                         std::vector<ingest_reject>* keep_rejects, std::size_t keep_max) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(a.file, ec)) {
    throw failure(io_failure, a.file + ": cannot read: " + (std::filesystem::exists(a.file, ec) ? "not a regular file"
                                                                                                 : "no such file"));
  }
  const auto options = make_ingest_options(a);
  std::unique_ptr<std::ofstream> rejects_out;
  std::unique_ptr<reject_csv_writer> rejects_writer;
  if (!a.rejects.empty()) {
    rejects_out = std::make_unique<std::ofstream>(a.rejects, std::ios::binary | std::ios::trunc);
    if (!*rejects_out) throw failure(io_failure, a.rejects + ": cannot write the rejects file");
    rejects_writer = std::make_unique<reject_csv_writer>(*rejects_out);
  }
  const bool show = !ctx.quiet && ::isatty(STDERR_FILENO) != 0;
  const auto size = std::filesystem::file_size(a.file, ec);
  progress_line progress(show, ec ? 0 : size, show ? sample_bytes_per_line(a.file) : 1.0);
  std::uint64_t rows = 0;

  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) {
    rows += b.size();
    if (!b.line().empty()) progress.update(rows, b.line().back());
    on_batch(b);
  };
  sink.on_reject = [&](const ingest_reject& r) {
    if (rejects_writer) (*rejects_writer)(r);
    if (keep_rejects && keep_rejects->size() < keep_max) keep_rejects->push_back(r);
  };
  ingest_report report;
  try {
    report = stream_responses(a.file, options, sink);
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  if (rejects_out) {
    rejects_out->flush();
    if (!*rejects_out) throw failure(io_failure, a.rejects + ": error while writing the rejects file");
  }
  return report;
}

table ingest_table(const ingest_report& r) {
  table t;
  t.name = "ingest";
  t.title = "Ingest";
  t.columns = {"item", "count"};
  const auto& s = r.summary;
  t.add({cell("rows read"), cell(s.rows_read)});
  t.add({cell("accepted"), cell(s.accepted)});
  t.add({cell("rejected"), cell(s.rejected)});
  for (const auto& [cause, n] : s.rejected_by_cause) {
    if (n) t.add({cell("rejected: " + cause), cell(n)});
  }
  for (const auto& [field, n] : s.missing_by_field) {
    if (n) t.add({cell("missing: " + field), cell(n)});
  }
  if (s.empty_lines) t.add({cell("empty lines skipped"), cell(s.empty_lines)});
  return t;
}

}  // namespace cxm::cli
