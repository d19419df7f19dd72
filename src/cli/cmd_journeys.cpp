// `cxm journeys FILE`: customer journeys and the peak-end rule.
//
// Each row is an event of a journey (journey/journeys.hpp): the journey id,
// touchpoint, stage and owner columns are read as category fields (declared
// here unless --field or the mapping declares them; a column the file lacks
// is exit 1), the channel and timestamp are the predefined fields, the
// event's score is the first answered of the --score fields (each on its own
// scale, mapped onto the experience scale −1…1, journey/experience.hpp), and
// the outcome is a score field (--outcome, nps by default).
//
// Tables:
//   journeys       per --by group (the value of that field at the journey's
//                  end event) and overall: journeys, the mean remembered
//                  score and the mean of the events' average, with t
//                  intervals, and the share whose remembered score and mean
//                  differ in sign (Wilson) — journey/summary.hpp
//   distribution   the remembered scores in 20 bins of width 0.1 over −1…1
//   memory_models  mean, end, peak, peak-end and fitted weights against the
//                  outcome: R², RMSE, 10-fold cross-validated RMSE
//                  (journey/memory_models.hpp)
//   journey_map    channel × stage: per cell the events, the mean experience
//                  x (t interval), NPS, CSAT share, CES mean and resolution
//                  rate of the cell's rows with n and interval; a cell
//                  without events is listed as empty, its values null
//   touchpoints, owners
//                  touchpoint impact (journey/touchpoints.hpp) by touchpoint
//                  and by owner class, most detractor negative peaks first
//   journey_read, ingest
//                  what was read, rejected and why
//
// --per-journey OUT.csv writes journey,events,peak,worst,best,end,mean,
// remembered,outcome (experience scale; outcome empty when none; peak is the
// most intense moment) in the order the journeys were first seen, numbers in
// the shortest form that reads back to the same double.
//
// --sorted reads input sorted by journey holding one journey at a time
// (with --by on a field other than channel, touchpoint, owner and stage,
// the end value of every journey is held too).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/input.hpp"
#include "cli/output_file.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/journeys.hpp"
#include "cxmetrics/journey/memory_models.hpp"
#include "cxmetrics/journey/summary.hpp"
#include "cxmetrics/journey/touchpoints.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/proportion.hpp"

