// agent_scorecard: each agent's own view of their contacts against their
// customers' (examples/data/agents.csv, written by generate_agent_data.cpp):
// per agent the contacts with both ratings, the mean self rating and mean
// CSAT, the gap with its paired t interval, the calibration (Pearson's r,
// Fisher z interval) and the rank by |gap|; then the organisation's "we
// think vs they say" line, the two top-box shares of the same contacts and
// their difference with Newcombe's paired interval.
//
//   agent_scorecard [agents.csv] [MIN_N]     (MIN_N: fewest pairs to be ranked, default 30)
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/drivers/gap.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace {

std::string value_text(const cxm::estimate& e, const char* format) {
  if (!e.has_value()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, e.value());
  return buf;
}

std::string interval_text(const cxm::estimate& e, const char* format) {
  if (!e.ok()) return "(no interval)";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, e.ci()->lower, e.ci()->upper);
  return buf;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string file = argc > 1 ? argv[1] : "examples/data/agents.csv";
  const std::uint64_t min_n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 30;

  cxm::ingest_options options;
  options.schema = cxm::schema_builder().score("self", cxm::scale::csat()).build();
  const auto read = cxm::read_responses(file, options);
  cxm::drivers::gap_input in(read.table.schema(), "self", "csat", "agent");
  in.add(read.table);
  const auto r = in.state().result({0.95, min_n});
  const auto& org = r.organisation;

  std::printf("cxmetrics agent scorecard: %s\n", file.c_str());
  std::printf("rows %llu (rejected %llu); contacts with both ratings %llu; dropped: no self %llu, no CSAT %llu, "
              "neither %llu\n",
              static_cast<unsigned long long>(read.report.summary.rows_read),
              static_cast<unsigned long long>(read.report.summary.rejected),
              static_cast<unsigned long long>(org.n), static_cast<unsigned long long>(org.missing_self),
              static_cast<unsigned long long>(org.missing_customer), static_cast<unsigned long long>(org.missing_both));
  std::printf("self and customer on CSAT 1..5; 95%% intervals; ranked by |gap|, agents under %llu contacts unranked\n\n",
              static_cast<unsigned long long>(min_n));
  std::printf("  %-6s %5s %5s %5s %6s %16s %6s %16s %5s\n", "agent", "n", "self", "cust", "gap", "95% interval", "r",
              "95% interval", "rank");
  for (const auto& g : r.groups) {
    const auto& x = g.result;
    const std::string rank = g.rank ? std::to_string(*g.rank) : "thin";
    std::printf("  %-6s %5llu %5.2f %5.2f %+6.2f %16s %6s %16s %5s\n", g.group.c_str(),
                static_cast<unsigned long long>(x.n), x.self_mean.value(), x.customer_mean.value(), x.gap.value(),
                interval_text(x.gap, "[%+5.2f, %+5.2f]").c_str(), value_text(x.calibration, "%.2f").c_str(),
                interval_text(x.calibration, "[%+5.2f, %+5.2f]").c_str(), rank.c_str());
  }
  std::printf("  %-6s %5llu %5.2f %5.2f %+6.2f %16s %6s %16s\n", "all", static_cast<unsigned long long>(org.n),
              org.self_mean.value(), org.customer_mean.value(), org.gap.value(),
              interval_text(org.gap, "[%+5.2f, %+5.2f]").c_str(), value_text(org.calibration, "%.2f").c_str(),
              interval_text(org.calibration, "[%+5.2f, %+5.2f]").c_str());

  const auto& d = org.top_box_gap.difference;
  std::printf("\nwe think %.1f%% of contacts are top box (4-5), they say %.1f%%: a gap of %+.1f points "
              "[%+.1f, %+.1f] (Newcombe, paired), McNemar p %s\n",
              100.0 * org.self_top_box.value(), 100.0 * org.customer_top_box.value(), 100.0 * d.value(),
              100.0 * d.ci()->lower, 100.0 * d.ci()->upper,
              org.top_box_gap.p_value < 0.0001 ? "< 0.0001" : std::to_string(org.top_box_gap.p_value).c_str());
  std::printf("self rated higher than the customer in %.1f%% of contacts, the same in %.1f%%, lower in %.1f%%\n",
              100.0 * org.self_higher.value(), 100.0 * org.ties.value(),
              100.0 * static_cast<double>(org.self_lower_count) / static_cast<double>(org.n));
  return 0;
} catch (const std::exception& e) {
  std::cerr << "agent_scorecard: " << e.what() << '\n';
  return 1;
}
