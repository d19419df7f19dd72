// The groups of the alert engine's grouped rules (alerts/alert_engine.hpp):
// the text of a group's key mapped to a slot, slots in the order they were
// last used, and the key text itself (records name the group by it).
//
// Memory: one slot per group, at most `capacity`; a slot costs its key (the
// field values) and its text ("agent=A7"), its 64-bit hash, two 32-bit links, and two 16-byte cells of the index (an
// open-addressing table, linear probing, at most half full, power-of-two
// size, entries removed by backward shift). A key that is new when every
// slot is taken takes the slot of the group used least recently (an
// eviction, counted): lookups stay O(key length) and memory stays bounded
// however many groups a stream holds. Keys are hashed 8 bytes at a time with
// the project's mixer (core/hash.hpp).
//
// Header: cxmetrics/alerts/detail/alert_groups.hpp (private to the engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/alerts/alert_rule.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/response.hpp"

namespace cxm::inline v0_1::detail {

/// Appends "agent=A7; channel=phone" for `fields` of `r` to `out` (the text
/// of cool-down keys and of groups); `channel` is the label of r.channel.
inline void append_alert_key(std::string& out, const std::vector<alert_key_field>& fields, const response& r,
                             std::string_view channel) {
  for (const auto f : fields) {
    if (!out.empty()) out += "; ";
    out += to_string(f);
    out += '=';
    switch (f) {
      case alert_key_field::id: out += r.id; break;
      case alert_key_field::agent: out += r.agent; break;
      case alert_key_field::channel: out += channel; break;
      case alert_key_field::segment: out += r.segment; break;
    }
  }
}

/// A hash of key text for the engine's tables: 8 bytes at a time, each
/// folded in by one multiply and shift, then the project's mixer over the
/// whole (core/hash.hpp), so every bit of the result depends on every byte.
/// Not stable across byte orders; never stored.
struct alert_key_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept {
    std::uint64_t h = hash_seed ^ key.size();
    std::size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, key.data() + i, 8);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 29;
    }
    if (i < key.size()) {
      std::uint64_t w = 0;
      std::memcpy(&w, key.data() + i, key.size() - i);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 29;
    }
    return static_cast<std::size_t>(mix64(h));
  }
};

/// Key text -> slot, at most `capacity` slots, least recently used evicted.
class alert_group_table {
 public:
  static constexpr std::uint32_t none = 0xFFFFFFFFu;

  alert_group_table(std::vector<alert_key_field> fields, std::size_t capacity)
      : fields_(std::move(fields)), capacity_(capacity) {}

  [[nodiscard]] const std::vector<alert_key_field>& fields() const noexcept { return fields_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] std::uint64_t evicted() const noexcept { return evicted_; }
  /// The group's text, "agent=A7; channel=phone".
  [[nodiscard]] const std::string& label(std::uint32_t slot) const { return labels_[slot]; }

  /// The slot of r's group, now the most recently used (`channel`: the label
  /// of r.channel). `fresh` is set when the slot is new or was taken from an
  /// evicted group: its state must start empty. The lookup key is the
  /// field values alone (one: as it is; several: each after its length);
  /// the label is written only for a new group.
  std::uint32_t find_or_add(const response& r, std::string_view channel, bool& fresh) {
    std::string_view key;
    if (fields_.size() == 1) {
      key = value_of(fields_[0], r, channel);
    } else {
      buf_.clear();
      for (const auto f : fields_) {
        const auto v = value_of(f, r, channel);
        const auto n = static_cast<std::uint32_t>(v.size());
        buf_.append(reinterpret_cast<const char*>(&n), sizeof n).append(v);
      }
      key = buf_;
    }
    const std::uint32_t s = find_or_add(key, fresh);
    if (fresh) {
      labels_[s].clear();
      append_alert_key(labels_[s], fields_, r, channel);
    }
    return s;
  }

 private:
  static std::string_view value_of(alert_key_field f, const response& r, std::string_view channel) noexcept {
    switch (f) {
      case alert_key_field::id: return r.id;
      case alert_key_field::agent: return r.agent;
      case alert_key_field::channel: return channel;
      case alert_key_field::segment: return r.segment;
    }
    return {};
  }

  std::uint32_t find_or_add(std::string_view key, bool& fresh) {
    const std::uint64_t h = hash_of(key);
    if (index_.empty()) index_.assign(16, cell{});
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = h & mask; index_[i].slot != none; i = (i + 1) & mask) {
      if (index_[i].hash == h && keys_[index_[i].slot] == key) {
        fresh = false;
        touch(index_[i].slot);
        return index_[i].slot;
      }
    }
    fresh = true;
    std::uint32_t s;
    if (keys_.size() < capacity_) {
      if (2 * (keys_.size() + 1) > index_.size()) rehash(2 * index_.size());
      s = static_cast<std::uint32_t>(keys_.size());
      keys_.emplace_back(key);
      labels_.emplace_back();
      hashes_.push_back(h);
      prev_.push_back(none);
      next_.push_back(none);
      link_front(s);
    } else {
      s = tail_;  // the least recently used
      ++evicted_;
      erase(s);
      keys_[s].assign(key);
      hashes_[s] = h;
      touch(s);
    }
    insert(h, s);
    return s;
  }

  struct cell {
    std::uint64_t hash = 0;
    std::uint32_t slot = none;
  };

  static std::uint64_t hash_of(std::string_view key) noexcept { return alert_key_hash{}(key); }

  void insert(std::uint64_t h, std::uint32_t s) noexcept {
    const std::size_t mask = index_.size() - 1;
    std::size_t i = h & mask;
    while (index_[i].slot != none) i = (i + 1) & mask;
    index_[i] = cell{h, s};
  }

  // Removes slot s's cell, shifting later cells of its run back (no tombstones).
  void erase(std::uint32_t s) noexcept {
    const std::size_t mask = index_.size() - 1;
    std::size_t i = hashes_[s] & mask;
    while (index_[i].slot != s) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask; index_[j].slot != none; j = (j + 1) & mask) {
      const std::size_t home = index_[j].hash & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        index_[i] = index_[j];
        i = j;
      }
    }
    index_[i] = cell{};
  }

  void rehash(std::size_t size) {
    index_.assign(size, cell{});
    for (std::uint32_t s = 0; s < keys_.size(); ++s) insert(hashes_[s], s);
  }

  void unlink(std::uint32_t s) noexcept {
    const std::uint32_t p = prev_[s], n = next_[s];
    if (p != none) next_[p] = n; else head_ = n;
    if (n != none) prev_[n] = p; else tail_ = p;
  }
  void link_front(std::uint32_t s) noexcept {
    prev_[s] = none;
    next_[s] = head_;
    if (head_ != none) prev_[head_] = s;
    head_ = s;
    if (tail_ == none) tail_ = s;
  }
  void touch(std::uint32_t s) noexcept {
    if (head_ == s) return;
    unlink(s);
    link_front(s);
  }

  std::vector<alert_key_field> fields_;
  std::size_t capacity_;
  std::vector<cell> index_;  // power-of-two size, at most half full
  std::vector<std::string> keys_;    // per slot: the lookup key
  std::vector<std::string> labels_;  // per slot: the group's text
  std::vector<std::uint64_t> hashes_;
  std::string buf_;
  std::vector<std::uint32_t> prev_, next_;  // towards the most / least recently used
  std::uint32_t head_ = none, tail_ = none;
  std::uint64_t evicted_ = 0;
};

}  // namespace cxm::inline v0_1::detail
