// Writes the bundled journey data set, examples/data/journeys.csv: 3,000
// synthetic customer journeys of an online shop through the stages
// awareness → purchase → delivery → support, one row per event.
//
//   generate_journey_data [output.csv]      (default: journeys.csv)
//
// Reproducible byte for byte on every platform, as generate_sample_data.cpp:
// std::mt19937_64 with a fixed seed and integer arithmetic only (no std::
// distributions, no floating point). A ctest test regenerates the file and
// compares it with the committed copy.
//
// Columns: journey,timestamp,channel,touchpoint,owner,stage,csat,ces,rating,
// nps,resolved. Each event row answers one question about that moment: CSAT
// 1–5 (about half the rows), CES 1–7 (purchase and support contacts) or a
// 0–10 "rating" (declared with --field rating:score:0-10). The journey's
// outcome is its NPS 0–10, given on the last event row of about 85 % of the
// journeys (on a separate survey row without an event score for some), and
// on a second row with the same value for a few.
//
// What is in it (invented, chosen to give the analyses something to find):
//   * touchpoints owned by the company, partners (the delivery: courier,
//     parcel locker, installer, tracking e-mails), customers (forum, FAQ),
//     social media and external sites, on the channels web, app, phone,
//     store, email and social;
//   * partner-owned delivery touchpoints are the most common bad moment
//     (the courier above all);
//   * journeys of one event (about 10 %) and long ones (up to 14 events,
//     with repeated support contacts);
//   * some events in the same second as the one before (ties in time);
//   * the outcome follows a peak-end process: on the experience scale x
//     (−1…1; each score mapped from its scale's midpoint), NPS is drawn
//     around 0.15 + 0.85·(intense + end)/2 with noise, where intense is the
//     most intense moment (the worst when |worst| ≥ best) and end the last
//     one; the mean of the events does not enter, so the model comparison
//     of `cxm journeys` finds peak-end ahead of the mean.
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

constexpr std::uint64_t seed = 20250601;
constexpr int journeys = 3000;

class source {
 public:
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  bool chance(int per_10000) { return below(10000) < static_cast<std::uint64_t>(per_10000); }
  // Uniform on lo..hi.
  int between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
  int pick(std::span<const int> weights) {
    std::uint64_t total = 0;
    for (int w : weights) total += static_cast<std::uint64_t>(w);
    auto r = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < static_cast<std::uint64_t>(weights[i])) return static_cast<int>(i);
      r -= static_cast<std::uint64_t>(weights[i]);
    }
    return static_cast<int>(weights.size()) - 1;
  }

 private:
  std::mt19937_64 engine_{seed};
};

enum stage_id { awareness, purchase, delivery, support };
constexpr std::array<std::string_view, 4> stage_names{"awareness", "purchase", "delivery", "support"};

struct touchpoint {
  std::string_view name;
  std::string_view owner;
  std::string_view channel;
  stage_id stage;
  int quality;  // the usual experience, thousandths of x
  int spread;   // how far a moment strays from it, thousandths of x
  int weight;   // how often it is chosen within its stage
};

constexpr std::array<touchpoint, 17> touchpoints{{
    {"search_ad", "external", "web", awareness, 150, 350, 30},
    {"review_site", "social", "social", awareness, 250, 450, 25},
    {"friend_referral", "customer", "social", awareness, 500, 300, 15},
    {"product_pages", "company", "web", awareness, 300, 350, 30},
    {"checkout_web", "company", "web", purchase, 350, 350, 40},
    {"checkout_app", "company", "app", purchase, 450, 300, 30},
    {"store_visit", "company", "store", purchase, 400, 400, 15},
    {"sales_call", "company", "phone", purchase, 300, 450, 15},
    {"courier", "partner", "phone", delivery, -250, 600, 40},
    {"parcel_locker", "partner", "app", delivery, 100, 450, 25},
    {"tracking_email", "partner", "email", delivery, 50, 350, 20},
    {"installer", "partner", "store", delivery, -100, 650, 15},
    {"helpdesk_call", "company", "phone", support, 0, 600, 35},
    {"chat_support", "company", "web", support, 150, 500, 30},
    {"return_portal", "company", "web", support, 100, 450, 15},
    {"community_forum", "customer", "social", support, 200, 400, 10},
    {"email_ticket", "company", "email", support, -150, 500, 10},
}};

enum question { q_csat, q_ces, q_rating };

struct event {
  std::int64_t time;
  const touchpoint* tp;
  question q;
  int score;
  int x;  // thousandths of the experience, from the score as the experience map gives it
  int resolved;  // -1 not asked, 0 no, 1 yes
};

// The scale of each question: min, max (midpoint = (min + max) / 2, a whole point).
constexpr std::array<std::array<int, 2>, 3> scales{{{1, 5}, {1, 7}, {0, 10}}};

// Nearest score to a target x (thousandths) on a scale, and x of that score.
int score_for(question q, int target_x) {
  const int lo = scales[q][0], hi = scales[q][1], mid = (lo + hi) / 2, half = hi - mid;
  const int t = target_x < -1000 ? -1000 : (target_x > 1000 ? 1000 : target_x);
  // round(mid + t·half/1000) for t ≥ −1000: shift to non-negative before dividing.
  const int shifted = (t + 1000) * half;  // 0 … 2000·half
  return lo + (shifted + 500) / 1000;
}
int x_of(question q, int score) {
  const int lo = scales[q][0], hi = scales[q][1], mid = (lo + hi) / 2, half = hi - mid;
  // Exact to the thousandth (scales here have half = 2, 3, 5): rounded down toward −∞ is fine
  // for the generator, which only uses it to draw the outcome.
  const int num = (score - mid) * 1000;
  return num >= 0 ? num / half : -((-num + half - 1) / half);
}

