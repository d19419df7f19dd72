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
// match when given.
//
// Header: cxmetrics/io/json.hpp (header-only; needs nlohmann_json, which
// cxmetrics::cxmetrics links).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"

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
inline void from_json(const nlohmann::json& j, score_counts& c) {
  namespace d = detail::json_io;
  const std::string path = "score_counts";
  d::guarded(path, [&] {
    d::require_object(j, path);
    const scale s = d::read_scale(d::required(j, "scale", path), d::join(path, "scale"));
    const auto points = static_cast<std::size_t>(s.points());
    auto read_array = [&](const nlohmann::json& a, const std::string& p) -> const nlohmann::json& {
      if (!a.is_array()) d::fail(p, std::string("must be an array, got ") + d::type_of(a));
      if (a.size() != points) {
        d::fail(p, "has " + std::to_string(a.size()) + " entries, the " + s.describe() + " has " +
                       std::to_string(points) + " points");
      }
      return a;
    };
    const auto& counts = read_array(d::required(j, "counts", path), d::join(path, "counts"));
    std::vector<std::uint64_t> n(points);
    for (std::size_t b = 0; b < points; ++b) {
      n[b] = d::to_uint64(counts[b], d::join(path, "counts[" + std::to_string(b) + "]"));
    }
    const auto* jw = d::member(j, "sum_w");
    const auto* jw2 = d::member(j, "sum_w2");
    std::vector<double> w;
    std::vector<double> w2;
    if ((jw == nullptr) != (jw2 == nullptr)) d::fail(path, "must have both sum_w and sum_w2 or neither");
    if (jw != nullptr) {
      const auto& aw = read_array(*jw, d::join(path, "sum_w"));
      const auto& aw2 = read_array(*jw2, d::join(path, "sum_w2"));
      w.resize(points);
      w2.resize(points);
      for (std::size_t b = 0; b < points; ++b) {
        const auto pw = d::join(path, "sum_w[" + std::to_string(b) + "]");
        const auto pw2 = d::join(path, "sum_w2[" + std::to_string(b) + "]");
        w[b] = d::to_double(aw[b], pw);
        w2[b] = d::to_double(aw2[b], pw2);
        if (!(w[b] >= 0.0)) d::fail(pw, "must be >= 0");
        if (!(w2[b] >= 0.0)) d::fail(pw2, "must be >= 0");
        if (n[b] == 0 && (w[b] != 0.0 || w2[b] != 0.0)) {
          d::fail(d::join(path, "counts[" + std::to_string(b) + "]"), "is 0 but the bin has weight");
        }
      }
    }
    try {
      c = score_counts(s, std::move(n), std::move(w), std::move(w2));
    } catch (const error& e) {
      d::fail(path, "is not a valid score_counts state: " + e.reason());
    }
  });
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
