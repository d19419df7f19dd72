// The key-driver section of `cxm report`: its flags, named and meant as
// those of `cxm drivers`, and the section's options from them.
//
//   cxm report FILE --drivers a,b,c [--outcome nps] [--missing listwise|pairwise]
//              [--bootstrap B --seed S] --field a:score:1-5 ...
//
// --drivers asks for the section (no section without it); the outcome is
// nps unless --outcome names another score or numeric field. Drivers and
// outcome are fields of the read, as for `cxm drivers`: the predefined
// scores or fields declared with --field NAME:KIND[:SCALE] or a mapping's
// "fields". The names are checked before the file is read: a name that is
// no score or numeric field is a usage error (exit 2) naming it, and a
// predefined field named must have its column (exit 1 otherwise). The
// section's own flags without --drivers are a usage error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/input.hpp"
#include "cxmetrics/report/driver_section.hpp"

namespace cxm::inline v0_1::cli {

struct report_driver_flags {
  std::vector<std::string> drivers;
  std::string outcome;  ///< empty: nps
  std::string missing;  ///< empty: listwise
  std::uint64_t bootstrap = 0;
  std::optional<std::uint64_t> seed;
};

/// Adds --drivers, --outcome, --missing, --bootstrap and --seed to `sub`.
void add_report_driver_flags(CLI::App& sub, report_driver_flags& f);

/// The section's options (nullopt without --drivers), the names checked
/// against the input's schema and the predefined fields named added to
/// `in.required`. Throws failure(usage) for flags that do not fit.
[[nodiscard]] std::optional<report::driver_report_options> report_drivers_of(const report_driver_flags& f,
                                                                             input_args& in);

}  // namespace cxm::cli
