// Writes the bundled key-driver data set, examples/data/drivers.csv: 1,500
// synthetic answers to a B2B relationship survey — likelihood to recommend
// (nps, 0–10) and how well the supplier delivers on the six elements of B2B
// experience, each rated 1–5 (5 best; top box 4–5): commitment, fulfilment,
// seamlessness, responsiveness, proactivity, evolution.
//
//   generate_driver_data [output.csv]      (default: drivers.csv)
//
// Reproducible byte for byte on every platform, as generate_journey_data.cpp:
// std::mt19937_64 with a fixed seed and integer arithmetic only (no std::
// distributions, no floating point). A ctest test regenerates the file and
// compares it with the committed copy.
//
// Columns: id,timestamp,channel,segment,nps,commitment,fulfilment,
// seamlessness,responsiveness,proactivity,evolution. Declare the six
// ratings as score fields 1-5 (examples/data/drivers_fields.json, or
// --field commitment:score:1-5 ...).
//
// The known structure (invented, so that a driver analysis has something
// to find). Standard normal variables are drawn as the sum of 12 uniforms
// minus 6 (Irwin–Hall, in integer units of 1/20000 SD):
//   * latent element scores x_j = a_j·g + b_j·f + c_j·e_j, with g a general
//     relationship factor shared by all six, f a factor shared by a pair
//     (operations: seamlessness and responsiveness; development: proactivity
//     and evolution) and e_j the element's own part (a² + b² + c² ≈ 1), so
//     the drivers correlate with each other by 0.2 to 0.5:
//         commitment      a 0.60           c 0.80
//         fulfilment      a 0.55           c 0.835
//         seamlessness    a 0.50  b 0.50   c 0.707
//         responsiveness  a 0.50  b 0.50   c 0.707
//         proactivity     a 0.45  b 0.45   c 0.77
//         evolution       a 0.45  b 0.45   c 0.77
//   * the outcome's latent y = Σ w_j·x_j + 0.6·e_y with the true weights
//         fulfilment 0.40, responsiveness 0.30, commitment 0.20,
//         seamlessness 0.15, proactivity 0.10, evolution 0.05,
//     and nps = 7 + round(2.1·y), cut to 0..10;
//   * ratings: 1 + the number of the cut points −1.6, −0.8, 0, 1.0 (SD)
//     that x_j + s_j exceeds, with shifts s_j that set the top-box shares
//     near commitment 60 %, fulfilment 70 %, seamlessness 45 %,
//     responsiveness 35 %, proactivity 25 %, evolution 55 %;
//   * missing values: each rating left unanswered with probability 1.5 %,
//     nps with 1 %.
// With importance the largest weights and performance the top-box shares,
// the quadrants come out as: fulfilment and commitment keep up,
// responsiveness fix first, evolution possible overkill, seamlessness and
// proactivity low priority.
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

namespace {

constexpr std::uint64_t seed = 20260601;
constexpr int responses = 1500;
constexpr std::int64_t sd = 20000;  // one standard deviation in the integer units

class source {
 public:
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  bool chance(int per_10000) { return below(10000) < static_cast<std::uint64_t>(per_10000); }
  // Approximately standard normal, in units of 1/sd: Σ (2u − 9999) over 12
  // uniforms u on 0..9999 has mean 0 and SD ≈ 20000.
  std::int64_t normal() {
    std::int64_t s = 0;
    for (int i = 0; i < 12; ++i) s += 2 * static_cast<std::int64_t>(below(10000)) - 9999;
    return s;
  }