namespace cxm::inline v0_1::cli {

struct journeys_args {
  input_args input;
  std::string journey = "journey";
  std::string touchpoint = "touchpoint";
  std::string stage = "stage";
  std::string owner = "owner";
  std::vector<std::string> scores;
  std::string outcome = "nps";
  std::vector<std::string> neutral;
  std::vector<std::string> stage_order;
  std::string weights;
  std::string by;
  bool sorted = false;
  std::string per_journey;
  double level = 0.95;
  bool outcome_given = false;  ///< --outcome was named: its column must exist
};

namespace {

// Shortest text that reads back as the same double.
std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// A decimal number with an optional sign, or nullopt.
std::optional<double> signed_decimal(std::string_view t) {
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  bool neg = false;
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
    neg = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || t.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(t.begin(), t.end(), '.') > 1 || t.find_first_of("0123456789") == std::string_view::npos) {
    return std::nullopt;
  }
  double v = 0.0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::fixed);
  if (r.ec != std::errc{} || r.ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return neg ? -v : v;
}

// --weights peak=0.5,end=0.5: the weights named (the others 0).
memory_weights parse_weights(const std::string& text) {
  if (text.empty()) return {};
  memory_weights w{0.0, 0.0, 0.0, 0.0, 0.0};
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto eq = item.find('=');
    const auto bad = [&](const std::string& why) {
      return failure(usage, "--weights: " + quote_value(item) + " " + why +
                                " (NAME=WEIGHT, NAME one of peak, trough, best, end, mean; e.g. peak=0.5,end=0.5)");
    };
    if (eq == std::string::npos) throw bad("has no '='");
    const std::string name = item.substr(0, eq);
    const auto v = signed_decimal(item.substr(eq + 1));
    if (!v) throw bad("has no decimal number after '='");
    double* slot = name == "peak" || name == "intense" ? &w.intense
                   : name == "trough" || name == "worst" ? &w.trough
                   : name == "best"                      ? &w.best
                   : name == "end"                       ? &w.end
                   : name == "mean"                      ? &w.mean
                                                         : nullptr;
    if (!slot) throw bad("names no weight");
    *slot = *v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  try {
    check_memory_weights(w);
  } catch (const cxm::error& e) {
    throw failure(usage, "--weights: " + e.reason());
  }
  return w;
}

void push_estimate(std::vector<cell>& row, const estimate& e, int digits) {
  row.push_back(e.has_value() ? cell::real(e.value(), digits) : cell{});
  row.push_back(e.ci() ? cell::real(e.ci()->lower, digits) : cell{});
  row.push_back(e.ci() ? cell::real(e.ci()->upper, digits) : cell{});
}

void add_estimate_columns(std::vector<std::string>& c, const std::string& name) {
  c.push_back(name);
  c.push_back(name + "_lower");
  c.push_back(name + "_upper");
}

class journeys_run {
 public:
  journeys_run(journeys_args& a, const context& ctx) : a_(a), ctx_(ctx) {
    check_level(a.level);
    weights_ = parse_weights(a.weights);
    // The journey category fields, declared unless the input options already
    // have them (--field, the mapping).
    const ingest_options first = make_ingest_options(a.input);
    for (const std::string* name : {&a.journey, &a.touchpoint, &a.stage, &a.owner}) {
      if (field_key(*name).empty() || first.schema.find(*name)) continue;
      a.input.fields.push_back(*name + ":category");
    }
    if (field_key(a.journey).empty()) throw failure(usage, "--journey needs a field name");
    const ingest_options options = make_ingest_options(a.input);
    const schema s = schema_of(options);
    scales_ = options.scales;
    // The outcome: a score field; named on the command line, its column must exist.
    if (!field_key(a.outcome).empty()) {
      const auto f = s.find(a.outcome);
      if (!f || s[*f].kind != field_kind::score) {
        throw failure(usage, "--outcome " + quote_value(a.outcome) + " is not a score field (declare it with --field " +
                                 a.outcome + ":score:MIN-MAX)");
      }
      if (f->predefined() && a.outcome_given) a.input.required.push_back(static_cast<response_field>(f->value));
    }
    // The event scores: those named, else every declared score field, then csat, ces (the outcome left out).
    journey_fields jf;
    jf.journey = a.journey;
    jf.touchpoint = a.touchpoint;
    jf.stage = a.stage;
    jf.owner = a.owner;
    jf.outcome = a.outcome;
    jf.stage_order = a.stage_order;
    jf.sorted = a.sorted;
    std::vector<std::string> names = a.scores;
    if (names.empty()) {
      for (std::size_t i = predefined_field_count; i < s.size(); ++i) {
        if (s[field_id(i)].kind == field_kind::score) names.push_back(s[field_id(i)].name);
      }
      names.emplace_back("csat");
      names.emplace_back("ces");
      std::erase_if(names, [&](const std::string& n) { return field_key(n) == field_key(a.outcome); });
    }
    jf.scores.clear();
    for (const auto& n : names) {
      const auto f = s.find(n);
      if (!f || s[*f].kind != field_kind::score) {
        throw failure(usage, "--score " + quote_value(n) + " is not a score field (declare it with --field " + n +
                                 ":score:MIN-MAX)");
      }
      if (a.scores.size() && f->predefined()) a.input.required.push_back(static_cast<response_field>(f->value));
      jf.scores.push_back({s[*f].name, std::nullopt});
    }
    for (const auto& spec : a.neutral) {
      const auto eq = spec.find('=');
      const auto v = eq == std::string::npos ? std::nullopt : signed_decimal(spec.substr(eq + 1));
      if (!v) throw failure(usage, "--neutral takes FIELD=VALUE (e.g. rating=7), got " + quote_value(spec));
      const std::string name = spec.substr(0, eq);
      auto it = std::find_if(jf.scores.begin(), jf.scores.end(),
                             [&](const journey_score_field& x) { return field_key(x.name) == field_key(name); });
      if (it == jf.scores.end()) throw failure(usage, "--neutral: " + quote_value(name) + " is not one of the event scores");
      try {
        (void)experience_map(s.scale_of(*s.find(name)), *v);
      } catch (const cxm::error& e) {
        throw failure(usage, "--neutral " + spec + ": " + e.reason());
      }
      it->neutral = *v;
    }
    for (const auto& st : jf.stage_order) {
      if (st.empty()) throw failure(usage, "--stage-order has an empty stage");
    }
    // --by: a category field; the journey's end event gives its group.
    if (!a.by.empty()) {
      const auto f = s.find(a.by);
      if (!f || s.type_of(*f) == column_type::text || (s.type_of(*f) != column_type::category && s.type_of(*f) != column_type::channel)) {
        throw failure(usage, "--by " + quote_value(a.by) + " is not a category field (channel, segment, agent, or one "
                                                        "declared with --field NAME:category)");
      }
      by_field_ = *f;
      if (*f == field_id(response_field::channel)) by_tag_ = 2;
      if (field_key(a.by) == field_key(a.touchpoint)) by_tag_ = 0;
      if (field_key(a.by) == field_key(a.owner)) by_tag_ = 1;
      if (field_key(a.by) == field_key(a.stage)) by_tag_ = 3;
      if (f->predefined() && by_tag_ < 0) a.input.required.push_back(static_cast<response_field>(f->value));
    }
    jf_ = jf;
    reader_ = std::make_unique<journey_reader>(jf);
    memory_ = memory_model_state(1);
    impact_ = touchpoint_impact(6);
    overall_ = journey_summary(weights_);
  }

