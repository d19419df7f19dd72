// Flags shared by `cxm summary` and `cxm report`: see groups.hpp.
#include "cli/groups.hpp"

#include <cctype>
#include <cstdlib>
#include <ostream>

#include <CLI/CLI.hpp>

namespace cxm::inline v0_1::cli {

void add_group_flags(CLI::App& sub, group_flags& g) {
  sub.add_option("--weight", g.weight,
                 "Weight column (default: the column named 'weight' when the file has one; the run then says so)");
  sub.add_flag("--unweighted", g.unweighted, "Ignore any weight column: every response counts once");
  sub.add_option("--min-n", g.min_n,
                 "Least responses (effective n when weighted) on each side for a group-vs-rest test; smaller groups "
                 "are 'too_few' and left out of the p-value adjustment")
      ->default_val(30)
      ->transform(count_arg());
  sub.add_option("--max-groups", g.max_groups,
                 "Groups shown, the largest by responses; the others are pooled into one row 'other (k groups)' "
                 "(0: show all)")
      ->default_val(g.max_groups)
      ->transform(count_arg());
  sub.add_option("--utc-offset", g.utc_offset, "Time zone of month buckets as an offset from UTC, e.g. +02:00")
      ->default_val("+00:00");
}

void apply_weight_flags(const group_flags& g, input_args& in) {
  if (g.unweighted && !g.weight.empty()) throw failure(usage, "--weight and --unweighted exclude each other");
  if (g.unweighted) {
    in.columns.emplace_back("weight=");
  } else if (!g.weight.empty()) {
    in.columns.push_back("weight=" + g.weight);
    in.required.push_back(response_field::weight);
  }
}

std::string weight_column(const group_flags& g, const ingest_report& r) {
  if (g.unweighted) return "";
  return r.column_of[static_cast<std::size_t>(response_field::weight)];
}

std::chrono::seconds parse_utc_offset(const std::string& text) {
  const auto bad = [&] {
    return failure(usage, "--utc-offset takes +HH:MM or -HH:MM (e.g. +02:00, -05:30), got '" + text + "'");
  };
  if (text == "Z" || text == "UTC" || text == "utc") return std::chrono::seconds{0};
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) throw bad();
  std::string digits;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == ':' && i == 3) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) throw bad();
    digits += text[i];
  }
  if (digits.size() != 2 && digits.size() != 4) throw bad();
  const int h = std::stoi(digits.substr(0, 2));
  const int m = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
  if (m >= 60 || h * 60 + m > 18 * 60) throw bad();
  const int sign = text[0] == '-' ? -1 : 1;
  return std::chrono::seconds{sign * (h * 3600 + m * 60)};
}

void note_absent_metrics(const context& ctx, const std::vector<std::string>& absent) {
  if (absent.empty() || ctx.quiet) return;
  std::string list;
  for (const auto& m : absent) list += (list.empty() ? "" : ", ") + m;
  *ctx.err << "cxm: note: the file has no column for " << list << "; left out\n";
}

}  // namespace cxm::cli
