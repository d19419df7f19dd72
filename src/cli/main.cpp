// cxm: customer-experience metrics from the shell.
//
//   cxm --help | --version
//   cxm summary FILE [--by channel,month,segment,agent] [--metrics ...] [--weight COL] [--format F]
//   cxm report FILE -o report.html [--format html|markdown]
//   cxm journeys FILE [--journey F] [--stage-order a,b,c] [--weights peak=0.5,end=0.5] [--by F] [--per-journey OUT.csv]
//   cxm trend FILE --metric nps|csat|ces|resolution [--period month] [--by channel] [--min-n N] [--format F]
//   cxm nps --counts D,P,PR | --bins c0,...,c10   [--method all|...] [--level L] [--format F]
//   cxm proportion --successes X --n N             [--method all|...] [--level L] [--format F]
//   cxm compare nps --a D,P,PR --b D,P,PR          [--level L] [--format F]
//   cxm compare proportion --a X,N --b X,N         [--level L] [--format F]
//   cxm forecast SERIES.csv --frequency F --horizon H [--model auto|ANN|...] [--fits OUT.csv] [--lower L --upper U]
//   cxm gap FILE --self FIELD --customer FIELD [--by agent] [--min-n N] [--top-box K] [--format F]
//   cxm alerts FILE [--rules rules.json] [--follow [--follow-timeout S]] [--out FILE]
//
// Each subcommand is registered from its own file (cli.hpp says how); exit
// codes are documented there and in the README.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/version.hpp"

namespace {

// "file:line:column: [cxm.kind.id] reason (field 'x')" when the error knows
// its file (compiler style, so editors can jump to it); "cxm: <message>" otherwise.
std::string located(const cxm::error& e) {
  const auto& w = e.where();
  if (w.file.empty()) return std::string("cxm: ") + e.what();
  std::string out = w.file;
  if (w.line) out += ":" + std::to_string(*w.line);
  if (w.line && w.column) out += ":" + std::to_string(*w.column);
  const std::string what = e.what();
  const auto tag_end = what.find("] ");
  out += ": ";
  if (tag_end != std::string::npos) out += what.substr(0, tag_end + 2);
  out += e.reason();
  if (!w.field.empty()) out += " (field '" + w.field + "')";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cxm::cli;
  context ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;

  CLI::App app{"cxm: customer-experience metrics (NPS, CSAT, CES, resolution rate) with honest uncertainty"};
  app.set_version_flag("--version", std::string("cxm ") + CXMETRICS_VERSION_STRING);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 ok, 1 bad data in the input, 2 usage error, 3 file error, 4 internal error.");
  register_summary(app, ctx);
  register_report(app, ctx);
  register_trend(app, ctx);
  register_counts(app, ctx);
  register_journeys(app, ctx);
  register_drivers(app, ctx);
  register_gap(app, ctx);
  register_forecast(app, ctx);
  register_alerts(app, ctx);

  // Every message goes through capped_message: a value echoed into it (a
  // 50 MB header, a huge argument) cannot flood the terminal.
  auto say = [](const std::string& message) { std::cerr << capped_message(message) << '\n'; };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    say(std::string("cxm: ") + e.what() + "\n(run with --help for usage)");
    return usage;
  } catch (const failure& e) {
    say(std::string("cxm: ") + e.what());
    return e.code();
  } catch (const cxm::invalid_argument& e) {
    say(located(e));
    return usage;
  } catch (const cxm::error& e) {
    say(located(e));
    return bad_data;
  } catch (const std::exception& e) {
    say(std::string("cxm: internal error: ") + e.what());
    return internal;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "cxm: cannot write the output\n";
    return io_failure;
  }
  return ok;
}
