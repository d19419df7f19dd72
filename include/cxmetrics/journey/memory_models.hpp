// Does the peak-end rule hold in this data? Memory models of the journey
// outcome, compared by fit and by cross-validated error.
//
// For the journeys that have an outcome (e.g. the NPS 0–10 the customer gave
// afterwards), memory_model_state keeps the sums of cross-products of
//
//   z = (1, intense, worst, best, end, mean, outcome)
//
// in each of 10 folds: a 7×7 symmetric matrix per fold, 2 KiB in all,
// mergeable by addition. The fold of a journey is a hash of its id (given by
// the caller, e.g. cxm::hash_text of the id) mixed with the state's seed,
// so a journey falls in the same fold whichever file, thread or order it
// came in, and the folds are the same after any merge. Every least-squares
// fit of the outcome on linear combinations of z is computed from these
// sums alone: in-sample on all folds, and 10-fold cross-validated by fitting
// on nine folds' sums and scoring the tenth (its squared error follows from
// its own sums: Σ(y − x'b)² = y'y − 2b'X'y + b'X'Xb).
//
// compare_memory_models fits, each with an intercept (the outcome is on its
// own scale, the predictors on −1…1):
//
//   mean        outcome ~ mean                 the average of the moments
//   end         outcome ~ end                  the last moment
//   peak        outcome ~ intense              the most intense moment
//   peak_end    outcome ~ (intense + end) / 2  the peak-end rule, fixed ½, ½
//   remembered  outcome ~ remembered(weights)  only when the options' weights
//                                              are not the default ½, ½
//   fitted      outcome ~ peak terms + end + mean, free weights: the peak
//               terms are those the options' weights use (intense, trough,
//               best; intense when none), with t intervals for every weight
//
// and gives for each R², RMSE (in-sample, √(SSE/n)) and the 10-fold
// cross-validated RMSE (√(Σ held-out SSE / n)). The model with the lowest
// cross-validated RMSE explains the outcomes best out of sample. Predictors
// that are collinear in the data (e.g. every journey a single event, where
// intense = end = mean) leave a model unfitted, with a note, never NaN.
//
// Header: cxmetrics/journey/memory_models.hpp. The fits are compiled
// (src/journey/memory_models.cpp, on Eigen).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/journey/peak_end.hpp"

namespace cxm::inline v0_1 {

/// The sums of cross-products of the memory models, per fold (see the
/// header comment). Regular value type; an accumulator over journeys.
class memory_model_state {
 public:
  static constexpr std::size_t folds = 10;
  static constexpr std::size_t terms = 7;  ///< 1, intense, worst, best, end, mean, outcome
  static constexpr std::size_t cells = terms * (terms + 1) / 2;
  using fold_sums = std::array<double, cells>;  ///< upper triangle, row by row
  struct result_type {
    std::uint64_t journeys = 0;
  };

  /// Folds drawn with seed 1.
  memory_model_state() = default;
  explicit memory_model_state(std::uint64_t seed) : seed_(seed) {}

  /// Adds a journey with events and an outcome (others are not counted).
  /// `journey_hash` identifies the journey (e.g. cxm::hash_text of its id).
  void add(const peak_end_state& j, std::uint64_t journey_hash) {
    if (j.empty() || !j.has_outcome()) return;
    const std::array<double, terms> z{1.0,     j.intense(), j.worst(), j.best(),
                                      j.end(), j.mean(),    static_cast<double>(j.outcome())};
    const std::size_t k = fold_of(journey_hash);
    fold_sums& f = sums_[k];
    std::size_t c = 0;
    for (std::size_t a = 0; a < terms; ++a) {
      for (std::size_t b = a; b < terms; ++b) f[c++] += z[a] * z[b];
    }
    ++n_[k];
  }

  /// Adds the journeys of `o`; throws incompatible_merge for another seed.
  void merge(const memory_model_state& o) {
    if (o.seed_ != seed_) throw incompatible_merge("memory model states with different fold seeds do not merge");
    for (std::size_t k = 0; k < folds; ++k) {
      n_[k] += o.n_[k];
      for (std::size_t c = 0; c < cells; ++c) sums_[k][c] += o.sums_[k][c];
    }
  }

  /// The fold (0..9) of a journey.
  [[nodiscard]] std::size_t fold_of(std::uint64_t journey_hash) const noexcept {
    return static_cast<std::size_t>(detail::hash_combine(detail::mix64(seed_), journey_hash) % folds);
  }

  [[nodiscard]] std::uint64_t count() const noexcept {
    std::uint64_t n = 0;
    for (const auto k : n_) n += k;
    return n;
  }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }
  [[nodiscard]] result_type result() const noexcept { return {count()}; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] std::uint64_t fold_count(std::size_t k) const { return n_.at(k); }
  [[nodiscard]] const fold_sums& sums(std::size_t k) const { return sums_.at(k); }

  friend bool operator==(const memory_model_state&, const memory_model_state&) = default;

 private:
  std::uint64_t seed_ = 1;
  std::array<std::uint64_t, folds> n_{};
  std::array<fold_sums, folds> sums_{};
};

/// Options of compare_memory_models.
struct memory_model_options {
  memory_weights weights{};  ///< the user's memory model: its own row and the fitted model's peak terms
  double level = 0.95;       ///< of the fitted weights' intervals
};

/// One weight of a fitted model: a term's name and coefficient (t interval).
struct model_term {
  std::string name;
  estimate coef;
};

/// One memory model's fit (see the header comment).
struct memory_model_fit {
  std::string name;
  bool fitted = false;           ///< false: collinear or too few journeys (see note)
  double r2 = 0.0;               ///< in-sample R²
  double rmse = 0.0;             ///< in-sample √(SSE / n)
  double cv_rmse = 0.0;          ///< 10-fold cross-validated RMSE
  bool cross_validated = false;  ///< false when a fold's training fit was not possible
  std::vector<model_term> terms; ///< intercept first
  std::string note;
};

/// The comparison of the memory models.
struct memory_model_report {
  std::uint64_t n = 0;                 ///< journeys with events and an outcome
  std::vector<memory_model_fit> models;
  /// The fitted model's name with the lowest cross-validated RMSE ("" when none).
  std::string best;
};

/// Fits every memory model (see the header comment). Throws
/// invalid_argument for weights that are not finite or all 0, or a level
/// outside (0, 1).
[[nodiscard]] CXMETRICS_API memory_model_report compare_memory_models(const memory_model_state& s,
                                                                      const memory_model_options& o = {});

}  // namespace cxm
