// Journeys in any order: one peak_end_state per journey, found by its key.
//
// Two ways to hold journeys whose events arrive in any order:
//
//   journey_table   keys are any 64-bit numbers (a journey id, or
//                   cxm::hash_text of a text id when collisions are
//                   acceptable): an open-addressing hash index (linear
//                   probing, load ≤ ¾; 64-bit slots holding a 32-bit
//                   fingerprint of the key's hash and the journey's index)
//                   over states kept in blocks of 4096, so growing never
//                   copies a state. Memory per journey: the state (64
//                   bytes) + its key (8) + 11–21 bytes of index: 83–93.
//   dense_journeys  keys are dense ids 0..n−1 (e.g. the ids of a category
//                   column's dictionary, as the readers give them): a vector
//                   of states indexed by id, 64 bytes per journey.
//
// Events of one journey that arrive sorted by journey need neither: keep
// one state and hand it on when the journey changes (journey/journeys.hpp
// streams them that way, O(1) memory per finished journey).
//
//   cxm::journey_table t;
//   for (const auto& e : events) t[e.journey].add({x(e.score), e.time, e.row});
//   t.for_each([](std::uint64_t key, const cxm::peak_end_state& s) { ... });
//
// Both merge journey by journey (peak_end_state::merge), so tables of
// shards or threads combine into the table of all events.
//
// Header: cxmetrics/journey/journey_table.hpp (header-only). Complexity:
// O(1) expected per event.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/peak_end.hpp"

namespace cxm::inline v0_1 {

namespace detail {

/// Throws invalid_argument unless the columns have `n` rows (tags: n or
/// none) and every x lies in −1…1, naming the first row that does not.
inline void check_event_columns(std::size_t n, std::span<const std::int64_t> times, std::span<const double> xs,
                                 std::span<const std::uint32_t> tags) {
  if (times.size() != n || xs.size() != n || (!tags.empty() && tags.size() != n)) {
    throw invalid_argument("journey event columns differ in length");
  }
  bool ok = true;
  for (const double x : xs) ok &= (x >= -1.0) & (x <= 1.0);
  if (ok) return;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(xs[i] >= -1.0 && xs[i] <= 1.0)) {
      throw invalid_argument("journey event " + std::to_string(i) + ": experience " + std::to_string(xs[i]) +
                             " is outside -1..1");
    }
  }
}

}  // namespace detail

/// Journeys by 64-bit key (see the header comment).
class journey_table {
 public:
  static constexpr std::size_t block = 4096;  ///< states per storage block

  journey_table() = default;
  journey_table(const journey_table& o) { merge(o); }
  journey_table& operator=(const journey_table& o) {
    if (this != &o) {
      journey_table t(o);
      *this = std::move(t);
    }
    return *this;
  }
  journey_table(journey_table&&) noexcept = default;
  journey_table& operator=(journey_table&&) noexcept = default;
  ~journey_table() = default;

  /// The state of journey `key`, a new empty one when the key is new.
  /// Throws limit_exceeded past 2^32 − 2 journeys.
  peak_end_state& operator[](std::uint64_t key) { return find_or_insert(key, detail::mix64(key)); }

  /// Adds events[i] to journey keys[i], for every i (see the header
  /// comment). Throws invalid_argument when the spans differ in length.
  void add(std::span<const std::uint64_t> keys, std::span<const journey_event> events) {
    if (keys.size() != events.size()) throw invalid_argument("journey_table::add needs one key per event");
    pipeline(keys, [&](peak_end_state& s, std::size_t i) { s.add(events[i]); });
  }

