// The memory models of include/cxmetrics/journey/memory_models.hpp: least
// squares from the folds' sums of cross-products, on Eigen.
#include "cxmetrics/journey/memory_models.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1 {

namespace {

using matrix = Eigen::Matrix<double, memory_model_state::terms, memory_model_state::terms>;
constexpr std::size_t n_terms = memory_model_state::terms;
constexpr Eigen::Index y_index = n_terms - 1;  // the outcome's column of z

// Columns of z: 0 one, 1 intense, 2 worst, 3 best, 4 end, 5 mean, 6 outcome.
matrix full(const memory_model_state::fold_sums& f) {
  matrix m;
  std::size_t c = 0;
  for (std::size_t a = 0; a < n_terms; ++a) {
    for (std::size_t b = a; b < n_terms; ++b) {
      m(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = f[c];
      m(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(a)) = f[c];
      ++c;
    }
  }
  return m;
}

// A model: its terms as rows of D, each a linear combination of z's first
// six columns (the intercept is row 0).
struct model {
  std::string name;
  std::vector<std::string> term_names;
  Eigen::MatrixXd d;  // p × 7, the outcome column 0
};

model make(std::string name, std::vector<std::pair<std::string, std::array<double, 6>>> predictors) {
  model m;
  m.name = std::move(name);
  m.d = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(predictors.size() + 1), static_cast<Eigen::Index>(n_terms));
  m.d(0, 0) = 1.0;
  m.term_names.emplace_back("intercept");
  for (std::size_t i = 0; i < predictors.size(); ++i) {
    for (std::size_t j = 0; j < 6; ++j) m.d(static_cast<Eigen::Index>(i + 1), static_cast<Eigen::Index>(j)) = predictors[i].second[j];
    m.term_names.push_back(std::move(predictors[i].first));
  }
  return m;
}

// The normal equations of model `m` on the sums `s`: X'X, X'y, y'y, n.
struct normal_eq {
  Eigen::MatrixXd xtx;
  Eigen::VectorXd xty;
  double yty = 0.0;
  double n = 0.0;
};

normal_eq equations(const model& m, const matrix& s) {
  const Eigen::MatrixXd& d = m.d;
  normal_eq e;
  e.xtx = d * s * d.transpose();
  e.xty = d * s.col(y_index);
  e.yty = s(y_index, y_index);
  e.n = s(0, 0);
  return e;
}

// The least-squares solution when X'X has full rank (relative to its
// scale), else nothing.
bool solve(const normal_eq& e, Eigen::VectorXd& b, Eigen::MatrixXd* inverse) {
  const auto p = e.xtx.rows();
  if (e.n < static_cast<double>(p) + 1.0) return false;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(e.xtx);
  qr.setThreshold(1e-10);
  if (qr.rank() < p) return false;
  b = qr.solve(e.xty);
  if (!b.allFinite()) return false;
  if (inverse != nullptr) *inverse = qr.inverse();
  return true;
}

// Σ(y − x'b)² on the sums of `e`, never below 0.
double sse(const normal_eq& e, const Eigen::VectorXd& b) {
  return std::max(0.0, e.yty - 2.0 * b.dot(e.xty) + b.dot(e.xtx * b));
}

memory_model_fit fit(const model& m, const memory_model_state& st, const matrix& total,
                     const std::array<matrix, memory_model_state::folds>& fold, double level) {
  memory_model_fit r;
  r.name = m.name;
  const normal_eq all = equations(m, total);
  const auto p = static_cast<double>(m.d.rows());
  Eigen::VectorXd b;
  Eigen::MatrixXd inv;
  if (!solve(all, b, &inv)) {
    r.note = all.n < p + 1.0 ? "too few journeys with an outcome (" + std::to_string(static_cast<std::uint64_t>(all.n)) +
                                   ") for " + std::to_string(m.d.rows()) + " weights"
                             : "its predictors are collinear in this data (e.g. every journey a single event)";
    return r;
  }
  const double e = sse(all, b);
  const double mean_y = total(0, y_index) / all.n;
  const double sst = std::max(0.0, all.yty - all.n * mean_y * mean_y);
  r.fitted = true;
  r.r2 = sst > 0.0 ? 1.0 - e / sst : 0.0;
  r.rmse = std::sqrt(e / all.n);
  const double df = all.n - p;
  const double sigma2 = e / df;
  const double t = stats::t_for_level(level, df);
  for (Eigen::Index i = 0; i < b.size(); ++i) {
    const double se = std::sqrt(std::max(0.0, sigma2 * inv(i, i)));
    r.terms.push_back({m.term_names[static_cast<std::size_t>(i)],
                       estimate(b(i), se, interval{b(i) - t * se, b(i) + t * se, level, interval_method::t},
                                static_cast<std::uint64_t>(all.n), all.n)});
  }
  // 10-fold cross-validation: train on the other nine folds' sums.
  double held_out = 0.0;
  r.cross_validated = true;
  for (std::size_t k = 0; k < memory_model_state::folds; ++k) {
    if (st.fold_count(k) == 0) continue;
    const normal_eq train = equations(m, total - fold[k]);
    Eigen::VectorXd bk;
    if (!solve(train, bk, nullptr)) {
      r.cross_validated = false;
      r.note = "fold " + std::to_string(k) + "'s training journeys cannot fit this model: no cross-validated RMSE";
      break;
    }
    held_out += sse(equations(m, fold[k]), bk);
  }
  r.cv_rmse = r.cross_validated ? std::sqrt(held_out / all.n) : 0.0;
  return r;
}

}  // namespace

