// test_package of cxmetrics: one NPS through the headers and one timestamp
// through the compiled library, so both the include paths and the link of
// the package are exercised.
#include <cstdio>

#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/version.hpp"

int main() {
  // 4 promoters (9-10) and 2 detractors (0-6) of 8: NPS = (4 - 2) / 8 * 100 = 25.
  cxm::nps_accumulator acc;
  for (const int score : {10, 9, 9, 8, 7, 6, 3, 10}) acc.add(score);
  const double nps = acc.result().nps.value();

  const cxm::timestamp t = cxm::parse_timestamp("2024-03-05T14:07:09+02:00");
  std::printf("cxmetrics %s: NPS %.1f, %s\n", cxm::version.string, nps, cxm::format_timestamp(t).c_str());
  return nps == 25.0 ? 0 : 1;
}
