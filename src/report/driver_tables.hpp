// Internal (not installed): the key-driver section as the report writers
// (src/report/html.cpp) place it: HTML (a <section> with its chart and
// tables) and Markdown (its tables); src/report/driver_section.cpp.
#pragma once

#include <string>

#include "cxmetrics/report/driver_section.hpp"

namespace cxm::inline v0_1::report::detail {

void driver_html(std::string& out, const driver_section& s, double level);
void driver_markdown(std::string& out, const driver_section& s, double level);

}  // namespace cxm::report::detail