  /// Adds the events of columns, the form the readers hold them in: event
  /// i is (keys[i], times[i], xs[i]) with input order first_order + i and
  /// tag tags[i] (0 for every event when tags is empty). Every x is checked
  /// first: invalid_argument names the first outside −1…1, or columns of
  /// different lengths, and nothing is added then.
  void add(std::span<const std::uint64_t> keys, std::span<const std::int64_t> times, std::span<const double> xs,
           std::uint64_t first_order, std::span<const std::uint32_t> tags = {}) {
    detail::check_event_columns(keys.size(), times, xs, tags);
    if (tags.empty()) {
      pipeline(keys, [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, 0); });
    } else {
      pipeline(keys, [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, tags[i]); });
    }
  }

  /// The state of journey `key`, or nullptr.
  [[nodiscard]] const peak_end_state* find(std::uint64_t key) const noexcept {
    if (size_ == 0) return nullptr;
    const std::uint64_t h = detail::mix64(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t e = slots_[i];
      if (e == 0) return nullptr;
      const std::size_t at = (e & 0xFFFFFFFFU) - 1;
      if ((e >> 32) == (h >> 32) && key_at(at) == key) return &states_[at / block][at % block];
    }
  }

  /// Journeys held.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  /// f(key, state) for every journey, in the order their keys first came.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < size_; ++i) f(key_at(i), states_[i / block][i % block]);
  }

  /// Adds `o`'s journeys into this one, journey by journey.
  void merge(const journey_table& o) {
    o.for_each([this](std::uint64_t key, const peak_end_state& s) { (*this)[key].merge(s); });
  }

  /// Bytes allocated: index slots, key and state blocks.
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return slots_.capacity() * sizeof(std::uint64_t) +
           keys_.size() * block * (sizeof(std::uint64_t) + sizeof(peak_end_state)) +
           (keys_.capacity() + states_.capacity()) * sizeof(void*);
  }

 private:
  // Adds event i of a batch through `add(state, i)`, in three stages a few
  // events apart: hash the key and fetch its home slot; read the slot and
  // fetch the key and state it points to (the journey's, nearly always);
  // probe (now from cache), insert when new, add. Each stage recomputes
  // what it needs, so insertions and growth in between change nothing.
  template <class Add>
  void pipeline(std::span<const std::uint64_t> keys, Add add) {
    constexpr std::size_t ahead_slot = 8;   // events between fetching a slot and reading it
    constexpr std::size_t ahead_state = 8;  // events between reading it and adding
    constexpr std::size_t ring = 32;        // > ahead_slot + ahead_state, a power of 2
    std::array<std::uint64_t, ring> hash{};
    const std::size_t n = keys.size();
    for (std::size_t i = 0; i < n + ahead_slot + ahead_state; ++i) {
      if (i < n) {
        hash[i % ring] = detail::mix64(keys[i]);
        if (!slots_.empty()) prefetch(&slots_[hash[i % ring] & (slots_.size() - 1)]);
      }
      if (i >= ahead_slot && i - ahead_slot < n && !slots_.empty()) {
        const std::uint64_t h = hash[(i - ahead_slot) % ring];
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t p = h & mask, k = 0; k < 8; p = (p + 1) & mask, ++k) {
          const std::uint64_t e = slots_[p];
          if (e == 0) break;
          if ((e >> 32) == (h >> 32)) {
            const std::size_t at = (e & 0xFFFFFFFFU) - 1;
            prefetch(&keys_[at / block][at % block]);
            prefetch(&states_[at / block][at % block]);
            break;
          }
        }
      }
      if (i >= ahead_slot + ahead_state) {
        const std::size_t j = i - ahead_slot - ahead_state;
        add(find_or_insert(keys[j], hash[j % ring]), j);
      }
    }
  }

  static void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
  }

  [[nodiscard]] std::uint64_t key_at(std::size_t i) const noexcept { return keys_[i / block][i % block]; }

  peak_end_state& find_or_insert(std::uint64_t key, std::uint64_t hash) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint64_t e = slots_[i];
      if (e == 0) {
        if (size_ >= 0xFFFFFFFEU) throw limit_exceeded("a journey table holds at most 2^32 - 2 journeys");
        if (size_ % block == 0) {
          keys_.push_back(std::make_unique<std::uint64_t[]>(block));
          states_.push_back(std::make_unique<peak_end_state[]>(block));
        }
        const std::size_t at = size_++;
        keys_[at / block][at % block] = key;
        slots_[i] = slot(hash, at);
        return states_[at / block][at % block];
      }
      const std::size_t at = (e & 0xFFFFFFFFU) - 1;
      if ((e >> 32) == (hash >> 32) && key_at(at) == key) return states_[at / block][at % block];
    }
  }

  // A slot: the hash's high 32 bits (a fingerprint that spares loading the
  // keys of other journeys while probing) and the journey's index + 1.
  static std::uint64_t slot(std::uint64_t hash, std::size_t at) noexcept {
    return (hash & 0xFFFFFFFF00000000ULL) | static_cast<std::uint64_t>(at + 1);
  }

  void grow() {
    std::vector<std::uint64_t> slots(slots_.empty() ? 64 : slots_.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t k = 0; k < size_; ++k) {
      const std::uint64_t h = detail::mix64(key_at(k));
      std::size_t i = h & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = slot(h, k);
    }
    slots_ = std::move(slots);
  }

  std::vector<std::uint64_t> slots_;  // 0 empty, else fingerprint and index + 1
  std::vector<std::unique_ptr<std::uint64_t[]>> keys_;
  std::vector<std::unique_ptr<peak_end_state[]>> states_;
  std::size_t size_ = 0;
};

