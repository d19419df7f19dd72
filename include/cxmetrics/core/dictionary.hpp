// Dictionaries of labels: string_dictionary interns the labels of one
// category field as dense ids; category_dictionaries holds those of every
// category field of a schema (the channel's channel_set and one
// string_dictionary per other category field, found by field name).
//
// A category column stores ids, so two columns agree only when their ids come
// from one dictionary. A caller who reads several files into states that it
// merges by category (channel, region, ...) passes one category_dictionaries
// to every read (ingest_options::dictionaries): a label keeps the id it was
// first given, later reads only add labels, and ids agree by construction.
//
//   auto labels = std::make_shared<cxm::category_dictionaries>();
//   cxm::ingest_options o;
//   o.dictionaries = labels;
//   auto a = cxm::read_responses("march.csv", o);   // a.table.channel(): ids of labels->channels()
//   auto b = cxm::read_responses("april.csv", o);   // the same label, the same id
//
// A dictionary only grows; a read (or a table) changes it on the calling
// thread, so one object must not be used by two reads at the same time.
//
// Header: cxmetrics/core/dictionary.hpp (header-only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/schema.hpp"

namespace cxm::inline v0_1 {

/// Interns strings as dense uint32 ids. Id 0 is always the empty string, so a
/// missing label has id 0. Ids are given in order of first sight.
class string_dictionary {
 public:
  string_dictionary() {
    names_.emplace_back();
    index_.emplace(std::string(), 0U);
  }

  /// Number of distinct strings, including the empty string (id 0).
  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }

  /// The string of an id; throws invalid_argument for an unknown id.
  [[nodiscard]] const std::string& name(std::uint32_t id) const {
    if (id >= names_.size()) {
      throw invalid_argument("dictionary id " + std::to_string(id) + " is not in the dictionary (size " +
                             std::to_string(names_.size()) + ")");
    }
    return names_[id];
  }

  /// The id of a string, if it has been seen.
  [[nodiscard]] std::optional<std::uint32_t> find(std::string_view s) const {
    const auto it = index_.find(s);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  /// All strings, indexed by id.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// The id of `s`, adding it when new; `.second` says whether it was added.
  /// Strong guarantee: on failure (bad_alloc, too many strings) nothing changes.
  std::pair<std::uint32_t, bool> intern(std::string_view s) {
    if (auto id = find(s)) return {*id, false};
    if (names_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw invalid_argument("too many distinct strings for a dictionary (2^32 - 1)");
    }
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(s);
    try {
      index_.emplace(names_.back(), id);
    } catch (...) {
      names_.pop_back();
      throw;
    }
    return {id, true};
  }

  /// Removes the most recently added string (undo of an intern that added it).
  void pop_back() noexcept {
    if (names_.size() <= 1) return;
    index_.erase(names_.back());
    names_.pop_back();
  }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t, hash, std::equal_to<>> index_;
};

/// The labels of category fields: the channel set, and a string_dictionary
/// for each other category field, by field name (compared as field_key).
class category_dictionaries {
 public:
  /// Starts with these channels (default: an open set of the built-in ones)
  /// and no other labels.
  explicit category_dictionaries(channel_set channels = channel_set{}) : channels_(std::move(channels)) {}

  [[nodiscard]] channel_set& channels() noexcept { return channels_; }
  [[nodiscard]] const channel_set& channels() const noexcept { return channels_; }

  /// The dictionary of the category field `name`, made empty on first use.
  [[nodiscard]] string_dictionary& of(std::string_view name) {
    std::string key = field_key(name);
    const auto it = dictionaries_.find(key);
    if (it != dictionaries_.end()) return it->second;
    return dictionaries_.emplace(std::move(key), string_dictionary{}).first->second;
  }
  /// The dictionary of `name`, or nullptr when none was made.
  [[nodiscard]] const string_dictionary* find(std::string_view name) const {
    const auto it = dictionaries_.find(field_key(name));
    return it == dictionaries_.end() ? nullptr : &it->second;
  }

 private:
  channel_set channels_;
  std::map<std::string, string_dictionary, std::less<>> dictionaries_;  // node-based: references stay valid
};

}  // namespace cxm
