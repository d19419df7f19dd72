// JSON form of the core types, through nlohmann/json's ADL hooks
// (to_json / from_json in namespace cxm), so `nlohmann::json j = x;` and
// `j.get<T>()` work for every type below.
//
//   type            JSON
//   ------------    ---------------------------------------------------------------
//   scale           {"kind":"nps","min":0,"max":10,"high_min":9,"low_max":6}
//   score_counts    {"scale":{...},"counts":[...]} plus "sum_w" and "sum_w2" (one
//                   entry per point) when weighted
//   interval        {"lower":..,"upper":..,"level":0.95,"method":"wilson"}
//   estimate        {"value":..,"se":..,"interval":{...}|null,"n":..,"effective_n":..,
//                    "status":"ok"|"no_data"|"insufficient","note":".."}
//                   value, se and effective_n are null when NaN
//   location        only the known parts: "file","line","column","row","field"
//   response        {"id","nps","csat","ces","time","channel","segment","agent",
//                    "weight","resolved","why"}; missing scores and time are null;
//                   time is ISO 8601 UTC ("2024-03-05T14:07:09Z"); channel is the
//                   numeric channel_id (labels belong to a channel_set); when
//                   reading, a built-in label ("chat") is accepted too
//   resolution      "yes" | "no" | "unknown"
//   nps_options     {"level":0.95,"method":"adjusted_wald","prior":0.5,
//                    "bootstrap_replicates":2000,"seed":24301}
//   csat_options    {"level":0.95,"top_box":2,"share_method":"wilson"}
//   ces_options     {"level":0.95,"easy_min":5,"share_method":"wilson"}
//   resolution_options {"level":0.95,"method":"wilson"}
//   nps_accumulator, csat_accumulator, ces_accumulator
//                   {"options":{...},"counts":{score_counts}}; the counts must lie
//                   on the scale the options imply (scale::nps(),
//                   scale::csat(top_box), scale::ces(easy_min))
//   resolution_accumulator {"options":{...},"counts":{score_counts on the binary
//                   scale},"unknown":N}
//   bin_totals      {"n":..,"sum_w":..,"sum_w2":..}
//   engine::nps_tally {"detractors":..,"passives":..,"promoters":..}
//   engine::weighted_nps_tally {"detractors":{bin_totals},"passives":{...},
//                    "promoters":{...}}
//   engine::grouped_nps {"shape":[c0,c1,...],"cells":[{nps_tally},...]}: cells
//                   row-major (last key fastest), as many as the product of
//                   the shape; {"shape":[],"cells":[]} is the empty grouping
//   score_histogram {"counts":{score_counts}} (on any scale)
//   metric_set<A...> {"rows":N,"members":[{A0},{A1},...]}: the members in
//                   order, each in its own form; rows >= every member's count
//   group_by<Acc, Key...> {"keys":[{"kind":"dense","cardinality":4},
//                   {"kind":"string","cardinality":0}],"prototype":{Acc},
//                   "groups":[{"key":[0,"chat"],"state":{Acc}},...]}: one
//                   entry per key, kind "dense" (dense_key<N>), "dense_runtime"
//                   (dense_key<>), "uint64", "int64", "uint32", "int32" or
//                   "string"; cardinality as group_by::shape(); the prototype
//                   empty; groups by strictly ascending key, each state as
//                   insert() keeps it (as in io/binary_engine.hpp)
//   interval_method "wilson", "adjusted_wald", ... (cxm::to_string names)
//   scale_kind      "nps" | "csat" | "ces" | "binary" | "custom"
//
// parse_json<T>(text) reads JSON text. Reading is checked: text that is not
// JSON, a wrong type, a missing key, a bad length or a value outside its
// domain throws cxm::serialization_error naming the key path in
// its field (e.g. field 'estimate.interval.level'), never an nlohmann
// exception. A scale is rebuilt through its factory (scale::csat(top_box),
// ...), so only scales the factories can make are accepted; for nps, csat,
// ces and binary the bounds may be omitted (the defaults are used) but must
// match when given. Options and accumulators are checked like their
// constructors (check_nps_options, ...); every key of an options object is
// required. Counts sum to at most 2^64 − 1; weight sums are finite, >= 0 and
// 0 where the count is 0. The same states are accepted as by
// cxm::deserialize (io/binary.hpp, io/binary_engine.hpp). score_histogram,
// metric_set and group_by also reject keys they do not have (so that an
// object of another type is not taken for one) and report an error of a
// member under their own path, e.g. 'group_by.groups[2].state.options.level'.
//
// Header: cxmetrics/io/json.hpp (header-only; needs nlohmann_json, which
// cxmetrics::cxmetrics links).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/resolution.hpp"

namespace cxm {
// Declared first: the serializer below must be known before any conversion of a scale.
inline void to_json(nlohmann::json& j, const scale& s);
inline void from_json(const nlohmann::json& j, scale& s);
}  // namespace cxm

/// nlohmann needs a serializer to create a scale from JSON (j.get<cxm::scale>())
/// because a scale has no default constructor; it forwards to the functions above.
namespace nlohmann {
template <>
struct adl_serializer<cxm::scale> {
  static cxm::scale from_json(const json& j) {
    cxm::scale s = cxm::scale::nps();
    cxm::from_json(j, s);
    return s;
  }
  static void from_json(const json& j, cxm::scale& s) { cxm::from_json(j, s); }
  static void to_json(json& j, const cxm::scale& s) { cxm::to_json(j, s); }
};
}  // namespace nlohmann

namespace cxm {
namespace detail::json_io {

using json = nlohmann::json;

[[noreturn]] inline void fail(const std::string& path, const std::string& why) {
  throw serialization_error("JSON " + why, at_field(path));
}

inline std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline const char* type_of(const json& j) noexcept { return j.type_name(); }

inline void require_object(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, std::string("must be an object, got ") + type_of(j));
}

/// The member `key` of object `j`, or nullptr when absent.
inline const json* member(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

inline const json& required(const json& j, std::string_view key, const std::string& path) {
  const json* m = member(j, key);
  if (m == nullptr) fail(join(path, key), "key is missing");
  return *m;
}

inline double to_double(const json& v, const std::string& path) {
  if (!v.is_number()) fail(path, std::string("must be a number, got ") + type_of(v));
  return v.get<double>();
}

/// A number, or NaN for null.
inline double to_double_or_nan(const json& v, const std::string& path) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  return to_double(v, path);
}

inline std::uint64_t to_uint64(const json& v, const std::string& path) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    const auto x = v.get<std::int64_t>();
    if (x >= 0) return static_cast<std::uint64_t>(x);
    fail(path, "must not be negative, got " + std::to_string(x));
  }
  fail(path, std::string("must be a non-negative integer, got ") + type_of(v));
}