  void run() {
    std::unique_ptr<output_file> per_journey;
    check_no_clobber(a_.input, {named_path{"--per-journey", a_.per_journey}});
    if (!a_.per_journey.empty()) {
      per_journey = std::make_unique<output_file>(a_.per_journey);
      per_journey->stream() << "journey,events,peak,worst,best,end,mean,remembered,outcome\n";
    }
    journey_reader& r = *reader_;
    r.on_reject([this](const ingest_reject& x) { journey_rejects_.push_back(x); });
    r.on_event([this, &r](const journey_event_row& e) {
      impact_.add_event(e.event.tag, e.event.x);
      map_.add(e, r.stages());
      if (by_field_ && by_tag_ < 0) {
        const auto& b = *e.batch;
        const std::uint32_t v = b.schema().type_of(*by_field_) == column_type::channel
                                    ? b.channel()[e.row]
                                    : b.categories(*by_field_)[e.row];
        auto& end = by_end_[std::string(e.journey)];
        if (!end.set || e.event.time > end.time || (e.event.time == end.time && e.event.order > end.order)) {
          end = {true, e.event.time, e.event.order, b.label(*by_field_, v)};
        }
      }
    });
    std::string line;
    const auto finished = [&](std::string_view id, const peak_end_state& s) {
      overall_.add(s);
      if (by_field_) group_of(id, s).add(s);
      memory_.add(s, hash_text(id));
      impact_.add_journey(s);
      if (per_journey) {
        line.clear();
        const bool quote = id.find_first_of(",\"\r\n") != std::string_view::npos;
        if (quote) {
          line += '"';
          for (const char c : id) line += c == '"' ? std::string("\"\"") : std::string(1, c);
          line += '"';
        } else {
          line += id;
        }
        const auto v = s.result();
        line += ',' + std::to_string(v.events);
        for (const double x : {v.intense, v.worst, v.best, v.end, v.mean, remembered(s, weights_)}) line += ',' + number_text(x);
        line += ',';
        if (s.has_outcome()) line += std::to_string(s.outcome());
        line += '\n';
        per_journey->stream() << line;
      }
    };
    r.on_journey(finished);
    r.begin_input(a_.input.file == "-" ? "stdin" : a_.input.file);
    const auto report = read_input(a_.input, ctx_, [&](const response_batch& b) { r.add(b); });
    r.close();
    if (!a_.sorted) r.for_each_journey(finished);
    if (per_journey) per_journey->commit();
    if (!a_.input.rejects.empty() && !journey_rejects_.empty()) {
      std::ofstream out(a_.input.rejects, std::ios::app | std::ios::binary);
      reject_csv_writer w(out, false);
      for (const auto& x : journey_rejects_) w(x);
      if (!out) throw failure(io_failure, a_.input.rejects + ": cannot write the journey rejects");
    }
    emit(report);
  }

 private:
  struct end_value {
    bool set = false;
    std::int64_t time = 0;
    std::uint64_t order = 0;
    std::string label;
  };

  journey_summary& group_of(std::string_view id, const peak_end_state& s) {
    std::string key;
    if (by_tag_ >= 0) {
      const auto& l = reader_->tags()[s.end_tag()];
      key = by_tag_ == 0 ? l.touchpoint : by_tag_ == 1 ? l.owner : by_tag_ == 2 ? l.channel : l.stage;
    } else {
      const auto it = by_end_.find(std::string(id));
      if (it != by_end_.end()) {
        key = it->second.label;
        by_end_.erase(it);
      }
    }
    auto it = groups_.find(key);
    if (it == groups_.end()) it = groups_.emplace(key, journey_summary(weights_)).first;
    return it->second;
  }

