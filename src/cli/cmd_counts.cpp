// `cxm nps`, `cxm proportion` and `cxm compare nps|proportion`: metrics from
// aggregated counts, for users who only have a dashboard's numbers. Every
// interval method the library has for the metric can be asked for at once
// (--method all, the default).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::cli {
namespace {

struct nps_args {
  std::vector<std::uint64_t> counts;  // detractors, passives, promoters
  std::vector<std::uint64_t> bins;    // 11 counts, scores 0..10
  std::vector<std::string> methods{"all"};
  double level = 0.95;
  double prior = 0.5;
  std::size_t replicates = 2000;
  std::uint64_t seed = 0x5eed;
};

// Counts on the NPS scale from either form. Three counts are placed on one
// score of each group (0, 7, 10): every NPS statistic depends only on the
// group counts.
score_counts nps_counts(const std::vector<std::uint64_t>& three, const std::vector<std::uint64_t>& bins,
                        const std::string& what) {
  score_counts c(scale::nps());
  if (!three.empty() && !bins.empty()) throw failure(usage, what + ": give either 3 counts or 11 bins, not both");
  if (!three.empty()) {
    if (three.size() != 3) {
      throw failure(usage, what + ": needs 3 counts (detractors,passives,promoters), got " +
                               std::to_string(three.size()));
    }
    c.add_count(0, three[0]);
    c.add_count(7, three[1]);
    c.add_count(10, three[2]);
  } else if (!bins.empty()) {
    if (bins.size() != 11) {
      throw failure(usage, what + ": needs 11 bin counts (scores 0..10), got " + std::to_string(bins.size()));
    }
    for (int s = 0; s <= 10; ++s) c.add_count(s, bins[static_cast<std::size_t>(s)]);
  } else {
    throw failure(usage, what + ": give --counts D,P,PR or --bins c0,...,c10");
  }
  return c;
}

std::vector<interval_method> methods_of(const std::vector<std::string>& names,
                                        const std::vector<interval_method>& all, const std::string& metric) {
  std::vector<interval_method> out;
  for (const auto& n : names) {
    if (n == "all") {
      out.insert(out.end(), all.begin(), all.end());
      continue;
    }
    const auto m = parse_method(n);
    if (std::find(all.begin(), all.end(), m) == all.end()) {
      std::string known;
      for (auto a : all) known += std::string(known.empty() ? "" : ", ") + to_string(a);
      throw failure(usage, "method " + quote_value(n) + " does not apply to " + metric + " (use " + known + ")");
    }
    out.push_back(m);
  }
  return out;
}

void run_nps(const nps_args& a, const context& ctx) {
  const auto c = nps_counts(a.counts, a.bins, "nps");
  const std::vector<interval_method> all{interval_method::adjusted_wald,   interval_method::wald,
                                         interval_method::tango,           interval_method::t,
                                         interval_method::bayes_dirichlet, interval_method::bootstrap};
  table t;
  t.name = "nps";
  t.title = "NPS (points, -100..100)";
  t.columns = {"method"};
  for (auto& col : estimate_columns()) t.columns.push_back(col);
  nps_result last;
  for (auto m : methods_of(a.methods, all, "NPS")) {
    nps_options o;
    o.level = a.level;
    o.method = m;
    o.prior = a.prior;
    o.bootstrap_replicates = a.replicates;
    o.seed = a.seed;
    last = compute_nps(c, o);
    std::vector<cell> row{cell(std::string(to_string(m)))};
    for (auto& x : estimate_cells(last.nps, 2)) row.push_back(std::move(x));
    t.add(std::move(row));
  }
  table shares;
  shares.name = "shares";
  shares.title = "Shares (Wilson intervals)";
  shares.columns = {"group", "count"};
  for (auto& col : estimate_columns()) shares.columns.push_back(col);
  const std::pair<const char*, const estimate*> groups[] = {
      {"detractors", &last.detractors}, {"passives", &last.passives}, {"promoters", &last.promoters}};
  const std::uint64_t group_counts[] = {c.low().n, c.middle().n, c.high().n};
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<cell> row{cell(groups[i].first), cell(group_counts[i])};
    for (auto& x : estimate_cells(*groups[i].second, 4)) row.push_back(std::move(x));
    shares.add(std::move(row));
  }
  ctx.emit({t, shares});
}

struct proportion_args {
  std::uint64_t successes = 0;
  std::uint64_t n = 0;
  std::vector<std::string> methods{"all"};
  double level = 0.95;
};

