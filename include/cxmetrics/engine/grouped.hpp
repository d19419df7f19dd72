// group_by<Acc, Key...>: any accumulator, one per combination of keys.
//
//   // NPS and resolution per channel label and month, fed whole tables:
//   using set = cxm::metric_set<cxm::nps_accumulator, cxm::resolution_accumulator>;
//   cxm::group_by<set, cxm::by_label, cxm::by_period> g(set{}, cxm::by_label{cxm::category::channel},
//                                                       cxm::by_period{cxm::time_bucket::month});
//   g.feed(table_a);                                // a response_table; a reader's batch
//   g.feed(batch);                                  //   with io/batch_view.hpp
//   for (const auto& [key, acc] : g.groups())       // ascending (label, month)
//     use(std::get<0>(key), cxm::to_string(std::get<1>(key)), acc.get().result());
//
//   // NPS per channel (8 channels) and month (a run-time number of months):
//   cxm::group_by<cxm::nps_accumulator, cxm::dense_key<8>, cxm::dense_key<>> h(cxm::nps_accumulator{}, months);
//   h.add(channel, month, score);                  // keys first, then what Acc::add takes
//   h.at(3, 12).result();                          // channel 3, month 12
//
// Keys. Each Key is either
//   a key extractor  by_label (a category field keyed by its label) or
//                    by_period (a time keyed by its calendar period), given
//                    at construction; see engine/key_extractor.hpp. A group_by
//                    whose keys are all extractors is fed whole inputs
//                    (feed) and also takes keys one row at a time (a label,
//                    a period or a timestamp);
//   dense_key<N>     a small integer 0 <= k < N (channel id, month index), or
//   dense_key<>      the same with N given at construction, or
//   any other type   (std::uint64_t agent id, std::string segment, ...): regular,
//                    totally ordered and hashable with std::hash.
// When every key is dense the groups live in one flat array of
// N0·N1·…·Nm cells (row-major, last key fastest, as engine/group_by.hpp; at
// most max_dense_groups cells), created on first use; otherwise in a hash map
// from the key tuple. A dense key outside 0..N−1 throws invalid_value.
//
// Order. groups() and result() list the groups by ascending key tuple
// (std::tuple's operator<), whatever the insertion order, the storage or the
// hash function: a dense grouping walks its array, a hashed one sorts.
//
// State. A group exists once a row or a part was added under its key, even
// an input that adds no response (a response without the score read); a new
// group starts as a copy of the prototype, an empty Acc (e.g. on another
// scale than the default).
// The state is (prototype, extractors, shape, groups), all reachable:
// prototype(), extractors(), shape(), groups(); with_shape(), the
// constructor and insert() rebuild it from those parts. count() sums the
// groups' counts; empty() is count() == 0.
//
// Merge and errors. merge() needs the same extractors and shape and
// prototypes that merge (so, e.g., the same scale and cut points); it throws
// incompatible_merge otherwise, before anything changes. add() of one row is
// all-or-nothing: a group it created is removed again when Acc::add throws.
// feed() and add_columns() count the whole input (checking every row) before
// any group changes: the histogram path then adds each cell's counts into its
// group in place, the row loop merges fresh states; so an error (naming the
// first bad row, the input's first row number + index, and the field)
// changes nothing.
//
// Columns. feed(view) (all keys extractors) adds every row of a
// response_view (engine/response_view.hpp: view_of a response_table, or of a
// response_batch in io/batch_view.hpp); feed(t) takes anything view_of(t)
// accepts. add_columns(keys, values...) (all keys dense) takes one
// engine::key_column per key (cardinality equal to the grouping's) and value
// columns in response_table's layout (missing_score 255 for a missing score).
// Both follow engine/grouped_feed.hpp: the SIMD grouped kernel
// (engine::count_scores_by) whenever Acc is histogram-backed (a metric_set,
// or one accumulator with a column_reader), the row loop otherwise, with the
// same groups, counts and weight sums as adding the rows one by one (each row
// as a cxm::response). feed_options::path = feed_path::rows forces the loop.
// add_columns(keys, scores) likewise counts a score column for a
// histogram-backed Acc; with weights it loops over the rows.
//
// Header: cxmetrics/engine/grouped.hpp. Complexity: add O(1) expected
// (hashed) or O(1) (dense) plus Acc::add; feed one engine pass per column
// read plus, per cell holding rows, one lookup of its group (each key's part
// and hash found once per local id of the input) and the addition of its
// counts (see grouped_feed.hpp); groups() O(G log G) hashed,
// O(cells) dense; merge O(G) merges of Acc.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/group_keys.hpp"
#include "cxmetrics/engine/grouped_feed.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/engine/response_view.hpp"

