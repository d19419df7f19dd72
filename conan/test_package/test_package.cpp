// test_package of cxmetrics: one call into each compiled part of the package,
// each result checked against a value worked out by hand, so that a package
// whose headers compile but whose link is incomplete (a static library
// without Highway or ReadStat, say) fails here:
//
//   headers  NPS of 10 9 9 8 7 6 3 10: 4 promoters (9-10) and 2 detractors
//            (0-6) of 8, NPS = (4 - 2) / 8 * 100 = 25 (Reichheld 2003)
//   engine   the same scores as a column through the SIMD kernels (Highway)
//   ingest   a CSV text of 4 rows, one score 11 outside 0..10: 3 accepted,
//            1 rejected, and the summary written as JSON (nlohmann/json)
//   ReadStat has_readstat() as the package says; with it, the SPSS file
//            given on the command line (responses.sav: the scores above),
//            without it, reading that file is refused with invalid_argument
//
//   test_package <responses.sav> [on|off]   (on|off: whether ReadStat must be in)
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/readstat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/version.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string_view(argv[2]) != "on" && std::string_view(argv[2]) != "off")) {
    std::printf("usage: test_package <responses.sav> [on|off]\n");
    return 2;
  }
  try {
    std::printf("cxmetrics %s\n", cxm::version.string);

    cxm::nps_accumulator acc;
    for (const int score : {10, 9, 9, 8, 7, 6, 3, 10}) acc.add(score);
    const double nps = acc.result().nps.value();
    const std::vector<std::uint8_t> column{10, 9, 9, 8, 7, 6, 3, 10};
    const double engine = cxm::compute_nps(cxm::engine::count_scores(column, cxm::scale::nps())).nps.value();
    std::printf("NPS %.1f, engine %.1f\n", nps, engine);
    check(nps == 25.0 && engine == 25.0, "NPS of the eight scores is 25");

    const cxm::ingest_report report =
        cxm::stream_responses_csv_text("id,nps\nr1,10\nr2,9\nr3,11\nr4,3\n", "inline.csv", {}, {});
    const nlohmann::json summary = report.summary;
    std::printf("JSON summary: rows_read %d, accepted %d, rejected %d\n", summary.at("rows_read").get<int>(),
                summary.at("accepted").get<int>(), summary.at("rejected").get<int>());
    check(summary.at("rows_read") == 4 && summary.at("accepted") == 3 && summary.at("rejected") == 1,
          "CSV summary: 4 rows read, 3 accepted, 1 rejected");

    const bool readstat = cxm::has_readstat();
    if (argc == 3) check(readstat == (std::string_view(argv[2]) == "on"), "has_readstat() as the package declares");
    if (readstat) {
      const cxm::ingest_result sav = cxm::read_responses(argv[1]);
      const double sav_nps = cxm::compute_nps(cxm::engine::count_scores(sav.table.nps(), cxm::scale::nps())).nps.value();
      std::printf("readstat on: NPS %.1f from %zu responses in %s\n", sav_nps, sav.table.size(), argv[1]);
      check(sav_nps == 25.0 && sav.table.size() == 8, "the SPSS file's NPS is 25 from 8 responses");
    } else {
      try {
        (void)cxm::read_responses(argv[1]);
        check(false, "a build without ReadStat refuses SPSS files");
      } catch (const cxm::error& e) {
        std::printf("readstat off: SPSS input refused (id %d)\n", e.id());
        check(e.id() == 201, "refused with invalid_argument (201)");
      }
    }
  } catch (const std::exception& e) {
    std::printf("FAILED: unexpected error: %s\n", e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