inline int to_int(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, std::string("must be an integer, got ") + type_of(v));
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    if (x > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) fail(path, "is too large for an int");
    return static_cast<int>(x);
  }
  const auto x = v.get<std::int64_t>();
  if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) {
    fail(path, "is out of the range of an int");
  }
  return static_cast<int>(x);
}

inline const std::string& to_str(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, std::string("must be a string, got ") + type_of(v));
  return v.get_ref<const std::string&>();
}

inline std::optional<int> to_optional_int(const json& v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  return to_int(v, path);
}

/// Runs `body`, turning any nlohmann exception into serialization_error (a
/// safety net: the checks above should catch every malformed input first).
template <class F>
void guarded(const std::string& path, F&& body) {
  try {
    body();
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("is malformed: ") + e.what());
  }
}

inline const char* kind_name(scale_kind k) noexcept {
  switch (k) {
    case scale_kind::nps: return "nps";
    case scale_kind::csat: return "csat";
    case scale_kind::ces: return "ces";
    case scale_kind::binary: return "binary";
    case scale_kind::custom: return "custom";
  }
  return "custom";
}

inline std::optional<scale_kind> kind_from(std::string_view s) noexcept {
  for (auto k : {scale_kind::nps, scale_kind::csat, scale_kind::ces, scale_kind::binary, scale_kind::custom}) {
    if (s == kind_name(k)) return k;
  }
  return std::nullopt;
}

inline std::optional<interval_method> method_from(std::string_view s) noexcept {
  for (auto m : {interval_method::wald, interval_method::adjusted_wald, interval_method::wilson,
                 interval_method::jeffreys, interval_method::clopper_pearson, interval_method::agresti_coull,
                 interval_method::t, interval_method::bayes_dirichlet, interval_method::bootstrap,
                 interval_method::newcombe}) {
    if (s == to_string(m)) return m;
  }
  return std::nullopt;
}

inline scale read_scale(const json& j, const std::string& path) {
  require_object(j, path);
  const auto& kind_text = to_str(required(j, "kind", path), join(path, "kind"));
  const auto kind = kind_from(kind_text);
  if (!kind) fail(join(path, "kind"), "'" + kind_text + "' is not nps, csat, ces, binary or custom");
  auto opt_int = [&](std::string_view key) -> std::optional<int> {
    const json* m = member(j, key);
    if (m == nullptr) return std::nullopt;
    return to_int(*m, join(path, key));
  };
  const auto min = opt_int("min");
  const auto max = opt_int("max");
  const auto high_min = opt_int("high_min");
  const auto low_max = opt_int("low_max");
  std::optional<scale> s;
  try {
    switch (*kind) {
      case scale_kind::nps: s = scale::nps(); break;
      case scale_kind::binary: s = scale::binary(); break;
      case scale_kind::csat: s = scale::csat(high_min ? 6 - *high_min : 2); break;
      case scale_kind::ces: s = scale::ces(high_min ? *high_min : 5); break;
      case scale_kind::custom:
        if (!min || !max || !high_min || !low_max) fail(path, "custom scale needs min, max, high_min and low_max");
        s = scale::custom(*min, *max, *high_min, *low_max);
        break;
    }
  } catch (const invalid_argument& e) {
    fail(path, "does not describe a valid scale: " + e.reason());
  }
  auto same = [&](const std::optional<int>& given, int actual, std::string_view key) {
    if (given && *given != actual) {
      fail(join(path, key), "is " + std::to_string(*given) + ", but the " + s->describe() + " built from the JSON has " +
                                std::to_string(actual));
    }
  };
  same(min, s->min(), "min");
  same(max, s->max(), "max");
  same(high_min, s->high_min(), "high_min");
  same(low_max, s->low_max(), "low_max");
  return *s;
}

}  // namespace detail::json_io

// --- enums ----------------------------------------------------------------

inline void to_json(nlohmann::json& j, scale_kind k) { j = detail::json_io::kind_name(k); }
inline void from_json(const nlohmann::json& j, scale_kind& k) {
  namespace d = detail::json_io;
  const auto& s = d::to_str(j, "scale_kind");
  const auto v = d::kind_from(s);
  if (!v) d::fail("scale_kind", "'" + s + "' is not nps, csat, ces, binary or custom");
  k = *v;
}

inline void to_json(nlohmann::json& j, interval_method m) { j = to_string(m); }
inline void from_json(const nlohmann::json& j, interval_method& m) {
  namespace d = detail::json_io;
  const auto& s = d::to_str(j, "interval_method");
  const auto v = d::method_from(s);
  if (!v) d::fail("interval_method", "'" + s + "' is not an interval method");
  m = *v;
}

inline void to_json(nlohmann::json& j, resolution r) { j = to_string(r); }
inline void from_json(const nlohmann::json& j, resolution& r) {
  namespace d = detail::json_io;
  const auto& s = d::to_str(j, "resolution");
  if (s == "yes") {
    r = resolution::yes;
  } else if (s == "no") {
    r = resolution::no;
  } else if (s == "unknown") {
    r = resolution::unknown;
  } else {
    d::fail("resolution", "'" + s + "' is not yes, no or unknown");
  }
}

inline void to_json(nlohmann::json& j, estimate::status s) { j = to_string(s); }
inline void from_json(const nlohmann::json& j, estimate::status& s) {
  namespace d = detail::json_io;
  const auto& t = d::to_str(j, "status");
  if (t == "ok") {
    s = estimate::status::ok;
  } else if (t == "no_data") {
    s = estimate::status::no_data;
  } else if (t == "insufficient") {
    s = estimate::status::insufficient;
  } else {
    d::fail("status", "'" + t + "' is not ok, no_data or insufficient");
  }
}

// --- scale ----------------------------------------------------------------

