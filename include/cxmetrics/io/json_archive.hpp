// The JSON form's framework: the two archives that walk a state's field hook
// (core/fields.hpp) over an nlohmann::json value, the bridge that makes
// every such state a JSON type (`nlohmann::json j = state;`,
// `j.get<T>()`), parse_json, and the checked conversions the JSON forms of
// other values use (io/json_values.hpp). No type is known here; io/json.hpp
// includes this, the JSON values and the headers of every cxmetrics state.
//
// A state is an object; a field a key; a part of a state a nested object; a
// sequence an array; an enumeration its name (the table's string). Keys come
// out in nlohmann's order (alphabetical). Reading is checked: a wrong type, a
// missing key, a bad length or a value outside its domain throws
// cxm::serialization_error naming the key path in its field (e.g.
// 'group_by.groups[2].state.counts.scale.kind'), never an nlohmann
// exception; the checks are the type's own (its hook), the same the binary
// reader makes. Integers must be integers (no 2.0 for 2) within their type.
//
// Header: cxmetrics/io/json_archive.hpp (header-only; needs nlohmann_json,
// which cxmetrics::cxmetrics links).
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/fields.hpp"
#include "cxmetrics/io/detail/archive_ops.hpp"

namespace cxm::inline v0_1 {
namespace detail::json_io {

using json = nlohmann::json;

[[noreturn]] inline void fail(const std::string& path, const std::string& why) {
  throw serialization_error("JSON " + why, at_field(path));
}

inline std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline std::string indexed(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

inline void require_object(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, std::string("must be an object, got ") + j.type_name());
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
  if (!v.is_number()) fail(path, std::string("must be a number, got ") + v.type_name());
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
  fail(path, std::string("must be a non-negative integer, got ") + v.type_name());
}

inline std::int64_t to_int64(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, std::string("must be an integer, got ") + v.type_name());
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(path, "is too large for an int64");
    return static_cast<std::int64_t>(x);
  }
  return v.get<std::int64_t>();
}

inline int to_int(const json& v, const std::string& path) {
  const auto x = to_int64(v, path);
  if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) {
    fail(path, "is out of the range of an int");
  }
  return static_cast<int>(x);
}

inline const std::string& to_str(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, std::string("must be a string, got ") + v.type_name());
  return v.get_ref<const std::string&>();
}

/// Runs `body`, turning any nlohmann exception into serialization_error (a
/// safety net: the checks above catch every malformed input first).
template <class F>
auto guarded(const std::string& path, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("is malformed: ") + e.what());
  }
}

/// The archive that writes a state's fields (core/fields.hpp) as JSON.
class out : public writer_ops<out> {
 public:
  using writer_ops::value;

  out() { stack_.push_back(&root_); }

  /// Goes back to the enclosing value when it ends.
  class scope {
   public:
    explicit scope(out& a, json* node) : a_(&a) { a.stack_.push_back(node); }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() { a_->stack_.pop_back(); }

   private:
    out* a_;
  };

  [[nodiscard]] scope member(std::string_view name) { return scope(*this, &(*top())[std::string(name)]); }
  [[nodiscard]] scope element(std::size_t) {
    top()->push_back(nullptr);
    return scope(*this, &top()->back());
  }
  template <class T>
  void value(T& v) {
    if constexpr (std::same_as<T, bool> || std::same_as<T, std::uint8_t> || std::same_as<T, std::uint32_t> ||
                  std::same_as<T, std::uint64_t> || std::same_as<T, std::int32_t> || std::same_as<T, std::int64_t> ||
                  std::same_as<T, double> || std::same_as<T, std::string>) {
      *top() = v;
    } else {
      *top() = json::object();
      visit_fields(*this, v);
    }
  }
  template <class E, std::size_t N>
  void choice(std::string_view name, E& e, const std::array<E, N>& codes, const std::array<std::string_view, N>& names,
              std::string_view what) {
    const auto i = code_of(codes, e);
    if (i == N) throw serialization_error("cannot write a " + std::string(what) + " without a name");
    (*top())[std::string(name)] = names[i];
  }
  void sequence(std::string_view name, std::size_t&, std::size_t, std::string_view = {}) {
    (*top())[std::string(name)] = json::array();
  }
  void fixed(std::string_view name, std::size_t) { (*top())[std::string(name)] = json::array(); }
  void implied_flag(std::string_view, bool&, std::initializer_list<std::string_view>) const noexcept {}

