// `cxm alerts FILE [--rules rules.json] [--follow] [--out FILE]`: close-the-
// loop alerts (alerts/alert_engine.hpp) over a file of responses, written as
// JSON Lines, one record per (response, matching rule): alerts, and the
// suppressions of the rules' cool-downs with their reasons.
//
// Without --rules the default rule runs: an alert for every NPS of 6 or less.
// Replay (the default) reads FILE (or standard input, '-') to its end with the
// usual input flags. --follow then keeps reading what is appended to FILE (or
// arrives on standard input), polling every --poll seconds, until
// --follow-timeout seconds pass without new bytes (0: until standard input
// closes, or for ever on a file). Followed text is read in whole records:
// CSV up to the last line break outside quotes, JSON Lines up to the last
// line break; a record without its line break waits for it (or the end).
// Line numbers in rejects and errors count from the top of the file.
//
// Output goes to standard output or --out (written and flushed line by line,
// so a reader of the file sees each alert at once). A summary line goes to
// stderr unless --quiet. Exit codes: 0; 1 bad data under --strict; 2 a bad
// rules file or flag; 3 a file that cannot be read, or records that could not
// be written (they are counted in the summary).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cli/output_file.hpp"
#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_engine.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/jsonl.hpp"

namespace cxm::inline v0_1::cli {

namespace {

struct alerts_args {
  input_args input;
  std::string rules;
  std::string out;
  bool follow = false;
  double follow_timeout = 0.0;
  double poll = 0.2;
};

std::vector<alert_rule> load_rules(const std::string& path) {
  if (path.empty()) return {alert_rule::detractor()};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw failure(io_failure, path + ": cannot read the rules file");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw failure(io_failure, path + ": cannot read the rules file");
  return parse_alert_rules(text.str(), path);
}

// Where a chunk of followed text may be cut: just after the last line break
// outside quotes (CSV, `text` starting outside quotes; a doubled quote
// toggles twice) or after the last line break (JSON Lines). 0: no whole
// record yet.
std::size_t record_end(std::string_view text, bool csv) {
  if (!csv) {
    const auto nl = text.rfind('\n');
    return nl == std::string_view::npos ? 0 : nl + 1;
  }
  bool quoted = false;
  std::size_t end = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\n' && !quoted) {
      end = i + 1;
    }
  }
  return end;
}

// Reads appended text of a file or standard input and feeds whole records to
// the engine, until the idle timeout or the end of standard input.
class follower {
 public:
  follower(const alerts_args& a, const ingest_options& options, ingest_sink sink)
      : a_(a), options_(options), sink_(std::move(sink)) {}

  void run() {
    const bool is_stdin = a_.input.file == "-";
    name_ = is_stdin ? "stdin" : a_.input.file;
    int fd = 0;
    if (!is_stdin) {
      fd = ::open(a_.input.file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw failure(io_failure, a_.input.file + ": cannot read: " + std::strerror(errno));
    }
    struct closer {
      int fd;
      ~closer() {
        if (fd > 0) ::close(fd);
      }
    } close_it{fd};
    using clock = std::chrono::steady_clock;
    auto last_data = clock::now();
    const auto poll_ms = std::max(1, static_cast<int>(a_.poll * 1000.0));
    char buf[1 << 16];
    for (;;) {
      bool got = false;
      bool eof = false;
      if (is_stdin) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, poll_ms);
        if (ready < 0 && errno != EINTR) throw failure(io_failure, "stdin: cannot read: " + std::string(std::strerror(errno)));
        if (ready > 0) {
          const auto n = ::read(fd, buf, sizeof buf);
          if (n < 0 && errno != EINTR && errno != EAGAIN) {
            throw failure(io_failure, "stdin: cannot read: " + std::string(std::strerror(errno)));
          }
          if (n == 0) eof = true;
          if (n > 0) {
            pending_.append(buf, static_cast<std::size_t>(n));
            got = true;
          }
        }
      } else {
        for (;;) {
          const auto n = ::read(fd, buf, sizeof buf);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) throw failure(io_failure, name_ + ": cannot read: " + std::string(std::strerror(errno)));
          if (n == 0) break;
          pending_.append(buf, static_cast<std::size_t>(n));
          got = true;
        }
      }
      if (got) {
        last_data = clock::now();
        feed(false);
      }
      if (eof) break;
      if (a_.follow_timeout > 0.0 &&
          std::chrono::duration<double>(clock::now() - last_data).count() >= a_.follow_timeout) {
        break;
      }
      if (!is_stdin && !got) std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
    feed(true);
  }

 private:
  // Parses the whole records in pending_ (all of it when `last`).
  void feed(bool last) {
    if (!format_) {
      if (pending_.empty()) return;
      const auto first = pending_.find_first_not_of(" \t\r\n");
      if (first == std::string::npos) return;
      if (options_.format) {
        format_ = *options_.format;
      } else if (a_.input.file != "-" && (a_.input.file.ends_with(".jsonl") || a_.input.file.ends_with(".ndjson"))) {
        format_ = ingest_format::jsonl;
      } else if (a_.input.file != "-" && (a_.input.file.ends_with(".csv") || a_.input.file.ends_with(".tsv") ||
                                          a_.input.file.ends_with(".txt"))) {
        format_ = ingest_format::csv;
      } else {
        format_ = pending_[first] == '{' ? ingest_format::jsonl : ingest_format::csv;
      }
      if (*format_ != ingest_format::csv && *format_ != ingest_format::jsonl) {
        throw failure(usage, name_ + ": --follow reads CSV or JSON Lines only");
      }
    }
    const bool csv = *format_ == ingest_format::csv;
    if (csv && header_.empty()) {
      // The header: the first non-empty line (whole, outside quotes).
      const auto end = record_end(pending_, true);
      std::size_t start = 0;
      while (start < end) {
        const auto nl = pending_.find('\n', start);
        const std::string_view line(pending_.data() + start, nl - start);
        ++lines_;
        start = nl + 1;
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
          header_ = std::string(line);
          break;
        }
      }
      if (header_.empty() && last && !pending_.empty()) header_ = pending_;  // a header alone, no line break
      pending_.erase(0, header_.empty() ? (last ? pending_.size() : start) : start);
      if (header_.empty()) return;
    }
    const std::size_t cut = last ? pending_.size() : record_end(pending_, csv);
    if (cut == 0) return;
    // The header, then one empty line per line already read, keep the line
    // numbers of rejects and errors those of the file.
    std::string text;
    if (csv) text = header_ + '\n';
    text.append(csv ? lines_ - 1 : lines_, '\n');
    text.append(pending_, 0, cut);
    for (std::size_t i = 0; i < cut; ++i) lines_ += pending_[i] == '\n' ? 1 : 0;
    pending_.erase(0, cut);
    const auto r = csv ? stream_responses_csv_text(text, name_, options_, sink_)
                       : stream_responses_jsonl_text(text, name_, options_, sink_);
    summary_.rows_read += r.summary.rows_read;
    summary_.accepted += r.summary.accepted;
    summary_.rejected += r.summary.rejected;
  }

 public:
  ingest_summary summary_;

 private:
  const alerts_args& a_;
  const ingest_options& options_;
  ingest_sink sink_;
  std::string name_;
  std::string pending_;
  std::string header_;
  std::optional<ingest_format> format_;
  std::uint64_t lines_ = 0;  // lines of the file consumed (the header's included)
};

