// NumPy arrays as the engine's columns, shared by the bindings.
//
// What each column takes, and when it is copied:
//   scores   1-d uint8, C-contiguous (a view with unit stride, e.g.
//            big[1000:2000], counts): taken by buffer, no copy. A uint8 array
//            with another stride, or any other integer dtype (int8..int64,
//            uint16..uint64, a Python list of ints), is copied once into
//            uint8 with every value range-checked: a value outside 0..255
//            raises ScoreOutOfScale (id 101) naming its row, so nothing wraps.
//            bool, float, complex, object and string arrays raise TypeError:
//            a float score (2.5, NaN) has no one right reading.
//   weights  1-d float32 or float64, C-contiguous: no copy. Integer arrays
//            are copied once into float64 (exact up to 2^53); bool and
//            non-numeric dtypes raise TypeError.
//   keys     1-d uint8, uint16 or uint32, C-contiguous: no copy. Other
//            integer dtypes are copied once into uint32; a negative key or one
//            past 2^32 - 1 raises InvalidValue (id 105) naming its row.
//   flags    (resolution) 1-d int8, C-contiguous: no copy (1 yes, 0 no, -1
//            unknown); other integer dtypes and bool are copied once into int8
//            with the same range check (a value outside -128..127 is
//            InvalidValue).
// Non-native byte order is converted (one copy). A column holds a reference
// to the array it reads, so the memory outlives the engine call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

namespace cxm::python {

namespace py = pybind11;

/// A column for the engine: a span into the caller's array or into `owned`.
template <class T>
struct column {
  std::span<const T> data;
  std::vector<T> owned;  // the converted copy, when one was needed
  py::object keep;       // the array read
};

namespace detail {

inline py::array as_array(py::handle obj, const char* what) {
  py::array a = py::array::ensure(obj);
  if (!a) throw py::type_error(std::string(what) + ": expected a NumPy array or a sequence of numbers");
  if (a.ndim() != 1) {
    throw py::value_error(std::string(what) + ": expected a 1-d array, got " + std::to_string(a.ndim()) + " dimensions");
  }
  if (!a.dtype().attr("isnative").cast<bool>()) {
    a = py::array::ensure(a.attr("astype")(a.dtype().attr("newbyteorder")("=")));
  }
  return a;
}

inline std::string dtype_name(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

/// True when `a` holds its elements back to back (unit stride).
inline bool contiguous(const py::array& a) { return a.shape(0) <= 1 || a.strides(0) == a.itemsize(); }

/// Calls f(element pointer type tag) for the integer dtype of `a`.
template <class F>
bool visit_integers(const py::array& a, F&& f) {
  const char kind = a.dtype().kind();
  const auto size = a.itemsize();
  if (kind == 'i') {
    if (size == 1) return f(std::int8_t{}), true;
    if (size == 2) return f(std::int16_t{}), true;
    if (size == 4) return f(std::int32_t{}), true;
    if (size == 8) return f(std::int64_t{}), true;
  } else if (kind == 'u') {
    if (size == 1) return f(std::uint8_t{}), true;
    if (size == 2) return f(std::uint16_t{}), true;
    if (size == 4) return f(std::uint32_t{}), true;
    if (size == 8) return f(std::uint64_t{}), true;
  }
  return false;
}

/// Copies the integers of `a` into `out`, each checked by check(value, row).
template <class Out, class Check>
void copy_integers(const py::array& a, std::vector<Out>& out, Check check) {
  const auto n = static_cast<std::size_t>(a.shape(0));
  out.resize(n);
  const auto* base = static_cast<const char*>(a.data());
  const auto stride = a.strides(0);
  visit_integers(a, [&](auto tag) {
    using T = decltype(tag);
    for (std::size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, base + static_cast<std::ptrdiff_t>(i) * stride, sizeof v);
      check(v, i);
      out[i] = static_cast<Out>(v);
    }
  });
}

/// A column of T taken as is (the dtype is T's and the array contiguous), or
/// nothing.
template <class T>
std::optional<column<T>> direct(const py::array& a) {
  if (!a.dtype().is(py::dtype::of<T>()) || !contiguous(a)) return std::nullopt;
  column<T> c;
  c.data = {static_cast<const T*>(a.data()), static_cast<std::size_t>(a.shape(0))};
  c.keep = a;
  return c;
}

template <class T>
column<T> owning(std::vector<T> v, py::object keep) {
  column<T> c;
  c.owned = std::move(v);
  c.data = c.owned;
  c.keep = std::move(keep);
  return c;
}

}  // namespace detail

/// Scores as bytes (see the header comment); `s` words the error of a value
/// outside 0..255, and `first_row` numbers the rows.
inline column<std::uint8_t> score_column(py::handle obj, const scale& s, const std::string& field,
                                         std::uint64_t first_row = 0) {
  py::array a = detail::as_array(obj, field.c_str());
  if (auto c = detail::direct<std::uint8_t>(a)) return std::move(*c);
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error(field + ": expected integer scores (uint8 is read without a copy), got dtype " +
                         detail::dtype_name(a) + "; convert floats explicitly after deciding what NaN and 2.5 mean");
  }
  std::vector<std::uint8_t> out;
  detail::copy_integers(a, out, [&](auto v, std::size_t i) {
    if (std::cmp_less(v, 0) || std::cmp_greater(v, 255)) {
      const auto where = at_row(first_row + i, field);
      if (std::cmp_greater_equal(v, std::numeric_limits<int>::min()) &&
          std::cmp_less_equal(v, std::numeric_limits<int>::max())) {
        s.check(static_cast<int>(v), where);
      }
      throw score_out_of_scale("score " + std::to_string(v) + " is outside the " + s.describe(), where);
    }
  });
  return detail::owning(std::move(out), a);
}

