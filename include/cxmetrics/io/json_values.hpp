// JSON forms of the values that are not states: they have no binary form,
// and their JSON carries rules only JSON has (null for NaN, ISO 8601 time,
// channel labels), so they keep nlohmann's ADL hooks (to_json / from_json in
// namespace cxm) instead of a field hook (core/fields.hpp).
//
//   interval        {"lower":..,"upper":..,"level":0.95,"method":"wilson"}
//   estimate        {"value":..,"se":..,"interval":{...}|null,"n":..,"effective_n":..,
//                    "status":"ok"|"no_data"|"insufficient","note":".."}
//                   value, se and effective_n are null when NaN
//   location        only the known parts: "file","line","column","row","field"
//   response        {"id","nps","csat","ces","time","channel","segment","agent",
//                    "weight","resolved","why"}; missing scores and time are null;
//                   time is ISO 8601 UTC ("2024-03-05T14:07:09Z"); channel is the
//                   numeric channel_id (labels belong to a channel_set); when
//                   reading, a built-in label ("chat") is accepted too, and
//                   keys that are absent keep the defaults of cxm::response
//   resolution      "yes" | "no" | "unknown"
//   interval_method "wilson", "adjusted_wald", ... (cxm::to_string names)
//   scale_kind      "nps" | "csat" | "ces" | "binary" | "custom"
//   estimate::status "ok" | "no_data" | "insufficient"
//
// Reading is checked as for states (io/json_archive.hpp): serialization_error
// naming the key path, never an nlohmann exception.
//
// Header: cxmetrics/io/json_values.hpp (header-only; needs nlohmann_json).
#pragma once

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/io/json_archive.hpp"

namespace cxm::inline v0_1 {
namespace detail::json_io {

/// The code of `names` that `j` (a string at `path`) names; `what` in the error.
template <class E, std::size_t N>
E named(const json& j, const std::string& path, const std::array<E, N>& codes,
        const std::array<std::string_view, N>& names, std::string_view what) {
  const auto& s = to_str(j, path);
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return codes[i];
  }
  fail(path, "'" + s + "' is not " + std::string(what));
}

inline constexpr std::array<resolution, 3> resolution_codes = {resolution::yes, resolution::no, resolution::unknown};
inline constexpr std::array<std::string_view, 3> resolution_names = {"yes", "no", "unknown"};
inline constexpr std::array<estimate::status, 3> status_codes = {estimate::status::ok, estimate::status::no_data,
                                                                 estimate::status::insufficient};
inline constexpr std::array<std::string_view, 3> status_names = {"ok", "no_data", "insufficient"};

/// Reads the object `j` at `path` with `body(out)` into a fresh T (absent
/// keys keep T's defaults) and assigns it to `x` when all went well.
template <class T, class F>
void read_object(const json& j, const std::string& path, T& x, F&& body) {
  guarded(path, [&] {
    require_object(j, path);
    T out;
    body(out);
    x = std::move(out);
  });
}

inline std::optional<int> to_optional_int(const json& v, const std::string& path) {
  if (v.is_null()) return std::nullopt;
  return to_int(v, path);
}

}  // namespace detail::json_io

// --- enums ----------------------------------------------------------------

inline void to_json(nlohmann::json& j, scale_kind k) { j = scale_kind_names[code_of(scale_kind_codes, k)]; }
inline void from_json(const nlohmann::json& j, scale_kind& k) {
  k = detail::json_io::named(j, "scale_kind", scale_kind_codes, scale_kind_names, "nps, csat, ces, binary or custom");
}

inline void to_json(nlohmann::json& j, interval_method m) { j = to_string(m); }
inline void from_json(const nlohmann::json& j, interval_method& m) {
  m = detail::json_io::named(j, "interval_method", interval_method_codes, interval_method_names, "an interval method");
}

inline void to_json(nlohmann::json& j, resolution r) { j = to_string(r); }
inline void from_json(const nlohmann::json& j, resolution& r) {
  namespace d = detail::json_io;
  r = d::named(j, "resolution", d::resolution_codes, d::resolution_names, "yes, no or unknown");
}

inline void to_json(nlohmann::json& j, estimate::status s) { j = to_string(s); }
inline void from_json(const nlohmann::json& j, estimate::status& s) {
  namespace d = detail::json_io;
  s = d::named(j, "status", d::status_codes, d::status_names, "ok, no_data or insufficient");
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
  i.method = named(required(j, "method", path), join(path, "method"), interval_method_codes, interval_method_names,
                   "an interval method");
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
    const auto st = d::named(d::required(j, "status", path), d::join(path, "status"), d::status_codes,
                             d::status_names, "ok, no_data or insufficient");
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
  d::read_object(j, path, l, [&](location& out) {
    if (const auto* m = d::member(j, "file")) out.file = d::to_str(*m, d::join(path, "file"));
    if (const auto* m = d::member(j, "line"); m && !m->is_null()) out.line = d::to_uint64(*m, d::join(path, "line"));
    if (const auto* m = d::member(j, "column"); m && !m->is_null()) {
      out.column = d::to_uint64(*m, d::join(path, "column"));
    }
    if (const auto* m = d::member(j, "row"); m && !m->is_null()) out.row = d::to_uint64(*m, d::join(path, "row"));
    if (const auto* m = d::member(j, "field")) out.field = d::to_str(*m, d::join(path, "field"));
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
  d::read_object(j, path, r, [&](response& out) {
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
      out.resolved =
          d::named(*m, d::join(path, "resolved"), d::resolution_codes, d::resolution_names, "yes, no or unknown");
    }
  });
}

}  // namespace cxm