memory_model_report compare_memory_models(const memory_model_state& s, const memory_model_options& o) {
  check_memory_weights(o.weights);
  check_level(o.level);
  memory_model_report rep;
  rep.n = s.count();

  std::array<matrix, memory_model_state::folds> fold;
  matrix total = matrix::Zero();
  for (std::size_t k = 0; k < memory_model_state::folds; ++k) {
    fold[k] = full(s.sums(k));
    total += fold[k];
  }

  // Predictors as weights on (one, intense, worst, best, end, mean).
  std::vector<model> models;
  models.push_back(make("mean", {{"mean", {0, 0, 0, 0, 0, 1}}}));
  models.push_back(make("end", {{"end", {0, 0, 0, 0, 1, 0}}}));
  models.push_back(make("peak", {{"peak", {0, 1, 0, 0, 0, 0}}}));
  models.push_back(make("peak_end", {{"peak_end", {0, 0.5, 0, 0, 0.5, 0}}}));
  const memory_weights& w = o.weights;
  if (!(w == memory_weights{})) {
    models.push_back(make("remembered", {{"remembered", {0, w.intense, w.trough, w.best, w.end, w.mean}}}));
  }
  std::vector<std::pair<std::string, std::array<double, 6>>> free;
  if (w.intense != 0.0 || (w.trough == 0.0 && w.best == 0.0)) free.push_back({"peak", {0, 1, 0, 0, 0, 0}});
  if (w.trough != 0.0) free.push_back({"trough", {0, 0, 1, 0, 0, 0}});
  if (w.best != 0.0) free.push_back({"best", {0, 0, 0, 1, 0, 0}});
  free.push_back({"end", {0, 0, 0, 0, 1, 0}});
  free.push_back({"mean", {0, 0, 0, 0, 0, 1}});
  models.push_back(make("fitted", std::move(free)));

  double best = std::numeric_limits<double>::infinity();
  for (const auto& m : models) {
    rep.models.push_back(fit(m, s, total, fold, o.level));
    const auto& f = rep.models.back();
    if (f.fitted && f.cross_validated && f.cv_rmse < best) {
      best = f.cv_rmse;
      rep.best = f.name;
    }
  }
  return rep;
}

}  // namespace cxm