inline void to_json(nlohmann::json& j, const scale& s) {
  j = nlohmann::json{{"kind", detail::json_io::kind_name(s.kind())},
                     {"min", s.min()},
                     {"max", s.max()},
                     {"high_min", s.high_min()},
                     {"low_max", s.low_max()}};
}
/// Replaces `s` with the scale the JSON describes (see the header comment).
inline void from_json(const nlohmann::json& j, scale& s) {
  detail::json_io::guarded("scale", [&] { s = detail::json_io::read_scale(j, "scale"); });
}

// --- score_counts ---------------------------------------------------------

inline void to_json(nlohmann::json& j, const score_counts& c) {
  j = nlohmann::json::object();
  j["scale"] = c.scale_of();
  const auto n = c.raw_counts();
  j["counts"] = std::vector<std::uint64_t>(n.begin(), n.end());
  if (c.weighted()) {
    std::vector<double> w(c.bins());
    std::vector<double> w2(c.bins());
    for (std::size_t b = 0; b < c.bins(); ++b) {
      w[b] = c.weight(b);
      w2[b] = c.weight_sq(b);
    }
    j["sum_w"] = std::move(w);
    j["sum_w2"] = std::move(w2);
  }
}
namespace detail::json_io {
/// A score_counts object at `path` (see the header comment).
inline score_counts read_score_counts(const json& j, const std::string& path) {
  require_object(j, path);
  const scale s = read_scale(required(j, "scale", path), join(path, "scale"));
  const auto points = static_cast<std::size_t>(s.points());
  auto read_array = [&](const json& a, const std::string& p) -> const json& {
    if (!a.is_array()) fail(p, std::string("must be an array, got ") + type_of(a));
    if (a.size() != points) {
      fail(p, "has " + std::to_string(a.size()) + " entries, the " + s.describe() + " has " + std::to_string(points) +
                  " points");
    }
    return a;
  };
  const auto& counts = read_array(required(j, "counts", path), join(path, "counts"));
  std::vector<std::uint64_t> n(points);
  std::uint64_t total = 0;
  for (std::size_t b = 0; b < points; ++b) {
    const auto p = join(path, "counts[" + std::to_string(b) + "]");
    n[b] = to_uint64(counts[b], p);
    if (n[b] > std::numeric_limits<std::uint64_t>::max() - total) fail(p, "makes the counts sum past 2^64 - 1");
    total += n[b];
  }
  const auto* jw = member(j, "sum_w");
  const auto* jw2 = member(j, "sum_w2");
  std::vector<double> w;
  std::vector<double> w2;
  if ((jw == nullptr) != (jw2 == nullptr)) fail(path, "must have both sum_w and sum_w2 or neither");
  if (jw != nullptr) {
    const auto& aw = read_array(*jw, join(path, "sum_w"));
    const auto& aw2 = read_array(*jw2, join(path, "sum_w2"));
    w.resize(points);
    w2.resize(points);
    for (std::size_t b = 0; b < points; ++b) {
      const auto pw = join(path, "sum_w[" + std::to_string(b) + "]");
      const auto pw2 = join(path, "sum_w2[" + std::to_string(b) + "]");
      w[b] = to_double(aw[b], pw);
      w2[b] = to_double(aw2[b], pw2);
      if (!(w[b] >= 0.0)) fail(pw, "must be >= 0");
      if (!(w2[b] >= 0.0)) fail(pw2, "must be >= 0");
      if (n[b] == 0 && (w[b] != 0.0 || w2[b] != 0.0)) {
        fail(join(path, "counts[" + std::to_string(b) + "]"), "is 0 but the bin has weight");
      }
    }
  }
  try {
    return score_counts(s, std::move(n), std::move(w), std::move(w2));
  } catch (const error& e) {
    fail(path, "is not a valid score_counts state: " + e.reason());
  }
}
}  // namespace detail::json_io

inline void from_json(const nlohmann::json& j, score_counts& c) {
  detail::json_io::guarded("score_counts", [&] { c = detail::json_io::read_score_counts(j, "score_counts"); });
}

// --- interval and estimate ------------------------------------------------

inline void to_json(nlohmann::json& j, const interval& i) {
  j = nlohmann::json{{"lower", i.lower}, {"upper", i.upper}, {"level", i.level}, {"method", to_string(i.method)}};
}

namespace detail::json_io {
inline interval read_interval(const json& j, const std::string& path) {
  require_object(j, path);
  interval i;
  i.lower = to_double(required(j, "lower", path), join(path, "lower"));
  i.upper = to_double(required(j, "upper", path), join(path, "upper"));
  i.level = to_double(required(j, "level", path), join(path, "level"));
  const auto& m = to_str(required(j, "method", path), join(path, "method"));
  const auto method = method_from(m);
  if (!method) fail(join(path, "method"), "'" + m + "' is not an interval method");
  i.method = *method;
  if (!(i.level > 0.0 && i.level < 1.0)) fail(join(path, "level"), "must be in (0, 1), got " + std::to_string(i.level));
  if (!(i.lower <= i.upper)) fail(path, "has lower > upper");
  return i;
}
}  // namespace detail::json_io

inline void from_json(const nlohmann::json& j, interval& i) {
  detail::json_io::guarded("interval", [&] { i = detail::json_io::read_interval(j, "interval"); });
}

inline void to_json(nlohmann::json& j, const estimate& e) {
  auto num = [](double x) { return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x); };
  j = nlohmann::json::object();
  j["value"] = num(e.value());
  j["se"] = num(e.se());
  j["interval"] = e.ci() ? nlohmann::json(*e.ci()) : nlohmann::json(nullptr);
  j["n"] = e.n();
  j["effective_n"] = num(e.effective_n());
  j["status"] = to_string(e.state());
  j["note"] = e.note();
}

