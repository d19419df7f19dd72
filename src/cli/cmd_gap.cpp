// `cxm gap FILE --self FIELD --customer FIELD [--by agent]`: the perception
// gap between a self-assessment and the customer's rating of the same
// contacts (drivers/gap.hpp). Self and customer are score fields of the
// read: the predefined nps, csat, ces or fields declared with --field
// NAME:score:SCALE (or a mapping's "fields"); --by names a category field
// (agent, segment, channel or a declared category).
//
// The file is streamed into one drivers::perception_gap state (integer
// sums per group: bounded memory in the rows, linear in the groups).
//
// Tables: "organisation", one row: the pairs, the means (self mapped onto
// the customer's scale when the scales differ), the mean gap self −
// customer with its paired t interval, the calibration (Pearson's r,
// Fisher z interval), the shares of contacts rated higher by self and of
// ties (Wilson), and "we think vs they say": the two top-box shares and
// their difference with Newcombe's paired interval and McNemar's p; with
// --by, "groups", the same per group with its rank (by |gap|, smallest
// first; groups under --min-n pairs listed, not ranked, status too_few);
// "dropped", the rows without a self rating, a customer rating or both;
// then the ingest table.
//
// Survey weights are not used (each row counts once); when the file has
// them, a note says so.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/input.hpp"
#include "cxmetrics/drivers/gap.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace cxm::inline v0_1::cli {
namespace {

struct gap_args {
  input_args input;
  std::string self;
  std::string customer;
  std::string by;
  std::uint64_t min_n = 30;
  std::uint64_t top_box = 0;
  double level = 0.95;
};

std::vector<std::string> figure_columns() {
  return {"n",           "self_mean",        "customer_mean",       "gap",                 "gap_lower",
          "gap_upper",   "calibration",      "calibration_lower",   "calibration_upper",   "self_higher",
          "self_higher_lower", "self_higher_upper", "ties",         "self_lower",          "self_top_box",
          "customer_top_box",  "top_box_gap",       "top_box_gap_lower", "top_box_gap_upper", "top_box_p"};
}

cell value_of(const estimate& e, int digits) { return e.has_value() ? cell::real(e.value(), digits) : cell{}; }
cell lower_of(const estimate& e, int digits) { return e.ok() ? cell::real(e.ci()->lower, digits) : cell{}; }
cell upper_of(const estimate& e, int digits) { return e.ok() ? cell::real(e.ci()->upper, digits) : cell{}; }

std::vector<cell> figure_cells(const drivers::gap_result& r) {
  const auto& tb = r.top_box_gap;
  return {cell(r.n),
          value_of(r.self_mean, 3),
          value_of(r.customer_mean, 3),
          value_of(r.gap, 3),
          lower_of(r.gap, 3),
          upper_of(r.gap, 3),
          value_of(r.calibration, 3),
          lower_of(r.calibration, 3),
          upper_of(r.calibration, 3),
          value_of(r.self_higher, 4),
          lower_of(r.self_higher, 4),
          upper_of(r.self_higher, 4),
          value_of(r.ties, 4),
          cell(r.self_lower_count),
          value_of(r.self_top_box, 4),
          value_of(r.customer_top_box, 4),
          value_of(tb.difference, 4),
          lower_of(tb.difference, 4),
          upper_of(tb.difference, 4),
          cell::real(tb.p_value, -3)};
}

void run_gap(gap_args& a, const context& ctx) {
  check_level(a.level);
  if (a.top_box > 253) throw failure(usage, "--top-box " + std::to_string(a.top_box) + " is more points than a scale has");
  // A predefined field named as self, customer or group must have its column.
  {
    const schema s = schema_of(make_ingest_options(a.input));
    for (const std::string* n : {&a.self, &a.customer, &a.by}) {
      if (n->empty()) continue;
      const auto id = s.find(*n);
      if (id && id->predefined()) a.input.required.push_back(static_cast<response_field>(id->value));
    }
  }
  const auto options = make_ingest_options(a.input);
  drivers::gap_input in(schema_of(options), a.self, a.customer, a.by, static_cast<int>(a.top_box));
  bool weighted = false;
  const auto report = read_input(a.input, ctx, [&](const response_batch& b) {
    weighted = weighted || b.weighted();
    in.add(b);
  });
  const auto result = in.state().result({a.level, a.min_n});
  const auto& org = result.organisation;
  const auto& st = in.state();
  const std::string scales =
      st.self_scale().min() == st.customer_scale().min() && st.self_scale().max() == st.customer_scale().max()
          ? "both on " + std::to_string(st.customer_scale().min()) + ".." + std::to_string(st.customer_scale().max())
          : "self " + st.self_scale().describe() + " mapped linearly onto the customer's " +
                st.customer_scale().describe();
  const std::string top = "top box: self " + std::to_string(st.self_top_min()) + ".." +
                          std::to_string(st.self_scale().max()) + ", customer " +
                          std::to_string(st.customer_top_min()) + ".." + std::to_string(st.customer_scale().max());

  std::vector<std::string> notes{
      "gap = mean of self − customer per contact (paired t interval), in points of the customer's scale; " + scales,
      "calibration: Pearson's r of self and customer (Fisher z interval); self_higher: share of contacts the self "
      "rating is higher (Wilson), ties and self_lower counted apart",
      "we think vs they say: self_top_box − customer_top_box, Newcombe's interval for paired shares (the same "
      "contacts), McNemar's p; " + top};
  if (weighted) notes.push_back("weights: the file's weights are not used; every row counts once");

  table_writer w(ctx);
  std::vector<std::string> columns = figure_columns();
  w.begin("organisation",
          "Perception gap: " + in.self_field() + " (self) vs " + in.customer_field() + " (customer), " +
              std::to_string(org.n) + " contacts",
          columns);
  w.row(figure_cells(org));
  w.end(notes);

  if (!a.by.empty()) {
    std::vector<std::string> gcolumns{"group", "rank", "status"};
    gcolumns.insert(gcolumns.end(), columns.begin(), columns.end());
    gcolumns.emplace_back("dropped");
    w.begin("groups", "By " + in.group_field() + ", ranked by |gap| (smallest first), at least " +
                          std::to_string(a.min_n) + " contacts to be ranked",
            gcolumns);
    for (const auto& g : result.groups) {
      std::vector<cell> row{cell(g.group), g.rank ? cell(*g.rank) : cell{},
                            cell(g.rank ? "ranked" : (g.result.n < a.min_n ? "too_few" : "no_gap"))};
      const auto f = figure_cells(g.result);
      row.insert(row.end(), f.begin(), f.end());
      row.emplace_back(g.result.rows - g.result.n);
      w.row(row);
    }
    std::vector<std::string> gnotes{"too_few: fewer than --min-n " + std::to_string(a.min_n) +
                                    " contacts with both ratings: listed, not ranked"};
    if (result.ungrouped > 0) {
      gnotes.push_back(std::to_string(result.ungrouped) + " rows without " + in.group_field() +
                       " count in the organisation only");
    }
    w.end(gnotes);
  }

  w.begin("dropped", "Rows", {"rows", "pairs", "missing_self", "missing_customer", "missing_both"});
  w.row(std::vector<cell>{cell(org.rows), cell(org.n), cell(org.missing_self), cell(org.missing_customer),
                          cell(org.missing_both)});
  w.end({"a row without a self rating, a customer rating or both is left out of every figure and counted here"});
  w.write(ingest_table(report));

  nlohmann::json extra = nlohmann::json::object();
  extra["file"] = a.input.file;
  extra["self"] = in.self_field();
  extra["customer"] = in.customer_field();
  if (!a.by.empty()) extra["by"] = in.group_field();
  extra["n"] = org.n;
  extra["gap"] = org.gap.has_value() ? nlohmann::json(org.gap.value()) : nlohmann::json();
  extra["level"] = a.level;
  extra["min_n"] = a.min_n;
  extra["top_box"] = a.top_box;
  extra["self_top_min"] = st.self_top_min();
  extra["customer_top_min"] = st.customer_top_min();
  extra["ungrouped"] = result.ungrouped;
  extra["weights_used"] = false;
  w.finish(extra);
}

}  // namespace

void register_gap(CLI::App& app, context& ctx) {
  auto args = std::make_shared<gap_args>();
  auto* sub = app.add_subcommand("gap", "Perception gap: self-assessments vs customer ratings of the same contacts "
                                        "(mean gap, calibration, per-agent ranking, we think vs they say)");
  add_input_flags(*sub, args->input);
  sub->add_option("--self", args->self, "The self-assessment: a score field (declare it with --field NAME:score:SCALE)")
      ->required();
  sub->add_option("--customer", args->customer, "The customer's rating: nps, csat, ces or a declared score field")
      ->required();
  sub->add_option("--by", args->by, "Group and rank by a category field: agent, segment, channel or a declared one");
  sub->add_option("--min-n", args->min_n, "Fewest contacts with both ratings for a group to be ranked (default 30)")
      ->transform(count_arg());
  sub->add_option("--top-box", args->top_box,
                  "Top box as the top K points of each scale (default 0: each scale's high group)")
      ->transform(count_arg());
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  add_common_flags(*sub, ctx);
  sub->callback([args, &ctx] { run_gap(*args, ctx); });
}

}  // namespace cxm::cli