  void summary_row(table_writer& w, const std::string& label, const journey_summary& s) const {
    const auto r = s.result(a_.level);
    std::vector<cell> row;
    if (by_field_) row.emplace_back(label);
    row.emplace_back(r.journeys);
    push_estimate(row, r.remembered, 4);
    push_estimate(row, r.mean, 4);
    push_estimate(row, r.disagreement, 4);
    w.row(row);
  }

  void emit(const ingest_report& report) {
    table_writer w(ctx_);
    // journeys
    std::vector<std::string> cols;
    if (by_field_) cols.push_back(a_.by);
    cols.emplace_back("journeys");
    add_estimate_columns(cols, "remembered");
    add_estimate_columns(cols, "mean");
    add_estimate_columns(cols, "disagree");
    w.begin("journeys", "Journeys: remembered score (" + weights_text() + ") and plain mean, experience scale -1..1",
            cols);
    if (by_field_) {
      for (const auto& [label, s] : groups_) summary_row(w, label.empty() ? "(none)" : label, s);
      summary_row(w, "(all)", overall_);
    } else {
      summary_row(w, "", overall_);
    }
    w.end({"remembered: " + weights_text() + "; mean: the average of a journey's events; t intervals",
           "disagree: share of journeys whose remembered score and mean differ in sign (Wilson interval)"});
    // distribution
    const auto all = overall_.result(a_.level);
    w.begin("distribution", "Remembered scores", {"from", "to", "journeys"});
    for (std::size_t b = 0; b < all.histogram.size(); ++b) {
      const double lo = -1.0 + 0.1 * static_cast<double>(b);
      w.row(std::vector<cell>{cell::real(lo, 1), cell::real(lo + 0.1, 1), cell(all.histogram[b])});
    }
    w.end(all.below + all.above == 0 ? std::vector<std::string>{}
                                     : std::vector<std::string>{std::to_string(all.below) + " below -1, " +
                                                                std::to_string(all.above) + " above 1"});
    // memory models
    memory_model_options mo;
    mo.weights = weights_;
    mo.level = a_.level;
    const auto models = compare_memory_models(memory_, mo);
    w.begin("memory_models",
            "Memory models of the outcome (" + (jf_.outcome.empty() ? std::string("none") : jf_.outcome) + "), " +
                std::to_string(models.n) + " journeys with an outcome",
            {"model", "fitted", "r2", "rmse", "cv_rmse", "terms", "note"});
    for (const auto& m : models.models) {
      std::string terms;
      for (const auto& t : m.terms) {
        if (!terms.empty()) terms += "; ";
        terms += t.name + " " + (t.coef.has_value() ? number_short(t.coef.value()) : std::string("-"));
        if (t.coef.ci()) terms += " [" + number_short(t.coef.ci()->lower) + ", " + number_short(t.coef.ci()->upper) + "]";
      }
      w.row(std::vector<cell>{cell(m.name), cell(m.fitted), m.fitted ? cell::real(m.r2, 4) : cell{},
                              m.fitted ? cell::real(m.rmse, 4) : cell{},
                              m.fitted && m.cross_validated ? cell::real(m.cv_rmse, 4) : cell{}, cell(terms), cell(m.note)});
    }
    std::vector<std::string> notes{"cv_rmse: 10-fold cross-validated RMSE (folds by journey id); lower explains better "
                                   "out of sample"};
    if (!models.best.empty()) notes.push_back("best out of sample: " + models.best);
    w.end(notes);
    // map
    map_.order_stages(reader_->stages());
    std::vector<std::string> mc{"channel", "stage", "cell", "events"};
    add_estimate_columns(mc, "experience");
    for (const char* m : {"nps", "csat", "ces", "resolution"}) {
      mc.push_back(std::string(m) + "_n");
      add_estimate_columns(mc, m);
    }
    w.begin("journey_map", "Journey map: channel x stage (events; experience -1..1, NPS points, CSAT share, CES mean, "
                           "resolution rate)",
            mc);
    std::size_t empty = 0;
    for (const auto& ch : map_.channels()) {
      for (const auto& st : map_.stages()) {
        std::vector<cell> row{cell(ch), cell(st.empty() ? std::string("(none)") : st)};
        const journey_cell* c = map_.cell(ch, st);
        if (!c) {
          ++empty;
          row.emplace_back("empty");
          row.resize(mc.size());
          w.row(row);
          continue;
        }
        row.emplace_back("ok");
        row.emplace_back(c->experience.n);
        push_estimate(row, c->experience.result(a_.level), 3);
        const auto& m = c->metrics;
        nps_options no;
        no.level = a_.level;
        const auto& nps_c = m.get<0>().counts();
        row.emplace_back(nps_c.count());
        push_estimate(row, compute_nps(nps_c, no).nps, 1);
        stats::proportion_options po;
        po.level = a_.level;
        const auto& csat_c = m.get<1>().counts();
        row.emplace_back(csat_c.count());
        push_estimate(row, stats::proportion(csat_c.high().n, csat_c.count(), po), 4);
        const auto& ces_c = m.get<2>().counts();
        row.emplace_back(ces_c.count());
        push_estimate(row, stats::mean_t(ces_c, a_.level), 3);
        const auto& res_c = m.get<3>().counts();
        row.emplace_back(res_c.count());
        push_estimate(row, stats::proportion(res_c.high().n, res_c.count(), po), 4);
        w.row(row);
      }
    }
    w.end({"a cell without events is 'empty', its values null (never 0); NPS, CSAT, CES and resolution count the "
           "cell's event rows that answer them",
           std::to_string(empty) + " empty cells"});
    // touchpoints and owners
    impact_table(w, "touchpoints", "Touchpoints", 0);
    impact_table(w, "owners", "Owner classes", 1);
    // journey_read and ingest
    const auto& js = reader_->summary();
    w.begin("journey_read", "Journey rows", {"item", "count"});
    w.row(std::vector<cell>{cell("rows"), cell(js.rows)});
    w.row(std::vector<cell>{cell("events"), cell(js.events)});
    w.row(std::vector<cell>{cell("rows without an event score"), cell(js.unscored)});
    w.row(std::vector<cell>{cell("rejected"), cell(js.rejected)});
    for (const auto& [reason, n] : js.rejected_by_reason) w.row(std::vector<cell>{cell("rejected: " + reason), cell(n)});
    w.row(std::vector<cell>{cell("journeys"), cell(js.journeys)});
    w.row(std::vector<cell>{cell("journeys without events"), cell(js.without_events)});
    std::vector<std::string> jnotes;
    for (std::size_t i = 0; i < journey_rejects_.size() && i < 5; ++i) jnotes.push_back(journey_rejects_[i].message());
    if (journey_rejects_.size() > 5) jnotes.push_back("... (--rejects FILE lists them all)");
    w.end(jnotes);
    w.write(ingest_table(report));
    nlohmann::json extra = nlohmann::json::object();
    extra["file"] = a_.input.file;
    extra["level"] = a_.level;
    extra["weights"] = {{"peak", weights_.intense}, {"trough", weights_.trough}, {"best", weights_.best},
                        {"end", weights_.end},      {"mean", weights_.mean}};
    extra["by"] = a_.by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a_.by);
    extra["sorted"] = a_.sorted;
    extra["stages"] = reader_->stages();
    w.finish(extra);
  }

