// Writes the bundled sample data set, examples/data/responses.csv: 12,000
// synthetic post-contact survey responses over 24 months (2024-01 … 2025-12).
//
//   generate_sample_data [output.csv]      (default: responses.csv)
//
// The output is byte-for-byte reproducible on every platform: the only source
// of randomness is std::mt19937_64 with a fixed seed, whose output sequence
// the C++ standard fixes ([rand.eng.mers]); every transform of its output is
// written here in integer arithmetic (std:: distributions are not used, as
// their algorithms differ between standard libraries, and no floating point
// is involved, so FMA contraction or libm differences cannot change a byte).
// A ctest test regenerates the file and compares it with the committed copy.
//
// What is in it (the profiles are invented, chosen to look like a contact
// centre and to give the analyses something to find):
//   channel        share   NPS profile                       resolved (of known)
//   phone          35 %    middling                          ~78 %
//   chat           25 %    clearly better than email         ~82 %
//   email          20 %    the weakest of the staffed ones   ~64 %
//   web            15 %    slow upward trend over 24 months  56 % → 70 %
//   face_to_face    5 %    best, but small n (~600)          ~88 %
// Unresolved contacts pull NPS, CSAT and CES down; 40 agents are tied to
// channels and differ in quality; 4 segments with a post-stratification
// weight 0.50–2.00; resolved unknown on ~8 %, CSAT missing on ~15 %, CES
// asked of ~50 %, a "why" text on ~30 % (some with commas, quotes and line
// breaks, so CSV quoting is exercised).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/timestamp.hpp"

namespace {

constexpr std::uint64_t seed = 20240101;
constexpr int rows = 12000;
constexpr int month_count = 24;

// Integer-only transforms of the engine's output.
class source {
 public:
  // Uniform on 0..n-1. The modulo bias is below n / 2^64, far under anything
  // the data could show, and the mapping is the same everywhere.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  // True with probability per_10000 / 10000.
  bool chance(int per_10000) { return below(10000) < static_cast<std::uint64_t>(per_10000); }
  // Index i with probability weights[i] / sum(weights).
  int pick(std::span<const int> weights) {
    std::uint64_t total = 0;
    for (int w : weights) total += static_cast<std::uint64_t>(w);
    auto r = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const auto w = static_cast<std::uint64_t>(weights[i]);
      if (r < w) return static_cast<int>(i);
      r -= w;
    }
    return static_cast<int>(weights.size()) - 1;
  }

 private:
  std::mt19937_64 engine_{seed};
};

using nps_weights = std::array<int, 11>;
using csat_weights = std::array<int, 5>;
using ces_weights = std::array<int, 7>;

struct channel_profile {
  const char* label;
  int share;                    // relative volume
  const char* agent_prefix;
  int agents;
  nps_weights nps_start;        // NPS weights in 2024-01 ...
  nps_weights nps_end;          // ... and in 2025-12 (linear in between)
  int resolved_start;           // P(yes | known) per 10000, 2024-01 ...
  int resolved_end;             // ... and 2025-12
  ces_weights ces;              // CES when resolved
  int open_hour, close_hour;    // contact hours (UTC)
};

// clang-format off
const std::array<channel_profile, 5> profiles{{
  {"phone", 35, "PH", 14,
   {3, 2, 2, 3, 4, 6, 8, 14, 18, 20, 20}, {3, 2, 2, 3, 4, 6, 8, 14, 18, 20, 20},
   7800, 7800, {3, 4, 6, 10, 20, 30, 27}, 7, 20},
  {"chat", 25, "CH", 10,
   {1, 1, 1, 2, 2, 3, 5, 12, 18, 25, 30}, {1, 1, 1, 2, 2, 3, 5, 12, 18, 25, 30},
   8200, 8200, {2, 3, 5, 8, 18, 32, 32}, 7, 22},
  {"email", 20, "EM", 8,
   {5, 4, 4, 5, 6, 8, 10, 14, 16, 14, 14}, {5, 4, 4, 5, 6, 8, 10, 14, 16, 14, 14},
   6400, 6400, {6, 8, 10, 14, 20, 22, 20}, 0, 24},
  {"face_to_face", 5, "FF", 4,
   {1, 1, 1, 1, 1, 2, 3, 10, 20, 28, 32}, {1, 1, 1, 1, 1, 2, 3, 10, 20, 28, 32},
   8800, 8800, {2, 2, 4, 8, 18, 32, 34}, 9, 17},
  {"web", 15, "WB", 4,
   {6, 4, 4, 5, 6, 8, 10, 14, 15, 14, 14}, {2, 2, 2, 3, 4, 5, 8, 14, 18, 21, 21},
   5600, 7000, {5, 7, 9, 14, 21, 24, 20}, 0, 24},
}};
// clang-format on

