// One survey response, the channels it came through, and whether the issue
// was resolved.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/timestamp.hpp"

namespace cxm::inline v0_1 {

/// A contact channel, as a small integer id. Ids 0–5 are the built-in
/// channels below; user-defined channels get ids from a channel_set.
struct channel_id {
  std::uint16_t value = 5;
  friend constexpr auto operator<=>(const channel_id&, const channel_id&) = default;
};

namespace channels {
inline constexpr channel_id phone{0};
inline constexpr channel_id chat{1};
inline constexpr channel_id email{2};
inline constexpr channel_id face_to_face{3};
inline constexpr channel_id web{4};
inline constexpr channel_id other{5};
inline constexpr std::uint16_t builtin_count = 6;
}  // namespace channels

/// Maps channel labels to ids and back. Labels compare case-insensitively with
/// '-', ' ' and '_' treated alike ("Face-to-face" == "face_to_face").
///
/// A closed set rejects labels it does not know (unknown_channel); an open set
/// gives each new label the next id. Both start with the built-in channels.
/// Ids are 16-bit: a set holds at most max_labels labels.
///
/// Lookups hash the normalised label (O(label length), independent of the
/// number of labels); the set keeps each label twice (in id order and in the
/// index).
class channel_set {
 public:
  enum class policy : std::uint8_t { open, closed };

  /// Most labels a set holds (ids 0 … max_labels − 1).
  static constexpr std::size_t max_labels = 0xFFFF;

  explicit channel_set(policy p = policy::open) : policy_(p) {
    for (const char* l : {"phone", "chat", "email", "face_to_face", "web", "other"}) add(l);
  }

  /// A closed set of exactly the given labels (ids in the given order).
  /// Throws invalid_argument for a label listed twice or more than
  /// max_labels labels.
  [[nodiscard]] static channel_set closed_of(const std::vector<std::string>& labels) {
    if (labels.size() > max_labels) {
      throw invalid_argument("a channel set holds at most " + std::to_string(max_labels) + " labels, got " +
                             std::to_string(labels.size()));
    }
    channel_set s(policy::closed);
    s.names_.clear();
    s.index_.clear();
    for (const auto& l : labels) {
      if (s.find(l)) throw invalid_argument("channel label '" + l + "' is listed twice");
      s.add(normalise(l));
    }
    return s;
  }

  [[nodiscard]] policy mode() const noexcept { return policy_; }
  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }

  /// The id of a label, if known.
  [[nodiscard]] std::optional<channel_id> find(std::string_view label) const {
    const auto it = index_.find(normalise(label));
    if (it == index_.end()) return std::nullopt;
    return channel_id{it->second};
  }

  /// The id of a label; an open set adds unknown labels, a closed set throws
  /// unknown_channel naming `where` and the labels it accepts. A label that
  /// would be the (max_labels + 1)-th throws limit_exceeded naming `where`:
  /// a property of the data, not of a parameter.
  channel_id id_of(std::string_view label, const location& where = {}) {
    std::string key = normalise(label);
    if (const auto it = index_.find(key); it != index_.end()) return channel_id{it->second};
    if (policy_ == policy::closed) {
      std::string known;
      for (const auto& n : names_) known += (known.empty() ? "" : ", ") + n;
      throw unknown_channel("channel '" + std::string(label) + "' is not one of: " + known, where);
    }
    if (names_.size() >= max_labels) {
      throw limit_exceeded("channel '" + std::string(label) + "' would be distinct channel label number " +
                               std::to_string(max_labels + 1) + "; at most " + std::to_string(max_labels) +
                               " distinct channels are supported",
                           where);
    }
    return add(std::move(key));
  }

  /// Appends the labels of `longer` beyond this set's size, when this set's
  /// labels are the first ones of `longer` (a set that has only grown since
  /// it was copied). O(labels added).
  void extend_from(const channel_set& longer) {
    for (std::size_t i = names_.size(); i < longer.names_.size(); ++i) add(longer.names_[i]);
  }

  /// Canonical label of an id; throws invalid_argument for an id not in the set.
  [[nodiscard]] const std::string& name(channel_id id) const {
    if (id.value >= names_.size()) throw invalid_argument("channel id " + std::to_string(id.value) + " is not in the set");
    return names_[id.value];
  }

  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// Lower case, with '-' and ' ' turned into '_', surrounding blanks removed.
  [[nodiscard]] static std::string normalise(std::string_view label) {
    while (!label.empty() && std::isspace(static_cast<unsigned char>(label.front()))) label.remove_prefix(1);
    while (!label.empty() && std::isspace(static_cast<unsigned char>(label.back()))) label.remove_suffix(1);
    std::string out(label);
    for (auto& c : out) {
      c = (c == '-' || c == ' ') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  // Adds a normalised label that is not in the set yet.
  channel_id add(std::string key) {
    const auto id = static_cast<std::uint16_t>(names_.size());
    names_.push_back(key);
    try {
      index_.emplace(std::move(key), id);
    } catch (...) {
      names_.pop_back();
      throw;
    }
    return channel_id{id};
  }

  policy policy_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint16_t, hash, std::equal_to<>> index_;
};

/// Answer to "was your issue resolved?". Unknown is neither yes nor no.
enum class resolution : std::int8_t { no = 0, yes = 1, unknown = -1 };

[[nodiscard]] constexpr const char* to_string(resolution r) noexcept {
  switch (r) {
    case resolution::no: return "no";
    case resolution::yes: return "yes";
    case resolution::unknown: return "unknown";
  }
  return "unknown";
}

/// Parses a resolved flag: yes/no, y/n, true/false, 1/0 (any case) and, for
/// unknown, an empty field, "unknown", "na", "n/a" or "-". Anything else throws
/// invalid_value naming `where`.
[[nodiscard]] inline resolution parse_resolution(std::string_view text, const location& where = {}) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (t == "yes" || t == "y" || t == "true" || t == "1") return resolution::yes;
  if (t == "no" || t == "n" || t == "false" || t == "0") return resolution::no;
  if (t.empty() || t == "unknown" || t == "na" || t == "n/a" || t == "-") return resolution::unknown;
  throw invalid_value("resolved flag '" + std::string(text) + "' is not yes/no/true/false/1/0 or empty", where);
}

/// One survey response. Scores are optional: a response may answer only some
/// questions. Validation (scales, weight) happens when it is added to an
/// accumulator or a response_table, where the row index is known.
struct response {
  std::string id;                   ///< response id (may be empty)
  std::optional<int> nps;           ///< likelihood to recommend, 0–10
  std::optional<int> csat;          ///< satisfaction, 1–5
  std::optional<int> ces;           ///< customer effort, 1–7
  std::optional<timestamp> time;    ///< when the response was given
  channel_id channel = channels::other;
  std::string segment;              ///< customer segment / profile
  std::string agent;                ///< agent or owner responsible
  double weight = 1.0;              ///< survey weight, finite and >= 0
  resolution resolved = resolution::unknown;
  std::string why;                  ///< free-text "why" answer

  friend bool operator==(const response&, const response&) = default;
};

}  // namespace cxm
