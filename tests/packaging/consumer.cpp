// The program a user of cxmetrics would write first, built by every packaging
// test (find_package, add_subdirectory, FetchContent, pkg-config): it calls
// into each compiled part of the library and checks the result against a
// value worked out by hand, so the include paths, the link (with the private
// dependencies of a static build: Highway, ReadStat) and, for a shared build,
// the exported symbols and exceptions crossing the library boundary are all
// used. The tests match its output, so keep the lines stable.
//
//   consumer <responses.sav> <on|off>   (whether the package has ReadStat)
//
// The SPSS file is conan/test_package/responses.sav: the eight scores below
// (tests/packaging/write_sav.cpp writes it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/readstat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/testing/merge_laws.hpp"
#include "cxmetrics/version.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || (std::string_view(argv[2]) != "on" && std::string_view(argv[2]) != "off")) {
    std::printf("usage: consumer <responses.sav> <on|off>\n");
    return 2;
  }
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

    // The installed testing header checks the merge laws of any accumulator.
    const std::vector<int> scores{10, 9, 9, 8, 7, 6, 3, 10};
    const auto laws = cxm::testing::check_merge_laws(
        [] { return cxm::nps_accumulator{}; }, [](cxm::nps_accumulator& a, int s, std::size_t) { a.add(s); }, scores);
    std::printf("merge laws %s\n", laws ? "hold" : laws.message().c_str());

    // The same scores as a column through the compiled SIMD engine (Highway).
    const std::vector<std::uint8_t> column{10, 9, 9, 8, 7, 6, 3, 10};
    const cxm::score_counts histogram = cxm::engine::count_scores(column, cxm::scale::nps());
    std::printf("engine NPS %.1f\n", cxm::compute_nps(histogram).nps.value());

    // Compiled CSV reader and JSON output: of 4 rows one has a score 11
    // outside 0..10, so 3 are accepted and 1 rejected.
    const cxm::ingest_report report =
        cxm::stream_responses_csv_text("id,nps\nr1,10\nr2,9\nr3,11\nr4,3\n", "inline.csv", {}, {});
    const nlohmann::json summary = report.summary;
    std::printf("JSON rows_read %d accepted %d rejected %d\n", summary.at("rows_read").get<int>(),
                summary.at("accepted").get<int>(), summary.at("rejected").get<int>());

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

    // ReadStat: the SPSS file holds the eight scores above.
    const bool readstat = cxm::has_readstat();
    if (readstat != (std::string_view(argv[2]) == "on")) {
      std::printf("has_readstat() is %s, the package says %s\n", readstat ? "true" : "false", argv[2]);
      return 1;
    }
    if (readstat) {
      const cxm::ingest_result sav = cxm::read_responses(argv[1]);
      const cxm::score_counts counts = cxm::engine::count_scores(sav.table.nps(), cxm::scale::nps());
      std::printf("readstat on: SPSS NPS %.1f from %zu responses\n", cxm::compute_nps(counts).nps.value(),
                  sav.table.size());
    } else {
      try {
        (void)cxm::read_responses(argv[1]);
        std::printf("an SPSS file was read without ReadStat\n");
        return 1;
      } catch (const cxm::error& e) {
        std::printf("readstat off: SPSS input refused (id %d)\n", e.id());
      }
    }
  } catch (const std::exception& e) {
    std::printf("unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
