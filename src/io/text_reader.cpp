// The window/thread driver of the line-oriented readers; see text_reader.hpp.
#include "io/text_reader.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::detail {

namespace {
constexpr std::size_t kPadding = 64;           // zero bytes after the data (SIMD blocks read past the end)
constexpr std::size_t kPrefixBytes = 256;      // bytes of a too-long record kept in its reject
constexpr std::size_t kSkipRead = 1 << 16;     // read size while skipping a too-long record
// Pieces per thread in a window: threads claim pieces as they finish, so
// uneven pieces (and the calling thread's delivery) even out.
constexpr std::size_t kPiecesPerThread = 4;
// The pipeline: pieces in flight per thread, and the bytes read past a piece
// for its last record (doubled while that record does not end in them, up
// to the most; a longer record goes to the window driver).
constexpr std::size_t kSlotsPerThread = 4;
constexpr std::size_t kOverlap = 4096;
constexpr std::size_t kMaxOverlap = std::size_t{1} << 18;
}  // namespace

text_reader::text_reader(session& s, byte_source& src, const text_format& format)
    : session_(s), src_(&src), format_(format) {
  buf_.assign(kPadding, '\0');
}

void text_reader::ensure_capacity(std::size_t n) {
  if (buf_.size() < n + kPadding) buf_.resize(std::max(n + kPadding, buf_.size() + buf_.size() / 2));
}

bool text_reader::fill_more(std::size_t n) {
  if (eof_) return false;
  ensure_capacity(len_ + n);
  const std::size_t got = src_->positional() ? src_->read_at(file_next_, buf_.data() + len_, n)
                                            : src_->read(buf_.data() + len_, n);
  if (got < n) eof_ = true;
  len_ += got;
  file_next_ += got;
  count_to(file_next_);
  std::memset(buf_.data() + len_, 0, kPadding);
  return got > 0;
}

void text_reader::count_to(std::uint64_t offset) {
  if (offset > counted_) {
    session_.add_bytes(offset - counted_);
    counted_ = offset;
  }
}

void text_reader::consume(std::size_t n, std::uint64_t line) {
  n = std::min(n, len_);
  std::memmove(buf_.data(), buf_.data() + n, len_ - n);
  len_ -= n;
  line_ = line;
  std::memset(buf_.data() + len_, 0, kPadding);
}

std::uint64_t text_reader::record_start_from(std::uint64_t p, bool lone_cr) {
  // Scans from the byte before p for the first line break ending at or
  // after it; a CR ending a block is decided by the byte after it.
  constexpr std::size_t kBlock = 1 << 16;
  constexpr auto kLast = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());  // pread's bound
  if (p - 1 > kLast) return static_cast<std::uint64_t>(-1);
  std::vector<char> b(kBlock + 1);
  for (std::uint64_t at = p - 1;; at += kBlock) {
    const std::size_t got = src_->read_at(at, b.data(), kBlock + 1);
    for (std::size_t i = 0; i < std::min(got, kBlock); ++i) {
      if (b[i] == '\n') return at + i + 1;
      if (b[i] == '\r' && i + 1 < got && b[i + 1] == '\n') return at + i + 2;
      if (b[i] == '\r' && lone_cr) return at + i + 1;  // before a byte that is not LF, or at the end
    }
    if (got <= kBlock) return static_cast<std::uint64_t>(-1);
  }
}

text_reader::range_bounds text_reader::restrict_to(const byte_range& r, bool lone_cr) {
  constexpr auto kEnd = static_cast<std::uint64_t>(-1);
  if (!src_->positional()) {
    location where;
    where.file = session_.source();
    where.field = "range";
    throw invalid_argument("a byte range reads a file or memory, not a stream", where);
  }
  const std::uint64_t data = offset();
  const std::uint64_t first = r.begin <= data ? data : record_start_from(r.begin, lone_cr);
  const std::uint64_t next = r.end <= first || first == kEnd ? first
                             : r.end == kEnd                 ? kEnd
                                                             : record_start_from(r.end, lone_cr);
  const bool none = first == kEnd || first >= next;  // no record starts in the range
  if (first > data && !none) {
    session_.set_source(session_.source() + "[" + std::to_string(first) + ":" +
                        (next == kEnd ? std::string() : std::to_string(next)) + "]");
    line_ = 1;
  }
  const bool head = r.begin == 0 && r.end > 0;
  session_.set_bytes(head ? data : 0);
  file_next_ = first == kEnd ? 0 : first;
  clipped_ = clipped_source(*src_, file_next_, none ? file_next_ : next);
  src_ = clipped_.get();
  len_ = 0;
  eof_ = none;
  counted_ = file_next_;
  std::memset(buf_.data(), 0, kPadding);
  return {first, next, head};
}

