// The counting engine's driver: level choice, chunks and threads, the fixed
// merge order of weighted sums, and the scalar pass that names the first bad
// row. The kernels themselves are in kernels.cpp.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/core/isa.hpp"
#include "engine/dispatch.hpp"
#include "engine/kernels.hpp"

namespace cxm::engine {

static_assert(block_rows == detail::kBlockRows, "engine::block_rows and the kernels' block must agree");

namespace {

using detail::kernel_table;
using detail::scale_params;
using detail::tally_block;

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
// Largest chunk: keeps the kernels' 32-bit counters and per-chunk buffers bounded.
constexpr std::size_t max_chunk = std::size_t{1} << 30;

// ------------------------------------------------------------------ levels

const std::vector<detail::compiled_level>& levels() {
  static const std::vector<detail::compiled_level> all = detail::compiled_levels();
  return all;
}

const detail::compiled_level* find_level(isa level) noexcept {
  if (!isa_available(level)) return nullptr;
  for (const auto& l : levels()) {
    if (l.level == level) return &l;
  }
  return nullptr;
}

const kernel_table& kernels_for(const count_options& o) {
  const isa level = o.level ? *o.level : active_isa();
  const auto* l = find_level(level);
  if (l == nullptr) {
    throw invalid_argument("instruction-set level '" + std::string(to_string(level)) +
                           "' is not available in this build on this CPU");
  }
  return l->kernels;
}

// ------------------------------------------------------------------ inputs

scale_params params_of(const scale& s) {
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

void check_lengths(std::size_t scores, std::size_t other, const std::string& field) {
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

plan make_plan(std::size_t rows, const count_options& o) {
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

[[noreturn]] void throw_no_bad_row(const count_options& o) {
  // A kernel flagged a chunk that the scalar pass finds clean: only weight
  // sums that overflow a double can do that.
  throw invalid_weight("the weights are too large: a sum of weights or of squared weights overflows a double",
                       at_field(o.weight_field));
}

void check_score(const scale& s, std::uint8_t score, std::size_t row, const count_options& o) {
  if (!s.contains(score)) s.check(static_cast<int>(score), at_row(o.first_row + row, o.score_field));
}

template <class TW>
void check_weight_at(TW w, std::size_t row, const count_options& o) {
  check_weight(static_cast<double>(w), at_row(o.first_row + row, o.weight_field));
}

// A kernel flagged a chunk of integers that the scalar pass finds clean: a bug.
[[noreturn]] void throw_kernel_bug() {
  throw std::logic_error("cxmetrics engine: a kernel flagged rows that hold no bad value");
}

[[noreturn]] void throw_first_bad(std::span<const std::uint8_t> scores, const scale& s, const plan& p,
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

// ------------------------------------------------------------------ scalar kernels

// Histogram of a scale of more than 16 points: four interleaved count tables
// so that runs of one score do not serialise on one counter.
bool hist_scalar(const std::uint8_t* s, std::size_t n, const scale_params& p, std::uint64_t* out) {
  std::vector<std::uint32_t> tables(4 * 256, 0);
  std::uint32_t* t0 = tables.data();
  std::uint32_t* t1 = t0 + 256;
  std::uint32_t* t2 = t1 + 256;
  std::uint32_t* t3 = t2 + 256;
  const std::uint8_t lo = p.lo;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++t0[static_cast<std::uint8_t>(s[i] - lo)];
    ++t1[static_cast<std::uint8_t>(s[i + 1] - lo)];
    ++t2[static_cast<std::uint8_t>(s[i + 2] - lo)];
    ++t3[static_cast<std::uint8_t>(s[i + 3] - lo)];
  }
  for (; i < n; ++i) ++t0[static_cast<std::uint8_t>(s[i] - lo)];
  bool ok = true;
  for (unsigned b = 0; b < 256; ++b) {
    const std::uint64_t c = std::uint64_t{t0[b]} + t1[b] + t2[b] + t3[b];
    if (b < p.npoints) {
      out[b] += c;
    } else if (c != 0) {
      ok = false;
    }
  }
  return ok;
}

// Weighted histogram of one block in the fixed order (see count.hpp): row i
// of the block goes to lane i mod 16 of its bin; lanes are added pairwise.
// `lanes` is scratch of 2 · npoints · 16 doubles.
template <class TW>
bool weighted_hist_block(const std::uint8_t* s, const TW* w, std::size_t m, const scale_params& p,
                         std::uint64_t* n, double* sw, double* sw2, double* lanes) {
  const std::size_t bins = p.npoints;
  double* lw = lanes;
  double* lw2 = lanes + bins * detail::kSumLanes;
  std::fill(lanes, lanes + 2 * bins * detail::kSumLanes, 0.0);
  bool ok = true;
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t bin = static_cast<std::uint8_t>(s[i] - p.lo);
    const double x = static_cast<double>(w[i]);
    if (bin >= bins || !((x >= min_weight && x <= max_weight) || x == 0.0)) {
      ok = false;
      continue;
    }
    ++n[bin];
    lw[bin * detail::kSumLanes + i % detail::kSumLanes] += x;
    lw2[bin * detail::kSumLanes + i % detail::kSumLanes] += x * x;
  }
  for (std::size_t b = 0; b < bins; ++b) {
    sw[b] = detail::pairwise_sum16(lw + b * detail::kSumLanes);
    sw2[b] = detail::pairwise_sum16(lw2 + b * detail::kSumLanes);
    ok &= std::isfinite(sw[b]) && std::isfinite(sw2[b]);
  }
  return ok;
}

// ------------------------------------------------------------------ drivers

template <class TW>
weighted_nps_tally weighted_tally(std::span<const std::uint8_t> scores, std::span<const TW> weights, const scale& s,
                                  const count_options& o) {
  check_lengths(scores.size(), weights.size(), o.weight_field);
  const scale_params p = params_of(s);
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(scores.size(), o);

  std::array<std::uint64_t, 3> n{};
  std::array<double, 3> w{};
  std::array<double, 3> w2{};
  auto fold = [&](const std::vector<tally_block>& blocks) {
    for (const auto& b : blocks) {
      for (std::size_t g = 0; g < 3; ++g) {
        n[g] += b.n[g];
        w[g] += b.w[g];
        w2[g] += b.w2[g];
      }
    }
  };
  ordered_fold<std::vector<tally_block>, decltype(fold)> folder(fold);
  auto work = [&](unsigned, std::size_t c, std::size_t begin, std::size_t end) {
    std::vector<tally_block> blocks((end - begin + block_rows - 1) / block_rows);
    bool ok;
    if constexpr (sizeof(TW) == 4) {
      ok = k.wtally_f32(scores.data() + begin, weights.data() + begin, end - begin, p, blocks.data());
    } else {
      ok = k.wtally_f64(scores.data() + begin, weights.data() + begin, end - begin, p, blocks.data());
    }
    if (ok) folder.submit(c, std::move(blocks));
    return ok;
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) throw_first_bad(scores, weights, s, pl, bad, o);
  for (std::size_t g = 0; g < 3; ++g) {
    if (!std::isfinite(w[g]) || !std::isfinite(w2[g])) throw_no_bad_row(o);
  }
  weighted_nps_tally t;
  bin_totals* groups[3] = {&t.detractors, &t.passives, &t.promoters};
  for (std::size_t g = 0; g < 3; ++g) {
    groups[g]->n = n[g];
    groups[g]->w = w[g];
    groups[g]->w2 = w2[g];
  }
  return t;
}

template <class TW>
score_counts weighted_hist(std::span<const std::uint8_t> scores, std::span<const TW> weights, const scale& s,
                           const count_options& o) {
  check_lengths(scores.size(), weights.size(), o.weight_field);
  const scale_params p = params_of(s);
  (void)kernels_for(o);  // the same check of the requested level as every other kernel
  const plan pl = make_plan(scores.size(), o);
  const std::size_t bins = p.npoints;

  struct partial {
    std::vector<std::uint64_t> n;  // blocks × bins
    std::vector<double> w;
    std::vector<double> w2;
  };
  std::vector<std::uint64_t> n(bins, 0);
  std::vector<double> w(bins, 0.0);
  std::vector<double> w2(bins, 0.0);
  auto fold = [&](const partial& part) {
    const std::size_t blocks = part.w.size() / bins;
    for (std::size_t b = 0; b < blocks; ++b) {
      for (std::size_t j = 0; j < bins; ++j) {
        n[j] += part.n[b * bins + j];
        w[j] += part.w[b * bins + j];
        w2[j] += part.w2[b * bins + j];
      }
    }
  };
  ordered_fold<partial, decltype(fold)> folder(fold);
  std::vector<std::vector<double>> scratch(pl.threads, std::vector<double>(2 * bins * detail::kSumLanes));
  auto work = [&](unsigned worker, std::size_t c, std::size_t begin, std::size_t end) {
    const std::size_t blocks = (end - begin + block_rows - 1) / block_rows;
    partial part{std::vector<std::uint64_t>(blocks * bins, 0), std::vector<double>(blocks * bins),
                 std::vector<double>(blocks * bins)};
    bool ok = true;
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t at = begin + b * block_rows;
      const std::size_t m = std::min(block_rows, end - at);
      ok &= weighted_hist_block(scores.data() + at, weights.data() + at, m, p, &part.n[b * bins], &part.w[b * bins],
                                &part.w2[b * bins], scratch[worker].data());
    }
    if (ok) folder.submit(c, std::move(part));
    return ok;
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) throw_first_bad(scores, weights, s, pl, bad, o);
  for (std::size_t j = 0; j < bins; ++j) {
    if (!std::isfinite(w[j]) || !std::isfinite(w2[j])) throw_no_bad_row(o);
  }
  return score_counts(s, std::move(n), std::move(w), std::move(w2));
}

}  // namespace

// ------------------------------------------------------------------ count.hpp

score_counts count_scores(std::span<const std::uint8_t> scores, const scale& s, const count_options& o) {
  const scale_params p = params_of(s);
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(scores.size(), o);
  const std::size_t bins = p.npoints;
  std::vector<std::vector<std::uint64_t>> per_worker(pl.threads, std::vector<std::uint64_t>(bins + 8, 0));
  auto work = [&](unsigned worker, std::size_t, std::size_t begin, std::size_t end) {
    std::uint64_t* out = per_worker[worker].data();
    return bins <= 16 ? k.hist(scores.data() + begin, end - begin, p, out)
                      : hist_scalar(scores.data() + begin, end - begin, p, out);
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) throw_first_bad(scores, s, pl, bad, o);
  std::vector<std::uint64_t> n(bins, 0);
  for (const auto& part : per_worker) {
    for (std::size_t j = 0; j < bins; ++j) n[j] += part[j];
  }
  return score_counts(s, std::move(n));
}

score_counts count_scores(std::span<const std::uint8_t> scores, std::span<const float> weights, const scale& s,
                          const count_options& o) {
  return weighted_hist(scores, weights, s, o);
}

score_counts count_scores(std::span<const std::uint8_t> scores, std::span<const double> weights, const scale& s,
                          const count_options& o) {
  return weighted_hist(scores, weights, s, o);
}

nps_tally count_nps(std::span<const std::uint8_t> scores, const scale& s, const count_options& o) {
  const scale_params p = params_of(s);
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(scores.size(), o);
  std::vector<padded_counts<3>> per_worker(pl.threads);
  auto work = [&](unsigned worker, std::size_t, std::size_t begin, std::size_t end) {
    return k.tally(scores.data() + begin, end - begin, p, per_worker[worker].v);
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) throw_first_bad(scores, s, pl, bad, o);
  nps_tally t;
  for (const auto& part : per_worker) {
    t.detractors += part.v[0];
    t.passives += part.v[1];
    t.promoters += part.v[2];
  }
  return t;
}

weighted_nps_tally count_nps(std::span<const std::uint8_t> scores, std::span<const float> weights, const scale& s,
                             const count_options& o) {
  return weighted_tally(scores, weights, s, o);
}

weighted_nps_tally count_nps(std::span<const std::uint8_t> scores, std::span<const double> weights, const scale& s,
                             const count_options& o) {
  return weighted_tally(scores, weights, s, o);
}

std::uint64_t sum_bytes(std::span<const std::uint8_t> bytes, const count_options& o) {
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(bytes.size(), o);
  std::vector<padded_counts<1>> per_worker(pl.threads);
  auto work = [&](unsigned worker, std::size_t, std::size_t begin, std::size_t end) {
    per_worker[worker].v[0] += k.sum(bytes.data() + begin, end - begin);
    return true;
  };
  (void)for_each_chunk(pl, work);
  std::uint64_t total = 0;
  for (const auto& part : per_worker) total += part.v[0];
  return total;
}

// ------------------------------------------------------------------ group_by.hpp

grouped_nps count_nps_by(std::span<const std::uint8_t> scores, std::span<const key_column> keys, const scale& s,
                         const count_options& o) {
  if (keys.empty()) throw invalid_argument("count_nps_by needs at least one key column");
  const scale_params p = params_of(s);
  std::vector<std::uint32_t> shape;
  std::size_t cells = 1;
  bool wide_key = false;
  for (const auto& key : keys) {
    check_lengths(scores.size(), key.size(), key.name());
    if (key.cardinality() == 0) {
      throw invalid_argument("key column '" + key.name() + "' has cardinality 0", at_field(key.name()));
    }
    cells *= key.cardinality();
    if (cells > max_groups) {
      throw invalid_argument("the key columns make more than " + std::to_string(max_groups) + " groups",
                             at_field(key.name()));
    }
    shape.push_back(key.cardinality());
    wide_key |= key.width() == 4;
  }
  const kernel_table& k = kernels_for(o);
  const plan pl = make_plan(scores.size(), o);

  // Counter index of a row: 3 · cell + group, cell row-major (last key fastest).
  std::vector<detail::key_view> views(keys.size());
  std::uint32_t stride = 3;
  for (std::size_t j = keys.size(); j-- > 0;) {
    views[j].data = keys[j].data();
    views[j].width = keys[j].width();
    views[j].limit = keys[j].cardinality();
    views[j].stride = stride;
    stride *= keys[j].cardinality();
  }
  const auto copy_stride = static_cast<std::uint32_t>(3 * cells);
  const std::uint32_t copies = copy_stride <= 2048 ? 4 : 1;
  const bool narrow = !wide_key && std::size_t{copies} * copy_stride <= 65536;

  struct worker_state {
    std::vector<std::uint32_t> scratch;
    std::vector<std::uint64_t> counts;
  };
  std::vector<worker_state> state(pl.threads);
  auto work = [&](unsigned worker, std::size_t, std::size_t begin, std::size_t end) {
    auto& st = state[worker];
    if (st.counts.empty()) {
      st.scratch.assign(std::size_t{copies} * copy_stride, 0);
      st.counts.assign(copy_stride, 0);
    }
    return k.grouped(scores.data(), views.data(), views.size(), begin, end - begin, p, copies, copy_stride, narrow,
                     st.scratch.data(), st.counts.data());
  };
  const std::size_t bad = for_each_chunk(pl, work);
  if (bad != npos) {
    const std::size_t end = std::min(pl.rows, (bad + 1) * pl.chunk);
    for (std::size_t i = bad * pl.chunk; i < end; ++i) {
      check_score(s, scores[i], i, o);
      for (const auto& key : keys) {
        if (key[i] >= key.cardinality()) {
          throw invalid_value("key " + std::to_string(key[i]) + " is not below the cardinality " +
                                  std::to_string(key.cardinality()) + " of '" + key.name() + "'",
                              at_row(o.first_row + i, key.name()));
        }
      }
    }
    throw_kernel_bug();
  }
  std::vector<nps_tally> tallies(cells);
  for (const auto& st : state) {
    if (st.counts.empty()) continue;
    for (std::size_t c = 0; c < cells; ++c) {
      tallies[c].detractors += st.counts[3 * c];
      tallies[c].passives += st.counts[3 * c + 1];
      tallies[c].promoters += st.counts[3 * c + 2];
    }
  }
  return grouped_nps(std::move(shape), std::move(tallies));
}

}  // namespace cxm::engine