  void impact_table(table_writer& w, const std::string& name, const std::string& title, int part) {
    // Tags regrouped onto touchpoints (part 0) or owners (part 1).
    std::vector<std::string> labels;
    std::vector<std::uint32_t> group;
    for (const auto& l : reader_->tags().labels()) {
      const std::string& key = part == 0 ? l.touchpoint : l.owner;
      auto it = std::find(labels.begin(), labels.end(), key);
      if (it == labels.end()) it = labels.insert(labels.end(), key);
      group.push_back(static_cast<std::uint32_t>(it - labels.begin()));
    }
    auto rows = impact_.regroup(group).result(a_.level);
    std::erase_if(rows, [](const touchpoint_row& r) { return r.events == 0 && r.peak.journeys == 0 && r.end.journeys == 0; });
    std::stable_sort(rows.begin(), rows.end(), [&](const touchpoint_row& x, const touchpoint_row& y) {
      if (x.peak.detractors != y.peak.detractors) return x.peak.detractors > y.peak.detractors;
      return labels.at(x.tag) < labels.at(y.tag);
    });
    std::vector<std::string> cols{part == 0 ? "touchpoint" : "owner", "events"};
    add_estimate_columns(cols, "score");
    for (const char* side : {"peak", "end"}) {
      const std::string s(side);
      cols.push_back(s + "_detractors");
      cols.push_back(s + "_journeys");
      add_estimate_columns(cols, s + "_share");
      cols.push_back(s + "_base");
      add_estimate_columns(cols, s + "_lift");
    }
    add_estimate_columns(cols, "outcome_when_peak");
    w.begin(name, title + ": where detractors' journeys hit their negative peak and where they end", cols);
    for (const auto& r : rows) {
      std::vector<cell> row{cell(labels.at(r.tag).empty() ? std::string("(none)") : labels.at(r.tag)), cell(r.events)};
      push_estimate(row, r.score, 3);
      for (const touchpoint_side* s : {&r.peak, &r.end}) {
        row.emplace_back(s->detractors);
        row.emplace_back(s->journeys);
        push_estimate(row, s->share, 4);
        row.push_back(cell::real(s->base, 4));
        push_estimate(row, s->lift, 3);
      }
      push_estimate(row, r.outcome_when_peak, 2);
      w.row(row);
    }
    w.end({"peak: the journey's worst moment, when below 0; detractors: outcome <= 6; share: of detractor journeys "
           "(Wilson); base: of all journeys with an outcome; lift = share / base (delta-method interval on the log "
           "scale)",
           "score: mean experience of the events there; outcome_when_peak: mean outcome of the journeys whose "
           "negative peak is there"});
  }

