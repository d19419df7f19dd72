// report_render_fixture CSV OUT_DIR [--weighted] [--thin-below N]
//
// Reads a response CSV with read_responses (bad rows skipped and counted),
// builds the report model with report/model.hpp and writes OUT_DIR/report.html
// and OUT_DIR/report.md: what `cxm report` will do. Used by tests/report_render.py
// (XML well-formedness of every SVG, headless-browser rendering), which sets
// --thin-below so that some months of the sample data are thin.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/io/ingest.hpp"
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
    std::fprintf(stderr, "usage: %s CSV OUT_DIR [--weighted] [--thin-below N]\n", argv[0]);
    return 2;
  };
  if (argc < 3) return usage();
  cxm::report::model_options opt;
  for (int i = 3; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--weighted") {
      opt.weighted = true;
    } else if (a == "--thin-below" && i + 1 < argc) {
      opt.thin_below = std::strtoull(argv[++i], nullptr, 10);
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
