// Internal: what the engine's drivers (engine.cpp, grouped.cpp) share: the
// level's kernel table, scale parameters, the plan of chunks and threads,
// the ordered fold of partial sums, and the scalar passes that name the
// first bad row. Not installed.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "engine/kernels.hpp"

namespace cxm::inline v0_1::engine::detail {

/// The kernels of the level `o` asks for (or the active one). Throws
/// invalid_argument when that level is not available (engine.cpp).
const kernel_table& kernels_for(const count_options& o);

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
// Largest chunk: keeps the kernels' 32-bit counters and per-chunk buffers bounded.
constexpr std::size_t max_chunk = std::size_t{1} << 30;

// ------------------------------------------------------------------ inputs

inline scale_params params_of(const scale& s) {
  if (s.min() < 0 || s.max() > 255) {
    throw invalid_argument("the " + s.describe() + " does not fit a column of one-byte scores (0..255)");
  }
  scale_params p;
  p.lo = static_cast<std::uint8_t>(s.min());
  p.low_max = static_cast<std::uint8_t>(s.low_max());
  p.high_min = static_cast<std::uint8_t>(s.high_min());
  p.npoints = static_cast<std::uint16_t>(s.points());
  return p;
}

inline void check_lengths(std::size_t scores, std::size_t other, const std::string& field) {
  if (scores != other) {
    throw invalid_argument("the score column has " + std::to_string(scores) + " rows but '" + field + "' has " +
                           std::to_string(other),
                           at_field(field));
  }
}

// ------------------------------------------------------------------ chunks and threads

struct plan {
  std::size_t rows = 0;
  std::size_t chunk = 0;
  std::size_t chunks = 0;
  unsigned threads = 1;
};

inline plan make_plan(std::size_t rows, const count_options& o) {
  plan p;
  p.rows = rows;
  const std::size_t wanted = std::clamp<std::size_t>(o.chunk, 1, max_chunk);
  p.chunk = (wanted + block_rows - 1) / block_rows * block_rows;
  p.chunks = (rows + p.chunk - 1) / p.chunk;
  unsigned threads = o.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  p.threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, p.chunks)));
  return p;
}

// Calls work(worker, chunk, begin, end) once per chunk, spread over the plan's
// threads; work returns false when its chunk holds a bad value. Chunks after
// the first bad one may be skipped. Returns the first bad chunk, or npos.
template <class Work>
std::size_t for_each_chunk(const plan& p, Work& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> first_bad{npos};
  std::mutex error_mutex;
  std::exception_ptr error;

  auto run = [&](unsigned worker) {
    try {
      for (;;) {
        const std::size_t c = next.fetch_add(1, std::memory_order_relaxed);
        if (c >= p.chunks || c > first_bad.load(std::memory_order_relaxed)) return;
        const std::size_t begin = c * p.chunk;
        const std::size_t end = std::min(p.rows, begin + p.chunk);
        if (!work(worker, c, begin, end)) {
          std::size_t seen = first_bad.load(std::memory_order_relaxed);
          while (c < seen && !first_bad.compare_exchange_weak(seen, c, std::memory_order_relaxed)) {
          }
        }
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(p.chunks, std::memory_order_relaxed);
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(p.threads - 1);
  for (unsigned t = 1; t < p.threads; ++t) {
    try {
      pool.emplace_back(run, t);
    } catch (...) {
      break;  // no more threads: the running ones take the remaining chunks
    }
  }
  run(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return first_bad.load();
}

// Per-worker accumulators on their own cache lines.
template <std::size_t K>
struct alignas(64) padded_counts {
  std::uint64_t v[K] = {};
};

// Folds per-chunk results in chunk order, whichever thread finishes first.
template <class Partial, class Fold>
class ordered_fold {
 public:
  explicit ordered_fold(Fold fold) : fold_(std::move(fold)) {}

  void submit(std::size_t chunk, Partial&& part) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (chunk != next_) {
      pending_.emplace(chunk, std::move(part));
      return;
    }
    fold_(part);
    ++next_;
    for (auto it = pending_.begin(); it != pending_.end() && it->first == next_; it = pending_.erase(it)) {
      fold_(it->second);
      ++next_;
    }
  }

 private:
  Fold fold_;
  std::mutex mutex_;
  std::size_t next_ = 0;
  std::map<std::size_t, Partial> pending_;
};

// ------------------------------------------------------------------ first bad row

[[noreturn]] inline void throw_no_bad_row(const count_options& o) {
  // A kernel flagged a chunk that the scalar pass finds clean: only weight
  // sums that overflow a double can do that.
  throw invalid_weight("the weights are too large: a sum of weights or of squared weights overflows a double",
                       at_field(o.weight_field));
}

inline void check_score(const scale& s, std::uint8_t score, std::size_t row, const count_options& o) {
  if (!s.contains(score)) s.check(static_cast<int>(score), at_row(o.first_row + row, o.score_field));
}

template <class TW>
void check_weight_at(TW w, std::size_t row, const count_options& o) {
  check_weight(static_cast<double>(w), at_row(o.first_row + row, o.weight_field));
}

// A kernel flagged a chunk of integers that the scalar pass finds clean: a bug.
[[noreturn]] inline void throw_kernel_bug() {
  throw std::logic_error("cxmetrics engine: a kernel flagged rows that hold no bad value");
}

[[noreturn]] inline void throw_first_bad(std::span<const std::uint8_t> scores, const scale& s, const plan& p,
                                  std::size_t chunk, const count_options& o) {
  const std::size_t end = std::min(p.rows, (chunk + 1) * p.chunk);
  for (std::size_t i = chunk * p.chunk; i < end; ++i) check_score(s, scores[i], i, o);
  throw_kernel_bug();
}

template <class TW>
[[noreturn]] void throw_first_bad(std::span<const std::uint8_t> scores, std::span<const TW> weights, const scale& s,
                                  const plan& p, std::size_t chunk, const count_options& o) {
  const std::size_t end = std::min(p.rows, (chunk + 1) * p.chunk);
  for (std::size_t i = chunk * p.chunk; i < end; ++i) {
    check_score(s, scores[i], i, o);
    check_weight_at(weights[i], i, o);
  }
  throw_no_bad_row(o);
}

}  // namespace cxm::engine::detail