// Redraw pools: an unhappy and a happy NPS answer.
constexpr nps_weights nps_unhappy{12, 8, 9, 10, 10, 12, 12, 10, 7, 5, 5};
constexpr nps_weights nps_happy{0, 0, 0, 0, 1, 2, 4, 13, 20, 28, 32};
// CSAT 1–5 given the NPS band: 0–4, 5–6, 7–8, 9–10.
constexpr std::array<csat_weights, 4> csat_by_band{{
    {40, 30, 18, 9, 3},
    {15, 30, 32, 18, 5},
    {3, 8, 29, 45, 15},
    {1, 2, 7, 35, 55},
}};
constexpr ces_weights ces_unresolved{20, 20, 18, 14, 12, 9, 7};

struct segment_profile {
  const char* label;
  int share;
  int weight_milli;  // post-stratification weight (population share / sample share), × 1000
};
constexpr std::array<segment_profile, 4> segments{{
    {"consumer", 55, 1150},
    {"small_business", 25, 850},
    {"enterprise", 12, 620},
    {"public_sector", 8, 1600},
}};

// Agent quality −2 … +2 (shifts NPS towards the happy or unhappy pool).
constexpr std::array<int, 14> agent_quality{0, 1, -1, 0, 2, 0, -1, 0, 1, -2, 0, 0, 1, 0};

const std::vector<std::string_view> why_detractor{
    "Waited over 40 minutes, then the call dropped",
    "Nobody called back, as promised",
    "Had to explain the same issue three times",
    "The agent said \"we'll fix it next week\", nothing happened",
    "Still not resolved",
    "Reply took five days",
    "Got a template answer that didn't address my question",
    "Things just don't move",
    "Invoice is still wrong, second month in a row",
    "Transferred between departments, no one owned the case",
    "The form lost my data twice",
    "Delivery partner never showed up",
    "First answer was wrong.\nSecond one came after a week",
};
const std::vector<std::string_view> why_passive{
    "OK in the end, but slow",
    "Fine, nothing special",
    "Solved, though it took two contacts",
    "Friendly, but I had to chase the answer",
    "Quick reply; the instructions were a bit unclear",
    "Good service, \"usual\" waiting times",
    "Helpful agent, clunky system",
};
const std::vector<std::string_view> why_promoter{
    "Fast and friendly",
    "Solved on the first contact, thanks!",
    "Very helpful, explained everything clearly",
    "The agent went the extra mile",
    "Easy, quick, no hassle",
    "Great service, as always",
    "She called back \"just to check\", nice touch",
    "Clear answer within minutes",
    "Great help.\nWill recommend to colleagues",
};

struct row {
  std::int64_t time = 0;
  std::uint64_t seq = 0;  // generation order, breaks ties in time
  int channel = 0;
  int agent = 0;          // within the channel, 1-based
  int segment = 0;
  int nps = 0;
  int csat = 0;           // 0 = missing
  int ces = 0;            // 0 = missing
  int resolved = -1;      // 1 yes, 0 no, -1 unknown
  int weight_milli = 1000;
  std::string_view why;
};

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string two_digits(int v) { return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10); }

