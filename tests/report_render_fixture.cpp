// report_render_fixture CSV OUT_DIR [--weighted] [--thin-below N] [--field SPEC]... [--journeys [--journey-thin-below N]]
//
// Reads a response CSV with read_responses (bad rows skipped and counted),
// builds the report model with report/model.hpp and writes OUT_DIR/report.html
// and OUT_DIR/report.md: what `cxm report` will do. Used by tests/report_render.py
// (XML well-formedness of every SVG, headless-browser rendering), which sets
// --thin-below so that some months of the sample data are thin. --field
// declares a field (NAME:KIND[:SCALE], as `cxm --field` does); --journeys
// reads the journey, touchpoint, owner and stage columns as category fields
// and adds the journey section (report/model.hpp journey_options_for), as
// `cxm report` does for a file with a journey column; --journey-thin-below
// sets the events below which a map cell is thin (hatched).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/journey/journeys.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/model.hpp"

namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

int main(int argc, char** argv) {
  const auto usage = [&] {
    std::fprintf(stderr, "usage: %s CSV OUT_DIR [--weighted] [--thin-below N] [--field SPEC]... [--journeys [--journey-thin-below N]]\n",
                 argv[0]);
    return 2;
  };
  if (argc < 3) return usage();
  cxm::report::model_options opt;
  std::vector<std::string> fields;
  bool journeys = false;
  std::uint64_t journey_thin_below = 30;
  for (int i = 3; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--weighted") {
      opt.weighted = true;
    } else if (a == "--thin-below" && i + 1 < argc) {
      opt.thin_below = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--field" && i + 1 < argc) {
      fields.emplace_back(argv[++i]);
    } else if (a == "--journey-thin-below" && i + 1 < argc) {
      journey_thin_below = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--journeys") {
      journeys = true;
    } else {
      return usage();
    }
  }
  try {
    const std::filesystem::path csv = argv[1];
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    cxm::ingest_options read_opt;
    read_opt.format = cxm::ingest_format::csv;
    cxm::schema_builder declared(read_opt.schema);
    for (const auto& f : fields) declared.add(cxm::parse_field(f));
    read_opt.schema = std::move(declared).build();
    if (journeys) {
      read_opt = cxm::journey_reader(cxm::journey_fields{}).ingest_options_for(read_opt);
      opt.journey = cxm::report::journey_options_for(read_opt.schema);
      opt.journey->thin_below = journey_thin_below;
    }
    const auto data = cxm::read_responses(csv, read_opt);
    opt.source = csv.filename().string();
    const auto model = cxm::report::build_report_model(data, opt);
    write(dir / "report.html", cxm::report::render_html(model));
    write(dir / "report.md", cxm::report::render_markdown(model));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "report_render_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