  std::string weights_text() const {
    std::string t;
    const std::pair<const char*, double> parts[] = {{"peak", weights_.intense},
                                                    {"trough", weights_.trough},
                                                    {"best", weights_.best},
                                                    {"end", weights_.end},
                                                    {"mean", weights_.mean}};
    for (const auto& [n, v] : parts) {
      if (v == 0.0) continue;
      t += (t.empty() ? "" : ", ") + std::string(n) + "=" + number_text(v);
    }
    return t;
  }

  static std::string number_short(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
  }

  journeys_args& a_;
  const context& ctx_;
  memory_weights weights_;
  table_scales scales_;
  journey_fields jf_;
  std::unique_ptr<journey_reader> reader_;
  journey_summary overall_;
  std::map<std::string, journey_summary> groups_;
  std::optional<field_id> by_field_;
  int by_tag_ = -1;  // the by field is the end tag's touchpoint 0, owner 1, channel 2, stage 3
  std::unordered_map<std::string, end_value> by_end_;
  memory_model_state memory_;
  touchpoint_impact impact_;
  journey_map map_;
  std::vector<ingest_reject> journey_rejects_;
};

}  // namespace

void register_journeys(CLI::App& app, context& ctx) {
  auto args = std::make_shared<journeys_args>();
  auto* sub = app.add_subcommand("journeys", "Customer journeys: peak-end memory, the channel x stage map and "
                                             "touchpoint impact");
  add_input_flags(*sub, args->input);
  sub->add_option("--journey", args->journey, "Category column of the journey id")->default_val("journey");
  sub->add_option("--touchpoint", args->touchpoint, "Category column of the touchpoint ('' for none)")
      ->default_val("touchpoint");
  sub->add_option("--stage", args->stage, "Category column of the stage ('' for none)")->default_val("stage");
  sub->add_option("--owner", args->owner, "Category column of the touchpoint owner ('' for none)")->default_val("owner");
  sub->add_option("--score", args->scores,
                  "Score fields of an event, the first answered counts (default: the declared score fields, then "
                  "csat, ces)")
      ->delimiter(',');
  auto* outcome = sub->add_option("--outcome", args->outcome, "Score field of the journey's outcome ('' for none)")
                      ->default_val("nps");
  sub->add_option("--neutral", args->neutral, "FIELD=VALUE: the neutral point of a score's experience scale (repeatable)");
  sub->add_option("--stage-order", args->stage_order, "The stages in order (a,b,c); rows of other stages are rejected")
      ->delimiter(',');
  sub->add_option("--weights", args->weights,
                  "Remembered-score weights NAME=W,... (peak, trough, best, end, mean; default peak=0.5,end=0.5)");
  sub->add_option("--by", args->by, "Group journeys by this category field's value at their end event");
  sub->add_flag("--sorted", args->sorted, "The input is sorted by journey: hold one journey at a time");
  sub->add_option("--per-journey", args->per_journey,
                  "Write journey,events,peak,worst,best,end,mean,remembered,outcome to this CSV file");
  sub->add_option("--level", args->level, "Confidence level, 0 < level < 1")->default_val(0.95)->transform(level_arg());
  add_common_flags(*sub, ctx);
  sub->callback([args, outcome, &ctx] {
    args->outcome_given = outcome->count() > 0;
    journeys_run run(*args, ctx);
    run.run();
  });
}

}  // namespace cxm::cli