void text_reader::skip_long_record(std::uint64_t line) {
  // The record starts at buf_[0] and is longer than max_record_bytes. Its
  // reject shows its first kPrefixBytes, however few bytes the window holds.
  while (len_ < kPrefixBytes && fill_more(kPrefixBytes - len_)) {
  }
  const std::string prefix(buf_.data(), std::min(kPrefixBytes, len_));
  auto skipper = format_.make_skipper();
  std::size_t used = 0;
  std::uint64_t lines = 0;
  bool ended = skipper->feed(buf_.data(), len_, used, lines);
  std::size_t rest = ended ? used : len_;
  while (!ended) {
    len_ = 0;
    rest = 0;
    if (!fill_more(kSkipRead)) break;
    ended = skipper->feed(buf_.data(), len_, used, lines);
    rest = ended ? used : len_;
  }
  consume(rest, line + lines);
  pending_reject r;
  r.line = line;
  r.value = escape_non_utf8(std::string_view(prefix).substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(
                                                                    prefix.size(), skipper->length()))));
  r.reason = format_.too_long_reason(session_.options().max_record_bytes);
  r.cause = reject_cause::record_too_long;
  session_.deliver_reject(std::move(r));
}

struct text_reader::window_state {
  unsigned threads = 1;
  std::size_t max_pieces = 1;  // pieces per window at most (threads × kPiecesPerThread)
  std::size_t chunk = 1;       // new bytes per thread and window
  std::size_t piece = 1;       // new bytes per piece
  std::size_t pieces = 1;      // pieces of new input per window
  std::size_t carry = 0;
  std::size_t npieces = 0;     // pieces that hold bytes of this window
  bool positional = false;
  bool done = false;
  bool skip_pending = false;   // a record too long to hold starts the buffer
  unsigned set = 0;            // output set parsed into in this window
  window_view w;
  std::vector<std::size_t> got;
  std::vector<std::size_t> begin;
  std::vector<measure_result> m;
  std::vector<char> inside;
  std::vector<std::uint64_t> line_at;
  std::vector<parse_result> res;
  std::vector<std::exception_ptr> errors;  // per thread
  std::array<std::vector<std::size_t>, 2> ready;  // per set: pieces to deliver, in order
  std::atomic<std::size_t> next_a{0};
  std::atomic<std::size_t> next_c{0};
  std::size_t piece_begin(std::size_t k) const noexcept { return k == 0 ? 0 : carry + k * piece; }
  std::size_t piece_stop(std::size_t k) const noexcept { return k + 1 < npieces ? begin[k + 1] : w.size; }
  void set_chunk(std::size_t c) noexcept {
    chunk = c;
    const std::size_t per = threads == 1 ? 1 : std::min<std::size_t>(kPiecesPerThread, c);
    piece = c / per;
    pieces = threads * per;
  }
};

namespace {
// A chunk larger than the input would only allocate and clear memory: an
// input of known size gets chunks just large enough to hold it in one window
// (never larger than asked; the output does not depend on it).
std::size_t chunk_for(const ingest_options& o, const byte_source& src, unsigned threads) {
  std::size_t chunk = o.chunk_bytes;
  if (const auto n = src.size_hint()) {
    chunk = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, std::max<std::uint64_t>(*n / threads + 1, 4096)));
  }
  return chunk;
}
}  // namespace

void text_reader::run() {
  const ingest_options& o = session_.options();
  unsigned threads = o.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : o.threads;
  threads = std::min(threads, 256U);
  if (threads > 1 && src_->positional()) {
    const std::size_t chunk = chunk_for(o, *src_, threads);
    for (;;) {
      if (run_pipeline(threads, chunk)) return;
      // Handed back at file_next_: one thread parses past that place.
      if (run_windows(1, file_next_)) return;
    }
  }
  (void)run_windows(threads, std::numeric_limits<std::uint64_t>::max());
}

