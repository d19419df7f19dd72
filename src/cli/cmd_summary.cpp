// `cxm summary FILE`: every metric with n, effective n, value, SE and
// interval, overall and per group (--by channel,month,segment,agent), each
// group tested against the rest of the responses by stats/compare_to_rest.hpp
// (the same test as `cxm report`), with the p-values of the tested groups of
// one metric adjusted together (Holm by default).
//
// The file is streamed into a summary_state (report/summary_state.hpp):
// each batch of accepted rows is counted per group by group_by (the SIMD
// grouped kernel, channels, segments and agents keyed by label, months by
// by_period in the --utc-offset), so memory grows with the number of groups,
// not with the file. The tables are summary_tables() of that state: groups
// by ascending key (labels by their bytes, months in time order, "(none)"
// first), the --max-groups groups with the most responses shown (in key
// order) and the others pooled into one row "other (k groups)".
//
// States. --save-state F writes the state of this input (io/binary.hpp's
// framing, a few hundred bytes per group); --from-states F1 F2 ... reads no
// responses: it merges the saved states and prints their tables, which
// equal those of `cxm summary` on the inputs concatenated (same flags), but
// "file" (null; "states" lists them). The keys, UTC offset, scales, declared
// fields and weighting are the states'; --by, when given, must name their
// keys; states that differ in them are bad data (incompatible_merge).
//
// Declared score fields (--field q1:score:1-5, a mapping's "fields") get
// two tables each, named after the field: the share in the scale's top box
// (the top two points by default, "1-5/1" the top one; Wilson or --method)
// and the mean with its t interval, per group and overall, tested against
// the rest like CSAT. Each is a rating_accumulator bound to the field
// (engine/metric_set.hpp), counted per group beside the answer counts.
// Other declared kinds are read (and checked) but not summarised.
//
// Columns: a metric named by --metrics, a --by key and --weight COL need
// their column (exit 1 naming the columns found when it is missing). With
// the default metric list a metric whose column is absent is left out of
// every format, with one note on stderr.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/groups.hpp"
#include "cli/input.hpp"
#include "cli/output_file.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/report/summary_state.hpp"
#include "cxmetrics/stats/multiplicity.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::inline v0_1::cli {
namespace {

response_field field_of_metric(const std::string& m) {
  if (m == "nps") return response_field::nps;
  if (m == "csat") return response_field::csat;
  if (m == "ces") return response_field::ces;
  return response_field::resolved;
}

std::vector<summary_key> keys_of(const std::vector<std::string>& by) {
  std::vector<summary_key> keys;
  for (const auto& b : by) {
    if (b != "channel" && b != "month" && b != "segment" && b != "agent") {
      throw failure(usage, "--by: unknown key '" + b + "' (use channel, month, segment, agent)");
    }
    keys.push_back(summary_key_from(b));
  }
  if (keys.size() > 4) throw failure(usage, "--by takes at most 4 keys");
  return keys;
}

// The tables' options from the flags; throws failure(usage).
summary_table_options table_options(const summary_args& a) {
  for (const auto& m : a.metrics) {
    if (m != "nps" && m != "csat" && m != "ces" && m != "resolution") {
      throw failure(usage, "--metrics: unknown metric '" + m + "' (use nps, csat, ces, resolution)");
    }
  }
  check_level(a.level);
  summary_table_options o;
  o.metrics = a.metrics;
  o.level = a.level;
  for (const auto& name : a.methods) {
    if (!o.methods.use(parse_method(name))) {
      throw failure(usage, "--method " + name + " applies to no metric here (means always use t)");
    }
  }
  o.adjust = stats::parse_p_adjust(a.adjust, at_field("--adjust"));
  if (const auto se = stats::weighted_se_from(a.weighted_se)) {
    o.se = *se;
  } else {
    throw failure(usage, "--weighted-se " + quote_value(a.weighted_se) + " is not linearized or kish");
  }
  o.min_n = a.groups.min_n;
  o.max_groups = a.groups.max_groups;
  return o;
}

cell cell_of(const summary_cell& c) {
  return std::visit(
      [&](const auto& v) -> cell {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          return cell{};
        } else if constexpr (std::is_same_v<V, double>) {
          return cell::real(v, c.digits);
        } else {
          return cell(v);
        }
      },
      c.value);
}

// The state of the input FILE, read with the flags.
summary_state read_state_of_file(summary_args& a, const context& ctx, const std::vector<summary_key>& keys) {
  const auto offset = parse_utc_offset(a.groups.utc_offset);
  apply_weight_flags(a.groups, a.input);
  // A field a flag names must have its column.
  for (auto k : keys) a.input.required.push_back(field_of(k));
  if (a.metrics_given) {
    for (const auto& m : a.metrics) a.input.required.push_back(field_of_metric(m));
  }
  summary_state state(keys, make_ingest_options(a.input), offset);
  const auto report = read_input(a.input, ctx, [&](const response_batch& b) { state.feed(b); });
  state.note_input(report);
  return state;
}

