// NPS and resolution rate per channel and month from two files read
// separately, each into its own small state, then merged: the way shards of
// one survey, or two exports of it, are combined. The result equals reading
// both files as one (tests/cli/merge_files_test.py checks it against
// `cxm summary --by channel,month` on the concatenated file).
//
//   merge_files a.csv b.csv
//
// prints one line per metric and group: metric,channel,month,n,value,lower,upper
// (NPS in points, resolution as a rate 0..1; the 95 % intervals of cxm's
// defaults: adjusted Wald for NPS, Wilson for the rate).
#include <cxmetrics/cxmetrics.hpp>

#include <cstdio>
#include <exception>

namespace {

void print(const char* metric, const cxm::by_label::value_type& channel, const cxm::period& month,
           const cxm::estimate& e) {
  std::printf("%s,%s,%s,%llu,%.17g,%.17g,%.17g\n", metric, channel.c_str(), cxm::to_string(month).c_str(),
              static_cast<unsigned long long>(e.n()), e.value(), e.ci() ? e.ci()->lower : e.value(),
              e.ci() ? e.ci()->upper : e.value());
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::fprintf(stderr, "usage: merge_files A.csv B.csv\n");
    return 2;
  }
  // --- the user code: one grouping per file, merged ---
  using metrics = cxm::metric_set<cxm::nps_accumulator, cxm::resolution_accumulator>;
  using grouping = cxm::group_by<metrics, cxm::by_label, cxm::by_period>;
  const auto read = [](const char* file) {
    grouping g(metrics{}, cxm::by_label{cxm::category::channel}, cxm::by_period{cxm::time_bucket::month});
    g.feed(cxm::read_responses(file).table);
    return g;
  };
  grouping all = read(argv[1]);
  all.merge(read(argv[2]));
  // --- printing ---
  for (const auto& [key, set] : all.groups()) {
    const auto& [nps, resolution] = set.get().result();
    print("nps", std::get<0>(key), std::get<1>(key), nps.nps);
    print("resolution", std::get<0>(key), std::get<1>(key), resolution.rate);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "merge_files: %s\n", e.what());
  return 1;
}
