// channel_report: NPS, CSAT and resolution rate per channel, with intervals,
// and whether each channel differs significantly from all the others.
//
//   channel_report FILE.csv [--weighted] [--level L] [--adjust holm|bh|bonferroni|none]
//
// FILE.csv has a header row naming at least the columns channel and nps (see
// cxmetrics/io/csv.hpp for every column the reader knows; a .jsonl file, or
// any format cxm::read_responses reads, works the same). Rows that cannot be
// used are not dropped silently: the report starts with how many rows were
// read, accepted and rejected, by reason, and shows the first rejects.
//
// The responses are counted once, by cxm::group_by over a metric_set keyed by
// the channel's label (so the channels come in label order), and the groups
// merged give the row "all".
//
// Each channel is compared with the rest of the responses (all other channels
// merged) by stats/compare_to_rest.hpp: NPS by a z test with the variance
// pooled under the null hypothesis, CSAT top-2-box and resolution rate by the
// pooled two-proportion z test (Newcombe's interval for the difference); a
// channel with fewer than 30 responses on a side is not tested. The p-values
// of the tested channels of one metric are adjusted together (Holm by
// default) and a '*' marks adjusted p < 1 − level.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cxmetrics/cxmetrics.hpp"

namespace {

struct options {
  std::string file;
  bool weighted = false;
  double level = 0.95;
  cxm::stats::p_adjust adjust = cxm::stats::p_adjust::holm;
};

[[noreturn]] void usage(const char* argv0, int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: %s FILE.csv [--weighted] [--level L] [--adjust holm|bh|bonferroni|none]\n", argv0);
  std::exit(code);
}

options parse_args(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") usage(argv[0], 0);
    if (a == "--weighted") {
      o.weighted = true;
    } else if (a == "--level" && i + 1 < argc) {
      char* end = nullptr;
      o.level = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0') usage(argv[0], 2);
      cxm::check_level(o.level);
    } else if (a == "--adjust" && i + 1 < argc) {
      o.adjust = cxm::stats::parse_p_adjust(argv[++i], cxm::at_field("--adjust"));
    } else if (!a.empty() && a.front() != '-' && o.file.empty()) {
      o.file = a;
    } else {
      usage(argv[0], 2);
    }
  }
  if (o.file.empty()) usage(argv[0], 2);
  return o;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string format_p(double p) {
  if (std::isnan(p)) return "-";
  if (p < 0.0001) return "<0.0001";
  return fmt("%.4f", p);
}

// One row of a metric table: value and interval (scaled for display), the
// difference to the rest and its adjusted p-value.
struct row {
  std::string name;
  cxm::estimate value;
  cxm::estimate diff;
  double p = NAN;
};

using metrics = cxm::metric_set<cxm::nps_accumulator, cxm::csat_accumulator, cxm::resolution_accumulator>;
using by_channel = cxm::group_by<metrics, cxm::by_label>;

// One metric A of every channel, each against the rest of the responses:
// stats::compare_to_rest, the test of `cxm summary` and `cxm report`, takes
// the total and subtracts each group from it (linear in the channels), and
// adjusts the p-values of the channels together. The last row is `all`.
template <class A, class Value>
std::vector<row> rows_of(const std::vector<by_channel::entry>& groups, const metrics& all, cxm::stats::rest_metric m,
                         const cxm::stats::rest_options& ro, Value value_of) {
  const auto member = [](const metrics& s) -> const A& { return s.get<A>(); };
  std::vector<const cxm::score_counts*> counts;
  for (const auto& [key, set] : groups) counts.push_back(&member(set).counts());
  const auto cmp = cxm::stats::compare_to_rest(counts, member(all).counts(), m, ro);
  std::vector<row> rows;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& [key, set] = groups[i];
    rows.push_back({std::get<0>(key), value_of(member(set)), cmp[i].vs_rest.difference, cmp[i].p_adjusted});
  }
  rows.push_back({"all", value_of(member(all)), {}, NAN});
  return rows;
}

