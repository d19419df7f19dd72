// `cxm forecast SERIES.csv --frequency F --horizon H`: exponential-smoothing
// forecasts with 80 % and 95 % prediction intervals (series/forecast.hpp).
//
// Input: a CSV file with a header naming the columns `t` and `value`, and
// optionally `series` (many series in one file, each fitted on its own, in
// the order they first appear); other columns are ignored. Rows of a series
// are its points in time order, evenly spaced, without gaps: `t` is a label,
// checked only for repeats and, where two labels are both numbers or both
// ISO-like dates of one length, for order. Every value must be a finite
// number. A bad row stops the run with exit 1 naming file, line and column.
//
// Output (one table "forecast"): series, step, mean, lo80, hi80, lo95, hi95
// (series empty for a file without a series column). --fits OUT.csv writes
// the model of each series: series, model, alpha, beta, gamma, phi, sigma2,
// loglik, aicc (beta, gamma, phi empty where the model has none). With
// --lower and --upper the forecasts stay inside the bounds (log-odds
// transform, series/forecast.hpp); the fits then describe the log-odds.
// --backtest K adds a table "backtest" of K rolling origins per series
// (MASE, sMAPE, coverage of the 80 % and 95 % intervals).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/output_file.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/series/forecast.hpp"

namespace cxm::inline v0_1::cli {
namespace {

struct forecast_args {
  std::string file;
  std::string frequency;
  std::uint64_t horizon = 0;
  std::string model = "auto";
  std::string fits;
  std::string lower, upper;
  std::uint64_t seed = 0x5eed;
  bool simulate = false;
  std::uint64_t backtest = 0;
};

struct point_row {
  std::string t;
  double value;
  std::uint64_t line;
};

struct one_series {
  std::string name;
  std::vector<point_row> rows;
};

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Splits one CSV line (RFC 4180 quoting within the line). Throws parse_error
// for a quote left open.
std::vector<std::string> split_csv(std::string_view line, const std::string& file, std::uint64_t line_no) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == ',') {
      out.push_back(was_quoted ? cur : std::string(trim(cur)));
      cur.clear();
      was_quoted = false;
    } else if (c == '"' && trim(cur).empty()) {
      cur.clear();
      quoted = was_quoted = true;
    } else {
      cur += c;
    }
  }
  if (quoted) {
    throw parse_error("a quoted field is not closed on its line", in_file(file, line_no, out.size() + 1));
  }
  out.push_back(was_quoted ? cur : std::string(trim(cur)));
  return out;
}