inline void from_json(const nlohmann::json& j, estimate& e) {
  namespace d = detail::json_io;
  const std::string path = "estimate";
  d::guarded(path, [&] {
    d::require_object(j, path);
    estimate::status st{};
    {
      const auto& t = d::to_str(d::required(j, "status", path), d::join(path, "status"));
      if (t == "ok") {
        st = estimate::status::ok;
      } else if (t == "no_data") {
        st = estimate::status::no_data;
      } else if (t == "insufficient") {
        st = estimate::status::insufficient;
      } else {
        d::fail(d::join(path, "status"), "'" + t + "' is not ok, no_data or insufficient");
      }
    }
    const auto n = d::to_uint64(d::required(j, "n", path), d::join(path, "n"));
    const auto* jv = d::member(j, "value");
    const double value = jv ? d::to_double_or_nan(*jv, d::join(path, "value")) : std::numeric_limits<double>::quiet_NaN();
    const auto* jse = d::member(j, "se");
    const double se = jse ? d::to_double_or_nan(*jse, d::join(path, "se")) : std::numeric_limits<double>::quiet_NaN();
    const auto* jn = d::member(j, "effective_n");
    const double n_eff = jn ? d::to_double_or_nan(*jn, d::join(path, "effective_n")) : static_cast<double>(n);
    const auto* jci = d::member(j, "interval");
    std::optional<interval> ci;
    if (jci != nullptr && !jci->is_null()) ci = d::read_interval(*jci, d::join(path, "interval"));
    const auto* jnote = d::member(j, "note");
    std::string note = jnote ? d::to_str(*jnote, d::join(path, "note")) : std::string();
    switch (st) {
      case estimate::status::ok:
        if (std::isnan(value)) d::fail(d::join(path, "value"), "must be a number when status is ok");
        if (!ci) d::fail(d::join(path, "interval"), "must be present when status is ok");
        e = estimate(value, se, *ci, n, n_eff);
        break;
      case estimate::status::insufficient:
        if (std::isnan(value)) d::fail(d::join(path, "value"), "must be a number when status is insufficient");
        if (ci) d::fail(d::join(path, "interval"), "must be null when status is insufficient");
        if (!std::isnan(se)) d::fail(d::join(path, "se"), "must be null when status is insufficient");
        e = estimate::insufficient(value, n, n_eff, std::move(note));
        break;
      case estimate::status::no_data:
        if (!std::isnan(value)) d::fail(d::join(path, "value"), "must be null when status is no_data");
        if (ci) d::fail(d::join(path, "interval"), "must be null when status is no_data");
        e = jnote ? estimate::no_data(n, std::move(note)) : estimate::no_data(n);
        break;
    }
  });
}

// --- location ---------------------------------------------------------------

inline void to_json(nlohmann::json& j, const location& l) {
  j = nlohmann::json::object();
  if (!l.file.empty()) j["file"] = l.file;
  if (l.line) j["line"] = *l.line;
  if (l.column) j["column"] = *l.column;
  if (l.row) j["row"] = *l.row;
  if (!l.field.empty()) j["field"] = l.field;
}

inline void from_json(const nlohmann::json& j, location& l) {
  namespace d = detail::json_io;
  const std::string path = "location";
  d::guarded(path, [&] {
    d::require_object(j, path);
    location out;
    if (const auto* m = d::member(j, "file")) out.file = d::to_str(*m, d::join(path, "file"));
    if (const auto* m = d::member(j, "line"); m && !m->is_null()) out.line = d::to_uint64(*m, d::join(path, "line"));
    if (const auto* m = d::member(j, "column"); m && !m->is_null()) {
      out.column = d::to_uint64(*m, d::join(path, "column"));
    }
    if (const auto* m = d::member(j, "row"); m && !m->is_null()) out.row = d::to_uint64(*m, d::join(path, "row"));
    if (const auto* m = d::member(j, "field")) out.field = d::to_str(*m, d::join(path, "field"));
    l = std::move(out);
  });
}

// --- response -----------------------------------------------------------------

inline void to_json(nlohmann::json& j, const response& r) {
  auto score = [](const std::optional<int>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); };
  j = nlohmann::json::object();
  j["id"] = r.id;
  j["nps"] = score(r.nps);
  j["csat"] = score(r.csat);
  j["ces"] = score(r.ces);
  j["time"] = r.time ? nlohmann::json(format_timestamp(*r.time)) : nlohmann::json(nullptr);
  j["channel"] = r.channel.value;
  j["segment"] = r.segment;
  j["agent"] = r.agent;
  j["weight"] = r.weight;
  j["resolved"] = to_string(r.resolved);
  j["why"] = r.why;
}

/// Keys that are absent keep the defaults of cxm::response.
inline void from_json(const nlohmann::json& j, response& r) {
  namespace d = detail::json_io;
  const std::string path = "response";
  d::guarded(path, [&] {
    d::require_object(j, path);
    response out;
    auto text = [&](std::string_view key, std::string& dst) {
      if (const auto* m = d::member(j, key)) dst = d::to_str(*m, d::join(path, key));
    };
    text("id", out.id);
    text("segment", out.segment);
    text("agent", out.agent);
    text("why", out.why);
    if (const auto* m = d::member(j, "nps")) out.nps = d::to_optional_int(*m, d::join(path, "nps"));
    if (const auto* m = d::member(j, "csat")) out.csat = d::to_optional_int(*m, d::join(path, "csat"));
    if (const auto* m = d::member(j, "ces")) out.ces = d::to_optional_int(*m, d::join(path, "ces"));
    if (const auto* m = d::member(j, "time"); m && !m->is_null()) {
      const auto p = d::join(path, "time");
      try {
        if (m->is_number_integer()) {
          out.time = timestamp{std::chrono::seconds{m->get<std::int64_t>()}};
        } else {
          out.time = parse_timestamp(d::to_str(*m, p));
        }
      } catch (const malformed_timestamp& e) {
        d::fail(p, "is not a timestamp: " + e.reason());
      }
    }
    if (const auto* m = d::member(j, "channel")) {
      const auto p = d::join(path, "channel");
      if (m->is_string()) {
        const auto id = channel_set{}.find(m->get_ref<const std::string&>());
        if (!id) d::fail(p, "'" + m->get<std::string>() + "' is not a built-in channel label (use the numeric id)");
        out.channel = *id;
      } else {
        const auto v = d::to_uint64(*m, p);
        if (v > 0xFFFF) d::fail(p, "channel id " + std::to_string(v) + " does not fit 16 bits");
        out.channel = channel_id{static_cast<std::uint16_t>(v)};
      }
    }
    if (const auto* m = d::member(j, "weight")) out.weight = d::to_double(*m, d::join(path, "weight"));
    if (const auto* m = d::member(j, "resolved"); m && !m->is_null()) {
      const auto p = d::join(path, "resolved");
      const auto& s = d::to_str(*m, p);
      if (s == "yes") {
        out.resolved = resolution::yes;
      } else if (s == "no") {
        out.resolved = resolution::no;
      } else if (s == "unknown") {
        out.resolved = resolution::unknown;
      } else {
        d::fail(p, "'" + s + "' is not yes, no or unknown");
      }
    }
    r = std::move(out);
  });
}

// --- metric options and accumulators -------------------------------------------

