// The sufficient statistic of a key-driver analysis: counts, means and
// co-moments of m = k + 1 variables (the outcome, then k drivers), built in
// one pass and mergeable.
//
// Every method of drivers/key_drivers.hpp (standardised OLS, first and last
// R², Pratt, LMG, relative weights) is a function of the correlation matrix
// of the m variables, so a state of O(m²) numbers, whatever the number of
// rows, is all the analysis needs. Rows are added one at a time or in
// columns; states built on disjoint rows merge (threads, shards, files).
//
// Missing values (NaN) follow the state's policy:
//   listwise  a row counts only when all m values are present: n, the
//             means and the co-moment matrix C = Σ (x − x̄)(x − x̄)ᵀ over the
//             complete rows;
//   pairwise  each pair (i, j) has its own rows, those where both are
//             present: n_ij, the means of i and j over them, their sums of
//             squares and their co-moment. A pair's correlation uses only
//             its own rows (R's cor(use = "pairwise.complete.obs")).
// Either way the state counts the rows each policy drops: rows() seen,
// complete() with every value, and paired() with at least two values (a
// row with one value or none contributes to no pair).
//
// Accuracy: co-moments are accumulated about the mean, never as raw sums of
// squares. The listwise path sums each block of up to 256 complete rows
// about the block's first row K (s = Σ(x − K), P = Σ(x − K)(x − K)ᵀ, whose
// terms are of the size of the data's spread), turns them into the
// block's mean K + s/n_b and co-moments P − s·sᵀ/n_b, and merges blocks
// with the update of Chan, Golub & LeVeque (1979, "Updating formulae and a
// pairwise algorithm for computing sample variances"):
//   n = n_a + n_b,  δ = x̄_b − x̄_a,  x̄ = x̄_a + δ·n_b/n,
//   C = C_a + C_b + δδᵀ·n_a·n_b/n;
// the pairwise path updates each pair one row at a time (Welford 1962) and
// merges pairs the same way.
//
//   cxm::drivers::moments m(3);                 // outcome and two drivers
//   m.add(std::array{9.0, 4.0, 5.0});           // one row
//   m.add(std::array{3.0, NAN, 2.0});           // incomplete: dropped listwise
//   m.complete();                               // 1
//
// Header: cxmetrics/drivers/moments.hpp (header-only). Complexity: O(m²) per
// row; state O(m²) (listwise) or O(6m²) (pairwise).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::drivers {

/// How rows with missing values are used (see the header comment).
enum class missing_policy : std::uint8_t { listwise, pairwise };

[[nodiscard]] constexpr const char* to_string(missing_policy p) noexcept {
  return p == missing_policy::pairwise ? "pairwise" : "listwise";
}

/// Counts, means and co-moments of m variables (see the header comment).
class moments {
 public:
  /// Largest number of variables (outcome and drivers) a state holds.
  static constexpr std::size_t max_variables = 64;
  /// Complete rows gathered before they are centred and merged.
  static constexpr std::size_t block_rows = 256;

  moments() = default;
  /// A state of `variables` variables (2..max_variables). Throws
  /// invalid_argument otherwise.
  explicit moments(std::size_t variables, missing_policy policy = missing_policy::listwise)
      : m_(variables), policy_(policy) {
    if (variables < 2 || variables > max_variables) {
      throw invalid_argument("a driver analysis needs 2.." + std::to_string(max_variables) +
                             " variables (the outcome and at least one driver), got " + std::to_string(variables));
    }
    mean_.assign(m_, 0.0);
    c_.assign(m_ * m_, 0.0);
    if (policy_ == missing_policy::pairwise) {
      pn_.assign(m_ * m_, 0);
      pmean_.assign(m_ * m_, 0.0);
      pss_.assign(m_ * m_, 0.0);
    }
  }

  [[nodiscard]] std::size_t variables() const noexcept { return m_; }
  [[nodiscard]] missing_policy policy() const noexcept { return policy_; }
  /// Rows added.
  [[nodiscard]] std::uint64_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::uint64_t count() const noexcept { return rows_; }
  [[nodiscard]] bool empty() const noexcept { return rows_ == 0; }
  /// Rows with every value present (the rows of the listwise analysis).
  [[nodiscard]] std::uint64_t complete() const noexcept { return complete_; }
  /// Rows with at least two values present (the rows some pair uses).
  [[nodiscard]] std::uint64_t paired() const noexcept { return paired_; }
  /// Rows each policy drops: listwise those with any value missing,
  /// pairwise those that contribute to no pair.
  [[nodiscard]] std::uint64_t dropped(missing_policy p) const noexcept {
    return rows_ - (p == missing_policy::listwise ? complete_ : paired_);
  }

