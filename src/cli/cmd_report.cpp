// `cxm report FILE -o report.html`: one self-contained HTML file (inline SVG
// charts, no scripts, fonts or network) with the headline metrics, the score
// distribution per channel, per-group comparisons with significance marks, the
// monthly NPS with its interval band, the resolution rate per channel and the
// ingest summary; `--format markdown` writes the same tables as text.
//
// The report needs every accepted row at once (per-month and per-segment
// sections), so the rows are collected into a response_table (about 60 bytes
// a row); `cxm summary` is the streaming, bounded-memory path.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/model.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::cli {
namespace {

struct report_args {
  input_args input;
  std::string output;
  std::string title = "Customer experience report";
  std::string weight;
  double level = 0.95;
  std::string adjust = "holm";
  std::uint64_t thin_below = 100;
  std::string format = "html";
};

void run_report(report_args& a, const context& ctx) {
  if (a.format != "html" && a.format != "markdown") {
    throw failure(usage, "report --format takes html or markdown, got '" + a.format + "'");
  }
  check_no_clobber(a.input, {{"-o", a.output}});
  a.input.columns.push_back("weight=" + a.weight);
  const auto options = make_ingest_options(a.input);
  response_table table(options.scales, options.channels);
  std::vector<ingest_reject> rejects;
  report::model_options mo;
  const auto summary = read_input(
      a.input, ctx, [&](const response_batch& b) { b.append_to(table); }, &rejects, mo.max_rejects_shown);

  mo.title = a.title;
  mo.source = a.input.file;
  mo.level = a.level;
  mo.weighted = !a.weight.empty();
  mo.adjust = stats::parse_p_adjust(a.adjust, at_field("--adjust"));
  mo.thin_below = a.thin_below;
  auto model = report::build_report_model(table, mo);
  model.ingest = summary.summary;
  for (const auto& r : rejects) model.rejects.push_back(to_csv_reject(r));
  const std::string text = a.format == "html" ? report::render_html(model) : report::render_markdown(model);
  if (a.output.empty() || a.output == "-") {
    *ctx.out << text;
    return;
  }
  output_file out(a.output);
  out.stream() << text;
  out.commit();
  if (!ctx.quiet) {
    *ctx.err << "cxm: wrote " << a.output << " (" << summary.summary.accepted << " responses, "
             << summary.summary.rejected << " rejected)\n";
  }
}

}  // namespace

void register_report(CLI::App& app, context& ctx) {
  auto args = std::make_shared<report_args>();
  auto* sub = app.add_subcommand("report", "A self-contained HTML report with charts (or the same tables as markdown)");
  add_input_flags(*sub, args->input);
  sub->add_option("-o,--output", args->output, "Output file (default: standard output)");
  sub->add_option("--format", args->format, "html (default) or markdown");
  sub->add_option("--title", args->title, "Report title");
  sub->add_option("--weight", args->weight, "Weight column (default: unweighted)");
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95);
  sub->add_option("--adjust", args->adjust, "p-value adjustment across groups: holm, bh, bonferroni, none")
      ->default_val("holm");
  sub->add_option("--thin-below", args->thin_below, "Months with fewer NPS responses are marked thin")
      ->default_val(100);
  sub->add_flag("-q,--quiet", ctx.quiet, "No progress line or final message on stderr");
  sub->callback([args, &ctx] { run_report(*args, ctx); });
}

}  // namespace cxm::cli