namespace detail::json_io {

inline interval_method read_method(const json& j, const std::string& path) {
  const auto& m = to_str(j, path);
  const auto method = method_from(m);
  if (!method) fail(path, "'" + m + "' is not an interval method");
  return *method;
}

inline double read_level(const json& j, const std::string& path) {
  const double level = to_double(required(j, "level", path), join(path, "level"));
  if (!(level > 0.0 && level < 1.0)) fail(join(path, "level"), "must be in (0, 1), got " + std::to_string(level));
  return level;
}

/// Runs a check_*_options function, reporting its invalid_argument at `path`.
template <class F>
void check_options(const std::string& path, F&& check) {
  try {
    check();
  } catch (const invalid_argument& e) {
    fail(path, "options are not usable: " + e.reason());
  }
}

inline nps_options read_nps_options(const json& j, const std::string& path) {
  require_object(j, path);
  nps_options o;
  o.level = read_level(j, path);
  o.method = read_method(required(j, "method", path), join(path, "method"));
  o.prior = to_double(required(j, "prior", path), join(path, "prior"));
  const auto reps = to_uint64(required(j, "bootstrap_replicates", path), join(path, "bootstrap_replicates"));
  if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t)) {
    if (reps > std::numeric_limits<std::size_t>::max()) fail(join(path, "bootstrap_replicates"), "does not fit a size_t");
  }
  o.bootstrap_replicates = static_cast<std::size_t>(reps);
  o.seed = to_uint64(required(j, "seed", path), join(path, "seed"));
  check_options(path, [&] { check_nps_options(o); });
  return o;
}

inline csat_options read_csat_options(const json& j, const std::string& path) {
  require_object(j, path);
  csat_options o;
  o.level = read_level(j, path);
  o.top_box = to_int(required(j, "top_box", path), join(path, "top_box"));
  o.share_method = read_method(required(j, "share_method", path), join(path, "share_method"));
  check_options(path, [&] { check_csat_options(o); });
  return o;
}

inline ces_options read_ces_options(const json& j, const std::string& path) {
  require_object(j, path);
  ces_options o;
  o.level = read_level(j, path);
  o.easy_min = to_int(required(j, "easy_min", path), join(path, "easy_min"));
  o.share_method = read_method(required(j, "share_method", path), join(path, "share_method"));
  check_options(path, [&] { check_ces_options(o); });
  return o;
}

inline resolution_options read_resolution_options(const json& j, const std::string& path) {
  require_object(j, path);
  resolution_options o;
  o.level = read_level(j, path);
  o.method = read_method(required(j, "method", path), join(path, "method"));
  check_options(path, [&] { check_resolution_options(o); });
  return o;
}

/// The "counts" of an accumulator object at `path`; they must lie on `expected`.
inline score_counts read_counts_on(const json& j, const std::string& path, const scale& expected) {
  const auto p = join(path, "counts");
  auto c = read_score_counts(required(j, "counts", path), p);
  if (!(c.scale_of() == expected)) {
    fail(join(p, "scale"), "is the " + c.scale_of().describe() + " (high from " +
                               std::to_string(c.scale_of().high_min()) + "), but the options need the " +
                               expected.describe() + " (high from " + std::to_string(expected.high_min()) + ")");
  }
  return c;
}

/// Builds an accumulator, reporting a constructor's error at `path`.
template <class F>
auto rebuild(const std::string& path, F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const error& e) {
    fail(path, "is not a valid state: " + e.reason());
  }
}

}  // namespace detail::json_io

inline void to_json(nlohmann::json& j, const nps_options& o) {
  j = nlohmann::json{{"level", o.level},
                     {"method", to_string(o.method)},
                     {"prior", o.prior},
                     {"bootstrap_replicates", static_cast<std::uint64_t>(o.bootstrap_replicates)},
                     {"seed", o.seed}};
}
inline void from_json(const nlohmann::json& j, nps_options& o) {
  detail::json_io::guarded("nps_options", [&] { o = detail::json_io::read_nps_options(j, "nps_options"); });
}

inline void to_json(nlohmann::json& j, const csat_options& o) {
  j = nlohmann::json{{"level", o.level}, {"top_box", o.top_box}, {"share_method", to_string(o.share_method)}};
}
inline void from_json(const nlohmann::json& j, csat_options& o) {
  detail::json_io::guarded("csat_options", [&] { o = detail::json_io::read_csat_options(j, "csat_options"); });
}

inline void to_json(nlohmann::json& j, const ces_options& o) {
  j = nlohmann::json{{"level", o.level}, {"easy_min", o.easy_min}, {"share_method", to_string(o.share_method)}};
}
inline void from_json(const nlohmann::json& j, ces_options& o) {
  detail::json_io::guarded("ces_options", [&] { o = detail::json_io::read_ces_options(j, "ces_options"); });
}

inline void to_json(nlohmann::json& j, const resolution_options& o) {
  j = nlohmann::json{{"level", o.level}, {"method", to_string(o.method)}};
}
inline void from_json(const nlohmann::json& j, resolution_options& o) {
  detail::json_io::guarded("resolution_options",
                           [&] { o = detail::json_io::read_resolution_options(j, "resolution_options"); });
}

inline void to_json(nlohmann::json& j, const nps_accumulator& a) {
  j = nlohmann::json{{"options", a.options()}, {"counts", a.counts()}};
}
inline void from_json(const nlohmann::json& j, nps_accumulator& a) {
  namespace d = detail::json_io;
  const std::string path = "nps_accumulator";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const auto o = d::read_nps_options(d::required(j, "options", path), d::join(path, "options"));
    auto c = d::read_counts_on(j, path, scale::nps());
    a = d::rebuild(path, [&] { return nps_accumulator(o, std::move(c)); });
  });
}

inline void to_json(nlohmann::json& j, const csat_accumulator& a) {
  j = nlohmann::json{{"options", a.options()}, {"counts", a.counts()}};
}
inline void from_json(const nlohmann::json& j, csat_accumulator& a) {
  namespace d = detail::json_io;
  const std::string path = "csat_accumulator";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const auto o = d::read_csat_options(d::required(j, "options", path), d::join(path, "options"));
    auto c = d::read_counts_on(j, path, scale::csat(o.top_box));
    a = d::rebuild(path, [&] { return csat_accumulator(o, std::move(c)); });
  });
}