  /// Moves the value written out.
  [[nodiscard]] json take() && { return std::move(root_); }

 private:
  json* top() { return stack_.back(); }

  json root_;
  std::vector<json*> stack_;
};

/// The archive that reads a state's fields (core/fields.hpp) from JSON.
class in : public reader_ops<in> {
 public:
  struct mark_type {};

  /// Reads `j`; `root` is the first element of error paths (the type name).
  in(const json& j, std::string_view root) : path_(root) { stack_.push_back({&j, path_.size()}); }

  /// Goes back to the enclosing value (and path) when it ends.
  class scope {
   public:
    scope(in& a, const json* node, std::string_view suffix) : a_(&a) {
      a.stack_.push_back({node, a.path_.size()});
      a.path_.append(suffix);
    }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() {
      a_->path_.resize(a_->stack_.back().path_size);
      a_->stack_.pop_back();
    }

   private:
    in* a_;
  };

  [[nodiscard]] scope member(std::string_view name) {
    require_object(node(), path_);
    return scope(*this, &required(node(), name, path_), "." + std::string(name));
  }
  [[nodiscard]] scope element(std::size_t i) {
    if (!node().is_array() || i >= node().size()) json_io::fail(path_, "has no element " + std::to_string(i));
    return scope(*this, &node()[i], "[" + std::to_string(i) + "]");
  }
  template <class T>
  void value(T& v) {
    last_ = path_;
    const json& j = node();
    if constexpr (std::same_as<T, bool>) {
      if (!j.is_boolean()) json_io::fail(path_, std::string("must be true or false, got ") + j.type_name());
      v = j.get<bool>();
    } else if constexpr (std::same_as<T, std::uint8_t> || std::same_as<T, std::uint32_t>) {
      const auto x = to_uint64(j, path_);
      if (x > std::numeric_limits<T>::max()) {
        json_io::fail(path_, std::to_string(x) + " does not fit " + std::to_string(8 * sizeof(T)) + " bits");
      }
      v = static_cast<T>(x);
    } else if constexpr (std::same_as<T, std::uint64_t>) {
      v = to_uint64(j, path_);
    } else if constexpr (std::same_as<T, std::int32_t>) {
      v = to_int(j, path_);
    } else if constexpr (std::same_as<T, std::int64_t>) {
      v = to_int64(j, path_);
    } else if constexpr (std::same_as<T, double>) {
      v = to_double(j, path_);
    } else if constexpr (std::same_as<T, std::string>) {
      v = to_str(j, path_);
    } else {
      require_object(j, path_);
      visit_fields(*this, v);
    }
  }
  template <class T>
  void value(T& v, std::uint8_t /*version: JSON has one form*/) {
    value(v);
  }
  template <class E, std::size_t N>
  void choice(std::string_view name, E& e, const std::array<E, N>& codes, const std::array<std::string_view, N>& names,
              std::string_view what) {
    auto s = member(name);
    std::string text;
    value(text);
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == text) {
        e = codes[i];
        return;
      }
    }
    std::string all;
    for (const auto n : names) all += (all.empty() ? "" : ", ") + std::string(n);
    fail("'" + text + "' is not a " + std::string(what) + " (" + all + ")");
  }
  void sequence(std::string_view name, std::size_t& n, std::size_t, std::string_view = {}) {
    n = array_at(name).size();
  }
  void fixed(std::string_view name, std::size_t n) {
    const auto size = array_at(name).size();
    if (size != n) fail("has " + std::to_string(size) + " entries, expected " + std::to_string(n));
  }
  void implied_flag(std::string_view, bool& v, std::initializer_list<std::string_view> keys) {
    require_object(node(), path_);
    std::size_t present = 0;
    std::string all;
    for (const auto k : keys) {
      present += member_of(k) != nullptr ? 1 : 0;
      all += (all.empty() ? "" : " and ") + std::string(k);
    }
    if (present != 0 && present != keys.size()) fail_here("must have " + all + " or none of them");
    v = present != 0;
  }
  [[nodiscard]] bool has_member(std::string_view name) const {
    require_object(node(), path_);
    return member_of(name) != nullptr;
  }
  [[nodiscard]] bool legacy(std::string_view key, std::uint8_t) const {
    return node().is_object() && member_of(key) != nullptr;
  }
  void only_members(std::initializer_list<std::string_view> allowed) const {
    require_object(node(), path_);
    for (auto it = node().begin(); it != node().end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(it.key())) == allowed.end()) {
        json_io::fail(join(path_, it.key()), "is not a key of this object");
      }
    }
  }
  [[nodiscard]] mark_type mark() const noexcept { return {}; }
  [[noreturn]] void fail(std::string_view why) const { json_io::fail(last_, std::string(why)); }
  [[noreturn]] void fail_at(mark_type, std::string_view f, std::string_view why) const {
    json_io::fail(f.empty() ? path_ : join(path_, f), std::string(why));
  }
  [[noreturn]] void fail_here(std::string_view why) const { json_io::fail(path_, std::string(why)); }
  [[nodiscard]] mark_type scope_mark() const noexcept { return {}; }
  template <class T>
  [[nodiscard]] bool same_as_read(mark_type, const T& stored, const T& read, std::uint8_t) const {
    return stored == read;
  }

 private:
  struct frame {
    const json* node;
    std::size_t path_size;  ///< length of path_ before this frame
  };
  [[nodiscard]] const json& node() const { return *stack_.back().node; }
  [[nodiscard]] const json* member_of(std::string_view key) const { return json_io::member(node(), key); }
  /// The array `name` of the current object; it becomes the value read last.
  const json& array_at(std::string_view name) {
    require_object(node(), path_);
    const json& a = required(node(), name, path_);
    last_ = join(path_, name);
    if (!a.is_array()) fail(std::string("must be an array, got ") + a.type_name());
    return a;
  }

  std::vector<frame> stack_;
  std::string path_;
  std::string last_;
};

}  // namespace detail::json_io

