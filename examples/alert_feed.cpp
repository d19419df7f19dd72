// alert_feed: a day of contacts replayed through close-the-loop alert rules,
// the way a contact centre would run them live: each detractor goes to the
// person responsible at once, with the customer's own words.
//
//   alert_feed FILE.csv [DAY]        (DAY as 2024-03-15, the default)
//
// The rules (JSON, as `cxm alerts --rules` reads them):
//   detractor   NPS 6 or less; one call-back task per agent per 8 hours, the
//               others recorded as suppressed with the reason
//   unresolved  the customer says the issue was not resolved
//   nps-last-10 NPS over the last 10 answers below −20, at most one alert
//               every 4 hours
// Every match ends as an alert or a suppression: the summary line adds up.
#include <cstdio>
#include <exception>
#include <string>

#include "cxmetrics/cxmetrics.hpp"
#include "cxmetrics/alerts/alert.hpp"
#include "cxmetrics/alerts/alert_engine.hpp"
#include "cxmetrics/alerts/alert_rule.hpp"

namespace {

constexpr const char* rules_json = R"({"rules": [
  {"name": "detractor", "kind": "score_at_most", "field": "nps", "threshold": 6,
   "cooldown": {"key": ["agent"], "seconds": 28800}},
  {"name": "unresolved", "kind": "not_resolved"},
  {"name": "nps-last-10", "kind": "window_below", "metric": "nps", "last_responses": 10,
   "threshold": -20, "min_n": 10, "cooldown": {"key": [], "seconds": 14400}}
]})";

std::string clock_time(const std::optional<cxm::timestamp>& t) {
  if (!t) return "--:--:--";
  return cxm::format_timestamp(*t).substr(11, 8);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: alert_feed FILE.csv [DAY]\n");
    return 2;
  }
  try {
    const std::string day = argc == 3 ? argv[2] : "2024-03-15";
    const cxm::timestamp from = cxm::parse_timestamp(day);
    const cxm::timestamp to = from + std::chrono::days{1};

    cxm::alert_engine_options o;
    o.clock = [to] { return to; };  // a replay: records are "raised" at the end of the day
    cxm::alert_engine engine(cxm::parse_alert_rules(rules_json, "alert_feed rules"), o);
    engine.add_sink([](const cxm::alert& a) {
      if (a.outcome == cxm::alert_outcome::alert) {
        std::printf("%s ALERT %-11s %s %-5s %-4s nps %-2s  %s%s%s\n", clock_time(a.time).c_str(), a.rule.c_str(),
                    a.id.c_str(), a.channel.c_str(), a.agent.c_str(), a.nps ? std::to_string(*a.nps).c_str() : "-",
                    a.reason.c_str(), a.why.empty() ? "" : ": ", a.why.c_str());
      } else {
        std::printf("%s suppressed %-11s %s (%s)\n", clock_time(a.time).c_str(), a.rule.c_str(), a.id.c_str(),
                    a.detail.c_str());
      }
    });

    std::uint64_t contacts = 0;
    cxm::ingest_sink sink;
    sink.on_batch = [&](const cxm::response_batch& b) {
      engine.set_channels(&b.channel_labels());
      for (std::size_t i = 0; i < b.size(); ++i) {
        const auto r = b.row(i);
        if (!r.time || *r.time < from || *r.time >= to) continue;
        ++contacts;
        engine.process(r);
      }
      engine.set_channels(nullptr);
    };
    std::uint64_t rejected = 0;
    sink.on_reject = [&](const cxm::ingest_reject& r) {
      ++rejected;
      std::fprintf(stderr, "rejected: %s\n", r.message().c_str());
    };
    (void)cxm::stream_responses(argv[1], cxm::ingest_options{}, sink);
    const auto& c = engine.counts();
    std::printf("%s: %llu contacts, %llu matches: %llu alerts, %llu suppressed, %llu failed; %llu rows rejected\n",
                day.c_str(), static_cast<unsigned long long>(contacts), static_cast<unsigned long long>(c.matches),
                static_cast<unsigned long long>(c.alerts), static_cast<unsigned long long>(c.suppressed),
                static_cast<unsigned long long>(c.failed), static_cast<unsigned long long>(rejected));
    return c.matches == c.alerts + c.suppressed + c.failed ? 0 : 4;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "alert_feed: %s\n", e.what());
    return 1;
  }
}
