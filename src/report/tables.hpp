// Internal (not installed): the tables of the report writers
// (src/report/html.cpp) as sections other than html.cpp's own write them
// (src/report/journey_section.cpp): one table value, written as HTML or as
// GitHub-flavoured Markdown, and the cell text of estimates, so every
// section shows its numbers the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cxmetrics/core/estimate.hpp"

namespace cxm::inline v0_1::report {

struct journey_section;
struct trend_section;

namespace detail {

struct table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<bool> numeric;  // right-aligned columns
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row_class;  // per row: "" or e.g. "total"
};

/// "0.23", or "-" without a value.
std::string cell_value(const estimate& e, int decimals);
/// "[0.10, 0.35]", "n/a (note)" with a value but no interval, or "-".
std::string cell_interval(const estimate& e, int decimals);
/// Opens a report section: `<section id>` with its `<h2>` title, then the
/// method line when `method` is not empty (escaped).
void open_html_section(std::string& out, const std::string& id, const std::string& title,
                       const std::string& method = {});
/// The table as HTML (escaped) / as Markdown (escaped cells).
void write_html_table(std::string& out, const table& t);
void write_md_table(std::string& out, const table& t);
/// Text made safe for one Markdown line or cell.
std::string md_text(std::string_view s);

/// The journey section as HTML (a <section> with its charts and tables) and
/// as Markdown (its tables): src/report/journey_section.cpp.
void journey_html(std::string& out, const journey_section& j, double level);
void journey_markdown(std::string& out, const journey_section& j, double level);
/// The trend section likewise: src/report/trend_section.cpp.
void trend_html(std::string& out, const trend_section& s, double level);
void trend_markdown(std::string& out, const trend_section& s, double level);

}  // namespace detail
}  // namespace cxm::report
