// Reading responses for the cxm subcommands: flags, progress and rejects.
#include "cli/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <istream>
#include <streambuf>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/jsonl.hpp"

namespace cxm::inline v0_1::cli {

void add_input_flags(CLI::App& sub, input_args& a) {
  sub.add_option("FILE", a.file,
                 "Responses: .csv/.tsv, .jsonl, or .sav/.dta/.sas7bdat when built with ReadStat; '-' reads standard "
                 "input (CSV or JSON Lines, told apart by the first byte unless --input-format says)")
      ->required();
  sub.add_option("--input-format", a.format,
                 "csv, tsv (tab-separated), jsonl, sav, dta, ... (default: from the file extension)");
  sub.add_option("--delimiter", a.delimiter,
                 "CSV field separator: ',', ';', 'tab', '|' or one character (default: detected from the first "
                 "64 KiB; shown in the ingest table)");
  sub.add_flag("--decimal-comma", a.decimal_comma,
               "Weights use a decimal comma (0,87) (default: detected when the delimiter is not ',')");
  sub.add_option("--epoch-unit", a.epoch_unit,
                 "Unit of timestamps written as a bare number: seconds, milliseconds, or auto (default: "
                 "milliseconds from a magnitude of 10^11 on, seconds below)")
      ->check(CLI::IsMember({"auto", "seconds", "milliseconds"}));
  sub.add_option("--mapping", a.mapping, "JSON mapping file (columns, delimiter, resolved tokens, channels, declared fields)");
  sub.add_option("--column", a.columns, "FIELD=COLUMN, e.g. nps=\"Q1 Recommend\": the file must have COLUMN "
                                        "(repeatable; fields: id, timestamp, channel, agent, segment, nps, csat, "
                                        "ces, resolved, weight, why; FIELD= never reads the field)");
  sub.add_option("--field", a.fields,
                 "NAME:KIND[:SCALE]: read the column NAME as a declared field (repeatable), e.g. q1:score:1-5, "
                 "region:category, spend:numeric; KIND is score (SCALE: MIN-MAX, MIN-MAX/K for a top-K box, nps, "
                 "csat, ces), flag, time, category, numeric, text, weight or id; the file must have the column");
  sub.add_option("--channels", a.channels, "A closed channel set: other labels are rejected")->delimiter(',');
  sub.add_flag("--strict", a.strict, "Stop at the first bad row with exit code 1");
  sub.add_option("--rejects", a.rejects, "Write every rejected row with its reason to this CSV file");
  sub.add_option("--threads", a.threads, "Parsing threads (0: all cores)")->default_val(1)->transform(count_arg(0, 4096));
  sub.add_option("--chunk-bytes", a.chunk_bytes, "Bytes per thread and window (default 1 MiB)")
      ->default_val(std::size_t{1} << 20)
      ->transform(count_arg(1, std::uint64_t{1} << 40));
}

ingest_options make_ingest_options(const input_args& a) {
  if (!a.mapping.empty() && !std::filesystem::exists(a.mapping)) {
    throw failure(io_failure, a.mapping + ": mapping file not found");
  }
  return cxm::make_ingest_options(static_cast<const ingest_settings&>(a));
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
    if (file_bytes_ == 0) {  // a stream: no size to measure against
      std::fprintf(stderr, "\r\033[Kcxm: %llu rows, %.0f rows/s", static_cast<unsigned long long>(rows),
                   static_cast<double>(rows) / t);
      shown_ = true;
      return;
    }
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

// Reads a file descriptor (standard input, a pipe, a FIFO), serving a
// prefix already read from it first: the format is sniffed from that prefix.
class prefixed_fd_buf : public std::streambuf {
 public:
  prefixed_fd_buf(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)), buf_(std::size_t{1} << 16) {
    if (!prefix_.empty()) setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    for (;;) {
      const ssize_t r = ::read(fd_, buf_.data(), buf_.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return traits_type::eof();
      setg(buf_.data(), buf_.data(), buf_.data() + r);
      return traits_type::to_int_type(*gptr());
    }
  }

 private:
  int fd_;
  std::string prefix_;
  std::vector<char> buf_;
};

// Up to n bytes from fd (fewer only at its end).
std::string read_prefix(int fd, std::size_t n) {
  std::string s(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, s.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  s.resize(got);
  return s;
}

// JSON Lines when the first non-blank byte (after a UTF-8 byte-order mark) opens an object.
ingest_format sniff_format(std::string_view prefix) {
  if (prefix.substr(0, 3) == "\xEF\xBB\xBF") prefix.remove_prefix(3);
  const auto i = prefix.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && prefix[i] == '{' ? ingest_format::jsonl : ingest_format::csv;
}

// The format of a stream: the flag, else a known extension of its name, else sniffed.
ingest_format stream_format(const ingest_options& o, const std::string& name, std::string_view prefix) {
  if (o.format) return *o.format;
  if (name != "-") {
    try {
      return format_of_path(name);
    } catch (const cxm::error&) {
      // a name without a known extension (/dev/fd/63, a FIFO): sniff
    }
  }
  return sniff_format(prefix);
}

// Reads standard input ("-") or a file that is not a regular file (a pipe,
// a FIFO, process substitution): sequentially, on the calling thread's reads.
ingest_report stream_input(const input_args& a, const ingest_options& options, const ingest_sink& sink) {
  int fd = 0;
  const bool is_stdin = a.file == "-";
  if (!is_stdin) {
    fd = ::open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw failure(io_failure, a.file + ": cannot read: " + std::strerror(errno));
  }
  struct fd_closer {
    int fd;
    ~fd_closer() {
      if (fd > 0) ::close(fd);
    }
  } closer{is_stdin ? -1 : fd};
  const std::string name = is_stdin ? "stdin" : a.file;
  std::string prefix = read_prefix(fd, std::size_t{1} << 16);
  const ingest_format f = stream_format(options, a.file, prefix);
  if (f != ingest_format::csv && f != ingest_format::jsonl) {
    throw failure(usage, name + ": " + std::string(to_string(f)) +
                             " files cannot be read from a pipe or standard input: give the file's path");
  }
  prefixed_fd_buf buf(fd, std::move(prefix));
  std::istream in(&buf);
  return f == ingest_format::jsonl ? stream_responses_jsonl(in, name, options, sink)
                                   : stream_responses_csv(in, name, options, sink);
}

}  // namespace

void check_no_clobber(const input_args& a, std::vector<named_path> outputs) {
  outputs.insert(outputs.begin(), named_path{"--rejects", a.rejects});
  check_outputs({{"FILE", a.file}, {"--mapping", a.mapping}}, outputs);
}

ingest_report read_input(const input_args& a, const context& ctx,
                         const std::function<void(const response_batch&)>& on_batch,
                         std::vector<ingest_reject>* keep_rejects, std::size_t keep_max) {
  check_no_clobber(a);
  std::error_code ec;
  const bool regular = a.file != "-" && std::filesystem::is_regular_file(a.file, ec);
  if (!regular && a.file != "-") {
    const auto st = std::filesystem::status(a.file, ec);
    if (!std::filesystem::exists(st)) throw failure(io_failure, a.file + ": cannot read: no such file");
    if (std::filesystem::is_directory(st)) throw failure(io_failure, a.file + ": cannot read: a directory");
  }
  const auto options = make_ingest_options(a);
  std::unique_ptr<output_file> rejects_out;
  std::unique_ptr<reject_csv_writer> rejects_writer;
  std::uint64_t rejects_written = 0;
  if (!a.rejects.empty()) {
    rejects_out = std::make_unique<output_file>(a.rejects);
    rejects_writer = std::make_unique<reject_csv_writer>(rejects_out->stream());
  }
  const bool show = !ctx.quiet && ::isatty(STDERR_FILENO) != 0;
  const auto size = regular ? std::filesystem::file_size(a.file, ec) : 0;
  progress_line progress(show, regular && !ec ? size : 0, show && regular ? sample_bytes_per_line(a.file) : 1.0);
  std::uint64_t rows = 0;

  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) {
    rows += b.size();
    if (!b.line().empty()) progress.update(rows, b.line().back());
    on_batch(b);
  };
  sink.on_reject = [&](const ingest_reject& r) {
    if (rejects_writer) {
      (*rejects_writer)(r);
      ++rejects_written;
    }
    if (keep_rejects && keep_rejects->size() < keep_max) keep_rejects->push_back(r);
  };
  ingest_report report;
  try {
    report = regular ? stream_responses(a.file, options, sink) : stream_input(a, options, sink);
  } catch (const cxm::error&) {
    progress.finish();
    // Strict mode stopped at a reject: the rejects file is complete with it.
    if (rejects_out && options.errors == on_error::strict && rejects_written > 0) rejects_out->commit();
    throw;
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  if (rejects_out) rejects_out->commit();
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
  // How a CSV file was split: the value, and whether it was detected or given.
  auto shown = [](char c) { return c == '\t' ? std::string("tab") : std::string(1, c); };
  if (r.delimiter != 0) {
    t.add({cell("delimiter"), cell(shown(r.delimiter))});
    t.add({cell("delimiter detected"), cell(r.delimiter_detected)});
  }
  if (r.decimal_point != 0) {
    t.add({cell("decimal point"), cell(shown(r.decimal_point))});
    t.add({cell("decimal point detected"), cell(r.decimal_point_detected)});
  }
  return t;
}

}  // namespace cxm::cli
