// Boost.Math behind include/cxmetrics/stats/distributions.hpp.
#include "cxmetrics/stats/distributions.hpp"

#include <string>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "cxmetrics/core/error.hpp"

namespace cxm::inline v0_1::stats {

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double normal_upper_tail(double z) {
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}

double z_for_level(double level) {
  check_level(level);
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double>(), (1.0 - level) / 2.0));
}

double t_for_level(double level, double df) {
  check_level(level);
  if (!(df > 0.0)) throw invalid_argument("t quantile needs degrees of freedom > 0, got " + std::to_string(df));
  return boost::math::quantile(boost::math::complement(boost::math::students_t_distribution<double>(df), (1.0 - level) / 2.0));
}

double t_upper_tail(double t, double df) {
  if (!(df > 0.0)) throw invalid_argument("t tail needs degrees of freedom > 0, got " + std::to_string(df));
  return boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), t));
}

double beta_quantile(double a, double b, double p) {
  return boost::math::quantile(boost::math::beta_distribution<double>(a, b), p);
}

}  // namespace cxm::stats
