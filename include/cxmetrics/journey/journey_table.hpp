// Journeys in any order: one peak_end_state per journey, found by its key.
//
// Two ways to hold journeys whose events arrive in any order:
//
//   journey_table   keys are any 64-bit numbers (a journey id, or
//                   cxm::hash_text of a text id when collisions are
//                   acceptable): an open-addressing hash index (linear
//                   probing, load ≤ ¾, 32-bit slots) over states kept in
//                   blocks of 4096, so growing never copies a state.
//                   Memory per journey: the state (64 bytes) + its key (8)
//                   + 4–8 bytes of index: 76–80 bytes.
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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/journey/peak_end.hpp"

namespace cxm::inline v0_1 {

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
  peak_end_state& operator[](std::uint64_t key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = detail::mix64(key) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots_[i];
      if (s == 0) {
        if (size_ >= 0xFFFFFFFEU) throw limit_exceeded("a journey table holds at most 2^32 - 2 journeys");
        if (size_ % block == 0) {
          keys_.push_back(std::make_unique<std::uint64_t[]>(block));
          states_.push_back(std::make_unique<peak_end_state[]>(block));
        }
        const std::size_t at = size_++;
        keys_[at / block][at % block] = key;
        slots_[i] = static_cast<std::uint32_t>(at + 1);
        return states_[at / block][at % block];
      }
      if (key_at(s - 1) == key) return states_[(s - 1) / block][(s - 1) % block];
    }
  }

  /// The state of journey `key`, or nullptr.
  [[nodiscard]] const peak_end_state* find(std::uint64_t key) const noexcept {
    if (size_ == 0) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = detail::mix64(key) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots_[i];
      if (s == 0) return nullptr;
      if (key_at(s - 1) == key) return &states_[(s - 1) / block][(s - 1) % block];
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
    return slots_.capacity() * sizeof(std::uint32_t) +
           keys_.size() * block * (sizeof(std::uint64_t) + sizeof(peak_end_state)) +
           (keys_.capacity() + states_.capacity()) * sizeof(void*);
  }

 private:
  [[nodiscard]] std::uint64_t key_at(std::size_t i) const noexcept { return keys_[i / block][i % block]; }

  void grow() {
    std::vector<std::uint32_t> slots(slots_.empty() ? 64 : slots_.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t k = 0; k < size_; ++k) {
      std::size_t i = detail::mix64(key_at(k)) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = static_cast<std::uint32_t>(k + 1);
    }
    slots_ = std::move(slots);
  }

  std::vector<std::uint32_t> slots_;  // 0 empty, else index + 1
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
  [[nodiscard]] std::size_t size() const noexcept { return states_.size(); }
  [[nodiscard]] std::span<const peak_end_state> states() const noexcept { return states_; }
  /// Adds `o`'s journeys, id by id.
  void merge(const dense_journeys& o) {
    if (o.states_.size() > states_.size()) states_.resize(o.states_.size());
    for (std::size_t i = 0; i < o.states_.size(); ++i) states_[i].merge(o.states_[i]);
  }
  [[nodiscard]] std::size_t memory_bytes() const noexcept { return states_.capacity() * sizeof(peak_end_state); }

 private:
  std::vector<peak_end_state> states_;
};

}  // namespace cxm
