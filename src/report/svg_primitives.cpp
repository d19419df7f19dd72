// Nice ticks, number text and XML escaping: see
// include/cxmetrics/report/svg_primitives.hpp for the rules and their sources.
#include "cxmetrics/report/svg_primitives.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

#include "cxmetrics/core/error.hpp"
#include "report/text.hpp"

namespace cxm::inline v0_1::report {
namespace {

using detail::clean_text;

// ---------------------------------------------------------------------------
// Exact powers of ten (10^k for 0 <= k <= 22 is exact in binary64).

double pow10_exact(int k) {
  double p = 1.0;
  for (int i = 0; i < k; ++i) p *= 10.0;
  return p;
}

// x·10^k with one rounding when |k| <= 22 (10^k is exact there).
double times_pow10(double x, int k) {
  if (k >= 0 && k <= 22) return x * pow10_exact(k);
  if (k < 0 && k >= -22) return x / pow10_exact(-k);
  return x * std::pow(10.0, k);  // far outside any chart's range
}

// x = f·10^e with 1 <= f < 10 (x finite, > 0).
void decompose(double x, double& f, int& e) {
  e = static_cast<int>(std::floor(std::log10(x)));
  f = times_pow10(x, -e);
  // log10 may be off by one ulp next to exact powers of ten.
  if (f >= 10.0) {
    f /= 10.0;
    ++e;
  } else if (f < 1.0) {
    f *= 10.0;
    --e;
  }
}

// Heckbert's choice of 1, 2, 5 or 10 for a fraction 1 <= f < 10.
double nice_fraction(double f, bool round) {
  if (round) return f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
}

}  // namespace

// ---------------------------------------------------------------------------
// Numbers and text

double nice_number(double x, bool round) {
  if (!(std::isfinite(x) && x > 0.0)) {
    throw invalid_argument("nice_number needs a finite x > 0, got " + format_fixed(x, 6));
  }
  double f = 0.0;
  int e = 0;
  decompose(x, f, e);
  return times_pow10(nice_fraction(f, round), e);
}

tick_scale nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    throw invalid_argument("nice_ticks needs finite bounds, got [" + format_fixed(lo, 6) + ", " + format_fixed(hi, 6) +
                           "]");
  }
  if (lo > hi) {
    throw invalid_argument("nice_ticks needs lo <= hi, got [" + format_fixed(lo, 6) + ", " + format_fixed(hi, 6) + "]");
  }
  if (target < 2) {
    throw invalid_argument("nice_ticks needs a target of at least 2 ticks, got " + std::to_string(target));
  }
  if (hi - lo <= 0.0) {
    const double pad = lo == 0.0 ? 1.0 : 0.1 * std::fabs(lo);
    lo -= pad;
    hi += pad;
  }
  const double range = nice_number(hi - lo, false);
  double f = 0.0;
  int e = 0;
  decompose(range / static_cast<double>(target - 1), f, e);
  double m = nice_fraction(f, true);
  if (m == 10.0) {
    m = 1.0;
    ++e;
  }
  tick_scale t;
  t.step = times_pow10(m, e);
  t.decimals = std::max(0, -e);
  const double k_lo = std::floor(lo / t.step + 1e-9);
  const double k_hi = std::ceil(hi / t.step - 1e-9);
  for (double k = k_lo; k <= k_hi; k += 1.0) t.ticks.push_back(times_pow10(k * m, e) + 0.0);
  t.lower = t.ticks.front();
  t.upper = t.ticks.back();
  return t;
}

std::string format_fixed(double v, int decimals) {
  if (decimals < 0 || decimals > 17) {
    throw invalid_argument("format_fixed: decimals must be in 0..17, got " + std::to_string(decimals));
  }
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (r.ec != std::errc{}) throw invalid_argument("format_fixed: value does not fit the buffer");
  std::string s(buf, r.ptr);
  if (!s.empty() && s[0] == '-' && s.find_first_of("123456789") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string format_level(double level) {
  const double pct = level * 100.0;
  for (int d = 0; d < 4; ++d) {
    const double scale = pow10_exact(d);
    if (std::fabs(std::round(pct * scale) - pct * scale) < 1e-7) return format_fixed(pct, d);
  }
  return format_fixed(pct, 4);
}

std::string xml_escape(std::string_view text) {
  const std::string clean = clean_text(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c; break;
    }
  }
  return out;
}

}  // namespace cxm::report
