// Writes the bundled agent data set, examples/data/agents.csv: 2,400
// synthetic contacts of a contact centre in March 2025, each with the
// agent's own rating of how the contact went ("self", 1–5) and the
// customer's CSAT (1–5) of the same contact.
//
//   generate_agent_data [output.csv]      (default: agents.csv)
//
// Reproducible byte for byte on every platform, as generate_sample_data.cpp:
// std::mt19937_64 with a fixed seed and integer arithmetic only (no std::
// distributions, no floating point). A ctest test regenerates the file and
// compares it with the committed copy.
//
// Columns: id,timestamp,channel,agent,self,csat (self is read with
// --field self:score:1-5).
//
// What is in it (invented, chosen to give the perception-gap analysis
// something to find): every contact has a true quality q (thousandths of a
// point around the agent's skill); the customer's CSAT is q plus noise, the
// agent's self rating is calibration·(q + noise) + (1 − calibration)·mood
// (a habitual 4 give or take 1.2, drawn per contact) plus the agent's bias,
// each rounded onto 1–5. So
//   * self ratings are biased upward overall (most biases are positive);
//   * some agents are well calibrated (high calibration, small bias: AG01,
//     AG04, AG09), some are not (low calibration, large bias: AG03, AG07),
//     and one rates themselves below the customers (AG06);
//   * three agents are thin (few contacts: AG11, AG12, AG13);
//   * about 18 % of customers leave no CSAT and about 4 % of contacts have
//     no self rating (so some rows have neither), to be dropped and counted.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include "cxmetrics/core/timestamp.hpp"

namespace {

constexpr std::uint64_t seed = 20250301;
constexpr int contacts = 2400;

class source {
 public:
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  bool chance(int per_10000) { return below(10000) < static_cast<std::uint64_t>(per_10000); }
  // Uniform on lo..hi.
  int between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }

 private:
  std::mt19937_64 engine_{seed};
};

struct agent {
  std::string_view name;
  std::string_view channel;
  int weight;       // how many contacts, relative
  int skill;        // mean true quality, thousandths of a point on 1–5
  int bias;         // added to the self rating, thousandths of a point
  int calibration;  // thousandths: how much the self rating follows the true quality
};

constexpr std::array<agent, 13> agents{{
    {"AG01", "phone", 100, 4200, 0, 900},
    {"AG02", "phone", 100, 3600, 300, 800},
    {"AG03", "phone", 90, 3200, 1000, 300},
    {"AG04", "chat", 110, 4000, 100, 850},
    {"AG05", "chat", 100, 3400, 700, 500},
    {"AG06", "chat", 90, 3800, -300, 800},
    {"AG07", "email", 80, 3000, 900, 200},
    {"AG08", "email", 90, 3500, 400, 700},
    {"AG09", "phone", 100, 4400, 200, 900},
    {"AG10", "chat", 100, 3300, 800, 400},
    {"AG11", "email", 6, 3600, 500, 600},
    {"AG12", "phone", 3, 3900, 600, 500},
    {"AG13", "chat", 9, 3100, 900, 300},
}};

// A rating 1–5 from thousandths of a point, rounded half up.
int rating(int v) {
  const int c = v < 1000 ? 1000 : (v > 5000 ? 5000 : v);
  return (c + 500) / 1000;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "agents.csv";
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    std::cerr << "cannot write " << path << '\n';
    return 1;
  }
  out << "id,timestamp,channel,agent,self,csat\n";
  source rng;
  int total_weight = 0;
  for (const auto& a : agents) total_weight += a.weight;
  std::int64_t when = 1740988800 + 8 * 3600;  // 2025-03-03T08:00:00Z
  for (int i = 1; i <= contacts; ++i) {
    // The agent, by weight.
    int r = rng.between(0, total_weight - 1);
    std::size_t k = 0;
    while (r >= agents[k].weight) r -= agents[k++].weight;
    const agent& a = agents[k];
    // Contacts through the working day: 8:00–18:00, then the next day.
    when += rng.between(60, 1500);
    if ((when % 86400) >= 18 * 3600) when += 14 * 3600;
    const int q = a.skill + rng.between(-700, 700) + rng.between(-700, 700);
    const int customer = rating(q + rng.between(-500, 500));
    // What the agent saw of the contact, and their mood of the moment around
    // a habitual 4: the less calibrated, the more the mood decides.
    const int seen = q + rng.between(-400, 400);
    const int mood = 4000 + rng.between(-1200, 1200);
    const int self = rating((a.calibration * seen + (1000 - a.calibration) * mood) / 1000 + a.bias);
    const bool no_customer = rng.chance(1800);
    const bool no_self = rng.chance(400);
    char id[16];
    std::snprintf(id, sizeof id, "C%05d", i);
    out << id << ',' << cxm::format_timestamp(cxm::timestamp{std::chrono::seconds{when}}) << ',' << a.channel << ','
        << a.name << ',' << (no_self ? std::string() : std::to_string(self)) << ','
        << (no_customer ? std::string() : std::to_string(customer)) << '\n';
  }
  if (!out) {
    std::cerr << "cannot write " << path << '\n';
    return 1;
  }
  return 0;
}