void print_table(const char* title, const char* unit, double scale, const std::vector<row>& rows, double level) {
  const int pct = static_cast<int>(std::lround(level * 100));
  std::printf("\n%s\n", title);
  std::printf("  %-14s %8s %8s %18s %9s %9s\n", "channel", "n", unit, (std::to_string(pct) + "% interval").c_str(),
              "vs rest", "p (adj.)");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const row& r = rows[i];
    const bool test = i + 1 < rows.size();  // the last row, all, is not tested
    std::string value = "-", ci = "-", diff = "", p = "", mark = "";
    if (r.value.has_value()) value = fmt("%.1f", r.value.value() * scale);
    if (r.value.has_interval()) {
      ci = "[" + fmt("%6.1f", r.value.ci()->lower * scale) + ", " + fmt("%6.1f", r.value.ci()->upper * scale) + "]";
    } else if (r.value.has_value()) {
      ci = "(" + r.value.note() + ")";
    }
    if (test) {
      diff = r.diff.has_value() ? fmt("%+.1f", r.diff.value() * scale) : "-";
      p = format_p(r.p);
      if (!std::isnan(r.p) && r.p < 1.0 - level) mark = " *";
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-14s %8llu %8s %18s %9s %9s%s", r.name.c_str(),
                  static_cast<unsigned long long>(r.value.n()), value.c_str(), ci.c_str(), diff.c_str(), p.c_str(),
                  mark.c_str());
    std::string text = buf;
    text.erase(text.find_last_not_of(' ') + 1);
    std::printf("%s\n", text.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const options opt = parse_args(argc, argv);
  try {
    const auto data = cxm::read_responses(opt.file);  // the format from the extension
    const auto& s = data.report.summary;

    std::printf("cxmetrics channel report: %s\n", opt.file.c_str());
    std::printf("rows read %llu, accepted %llu, rejected %llu", static_cast<unsigned long long>(s.rows_read),
                static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.rejected));
    for (const auto& [reason, n] : s.rejected_by_reason) {
      std::printf("%s %s %llu", &reason == &s.rejected_by_reason.begin()->first ? " (" : ",", reason.c_str(),
                  static_cast<unsigned long long>(n));
    }
    std::printf("%s\n", s.rejected_by_reason.empty() ? "" : ")");
    for (std::size_t i = 0; i < data.rejects.size() && i < 5; ++i) {
      const auto& r = data.rejects[i];
      std::printf("  reject %s:%llu:%llu: %s\n", opt.file.c_str(), static_cast<unsigned long long>(r.line),
                  static_cast<unsigned long long>(r.column), r.reason.c_str());
    }
    std::printf("%s, %.0f%% intervals, p-values adjusted by %s across channels\n",
                opt.weighted ? "weighted" : "unweighted", opt.level * 100, cxm::stats::to_string(opt.adjust));

    // One pass over the table: NPS, CSAT and resolution per channel label
    // (groups in label order), and all channels merged.
    auto view = cxm::view_of(data.table);
    if (!opt.weighted) view.values.weights = {};
    by_channel grouping(metrics{}, cxm::by_label{cxm::category::channel});
    grouping.feed(view);
    const auto groups = grouping.groups();
    metrics all;
    for (const auto& [key, set] : groups) all.merge(set.get());

    // The level is asked for at result time; the states hold counts only.
    cxm::stats::rest_options rest;
    rest.level = opt.level;
    rest.adjust = opt.adjust;
    cxm::nps_options nps_opt;
    nps_opt.level = opt.level;
    const cxm::rating_options csat_opt{opt.level};
    cxm::resolution_options res_opt;
    res_opt.level = opt.level;
    using cxm::stats::rest_metric;

    print_table("NPS (points, -100..100; adjusted Wald interval; vs rest: z test, variance pooled under H0)", "NPS", 1.0,
                rows_of<cxm::nps_accumulator>(groups, all, rest_metric::net_score, rest,
                                              [&](const auto& a) { return a.result(nps_opt).nps; }),
                opt.level);
    print_table("CSAT, share satisfied (4-5 of 1-5, %; Wilson interval; vs rest: two-proportion z test)", "CSAT%",
                100.0,
                rows_of<cxm::csat_accumulator>(groups, all, rest_metric::share, rest,
                                               [&](const auto& a) { return a.result(csat_opt).satisfied; }),
                opt.level);
    print_table("Resolution rate (%; Wilson interval; unknowns excluded; vs rest: two-proportion z test)", "resolved%",
                100.0,
                rows_of<cxm::resolution_accumulator>(groups, all, rest_metric::share, rest,
                                                     [&](const auto& a) { return a.result(res_opt).rate; }),
                opt.level);
    std::printf("  (%llu responses did not say whether their issue was resolved)\n",
                static_cast<unsigned long long>(all.get<cxm::resolution_accumulator>().result(res_opt).unknown));
    std::printf("\n* differs from the rest at adjusted p < %.2f\n", 1.0 - opt.level);
  } catch (const cxm::error& e) {
    std::fprintf(stderr, "channel_report: %s\n", e.what());
    return 1;
  }
  return 0;
}