inline void to_json(nlohmann::json& j, const ces_accumulator& a) {
  j = nlohmann::json{{"options", a.options()}, {"counts", a.counts()}};
}
inline void from_json(const nlohmann::json& j, ces_accumulator& a) {
  namespace d = detail::json_io;
  const std::string path = "ces_accumulator";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const auto o = d::read_ces_options(d::required(j, "options", path), d::join(path, "options"));
    auto c = d::read_counts_on(j, path, scale::ces(o.easy_min));
    a = d::rebuild(path, [&] { return ces_accumulator(o, std::move(c)); });
  });
}

inline void to_json(nlohmann::json& j, const resolution_accumulator& a) {
  j = nlohmann::json{{"options", a.options()}, {"counts", a.counts()}, {"unknown", a.unknown()}};
}
inline void from_json(const nlohmann::json& j, resolution_accumulator& a) {
  namespace d = detail::json_io;
  const std::string path = "resolution_accumulator";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const auto o = d::read_resolution_options(d::required(j, "options", path), d::join(path, "options"));
    auto c = d::read_counts_on(j, path, scale::binary());
    const auto pu = d::join(path, "unknown");
    const auto unknown = d::to_uint64(d::required(j, "unknown", path), pu);
    if (unknown > std::numeric_limits<std::uint64_t>::max() - c.count()) {
      d::fail(pu, "makes answered + unknown responses exceed 2^64 - 1");
    }
    a = d::rebuild(path, [&] { return resolution_accumulator(o, std::move(c), unknown); });
  });
}

// --- bin totals and engine tallies ---------------------------------------------

namespace detail::json_io {

inline bin_totals read_bin_totals(const json& j, const std::string& path) {
  require_object(j, path);
  bin_totals t;
  t.n = to_uint64(required(j, "n", path), join(path, "n"));
  const auto weight = [&](std::string_view key) {
    const auto p = join(path, key);
    const double v = to_double(required(j, key, path), p);
    if (!(std::isfinite(v) && v >= 0.0)) fail(p, "must be finite and >= 0");
    if (t.n == 0 && v != 0.0) fail(p, "is " + std::to_string(v) + " but n is 0");
    return v;
  };
  t.w = weight("sum_w");
  t.w2 = weight("sum_w2");
  return t;
}

inline engine::nps_tally read_nps_tally(const json& j, const std::string& path) {
  require_object(j, path);
  engine::nps_tally t;
  t.detractors = to_uint64(required(j, "detractors", path), join(path, "detractors"));
  t.passives = to_uint64(required(j, "passives", path), join(path, "passives"));
  t.promoters = to_uint64(required(j, "promoters", path), join(path, "promoters"));
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  if (t.passives > max - t.detractors || t.promoters > max - t.detractors - t.passives) {
    fail(path, "counts sum past 2^64 - 1");
  }
  return t;
}

}  // namespace detail::json_io

inline void to_json(nlohmann::json& j, const bin_totals& t) {
  j = nlohmann::json{{"n", t.n}, {"sum_w", t.w}, {"sum_w2", t.w2}};
}
inline void from_json(const nlohmann::json& j, bin_totals& t) {
  detail::json_io::guarded("bin_totals", [&] { t = detail::json_io::read_bin_totals(j, "bin_totals"); });
}

namespace engine {

inline void to_json(nlohmann::json& j, const nps_tally& t) {
  j = nlohmann::json{{"detractors", t.detractors}, {"passives", t.passives}, {"promoters", t.promoters}};
}
inline void from_json(const nlohmann::json& j, nps_tally& t) {
  ::cxm::detail::json_io::guarded("nps_tally", [&] { t = ::cxm::detail::json_io::read_nps_tally(j, "nps_tally"); });
}

inline void to_json(nlohmann::json& j, const weighted_nps_tally& t) {
  j = nlohmann::json{{"detractors", t.detractors}, {"passives", t.passives}, {"promoters", t.promoters}};
}
inline void from_json(const nlohmann::json& j, weighted_nps_tally& t) {
  namespace d = ::cxm::detail::json_io;
  const std::string path = "weighted_nps_tally";
  d::guarded(path, [&] {
    d::require_object(j, path);
    weighted_nps_tally out;
    out.detractors = d::read_bin_totals(d::required(j, "detractors", path), d::join(path, "detractors"));
    out.passives = d::read_bin_totals(d::required(j, "passives", path), d::join(path, "passives"));
    out.promoters = d::read_bin_totals(d::required(j, "promoters", path), d::join(path, "promoters"));
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    if (out.passives.n > max - out.detractors.n || out.promoters.n > max - out.detractors.n - out.passives.n) {
      d::fail(path, "counts sum past 2^64 - 1");
    }
    t = out;
  });
}

inline void to_json(nlohmann::json& j, const grouped_nps& g) {
  j = nlohmann::json::object();
  j["shape"] = std::vector<std::uint32_t>(g.shape().begin(), g.shape().end());
  auto cells = nlohmann::json::array();
  for (const auto& c : g.cells()) cells.push_back(c);
  j["cells"] = std::move(cells);
}
inline void from_json(const nlohmann::json& j, grouped_nps& g) {
  namespace d = ::cxm::detail::json_io;
  const std::string path = "grouped_nps";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const auto ps = d::join(path, "shape");
    const auto& js = d::required(j, "shape", path);
    if (!js.is_array()) d::fail(ps, std::string("must be an array, got ") + d::type_of(js));
    std::vector<std::uint32_t> shape(js.size());
    std::uint64_t product = 1;
    constexpr std::uint64_t cap = std::uint64_t{1} << 33;
    for (std::size_t i = 0; i < js.size(); ++i) {
      const auto p = d::join(path, "shape[" + std::to_string(i) + "]");
      const auto v = d::to_uint64(js[i], p);
      if (v > 0xFFFFFFFFu) d::fail(p, "cardinality " + std::to_string(v) + " does not fit 32 bits");
      shape[i] = static_cast<std::uint32_t>(v);
      product = (v != 0 && product > cap / v) ? cap : product * v;
    }
    const auto pc = d::join(path, "cells");
    const auto& jc = d::required(j, "cells", path);
    if (!jc.is_array()) d::fail(pc, std::string("must be an array, got ") + d::type_of(jc));
    const std::size_t cells = jc.size();
    if (shape.empty() ? (cells != 0 && cells != 1) : (cells != product)) {
      d::fail(pc, "has " + std::to_string(cells) + " cells, but " +
                      (shape.empty() ? std::string("a grouping without key columns has 0 (empty) or 1")
                                     : "the product of the shape is " +
                                           (product >= cap ? std::string("larger than 2^32") : std::to_string(product))));
    }
    std::vector<nps_tally> t(cells);
    for (std::size_t i = 0; i < cells; ++i) t[i] = d::read_nps_tally(jc[i], d::join(path, "cells[" + std::to_string(i) + "]"));
    if (shape.empty() && cells == 0) {
      g = grouped_nps{};
    } else {
      g = d::rebuild(path, [&] { return grouped_nps(std::move(shape), std::move(t)); });
    }
  });
}

}  // namespace engine