bool text_reader::run_windows(unsigned threads, std::uint64_t until) {
  const ingest_options& o = session_.options();
  const std::size_t base_chunk = chunk_for(o, *src_, threads);
  window_state st;
  st.threads = threads;
  st.max_pieces = threads == 1 ? 1 : std::size_t{threads} * kPiecesPerThread;
  st.set_chunk(base_chunk);
  st.positional = src_->positional();
  st.got.assign(st.max_pieces, 0);
  st.begin.assign(st.max_pieces, 0);
  st.m.assign(st.max_pieces, measure_result{});
  st.inside.assign(st.max_pieces, 0);
  st.line_at.assign(st.max_pieces, 0);
  st.res.assign(st.max_pieces, parse_result{});
  st.errors.assign(threads, nullptr);

  // Two output sets when threads > 1: one window is delivered from one
  // while the next is parsed into the other.
  const std::size_t nsets = threads == 1 ? 1 : 2;
  std::vector<std::unique_ptr<text_worker>> workers;
  for (std::size_t k = 0; k < nsets * st.max_pieces; ++k) workers.push_back(format_.make_worker(session_.plan()));
  auto worker = [&](unsigned set, std::size_t k) -> text_worker& { return *workers[set * st.max_pieces + k]; };

  // Sequential sources are read whole before the window's pieces are measured.
  auto serial_fill = [&] {
    std::fill(st.got.begin(), st.got.end(), 0);
    if (eof_) return;
    const std::size_t want = st.pieces * st.piece;
    const std::size_t got = src_->read(buf_.data() + len_, want);
    for (std::size_t k = 0; k < st.pieces; ++k) {
      const std::size_t lo = k * st.piece;
      st.got[k] = got > lo ? std::min(st.piece, got - lo) : 0;
    }
  };
  auto prepare = [&] {
    st.carry = len_;
    ensure_capacity(len_ + st.pieces * st.piece);
    if (!st.positional) serial_fill();
  };

  // Phase A: read piece k (positional sources) and measure it.
  auto phase_a = [&](std::size_t k) {
    if (st.positional) {
      st.got[k] = eof_ ? 0
                       : src_->read_at(file_next_ + static_cast<std::uint64_t>(k) * st.piece,
                                      buf_.data() + st.carry + k * st.piece, st.piece);
    }
    // Only pieces followed by another need measuring (the last one's state
    // is never used); contiguity is checked in phase B.
    if (k + 1 < st.pieces && st.got[k] == st.piece) {
      st.m[k] = format_.measure(buf_.data(), st.piece_begin(k), st.carry + (k + 1) * st.piece);
    }
  };
  // Phase B: window size, prefix of quote states and lines.
  auto phase_b = [&] {
    std::size_t size = st.carry;
    bool eof = eof_;
    for (std::size_t k = 0; k < st.pieces; ++k) {
      size += st.got[k];
      if (st.got[k] < st.piece) {
        eof = true;
        break;
      }
    }
    file_next_ += size - st.carry;
    count_to(file_next_);
    len_ = size;
    eof_ = eof;
    std::memset(buf_.data() + size, 0, kPadding);
    st.w.buf = buf_.data();
    st.w.size = size;
    st.w.eof = eof;
    st.w.usable = format_.usable_end(buf_.data(), size, eof);
    st.npieces = 0;
    for (std::size_t k = 0; k < st.pieces; ++k) {
      const std::size_t b = st.piece_begin(k);
      if (k > 0 && b >= size) break;
      st.begin[k] = b;
      ++st.npieces;
    }
    if (size == 0) st.npieces = 0;
    st.inside[0] = 0;
    st.line_at[0] = line_;
    for (std::size_t k = 1; k < st.npieces; ++k) {
      const auto& m = st.m[k - 1];
      st.inside[k] = static_cast<char>(st.inside[k - 1] ^ (m.quote_odd ? 1 : 0));
      st.line_at[k] = st.line_at[k - 1] + m.terms + ((m.ends_with_cr && buf_[st.begin[k]] != '\n') ? 1 : 0);
    }
    for (auto& r : st.res) r.valid = false;
  };
  // Phase C: parse the records that start in piece k, from the speculated start.
  auto phase_c = [&](std::size_t k) {
    if (k >= st.npieces) return;
    text_worker& wk = worker(st.set, k);
    wk.out.clear();
    std::uint64_t line = st.line_at[k];
    const std::size_t stop = st.piece_stop(k);
    const std::size_t s = k == 0 ? 0 : format_.first_record_start(st.w, st.begin[k], st.inside[k] != 0, line);
    parse_result r;
    if (s != npos && s < stop) {
      r = format_.parse(st.w, s, stop, line, wk);
      r.valid = true;
    }
    r.start = s;
    r.line0 = line;
    st.res[k] = r;
  };
  // Delivery of a parsed window, in piece order (on the calling thread).
  auto deliver = [&](unsigned set) {
    auto& ready = st.ready[set];
    for (const std::size_t k : ready) session_.deliver(worker(set, k).out);
    ready.clear();
  };
  // Phase D: validate the speculation and keep the carry. Piece k's result
  // is used only if it started where piece k-1 truly ended; otherwise it is
  // parsed again from there. The pieces to deliver are listed in the set.
  auto phase_d = [&] {
    if (st.npieces == 0) {
      if (eof_) {
        st.done = true;
      } else {
        prepare();
      }
      return;
    }
    std::size_t pos = 0;
    std::uint64_t line = line_;
    auto& ready = st.ready[st.set];
    ready.clear();
    for (std::size_t k = 0; k < st.npieces; ++k) {
      const std::size_t stop = st.piece_stop(k);
      if (pos >= stop) continue;  // a record spans the whole piece
      parse_result& r = st.res[k];
      text_worker& wk = worker(st.set, k);
      if (!(r.valid && r.start == pos && r.line0 == line)) {
        wk.out.clear();
        r = format_.parse(st.w, pos, stop, line, wk);
        r.valid = true;
      }
      ready.push_back(k);
      pos = r.end;
      line = r.line;
      if (r.incomplete) break;
    }
    // No delivery runs now: the parsers may see the labels learnt so far.
    session_.sync_parse_channels();
    if (st.w.eof) {
      st.done = true;
      return;
    }
    const std::size_t progress = pos;
    consume(pos, line);
    if (st.w.usable > progress && st.w.usable - progress > o.max_record_bytes) {
      // Skipped by the calling thread, after this window's delivery (its
      // reject comes after those rows).
      st.skip_pending = true;
      return;
    }
    // No complete record in the window: read more next time (keeps the cost
    // of long records linear).
    st.set_chunk(progress == 0 ? std::min(st.chunk * 2, std::max(o.chunk_bytes, o.max_record_bytes)) : base_chunk);
    if (nsets == 2) st.set ^= 1U;
    prepare();
  };
  auto skip = [&] {
    deliver(st.set);
    skip_long_record(line_);
    if (eof_ && len_ == 0) {
      st.done = true;
      return;
    }
    st.set_chunk(base_chunk);
    if (nsets == 2) st.set ^= 1U;
    prepare();
  };

  prepare();
  if (threads == 1) {
    while (!st.done) {
      phase_a(0);
      phase_b();
      phase_c(0);
      phase_d();
      deliver(st.set);  // the only set; phase_d did not switch
      if (st.skip_pending) {
        skip();
        st.skip_pending = false;
      }
      if (!st.done && file_next_ - len_ > until) return false;
    }
    return true;
  }

  // Several threads. Each window takes two barriers: after phase A (whose
  // completion runs phase B) and after phase C (whose completion runs phase
  // D). Pieces are claimed from a counter, so a thread that finishes early
  // takes more. The calling thread first delivers the previous window (the
  // other output set) and then joins the parsing: delivery overlaps parsing
  // and never holds the other threads at a barrier.
  auto check_errors = [&]() noexcept {
    for (const auto& e : st.errors) {
      if (e) st.done = true;
    }
  };
  auto serial = [&](auto&& phase) noexcept {
    check_errors();
    if (st.done) return;
    try {
      phase();
    } catch (...) {
      st.errors[0] = st.errors[0] ? st.errors[0] : std::current_exception();
      st.done = true;
    }
  };
  auto after_a_done = [&]() noexcept {
    serial(phase_b);
    st.next_c.store(0, std::memory_order_relaxed);
  };
  auto after_c_done = [&]() noexcept {
    serial(phase_d);
    st.next_a.store(0, std::memory_order_relaxed);
  };
  std::barrier<decltype(after_a_done)> after_a(threads, after_a_done);
  std::barrier<decltype(after_c_done)> after_c(threads, after_c_done);
  // Every thread reads skip_pending between after_c and after_skip; it is
  // cleared only when all have arrived (clearing it in skip() let a thread
  // that read it late miss the barrier the others wait at).
  auto after_skip_done = [&]() noexcept { st.skip_pending = false; };
  std::barrier<decltype(after_skip_done)> after_skip(threads, after_skip_done);
  auto run_thread = [&](unsigned t) {
    for (;;) {
      try {
        for (std::size_t k; (k = st.next_a.fetch_add(1, std::memory_order_relaxed)) < st.pieces;) phase_a(k);
      } catch (...) {
        st.errors[t] = std::current_exception();
      }
      after_a.arrive_and_wait();
      if (st.done) return;
      try {
        if (t == 0) deliver(st.set ^ 1U);
        for (std::size_t k; (k = st.next_c.fetch_add(1, std::memory_order_relaxed)) < st.npieces;) phase_c(k);
      } catch (...) {
        st.errors[t] = std::current_exception();
      }
      after_c.arrive_and_wait();
      if (st.done) return;
      if (st.skip_pending) {
        if (t == 0) {
          try {
            skip();
          } catch (...) {
            st.errors[0] = std::current_exception();
            st.done = true;
          }
        }
        after_skip.arrive_and_wait();
        if (st.done) return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run_thread, t);
  run_thread(0);
  for (auto& th : pool) th.join();
  for (const auto& e : st.errors) {
    if (e) std::rethrow_exception(e);
  }
  deliver(st.set);  // the last window
  return true;
}

namespace {
/// One piece of the pipeline in a slot of the ring.
struct piece_slot {
  std::vector<char> buf;      // [lead byte] piece, overlap; kPadding zero bytes after
  std::uint64_t origin = 0;   // input offset of buf[0]
  std::size_t lead = 0;       // 1 when buf[0] is the byte before the piece
  std::size_t stop = 0;       // records that start before buf[stop] are the piece's
  bool last = false;          // the input ends in this piece
  window_view w;
  parse_result res;           // offsets in buf
  std::unique_ptr<text_worker> worker;
  std::atomic<std::uint64_t> parsed{0};  // index + 1 of the piece parsed here
};
}  // namespace

bool text_reader::run_pipeline(unsigned threads, std::size_t chunk) {
  constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
  const std::size_t piece = chunk / std::min<std::size_t>(kPiecesPerThread, chunk);
  const std::size_t nslots = std::size_t{threads} * kSlotsPerThread;
  const std::uint64_t base = file_next_ - len_;  // a record boundary, outside quotes, at line_
  std::vector<std::unique_ptr<piece_slot>> slots;
  for (std::size_t k = 0; k < nslots; ++k) {
    slots.push_back(std::make_unique<piece_slot>());
    slots.back()->worker = format_.make_worker(session_.plan());
  }
  auto slot = [&](std::uint64_t i) -> piece_slot& { return *slots[static_cast<std::size_t>(i % nslots)]; };
  session_.sync_parse_channels();  // nothing is parsed or delivered yet

  std::atomic<std::uint64_t> next{0};          // next piece to claim
  std::atomic<std::uint64_t> delivered{0};     // pieces validated (and delivered) in order
  std::atomic<std::uint64_t> chain{0};         // pieces whose end state is published
  std::atomic<std::uint64_t> end_piece{none};  // the piece the input ends in, once known
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> signal{0};        // changes on every event a thread may wait for
  bool chain_inside = false;                   // state at the start of piece `chain`
  std::uint64_t chain_line = line_;
  std::vector<std::exception_ptr> errors(threads);

  auto wake = [&] {
    signal.fetch_add(1);
    signal.notify_all();
  };
  // Waits until ready() holds; false when the pipeline stops first. The
  // signal is read before the condition, so a change in between ends the wait.
  auto wait_for = [&](auto&& ready) -> bool {
    for (;;) {
      const std::uint64_t seen = signal.load();
      if (stop.load()) return false;
      if (ready()) return true;
      signal.wait(seen);
    }
  };
  auto lower_end = [&](std::uint64_t i) {
    std::uint64_t e = end_piece.load();
    while (i < e && !end_piece.compare_exchange_weak(e, i)) {
    }
    wake();
  };

  // Read, measure, take the start state from the chain, publish the end
  // state, parse.
  auto process = [&](std::uint64_t i) {
    piece_slot& s = slot(i);
    s.lead = i == 0 ? 0 : 1;
    s.origin = base + i * piece - s.lead;
    const std::size_t want = s.lead + piece + kOverlap;
    if (s.buf.size() < want + kPadding) s.buf.resize(want + kPadding);
    std::size_t got = src_->read_at(s.origin, s.buf.data(), want);
    bool eof = got < want;
    const std::size_t own = got > s.lead ? std::min(piece, got - s.lead) : 0;
    if (i > 0 && own == 0) {  // past the end of the input
      lower_end(i - 1);
      return;
    }
    s.last = eof && got - s.lead <= piece;
    if (s.last) lower_end(i);
    // Zero padding after the bytes read, and the view the format parses.
    auto set_view = [&] {
      std::memset(s.buf.data() + got, 0, kPadding);
      s.w = window_view{s.buf.data(), got, format_.usable_end(s.buf.data(), got, eof), eof};
    };
    set_view();
    measure_result m;
    if (!s.last) m = format_.measure(s.buf.data(), s.lead, s.lead + piece);

    if (!wait_for([&] { return chain.load() == i; })) return;
    const bool inside = chain_inside;
    std::uint64_t line = chain_line;
    const bool crlf_across = m.ends_with_cr && s.lead + piece < got && s.buf[s.lead + piece] == '\n';
    chain_inside = inside != m.quote_odd;
    chain_line = line + m.terms + ((m.ends_with_cr && !crlf_across) ? 1 : 0);
    chain.store(i + 1);
    wake();

    s.stop = s.last ? got : s.lead + piece;
    text_worker& wk = *s.worker;
    wk.out.clear();
    const std::size_t start = i == 0 ? 0 : format_.first_record_start(s.w, s.lead, inside, line);
    parse_result r;
    if (start != npos && start < s.stop) {
      r = format_.parse(s.w, start, s.stop, line, wk);
      // The piece's last record runs past the bytes read: read more.
      while (r.incomplete && !eof && got - s.lead - piece < kMaxOverlap) {
        const std::size_t more = std::max(got - s.lead - piece, kOverlap);
        s.buf.resize(got + more + kPadding);
        const std::size_t g = src_->read_at(s.origin + got, s.buf.data() + got, more);
        got += g;
        eof = g < more;
        set_view();
        const parse_result more_r = format_.parse(s.w, r.end, s.stop, r.line, wk);
        r.end = more_r.end;
        r.line = more_r.line;
        r.incomplete = more_r.incomplete;
      }
      r.valid = true;
    }
    r.start = start;
    r.line0 = line;
    s.res = r;
    s.parsed.store(i + 1);
    wake();
  };

  // Validation and delivery in piece order (calling thread only).
  std::uint64_t at = base;  // the first record start not delivered
  std::uint64_t at_line = line_;
  bool finished = false;    // the input is done
  auto next_parsed = [&] {
    const std::uint64_t d = delivered.load();
    return slot(d).parsed.load() == d + 1;
  };
  auto deliver_next = [&] {
    const std::uint64_t d = delivered.load();
    piece_slot& s = slot(d);
    bool handover = false;
    if (at < s.origin + s.stop) {  // else a record of an earlier piece spans this one
      const parse_result& r = s.res;
      if (r.valid && s.origin + r.start == at && r.line0 == at_line) {
        session_.deliver(s.worker->out);
        at = s.origin + r.end;
        at_line = r.line;
        handover = r.incomplete;
      } else {
        handover = true;
      }
    }
    finished = !handover && s.last;
    delivered.store(d + 1);
    if (handover || finished) stop.store(true);
    wake();
  };
  auto deliver_ready = [&] {
    while (!stop.load() && next_parsed()) deliver_next();
  };
  auto lead_thread = [&] {
    for (;;) {
      deliver_ready();
      if (stop.load()) return;
      const std::uint64_t i = next.fetch_add(1);
      if (i > end_piece.load()) {  // all claimed: deliver the rest as it is parsed
        while (wait_for(next_parsed)) deliver_ready();
        return;
      }
      while (i >= delivered.load() + nslots) {  // the ring is full: deliver
        if (!wait_for(next_parsed)) return;
        deliver_ready();
      }
      if (stop.load()) return;
      process(i);
    }
  };
  auto helper = [&](unsigned t) {
    try {
      for (;;) {
        if (stop.load()) return;
        const std::uint64_t i = next.fetch_add(1);
        if (i > end_piece.load()) return;
        if (!wait_for([&] { return i < delivered.load() + nslots || i > end_piece.load(); })) return;
        if (i > end_piece.load()) return;
        process(i);
      }
    } catch (...) {
      errors[t] = std::current_exception();
      stop.store(true);
      wake();
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  try {
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(helper, t);
    lead_thread();
  } catch (...) {
    errors[0] = std::current_exception();
  }
  stop.store(true);
  wake();
  for (auto& th : pool) th.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  // Everything before `at` is delivered; the rest is read again from there.
  len_ = 0;
  file_next_ = at;
  line_ = at_line;
  count_to(at);
  eof_ = finished;
  return finished;
}

}  // namespace cxm::detail