namespace cxm::inline v0_1 {

/// One accumulator per key combination (see the header comment).
template <accumulator Acc, group_key... Key>
  requires(sizeof...(Key) > 0)
class group_by {
 public:
  static constexpr std::size_t key_count = sizeof...(Key);
  /// True when every key is dense (flat array storage, columnar input).
  static constexpr bool all_dense = (detail::key_traits<Key>::dense && ...);
  /// Number of dense_key<> keys, whose cardinality the constructor takes.
  static constexpr std::size_t dynamic_keys = ((detail::key_traits<Key>::dynamic ? 1U : 0U) + ...);
  /// True when every key is a key extractor (whole inputs through feed).
  static constexpr bool all_extractors = (detail::key_traits<Key>::extractor && ...);

  using accumulator_type = Acc;
  using key_type = std::tuple<typename detail::key_traits<Key>::value_type...>;
  /// Cardinality per key; 0 for a hashed key.
  using shape_type = std::array<std::uint32_t, key_count>;
  /// A group: its key and its accumulator.
  using entry = std::pair<key_type, std::reference_wrapper<const Acc>>;
  using result_type = std::vector<std::pair<key_type, typename Acc::result_type>>;
  /// The extractor of each key (detail::no_extractor for other keys).
  using extractors_type = std::tuple<typename detail::key_traits<Key>::extractor_type...>;

  static_assert(!all_dense || (std::size_t{detail::key_traits<Key>::dynamic ? 1U : detail::key_traits<Key>::cardinality} *
                               ...) <= max_dense_groups,
                "the dense keys make more than max_dense_groups cells; use a hashed key");

  /// Groups of default-constructed accumulators; a dense_key<> has cardinality
  /// 0 (no key fits) until assigned from a grouping that has one.
  group_by() : group_by(Acc{}, static_shape(), unchecked{}) {}

  /// New groups start as `prototype` (which must be empty); one cardinality
  /// per dense_key<>, in key order. Throws invalid_argument.
  template <class... C>
    requires(sizeof...(C) == dynamic_keys && (std::convertible_to<C, std::uint32_t> && ...))
  explicit group_by(Acc prototype, C... cardinalities)
      : group_by(with_shape(std::move(prototype), fill_shape({static_cast<std::uint32_t>(cardinalities)...}))) {}

  /// New groups start as `prototype` (which must be empty); keys are read by
  /// the given extractors, in key order. Throws invalid_argument.
  explicit group_by(Acc prototype, Key... extractors)
    requires all_extractors
      : group_by(std::move(prototype)) {
    extractors_ = extractors_type(std::move(extractors)...);
  }

  /// Rebuilds an empty grouping from its parts: the prototype (empty) and one
  /// cardinality per key (that of a dense_key<N> is N; of a dense_key<> any,
  /// 0 accepting no key; of a hashed key 0). Throws invalid_argument.
  [[nodiscard]] static group_by with_shape(Acc prototype, const shape_type& shape) {
    if (!prototype.empty()) throw invalid_argument("the prototype of a group_by must be empty");
    for (std::size_t j = 0; j < key_count; ++j) {
      const auto want = static_shape()[j];
      const bool ok = !dense_at(j) ? shape[j] == 0 : dynamic_at(j) || shape[j] == want;
      if (!ok) {
        throw invalid_argument("key " + std::to_string(j) + " of this group_by " +
                               (!dense_at(j) ? std::string("is hashed and takes cardinality 0")
                                             : "has cardinality " + std::to_string(want)) +
                               ", got " + std::to_string(shape[j]));
      }
    }
    return group_by(std::move(prototype), shape, unchecked{});
  }