row generate(source& src, std::uint64_t seq) {
  using namespace std::chrono;
  row r;
  r.seq = seq;

  // When: volume grows slowly over the months.
  std::array<int, month_count> month_weights{};
  for (int m = 0; m < month_count; ++m) month_weights[static_cast<std::size_t>(m)] = 100 + 2 * m;
  const int m = src.pick(month_weights);

  std::array<int, profiles.size()> shares{};
  for (std::size_t c = 0; c < profiles.size(); ++c) shares[c] = profiles[c].share;
  r.channel = src.pick(shares);
  const auto& ch = profiles[static_cast<std::size_t>(r.channel)];

  const year_month ym = year{2024} / January + std::chrono::months{m};
  const auto days_in_month = static_cast<unsigned>((ym / std::chrono::last).day());
  const auto day_index = static_cast<int>(src.below(days_in_month));
  const auto open_seconds = static_cast<std::uint64_t>((ch.close_hour - ch.open_hour) * 3600);
  const auto second_of_day = ch.open_hour * 3600 + static_cast<int>(src.below(open_seconds));
  const sys_days day = sys_days{ym / 1} + days{day_index};
  r.time = (sys_seconds{day} + seconds{second_of_day}).time_since_epoch().count();

  // Who.
  std::vector<int> agent_weights(static_cast<std::size_t>(ch.agents));
  for (int a = 0; a < ch.agents; ++a) agent_weights[static_cast<std::size_t>(a)] = 3 + (a * 7) % 5;
  r.agent = 1 + src.pick(agent_weights);
  std::array<int, segments.size()> seg_shares{};
  for (std::size_t s = 0; s < segments.size(); ++s) seg_shares[s] = segments[s].share;
  r.segment = src.pick(seg_shares);
  const auto jitter = static_cast<int>(src.below(201));  // ±10 %
  r.weight_milli = std::clamp(segments[static_cast<std::size_t>(r.segment)].weight_milli * (900 + jitter) / 1000, 500, 2000);

  // Resolved? Unknown on 8 %.
  if (src.chance(800)) {
    r.resolved = -1;
  } else {
    const int p_yes = (ch.resolved_start * (month_count - 1 - m) + ch.resolved_end * m) / (month_count - 1);
    r.resolved = src.chance(p_yes) ? 1 : 0;
  }

  // NPS from the channel's profile of the month, then shifted by outcome and agent.
  nps_weights w{};
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = ch.nps_start[i] * (month_count - 1 - m) + ch.nps_end[i] * m;
  r.nps = src.pick(w);
  const int quality = agent_quality[static_cast<std::size_t>(r.agent - 1) % agent_quality.size()];
  if (r.resolved == 0 && src.chance(4500)) r.nps = src.pick(nps_unhappy);
  if (r.resolved == 1 && src.chance(1500)) r.nps = src.pick(nps_happy);
  if (quality > 0 && src.chance(600 * quality)) r.nps = src.pick(nps_happy);
  if (quality < 0 && src.chance(-600 * quality)) r.nps = src.pick(nps_unhappy);

  // CSAT follows the NPS band; missing on 15 %.
  const int band = r.nps <= 4 ? 0 : r.nps <= 6 ? 1 : r.nps <= 8 ? 2 : 3;
  const int csat = 1 + src.pick(csat_by_band[static_cast<std::size_t>(band)]);
  r.csat = src.chance(1500) ? 0 : csat;

  // CES asked of half the respondents; unresolved contacts were harder.
  if (src.chance(5000)) {
    r.ces = 1 + ((r.resolved == 0 && src.chance(6000)) ? src.pick(ces_unresolved) : src.pick(ch.ces));
  }

  // "Why": detractors explain themselves more often.
  const int why_chance = r.nps <= 6 ? 4800 : r.nps <= 8 ? 2200 : 2000;
  if (src.chance(why_chance)) {
    const auto& pool = r.nps <= 6 ? why_detractor : r.nps <= 8 ? why_passive : why_promoter;
    r.why = pool[static_cast<std::size_t>(src.below(pool.size()))];
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "responses.csv";
  source src;
  std::vector<row> data;
  data.reserve(rows);
  for (int i = 0; i < rows; ++i) data.push_back(generate(src, static_cast<std::uint64_t>(i)));
  std::sort(data.begin(), data.end(),
            [](const row& a, const row& b) { return a.time != b.time ? a.time < b.time : a.seq < b.seq; });

  std::ofstream out(path, std::ios::binary);
  if (!out) {
    std::cerr << "generate_sample_data: cannot open " << path << " for writing\n";
    return 1;
  }
  out << "id,timestamp,channel,agent,segment,nps,csat,ces,resolved,weight,why\n";
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto& r = data[i];
    const auto& ch = profiles[static_cast<std::size_t>(r.channel)];
    char id[16];
    std::snprintf(id, sizeof id, "R%05u", static_cast<unsigned>(i + 1));
    std::string line = id;
    line += ',';
    line += cxm::format_timestamp(cxm::timestamp{std::chrono::seconds{r.time}});
    line += ',';
    line += ch.label;
    line += ',';
    line += std::string(ch.agent_prefix) + two_digits(r.agent);
    line += ',';
    line += segments[static_cast<std::size_t>(r.segment)].label;
    line += ',';
    line += std::to_string(r.nps);
    line += ',';
    if (r.csat > 0) line += std::to_string(r.csat);
    line += ',';
    if (r.ces > 0) line += std::to_string(r.ces);
    line += ',';
    line += r.resolved == 1 ? "yes" : r.resolved == 0 ? "no" : "unknown";
    line += ',';
    line += std::to_string(r.weight_milli / 1000) + "." + std::to_string(r.weight_milli / 100 % 10) +
            two_digits(r.weight_milli % 100);
    line += ',';
    line += csv_field(r.why);
    line += '\n';
    out << line;
  }
  out.close();
  if (!out) {
    std::cerr << "generate_sample_data: writing " << path << " failed\n";
    return 1;
  }
  std::cerr << "generate_sample_data: wrote " << data.size() << " responses to " << path << "\n";
  return 0;
}
