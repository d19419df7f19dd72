// The code of the README's "Using the library" section, compiled and run by
// ctest so that the README cannot drift from the API. The test checks, by hand:
// the first snippet's NPS (8 responses, 4 promoters 9–10, 2 detractors 0–6:
// 100·(4 − 2)/8 = 25 points), the resolution rate (1 yes, 1 unknown → 1),
// the dashboard NPS (120 detractors, 300 passives, 410 promoters:
// 100·290/830 = 34.94), the column tally (1000 nines → 1000 promoters),
// the merged count (3 responses) and the interval asked for at result time
// (bayes_dirichlet at 90 %), the top-1 CSAT of one 5 (100 %, Jeffreys), the
// column state (1000 responses) and the binary and JSON round trips, and the
// groups by channel and month in UTC+2: web 2024-02-29T22:30Z (already March
// at +02:00) scores 9 and web 2024-03-05 scores 3, so web 2024-03 has one
// promoter and one detractor, NPS 100·(1 − 1)/2 = 0; chat 2024-04-10 scores
// 10 alone.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <span>
#include <tuple>
#include <vector>

#include "cxmetrics/cxmetrics.hpp"

int main() {
  cxm::nps_accumulator acc;  // NPS 0–10: promoters 9–10, detractors 0–6
  for (int score : {10, 9, 9, 8, 7, 6, 3, 10}) acc.add(score);
  const auto first = acc.result();  // adjusted Wald 95 % by default

  cxm::nps_accumulator east, west;  // the state is the histogram alone
  east.add(9);
  east.add(4, /*weight=*/1.7);  // weighted from here on
  west.add(10);
  east.merge(west);  // same as adding west's responses
  cxm::nps_options opt;  // asked for at result time, never stored
  opt.method = cxm::interval_method::bayes_dirichlet;  // or wald, adjusted_wald, bootstrap
  opt.level = 0.90;
  const auto bayes = east.result(opt);

  cxm::csat_accumulator top1(cxm::scale::csat(1));  // the top box is part of the state
  top1.add(5);
  const auto s = top1.result({0.90, cxm::interval_method::jeffreys});  // rating_options

  cxm::resolution_accumulator fcr;  // Wilson by default
  fcr.add(cxm::resolution::yes);
  fcr.add(cxm::resolution::unknown);  // counted, excluded from the rate
  const auto rate = fcr.result();

  cxm::score_counts c(cxm::scale::nps());
  c.add_count(0, 120);
  c.add_count(8, 300);
  c.add_count(10, 410);
  const auto r = cxm::compute_nps(c);
  const auto d = cxm::compare_nps(c, west.counts());

  std::vector<std::uint8_t> column(1000, 9);
  std::span<const std::uint8_t> scores = column;
  cxm::engine::count_options o;
  o.threads = 2;
  const auto tally = cxm::engine::count_nps(scores, cxm::scale::nps(), o);
  const auto hist = cxm::engine::count_scores(scores, cxm::scale::nps(), o);
  cxm::nps_accumulator from_column;
  cxm::engine::add_column(from_column, scores, o);  // into any histogram-backed state

  std::vector<std::byte> bytes = cxm::serialize(east);
  auto back = cxm::deserialize<cxm::nps_accumulator>(bytes);
  nlohmann::json j = back;

  cxm::response_table table;
  for (const auto& [label, unix_seconds, score] :
       {std::tuple{"web", 1709245800LL, 9}, std::tuple{"web", 1709647629LL, 3}, std::tuple{"chat", 1712707200LL, 10}}) {
    cxm::response resp;
    resp.channel = table.channel_of(label);
    resp.time = cxm::timestamp{std::chrono::seconds{unix_seconds}};
    resp.nps = score;
    table.append(resp);
  }
  using nps_fcr = cxm::metric_set<cxm::nps_accumulator, cxm::resolution_accumulator>;
  cxm::group_by<nps_fcr, cxm::by_label, cxm::by_period> g(
      nps_fcr{}, cxm::by_label{cxm::category::channel},
      cxm::by_period(cxm::time_bucket::month, std::chrono::hours{2}));  // months in UTC+2
  g.feed(table);                                                         // a cxm::response_table
  for (const auto& [key, set] : g.groups()) {                            // ascending (label, month)
    const auto& [channel, month] = key;                                  // "web", cxm::period 2024-03
    const auto nps = set.get().get<cxm::nps_accumulator>().result();
    std::printf("group %s %s n %llu nps %.1f\n", channel.c_str(), cxm::to_string(month).c_str(),
                static_cast<unsigned long long>(nps.nps.n()), nps.nps.value());
  }

  std::printf("first nps %.1f n %llu\n", first.nps.value(), static_cast<unsigned long long>(first.nps.n()));
  std::printf("resolution rate %.3f unknown %llu\n", rate.rate.value(),
              static_cast<unsigned long long>(rate.unknown));
  std::printf("dashboard nps %.2f difference %.2f p %.3g\n", r.nps.value(), d.difference.value(), d.p_value);
  std::printf("column promoters %llu histogram n %llu\n", static_cast<unsigned long long>(tally.promoters),
              static_cast<unsigned long long>(hist.count()));
  std::printf("merged n %llu, %s %.0f%% interval\n", static_cast<unsigned long long>(east.count()),
              cxm::to_string(bayes.nps.ci()->method), 100 * bayes.nps.ci()->level);
  std::printf("top-1 csat %.0f%% %s, column n %llu\n", 100 * s.satisfied.value(), cxm::to_string(s.satisfied.ci()->method),
              static_cast<unsigned long long>(from_column.count()));
  std::printf("round trip %s, json %s\n", back == east ? "equal" : "differs",
              j.get<cxm::nps_accumulator>() == east ? "equal" : "differs");
  return 0;
}
