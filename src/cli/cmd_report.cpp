// `cxm report FILE -o report.html`: one self-contained HTML file (inline SVG
// charts, no scripts, fonts or network) with the headline metrics, the score
// distribution per channel, per-group comparisons with significance marks, the
// monthly NPS with its interval band, the resolution rate per channel and the
// ingest summary; `--format markdown` writes the same tables as text.
//
// The report needs every accepted row at once (per-month and per-segment
// sections), so the rows are collected into a response_table (about 60 bytes
// a row); `cxm summary` is the streaming, bounded-memory path. The groups
// and tests are those of report/model.hpp (stats/compare_to_rest.hpp, the
// same test as `cxm summary`): the --max-groups largest groups are shown and
// the others pooled into "other (k groups)". A metric whose column the file
// lacks has no card and no section (one note on stderr).
//
// Journeys: when the file has a journey column — a category field named
// "journey" declared (--field journey:category, or in the mapping), or a
// CSV header column of that name — the report gets its journey section
// (report/model.hpp build_journey_section): the touchpoint, stage and owner
// columns are read as category fields when the file has them; an event's
// score is its first answer of the declared score fields (--field
// rating:score:0-10), csat and ces; the journey's outcome its nps answer;
// --stage-order puts the map's stages in order (rows of other stages are
// rejected by the journey rules and counted in a note).
//
// Key drivers: --drivers a,b,c [--outcome nps] (the flags of `cxm drivers`:
// --missing, --bootstrap, --seed) adds the key-driver section
// (report/driver_section.hpp); see cli/report_drivers.hpp.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/input.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/model.hpp"
#include "cxmetrics/stats/multiplicity.hpp"

