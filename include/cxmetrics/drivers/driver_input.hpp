// The rows of a key-driver analysis read from declared fields: an outcome
// and k drivers named in a schema (core/schema.hpp), each a score field
// (on its own scale: nps, csat, ces, a declared rating) or a numeric one,
// fed from a response_table or a reader's response_batch (both have
// scores(f) and numbers(f)) into a drivers::moments state, and, per driver,
// what its performance needs over the same rows: its values' count and sum
// and, for a score, how many are in the scale's top box.
//
//   cxm::drivers::driver_input in(table.schema(), "nps", {"q1", "q2"});
//   in.add(table);                          // or each batch of a read
//   auto a = cxm::drivers::analyse_drivers(in.state(), in.outcome(), in.drivers());
//   in.top_box(0);                          // q1's top-box share, Wilson interval
//
// The rows of a performance are those of the analysis: listwise the rows
// with every value present, pairwise each driver's rows with it present.
// With keep_rows(true) the rows are also kept (row-major, NaN for missing)
// for bootstrap_drivers; 8·(k + 1) bytes a row.
//
// Header: cxmetrics/drivers/driver_input.hpp (header-only).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/drivers/moments.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::drivers {

/// Reads an outcome and drivers from declared fields (see the header comment).
class driver_input {
 public:
  /// Binds `outcome` and `drivers` (names, compared as field keys) to
  /// fields of `s`. Throws invalid_argument naming the field when a name
  /// is not a field of `s`, is a field of another kind than score or
  /// numeric, or is named twice.
  driver_input(const schema& s, const std::string& outcome, const std::vector<std::string>& drivers,
               missing_policy policy = missing_policy::listwise)
      : state_(drivers.size() + 1, policy) {
    names_.reserve(drivers.size() + 1);
    bind(s, outcome);
    for (const auto& d : drivers) bind(s, d);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      for (std::size_t j = i + 1; j < ids_.size(); ++j) {
        if (ids_[i] == ids_[j]) {
          throw invalid_argument("field is named twice among the outcome and drivers", at_field(names_[j]));
        }
      }
    }
    n_.assign(ids_.size(), 0);
    sum_.assign(ids_.size(), 0.0);
    sum_sq_.assign(ids_.size(), 0.0);
    top_.assign(ids_.size(), 0);
  }

  /// Keep every row for a bootstrap (off by default).
  void keep_rows(bool on) { keep_ = on; }

  /// Adds the rows of a response_table or response_batch whose schema has
  /// the bound fields at the same ids. Throws invalid_argument otherwise.
  template <class Columns>
  void add(const Columns& t) {
    const std::size_t m = ids_.size();
    const std::size_t rows = t.size();
    if (rows == 0) return;
    std::vector<std::vector<double>> cols(m, std::vector<double>(rows));
    std::array<const double*, moments::max_variables> ptr{};
    for (std::size_t i = 0; i < m; ++i) {
      const auto& f = t.schema()[ids_[i]];
      if (field_key(f.name) != field_key(names_[i]) || f.kind != kinds_[i]) {
        throw invalid_argument("the input's field of this id is '" + f.name + "', not the one bound",
                               at_field(names_[i]));
      }
      double* out = cols[i].data();
      if (kinds_[i] == field_kind::score) {
        const auto in = t.scores(ids_[i]);
        for (std::size_t r = 0; r < rows; ++r) {
          out[r] = in[r] == response_table::missing_score ? nan_ : static_cast<double>(in[r]);
        }
      } else {
        const auto in = t.numbers(ids_[i]);
        for (std::size_t r = 0; r < rows; ++r) out[r] = in[r];
      }
      ptr[i] = out;
    }
    state_.add_columns(std::span<const double* const>(ptr.data(), m), rows);
    // Performance over the rows of the analysis.
    const bool listwise = state_.policy() == missing_policy::listwise;
    for (std::size_t r = 0; r < rows; ++r) {
      bool complete = true;
      for (std::size_t i = 0; i < m; ++i) complete = complete && !std::isnan(cols[i][r]);
      if (listwise && !complete) continue;
      for (std::size_t i = 0; i < m; ++i) {
        const double x = cols[i][r];
        if (std::isnan(x)) continue;
        ++n_[i];
        sum_[i] += x;
        sum_sq_[i] += x * x;
        if (high_[i] && x >= static_cast<double>(*high_[i])) ++top_[i];
      }
    }
    if (keep_) {
      for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t i = 0; i < m; ++i) kept_.push_back(cols[i][r]);
      }
    }
  }

  [[nodiscard]] const moments& state() const noexcept { return state_; }
  [[nodiscard]] const std::string& outcome() const noexcept { return names_[0]; }
  /// The drivers' names, as given.
  [[nodiscard]] std::span<const std::string> drivers() const noexcept {
    return std::span<const std::string>(names_).subspan(1);
  }
  /// The kept rows (keep_rows), row-major, outcome first.
  [[nodiscard]] std::span<const double> rows() const noexcept { return kept_; }

  /// Driver j's scale when it is a score field.
  [[nodiscard]] const std::optional<scale>& scale_of(std::size_t j) const { return scales_.at(j + 1); }

  /// Driver j's mean over the rows of the analysis with its Student t
  /// interval (stats/mean.hpp's formula, from the sums; the sums are of
  /// scores or of numbers of a moderate range, where the one-pass variance
  /// loses nothing that matters at 4 significant digits).
  [[nodiscard]] estimate mean(std::size_t j, double level = 0.95) const {
    check_level(level);
    const std::size_t i = j + 1;
    const std::uint64_t n = n_.at(i);
    if (n == 0) return estimate::no_data();
    const double nd = static_cast<double>(n);
    const double mu = sum_[i] / nd;
    if (n == 1) return estimate::insufficient(mu, n, nd, "a t interval needs at least 2 responses");
    const double ss = std::max(0.0, sum_sq_[i] - nd * mu * mu);
    const double se = std::sqrt(ss / (nd - 1.0) / nd);
    const double half = stats::t_for_level(level, nd - 1.0) * se;
    return estimate(mu, se, interval{mu - half, mu + half, level, interval_method::t}, n, nd);
  }

  /// Driver j's share of values in its scale's top box over the rows of the
  /// analysis (stats::proportion, Wilson by default); nullopt for a numeric driver.
  [[nodiscard]] std::optional<estimate> top_box(std::size_t j, const stats::proportion_options& o = {}) const {
    const std::size_t i = j + 1;
    if (!high_.at(i)) return std::nullopt;
    return stats::proportion(top_[i], n_[i], o);
  }

 private:
  void bind(const schema& s, const std::string& name) {
    const auto id = s.find(name);
    if (!id) {
      throw invalid_argument("is not a field of the input (declare it, e.g. --field " + name + ":score:1-5 or " + name +
                                 ":numeric)",
                             at_field(name));
    }
    const field& f = s[*id];
    if (f.kind != field_kind::score && f.kind != field_kind::numeric) {
      throw invalid_argument("is a " + std::string(to_string(f.kind)) +
                                 " field; an outcome or driver must be a score or numeric field",
                             at_field(name));
    }
    ids_.push_back(*id);
    names_.push_back(name);
    kinds_.push_back(f.kind);
    scales_.push_back(f.kind == field_kind::score ? f.score_scale : std::nullopt);
    high_.push_back(f.kind == field_kind::score && f.score_scale ? std::optional<int>(f.score_scale->high_min())
                                                                 : std::nullopt);
  }

  static constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();
  moments state_;
  std::vector<field_id> ids_;
  std::vector<std::string> names_;
  std::vector<field_kind> kinds_;
  std::vector<std::optional<scale>> scales_;
  std::vector<std::optional<int>> high_;
  std::vector<std::uint64_t> n_;
  std::vector<double> sum_, sum_sq_;
  std::vector<std::uint64_t> top_;
  bool keep_ = false;
  std::vector<double> kept_;
};

}  // namespace cxm::drivers
