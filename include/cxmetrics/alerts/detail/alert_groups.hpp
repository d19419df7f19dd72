// The groups of the alert engine's grouped rules (alerts/alert_engine.hpp):
// the text of a group's key mapped to a slot, slots in the order they were
// last used, and the key text itself (records name the group by it).
//
// Memory: one slot per group, at most `capacity`; a slot costs its key text
// twice (the slot's copy and the index's) and two 32-bit links. A key that is
// new when every slot is taken takes the slot of the group used least
// recently (an eviction, counted): lookups stay O(key length) and memory
// stays bounded however many groups a stream holds.
//
// Header: cxmetrics/alerts/detail/alert_groups.hpp (private to the engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/alerts/alert_rule.hpp"
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
  [[nodiscard]] const std::string& key(std::uint32_t slot) const { return keys_[slot]; }

  /// The slot of `key`, now the most recently used. `fresh` is set when the
  /// slot is new or was taken from an evicted group: its state must start
  /// empty.
  std::uint32_t find_or_add(std::string_view key, bool& fresh) {
    fresh = false;
    if (const auto it = index_.find(key); it != index_.end()) {
      touch(it->second);
      return it->second;
    }
    fresh = true;
    std::uint32_t s;
    if (keys_.size() < capacity_) {
      s = static_cast<std::uint32_t>(keys_.size());
      keys_.emplace_back(key);
      prev_.push_back(none);
      next_.push_back(none);
      index_.emplace(keys_.back(), s);
      link_front(s);
      return s;
    }
    s = tail_;  // the least recently used
    ++evicted_;
    index_.erase(keys_[s]);
    keys_[s].assign(key);
    index_.emplace(keys_[s], s);
    touch(s);
    return s;
  }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

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
  std::unordered_map<std::string, std::uint32_t, hash, std::equal_to<>> index_;
  std::vector<std::string> keys_;
  std::vector<std::uint32_t> prev_, next_;  // towards the most / least recently used
  std::uint32_t head_ = none, tail_ = none;
  std::uint64_t evicted_ = 0;
};

}  // namespace cxm::inline v0_1::detail