namespace cxm::inline v0_1::cli {
namespace {

// The keys (field_key) of the columns of a CSV file's header line: split on
// the --delimiter, else on the most frequent of , ; tab |, quotes and
// surrounding blanks removed. Empty for standard input, other formats or a
// file that cannot be opened (the read reports that).
std::vector<std::string> csv_header_keys(const input_args& a) {
  std::string ext = a.file.substr(std::min(a.file.size(), a.file.rfind('.') + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool csv = a.format.empty() ? (ext == "csv" || ext == "tsv" || ext == "txt") : (a.format == "csv" || a.format == "tsv");
  if (!csv || a.file.empty() || a.file == "-") return {};
  std::ifstream in(a.file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  char sep = ',';
  if (a.delimiter == "tab" || ext == "tsv") {
    sep = '\t';
  } else if (a.delimiter.size() == 1) {
    sep = a.delimiter[0];
  } else {
    std::size_t most = 0;
    for (const char c : {',', ';', '\t', '|'}) {
      const auto n = static_cast<std::size_t>(std::count(line.begin(), line.end(), c));
      if (n > most) {
        most = n;
        sep = c;
      }
    }
  }
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start <= line.size()) {
    const std::size_t end = std::min(line.find(sep, start), line.size());
    std::string name = line.substr(start, end - start);
    std::erase(name, '"');
    keys.push_back(field_key(name));
    start = end + 1;
  }
  return keys;
}

// The journey options of the file (report/model.hpp journey_options_for),
// its journey, touchpoint, stage and owner columns declared as category
// fields on the input's flags when only the header has them; nullopt
// without a journey column.
std::optional<report::journey_options> journey_of(input_args& in) {
  const schema declared = make_ingest_options(in).schema;
  const std::vector<std::string> header = csv_header_keys(in);
  const journey_fields names{};
  const auto in_header = [&](const std::string& name) {
    return std::find(header.begin(), header.end(), field_key(name)) != header.end();
  };
  if (!declared.find(names.journey) && !in_header(names.journey)) return std::nullopt;
  for (const std::string* name : {&names.journey, &names.touchpoint, &names.stage, &names.owner}) {
    if (!declared.find(*name) && in_header(*name)) in.fields.push_back(*name + ":category");
  }
  return report::journey_options_for(make_ingest_options(in).schema);
}

}  // namespace

void run_report(report_args& a, const context& ctx) {
  if (a.format != "html" && a.format != "markdown") {
    throw failure(usage, "report --format takes html or markdown, got '" + a.format + "'");
  }
  check_no_clobber(a.input, {{"-o", a.output}});
  check_level(a.level);
  report::model_options mo;
  mo.adjust = stats::parse_p_adjust(a.adjust, at_field("--adjust"));
  mo.utc_offset = parse_utc_offset(a.groups.utc_offset);
  apply_weight_flags(a.groups, a.input);
  mo.journey = journey_of(a.input);
  if (!a.stage_order.empty()) {
    if (!mo.journey) throw failure(usage, "--stage-order needs a journey column (none in " + a.input.file + ")");
    for (const auto& st : a.stage_order) {
      if (st.empty()) throw failure(usage, "--stage-order has an empty stage");
    }
    mo.journey->fields.stage_order = a.stage_order;
  }
  mo.drivers = report_drivers_of(a.drivers, a.input);
  const auto options = make_ingest_options(a.input);
  // The table shares the read's dictionaries: batches append their ids as they are.
  a.input.dictionaries = std::make_shared<category_dictionaries>(options.channels);
  response_table table(schema_of(options), a.input.dictionaries);
  std::vector<ingest_reject> rejects;
  const auto read = read_input(
      a.input, ctx, [&](const response_batch& b) { b.append_to(table); }, &rejects, mo.max_rejects_shown);

  mo.title = a.title;
  mo.source = a.input.file;
  mo.level = a.level;
  mo.weight_column = weight_column(a.groups, read);
  mo.weighted = !mo.weight_column.empty();
  mo.thin_below = a.thin_below;
  mo.min_n = a.groups.min_n;
  mo.max_groups = a.groups.max_groups;
  mo.metrics.nps = read.has(response_field::nps);
  mo.metrics.csat = read.has(response_field::csat);
  mo.metrics.ces = read.has(response_field::ces);
  mo.metrics.resolution = read.has(response_field::resolved);
  std::vector<std::string> absent;
  if (!mo.metrics.nps) absent.emplace_back("nps");
  if (!mo.metrics.csat) absent.emplace_back("csat");
  if (!mo.metrics.ces) absent.emplace_back("ces");
  if (!mo.metrics.resolution) absent.emplace_back("resolution");
  note_absent_metrics(ctx, absent);
  auto model = report::build_report_model(table, mo);
  model.ingest = read.summary;
  model.rejects = std::move(rejects);
  const std::string text = a.format == "html" ? report::render_html(model) : report::render_markdown(model);
  if (a.output.empty() || a.output == "-") {
    *ctx.out << text;
    return;
  }
  output_file out(a.output);
  out.stream() << text;
  out.commit();
  if (!ctx.quiet) {
    *ctx.err << "cxm: wrote " << a.output << " (" << read.summary.accepted << " responses, "
             << read.summary.rejected << " rejected)\n";
  }
}

void register_report(CLI::App& app, context& ctx) {
  auto args = std::make_shared<report_args>();
  auto* sub = app.add_subcommand("report", "A self-contained HTML report with charts (or the same tables as markdown)");
  add_input_flags(*sub, args->input);
  sub->add_option("-o,--output", args->output, "Output file (default: standard output)");
  sub->add_option("--format", args->format, "html (default) or markdown");
  sub->add_option("--title", args->title, "Report title");
  add_group_flags(*sub, args->groups);
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  sub->add_option("--adjust", args->adjust, "p-value adjustment across groups: holm, bh, bonferroni, none")
      ->default_val("holm");
  sub->add_option("--thin-below", args->thin_below, "Months with fewer NPS responses are marked thin")
      ->default_val(100)
      ->transform(count_arg());
  sub->add_option("--stage-order", args->stage_order,
                  "Journey section: the stages in order (a,b,c); rows of other stages are left out of the journeys")
      ->delimiter(',');
  add_report_driver_flags(*sub, args->drivers);
  sub->add_flag("-q,--quiet", ctx.quiet, "No progress line or final message on stderr");
  sub->callback([args, &ctx] { run_report(*args, ctx); });
}

}  // namespace cxm::cli