  /// Listwise: the mean of variable i over the complete rows.
  [[nodiscard]] double mean(std::size_t i) const { return mean_.at(i); }
  /// Listwise: Σ (x_i − x̄_i)(x_j − x̄_j) over the complete rows.
  [[nodiscard]] double comoment(std::size_t i, std::size_t j) const { return c_.at(i * m_ + j); }

  /// Pairwise: the rows with both i and j present (i == j: i present).
  [[nodiscard]] std::uint64_t pair_count(std::size_t i, std::size_t j) const {
    need_pairwise();
    return pn_.at(i * m_ + j);
  }
  /// Pairwise: the mean of i over the rows where i and j are present.
  [[nodiscard]] double pair_mean(std::size_t i, std::size_t j) const {
    need_pairwise();
    return pmean_.at(i * m_ + j);
  }
  /// Pairwise: Σ (x_i − x̄_i)² over the rows where i and j are present.
  [[nodiscard]] double pair_sum_squares(std::size_t i, std::size_t j) const {
    need_pairwise();
    return pss_.at(i * m_ + j);
  }
  /// Pairwise: the co-moment of i and j over the rows where both are present
  /// (listwise: comoment()).
  [[nodiscard]] double pair_comoment(std::size_t i, std::size_t j) const { return comoment(i, j); }