/// Resolution flags as int8 1/0/−1 (see the header comment).
inline column<std::int8_t> flag_column(py::handle obj, const std::string& field, std::uint64_t first_row = 0) {
  py::array a = detail::as_array(obj, field.c_str());
  if (auto c = detail::direct<std::int8_t>(a)) return std::move(*c);
  if (a.dtype().kind() == 'b') a = py::array::ensure(a.attr("astype")("int8"));
  if (auto c = detail::direct<std::int8_t>(a)) return std::move(*c);
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw py::type_error(field + ": expected integer flags (1 yes, 0 no, -1 unknown; int8 is read without a copy), " +
                         "got dtype " + detail::dtype_name(a));
  }
  std::vector<std::int8_t> out;
  detail::copy_integers(a, out, [&](auto v, std::size_t i) {
    if (std::cmp_less(v, -128) || std::cmp_greater(v, 127)) {
      throw invalid_value("resolved flag has the value " + std::to_string(v) +
                              ", which is not yes (1), no (0) or unknown (-1)",
                          at_row(first_row + i, field));
    }
  });
  return detail::owning(std::move(out), a);
}

/// Weights: float32 or float64 spans (see the header comment).
struct weight_column {
  std::variant<std::monostate, column<float>, column<double>> data;
  [[nodiscard]] bool present() const noexcept { return data.index() != 0; }
  [[nodiscard]] std::size_t size() const noexcept {
    if (const auto* f = std::get_if<column<float>>(&data)) return f->data.size();
    if (const auto* d = std::get_if<column<double>>(&data)) return d->data.size();
    return 0;
  }
};

inline weight_column weights_of(py::handle obj) {
  weight_column w;
  if (obj.is_none()) return w;
  py::array a = detail::as_array(obj, "weights");
  const char kind = a.dtype().kind();
  if (kind == 'f' && !a.dtype().is(py::dtype::of<float>()) && !a.dtype().is(py::dtype::of<double>())) {
    a = py::array::ensure(a.attr("astype")("float64"));
  } else if (kind == 'i' || kind == 'u') {
    a = py::array::ensure(a.attr("astype")("float64"));
  } else if (kind != 'f') {
    throw py::type_error("weights: expected float32 or float64 weights (read without a copy), got dtype " +
                         detail::dtype_name(a));
  }
  if (!detail::contiguous(a)) a = py::array::ensure(py::module_::import("numpy").attr("ascontiguousarray")(a));
  if (auto f = detail::direct<float>(a)) {
    w.data = std::move(*f);
  } else if (auto d = detail::direct<double>(a)) {
    w.data = std::move(*d);
  }
  return w;
}

