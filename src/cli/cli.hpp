// Shared conventions of the `cxm` command: output formats, exit codes, the
// result table every subcommand fills, and error reporting.
//
// A subcommand lives in one file (cmd_<name>.cpp) with one function
//
//   void register_<name>(CLI::App& app, cxm::cli::context& ctx);
//
// that adds its CLI11 subcommand and a callback. The callback writes its
// results as one or more `table`s through ctx.emit(), so every subcommand gets
// --format table|json|csv|markdown for free, and throws cxm errors (or
// cli::failure) for problems, which main() turns into exit codes and
// "file:line:column: message" lines on stderr.
//
// Exit codes (README, "The cxm command"):
//   0  success
//   1  the input holds bad data (a cxm::error about a value, or a reject under --strict)
//   2  usage error: unknown flag, missing or malformed argument
//   3  a file cannot be read or written
//   4  internal error (a bug: please report it)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"

namespace CLI {
class App;
class Option;
class Validator;
}

namespace cxm::inline v0_1::cli {

enum exit_code : int { ok = 0, bad_data = 1, usage = 2, io_failure = 3, internal = 4 };

/// An error that maps to a given exit code with a message (already located).
class failure : public std::exception {
 public:
  failure(exit_code code, std::string message) : code_(code), message_(std::move(message)) {}
  [[nodiscard]] exit_code code() const noexcept { return code_; }
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

 private:
  exit_code code_;
  std::string message_;
};

enum class output_format { table, json, csv, markdown };

/// One cell: text, an integer, a real number shown with `digits` decimals in
/// text formats (full precision in JSON), or nothing (JSON null, empty cell).
struct cell {
  std::variant<std::monostate, std::string, std::int64_t, std::uint64_t, double, bool> v;
  int digits = 4;

  cell() = default;
  cell(std::string s) : v(std::move(s)) {}  // NOLINT: implicit on purpose
  cell(const char* s) : v(std::string(s)) {}
  cell(std::uint64_t x) : v(x) {}
  cell(std::int64_t x) : v(x) {}
  cell(bool b) : v(b) {}
  cell(double x, int d) : v(x), digits(d) {}
  /// A real; NaN becomes an empty cell / null. digits < 0 asks for
  /// |digits| significant digits instead of fixed decimals.
  static cell real(double x, int d);
};

/// A named table of rows; column names double as JSON keys.
struct table {
  std::string name;                   ///< JSON key and heading ("nps", "comparison", ...)
  std::string title;                  ///< a line above the text table
  std::vector<std::string> columns;
  std::vector<std::vector<cell>> rows;
  std::vector<std::string> notes;     ///< lines below the text table

  void add(std::vector<cell> row) { rows.push_back(std::move(row)); }
};

/// What every subcommand shares.
struct context {
  output_format format = output_format::table;
  bool quiet = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  /// Writes the tables in the chosen format: text formats one after the
  /// other; JSON as one object {"<name>": [ {column: value, ...}, ... ], ...}
  /// plus any `extra` members.
  void emit(const std::vector<table>& tables, const nlohmann::json& extra = nlohmann::json::object()) const;
};

/// Writes tables in the context's format, row by row: a command with many
/// large tables need not hold them (context::emit is this for a list).
///
///   table_writer w(ctx);
///   w.begin("nps", "NPS", {"channel", "n", ...});
///   w.row(cells); ...                 // any number of rows
///   w.end(notes);                     // then more tables
///   w.finish(extra);                  // JSON: the `extra` members, then '}'
///
/// Aligned text keeps a table's cell text until end() (it needs every width
/// first); the other formats write as they go.
class table_writer {
 public:
  explicit table_writer(const context& ctx);
  void begin(std::string name, std::string title, std::vector<std::string> columns);
  void row(std::span<const cell> cells);
  void end(const std::vector<std::string>& notes = {});
  /// begin, every row, end.
  void write(const table& t);
  void finish(const nlohmann::json& extra = nlohmann::json::object());

 private:
  void flush(bool always);
  void markdown_rule(std::span<const cell> first_row);

