// The drawing primitives of the report's SVG charts (report/svg.hpp) and of
// its HTML and Markdown: nice axis ticks, locale-free number text, XML
// escaping and the colour-blind-safe palette.
//
// Numbers and text
//   nice_number / nice_ticks  Heckbert's "loose labeling" (P. S. Heckbert,
//                    "Nice numbers for graph labels", in A. S. Glassner (ed.),
//                    Graphics Gems, Academic Press 1990, pp. 61–63):
//                      range = nice(hi − lo, round = false)
//                      step  = nice(range / (target − 1), round = true)
//                      ticks = floor(lo/step)·step, …, ceil(hi/step)·step
//                    where nice(x) picks 1, 2, 5 or 10 times a power of ten
//                    (rounding: f < 1.5 → 1, < 3 → 2, < 7 → 5, else 10;
//                    ceiling: f <= 1 → 1, <= 2 → 2, <= 5 → 5, else 10, for
//                    x = f·10^e, 1 <= f < 10). Each tick is computed as the
//                    integer k·m divided or multiplied by an exact power of
//                    ten (step = m·10^e), so 0.3 is the double nearest 0.3,
//                    not 3·0.1; a bound within 1e-9 steps of a tick snaps to
//                    it. A zero range is widened by 10 % of |lo| (by 1 when
//                    lo = 0) on each side first.
//   format_fixed     fixed-point text with a given number of decimals by
//                    std::to_chars: correctly rounded, independent of the
//                    C/C++ locale; "-0.0" is written "0.0"; non-finite values
//                    are "NaN", "inf", "-inf".
//   xml_escape       text for XML/HTML content and attribute values: & < > "
//                    and ' become entities; bytes that are not valid UTF-8, C0
//                    controls other than tab/LF/CR, and U+FFFE/U+FFFF (none of
//                    which XML 1.0 allows) become U+FFFD.
//
// Palette: the eight colours of Okabe & Ito (2008), "Color Universal Design
// (CUD): How to make figures and presentations that are friendly to
// colorblind people", https://jfly.uni-koeln.de/color/ — distinguishable
// under protanopia, deuteranopia and tritanopia. Detractors / passives /
// promoters are vermillion / yellow / bluish green; estimates blue; thin
// periods orange; bars sky blue. Shape backs colour up wherever a colour
// carries meaning (triangles up/down for significance, hollow circles for
// thin periods).
//
// Header: cxmetrics/report/svg_primitives.hpp; implemented in
// src/report/svg_primitives.cpp.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/export.hpp"

namespace cxm::inline v0_1::report {

/// Ticks of an axis: the axis runs from lower to upper (both ticks).
struct tick_scale {
  double lower = 0.0;         ///< first tick, <= the data minimum
  double upper = 0.0;         ///< last tick, >= the data maximum
  double step = 0.0;          ///< distance between ticks: 1, 2 or 5 times a power of ten
  int decimals = 0;           ///< decimals that show every tick exactly (max(0, −log10 step))
  std::vector<double> ticks;  ///< lower, lower + step, …, upper
};

/// Heckbert's nice number near x > 0: 1, 2, 5 or 10 times a power of ten,
/// rounded (`round`) or the smallest such number >= x. Throws
/// invalid_argument unless x is finite and > 0.
[[nodiscard]] CXMETRICS_API double nice_number(double x, bool round);

/// About `target` nice ticks covering [lo, hi] (Heckbert's loose labeling,
/// see the header comment). Throws invalid_argument for non-finite bounds,
/// lo > hi or target < 2.
[[nodiscard]] CXMETRICS_API tick_scale nice_ticks(double lo, double hi, int target = 5);

/// `v` with exactly `decimals` (0…17) decimals, '.' as decimal point,
/// whatever the locale. Throws invalid_argument for decimals outside 0…17.
[[nodiscard]] CXMETRICS_API std::string format_fixed(double v, int decimals);

/// A level as a percentage without needless decimals: "95" for 0.95,
/// "99.5" for 0.995 (at most 4 decimals).
[[nodiscard]] CXMETRICS_API std::string format_level(double level);

/// `text` made safe for XML/HTML content and attribute values (see the
/// header comment): entities for & < > " ', U+FFFD for what XML forbids.
[[nodiscard]] CXMETRICS_API std::string xml_escape(std::string_view text);

/// The Okabe–Ito colours (Okabe & Ito 2008), as CSS hex colours.
namespace okabe_ito {
inline constexpr const char* black = "#000000";
inline constexpr const char* orange = "#E69F00";
inline constexpr const char* sky_blue = "#56B4E9";
inline constexpr const char* bluish_green = "#009E73";
inline constexpr const char* yellow = "#F0E442";
inline constexpr const char* blue = "#0072B2";
inline constexpr const char* vermillion = "#D55E00";
inline constexpr const char* reddish_purple = "#CC79A7";
/// All eight, in the order of Okabe & Ito's figure.
inline constexpr std::array<const char*, 8> all{black, orange, sky_blue, bluish_green, yellow, blue, vermillion,
                                                reddish_purple};
}  // namespace okabe_ito

}  // namespace cxm::report
