// The work of `cxm summary` and `cxm report`, callable without the command
// line (benchmarks/groups_benchmark.cpp runs them on a file).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/groups.hpp"
#include "cli/input.hpp"
#include "cli/report_drivers.hpp"

namespace cxm::inline v0_1::cli {

struct summary_args {
  input_args input;
  group_flags groups;
  std::vector<std::string> by;
  std::vector<std::string> metrics{"nps", "csat", "ces", "resolution"};
  bool metrics_given = false;  ///< --metrics named them: a missing column is then an error
  double level = 0.95;
  std::vector<std::string> methods;
  std::string adjust = "holm";
  std::string weighted_se = "linearized";  ///< the SE of weighted estimates: linearized or kish
  std::string save_state;                  ///< --save-state: write the input's summary_state here
  std::vector<std::string> from_states;    ///< --from-states: merge these states instead of reading FILE
};

/// Reads the file and writes the summary tables to ctx (see cmd_summary.cpp).
void run_summary(summary_args& a, const context& ctx);

struct report_args {
  input_args input;
  group_flags groups = report_group_flags();
  std::string output;
  std::string title = "Customer experience report";
  double level = 0.95;
  std::string adjust = "holm";
  std::uint64_t thin_below = 100;
  std::string format = "html";
  std::vector<std::string> stage_order;  // the journey section's stages, in order
  report_driver_flags drivers;           // the key-driver section (cli/report_drivers.hpp)
};

/// Reads the file and writes the report to -o or ctx.out (see cmd_report.cpp).
void run_report(report_args& a, const context& ctx);

}  // namespace cxm::cli