std::string csv_score(int s) { return s < 0 ? std::string() : std::to_string(s); }

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "journeys.csv";
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    std::cerr << "cannot write " << path << '\n';
    return 1;
  }
  out << "journey,timestamp,channel,touchpoint,owner,stage,csat,ces,rating,nps,resolved\n";
  source rng;
  const std::int64_t year_start = 1735689600;  // 2025-01-01T00:00:00Z
  std::size_t rows = 0;
  for (int j = 1; j <= journeys; ++j) {
    char id[16];
    std::snprintf(id, sizeof id, "J%05d", j);
    // How many events: one (10 %), short (2-4), usual (4-7), long (8-14).
    static constexpr int length_weights[] = {10, 35, 45, 10};
    const int kind = rng.pick(length_weights);
    const int length = kind == 0 ? 1 : kind == 1 ? rng.between(2, 4) : kind == 2 ? rng.between(4, 7) : rng.between(8, 14);
    const int mood = rng.between(-200, 200);  // this customer's general leaning
    std::int64_t t = year_start + static_cast<std::int64_t>(rng.below(330ULL * 86400ULL));
    // The stages in order; a one-event journey is one random moment.
    std::vector<event> events;
    int stage = kind == 0 ? static_cast<int>(rng.below(4)) : 0;
    for (int e = 0; e < length; ++e) {
      // Advance through the stages: the first event is awareness (or purchase),
      // later ones move on with a chance, the last ones are support.
      if (e > 0 && stage < support) {
        const int remaining = length - e;
        if (remaining <= support - stage || rng.chance(4500)) ++stage;
      }
      std::vector<int> candidates, weights;
      for (std::size_t k = 0; k < touchpoints.size(); ++k) {
        if (touchpoints[k].stage == stage) {
          candidates.push_back(static_cast<int>(k));
          weights.push_back(touchpoints[k].weight);
        }
      }
      const touchpoint& tp = touchpoints[static_cast<std::size_t>(candidates[static_cast<std::size_t>(rng.pick(weights))])];
      // The moment: the touchpoint's quality, the customer's mood and chance;
      // a partner's delivery now and then goes badly wrong.
      int target = tp.quality + mood + rng.between(-tp.spread, tp.spread);
      if (tp.owner == "partner" && rng.chance(1800)) target -= 700;
      question q = q_csat;
      static constexpr int q_weights_contact[] = {45, 35, 20};
      static constexpr int q_weights_other[] = {60, 0, 40};
      q = static_cast<question>(rng.pick((tp.stage == purchase || tp.stage == support) ? std::span<const int>(q_weights_contact)
                                                                                       : std::span<const int>(q_weights_other)));
      const int s = score_for(q, target);
      int resolved = -1;
      if (tp.stage == support) resolved = x_of(q, s) >= 0 ? (rng.chance(8500) ? 1 : 0) : (rng.chance(3500) ? 1 : 0);
      if (e > 0) {
        // Hours to days apart; now and then in the same second as the one before.
        t += rng.chance(500) ? 0 : static_cast<std::int64_t>(rng.between(600, 5 * 86400));
      }
      events.push_back({t, &tp, q, s, x_of(q, s), resolved});
    }
    // The outcome, by peak-end: intense = worst when |worst| ≥ best, end = last.
    int best = -1000, worst = 1000;
    for (const auto& ev : events) {
      best = ev.x > best ? ev.x : best;
      worst = ev.x < worst ? ev.x : worst;
    }
    const int intense = -worst >= best ? worst : best;
    const int remembered = (intense + events.back().x) / 2;
    int target = 150 + 850 * remembered / 1000 + rng.between(-150, 150) + rng.between(-150, 150) + rng.between(-150, 150);
    target = target < -1000 ? -1000 : (target > 1000 ? 1000 : target);
    const int nps = (target * 5 + 5000 + 500) / 1000;
    const bool has_outcome = rng.chance(8500);
    const bool survey_row = has_outcome && rng.chance(2000);
    const bool repeated = has_outcome && !survey_row && events.size() > 1 && rng.chance(500);
    for (std::size_t e = 0; e < events.size(); ++e) {
      const auto& ev = events[e];
      const bool outcome_here = has_outcome && ((!survey_row && e + 1 == events.size()) || (repeated && e + 2 == events.size()));
      std::string line = id;
      line += ',';
      line += cxm::format_timestamp(cxm::timestamp{std::chrono::seconds{ev.time}});
      line += ',';
      line += ev.tp->channel;
      line += ',';
      line += ev.tp->name;
      line += ',';
      line += ev.tp->owner;
      line += ',';
      line += stage_names[static_cast<std::size_t>(ev.tp->stage)];
      line += ',' + csv_score(ev.q == q_csat ? ev.score : -1);
      line += ',' + csv_score(ev.q == q_ces ? ev.score : -1);
      line += ',' + csv_score(ev.q == q_rating ? ev.score : -1);
      line += ',' + csv_score(outcome_here ? nps : -1);
      line += ',';
      line += ev.resolved < 0 ? "" : (ev.resolved == 1 ? "yes" : "no");
      out << line << '\n';
      ++rows;
    }
    if (survey_row) {
      // The NPS survey a day after the last event: no event score of its own.
      const std::int64_t when = events.back().time + 86400;
      out << id << ',' << cxm::format_timestamp(cxm::timestamp{std::chrono::seconds{when}})
          << ",email,nps_survey,company,support,,,," << nps << ",\n";
      ++rows;
    }
  }
  out.flush();
  if (!out) {
    std::cerr << "cannot write " << path << '\n';
    return 1;
  }
  std::cout << "wrote " << rows << " rows of " << journeys << " journeys to " << path << '\n';
  return 0;
}
