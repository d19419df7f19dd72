// The program a user of cxmetrics would write first, built by every packaging
// test (find_package, add_subdirectory, FetchContent, pkg-config): it computes
// an NPS through the headers and through the compiled counting engine, and
// parses and formats a timestamp through the compiled part, so the include
// paths, the link (with the engine's private dependencies for a static build)
// and, for a shared build, the exported symbols and exceptions crossing the
// library boundary are all used. The tests match its output, so keep the
// lines stable.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/version.hpp"

int main() {
  try {
    std::printf("cxmetrics %s\n", cxm::version.string);
    // The package tells its consumers whether it is a shared library.
#if defined(CXMETRICS_SHARED)
    std::printf("linkage shared\n");
#else
    std::printf("linkage static\n");
#endif

    // Scores 10 9 9 8 7 6 3 10: promoters (9-10) 4, detractors (0-6) 2, of 8,
    // so NPS = (4 - 2) / 8 * 100 = 25 (Reichheld 2003, HBR 81(12)).
    cxm::nps_accumulator nps;
    for (const int score : {10, 9, 9, 8, 7, 6, 3, 10}) nps.add(score);
    std::printf("NPS %.1f from %llu responses\n", nps.result().nps.value(),
                static_cast<unsigned long long>(nps.count()));

    // The same scores as a column through the compiled SIMD engine.
    const std::vector<std::uint8_t> column{10, 9, 9, 8, 7, 6, 3, 10};
    const cxm::score_counts histogram = cxm::engine::count_scores(column, cxm::scale::nps());
    std::printf("engine NPS %.1f\n", cxm::compute_nps(histogram).nps.value());

    // Compiled part: +02:00 is two hours ahead of UTC.
    const cxm::timestamp t = cxm::parse_timestamp("2024-03-05T14:07:09+02:00");
    std::printf("UTC %s\n", cxm::format_timestamp(t).c_str());

    // An exception thrown inside the library must be catchable by its base
    // class here (type identity across the shared-library boundary).
    try {
      (void)cxm::parse_timestamp("2023-02-29");
      std::printf("2023-02-29 was accepted\n");
      return 1;
    } catch (const cxm::error& e) {
      std::printf("rejected 2023-02-29 (id %d)\n", e.id());
    }
  } catch (const std::exception& e) {
    std::printf("unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
