// Journeys out of response rows: see cxmetrics/journey/journeys.hpp.
#include "cxmetrics/journey/journeys.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "cxmetrics/stats/distributions.hpp"

namespace cxm::inline v0_1 {

// ---- journey_tags ---------------------------------------------------------------

std::uint32_t journey_tags::id_of(const touchpoint_label& l) {
  // A key no label can forge: each part's length, then the parts.
  std::string key;
  for (const std::string* p : {&l.touchpoint, &l.owner, &l.channel, &l.stage}) {
    key += std::to_string(p->size());
    key += ':';
    key += *p;
  }
  const auto [it, added] = index_.try_emplace(std::move(key), static_cast<std::uint32_t>(labels_.size()));
  if (added) {
    if (labels_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      index_.erase(it);
      throw limit_exceeded("more than 2^32 - 1 touchpoint combinations");
    }
    labels_.push_back(l);
  }
  return it->second;
}

// ---- journey_set ----------------------------------------------------------------

std::size_t journey_set::slot_of(std::string_view id) {
  const auto [it, added] = index_.try_emplace(std::string(id), states_.size());
  if (added) {
    ids_.emplace_back(id);
    states_.emplace_back();
  }
  return it->second;
}

std::optional<std::size_t> journey_set::find(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void journey_set::merge(const journey_set& o, const std::vector<std::uint32_t>& tag_of) {
  for (std::size_t j = 0; j < o.size(); ++j) {
    peak_end_state s = o.states_[j];
    if (!tag_of.empty() && !s.empty()) {
      auto p = s.to_parts();
      p.worst_tag = tag_of.at(p.worst_tag);
      p.end_tag = tag_of.at(p.end_tag);
      s = peak_end_state::from_parts(p);
    }
    states_[slot_of(o.ids_[j])].merge(s);
  }
}

// ---- experience_mean --------------------------------------------------------------

estimate experience_mean::result(double level) const {
  if (!(level > 0.0 && level < 1.0)) throw invalid_argument("level must lie strictly between 0 and 1");
  if (n == 0) return estimate::no_data();
  const auto nd = static_cast<double>(n);
  if (n == 1) return estimate::insufficient(mean, n, nd, "a t interval needs at least 2 events");
  const double se = std::sqrt(m2 / (nd - 1.0) / nd);
  const double t = stats::t_for_level(level, nd - 1.0);
  return estimate(mean, se, interval{std::max(-1.0, mean - t * se), std::min(1.0, mean + t * se), level, interval_method::t},
                  n, nd);
}

// ---- journey_reader ----------------------------------------------------------------

namespace detail {

constexpr int stage_unseen = -2;  // the stage id's place not looked up yet
constexpr int stage_unknown = -1; // not in the declared order

// The columns of a row source (a batch or a table), read alike.
struct row_source {
  const response_batch* batch = nullptr;
  const response_table* table = nullptr;

  [[nodiscard]] const schema& fields() const { return batch ? batch->schema() : table->schema(); }
  [[nodiscard]] std::size_t size() const { return batch ? batch->size() : table->size(); }
  [[nodiscard]] std::span<const std::uint32_t> categories(field_id f) const {
    return batch ? batch->categories(f) : table->categories(f);
  }
  [[nodiscard]] std::span<const std::uint8_t> scores(field_id f) const { return batch ? batch->scores(f) : table->scores(f); }
  [[nodiscard]] std::span<const std::int64_t> time() const { return batch ? batch->time() : table->time(); }
  [[nodiscard]] std::span<const std::uint16_t> channel() const { return batch ? batch->channel() : table->channel(); }
  [[nodiscard]] const std::string& label(field_id f, std::uint32_t v) const {
    return batch ? batch->label(f, v) : table->label(f, v);
  }
  [[nodiscard]] std::uint64_t line(std::size_t i) const { return batch ? batch->line()[i] : i + 1; }
};

}  // namespace detail

using detail::row_source;
using detail::stage_unknown;
using detail::stage_unseen;

struct journey_reader::impl {
  // The fields as found in the current input's schema.
  const schema* resolved_for = nullptr;
  field_id journey;
  std::optional<field_id> touchpoint, stage, owner, outcome;
  std::vector<std::pair<field_id, experience_map>> scores;

  // Per input: dictionary id → journey slot (any order), → stage place, tag cache.
  std::string file;
  std::vector<std::int64_t> slot_of_id;
  std::vector<int> stage_of_id;
  struct key_hash {
    std::size_t operator()(const std::array<std::uint32_t, 4>& k) const noexcept {
      std::uint64_t h = 1469598103934665603ULL;
      for (auto v : k) h = (h ^ v) * 1099511628211ULL;
      return static_cast<std::size_t>(h ^ (h >> 29));
    }
  };
  std::unordered_map<std::array<std::uint32_t, 4>, std::uint32_t, key_hash> tag_of;

  // Sorted mode: the current journey, and which journeys of this input ended.
  std::uint32_t current = 0;  // dictionary id, 0: none
  std::string current_id;
  peak_end_state current_state;
  std::vector<bool> ended;

  std::uint64_t order = 0;  // global row index

  // Finds the fields in `s` (once per schema).
  void resolve(journey_reader& r, const schema& s);
  // Adds the rows of `src`.
  void rows(journey_reader& r, const row_source& src);
};

journey_reader::journey_reader(journey_fields fields) : fields_(std::move(fields)), impl_(std::make_unique<impl>()) {
  if (field_key(fields_.journey).empty()) throw invalid_argument("the journey field needs a name");
  for (std::size_t i = 0; i < fields_.stage_order.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if (fields_.stage_order[k] == fields_.stage_order[i]) {
        throw invalid_argument("stage '" + fields_.stage_order[i] + "' is listed twice in the stage order");
      }
    }
  }
  stages_ = fields_.stage_order;
}

journey_reader::~journey_reader() = default;

ingest_options journey_reader::ingest_options_for(ingest_options base) const {
  schema_builder b(base.schema);
  for (const std::string* name : {&fields_.journey, &fields_.touchpoint, &fields_.stage, &fields_.owner}) {
    if (field_key(*name).empty()) continue;
    if (const auto f = base.schema.find(*name)) {
      if (base.schema[*f].kind != field_kind::category && *f != field_id(response_field::channel)) {
        throw invalid_argument("journey field '" + *name + "' is a " + std::string(to_string(base.schema[*f].kind)) +
                                   "; it must be a category",
                               at_field(*name));
      }
      continue;
    }
    b.category(*name);
  }
  base.schema = std::move(b).build();
  return base;
}

void journey_reader::begin_input(std::string file) {
  close();
  impl_->file = std::move(file);
  impl_->resolved_for = nullptr;
  impl_->slot_of_id.clear();
  impl_->stage_of_id.clear();
  impl_->tag_of.clear();
  impl_->ended.clear();
}

namespace {

std::optional<field_id> find_category(const schema& s, const std::string& name, bool required) {
  if (field_key(name).empty()) return std::nullopt;
  const auto f = s.find(name);
  if (!f) {
    if (!required) return std::nullopt;
    throw invalid_argument("the input has no field '" + name + "' (declare it as a category field)", at_field(name));
  }
  if (s.type_of(*f) != column_type::category) {
    throw invalid_argument("journey field '" + name + "' is a " + std::string(to_string(s[*f].kind)) +
                               ", not a category",
                           at_field(name));
  }
  return f;
}

field_id find_score(const schema& s, const std::string& name, const char* what) {
  const auto f = s.find(name);
  if (!f) throw invalid_argument(std::string("the input has no ") + what + " field '" + name + "'", at_field(name));
  if (s[*f].kind != field_kind::score) {
    throw invalid_argument(std::string(what) + " field '" + name + "' is a " + std::string(to_string(s[*f].kind)) +
                               ", not a score",
                           at_field(name));
  }
  return *f;
}

}  // namespace

void journey_reader::add(const response_table& t, std::string name) {
  begin_input(std::move(name));
  impl_->rows(*this, row_source{nullptr, &t});
  close();
}

void journey_reader::add(const response_batch& b) { impl_->rows(*this, row_source{&b, nullptr}); }

ingest_report journey_reader::read(const std::filesystem::path& file, const ingest_options& options,
                                   const std::function<void(const ingest_reject&)>& ingest_rejects) {
  begin_input(file.string());
  ingest_sink sink;
  sink.on_batch = [this](const response_batch& b) { add(b); };
  if (ingest_rejects) sink.on_reject = ingest_rejects;
  auto report = stream_responses(file, options, sink);
  close();
  return report;
}

void journey_reader::close() {
  impl& m = *impl_;
  if (fields_.sorted) {
    if (m.current != 0) {
      if (m.current_state.empty()) {
        ++summary_.without_events;
      } else {
        ++summary_.journeys;
        if (sink_) sink_(m.current_id, m.current_state);
      }
      if (m.current < m.ended.size()) m.ended[m.current] = true;
      m.current = 0;
      m.current_id.clear();
      m.current_state = peak_end_state{};
    }
    return;
  }
  std::uint64_t with = 0;
  for (std::size_t j = 0; j < journeys_.size(); ++j) with += journeys_[j].empty() ? 0 : 1;
  summary_.journeys = with;
  summary_.without_events = journeys_.size() - with;
}

void journey_reader::for_each_journey(const journey_sink& f) const {
  for (std::size_t j = 0; j < journeys_.size(); ++j) {
    if (!journeys_[j].empty()) f(journeys_.id(j), journeys_[j]);
  }
}

std::size_t journey_reader::held_journeys() const noexcept {
  if (fields_.sorted) return impl_->current != 0 ? 1 : 0;
  return journeys_.size();
}

void journey_reader::impl::resolve(journey_reader& r, const schema& s) {
  if (resolved_for == &s) return;
  const journey_fields& f = r.fields_;
  journey = *find_category(s, f.journey, true);
  touchpoint = find_category(s, f.touchpoint, false);
  stage = find_category(s, f.stage, false);
  owner = find_category(s, f.owner, false);
  outcome.reset();
  if (!field_key(f.outcome).empty()) outcome = find_score(s, f.outcome, "outcome");
  scores.clear();
  if (f.scores.empty()) throw invalid_argument("journey events need at least one score field");
  for (const auto& sf : f.scores) {
    const field_id id = find_score(s, sf.name, "score");
    const scale& sc = s.scale_of(id);
    scores.emplace_back(id, sf.neutral ? experience_map(sc, *sf.neutral) : experience_map(sc));
  }
  resolved_for = &s;
}

void journey_reader::impl::rows(journey_reader& r, const row_source& src) {
  const std::size_t n = src.size();
  if (n == 0) return;
  resolve(r, src.fields());
  if (r.fields_.sorted && !r.sink_) throw invalid_argument("a sorted journey read needs a journey sink (on_journey)");
  const auto ids = src.categories(journey);
  const auto times = src.time();
  const auto channels = src.channel();
  const std::span<const std::uint32_t> none;
  const auto tps = touchpoint ? src.categories(*touchpoint) : none;
  const auto sts = stage ? src.categories(*stage) : none;
  const auto ows = owner ? src.categories(*owner) : none;
  const auto outs = outcome ? src.scores(*outcome) : std::span<const std::uint8_t>{};
  std::vector<std::span<const std::uint8_t>> score_cols;
  for (const auto& [id, map] : scores) score_cols.push_back(src.scores(id));
  const std::string& journey_name = src.fields()[journey].name;

  const auto reject = [&](std::size_t i, const std::string& reason_key, const std::string& field, std::string value,
                          std::string reason) {
    ++r.summary_.rejected;
    ++r.summary_.rejected_by_reason[reason_key];
    if (!r.on_reject_) return;
    ingest_reject rj;
    rj.file = file;
    rj.line = src.line(i);
    rj.field = field;
    rj.value = std::move(value);
    rj.reason = std::move(reason);
    rj.error_id = invalid_value::code;
    rj.cause = reject_cause::invalid_value;
    r.on_reject_(rj);
  };

  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t row_order = order++;
    ++r.summary_.rows;
    const std::uint32_t jid = ids[i];
    if (jid == 0) {
      reject(i, "no_journey_id", journey_name, "", "the row has no journey id");
      continue;
    }
    int stage_place = -1;
    if (stage && sts[i] != 0) {
      const std::uint32_t sid = sts[i];
      if (sid >= stage_of_id.size()) stage_of_id.resize(sid + 1, stage_unseen);
      if (stage_of_id[sid] == stage_unseen) {
        const std::string& label = src.label(*stage, sid);
        const auto it = std::find(r.stages_.begin(), r.stages_.end(), label);
        if (it != r.stages_.end()) {
          stage_of_id[sid] = static_cast<int>(it - r.stages_.begin());
        } else if (r.fields_.stage_order.empty()) {
          stage_of_id[sid] = static_cast<int>(r.stages_.size());
          r.stages_.push_back(label);
        } else {
          stage_of_id[sid] = stage_unknown;
        }
      }
      stage_place = stage_of_id[sid];
      if (stage_place == stage_unknown) {
        std::string order_text;
        for (const auto& st : r.fields_.stage_order) order_text += (order_text.empty() ? "" : ", ") + st;
        reject(i, "unknown_stage", src.fields()[*stage].name, src.label(*stage, sid),
               "stage '" + src.label(*stage, sid) + "' is not in the stage order (" + order_text + ")");
        continue;
      }
    }
    // The journey's state.
    peak_end_state* state = nullptr;
    if (r.fields_.sorted) {
      if (jid != current) {
        r.close();
        if (jid < ended.size() && ended[jid]) {
          throw invalid_value("the input is not sorted by journey: journey '" + src.label(journey, jid) +
                                  "' appears again after other journeys",
                              in_file(file, src.line(i), std::nullopt, journey_name));
        }
        if (jid >= ended.size()) ended.resize(std::max<std::size_t>(jid + 1, ended.size() * 2), false);
        current = jid;
        current_id = src.label(journey, jid);
      }
      state = &current_state;
    } else {
      if (jid >= slot_of_id.size()) slot_of_id.resize(std::max<std::size_t>(jid + 1, slot_of_id.size() * 2), -1);
      if (slot_of_id[jid] < 0) slot_of_id[jid] = static_cast<std::int64_t>(r.journeys_.slot_of(src.label(journey, jid)));
      state = &r.journeys_[static_cast<std::size_t>(slot_of_id[jid])];
    }
    // The outcome: a different one than the journey's rejects the row.
    int out = -1;
    if (outcome && outs[i] != response_table::missing_score) {
      out = outs[i];
      if (state->has_outcome() && state->outcome() != out) {
        reject(i, "outcome_conflict", src.fields()[*outcome].name, std::to_string(out),
               "outcome " + std::to_string(out) + " differs from the journey's earlier outcome " +
                   std::to_string(state->outcome()));
        continue;
      }
    }
    // The event score: the first score field answered.
    std::size_t k = 0;
    while (k < score_cols.size() && score_cols[k][i] == response_table::missing_score) ++k;
    if (k < score_cols.size()) {
      const std::array<std::uint32_t, 4> key{tps.empty() ? 0U : tps[i], ows.empty() ? 0U : ows[i], channels[i],
                                             sts.empty() ? 0U : sts[i]};
      auto t = tag_of.find(key);
      if (t == tag_of.end()) {
        touchpoint_label l;
        if (touchpoint) l.touchpoint = src.label(*touchpoint, key[0]);
        if (owner) l.owner = src.label(*owner, key[1]);
        l.channel = src.label(field_id(response_field::channel), key[2]);
        if (stage) l.stage = src.label(*stage, key[3]);
        t = tag_of.emplace(key, r.tags_.id_of(l)).first;
      }
      journey_event e;
      e.x = scores[k].second.at(score_cols[k][i]);
      e.time = times[i];
      e.order = row_order;
      e.tag = t->second;
      state->add(e);
      ++r.summary_.events;
      if (r.on_event_) {
        journey_event_row er;
        er.batch = src.batch;
        er.table = src.table;
        er.row = i;
        er.line = src.line(i);
        er.journey = src.label(journey, jid);
        er.event = e;
        er.score_field = k;
        er.stage = stage_place;
        r.on_event_(er);
      }
    } else {
      ++r.summary_.unscored;
    }
    if (out >= 0) state->set_outcome(out);
  }
}