  /// Adds one row of m values, NaN for a missing one. Throws
  /// invalid_argument when the row has another length or an infinite value.
  void add(std::span<const double> row) {
    if (row.size() != m_) {
      throw invalid_argument("a row of " + std::to_string(row.size()) + " values added to moments of " +
                             std::to_string(m_) + " variables");
    }
    if (policy_ == missing_policy::pairwise) {
      std::array<const double*, max_variables> cols{};
      for (std::size_t i = 0; i < m_; ++i) cols[i] = &row[i];
      add_pairwise(std::span<const double* const>(cols.data(), m_), 1);
      return;
    }
    std::size_t present = 0;
    for (std::size_t i = 0; i < m_; ++i) {
      if (std::isinf(row[i])) throw infinite(i, 0);
      present += row[i] == row[i] ? 1 : 0;
    }
    ++rows_;
    paired_ += present >= 2 ? 1 : 0;
    if (present != m_) return;
    // Welford's update by one row: δ = x − x̄, x̄ += δ/n, C += δδᵀ(n − 1)/n.
    const double n = static_cast<double>(++complete_);
    std::array<double, max_variables> d{};
    for (std::size_t i = 0; i < m_; ++i) d[i] = row[i] - mean_[i];
    const double f = (n - 1.0) / n;
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < m_; ++j) c_[i * m_ + j] += d[i] * d[j] * f;
    }
    for (std::size_t i = 0; i < m_; ++i) mean_[i] += d[i] / n;
  }

  /// Adds `rows` rows given as m columns (cols[i][r] is variable i of row
  /// r), NaN for a missing value. Throws invalid_argument on an infinite
  /// value, naming the variable and the row (counted from the first row of
  /// this call); the state then holds the rows before it.
  void add_columns(std::span<const double* const> cols, std::size_t rows) {
    if (cols.size() != m_) {
      throw invalid_argument(std::to_string(cols.size()) + " columns added to moments of " + std::to_string(m_) +
                             " variables");
    }
    if (policy_ == missing_policy::pairwise) {
      add_pairwise(cols, rows);
      return;
    }
    // Blocks of up to block_rows complete rows, each summed about its
    // first row K: s = Σ(x − K) and P = Σ(x − K)(x − K)ᵀ (upper triangle),
    // then turned into a block mean and co-moments and merged (merge_block).
    const std::size_t m = m_;
    std::array<double, max_variables> k{}, sum{}, d{};
    bc_.assign(m * m, 0.0);
    std::size_t r = 0;
    while (r < rows) {
      std::size_t got = 0;
      sum.fill(0.0);
      std::fill(bc_.begin(), bc_.end(), 0.0);
      for (; r < rows && got < block_rows; ++r) {
        // Fast test: every value finite (neither NaN nor infinite).
        std::size_t finite = 0;
        for (std::size_t i = 0; i < m; ++i) {
          const double x = cols[i][r];
          d[i] = x;
          finite += std::abs(x) <= std::numeric_limits<double>::max() ? 1 : 0;
        }
        if (finite != m) {
          std::size_t present = 0;
          for (std::size_t i = 0; i < m; ++i) {
            if (std::isinf(d[i])) {
              merge_block(k, sum, got);
              throw infinite(i, r);
            }
            present += d[i] == d[i] ? 1 : 0;
          }
          ++rows_;
          paired_ += present >= 2 ? 1 : 0;
          continue;
        }
        ++rows_;
        ++paired_;
        if (got == 0) k = d;
        for (std::size_t i = 0; i < m; ++i) {
          d[i] -= k[i];
          sum[i] += d[i];
        }
        for (std::size_t i = 0; i < m; ++i) {
          const double di = d[i];
          double* pi = bc_.data() + i * m;
          for (std::size_t j = i; j < m; ++j) pi[j] += di * d[j];
        }
        ++complete_;
        ++got;
      }
      merge_block(k, sum, got);
    }
  }

  /// Adds the rows of `other` (built on other rows). Throws
  /// incompatible_merge when the number of variables or the policy differ.
  void merge(const moments& other) {
    if (other.m_ != m_ || other.policy_ != policy_) {
      throw incompatible_merge("moments of " + std::to_string(other.m_) + " variables (" + to_string(other.policy_) +
                               ") merged into moments of " + std::to_string(m_) + " (" + to_string(policy_) + ")");
    }
    rows_ += other.rows_;
    paired_ += other.paired_;
    if (policy_ == missing_policy::listwise) {
      combine(complete_, mean_, c_, other.complete_, other.mean_, other.c_);
      return;
    }
    complete_ += other.complete_;
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = i; j < m_; ++j) merge_pair(i, j, other);
    }
  }

  /// The covariance matrix (m × m, row-major, n − 1 divisor) under the
  /// state's policy, and the rows each entry rests on. An entry whose
  /// rows are fewer than 2 is NaN (the analysis reports it).
  struct covariance_matrix {
    std::vector<double> cov;
    std::vector<std::uint64_t> n;
  };
  [[nodiscard]] covariance_matrix covariance() const {
    covariance_matrix out{std::vector<double>(m_ * m_), std::vector<std::uint64_t>(m_ * m_)};
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < m_; ++j) {
        const std::size_t k = i * m_ + j;
        const std::uint64_t n = policy_ == missing_policy::listwise ? complete_ : pn_[k];
        out.n[k] = n;
        out.cov[k] = n >= 2 ? c_[k] / static_cast<double>(n - 1) : std::nan("");
      }
    }
    return out;
  }

  /// The correlation matrix (m × m, row-major) under the state's policy: a
  /// pair's co-moment over the square root of the two sums of squares over
  /// the same rows. An entry whose variables do not vary over its rows (or
  /// have fewer than 2) is NaN.
  [[nodiscard]] std::vector<double> correlation() const {
    std::vector<double> r(m_ * m_);
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j < m_; ++j) {
        const std::size_t k = i * m_ + j;
        const double si = policy_ == missing_policy::listwise ? c_[i * m_ + i] : pss_[k];
        const double sj = policy_ == missing_policy::listwise ? c_[j * m_ + j] : pss_[j * m_ + i];
        const std::uint64_t n = policy_ == missing_policy::listwise ? complete_ : pn_[k];
        r[k] = (n >= 2 && si > 0.0 && sj > 0.0) ? (i == j ? 1.0 : c_[k] / std::sqrt(si * sj)) : std::nan("");
      }
    }
    return r;
  }

  friend bool operator==(const moments& a, const moments& b) noexcept {
    return a.m_ == b.m_ && a.policy_ == b.policy_ && a.rows_ == b.rows_ && a.complete_ == b.complete_ &&
           a.paired_ == b.paired_ && a.mean_ == b.mean_ && a.c_ == b.c_ && a.pn_ == b.pn_ && a.pmean_ == b.pmean_ &&
           a.pss_ == b.pss_;
  }

  /// JSON form: {"variables", "policy", "rows", "complete", "paired",
  /// "mean", "comoment"} and, pairwise, "pair_n", "pair_mean",
  /// "pair_sum_squares" (row-major m × m).
  friend void to_json(nlohmann::json& j, const moments& s) {
    j = nlohmann::json{{"variables", s.m_}, {"policy", to_string(s.policy_)}, {"rows", s.rows_},
                       {"complete", s.complete_}, {"paired", s.paired_}, {"mean", s.mean_}, {"comoment", s.c_}};
    if (s.policy_ == missing_policy::pairwise) {
      j["pair_n"] = s.pn_;
      j["pair_mean"] = s.pmean_;
      j["pair_sum_squares"] = s.pss_;
    }
  }
  /// Reads the JSON form; throws serialization_error naming what is missing
  /// or inconsistent.
  friend void from_json(const nlohmann::json& j, moments& s) {
    const auto bad = [](const std::string& why) { return serialization_error("moments: " + why); };
    try {
      const std::string policy = j.at("policy").get<std::string>();
      if (policy != "listwise" && policy != "pairwise") throw bad("unknown policy '" + policy + "'");
      moments t(j.at("variables").get<std::size_t>(),
                policy == "pairwise" ? missing_policy::pairwise : missing_policy::listwise);
      t.rows_ = j.at("rows").get<std::uint64_t>();
      t.complete_ = j.at("complete").get<std::uint64_t>();
      t.paired_ = j.at("paired").get<std::uint64_t>();
      t.mean_ = j.at("mean").get<std::vector<double>>();
      t.c_ = j.at("comoment").get<std::vector<double>>();
      const std::size_t mm = t.m_ * t.m_;
      if (t.mean_.size() != t.m_ || t.c_.size() != mm) throw bad("mean or comoment has the wrong length");
      if (t.complete_ > t.paired_ || t.paired_ > t.rows_) throw bad("counts are inconsistent");
      if (t.policy_ == missing_policy::pairwise) {
        t.pn_ = j.at("pair_n").get<std::vector<std::uint64_t>>();
        t.pmean_ = j.at("pair_mean").get<std::vector<double>>();
        t.pss_ = j.at("pair_sum_squares").get<std::vector<double>>();
        if (t.pn_.size() != mm || t.pmean_.size() != mm || t.pss_.size() != mm) {
          throw bad("a pairwise array has the wrong length");
        }
      }
      s = std::move(t);
    } catch (const nlohmann::json::exception& e) {
      throw bad(e.what());
    } catch (const invalid_argument& e) {
      throw bad(e.reason());
    }
  }

 private:
  void need_pairwise() const {
    if (policy_ != missing_policy::pairwise) throw invalid_argument("pairwise statistics of a listwise state");
  }

  invalid_value infinite(std::size_t i, std::size_t r) const {
    return invalid_value("variable " + std::to_string(i) + " is infinite in row " + std::to_string(r) +
                         " (a driver analysis needs finite values; NaN marks a missing one)");
  }

  // Chan et al.'s update of (n, x̄, C) by a second state.
  static void combine(std::uint64_t& n, std::vector<double>& mean, std::vector<double>& c, std::uint64_t nb,
                      const std::vector<double>& mean_b, const std::vector<double>& c_b) {
    if (nb == 0) return;
    const std::size_t m = mean.size();
    if (n == 0) {
      n = nb;
      mean = mean_b;
      c = c_b;
      return;
    }
    const double na = static_cast<double>(n);
    const double nbd = static_cast<double>(nb);
    const double nt = na + nbd;
    const double f = na * nbd / nt;
    std::array<double, max_variables> d{};
    for (std::size_t i = 0; i < m; ++i) d[i] = mean_b[i] - mean[i];
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < m; ++j) c[i * m + j] += c_b[i * m + j] + d[i] * d[j] * f;
    }
    for (std::size_t i = 0; i < m; ++i) mean[i] += d[i] * nbd / nt;
    n += nb;
  }

  // Merges a block of `rows` complete rows (already counted in complete_)
  // summed about `k`: sum = Σ(x − K), bc_ the upper triangle of
  // P = Σ(x − K)(x − K)ᵀ. Its mean is K + sum/n and its co-moments
  // P − sum·sumᵀ/n.
  void merge_block(const std::array<double, max_variables>& k, const std::array<double, max_variables>& sum,
                   std::size_t rows) {
    if (rows == 0) return;
    const std::size_t m = m_;
    const double nb = static_cast<double>(rows);
    bmean_.resize(m);
    for (std::size_t i = 0; i < m; ++i) bmean_[i] = k[i] + sum[i] / nb;
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = i; j < m; ++j) {
        const double c = bc_[i * m + j] - sum[i] * sum[j] / nb;
        bc_[i * m + j] = c;
        bc_[j * m + i] = c;
      }
    }
    std::uint64_t n = complete_ - rows;
    combine(n, mean_, c_, rows, bmean_, bc_);
  }

  void add_pairwise(std::span<const double* const> cols, std::size_t rows) {
    const std::size_t m = m_;
    std::array<double, max_variables> x{};
    for (std::size_t r = 0; r < rows; ++r) {
      std::size_t present = 0;
      for (std::size_t i = 0; i < m; ++i) {
        x[i] = cols[i][r];
        if (std::isinf(x[i])) throw infinite(i, r);
        present += x[i] == x[i] ? 1 : 0;
      }
      ++rows_;
      paired_ += present >= 2 ? 1 : 0;
      complete_ += present == m ? 1 : 0;
      for (std::size_t i = 0; i < m; ++i) {
        if (x[i] != x[i]) continue;
        for (std::size_t j = i; j < m; ++j) {
          if (x[j] != x[j]) continue;
          // Welford's update of the pair (i, j) by one row.
          const std::size_t ij = i * m + j, ji = j * m + i;
          const double n = static_cast<double>(++pn_[ij]);
          pn_[ji] = pn_[ij];
          const double di = x[i] - pmean_[ij];
          const double dj = x[j] - pmean_[ji];
          pmean_[ij] += di / n;
          if (i != j) pmean_[ji] += dj / n;
          pss_[ij] += di * (x[i] - pmean_[ij]);
          if (i != j) pss_[ji] += dj * (x[j] - pmean_[ji]);
          c_[ij] += di * (x[j] - pmean_[ji]);
          c_[ji] = c_[ij];
        }
      }
    }
  }

  void merge_pair(std::size_t i, std::size_t j, const moments& o) {
    const std::size_t ij = i * m_ + j, ji = j * m_ + i;
    const std::uint64_t nb = o.pn_[ij];
    if (nb == 0) return;
    const std::uint64_t na = pn_[ij];
    if (na == 0) {
      pn_[ij] = pn_[ji] = nb;
      pmean_[ij] = o.pmean_[ij];
      pmean_[ji] = o.pmean_[ji];
      pss_[ij] = o.pss_[ij];
      pss_[ji] = o.pss_[ji];
      c_[ij] = c_[ji] = o.c_[ij];
      return;
    }
    const double a = static_cast<double>(na), b = static_cast<double>(nb), t = a + b, f = a * b / t;
    const double di = o.pmean_[ij] - pmean_[ij];
    const double dj = o.pmean_[ji] - pmean_[ji];
    pss_[ij] += o.pss_[ij] + di * di * f;
    if (i != j) pss_[ji] += o.pss_[ji] + dj * dj * f;
    c_[ij] += o.c_[ij] + di * dj * f;
    c_[ji] = c_[ij];
    pmean_[ij] += di * b / t;
    if (i != j) pmean_[ji] += dj * b / t;
    pn_[ij] = pn_[ji] = na + nb;
  }

  std::size_t m_ = 0;
  missing_policy policy_ = missing_policy::listwise;
  std::uint64_t rows_ = 0;
  std::uint64_t complete_ = 0;
  std::uint64_t paired_ = 0;
  std::vector<double> mean_;   // listwise: means over the complete rows
  std::vector<double> c_;      // co-moments (listwise: complete rows; pairwise: each pair's rows)
  std::vector<std::uint64_t> pn_;    // pairwise: rows of each pair
  std::vector<double> pmean_;  // pairwise: [i*m+j] the mean of i over the rows of (i, j)
  std::vector<double> pss_;    // pairwise: [i*m+j] Σ(x_i − mean)² over the rows of (i, j)
  // Scratch of merge_block (not part of the value: cleared before use).
  std::vector<double> bmean_;
  std::vector<double> bc_;
};

}  // namespace cxm::drivers