// --- engine accumulators: score_histogram, metric_set, group_by ------------------

namespace detail::json_io {

/// Throws unless every key of the object `j` is one of `allowed` (the
/// composites below, so that an object of another type is not read as one).
inline void only_keys(const json& j, std::initializer_list<std::string_view> allowed, const std::string& path) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(it.key())) == allowed.end()) {
      fail(join(path, it.key()), "is not a key of this object");
    }
  }
}

inline std::int64_t to_int64(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, std::string("must be an integer, got ") + type_of(v));
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(path, "is too large for an int64");
    return static_cast<std::int64_t>(x);
  }
  return v.get<std::int64_t>();
}

inline const json& array_at(const json& j, std::string_view key, const std::string& path) {
  const auto& a = required(j, key, path);
  if (!a.is_array()) fail(join(path, key), std::string("must be an array, got ") + type_of(a));
  return a;
}

inline std::string indexed(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

/// A part of a composite read with its own from_json (j.get<T>()), its error
/// path moved under `path` ('nps_accumulator.options.level' read at
/// 'group_by.groups[2].state' becomes 'group_by.groups[2].state.options.level').
template <class T>
T read_part(const json& j, const std::string& path) {
  try {
    return j.get<T>();
  } catch (const serialization_error& e) {
    const std::string& f = e.where().field;
    const auto dot = f.find('.');
    throw serialization_error(e.reason(), at_field(dot == std::string::npos ? path : path + f.substr(dot)));
  }
}

/// Name of a group_by key kind, as in io/binary.hpp's key kind table.
template <class K>
struct key_kind {};
template <std::uint32_t N>
struct key_kind<dense_key<N>> {
  static constexpr std::string_view name = N == dynamic_cardinality ? "dense_runtime" : "dense";
};
template <class K>
  requires(std::is_integral_v<K> && !std::is_same_v<K, bool> && (sizeof(K) == 4 || sizeof(K) == 8))
struct key_kind<K> {
  static constexpr std::string_view name = sizeof(K) == 8 ? (std::is_signed_v<K> ? "int64" : "uint64")
                                                          : (std::is_signed_v<K> ? "int32" : "uint32");
};
template <>
struct key_kind<std::string> {
  static constexpr std::string_view name = "string";
};

template <class K>
concept json_key = requires { key_kind<K>::name; };

/// One part of a group_by key (see the header comment).
template <class K>
typename ::cxm::detail::key_traits<K>::value_type read_key(const json& v, const std::string& path,
                                                           std::uint32_t cardinality) {
  using V = typename ::cxm::detail::key_traits<K>::value_type;
  if constexpr (::cxm::detail::key_traits<K>::dense) {
    const auto x = to_uint64(v, path);
    if (x >= cardinality) {
      fail(path, "dense key " + std::to_string(x) + " is not below the key's cardinality " + std::to_string(cardinality));
    }
    return static_cast<V>(x);
  } else if constexpr (std::is_same_v<V, std::string>) {
    return to_str(v, path);
  } else if constexpr (std::is_signed_v<V>) {
    const auto x = to_int64(v, path);
    if (x < std::numeric_limits<V>::min() || x > std::numeric_limits<V>::max()) fail(path, "is out of the key's range");
    return static_cast<V>(x);
  } else {
    const auto x = to_uint64(v, path);
    if (x > std::numeric_limits<V>::max()) fail(path, "is out of the key's range");
    return static_cast<V>(x);
  }
}

}  // namespace detail::json_io

inline void to_json(nlohmann::json& j, const score_histogram& h) {
  j = nlohmann::json::object();
  j["counts"] = h.counts();
}
inline void from_json(const nlohmann::json& j, score_histogram& h) {
  namespace d = detail::json_io;
  const std::string path = "score_histogram";
  d::guarded(path, [&] {
    d::require_object(j, path);
    d::only_keys(j, {"counts"}, path);
    h = score_histogram(d::read_score_counts(d::required(j, "counts", path), d::join(path, "counts")));
  });
}

template <class... A>
void to_json(nlohmann::json& j, const metric_set<A...>& s) {
  auto members = nlohmann::json::array();
  std::apply([&](const A&... m) { (members.push_back(nlohmann::json(m)), ...); }, s.members());
  j = nlohmann::json::object();
  j["rows"] = s.count();
  j["members"] = std::move(members);
}
template <class... A>
void from_json(const nlohmann::json& j, metric_set<A...>& s) {
  namespace d = detail::json_io;
  const std::string path = "metric_set";
  d::guarded(path, [&] {
    d::require_object(j, path);
    d::only_keys(j, {"rows", "members"}, path);
    const auto pr = d::join(path, "rows");
    const auto rows = d::to_uint64(d::required(j, "rows", path), pr);
    const auto pm = d::join(path, "members");
    const auto& jm = d::array_at(j, "members", path);
    if (jm.size() != sizeof...(A)) {
      d::fail(pm, "has " + std::to_string(jm.size()) + " members, but this metric_set has " +
                      std::to_string(sizeof...(A)));
    }
    s = [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::tuple<A...> m{d::read_part<A>(jm[I], d::indexed(pm, I))...};
      try {
        return std::apply([&](A&... a) { return metric_set<A...>(rows, std::move(a)...); }, m);
      } catch (const invalid_argument& e) {
        d::fail(pr, "does not fit the members: " + e.reason());
      }
    }(std::index_sequence_for<A...>{});
  });
}

template <class Acc, class... Key>
  requires(detail::json_io::json_key<Key> && ...)
