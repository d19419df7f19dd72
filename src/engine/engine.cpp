// The counting engine's driver: level choice, the fixed merge order of
// weighted sums, and the drivers of count.hpp. Chunks, threads and the scalar
// pass that names the first bad row are in driver.hpp; the kernels in
// kernels.cpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "engine/dispatch.hpp"
#include "engine/driver.hpp"
#include "engine/kernels.hpp"

namespace cxm::inline v0_1::engine {

static_assert(block_rows == detail::kBlockRows, "engine::block_rows and the kernels' block must agree");

namespace {

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

}  // namespace

const detail::kernel_table& detail::kernels_for(const count_options& o) {
  const isa level = o.level ? *o.level : active_isa();
  const auto* l = find_level(level);
  if (l == nullptr) {
    throw invalid_argument("instruction-set level '" + std::string(to_string(level)) +
                           "' is not available in this build on this CPU");
  }
  return l->kernels;
}

namespace {

using namespace detail;

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

}  // namespace cxm::engine