// ---- journey_map --------------------------------------------------------------------

journey_map::journey_map(table_scales scales) : scales_(std::move(scales)) {}

void journey_map::add(const journey_event_row& e, const std::vector<std::string>& stages) {
  const auto pick = [&](auto&& f) { return e.batch ? f(*e.batch) : f(*e.table); };
  const std::string channel = pick([&](const auto& s) { return s.channel_labels().name(channel_id{s.channel()[e.row]}); });
  const std::string stage = e.stage >= 0 ? stages.at(static_cast<std::size_t>(e.stage)) : std::string();
  auto it = cells_.find({channel, stage});
  if (it == cells_.end()) {
    journey_cell c{journey_cell_metrics(score_histogram(scales_.nps), score_histogram(scales_.csat),
                                        score_histogram(scales_.ces), resolution_accumulator{}),
                   {}};
    it = cells_.emplace(std::make_pair(channel, stage), std::move(c)).first;
    if (std::find(channels_.begin(), channels_.end(), channel) == channels_.end()) channels_.push_back(channel);
    if (std::find(stages_.begin(), stages_.end(), stage) == stages_.end()) stages_.push_back(stage);
  }
  response r;
  pick([&](const auto& s) {
    const auto score = [](std::uint8_t v) -> std::optional<int> {
      if (v == response_table::missing_score) return std::nullopt;
      return v;
    };
    r.nps = score(s.nps()[e.row]);
    r.csat = score(s.csat()[e.row]);
    r.ces = score(s.ces()[e.row]);
    r.resolved = static_cast<resolution>(s.resolved()[e.row]);
    return 0;
  });
  it->second.metrics.add(r, at_row(e.line));
  it->second.experience.add(e.event.x);
}

void journey_map::merge(const journey_map& o) {
  for (const auto& [key, c] : o.cells_) {
    auto it = cells_.find(key);
    if (it == cells_.end()) {
      cells_.emplace(key, c);
      if (std::find(channels_.begin(), channels_.end(), key.first) == channels_.end()) channels_.push_back(key.first);
      if (std::find(stages_.begin(), stages_.end(), key.second) == stages_.end()) stages_.push_back(key.second);
    } else {
      it->second.metrics.merge(c.metrics);
      it->second.experience.merge(c.experience);
    }
  }
}

const journey_cell* journey_map::cell(const std::string& channel, const std::string& stage) const {
  const auto it = cells_.find({channel, stage});
  return it == cells_.end() ? nullptr : &it->second;
}

void journey_map::order_stages(const std::vector<std::string>& order) {
  std::vector<std::string> s;
  for (const auto& o : order) {
    if (std::find(stages_.begin(), stages_.end(), o) != stages_.end()) s.push_back(o);
  }
  for (const auto& o : stages_) {
    if (std::find(s.begin(), s.end(), o) == s.end()) s.push_back(o);
  }
  stages_ = std::move(s);
}

}  // namespace cxm