void run_proportion(const proportion_args& a, const context& ctx) {
  if (a.successes > a.n) {
    throw failure(usage, "proportion: --successes " + std::to_string(a.successes) + " is larger than --n " +
                             std::to_string(a.n));
  }
  const std::vector<interval_method> all{interval_method::wilson,          interval_method::wilson_cc,
                                         interval_method::jeffreys,        interval_method::clopper_pearson,
                                         interval_method::agresti_coull,   interval_method::wald};
  table t;
  t.name = "proportion";
  t.title = "Proportion " + std::to_string(a.successes) + "/" + std::to_string(a.n);
  t.columns = {"method", "successes"};
  for (auto& col : estimate_columns()) t.columns.push_back(col);
  for (auto m : methods_of(a.methods, all, "a proportion")) {
    stats::proportion_options o;
    o.level = a.level;
    o.method = m;
    std::vector<cell> row{cell(std::string(to_string(m))), cell(a.successes)};
    for (auto& x : estimate_cells(stats::proportion(a.successes, a.n, o), 4)) row.push_back(std::move(x));
    t.add(std::move(row));
  }
  ctx.emit({t});
}

struct compare_args {
  std::vector<std::uint64_t> a, b;            // nps: D,P,PR; proportion: X,N
  std::vector<std::uint64_t> a_bins, b_bins;  // nps only
  std::vector<std::string> methods{"all"};     // nps only
  double level = 0.95;
};

void run_compare_nps(const compare_args& x, const context& ctx) {
  const auto a = nps_counts(x.a, x.a_bins, "compare nps --a");
  const auto b = nps_counts(x.b, x.b_bins, "compare nps --b");
  nps_options wald;
  wald.method = interval_method::wald;
  wald.level = x.level;
  table groups;
  groups.name = "groups";
  groups.title = "NPS of each group (Wald)";
  groups.columns = {"group"};
  for (auto& col : estimate_columns()) groups.columns.push_back(col);
  for (const auto& [name, c] : {std::pair<const char*, const score_counts*>{"a", &a}, {"b", &b}}) {
    std::vector<cell> row{cell(name)};
    for (auto& e : estimate_cells(compute_nps(*c, wald).nps, 2)) row.push_back(std::move(e));
    groups.add(std::move(row));
  }
  // One row a method: Wald (SE from the two Wald SEs, z test), adjusted Wald
  // (z test on the adjusted difference), MOVER (an interval from the two
  // Tango intervals; no test, so its statistic and p-value are empty).
  const std::vector<interval_method> all{interval_method::wald, interval_method::adjusted_wald,
                                         interval_method::mover};
  table t;
  t.name = "comparison";
  t.title = "NPS a - b (points; wald: two-sided z test, adjusted_wald: z test on the adjusted difference, "
            "mover: interval from the Tango intervals)";
  t.columns = {"method"};
  for (auto& col : comparison_columns()) t.columns.push_back(col);
  for (auto m : methods_of(x.methods, all, "an NPS difference")) {
    nps_compare_options o;
    o.level = x.level;
    o.method = m;
    std::vector<cell> row{cell(std::string(to_string(m)))};
    for (auto& c : comparison_cells(compare_nps(a, b, o), 2)) row.push_back(std::move(c));
    t.add(std::move(row));
  }
  ctx.emit({groups, t});
}

void run_compare_proportions(const compare_args& x, const context& ctx) {
  for (const auto* side : {&x.a, &x.b}) {
    if (side->size() != 2) throw failure(usage, "compare proportion: --a and --b take X,N (successes,n)");
    if ((*side)[0] > (*side)[1]) {
      throw failure(usage, "compare proportion: successes " + std::to_string((*side)[0]) + " exceed n " +
                               std::to_string((*side)[1]));
    }
  }
  stats::proportion_options o;
  o.level = x.level;
  table groups;
  groups.name = "groups";
  groups.title = "Proportion of each group (Wilson)";
  groups.columns = {"group", "successes"};
  for (auto& col : estimate_columns()) groups.columns.push_back(col);
  for (const auto& [name, side] : {std::pair<const char*, const std::vector<std::uint64_t>*>{"a", &x.a}, {"b", &x.b}}) {
    std::vector<cell> row{cell(name), cell((*side)[0])};
    for (auto& e : estimate_cells(stats::proportion((*side)[0], (*side)[1], o), 4)) row.push_back(std::move(e));
    groups.add(std::move(row));
  }
  table t;
  t.name = "comparison";
  t.title = "Proportion a - b (Newcombe hybrid score interval, pooled two-proportion z test)";
  t.columns = comparison_columns();
  t.add(comparison_cells(stats::compare_proportions(x.a[0], x.a[1], x.b[0], x.b[1], x.level), 4));
  ctx.emit({groups, t});
}

