// Internal: the window/thread driver of the line-oriented readers (CSV, JSON
// Lines). Not installed.
//
// The input is read in windows. A window is the carry (the unfinished record
// of the previous window, starting at a record boundary) followed by new
// input cut into pieces (threads × 4 pieces of chunk_bytes / 4 with several
// threads, one piece of chunk_bytes with one); piece k covers [b_k, b_{k+1})
// (piece 0 also holds the carry). Threads claim pieces from a counter, so
// uneven pieces even out. A window runs in four phases, the parallel ones on
// every thread, the serial ones on one (std::barrier completion):
//
//   A (parallel)  read a piece (pread: positional sources) and measure it:
//                 quotes mod 2 and line breaks
//   B (serial)    prefix over the pieces: whether each b_k is inside quotes
//                 and its line number (two-state transition per piece: the
//                 parity of quotes decides the state at the piece's end; cf.
//                 Stehle & Jacobsen, ParPaRaw, PVLDB 13(5), 2020, which keeps
//                 one state-machine transition vector per chunk)
//   C (parallel)  find the first record start at or after b_k in that state
//                 and parse the records that start in piece k (they may run
//                 past b_{k+1}; the bytes are there)
//   D (serial)    validation in piece order. Piece k's result is used only if
//                 it started where piece k-1 truly ended (same byte, same
//                 line); otherwise (quote parity disagreed with the CSV state
//                 machine because of malformed quoting earlier) piece k is
//                 parsed again from the true position, so the output never
//                 depends on the split — the speculate-then-validate scheme of
//                 Ge et al., "Speculative Distributed CSV Data Parsing for Big
//                 Data Analytics", SIGMOD 2019, with the quote-parity prefix as
//                 the speculation. The unfinished tail becomes the next carry.
//
// Parsed pieces own their output (rows, dictionaries, rejects), so the window
// buffer is free again after D. Delivery to the session (and the sink) runs
// on the calling thread during phase C of the next window, from the other of
// two output sets, before that thread claims pieces: the serial delivery
// overlaps parsing instead of holding the other threads at a barrier.
//
// Positional sources (regular files, memory) read by several threads take a
// pipeline instead, with no barrier: the same four steps, per piece rather
// than per window. Pieces are numbered from the first record boundary and
// claimed in order; each thread reads its own piece (plus the byte before it
// and an overlap after it, extended until the piece's last record ends),
// measures it, then waits only until the piece before has published the quote
// state and line at their shared edge, publishes its own end state (the
// prefix of phase B as a chain: a piece's wait is about one read and measure
// of the one before, never a parse) and parses. The calling thread validates
// and delivers pieces in order as they are parsed (phase D); a ring of
// threads × 4 pieces bounds the pieces in flight. Whatever the validation
// cannot use (a speculation that disagrees with the state machine, a record
// longer than the overlap may grow) hands the input back, at the last
// validated record boundary, to the window driver on one thread, which
// parses past that place before the pipeline starts again from a record
// boundary.
//
// A record longer than max_record_bytes that does not end in a window holding
// more than max_record_bytes of it is streamed past (format skipper: to the
// end of its first line) and reported as one record_too_long reject. A CSV
// record whose quotes never close is decided by the parser inside the window
// (io/csv.cpp): it ends at its first line break, so the lines after it are
// parsed again from the buffer, on whichever path (window driver, pipeline,
// or the window driver after a hand-back) reads them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/ingest_internal.hpp"