  const context& ctx_;
  std::string buf_;  // output not yet written
  std::size_t tables_ = 0;
  std::string name_, title_;
  std::vector<std::string> columns_;
  std::size_t rows_ = 0;
  std::vector<std::string> keys_;    // JSON: "      \"column\": " per column
  std::string cells_;                // text: the cells' text, one after the other
  std::vector<std::size_t> ends_;    // text: end of each cell in cells_
  std::vector<std::size_t> width_;   // text: column widths
  std::vector<bool> numeric_;        // text: right-aligned columns
};

/// Adds --format and --quiet to a subcommand.
void add_common_flags(CLI::App& sub, context& ctx);

/// Parses an interval method name ("wilson", "adjusted_wald", "bayes" is an
/// alias of bayes_dirichlet, ...). Throws failure(usage).
[[nodiscard]] interval_method parse_method(const std::string& name);

/// Columns describing an estimate, in the order estimate_cells() fills them:
/// n, effective_n, value, se, lower, upper, level, interval_method, status.
[[nodiscard]] std::vector<std::string> estimate_columns();
/// Reals are shown with `digits` decimals in text formats.
[[nodiscard]] std::vector<cell> estimate_cells(const estimate& e, int digits);

/// Columns and cells of a comparison: difference, se, lower, upper, level, z, p_value.
[[nodiscard]] std::vector<std::string> comparison_columns();
[[nodiscard]] std::vector<cell> comparison_cells(const stats::comparison& c, int digits);

// ---- Numeric arguments -----------------------------------------------------
//
// Every numeric argument of every subcommand is read by the transforms below,
// never by CLI11's own conversion (which reads "0x10" as 16, "010" as 8,
// "-5" into an unsigned as 2⁶⁴ − 5 and "" as 0). The rules:
//   count  decimal digits 0-9 only: no sign, no "0x", no point, no blank
//          inside; blanks (space, tab) around it are dropped; leading zeros
//          are decimal ("010" is 10); at most max_count = 2⁶³ − 1, and a
//          list of counts that are added up (3 group counts, 11 bins) may
//          not add up to more either.
//   level  a decimal number (digits with at most one point, no sign, no
//          exponent) strictly between 0 and 1: "0.95", ".9".
//   real   a decimal number the same way, in the range the option gives.
// A value that breaks a rule is a usage error (exit 2) naming the option:
//   "--n: '-5' is not a count (a whole number ≥ 0 in digits 0-9)",
//   "--bins: the counts add up to more than 9223372036854775807 (2^63 - 1)".
//
// In a subcommand file, with CLI11:
//   sub->add_option("--threads", a.threads, "...")->transform(cli::count_arg());
//   sub->add_option("--chunk-bytes", a.chunk_bytes, "...")->transform(cli::count_arg(1));
//   sub->add_option("--level", a.level, "...")->transform(cli::level_arg());
//   cli::add_count_list(*sub, "--counts", a.counts, "D,P,PR");
// The transforms rewrite the value into plain decimal before CLI11 converts
// it (so use ->transform, not ->check), and also check defaults. The target
// may be any unsigned integer type that holds `max`.

/// The largest count an argument may give, alone or as a sum: 2⁶³ − 1.
inline constexpr std::uint64_t max_count = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

/// `text` quoted for a message: 'text', cut on a UTF-8 boundary after
/// `max_bytes` bytes as 'text…' (N bytes).
[[nodiscard]] std::string quote_value(std::string_view text, std::size_t max_bytes = 60);

/// CLI11 transforms for one option's value: a count between `min` and
/// `max`; a confidence level ("95" and "95%" get the hint "for 95% write
/// 0.95"); a decimal number in the open interval (lo, hi), `what` naming
/// the kind of value in messages ("a prior parameter > 0").
[[nodiscard]] CLI::Validator count_arg(std::uint64_t min = 0, std::uint64_t max = max_count);
[[nodiscard]] CLI::Validator level_arg();
[[nodiscard]] CLI::Validator decimal_arg(double lo, double hi, std::string what);

/// Adds an option taking a comma-separated list of counts ("5,1,1"; an
/// empty item, as in "5,,1" or "5,1,1,", is refused) into `out`. With
/// `summed` (3 group counts, 11 bins) their total may not exceed max_count
/// either; without (X,N) each count stands alone. Giving the option twice
/// is a usage error.
CLI::Option* add_count_list(CLI::App& sub, const std::string& name, std::vector<std::uint64_t>& out,
                            const std::string& help, bool summed = true);

// ---- Messages ---------------------------------------------------------------

/// The longest line main() prints on stderr, in bytes.
inline constexpr std::size_t max_message_line = 1000;

/// `message` with every line longer than `max_line` bytes cut on a UTF-8
/// boundary and ended with "… (N bytes)", N the line's full length, the
/// whole within `max_line` bytes: the last line of defence against a 50 MB
/// value echoed into an error.
[[nodiscard]] std::string capped_message(std::string_view message, std::size_t max_line = max_message_line);

/// Registration functions, one per subcommand file.
void register_counts(CLI::App& app, context& ctx);
void register_summary(CLI::App& app, context& ctx);
void register_report(CLI::App& app, context& ctx);
void register_journeys(CLI::App& app, context& ctx);
void register_drivers(CLI::App& app, context& ctx);
void register_gap(CLI::App& app, context& ctx);
void register_forecast(CLI::App& app, context& ctx);
void register_alerts(CLI::App& app, context& ctx);
void register_trend(CLI::App& app, context& ctx);

}  // namespace cxm::cli