/// A state the JSON archives can walk (a field hook, core/fields.hpp).
template <class T>
concept json_state = described_state<T> && requires(detail::json_io::out& w, T& x) { visit_fields(w, x); };

/// The JSON form of a state (see the header comment).
template <json_state T>
[[nodiscard]] nlohmann::json to_json_value(const T& x) {
  detail::json_io::out a;
  a.value(const_cast<T&>(x));  // NOLINT: the writing archive does not change it
  return std::move(a).take();
}

/// The state a JSON value describes; throws serialization_error naming the
/// key path (see the header comment).
template <json_state T>
[[nodiscard]] T from_json_value(const nlohmann::json& j) {
  const std::string root(serial_type_of(serial_tag<T>{}).name);
  return detail::json_io::guarded(root, [&] {
    detail::json_io::in a(j, root);
    T x = serial_start<T>();
    a.value(x);
    return x;
  });
}

/// Parses JSON text into a T (any type with a JSON form). Text that is not
/// JSON, and JSON that does not describe a valid T, throw
/// serialization_error: for malformed text its location's column is the
/// byte position (1-based) where parsing stopped; otherwise its field names
/// the key path.
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

/// Every state with a field hook is a JSON type: `nlohmann::json j = x;` and
/// `j.get<T>()` go through its hook (non-default-constructible states too).
namespace nlohmann {
template <class T>
  requires cxm::json_state<T>
struct adl_serializer<T, void> {
  static void to_json(json& j, const T& x) { j = cxm::to_json_value(x); }
  static T from_json(const json& j) { return cxm::from_json_value<T>(j); }
  static void from_json(const json& j, T& x) { x = cxm::from_json_value<T>(j); }
};
}  // namespace nlohmann
