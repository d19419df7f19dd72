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
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/stats/compare.hpp"

namespace CLI {
class App;
}

namespace cxm::cli {

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

/// Registration functions, one per subcommand file.
void register_counts(CLI::App& app, context& ctx);
void register_summary(CLI::App& app, context& ctx);
void register_report(CLI::App& app, context& ctx);

}  // namespace cxm::cli
