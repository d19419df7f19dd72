// The cool-downs of one alert rule (alerts/alert_engine.hpp): cool-down key
// text -> the time of its last alert.
//
// An open-addressing table (linear probing, at most half full, power-of-two
// size) of 16-byte cells (the key's hash and the time) beside the cells'
// keys, so that a lookup is one hash of the key (alert_key_hash of
// alerts/detail/alert_groups.hpp, computed once per record by the caller)
// and a short probe, an insert allocates nothing once the table has grown (a
// key of up to 15 bytes, "id=C123456", sits in its std::string's own
// buffer; a longer one allocates only where its cell has not held one as
// long), and prune() reads 16 bytes a cell. Entries leave only by prune(),
// which rebuilds the table from the entries it keeps.
//
// Header: cxmetrics/alerts/detail/alert_cooldowns.hpp (private to the engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1::detail {

class alert_cooldowns {
 public:
  /// The time of the last alert of `key` (hash `h`: alert_key_hash of
  /// key), or null.
  [[nodiscard]] const timestamp* find(std::string_view key, std::uint64_t h) const noexcept {
    if (cells_.empty()) return nullptr;
    h = code(h);
    for (std::size_t i = h & mask_; cells_[i].hash != 0; i = (i + 1) & mask_) {
      if (cells_[i].hash == h && keys_[i] == key) return &cells_[i].time;
    }
    return nullptr;
  }

  /// The last alert of `key` (hash `h`) is now at `t`.
  void set(std::string_view key, std::uint64_t h, timestamp t) {
    h = code(h);
    if (2 * (size_ + 1) > cells_.size()) rebuild(cells_.empty() ? 16 : 2 * cells_.size(), [](timestamp) { return false; });
    std::size_t i = h & mask_;
    for (; cells_[i].hash != 0; i = (i + 1) & mask_) {
      if (cells_[i].hash == h && keys_[i] == key) {
        cells_[i].time = t;
        return;
      }
    }
    cells_[i] = cell{h, t};
    keys_[i].assign(key);
    ++size_;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  /// Drops every entry for which `drop(time)` holds.
  template <class Pred>
  void prune(Pred drop) {
    rebuild(cells_.size(), drop);
  }

 private:
  struct cell {
    std::uint64_t hash = 0;  // 0: empty (code() never gives 0)
    timestamp time{};
  };

  static std::uint64_t code(std::uint64_t h) noexcept { return h == 0 ? 1 : h; }

  // The table again with `n` cells, holding the entries `drop` keeps (their
  // key strings moved, by swaps, through keep_keys_).
  template <class Pred>
  void rebuild(std::size_t n, Pred drop) {
    if (n == 0) return;
    keep_.clear();
    std::size_t m = 0;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      if (cells_[i].hash == 0 || drop(cells_[i].time)) continue;
      keep_.push_back(cells_[i]);
      if (m == keep_keys_.size()) keep_keys_.emplace_back();
      keep_keys_[m++].swap(keys_[i]);
    }
    cells_.assign(n, cell{});
    if (keys_.size() < n) keys_.resize(n);
    mask_ = n - 1;
    for (std::size_t j = 0; j < keep_.size(); ++j) {
      std::size_t i = keep_[j].hash & mask_;
      while (cells_[i].hash != 0) i = (i + 1) & mask_;
      cells_[i] = keep_[j];
      keys_[i].swap(keep_keys_[j]);
    }
    size_ = keep_.size();
  }

  std::vector<cell> cells_;          // power-of-two size, at most half full
  std::vector<std::string> keys_;    // per cell: its key (at least cells_.size() of them)
  std::vector<cell> keep_;           // rebuild(): the entries kept
  std::vector<std::string> keep_keys_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace cxm::inline v0_1::detail
