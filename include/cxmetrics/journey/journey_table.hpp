// Journeys in any order: one peak_end_state per journey, found by its key.
//
// Two ways to hold journeys whose events arrive in any order:
//
//   journey_table   keys are any 64-bit numbers (a journey id, or
//                   cxm::hash_text of a text id when collisions are
//                   acceptable): an open-addressing hash index (linear
//                   probing in 256 partitions by the key's hash, load ≤ ¾;
//                   64-bit slots holding a 32-bit fingerprint of the hash
//                   and the journey's index) over states kept in blocks of
//                   4096, so growing never copies a state. Memory per
//                   journey: the state (64 bytes) + its key (8) + 11–21
//                   bytes of index (more for small tables: every partition
//                   has as many slots as the fullest one needs). A bulk add
//                   of 2^16 events or more first groups its events by
//                   partition in a staging area it borrows for the call (32
//                   bytes per event, at most 2^25 events at a time), so each
//                   partition's states stay in cache while its events
//                   arrive (see staged()).
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
// Header: cxmetrics/journey/journey_table.hpp (header-only but for the
// staging and index buffers, core/large_buffer.hpp). Complexity:
// O(1) expected per event.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/large_buffer.hpp"
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

/// Storage in blocks of B values of T that never move: blocks are cut
/// from slabs of 1, 2, 4, … up to `most` blocks (each slab a
/// large_buffer, so slabs of 2 MiB and more get huge pages), so a small
/// table holds one small block and a large one a few dozen slabs.
template <class T, std::size_t B>
class block_slabs {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  /// A fresh block of B zero bytes' worth of T.
  [[nodiscard]] T* next() {
    if (slabs_.empty() || used_ == slabs_.back().size() / B) {
      const std::size_t blocks = slabs_.empty() ? 1 : std::min(slabs_.back().size() / B * 2, most());
      slabs_.emplace_back(blocks * B);
      used_ = 0;
    }
    return slabs_.back().data() + B * used_++;
  }
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    std::size_t bytes = 0;
    for (const auto& s : slabs_) bytes += s.size() * sizeof(T);
    return bytes;
  }

 private:
  // Blocks per slab at most: 2 MiB, or one block when a block is larger.
  static constexpr std::size_t most() noexcept {
    return B * sizeof(T) >= (std::size_t{2} << 20) ? 1 : (std::size_t{2} << 20) / (B * sizeof(T));
  }
  std::vector<large_buffer<T>> slabs_;
  std::size_t used_ = 0;  // blocks cut from the last slab
};

}  // namespace detail

/// Journeys by 64-bit key (see the header comment).
class journey_table {
 public:
  static constexpr std::size_t block = 4096;          ///< states per storage block
  static constexpr int partition_bits = 8;            ///< the index's partitions: 2^8
  static constexpr std::size_t stage_from = 1 << 16;  ///< bulk adds of this many events and more are staged
  static constexpr std::size_t stage_most = 1 << 25;  ///< events staged at a time by default (1 GiB)

  journey_table() = default;
  /// A table whose staged bulk adds stage at most `stage_events` events at
  /// a time (32 bytes each; 1..2^32), e.g. to bound the memory a bulk add
  /// borrows. Throws invalid_argument outside that range.
  explicit journey_table(std::size_t stage_events) : stage_events_(stage_events) {
    if (stage_events == 0 || stage_events > (std::size_t{1} << 32)) {
      throw invalid_argument("journey_table: events staged at a time must be 1..2^32");
    }
  }
  journey_table(const journey_table& o) : stage_events_(o.stage_events_) { merge(o); }
  journey_table& operator=(const journey_table& o) {
    if (this != &o) {
      journey_table t(o);
      *this = std::move(t);
    }
    return *this;
  }
  /// A moved-from table is empty.
  journey_table(journey_table&& o) noexcept { swap(o); }
  journey_table& operator=(journey_table&& o) noexcept {
    journey_table t(std::move(o));
    swap(t);
    return *this;
  }
  ~journey_table() = default;

  void swap(journey_table& o) noexcept {
    std::swap(slots_, o.slots_);
    std::swap(capacity_, o.capacity_);
    std::swap(shift_, o.shift_);
    std::swap(used_, o.used_);
    std::swap(key_slabs_, o.key_slabs_);
    std::swap(state_slabs_, o.state_slabs_);
    std::swap(keys_, o.keys_);
    std::swap(states_, o.states_);
    std::swap(size_, o.size_);
    std::swap(stage_events_, o.stage_events_);
  }

  /// The state of journey `key`, a new empty one when the key is new.
  /// Throws limit_exceeded past 2^32 − 2 journeys.
  peak_end_state& operator[](std::uint64_t key) { return find_or_insert(key, detail::mix64(key)); }