namespace cxm::inline v0_1::detail {

/// A window as the formats see it: bytes [0, size) are readable (and 64
/// zero bytes after them); records may only end before `usable`; `eof`
/// says the input ends at `size`.
struct window_view {
  const char* buf = nullptr;
  std::size_t size = 0;
  std::size_t usable = 0;
  bool eof = false;
};

struct measure_result {
  std::uint64_t terms = 0;    ///< line breaks (LF, lone CR; a CR at the last byte not counted)
  bool quote_odd = false;     ///< odd number of '"'
  bool ends_with_cr = false;  ///< the last byte is a CR
};

struct parse_result {
  std::size_t start = 0;     ///< where parsing began
  std::uint64_t line0 = 0;   ///< line at start
  std::size_t end = 0;       ///< first record start not parsed
  std::uint64_t line = 0;    ///< line at end
  bool incomplete = false;   ///< a record that starts before the stop does not end in the usable bytes
  bool valid = false;
};

/// Per-thread state of a format (chunk output, builder, scratch).
class text_worker {
 public:
  explicit text_worker(const row_plan& plan) : out(plan.fields), builder(plan) { builder.attach(&out); }
  virtual ~text_worker() = default;
  text_worker(const text_worker&) = delete;
  text_worker& operator=(const text_worker&) = delete;
  chunk_out out;
  row_builder builder;
};

/// Finds the end of a record too long to hold, fed in pieces: the end of its
/// first line (CSV, JSON Lines).
class record_skipper {
 public:
  virtual ~record_skipper() = default;
  /// Consumes bytes of the record; true when it ended, `used` then says how
  /// many bytes (terminator included). `lines` counts line breaks passed.
  virtual bool feed(const char* p, std::size_t n, std::size_t& used, std::uint64_t& lines) = 0;
  /// Bytes of the record before its line break (or before the end of input).
  [[nodiscard]] virtual std::uint64_t length() const noexcept = 0;
};

class text_format {
 public:
  virtual ~text_format() = default;
  [[nodiscard]] virtual std::unique_ptr<text_worker> make_worker(const row_plan& plan) const = 0;
  [[nodiscard]] virtual measure_result measure(const char* buf, std::size_t b, std::size_t e) const = 0;
  /// Bytes of a window of `size` bytes that records may end in.
  [[nodiscard]] virtual std::size_t usable_end(const char* buf, std::size_t size, bool eof) const = 0;
  /// First record start at or after b (b > 0), given whether b is inside
  /// quotes; advances `line` to it. npos when there is none before usable.
  [[nodiscard]] virtual std::size_t first_record_start(const window_view& w, std::size_t b, bool inside,
                                                       std::uint64_t& line) const = 0;
  /// Parses the records that start in [s, stop); s is a record start at `line`.
  virtual parse_result parse(const window_view& w, std::size_t s, std::size_t stop, std::uint64_t line,
                             text_worker& worker) const = 0;
  [[nodiscard]] virtual std::unique_ptr<record_skipper> make_skipper() const = 0;
  /// Reason of a record_too_long reject.
  [[nodiscard]] virtual std::string too_long_reason(std::size_t max_bytes) const = 0;
};

/// The input buffer and the driver.
class text_reader {
 public:
  text_reader(session& s, byte_source& src, const text_format& format);

  // Prologue helpers (serial, before run()).
  /// Reads up to n more bytes into the buffer; false when nothing was read.
  bool fill_more(std::size_t n);
  [[nodiscard]] const char* data() const noexcept { return buf_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return len_; }
  [[nodiscard]] bool at_eof() const noexcept { return eof_; }
  /// Drops the first n bytes; the buffer then starts at a record boundary at `line`.
  void consume(std::size_t n, std::uint64_t line);
  [[nodiscard]] std::uint64_t line() const noexcept { return line_; }
  /// Input offset of buf_[0].
  [[nodiscard]] std::uint64_t offset() const noexcept { return file_next_ - len_; }

  /// A range read (io/ingest_options.hpp, byte_range), after the prologue
  /// consumed the header (offset() is where the first record starts): from
  /// here on only the records that start in [r.begin, r.end) are read. A
  /// record starts after a line break (LF, CRLF, and a lone CR when
  /// `lone_cr` says so: CSV) at or after the first record. A range that
  /// starts past the first record numbers its lines from 1 at `first`;
  /// what lies before the first record (header, byte order mark, empty
  /// lines) is the range's that holds byte 0 (`head`): its bytes count as
  /// read there only.
  struct range_bounds {
    std::uint64_t first = 0;  ///< the first record read
    std::uint64_t next = 0;   ///< the record after the last one; uint64 max: the input's end
    bool head = false;        ///< the range holds byte 0
  };
  range_bounds restrict_to(const byte_range& r, bool lone_cr);

  /// Reads the rest of the input, delivering every chunk to the session.
  void run();

 private:
  struct window_state;
  /// The window driver. Returns true when the input is done; false once the
  /// record boundary at buf_[0] lies past file offset `until`.
  bool run_windows(unsigned threads, std::uint64_t until);
  /// The pipeline (positional sources, threads > 1), from the record
  /// boundary at buf_[0]. Returns true when the input is done; false when it
  /// handed the input back (buf_ then empty at a record boundary).
  bool run_pipeline(unsigned threads, std::size_t chunk);
  /// Counts the input up to file offset `offset` as read (once).
  void count_to(std::uint64_t offset);
  void ensure_capacity(std::size_t n);
  /// The first record start at or after offset p (> offset(): past the
  /// first record); uint64 max when the input ends before one.
  std::uint64_t record_start_from(std::uint64_t p, bool lone_cr);
  void skip_long_record(std::uint64_t line);

  session& session_;
  byte_source* src_;
  std::unique_ptr<byte_source> clipped_;  ///< src_ of a range read
  const text_format& format_;
  std::vector<char> buf_;
  std::size_t len_ = 0;
  std::uint64_t file_next_ = 0;  ///< input offset of the next unread byte
  std::uint64_t counted_ = 0;    ///< input offset up to which bytes are in the summary
  std::uint64_t line_ = 1;       ///< line at buf_[0]
  bool eof_ = false;
};

}  // namespace cxm::detail