void to_json(nlohmann::json& j, const group_by<Acc, Key...>& g) {
  namespace d = detail::json_io;
  constexpr std::array<std::string_view, sizeof...(Key)> kinds{d::key_kind<Key>::name...};
  auto keys = nlohmann::json::array();
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    nlohmann::json k = nlohmann::json::object();
    k["kind"] = kinds[i];
    k["cardinality"] = g.shape()[i];
    keys.push_back(std::move(k));
  }
  auto groups = nlohmann::json::array();
  for (const auto& e : g.groups()) {
    auto key = nlohmann::json::array();
    std::apply([&](const auto&... part) { (key.push_back(nlohmann::json(part)), ...); }, e.first);
    // As insert() keeps it, like the binary form (io/binary_engine.hpp).
    Acc stored = g.prototype();
    stored.merge(e.second.get());
    nlohmann::json group = nlohmann::json::object();
    group["key"] = std::move(key);
    group["state"] = stored;
    groups.push_back(std::move(group));
  }
  j = nlohmann::json::object();
  j["keys"] = std::move(keys);
  j["prototype"] = g.prototype();
  j["groups"] = std::move(groups);
}
template <class Acc, class... Key>
  requires(detail::json_io::json_key<Key> && ...)
void from_json(const nlohmann::json& j, group_by<Acc, Key...>& out) {
  namespace d = detail::json_io;
  using grouping = group_by<Acc, Key...>;
  constexpr std::size_t k = sizeof...(Key);
  constexpr std::array<std::string_view, k> kinds{d::key_kind<Key>::name...};
  constexpr std::array<std::uint32_t, k> fixed{::cxm::detail::key_traits<Key>::cardinality...};
  const std::string path = "group_by";
  d::guarded(path, [&] {
    d::require_object(j, path);
    d::only_keys(j, {"keys", "prototype", "groups"}, path);
    const auto pk = d::join(path, "keys");
    const auto& jk = d::array_at(j, "keys", path);
    if (jk.size() != k) {
      d::fail(pk, "has " + std::to_string(jk.size()) + " keys, but this group_by has " + std::to_string(k));
    }
    typename grouping::shape_type shape{};
    constexpr std::uint64_t cap = std::uint64_t{max_dense_groups} + 1;
    std::uint64_t cells = 1;
    for (std::size_t i = 0; i < k; ++i) {
      const auto p = d::indexed(pk, i);
      d::require_object(jk[i], p);
      d::only_keys(jk[i], {"kind", "cardinality"}, p);
      const auto& kind = d::to_str(d::required(jk[i], "kind", p), d::join(p, "kind"));
      if (kind != kinds[i]) {
        d::fail(d::join(p, "kind"), "is '" + kind + "', but key " + std::to_string(i) + " of this group_by is a '" +
                                        std::string(kinds[i]) + "' key");
      }
      const auto pc = d::join(p, "cardinality");
      const auto c = d::to_uint64(d::required(jk[i], "cardinality", p), pc);
      if (c > 0xFFFFFFFFu) d::fail(pc, "does not fit 32 bits");
      shape[i] = static_cast<std::uint32_t>(c);
      if (kind == "dense" && c != fixed[i]) {
        d::fail(pc, "is " + std::to_string(c) + ", but key " + std::to_string(i) + " is a dense_key<" +
                        std::to_string(fixed[i]) + ">");
      }
      if (kind != "dense" && kind != "dense_runtime" && c != 0) d::fail(pc, "must be 0 for a hashed key");
      cells = (c != 0 && cells > cap / c) ? cap : cells * c;
    }
    if (grouping::all_dense && cells > max_dense_groups) {
      d::fail(pk, "the cardinalities make more than " + std::to_string(max_dense_groups) + " cells (max_dense_groups)");
    }
    const auto pp = d::join(path, "prototype");
    Acc proto = d::read_part<Acc>(d::required(j, "prototype", path), pp);
    if (!proto.empty()) {
      d::fail(pp, "counts " + std::to_string(proto.count()) +
                      " responses, but the prototype of a group_by must be empty");
    }
    grouping g = d::rebuild(pp, [&] { return grouping::with_shape(std::move(proto), shape); });

    const auto pg = d::join(path, "groups");
    const auto& jg = d::array_at(j, "groups", path);
    std::optional<typename grouping::key_type> prev;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < jg.size(); ++i) {
      const auto p = d::indexed(pg, i);
      d::require_object(jg[i], p);
      d::only_keys(jg[i], {"key", "state"}, p);
      const auto pkey = d::join(p, "key");
      const auto& jkey = d::array_at(jg[i], "key", p);
      if (jkey.size() != k) d::fail(pkey, "has " + std::to_string(jkey.size()) + " parts, this group_by's keys " + std::to_string(k));
      auto key = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return typename grouping::key_type{
            d::read_key<std::tuple_element_t<J, std::tuple<Key...>>>(jkey[J], d::indexed(pkey, J), shape[J])...};
      }(std::index_sequence_for<Key...>{});
      if (prev && !(*prev < key)) {
        d::fail(pkey, (*prev == key ? "repeats the key of group " : "is below the key of group ") +
                          std::to_string(i - 1) + "; groups are listed in strictly ascending key order");
      }
      const auto ps = d::join(p, "state");
      Acc acc = d::read_part<Acc>(d::required(jg[i], "state", p), ps);
      if (acc.count() > std::numeric_limits<std::uint64_t>::max() - total) d::fail(ps, "makes the groups' counts sum past 2^64 - 1");
      total += acc.count();
      try {
        g.insert(key, acc);
      } catch (const error& e) {
        d::fail(ps, "does not fit the prototype: " + e.reason());
      }
      const Acc* stored = std::apply([&](const auto&... part) { return g.find(part...); }, key);
      if (!(*stored == acc)) {
        d::fail(ps, "changes when inserted into the prototype (e.g. unweighted counts under a weighted prototype)");
      }
      prev = std::move(key);
    }
    out = std::move(g);
  });
}

// --- text -------------------------------------------------------------------

/// Parses JSON text into a T (any type above). Text that is not JSON, and
/// JSON that does not describe a valid T, throw serialization_error: for
/// malformed text its location's column is the byte position (1-based) where
/// parsing stopped; otherwise its field names the key path.
template <class T>
[[nodiscard]] T parse_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    location where;
    where.column = static_cast<std::uint64_t>(e.byte);
    throw serialization_error("JSON text is malformed: " + std::string(e.what()), where);
  }
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw serialization_error(std::string("JSON is malformed: ") + e.what());
  }
}

}  // namespace cxm