void run_alerts(alerts_args& a, const context& ctx) {
  check_no_clobber(a.input, {{"--out", a.out}});
  check_outputs({{"--rules", a.rules}}, {{"--out", a.out}});
  auto rules = load_rules(a.rules);
  std::ofstream file_out;
  std::ostream* out = ctx.out;
  if (!a.out.empty() && a.out != "-") {
    file_out.open(a.out, std::ios::binary | std::ios::trunc);
    if (!file_out) throw failure(io_failure, a.out + ": cannot write: " + std::strerror(errno));
    out = &file_out;
  }
  alert_engine engine(std::move(rules));
  engine.add_sink(jsonl_sink(*out));
  ingest_summary summary;
  if (!a.follow) {
    const auto read = read_input(a.input, ctx, [&](const response_batch& b) { engine.process(b); });
    summary = read.summary;
  } else {
    if (!a.input.rejects.empty()) throw failure(usage, "--rejects cannot be used with --follow");
    const auto options = make_ingest_options(a.input);
    ingest_sink sink;
    sink.on_batch = [&](const response_batch& b) { engine.process(b); };
    sink.on_reject = [&](const ingest_reject& r) {
      if (a.input.strict) r.raise();
      if (!ctx.quiet) *ctx.err << capped_message("cxm: rejected: " + r.message()) << '\n';
    };
    follower f(a, options, sink);
    f.run();
    summary = f.summary_;
  }
  const auto& c = engine.counts();
  if (!ctx.quiet) {
    *ctx.err << "cxm: " << c.responses << " responses, " << c.matches << " matches: " << c.alerts << " alerts, "
             << c.suppressed << " suppressed, " << c.failed << " failed; " << summary.rejected << " rows rejected\n";
  }
  if (c.failed > 0) {
    throw failure(io_failure, (a.out.empty() ? std::string("standard output") : a.out) + ": cannot write " +
                                  std::to_string(c.failed) + " alert records");
  }
}

}  // namespace

void register_alerts(CLI::App& app, context& ctx) {
  auto args = std::make_shared<alerts_args>();
  auto* sub = app.add_subcommand(
      "alerts", "Close-the-loop alerts (NPS 6 or less, or the rules of --rules) as JSON Lines, replayed or followed");
  add_input_flags(*sub, args->input);
  sub->add_option("--rules", args->rules, "Rules file (JSON, see the README); default: alert on NPS 6 or less");
  sub->add_option("--out", args->out, "Write the records to this file (default: standard output)");
  sub->add_flag("--follow", args->follow, "Keep reading what is appended to FILE (or arrives on standard input)");
  sub->add_option("--follow-timeout", args->follow_timeout,
                  "With --follow: stop after this many seconds without new input (0: never on a file, at the end "
                  "of standard input)")
      ->transform(decimal_arg(-1e-300, 1e9, "a number of seconds >= 0"));
  sub->add_option("--poll", args->poll, "With --follow: seconds between reads of a file (default 0.2)")
      ->transform(decimal_arg(0.0, 3600.0, "a number of seconds > 0 and < 3600"));
  sub->add_flag("-q,--quiet", ctx.quiet, "No summary line on stderr");
  sub->callback([args, &ctx] { run_alerts(*args, ctx); });
}

}  // namespace cxm::cli