/// Journeys by dense id 0..n−1 (see the header comment).
class dense_journeys {
 public:
  dense_journeys() = default;
  /// Room for ids 0..n−1 from the start (e.g. a dictionary's size).
  explicit dense_journeys(std::size_t n) : states_(n) {}

  /// The state of journey `id`; the table grows to hold it.
  peak_end_state& operator[](std::uint32_t id) {
    if (id >= states_.size()) states_.resize(static_cast<std::size_t>(id) + 1);
    return states_[id];
  }
  /// Adds events[i] to journey ids[i], for every i, fetching each state
  /// ahead of its use; throws invalid_argument when the spans differ in length.
  void add(std::span<const std::uint32_t> ids, std::span<const journey_event> events) {
    if (ids.size() != events.size()) throw invalid_argument("dense_journeys::add needs one id per event");
    pipeline(ids, [&](peak_end_state& s, std::size_t i) { s.add(events[i]); });
  }
  /// journey_table's column form, by dense id.
  void add(std::span<const std::uint32_t> ids, std::span<const std::int64_t> times, std::span<const double> xs,
           std::uint64_t first_order, std::span<const std::uint32_t> tags = {}) {
    detail::check_event_columns(ids.size(), times, xs, tags);
    if (tags.empty()) {
      pipeline(ids, [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, 0); });
    } else {
      pipeline(ids, [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, tags[i]); });
    }
  }
  [[nodiscard]] std::size_t size() const noexcept { return states_.size(); }
  [[nodiscard]] std::span<const peak_end_state> states() const noexcept { return states_; }
  /// Adds `o`'s journeys, id by id.
  void merge(const dense_journeys& o) {
    if (o.states_.size() > states_.size()) states_.resize(o.states_.size());
    for (std::size_t i = 0; i < o.states_.size(); ++i) states_[i].merge(o.states_[i]);
  }
  [[nodiscard]] std::size_t memory_bytes() const noexcept { return states_.capacity() * sizeof(peak_end_state); }

 private:
  template <class Add>
  void pipeline(std::span<const std::uint32_t> ids, Add add) {
    std::uint32_t top = 0;
    for (const auto id : ids) top = id > top ? id : top;
    if (!ids.empty() && top >= states_.size()) states_.resize(static_cast<std::size_t>(top) + 1);
    constexpr std::size_t ahead = 16;
    const std::size_t n = ids.size();
    for (std::size_t i = 0; i < n; ++i) {
#if defined(__GNUC__) || defined(__clang__)
      if (i + ahead < n) __builtin_prefetch(&states_[ids[i + ahead]]);
#endif
      add(states_[ids[i]], i);
    }
  }

  std::vector<peak_end_state> states_;
};

}  // namespace cxm
