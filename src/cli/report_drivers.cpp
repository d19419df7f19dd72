// The key-driver flags of `cxm report` (src/cli/report_drivers.hpp).
#include "cli/report_drivers.hpp"

#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/drivers/driver_input.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1::cli {

void add_report_driver_flags(CLI::App& sub, report_driver_flags& f) {
  sub.add_option("--drivers", f.drivers,
                 "Key-driver section: the drivers (comma-separated), declared score or numeric fields")
      ->delimiter(',');
  sub.add_option("--outcome", f.outcome, "Key-driver section: the outcome (default nps), a score or numeric field");
  sub.add_option("--missing", f.missing,
                 "Key-driver section: listwise (default: rows with every value) or pairwise");
  sub.add_option("--bootstrap", f.bootstrap,
                 "Key-driver section: bootstrap resamples for percentile intervals (0: none)")
      ->transform(count_arg(0, 1000000));
  sub.add_option("--seed", f.seed, "Key-driver section: seed of the bootstrap (default 0)")->transform(count_arg());
}

std::optional<report::driver_report_options> report_drivers_of(const report_driver_flags& f, input_args& in) {
  if (f.drivers.empty()) {
    const char* flag = !f.outcome.empty() ? "--outcome"
                       : !f.missing.empty() ? "--missing"
                       : f.bootstrap > 0    ? "--bootstrap"
                       : f.seed             ? "--seed"
                                            : nullptr;
    if (flag != nullptr) throw failure(usage, std::string(flag) + " needs --drivers (the key-driver section's fields)");
    return std::nullopt;
  }
  report::driver_report_options o;
  o.drivers = f.drivers;
  if (!f.outcome.empty()) o.outcome = f.outcome;
  if (f.missing == "pairwise") {
    o.missing = drivers::missing_policy::pairwise;
  } else if (!f.missing.empty() && f.missing != "listwise") {
    throw failure(usage, "--missing " + quote_value(f.missing) + " is not listwise or pairwise");
  }
  if (f.bootstrap == 1) throw failure(usage, "--bootstrap needs at least 2 resamples (0: none)");
  o.bootstrap = static_cast<std::size_t>(f.bootstrap);
  o.seed = f.seed.value_or(0);
  // The names, before the file is read: driver_input throws invalid_argument
  // (usage) naming a field that is not a score or numeric one, or named twice.
  const schema s = schema_of(make_ingest_options(in));
  (void)drivers::driver_input(s, o.outcome, o.drivers, o.missing);
  std::vector<std::string> named = o.drivers;
  named.push_back(o.outcome);
  for (const auto& n : named) {
    const auto id = s.find(n);
    if (id && id->predefined()) in.required.push_back(static_cast<response_field>(id->value));
  }
  return o;
}

}  // namespace cxm::cli