/// Weights as float64 (metric_set reads double weights): float64 without a
/// copy, float32 copied once.
inline column<double> double_weights(py::handle obj) {
  auto w = weights_of(obj);
  if (auto* d = std::get_if<column<double>>(&w.data)) return std::move(*d);
  column<double> out;
  if (const auto* f = std::get_if<column<float>>(&w.data)) {
    out = detail::owning(std::vector<double>(f->data.begin(), f->data.end()), f->keep);
  }
  return out;
}

/// One key column: uint8/16/32 without a copy, other integers as uint32.
struct key_input {
  std::variant<column<std::uint8_t>, column<std::uint16_t>, column<std::uint32_t>> data;
  std::string name;
  [[nodiscard]] std::size_t size() const {
    return std::visit([](const auto& c) { return c.data.size(); }, data);
  }
  /// Largest key + 1 (0 for an empty column).
  [[nodiscard]] std::uint32_t cardinality() const {
    return std::visit(
        [](const auto& c) {
          std::uint64_t top = 0;
          for (const auto k : c.data) top = k > top ? k : top;
          return c.data.empty() ? std::uint32_t{0} : static_cast<std::uint32_t>(std::min<std::uint64_t>(top + 1, UINT32_MAX));
        },
        data);
  }
  [[nodiscard]] engine::key_column engine_column(std::uint32_t cardinality) const {
    return std::visit([&](const auto& c) { return engine::key_column(c.data, cardinality, name); }, data);
  }
};

inline key_input key_of(py::handle obj, std::string name) {
  py::array a = detail::as_array(obj, name.c_str());
  key_input k{column<std::uint8_t>{}, name};
  if (auto c = detail::direct<std::uint8_t>(a)) {
    k.data = std::move(*c);
  } else if (auto c16 = detail::direct<std::uint16_t>(a)) {
    k.data = std::move(*c16);
  } else if (auto c32 = detail::direct<std::uint32_t>(a)) {
    k.data = std::move(*c32);
  } else {
    const char kind = a.dtype().kind();
    if (kind != 'i' && kind != 'u') {
      throw py::type_error(name + ": expected integer keys (uint8, uint16 or uint32 are read without a copy), got dtype " +
                           detail::dtype_name(a));
    }
    std::vector<std::uint32_t> out;
    detail::copy_integers(a, out, [&](auto v, std::size_t i) {
      if (std::cmp_less(v, 0) || std::cmp_greater(v, UINT32_MAX)) {
        throw invalid_value("key " + std::to_string(v) + " is not a key 0..2^32-1", at_row(i, name));
      }
    });
    k.data = detail::owning(std::move(out), a);
  }
  return k;
}

/// 'ok', 'no_data' or 'insufficient' (bind_counting.cpp).
const char* status_name(estimate::status s);
/// A scale from a name ("nps", "csat", "ces", "binary") or a tuple (min, max)
/// or (min, max, high_min, low_max) (bind_counting.cpp).
scale scale_from(py::handle spec);

/// The interval method named `name` (interval_method's to_string). Throws
/// cxm::invalid_argument (cxmetrics.InvalidArgument, a ValueError) naming the known ones.
inline interval_method method_of(std::string_view name) {
  if (const auto m = interval_method_from(name)) return *m;
  std::string known;
  for (const auto m : all_interval_methods) known += (known.empty() ? "" : ", ") + std::string(to_string(m));
  throw invalid_argument("unknown interval method '" + std::string(name) + "' (known: " + known + ")");
}

/// The weighted SE named `name`: "linearized" or "kish".
inline stats::weighted_se weighted_se_of(std::string_view name) {
  if (const auto s = stats::weighted_se_from(name)) return *s;
  throw invalid_argument("unknown weighted_se '" + std::string(name) + "' (known: linearized, kish)");
}

}  // namespace cxm::python
