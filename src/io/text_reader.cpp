// The window/thread driver of the line-oriented readers; see text_reader.hpp.
#include "io/text_reader.hpp"

#include <algorithm>
#include <barrier>
#include <cstring>
#include <exception>
#include <thread>

namespace cxm::detail {

namespace {
constexpr std::size_t kPadding = 64;           // zero bytes after the data (SIMD blocks read past the end)
constexpr std::size_t kPrefixBytes = 256;      // bytes of a too-long record kept in its reject
constexpr std::size_t kSkipRead = 1 << 16;     // read size while skipping a too-long record
}  // namespace

text_reader::text_reader(session& s, byte_source& src, const text_format& format)
    : session_(s), src_(src), format_(format) {
  buf_.assign(kPadding, '\0');
}

void text_reader::ensure_capacity(std::size_t n) {
  if (buf_.size() < n + kPadding) buf_.resize(std::max(n + kPadding, buf_.size() + buf_.size() / 2));
}

bool text_reader::fill_more(std::size_t n) {
  if (eof_) return false;
  ensure_capacity(len_ + n);
  const std::size_t got = src_.positional() ? src_.read_at(file_next_, buf_.data() + len_, n)
                                            : src_.read(buf_.data() + len_, n);
  if (got < n) eof_ = true;
  len_ += got;
  file_next_ += got;
  session_.add_bytes(got);
  std::memset(buf_.data() + len_, 0, kPadding);
  return got > 0;
}

void text_reader::consume(std::size_t n, std::uint64_t line) {
  n = std::min(n, len_);
  std::memmove(buf_.data(), buf_.data() + n, len_ - n);
  len_ -= n;
  line_ = line;
  std::memset(buf_.data() + len_, 0, kPadding);
}

void text_reader::skip_long_record(std::uint64_t line) {
  // The record starts at buf_[0] and is longer than max_record_bytes.
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
  std::size_t chunk = 1;
  std::size_t carry = 0;
  std::size_t nchunks = 0;
  bool positional = false;
  bool done = false;
  window_view w;
  std::vector<std::size_t> got;
  std::vector<std::size_t> begin;
  std::vector<measure_result> m;
  std::vector<char> inside;
  std::vector<std::uint64_t> line_at;
  std::vector<parse_result> res;
  std::vector<std::exception_ptr> errors;
  std::size_t chunk_begin(unsigned k) const noexcept { return k == 0 ? 0 : carry + k * chunk; }
  std::size_t chunk_stop(std::size_t k) const noexcept { return k + 1 < nchunks ? begin[k + 1] : w.size; }
};

void text_reader::run() {
  const ingest_options& o = session_.options();
  unsigned threads = o.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : o.threads;
  threads = std::min(threads, 256U);
  std::vector<std::unique_ptr<text_worker>> workers;
  for (unsigned k = 0; k < threads; ++k) workers.push_back(format_.make_worker(session_.plan()));

  // A chunk larger than the input would only allocate and clear memory: an
  // input of known size gets chunks just large enough to hold it in one
  // window (never larger than asked; the output does not depend on it).
  std::size_t base_chunk = o.chunk_bytes;
  if (const auto n = src_.size_hint()) {
    base_chunk = static_cast<std::size_t>(
        std::min<std::uint64_t>(base_chunk, std::max<std::uint64_t>(*n / threads + 1, 4096)));
  }
  window_state st;
  st.threads = threads;
  st.chunk = base_chunk;
  st.positional = src_.positional();
  st.got.assign(threads, 0);
  st.begin.assign(threads, 0);
  st.m.assign(threads, measure_result{});
  st.inside.assign(threads, 0);
  st.line_at.assign(threads, 0);
  st.res.assign(threads, parse_result{});
  st.errors.assign(threads, nullptr);

  // Sequential sources are filled by the calling thread before each window.
  auto serial_fill = [&] {
    st.carry = len_;
    ensure_capacity(len_ + st.threads * st.chunk);
    std::fill(st.got.begin(), st.got.end(), 0);
    if (eof_) return;
    const std::size_t want = st.threads * st.chunk;
    const std::size_t got = src_.read(buf_.data() + len_, want);
    for (unsigned k = 0; k < st.threads; ++k) {
      const std::size_t lo = k * st.chunk;
      st.got[k] = got > lo ? std::min(st.chunk, got - lo) : 0;
    }
  };
  auto prepare = [&] {
    st.carry = len_;
    ensure_capacity(len_ + st.threads * st.chunk);
    if (!st.positional) serial_fill();
  };

  // Phase A: read own slice (positional) and measure own chunk.
  auto phase_a = [&](unsigned k) {
    if (st.positional) {
      st.got[k] = eof_ ? 0
                       : src_.read_at(file_next_ + static_cast<std::uint64_t>(k) * st.chunk,
                                      buf_.data() + st.carry + k * st.chunk, st.chunk);
    }
    // Only chunks followed by another need measuring (the last one's state
    // is never used); contiguity is checked in phase B.
    if (k + 1 < st.threads && st.got[k] == st.chunk) {
      st.m[k] = format_.measure(buf_.data(), st.chunk_begin(k), st.carry + (k + 1) * st.chunk);
    }
  };
  // Phase B: window size, prefix of quote states and lines.
  auto phase_b = [&] {
    std::size_t size = st.carry;
    bool eof = eof_;
    for (unsigned k = 0; k < st.threads; ++k) {
      size += st.got[k];
      if (st.got[k] < st.chunk) {
        eof = true;
        break;
      }
    }
    session_.add_bytes(size - st.carry);
    file_next_ += size - st.carry;
    len_ = size;
    eof_ = eof;
    std::memset(buf_.data() + size, 0, kPadding);
    st.w.buf = buf_.data();
    st.w.size = size;
    st.w.eof = eof;
    st.w.usable = format_.usable_end(buf_.data(), size, eof);
    st.nchunks = 0;
    for (unsigned k = 0; k < st.threads; ++k) {
      const std::size_t b = st.chunk_begin(k);
      if (k > 0 && b >= size) break;
      st.begin[k] = b;
      ++st.nchunks;
    }
    if (size == 0) st.nchunks = 0;
    st.inside[0] = 0;
    st.line_at[0] = line_;
    for (std::size_t k = 1; k < st.nchunks; ++k) {
      const auto& m = st.m[k - 1];
      st.inside[k] = static_cast<char>(st.inside[k - 1] ^ (m.quote_odd ? 1 : 0));
      st.line_at[k] = st.line_at[k - 1] + m.terms + ((m.ends_with_cr && buf_[st.begin[k]] != '\n') ? 1 : 0);
    }
    for (auto& r : st.res) r.valid = false;
  };
  // Phase C: parse the records that start in own chunk, from the speculated start.
  auto phase_c = [&](unsigned k) {
    if (k >= st.nchunks) return;
    text_worker& wk = *workers[k];
    wk.out.clear();
    std::uint64_t line = st.line_at[k];
    const std::size_t stop = st.chunk_stop(k);
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
  // Phase D: validate the speculation, deliver in order, keep the carry.
  auto phase_d = [&] {
    std::size_t pos = 0;
    std::uint64_t line = line_;
    for (std::size_t k = 0; k < st.nchunks; ++k) {
      const std::size_t stop = st.chunk_stop(k);
      if (pos >= stop) continue;  // a record spans the whole chunk
      parse_result& r = st.res[k];
      text_worker& wk = *workers[k];
      if (!(r.valid && r.start == pos && r.line0 == line)) {
        wk.out.clear();
        r = format_.parse(st.w, pos, stop, line, wk);
        r.valid = true;
      }
      session_.deliver(wk.out);
      pos = r.end;
      line = r.line;
      if (r.incomplete) break;
    }
    if (st.w.eof) {
      st.done = true;
      return;
    }
    const std::size_t progress = pos;
    consume(pos, line);
    if (st.w.usable > progress && st.w.usable - progress > o.max_record_bytes) {
      skip_long_record(line);
      if (eof_ && len_ == 0) {
        st.done = true;
        return;
      }
    }
    // No complete record in the window: read more next time (keeps the cost
    // of long records linear).
    st.chunk = progress == 0 ? std::min(st.chunk * 2, std::max(o.chunk_bytes, o.max_record_bytes)) : base_chunk;
    prepare();
  };

  prepare();
  if (threads == 1) {
    while (!st.done) {
      phase_a(0);
      phase_b();
      if (st.nchunks == 0) {
        if (eof_) break;
        prepare();
        continue;
      }
      phase_c(0);
      phase_d();
    }
    return;
  }

  auto check_errors = [&]() noexcept {
    for (const auto& e : st.errors) {
      if (e) st.done = true;
    }
  };
  auto completion_b = [&]() noexcept {
    check_errors();
    if (st.done) return;
    try {
      phase_b();
    } catch (...) {
      st.errors[0] = std::current_exception();
      st.done = true;
    }
  };
  std::barrier<decltype(completion_b)> after_a(threads, completion_b);
  std::barrier<> after_c(threads);
  std::barrier<> after_d(threads);
  auto body = [&](unsigned k) {
    for (;;) {
      try {
        phase_a(k);
      } catch (...) {
        st.errors[k] = std::current_exception();
      }
      after_a.arrive_and_wait();
      if (st.done) return;
      if (st.nchunks == 0 && !eof_) {
        // Nothing read and not at the end: cannot happen for a regular
        // source, but keep the threads in step.
        after_c.arrive_and_wait();
        if (k == 0) prepare();
        after_d.arrive_and_wait();
        continue;
      }
      try {
        phase_c(k);
      } catch (...) {
        st.errors[k] = std::current_exception();
      }
      after_c.arrive_and_wait();
      if (k == 0) {
        check_errors();
        if (st.nchunks == 0) st.done = true;
        if (!st.done) {
          try {
            phase_d();
          } catch (...) {
            st.errors[0] = std::current_exception();
            st.done = true;
          }
        }
      }
      after_d.arrive_and_wait();
      if (st.done) return;
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned k = 1; k < threads; ++k) pool.emplace_back(body, k);
  body(0);
  for (auto& t : pool) t.join();
  for (const auto& e : st.errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace cxm::detail
