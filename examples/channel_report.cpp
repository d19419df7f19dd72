// channel_report: NPS, CSAT and resolution rate per channel, with intervals,
// and whether each channel differs significantly from all the others.
//
//   channel_report FILE.csv [--weighted] [--level L] [--adjust holm|bh|bonferroni|none]
//
// FILE.csv has a header row naming at least the columns channel and nps (see
// cxmetrics/io/csv.hpp for every column the reader knows). Rows that cannot be
// used are not dropped silently: the report starts with how many rows were
// read, accepted and rejected, by reason, and shows the first rejects.
//
// Each channel is compared with the rest of the responses (all other channels
// merged) by stats/compare_to_rest.hpp: NPS by a z test with the variance
// pooled under the null hypothesis, CSAT top-2-box and resolution rate by the
// pooled two-proportion z test (Newcombe's interval for the difference); a
// channel with fewer than 30 responses on a side is not tested. The p-values
// of the tested channels of one metric are adjusted together (Holm by
// default) and a '*' marks adjusted p < 1 − level.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <string_view>
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

// The metrics of one group of responses.
struct group {
  cxm::nps_accumulator nps;
  cxm::csat_accumulator csat;
  cxm::resolution_accumulator resolved;

  void merge(const group& g) {
    nps.merge(g.nps);
    csat.merge(g.csat);
    resolved.merge(g.resolved);
  }
};

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

void print_table(const char* title, const char* unit, double scale, const std::vector<row>& rows,
                 const row& overall, double level) {
  const int pct = static_cast<int>(std::lround(level * 100));
  std::printf("\n%s\n", title);
  std::printf("  %-14s %8s %8s %18s %9s %9s\n", "channel", "n", unit, (std::to_string(pct) + "% interval").c_str(),
              "vs rest", "p (adj.)");
  auto line = [&](const row& r, bool test) {
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
  };
  for (const auto& r : rows) line(r, true);
  line(overall, false);
}

}  // namespace

int main(int argc, char** argv) {
  const options opt = parse_args(argc, argv);
  try {
    cxm::ingest_options read_opt;
    read_opt.format = cxm::ingest_format::csv;
    const auto data = cxm::read_responses(opt.file, read_opt);
    const auto& t = data.table;
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

    // The level is asked for at result time; the states hold counts only.
    cxm::nps_options nps_opt;
    nps_opt.level = opt.level;
    const cxm::rating_options csat_opt{opt.level};
    cxm::resolution_options res_opt;
    res_opt.level = opt.level;
    const group empty{};

    // One pass over the columns, one group per channel id (std::map keeps the
    // channels in id order, so the output order is fixed).
    std::map<std::uint16_t, group> by_channel;
    const auto nps = t.nps(), csat = t.csat();
    const auto channel = t.channel();
    const auto weight = t.weight();
    const auto resolved = t.resolved();
    for (std::size_t i = 0; i < t.size(); ++i) {
      auto [it, fresh] = by_channel.try_emplace(channel[i], empty);
      group& g = it->second;
      const double w = weight[i];
      const auto r = static_cast<cxm::resolution>(resolved[i]);
      if (nps[i] != cxm::response_table::missing_score) {
        opt.weighted ? g.nps.add(nps[i], w) : g.nps.add(nps[i]);
      }
      if (csat[i] != cxm::response_table::missing_score) {
        opt.weighted ? g.csat.add(csat[i], w) : g.csat.add(csat[i]);
      }
      opt.weighted ? g.resolved.add(r, w) : g.resolved.add(r);
    }

    group all = empty;
    for (const auto& [id, g] : by_channel) all.merge(g);

    // Each channel against the rest of the responses (all other channels
    // merged): stats::compare_to_rest, the test of `cxm summary` and `cxm
    // report`, with the p-values of one metric adjusted together.
    cxm::stats::rest_options rest;
    rest.level = opt.level;
    rest.adjust = opt.adjust;
    const auto test = [&](auto counts_of, const cxm::score_counts& total, cxm::stats::rest_metric m) {
      std::vector<const cxm::score_counts*> groups;
      for (const auto& [id, g] : by_channel) groups.push_back(&counts_of(g));
      return cxm::stats::compare_to_rest(groups, total, m, rest);
    };
    const auto nps_cmp = test([](const group& g) -> const cxm::score_counts& { return g.nps.counts(); },
                              all.nps.counts(), cxm::stats::rest_metric::net_score);
    const auto csat_cmp = test([](const group& g) -> const cxm::score_counts& { return g.csat.counts(); },
                               all.csat.counts(), cxm::stats::rest_metric::share);
    const auto res_cmp = test([](const group& g) -> const cxm::score_counts& { return g.resolved.counts(); },
                              all.resolved.counts(), cxm::stats::rest_metric::share);
    std::vector<row> nps_rows, csat_rows, res_rows;
    std::size_t i = 0;
    for (const auto& [id, g] : by_channel) {
      const std::string name = t.channel_labels().name(cxm::channel_id{id});
      nps_rows.push_back({name, g.nps.result(nps_opt).nps, nps_cmp[i].vs_rest.difference, nps_cmp[i].p_adjusted});
      csat_rows.push_back({name, g.csat.result(csat_opt).satisfied, csat_cmp[i].vs_rest.difference, csat_cmp[i].p_adjusted});
      res_rows.push_back({name, g.resolved.result(res_opt).rate, res_cmp[i].vs_rest.difference, res_cmp[i].p_adjusted});
      ++i;
    }

    print_table("NPS (points, -100..100; adjusted Wald interval; vs rest: z test, variance pooled under H0)", "NPS", 1.0, nps_rows,
                {"all", all.nps.result(nps_opt).nps, {}, NAN}, opt.level);
    print_table("CSAT, share satisfied (4-5 of 1-5, %; Wilson interval; vs rest: two-proportion z test)", "CSAT%",
                100.0, csat_rows, {"all", all.csat.result(csat_opt).satisfied, {}, NAN}, opt.level);
    const auto res_all = all.resolved.result(res_opt);
    print_table("Resolution rate (%; Wilson interval; unknowns excluded; vs rest: two-proportion z test)", "resolved%",
                100.0, res_rows, {"all", res_all.rate, {}, NAN}, opt.level);
    std::printf("  (%llu responses did not say whether their issue was resolved)\n",
                static_cast<unsigned long long>(res_all.unknown));
    std::printf("\n* differs from the rest at adjusted p < %.2f\n", 1.0 - opt.level);
  } catch (const cxm::error& e) {
    std::fprintf(stderr, "channel_report: %s\n", e.what());
    return 1;
  }
  return 0;
}