 private:
  std::mt19937_64 engine_{seed};
};

// a/b rounded to the nearest integer, halves away from zero.
std::int64_t round_div(std::int64_t a, std::int64_t b) {
  const std::int64_t h = b / 2;
  return a >= 0 ? (a + h) / b : -((-a + h) / b);
}

struct element {
  std::string_view name;
  int a, b, c;  // loadings on g, the pair factor and the own part, in 1/1000
  int pair;     // 0: operations, 1: development, -1: none
  int weight;   // true weight on the outcome's latent, in 1/100
  int shift;    // added to x before the cut points, in 1/100 SD
};

constexpr std::array<element, 6> elements{{
    {"commitment", 600, 0, 800, -1, 20, 25},
    {"fulfilment", 550, 0, 835, -1, 40, 52},
    {"seamlessness", 500, 500, 707, 0, 15, -13},
    {"responsiveness", 500, 500, 707, 0, 30, -39},
    {"proactivity", 450, 450, 770, 1, 10, -67},
    {"evolution", 450, 450, 770, 1, 5, 13},
}};

constexpr std::array<std::string_view, 4> channels{"phone", "email", "face_to_face", "web"};
constexpr std::array<int, 4> channel_weights{35, 30, 20, 15};
constexpr std::array<std::string_view, 3> segments{"enterprise", "mid_market", "small"};
constexpr std::array<int, 3> segment_weights{25, 45, 30};

template <std::size_t N>
std::size_t pick(source& r, const std::array<int, N>& w) {
  int total = 0;
  for (int x : w) total += x;
  auto v = static_cast<int>(r.below(static_cast<std::uint64_t>(total)));
  for (std::size_t i = 0; i < N; ++i) {
    if (v < w[i]) return i;
    v -= w[i];
  }
  return N - 1;
}

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "drivers.csv";
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    std::cerr << "generate_driver_data: cannot write " << path << "\n";
    return 1;
  }
  source r;
  out << "id,timestamp,channel,segment,nps";
  for (const auto& e : elements) out << ',' << e.name;
  out << '\n';
  constexpr std::array<unsigned, 12> month_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};  // 2025
  // Cut points of the 1-5 ratings, in 1/100 SD.
  constexpr std::array<int, 4> cuts{-160, -80, 0, 100};
  for (int i = 0; i < responses; ++i) {
    // A time in 2025: day and second of the day.
    auto day = static_cast<unsigned>(r.below(365));
    const auto sec = static_cast<unsigned>(r.below(86400));
    unsigned month = 0;
    while (day >= month_days[month]) day -= month_days[month++];
    const std::string when = "2025-" + two(month + 1) + "-" + two(day + 1) + "T" + two(sec / 3600) + ":" +
                             two(sec / 60 % 60) + ":" + two(sec % 60) + "Z";
    const std::string_view channel = channels[pick(r, channel_weights)];
    const std::string_view segment = segments[pick(r, segment_weights)];

    const std::int64_t g = r.normal();
    const std::array<std::int64_t, 2> pair{r.normal(), r.normal()};
    std::array<std::int64_t, 6> x{};
    std::int64_t y = 0;
    for (std::size_t j = 0; j < elements.size(); ++j) {
      const auto& e = elements[j];
      const std::int64_t f = e.pair >= 0 ? pair[static_cast<std::size_t>(e.pair)] : 0;
      x[j] = (e.a * g + e.b * f + e.c * r.normal()) / 1000;
      y += e.weight * x[j];  // in 1/100 of the units
    }
    y = y / 100 + 6 * r.normal() / 10;
    // nps = 7 + round(2.1·y/sd), cut to 0..10.
    std::int64_t nps = 7 + round_div(21 * y, 10 * sd);
    nps = nps < 0 ? 0 : nps > 10 ? 10 : nps;

    out << "B" << (i + 1 < 10 ? "000" : i + 1 < 100 ? "00" : i + 1 < 1000 ? "0" : "") << (i + 1) << ',' << when << ','
        << channel << ',' << segment << ',';
    if (!r.chance(100)) out << nps;
    for (std::size_t j = 0; j < elements.size(); ++j) {
      out << ',';
      const std::int64_t v = x[j] * 100 / sd + elements[j].shift;  // 1/100 SD
      int rating = 1;
      for (int c : cuts) rating += v > c ? 1 : 0;
      if (!r.chance(150)) out << rating;
    }
    out << '\n';
  }
  out.flush();
  if (!out) {
    std::cerr << "generate_driver_data: cannot write " << path << "\n";
    return 1;
  }
  std::cout << "wrote " << responses << " responses to " << path << "\n";
  return 0;
}
