// The keys of group_by (engine/grouped.hpp): dense_key, the traits that
// tell a key extractor, a dense key and a plain value apart, the group_key
// concept, and the hashing and equality of key tuples, which also look up a
// key from its parts (key_probe) without building it.
//
// Header: cxmetrics/engine/group_keys.hpp (included by engine/grouped.hpp).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/key_extractor.hpp"

namespace cxm::inline v0_1 {

/// Cardinality of a dense_key<> given at construction.
inline constexpr std::uint32_t dynamic_cardinality = 0;

/// Largest number of cells of an all-dense group_by.
inline constexpr std::size_t max_dense_groups = engine::max_groups;

/// A dense key 0 <= k < Cardinality; dense_key<> takes it at construction.
template <std::uint32_t Cardinality = dynamic_cardinality>
struct dense_key {
  static constexpr std::uint32_t cardinality = Cardinality;
};

namespace detail {

/// The extractor state a key keeps: the extractor itself, or nothing.
struct no_extractor {
  friend bool operator==(const no_extractor&, const no_extractor&) = default;
};

template <class K>
struct key_traits {
  using value_type = K;
  using extractor_type = no_extractor;
  static constexpr bool dense = false;
  static constexpr bool dynamic = false;
  static constexpr bool extractor = false;
  static constexpr std::uint32_t cardinality = 0;
};
template <std::uint32_t N>
struct key_traits<dense_key<N>> : key_traits<std::uint32_t> {
  static constexpr bool dense = true;
  static constexpr bool dynamic = N == dynamic_cardinality;
  static constexpr std::uint32_t cardinality = N;
};
template <key_extractor K>
struct key_traits<K> : key_traits<typename K::value_type> {
  using extractor_type = K;
  static constexpr bool extractor = true;
};

/// A key value for messages: numbers as they are, strings quoted.
template <class T>
[[nodiscard]] std::string key_text(const T& v) {
  if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return "\"" + std::string(std::string_view(v)) + "\"";
  } else if constexpr (std::is_same_v<T, period>) {
    return to_string(v);
  } else if constexpr (std::is_same_v<T, key_value>) {
    return std::visit([](const auto& k) { return key_text(k); }, v);
  } else {
    return "(a key)";
  }
}

/// A key tuple looked up without building it: its hash, computed as
/// key_tuple_hash would, and its parts, held elsewhere.
template <class... T>
struct key_probe {
  std::size_t hash;
  std::tuple<const T*...> parts;
};

/// Hash of a key tuple: std::hash of each part, combined with the SplitMix64
/// mixer (core/hash.hpp). A key_probe carries its own. Not noexcept, so that
/// the groups' map keeps each key's hash (libstdc++ recomputes the hashes of
/// a bucket's keys otherwise, strings included, at every lookup).
struct key_tuple_hash {
  using is_transparent = void;
  template <class... T>
  std::size_t operator()(const std::tuple<T...>& t) const {
    std::uint64_t h = hash_seed;
    std::apply([&](const T&... v) { ((h = hash_combine(h, static_cast<std::uint64_t>(std::hash<T>{}(v)))), ...); }, t);
    return static_cast<std::size_t>(h);
  }
  template <class... T>
  std::size_t operator()(const key_probe<T...>& p) const noexcept {
    return p.hash;
  }
};

/// Equality of key tuples, and of a key_probe with a key tuple.
struct key_tuple_equal {
  using is_transparent = void;
  template <class... T>
  bool operator()(const std::tuple<T...>& a, const std::tuple<T...>& b) const {
    return a == b;
  }
  template <class... T>
  bool operator()(const key_probe<T...>& p, const std::tuple<T...>& t) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ((*std::get<I>(p.parts) == std::get<I>(t)) && ...);
    }(std::index_sequence_for<T...>{});
  }
  template <class... T>
  bool operator()(const std::tuple<T...>& t, const key_probe<T...>& p) const {
    return (*this)(p, t);
  }
};

}  // namespace detail

/// A key of group_by: a key extractor, a dense_key, or a regular, ordered,
/// hashable type.
template <class K>
concept group_key = key_extractor<K> || detail::key_traits<K>::dense ||
                    (std::regular<K> && std::totally_ordered<K> && requires(const K& k) {
                      { std::hash<K>{}(k) } -> std::convertible_to<std::size_t>;
                    });

}  // namespace cxm