void add_level(CLI::App& sub, double& level) {
  sub.add_option("--level", level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
}

// Bootstrap replicates are held in memory (8 bytes each) and sorted.
constexpr std::uint64_t max_replicates = 10'000'000;

}  // namespace

void register_counts(CLI::App& app, context& ctx) {
  {
    auto args = std::make_shared<nps_args>();
    auto* sub = app.add_subcommand("nps", "NPS with every interval method from 3 group counts or 11 bin counts");
    add_count_list(*sub, "--counts", args->counts, "detractors,passives,promoters");
    add_count_list(*sub, "--bins", args->bins, "counts of scores 0,1,...,10 (11 numbers)");
    sub->add_option("--method", args->methods,
                    "all (default) or a list of: adjusted_wald, wald, tango, t, bayes_dirichlet (alias bayes), "
                    "bootstrap")
        ->delimiter(',');
    add_level(*sub, args->level);
    sub->add_option("--prior", args->prior, "Dirichlet prior parameter a of Dirichlet(a,a,a), a > 0")
        ->default_val(0.5)
        ->transform(decimal_arg(0.0, std::numeric_limits<double>::infinity(), "a prior parameter > 0"));
    sub->add_option("--replicates", args->replicates, "bootstrap replicates, 2 to 10000000")
        ->default_val(2000)
        ->transform(count_arg(2, max_replicates));
    sub->add_option("--seed", args->seed, "bootstrap seed, 0 to 2^64 - 1")
        ->default_val(0x5eed)
        ->transform(count_arg(0, std::numeric_limits<std::uint64_t>::max()));
    add_common_flags(*sub, ctx);
    sub->callback([args, &ctx] { run_nps(*args, ctx); });
  }
  {
    auto args = std::make_shared<proportion_args>();
    auto* sub = app.add_subcommand("proportion", "A proportion (top-box share, resolution rate) from successes and n");
    sub->add_option("--successes,-x", args->successes, "number of successes")->required()->transform(count_arg());
    sub->add_option("--n,-n", args->n, "number of trials")->required()->transform(count_arg());
    sub->add_option("--method", args->methods,
                    "all (default) or a list of: wilson, wilson_cc, jeffreys, clopper_pearson, agresti_coull, wald")
        ->delimiter(',');
    add_level(*sub, args->level);
    add_common_flags(*sub, ctx);
    sub->callback([args, &ctx] { run_proportion(*args, ctx); });
  }
  {
    auto* cmp = app.add_subcommand("compare", "Compare two independent groups from their counts");
    cmp->require_subcommand(1);
    auto na = std::make_shared<compare_args>();
    auto* n = cmp->add_subcommand("nps", "Difference of two NPS (a - b) with SE, interval and p-value");
    add_count_list(*n, "--a", na->a, "group a: detractors,passives,promoters");
    add_count_list(*n, "--b", na->b, "group b: detractors,passives,promoters");
    add_count_list(*n, "--a-bins", na->a_bins, "group a: 11 bin counts");
    add_count_list(*n, "--b-bins", na->b_bins, "group b: 11 bin counts");
    n->add_option("--method", na->methods, "all (default) or a list of: wald, adjusted_wald, mover")->delimiter(',');
    add_level(*n, na->level);
    add_common_flags(*n, ctx);
    n->callback([na, &ctx] { run_compare_nps(*na, ctx); });
    auto pa = std::make_shared<compare_args>();
    auto* p = cmp->add_subcommand("proportion", "Difference of two proportions (a - b): Newcombe interval, z test");
    // X and N are not added up: each is a count on its own.
    add_count_list(*p, "--a", pa->a, "group a: successes,n", false)->required();
    add_count_list(*p, "--b", pa->b, "group b: successes,n", false)->required();
    add_level(*p, pa->level);
    add_common_flags(*p, ctx);
    p->callback([pa, &ctx] { run_compare_proportions(*pa, ctx); });
  }
}

}  // namespace cxm::cli