  // ------------------------------------------------------------- rows

  /// add(k0, ..., km, input...): adds `input...` (forwarded to Acc::add) to the
  /// group of the keys, creating it from the prototype. All-or-nothing.
  template <class... Args>
    requires(sizeof...(Args) > key_count)
  void add(Args&&... args) {
    auto all = std::forward_as_tuple(std::forward<Args>(args)...);
    [&]<std::size_t... I, std::size_t... J>(std::index_sequence<I...>, std::index_sequence<J...>) {
      const auto slot = acquire(make_key(std::get<I>(all)...));
      try {
        slot.acc->add(std::forward<std::tuple_element_t<key_count + J, std::tuple<Args&&...>>>(
            std::get<key_count + J>(all))...);
      } catch (...) {
        release(slot);
        throw;
      }
    }(std::make_index_sequence<key_count>{}, std::make_index_sequence<sizeof...(Args) - key_count>{});
  }

  /// Adds the parts of a group: merges `acc` into the group of `key`, creating
  /// it when new. Throws invalid_value for a dense key out of range and
  /// incompatible_merge when `acc` does not merge with the prototype.
  void insert(const key_type& key, const Acc& acc) {
    key_type checked = checked_key(key);
    Acc probe = prototype_;
    probe.merge(acc);  // same scale as the prototype, or throws
    const auto slot = acquire(std::move(checked));
    if (slot.created) {
      *slot.acc = std::move(probe);
    } else {
      slot.acc->merge(acc);
    }
  }

  // ------------------------------------------------------------- columns

  /// Adds every row of `v` (see the header comment). Throws the error of the
  /// first bad row, changing nothing.
  void feed(const response_view& v, const feed_options& fo = {})
    requires all_extractors && response_accumulator<Acc>
  {
    engine::count_options co;
    co.threads = fo.threads;
    co.level = fo.level;
    co.first_row = v.first_row;
    if constexpr (detail::histogram_feed<Acc>::value) {
      if (fo.path == feed_path::automatic) {
        // A time outside the sampled span of periods fails the count: count
        // again over the exact span; any other error goes to the row loop.
        for (const auto mode : {detail::span_mode::sampled, detail::span_mode::exact}) {
          const auto locals = local_keys(v, mode);
          bool failed = false;
          if (const auto counted =
                  detail::count_cells(v.values, v.rows, columns_of_keys(locals), prototype_, co, failed)) {
            add_cells(*counted, locals);
            return;
          }
          if (!failed || !has_time_key) break;
        }
      }
    }
    const auto locals = local_keys(v, detail::span_mode::exact);
    absorb(detail::states_by_rows(v.values, v.rows, columns_of_keys(locals), prototype_, v.first_row), locals);
  }
  /// feed(view_of(input), fo): a response_table, or a response_batch with io/batch_view.hpp.
  template <class Input>
    requires(!std::same_as<std::remove_cvref_t<Input>, response_view>) && requires(const Input& in) { view_of(in); }
  void feed(const Input& input, const feed_options& fo = {})
    requires all_extractors && response_accumulator<Acc>
  {
    feed(view_of(input), fo);
  }