  /// Adds events[i] to journey keys[i], for every i (see the header
  /// comment). Throws invalid_argument when the spans differ in length.
  void add(std::span<const std::uint64_t> keys, std::span<const journey_event> events) {
    if (keys.size() != events.size()) throw invalid_argument("journey_table::add needs one key per event");
    if (keys.size() < stage_from) {
      pipeline(keys, [&](peak_end_state& s, std::size_t i) { s.add(events[i]); });
      return;
    }
    struct entry {
      std::uint64_t key;
      const journey_event* event;
    };
    staged<entry>(
        keys, [&](std::size_t i) { return entry{keys[i], &events[i]}; },
        [](peak_end_state& s, const entry& e) { s.add(*e.event); });
  }

  /// Adds the events of columns, the form the readers hold them in: event
  /// i is (keys[i], times[i], xs[i]) with input order first_order + i and
  /// tag tags[i] (0 for every event when tags is empty). Every x is checked
  /// first: invalid_argument names the first outside −1…1, or columns of
  /// different lengths, and nothing is added then.
  void add(std::span<const std::uint64_t> keys, std::span<const std::int64_t> times, std::span<const double> xs,
           std::uint64_t first_order, std::span<const std::uint32_t> tags = {}) {
    detail::check_event_columns(keys.size(), times, xs, tags);
    if (keys.size() < stage_from) {
      if (tags.empty()) {
        pipeline(keys, [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, 0); });
      } else {
        pipeline(keys,
                 [&](peak_end_state& s, std::size_t i) { s.add_valid(xs[i], times[i], first_order + i, tags[i]); });
      }
      return;
    }
    // The event itself travels with its key (32 bytes), so the second pass
    // reads nothing but the staging area and the partition's index.
    struct entry {
      std::uint64_t key;
      std::int64_t time;
      double x;
      std::uint32_t offset;  // from the first event of this stage
      std::uint32_t tag;
    };
    std::uint64_t base = first_order;
    staged<entry>(
        keys,
        [&](std::size_t i) {
          return entry{keys[i], times[i], xs[i], static_cast<std::uint32_t>(i % stage_events_),
                       tags.empty() ? 0U : tags[i]};
        },
        [&](peak_end_state& s, const entry& e) { s.add_valid(e.x, e.time, base + e.offset, e.tag); },
        [&](std::size_t stage_start) { base = first_order + stage_start; });
  }

  /// The state of journey `key`, or nullptr.
  [[nodiscard]] const peak_end_state* find(std::uint64_t key) const noexcept {
    if (size_ == 0) return nullptr;
    const std::uint64_t h = detail::mix64(key);
    const std::size_t mask = capacity_ - 1;
    const std::uint64_t* part = &slots_[partition(h) * capacity_];
    for (std::size_t i = home(h);; i = (i + 1) & mask) {
      const std::uint64_t e = part[i];
      if (e == 0) return nullptr;
      const std::size_t at = (e & 0xFFFFFFFFU) - 1;
      if (fingerprint(e) == fingerprint_of(h) && key_at(at) == key) return &states_[at / block][at % block];
    }
  }

  /// Journeys held.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  /// f(key, state) for every journey, in the order they were added to the
  /// table (a staged bulk add adds its new journeys partition by partition).
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
    return slots_.size() * sizeof(std::uint64_t) + key_slabs_.memory_bytes() + state_slabs_.memory_bytes() +
           (keys_.capacity() + states_.capacity()) * sizeof(void*);
  }

 private:
  static constexpr std::size_t partitions = std::size_t{1} << partition_bits;

  // THE INDEX. 2^8 partitions by the top 8 bits of the key's hash, each a
  // linear-probing table of capacity_ slots (a power of 2) in one array,
  // partition p at [p · capacity_, (p + 1) · capacity_). A key's home in its
  // partition comes from the hash bits below the partition's; a slot holds
  // the hash's low 32 bits (a fingerprint that spares loading the keys of
  // other journeys while probing) and the journey's index + 1, 0 when free.
  // Every partition grows when one would pass ¾ full. Keys sorted by
  // partition therefore probe one capacity_-slot range at a time.
  [[nodiscard]] static std::size_t partition(std::uint64_t h) noexcept { return h >> (64 - partition_bits); }
  [[nodiscard]] std::size_t home(std::uint64_t h) const noexcept { return (h << partition_bits) >> shift_; }
  [[nodiscard]] static std::uint64_t fingerprint(std::uint64_t slot) noexcept { return slot >> 32; }
  [[nodiscard]] static std::uint64_t fingerprint_of(std::uint64_t h) noexcept { return h & 0xFFFFFFFFU; }
  [[nodiscard]] static std::uint64_t slot(std::uint64_t h, std::size_t at) noexcept {
    return (h << 32) | static_cast<std::uint64_t>(at + 1);
  }

  // STAGED BULK ADDS (radix partitioning, Manegold, Boncz & Kersten 2000,
  // "Optimizing database architecture for the new bottleneck: memory
  // access", VLDB Journal 9(3)): with journeys far more than the caches
  // hold, adding events in input order costs a cache miss or three per
  // event (the slot, the key, the state). Instead the events are first
  // copied into a staging area grouped by their key's partition (a
  // histogram pass, then one sequential write stream per partition), then
  // added partition by partition: a partition's slots, keys and states
  // (about a 256th of the table) stay in cache while all its events of the
  // batch arrive, so each state is fetched once per batch instead of once
  // per event. Events keep their input order within a partition, so every
  // journey sees its events in the same order as one by one, and the
  // states equal those of the plain path bit for bit. The staging area
  // holds at most stage_events_ events (32 bytes each; 2^25 by default)
  // and is freed when the add returns; longer batches are staged in turns.
  template <class Entry, class Make, class Apply, class Start = void (*)(std::size_t)>
  void staged(std::span<const std::uint64_t> keys, Make make, Apply apply, Start start = [](std::size_t) {}) {
    const std::size_t total = keys.size();
    detail::large_buffer<Entry> area(total < stage_events_ ? total : stage_events_);
    std::vector<std::size_t> at(partitions + 1);
    for (std::size_t first = 0; first < total; first += stage_events_) {
      const std::size_t n = total - first < stage_events_ ? total - first : stage_events_;
      start(first);
      std::fill(at.begin(), at.end(), 0);
      for (std::size_t i = first; i < first + n; ++i) ++at[partition(detail::mix64(keys[i])) + 1];
      for (std::size_t p = 0; p < partitions; ++p) at[p + 1] += at[p];
      for (std::size_t i = first; i < first + n; ++i) area[at[partition(detail::mix64(keys[i]))]++] = make(i);
      for (std::size_t k = 0; k < n; ++k) {
        const Entry& e = area[k];
        apply(find_or_insert(e.key, detail::mix64(e.key)), e);
      }
    }
  }

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
        if (capacity_ != 0) prefetch(&slots_[partition(hash[i % ring]) * capacity_ + home(hash[i % ring])]);
      }
      if (i >= ahead_slot && i - ahead_slot < n && capacity_ != 0) {
        const std::uint64_t h = hash[(i - ahead_slot) % ring];
        const std::size_t mask = capacity_ - 1;
        const std::uint64_t* part = &slots_[partition(h) * capacity_];
        for (std::size_t p = home(h), k = 0; k < 8; p = (p + 1) & mask, ++k) {
          const std::uint64_t e = part[p];
          if (e == 0) break;
          if (fingerprint(e) == fingerprint_of(h)) {
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
    const std::size_t p = partition(hash);
    if (capacity_ == 0 || (used_[p] + 1) * 4 > capacity_ * 3) grow();
    const std::size_t mask = capacity_ - 1;
    std::uint64_t* part = &slots_[p * capacity_];
    for (std::size_t i = home(hash);; i = (i + 1) & mask) {
      const std::uint64_t e = part[i];
      if (e == 0) {
        if (size_ >= 0xFFFFFFFEU) throw limit_exceeded("a journey table holds at most 2^32 - 2 journeys");
        if (size_ % block == 0) {
          keys_.push_back(key_slabs_.next());
          states_.push_back(state_slabs_.next());
        }
        const std::size_t at = size_++;
        keys_[at / block][at % block] = key;
        part[i] = slot(hash, at);
        ++used_[p];
        return *::new (&states_[at / block][at % block]) peak_end_state();
      }
      const std::size_t at = (e & 0xFFFFFFFFU) - 1;
      if (fingerprint(e) == fingerprint_of(hash) && key_at(at) == key) return states_[at / block][at % block];
    }
  }

  // Doubles every partition (8 slots each at first) and puts each journey
  // back, reading the keys in order.
  void grow() {
    const std::size_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
    detail::large_buffer<std::uint64_t> slots(partitions * capacity);
    capacity_ = capacity;
    shift_ = 64 - std::countr_zero(capacity);
    const std::size_t mask = capacity - 1;
    for (std::size_t k = 0; k < size_; ++k) {
      const std::uint64_t h = detail::mix64(key_at(k));
      std::uint64_t* part = &slots[partition(h) * capacity];
      std::size_t i = home(h);
      while (part[i] != 0) i = (i + 1) & mask;
      part[i] = slot(h, k);
    }
    slots_ = std::move(slots);
  }

  detail::large_buffer<std::uint64_t> slots_;  // partitions × capacity_ slots
  std::size_t capacity_ = 0;                   // slots per partition
  int shift_ = 64;
  std::array<std::uint32_t, partitions> used_{};  // journeys per partition
  detail::block_slabs<std::uint64_t, block> key_slabs_;
  detail::block_slabs<peak_end_state, block> state_slabs_;
  std::vector<std::uint64_t*> keys_;     // blocks of `block` keys, in key_slabs_
  std::vector<peak_end_state*> states_;  // blocks of `block` states, in state_slabs_
  std::size_t size_ = 0;
  std::size_t stage_events_ = stage_most;
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