std::optional<double> number_of(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0.0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool iso_like(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789-:T .W") == std::string_view::npos &&
         s.find_first_of("0123456789") != std::string_view::npos;
}

// Whether label b may not follow a (a known order says it does not come later).
bool out_of_order(const std::string& a, const std::string& b) {
  const auto x = number_of(a), y = number_of(b);
  if (x && y) return !(*y > *x);
  if (!x && !y && iso_like(a) && iso_like(b) && a.size() == b.size()) return !(b > a);
  return false;
}

std::vector<one_series> read_series(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw failure(io_failure, "cannot open " + quote_value(file));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw failure(io_failure, "cannot read " + quote_value(file));
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::vector<one_series> out;
  std::map<std::string, std::size_t, std::less<>> index;
  std::optional<std::size_t> col_series, col_t, col_value;
  std::size_t n_columns = 0;
  std::uint64_t line_no = 0;
  std::istringstream lines(text);
  std::string line;
  std::map<std::pair<std::size_t, std::string>, std::uint64_t> seen;  // (series, t) -> line
  while (std::getline(lines, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto fields = split_csv(line, file, line_no);
    if (!col_t && !col_value && n_columns == 0) {
      // The header.
      n_columns = fields.size();
      std::string found;
      for (std::size_t j = 0; j < fields.size(); ++j) {
        std::string name = fields[j];
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        if (name == "series") col_series = j;
        if (name == "t") col_t = j;
        if (name == "value") col_value = j;
        found += (found.empty() ? "" : ", ") + quote_value(fields[j]);
      }
      if (!col_t || !col_value) {
        throw parse_error(std::string("the header lacks the column ") + (!col_t ? "'t'" : "'value'") +
                              " (a series file has the columns t,value or series,t,value; found " + found + ")",
                          in_file(file, line_no));
      }
      continue;
    }
    if (fields.size() != n_columns) {
      throw parse_error("the row has " + std::to_string(fields.size()) + " fields, the header " +
                            std::to_string(n_columns),
                        in_file(file, line_no, std::min(fields.size(), n_columns) + 1));
    }
    const std::string name = col_series ? fields[*col_series] : std::string();
    auto [it, added] = index.try_emplace(name, out.size());
    if (added) out.push_back({name, {}});
    auto& s = out[it->second];
    const std::string& t = fields[*col_t];
    if (t.empty()) throw parse_error("the time label t is empty", in_file(file, line_no, *col_t + 1, "t"));
    const auto v = number_of(fields[*col_value]);
    if (!v || !std::isfinite(*v)) {
      throw invalid_value(
          fields[*col_value].empty()
              ? "the value is empty (a series must be evenly spaced without gaps)"
              : "value " + quote_value(fields[*col_value]) + " is not a finite number",
          in_file(file, line_no, *col_value + 1, "value"));
    }
    if (auto [prev, fresh] = seen.try_emplace({it->second, t}, line_no); !fresh) {
      throw invalid_value("t " + quote_value(t) + " repeats line " + std::to_string(prev->second) +
                              (name.empty() ? "" : " of series " + quote_value(name)),
                          in_file(file, line_no, *col_t + 1, "t"));
    }
    if (!s.rows.empty() && out_of_order(s.rows.back().t, t)) {
      throw invalid_value("t " + quote_value(t) + " does not come after " + quote_value(s.rows.back().t) + " (line " +
                              std::to_string(s.rows.back().line) + "): rows of a series must be in time order",
                          in_file(file, line_no, *col_t + 1, "t"));
    }
    s.rows.push_back({t, *v, line_no});
  }
  if (n_columns == 0) throw parse_error("the file is empty (expected a header t,value)", in_file(file, 1));
  if (out.empty()) throw parse_error("the file has a header but no rows", in_file(file, line_no));
  return out;
}

int period_of(const std::string& f) {
  static const std::map<std::string, int, std::less<>> names{
      {"year", 1}, {"yearly", 1}, {"annual", 1}, {"quarter", 4}, {"quarterly", 4}, {"month", 12}, {"monthly", 12},
      {"week", 52}, {"weekly", 52}, {"day", 7}, {"daily", 7}};
  if (auto it = names.find(f); it != names.end()) return it->second;
  const auto t = trim(f);
  int v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || t.find_first_not_of("0123456789") != std::string_view::npos || r.ec != std::errc{} || v < 1 ||
      v > 1000) {
    throw failure(usage, "--frequency: " + quote_value(f) +
                             " is neither a number of points per cycle (1 to 1000) nor one of year, quarter, month, "
                             "week, day");
  }
  return v;
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

double bound_of(const std::string& flag, const std::string& text) {
  const auto v = number_of(text);
  if (!v || !std::isfinite(*v)) throw failure(usage, flag + ": " + quote_value(text) + " is not a finite number");
  return *v;
}

void run_forecast(const forecast_args& a, const context& ctx) {
  forecasting::forecast_options o;
  o.period = period_of(a.frequency);
  o.horizon = static_cast<std::size_t>(a.horizon);
  o.seed = a.seed;
  o.simulate = a.simulate;
  if (a.model != "auto") {
    o.model = forecasting::ets_spec::parse(a.model);
    if (!o.model) {
      throw failure(usage, "--model: " + quote_value(a.model) +
                               " is not auto or an ETS model: error A|M, trend N|A|Ad, season N|A|M, as ANN, AAdN, "
                               "MAM (additive error with multiplicative season excluded)");
    }
  }
  if (a.lower.empty() != a.upper.empty()) throw failure(usage, "--lower and --upper go together");
  if (!a.lower.empty()) {
    forecasting::value_bounds b{bound_of("--lower", a.lower), bound_of("--upper", a.upper)};
    if (!(b.lower < b.upper)) throw failure(usage, "--lower must be less than --upper");
    if (o.model && !o.model->linear()) {
      throw failure(usage, "--model " + a.model +
                               ": with --lower/--upper the series is fitted on the log-odds scale, where only the "
                               "additive models (AxN, AxA) apply");
    }
    o.bounds = b;
  }
  check_outputs({{"FILE", a.file}}, {{"--fits", a.fits}});
  const auto all = read_series(a.file);

  table fc;
  fc.name = "forecast";
  fc.title = "Forecasts with 80 % and 95 % prediction intervals";
  fc.columns = {"series", "step", "mean", "lo80", "hi80", "lo95", "hi95"};
  table fits;
  fits.name = "fits";
  fits.columns = {"series", "model", "alpha", "beta", "gamma", "phi", "sigma2", "loglik", "aicc"};
  table bt;
  bt.name = "backtest";
  bt.title = "Rolling-origin backtest";
  bt.columns = {"series", "origins", "forecasts", "mase", "smape", "coverage80", "coverage95"};
  constexpr int digits = -10;
  for (const auto& s : all) {
    std::vector<double> y;
    y.reserve(s.rows.size());
    for (const auto& r : s.rows) y.push_back(r.value);
    const auto where = [&](std::uint64_t line) { return in_file(a.file, line); };
    const std::string named = s.name.empty() ? std::string() : "series " + quote_value(s.name) + ": ";
    if (o.bounds) {
      for (const auto& r : s.rows) {
        if (!(r.value >= o.bounds->lower && r.value <= o.bounds->upper)) {
          throw invalid_value(named + "value " + shortest(r.value) + " is outside --lower " + a.lower + " .. --upper " +
                                  a.upper,
                              where(r.line));
        }
      }
    }
    forecasting::series_forecast f;
    try {
      f = forecasting::forecast_series(y, o);
    } catch (const invalid_argument& e) {
      // The series cannot take the model (too short, not positive): bad data.
      throw invalid_value(named + e.reason(), where(s.rows.back().line));
    }
    for (std::size_t h = 0; h < f.points.size(); ++h) {
      const auto& p = f.points[h];
      fc.add({cell(s.name), cell(static_cast<std::uint64_t>(h + 1)), cell::real(p.mean, digits),
              cell::real(p.lo80, digits), cell::real(p.hi80, digits), cell::real(p.lo95, digits),
              cell::real(p.hi95, digits)});
    }
    const auto& m = f.model;
    const bool trend = m.spec.trend != forecasting::ets_trend::none;
    const bool season = m.spec.season != forecasting::ets_season::none;
    fits.add({cell(s.name), cell(m.spec.name()), cell::real(m.params.alpha, digits),
              trend ? cell::real(m.params.beta, digits) : cell{}, season ? cell::real(m.params.gamma, digits) : cell{},
              m.spec.trend == forecasting::ets_trend::damped ? cell::real(m.params.phi, digits) : cell{},
              cell::real(m.sigma2, digits), cell::real(m.loglik, digits), cell::real(m.aicc, digits)});
    if (a.backtest > 0) {
      forecasting::backtest_result r;
      try {
        r = forecasting::backtest(y, o, {.origins = static_cast<std::size_t>(a.backtest), .step = 1});
      } catch (const invalid_argument& e) {
        throw invalid_value(named + "backtest: " + e.reason(), where(s.rows.back().line));
      }
      bt.add({cell(s.name), cell(static_cast<std::uint64_t>(r.origins)), cell(static_cast<std::uint64_t>(r.forecasts)),
              cell::real(r.mase, 4), cell::real(r.smape, 4), cell::real(r.coverage80, 4), cell::real(r.coverage95, 4)});
    }
  }
  if (!a.fits.empty()) {
    output_file out(a.fits);
    context fctx;
    fctx.format = output_format::csv;
    fctx.out = &out.stream();
    fctx.err = ctx.err;
    fctx.emit({fits});
    out.commit();
  }
  std::vector<table> tables{fc};
  if (a.backtest > 0) tables.push_back(bt);
  ctx.emit(tables);
}

}  // namespace

void register_forecast(CLI::App& app, context& ctx) {
  auto args = std::make_shared<forecast_args>();
  auto* sub = app.add_subcommand("forecast",
                                 "Exponential-smoothing forecasts (ETS, selected by AICc) with 80 % and 95 % intervals "
                                 "from a t,value or series,t,value CSV file");
  sub->add_option("SERIES", args->file, "CSV file with columns t,value or series,t,value")->required();
  sub->add_option("--frequency", args->frequency,
                  "Points per seasonal cycle: a number (12 monthly, 4 quarterly, 1 none) or year, quarter, month, "
                  "week, day")
      ->required();
  sub->add_option("--horizon", args->horizon, "Steps to forecast, 1 to 1000")->required()->transform(count_arg(1, 1000));
  sub->add_option("--model", args->model, "auto (least AICc) or an ETS model: ANN, AAN, AAdN, ANA, AAA, MAM, ...")
      ->default_val("auto");
  sub->add_option("--fits", args->fits, "Write each series' model and parameters to this CSV file");
  sub->add_option("--lower", args->lower, "Lower bound of the metric (with --upper): forecasts stay inside");
  sub->add_option("--upper", args->upper, "Upper bound of the metric (with --lower)");
  sub->add_flag("--simulate", args->simulate,
                "Intervals from 5,000 seeded sample paths for every model instead of the analytic ones");
  sub->add_option("--seed", args->seed, "Seed of the sample paths (--simulate)")
      ->default_val(0x5eed)
      ->transform(count_arg(0, std::numeric_limits<std::uint64_t>::max()));
  sub->add_option("--backtest", args->backtest, "Also score K rolling origins per series (MASE, sMAPE, coverage)")
      ->default_val(0)
      ->transform(count_arg(0, 1000));
  add_common_flags(*sub, ctx);
  sub->callback([args, &ctx] { run_forecast(*args, ctx); });
}

}  // namespace cxm::inline v0_1::cli