  /// Score columns: one key column per key, a column of scores (missing_score
  /// rows create their group but add no score). See the header comment.
  void add_columns(std::span<const engine::key_column> keys, std::span<const std::uint8_t> scores,
                   const engine::count_options& o = {})
    requires all_dense && requires(Acc& a, int s, const location& l) { a.add(s, l); }
  {
    check_key_columns(keys, scores.size());
    if constexpr (histogram_backed<Acc>) {
      if (auto states = detail::states_by_scores(scores, keys, prototype_, o)) {
        absorb(std::move(*states));
        return;
      }
    }
    add_rows(keys, scores.size(), o, [&](Acc& a, std::size_t i, std::uint64_t row) {
      if (scores[i] != engine::missing_score) a.add(static_cast<int>(scores[i]), at_row(row, o.score_field));
    });
  }
  void add_columns(std::span<const engine::key_column> keys, std::span<const std::uint8_t> scores,
                   std::span<const float> weights, const engine::count_options& o = {})
    requires all_dense && requires(Acc& a, int s, double w, const location& l) { a.add(s, w, l); }
  {
    add_weighted_scores(keys, scores, weights, o);
  }
  void add_columns(std::span<const engine::key_column> keys, std::span<const std::uint8_t> scores,
                   std::span<const double> weights, const engine::count_options& o = {})
    requires all_dense && requires(Acc& a, int s, double w, const location& l) { a.add(s, w, l); }
  {
    add_weighted_scores(keys, scores, weights, o);
  }

  /// Response columns (response_table's layout), each row as a cxm::response
  /// holding its nps, csat, ces, resolved and weight (see the header comment).
  void add_columns(std::span<const engine::key_column> keys, const response_columns& values,
                   const engine::count_options& o = {})
    requires all_dense && response_accumulator<Acc>
  {
    const std::size_t rows = rows_of(values);
    check_key_columns(keys, rows);
    if constexpr (detail::histogram_feed<Acc>::value) {
      bool failed = false;
      if (const auto counted = detail::count_cells(values, rows, keys, prototype_, o, failed)) {
        detail::add_cells<Acc>(*counted, [&](std::size_t cell) -> Acc& {
          auto& slot = cells_[cell];  // dense: the cell is the group's
          if (!slot) {
            slot.emplace(prototype_);
            ++groups_;
          }
          return *slot;
        });
        return;
      }
    }
    absorb(detail::states_by_rows(values, rows, keys, prototype_, o.first_row));
  }

  // ------------------------------------------------------------- merge

  /// Merges group by group (see the header comment). Throws incompatible_merge.
  void merge(const group_by& other) {
    if (extractors_ != other.extractors_) {
      throw incompatible_merge("cannot merge group_by states whose keys are extracted differently (another field, "
                               "time bucket or UTC offset)");
    }
    if (shape_ != other.shape_) {
      throw incompatible_merge("cannot merge group_by states with different key cardinalities " +
                               shape_text(shape_) + " and " + shape_text(other.shape_));
    }
    {
      Acc probe = prototype_;
      probe.merge(other.prototype_);
    }
    if constexpr (all_dense) {
      for (std::size_t i = 0; i < other.cells_.size(); ++i) {
        if (!other.cells_[i]) continue;
        if (cells_[i]) {
          cells_[i]->merge(*other.cells_[i]);
        } else {
          cells_[i] = other.cells_[i];
          ++groups_;
        }
      }
    } else {
      for (const auto& [key, acc] : other.cells_) {
        const auto it = cells_.find(key);
        if (it != cells_.end()) {
          it->second.merge(acc);
        } else {
          cells_.emplace(key, acc);
        }
      }
    }
  }

  // ------------------------------------------------------------- queries

  /// Number of groups.
  [[nodiscard]] std::size_t size() const noexcept {
    if constexpr (all_dense) {
      return groups_;
    } else {
      return cells_.size();
    }
  }
  /// Responses added, over all groups.
  [[nodiscard]] std::uint64_t count() const noexcept {
    std::uint64_t n = 0;
    for_each_group([&](const Acc& a) { n += a.count(); });
    return n;
  }
  [[nodiscard]] bool empty() const noexcept { return count() == 0; }