// The saved states merged, in the order given.
summary_state merge_states(const std::vector<std::string>& files) {
  std::optional<summary_state> merged;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw failure(io_failure, "--from-states: cannot open " + quote_value(f));
    std::vector<char> text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw failure(io_failure, "--from-states: cannot read " + quote_value(f));
    try {
      auto s = deserialize<summary_state>(std::as_bytes(std::span(text)));
      if (merged) {
        merged->merge(s);
      } else {
        merged = std::move(s);
      }
    } catch (const cxm::error& e) {
      throw failure(bad_data, "--from-states " + f + ": " + e.what());
    }
  }
  return std::move(*merged);
}

void write_state_file(const std::string& path, const summary_state& s) {
  const auto bytes = serialize(s);
  output_file out(path);
  out.stream().write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.commit();
}

}  // namespace

void run_summary(summary_args& a, const context& ctx) {
  const auto keys = keys_of(a.by);
  const auto options = table_options(a);
  const bool from_states = !a.from_states.empty();
  if (from_states == !a.input.file.empty()) {
    throw failure(usage, from_states ? "FILE and --from-states exclude each other"
                                     : "a FILE to read, or --from-states, is required");
  }
  if (from_states && !a.save_state.empty()) throw failure(usage, "--save-state needs a FILE to read");
  if (!a.save_state.empty()) check_no_clobber(a.input, {{"--save-state", a.save_state}});
  const summary_state state = from_states ? merge_states(a.from_states) : read_state_of_file(a, ctx, keys);
  if (from_states && !a.by.empty() && keys != state.keys()) {
    std::string theirs;
    for (auto k : state.keys()) theirs += (theirs.empty() ? "" : ",") + std::string(to_string(k));
    throw failure(usage, "--by names other keys than the states', which group by " +
                             (theirs.empty() ? std::string("nothing") : theirs));
  }
  if (!a.save_state.empty()) write_state_file(a.save_state, state);

  // Metrics of the default list without a column are left out.
  std::vector<std::string> absent;
  for (const auto& m : a.metrics) {
    if (!state.input().has(field_of_metric(m))) absent.push_back(m);
  }
  if (from_states && a.metrics_given && !absent.empty()) {
    throw failure(bad_data, "--metrics " + absent.front() + ": the states' inputs have no column for it");
  }
  note_absent_metrics(ctx, absent);

  std::size_t groups = 0;
  const auto tables = summary_tables(state, options, &groups);
  table_writer out(ctx);
  for (const auto& t : tables) {
    out.begin(t.name, t.title, t.columns);
    std::vector<cell> row;
    for (const auto& r : t.rows) {
      row.clear();
      for (const auto& c : r) row.push_back(cell_of(c));
      out.row(row);
    }
    out.end(t.notes);
  }
  const auto& weight = state.weight_column();
  std::vector<std::string> by;
  for (auto k : state.keys()) by.emplace_back(to_string(k));
  nlohmann::json extra = nlohmann::json::object();
  extra["file"] = from_states ? nlohmann::json(nullptr) : nlohmann::json(a.input.file);
  if (from_states) extra["states"] = a.from_states;
  extra["level"] = a.level;
  extra["adjust"] = stats::to_string(options.adjust);
  extra["weighted_se"] = stats::to_string(options.se);
  extra["weighted"] = !weight.empty();
  extra["weight_column"] = weight.empty() ? nlohmann::json(nullptr) : nlohmann::json(weight);
  extra["by"] = by;
  extra["groups"] = groups;
  extra["min_n"] = a.groups.min_n;
  extra["max_groups"] = a.groups.max_groups;
  extra["utc_offset"] = format_utc_offset(state.utc_offset());
  out.finish(extra);
}

void register_summary(CLI::App& app, context& ctx) {
  auto args = std::make_shared<summary_args>();
  auto* sub = app.add_subcommand("summary", "NPS, CSAT, CES and resolution rate with intervals, per group");
  add_input_flags(*sub, args->input);
  sub->get_option("FILE")->required(false);
  sub->add_option("--save-state", args->save_state,
                  "Also write the state of this input to a file, for --from-states (a few hundred bytes per group)");
  sub->add_option("--from-states", args->from_states,
                  "Read no FILE: merge these saved states (--save-state) and print their tables")
      ->expected(1, -1);
  sub->add_option("--by", args->by, "Group by channel, month, segment and/or agent (comma-separated)")->delimiter(',');
  auto* metrics = sub->add_option("--metrics", args->metrics,
                                  "Metrics: nps, csat, ces, resolution (default: those the file has a column for)")
                      ->delimiter(',');
  add_group_flags(*sub, args->groups);
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  sub->add_option("--method", args->methods,
                  "Interval methods: an NPS one (adjusted_wald, wald, tango, t, bayes_dirichlet, bootstrap) and/or "
                  "a proportion one (wilson, wilson_cc, jeffreys, clopper_pearson, agresti_coull, wald)")
      ->delimiter(',');
  sub->add_option("--adjust", args->adjust, "p-value adjustment across groups: holm, bh, bonferroni, none")
      ->default_val("holm");
  sub->add_option("--weighted-se", args->weighted_se,
                  "SE of weighted estimates: linearized (default; survey::svymean's, with n/(n-1)) or kish "
                  "(Kish's approximation: the unweighted SE at the effective n)")
      ->default_val("linearized");
  add_common_flags(*sub, ctx);
  sub->callback([args, metrics, &ctx] {
    args->metrics_given = metrics->count() > 0;
    run_summary(*args, ctx);
  });
}

}  // namespace cxm::cli