  /// The group of the keys, or nullptr (also for a dense key out of range).
  template <class... K>
    requires(sizeof...(K) == key_count)
  [[nodiscard]] const Acc* find(const K&... keys) const {
    const bool fits = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return ((!dense_at(I) || in_range(keys, shape_[I])) && ...);
    }(std::index_sequence_for<K...>{});
    if (!fits) return nullptr;
    const key_type key = make_key(keys...);
    if constexpr (all_dense) {
      const auto& cell = cells_[flat_of(key)];
      return cell ? &*cell : nullptr;
    } else {
      const auto it = cells_.find(key);
      return it == cells_.end() ? nullptr : &it->second;
    }
  }
  /// The group of the keys. Throws invalid_argument when there is none.
  template <class... K>
    requires(sizeof...(K) == key_count)
  [[nodiscard]] const Acc& at(const K&... keys) const {
    if (const Acc* a = find(keys...)) return *a;
    std::string text;
    std::size_t j = 0;
    ((text += (j++ == 0 ? "" : ", ") + detail::key_text(keys)), ...);
    throw invalid_argument("group_by has no group with key (" + text + ")");
  }

  /// Every group with its key, by ascending key.
  [[nodiscard]] std::vector<entry> groups() const {
    std::vector<entry> out;
    out.reserve(size());
    if constexpr (all_dense) {
      for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (cells_[i]) out.emplace_back(key_of(i), std::cref(*cells_[i]));
      }
    } else {
      for (const auto& [key, acc] : cells_) out.emplace_back(key, std::cref(acc));
      std::sort(out.begin(), out.end(), [](const entry& a, const entry& b) { return a.first < b.first; });
    }
    return out;
  }
  /// Every group's result with its key, by ascending key.
  [[nodiscard]] result_type result() const {
    result_type out;
    for (const auto& [key, acc] : groups()) out.emplace_back(key, acc.get().result());
    return out;
  }

  /// The accumulator new groups start from.
  [[nodiscard]] const Acc& prototype() const noexcept { return prototype_; }
  /// Cardinality per key (0 for hashed keys).
  [[nodiscard]] const shape_type& shape() const noexcept { return shape_; }
  /// The extractor of each key (detail::no_extractor for keys that are not).
  [[nodiscard]] const extractors_type& extractors() const noexcept { return extractors_; }

  friend bool operator==(const group_by&, const group_by&) = default;

 private:
  struct unchecked {};
  using storage = std::conditional_t<all_dense, std::vector<std::optional<Acc>>,
                                     std::unordered_map<key_type, Acc, detail::key_tuple_hash, detail::key_tuple_equal>>;
  struct slot {
    Acc* acc;
    bool created;
    key_type key;
  };

  group_by(Acc prototype, const shape_type& shape, unchecked) : prototype_(std::move(prototype)), shape_(shape) {
    if constexpr (all_dense) {
      std::size_t cells = 1;
      for (auto c : shape_) {
        if (c != 0 && cells > max_dense_groups / c) {
          throw invalid_argument("a dense group_by of cardinalities " + shape_text(shape_) + " has more than " +
                                 std::to_string(max_dense_groups) + " cells; use a hashed key");
        }
        cells *= c;
      }
      cells_.resize(cells);
    }
  }

  static constexpr shape_type static_shape() noexcept { return {detail::key_traits<Key>::cardinality...}; }
  static constexpr bool dense_at(std::size_t j) noexcept {
    constexpr std::array<bool, key_count> d{detail::key_traits<Key>::dense...};
    return d[j];
  }
  static constexpr bool dynamic_at(std::size_t j) noexcept {
    constexpr std::array<bool, key_count> d{detail::key_traits<Key>::dynamic...};
    return d[j];
  }
  /// The static shape with the dynamic cardinalities filled in, in order.
  static shape_type fill_shape(const std::array<std::uint32_t, dynamic_keys>& dynamic) {
    shape_type s = static_shape();
    std::size_t d = 0;
    for (std::size_t j = 0; j < key_count; ++j) {
      if (dynamic_at(j)) s[j] = dynamic[d++];
    }
    return s;
  }
  static std::string shape_text(const shape_type& s) {
    std::string out = "(";
    for (std::size_t j = 0; j < s.size(); ++j) out += (j == 0 ? "" : ", ") + std::to_string(s[j]);
    return out + ")";
  }

  template <class T>
  static bool in_range(const T& k, std::uint32_t cardinality) noexcept {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return std::cmp_greater_equal(k, 0) && std::cmp_less(k, cardinality);
    } else {
      return false;
    }
  }

  template <std::size_t J>
  using part_type = std::tuple_element_t<J, key_type>;

  template <std::size_t J, class T>
  part_type<J> key_part(const T& k) const {
    if constexpr (detail::key_traits<std::tuple_element_t<J, std::tuple<Key...>>>::dense) {
      static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "a dense key must be an integer");
      if (!in_range(k, shape_[J])) {
        throw invalid_value("key " + detail::key_text(k) + " is not below the cardinality " +
                                std::to_string(shape_[J]) + " of key " + std::to_string(J),
                            at_field("key " + std::to_string(J)));
      }
      return static_cast<std::uint32_t>(k);
    } else if constexpr (detail::key_traits<std::tuple_element_t<J, std::tuple<Key...>>>::extractor) {
      return std::get<J>(extractors_).key_of(k);
    } else {
      return part_type<J>(k);
    }
  }

  template <class... K>
  key_type make_key(const K&... keys) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return key_type(key_part<I>(keys)...);
    }(std::index_sequence_for<K...>{});
  }

  /// `key` checked (dense keys in range, periods of the right bucket) and
  /// normalised (channel labels).
  [[nodiscard]] key_type checked_key(const key_type& key) const {
    return std::apply([&](const auto&... k) { return make_key(k...); }, key);
  }

  [[nodiscard]] std::size_t flat_of(const key_type& key) const noexcept {
    std::size_t flat = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((flat = flat * shape_[I] + std::get<I>(key)), ...);
    }(std::make_index_sequence<key_count>{});
    return flat;
  }
  [[nodiscard]] key_type key_of(std::size_t flat) const {
    std::array<std::uint32_t, key_count> k{};
    for (std::size_t j = key_count; j-- > 0;) {
      k[j] = static_cast<std::uint32_t>(flat % shape_[j]);
      flat /= shape_[j];
    }
    return [&]<std::size_t... I>(std::index_sequence<I...>) { return key_type(k[I]...); }(
               std::make_index_sequence<key_count>{});
  }

  /// The group of a checked key, created from the prototype when new.
  slot acquire(key_type key) {
    if constexpr (all_dense) {
      auto& cell = cells_[flat_of(key)];
      const bool created = !cell;
      if (created) {
        cell.emplace(prototype_);
        ++groups_;
      }
      return slot{&*cell, created, std::move(key)};
    } else {
      const auto [it, created] = cells_.try_emplace(key, prototype_);
      return slot{&it->second, created, std::move(key)};
    }
  }
  /// Removes the group `s` created.
  void release(const slot& s) noexcept {
    if (!s.created) return;
    if constexpr (all_dense) {
      cells_[flat_of(s.key)].reset();
      --groups_;
    } else {
      cells_.erase(s.key);
    }
  }

  template <class F>
  void for_each_group(F&& f) const {
    if constexpr (all_dense) {
      for (const auto& c : cells_) {
        if (c) f(*c);
      }
    } else {
      for (const auto& [key, acc] : cells_) f(acc);
    }
  }

  /// Moves the groups of `fresh` (same prototype and shape) into this one.
  void take(group_by&& fresh) {
    if (size() == 0) {
      cells_ = std::move(fresh.cells_);
      groups_ = fresh.groups_;
    } else {
      merge(fresh);
    }
  }

  void check_key_columns(std::span<const engine::key_column> keys, std::size_t rows) const {
    if (keys.size() != key_count) {
      throw invalid_argument("this group_by has " + std::to_string(key_count) + " keys, got " +
                             std::to_string(keys.size()) + " key columns");
    }
    for (std::size_t j = 0; j < key_count; ++j) {
      if (keys[j].size() != rows) {
        throw invalid_argument("key column '" + keys[j].name() + "' has " + std::to_string(keys[j].size()) +
                                   " rows, the value columns " + std::to_string(rows),
                               at_field(keys[j].name()));
      }
      if (keys[j].cardinality() != shape_[j]) {
        throw invalid_argument("key column '" + keys[j].name() + "' has cardinality " +
                                   std::to_string(keys[j].cardinality()) + " but key " + std::to_string(j) +
                                   " of this group_by has " + std::to_string(shape_[j]),
                               at_field(keys[j].name()));
      }
    }
  }

  /// Rows 0..rows−1 into a fresh grouping: add_row(acc, i, row number) for
  /// the group of each row; then merged in. A row whose key is out of range
  /// reports its value's error first (as the engine does), then the key's.
  template <class AddRow>
  void add_rows(std::span<const engine::key_column> keys, std::size_t rows, const engine::count_options& o,
                AddRow add_row) {
    group_by fresh(prototype_, shape_, unchecked{});
    for (std::size_t i = 0; i < rows; ++i) {
      const std::uint64_t row = o.first_row + i;
      std::size_t flat = 0;
      for (std::size_t j = 0; j < key_count; ++j) {
        const std::uint32_t k = keys[j][i];
        if (k >= shape_[j]) {
          Acc probe = prototype_;
          add_row(probe, i, row);
          throw invalid_value("key " + std::to_string(k) + " is not below the cardinality " +
                                  std::to_string(shape_[j]) + " of '" + keys[j].name() + "'",
                              at_row(row, keys[j].name()));
        }
        flat = flat * shape_[j] + k;
      }
      auto& cell = fresh.cells_[flat];
      if (!cell) {
        cell.emplace(prototype_);
        ++fresh.groups_;
      }
      add_row(*cell, i, row);
    }
    take(std::move(fresh));
  }

  template <class W>
  void add_weighted_scores(std::span<const engine::key_column> keys, std::span<const std::uint8_t> scores,
                           std::span<const W> weights, const engine::count_options& o) {
    check_key_columns(keys, scores.size());
    if (weights.size() != scores.size()) {
      throw invalid_argument("the score column has " + std::to_string(scores.size()) + " rows but '" +
                                 o.weight_field + "' has " + std::to_string(weights.size()),
                             at_field(o.weight_field));
    }
    add_rows(keys, scores.size(), o, [&](Acc& a, std::size_t i, std::uint64_t row) {
      const double w = static_cast<double>(weights[i]);
      if (scores[i] == engine::missing_score) {
        check_weight(w, at_row(row, o.weight_field));
        return;
      }
      try {
        a.add(static_cast<int>(scores[i]), w, at_row(row, o.score_field));
      } catch (const invalid_weight& e) {
        throw invalid_weight(e.reason(), at_row(row, o.weight_field));
      }
    });
  }

  // A by_field may hold a time key: its failed count is retried too.
  static constexpr bool has_time_key = ((std::is_same_v<typename detail::key_traits<Key>::extractor_type, by_period> ||
                                         std::is_same_v<typename detail::key_traits<Key>::extractor_type, by_field>) ||
                                        ...);

  /// The keys of an input by every extractor (engine/key_extractor.hpp).
  [[nodiscard]] auto local_keys(const response_view& v, detail::span_mode mode) const {
    return std::apply([&](const auto&... e) { return std::make_tuple(detail::keys_of(e, v, mode)...); }, extractors_);
  }
  template <class Locals>
  [[nodiscard]] static std::array<engine::key_column, key_count> columns_of_keys(const Locals& locals) {
    return std::apply([](const auto&... l) { return std::array<engine::key_column, key_count>{l.column...}; }, locals);
  }

  /// Merges the states of the cells of an input into the groups; a cell's key
  /// is that of its key columns' values (dense: the cell is the group's).
  /// Nothing here throws but bad_alloc: the states grew from the prototype.
  template <class Locals = std::tuple<>>
  void absorb(detail::cell_states<Acc> states, const Locals& locals = {}) {
    for (auto& [cell, acc] : states) {
      if constexpr (all_dense) {
        auto& slot = cells_[cell];
        if (slot) {
          slot->merge(acc);
        } else {
          slot.emplace(std::move(acc));
          ++groups_;
        }
      } else {
        const key_type key = key_of_cell(cell, locals);
        const auto it = cells_.find(key);
        if (it != cells_.end()) {
          it->second.merge(acc);
        } else {
          cells_.emplace(key, std::move(acc));
        }
      }
    }
  }
  /// The counted cells of an input into the groups of their keys, in place
  /// (grouped_feed.hpp add_cells). Each key's part and hash are found once
  /// per local id (dictionary id, period) the input uses, and a group once
  /// per cell, by a probe of those: no key is built but a new group's.
  template <class Locals>
  void add_cells(const detail::counted_cells& counted, const Locals& locals) {
    static_assert(!all_dense);
    auto parts = [&]<std::size_t... J>(std::index_sequence<J...>) {
      return std::make_tuple(
          std::vector<std::optional<std::pair<part_type<J>, std::uint64_t>>>(std::get<J>(locals).column.cardinality())...);
    }(std::make_index_sequence<key_count>{});
    detail::add_cells<Acc>(counted, [&](std::size_t cell) -> Acc& {
      return [&]<std::size_t... J>(std::index_sequence<J...>) -> Acc& {
        std::array<std::uint32_t, key_count> ids{};
        std::size_t rest = cell;
        ((ids[key_count - 1 - J] =
              static_cast<std::uint32_t>(rest % std::get<key_count - 1 - J>(locals).column.cardinality()),
          rest /= std::get<key_count - 1 - J>(locals).column.cardinality()),
         ...);
        const auto part = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) -> const auto& {
          auto& p = std::get<I>(parts)[ids[I]];
          if (!p) {
            auto value = std::get<I>(locals).value(ids[I]);
            const auto h = static_cast<std::uint64_t>(std::hash<part_type<I>>{}(value));
            p.emplace(std::move(value), h);
          }
          return *p;
        };
        std::uint64_t h = detail::hash_seed;
        ((h = detail::hash_combine(h, part(std::integral_constant<std::size_t, J>{}).second)), ...);
        const detail::key_probe<part_type<J>...> probe{static_cast<std::size_t>(h),
                                                       {&std::get<J>(parts)[ids[J]]->first...}};
        if (const auto it = cells_.find(probe); it != cells_.end()) return it->second;
        return cells_.emplace(key_type(std::get<J>(parts)[ids[J]]->first...), prototype_).first->second;
      }(std::make_index_sequence<key_count>{});
    });
  }

  /// The key of a cell of an input's key columns (row-major, last key fastest).
  template <class Locals>
  [[nodiscard]] static key_type key_of_cell(std::size_t cell, const Locals& locals) {
    std::array<std::uint32_t, key_count> ids{};
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      std::size_t rest = cell;
      ((ids[key_count - 1 - J] =
            static_cast<std::uint32_t>(rest % std::get<key_count - 1 - J>(locals).column.cardinality()),
        rest /= std::get<key_count - 1 - J>(locals).column.cardinality()),
       ...);
    }(std::make_index_sequence<key_count>{});
    return [&]<std::size_t... J>(std::index_sequence<J...>) { return key_type(std::get<J>(locals).value(ids[J])...); }(
               std::make_index_sequence<key_count>{});
  }

  Acc prototype_;
  extractors_type extractors_{};
  shape_type shape_{};
  storage cells_;
  std::size_t groups_ = 0;  // engaged cells of a dense grouping (0 when hashed)
};

}  // namespace cxm
