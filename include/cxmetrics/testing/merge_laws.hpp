// Checks the merge laws of the accumulator contract (engine/accumulator.hpp)
// for any accumulator, the project's own and yours:
//
//   #include <cxmetrics/testing/merge_laws.hpp>
//
//   // Qualify the namespace: GoogleTest's is ::testing.
//   const auto report = cxm::testing::check_merge_laws(
//       [] { return my_accumulator{}; },                               // an empty state
//       [](my_accumulator& a, const my_row& r, std::size_t) { a.add(r); },  // feeds one input
//       rows);                                                         // any sized range of inputs
//   EXPECT_TRUE(report) << report.message();                           // GoogleTest, or
//   REQUIRE(report.failures.empty());                                  // Catch2, doctest, assert ...
//
// The laws, over states built from consecutive parts of `inputs` (x, y, z
// the thirds, whole all of them, empty = make()):
//
//   empty           make() is empty() with count() 0
//   identity        merge(x, empty) == x and merge(empty, x) == x
//   commutativity   merge(x, y) == merge(y, x)            (unless options.commutative is false)
//   associativity   merge(merge(x, y), z) == merge(x, merge(y, z))
//   union           merge(merge(x, y), z) == whole, and count() adds up
//   split anywhere  merge(state(0..k), state(k..n)) == whole for every cut k
//                   (every k up to options.max_cuts + 1 inputs, else that many
//                   cuts spread evenly, the ends always included)
//
// States are compared with ==, so they must be exactly equal: feed integer
// counts, or weights whose sums are exact in double in any order (multiples
// of a power of two such as 1/4, as the project's tests do).
//
// Why no test framework: the report is a plain value, so the header needs
// nothing beyond the library (it is installed with it and adds no
// dependency to a consumer's build) and works under any framework; each
// failure names the law and, for a cut, where it was.
//
// Header: cxmetrics/testing/merge_laws.hpp. Complexity: O(n · cuts) adds and
// O(cuts) merges.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <string>
#include <type_traits>
#include <vector>

#include "cxmetrics/engine/accumulator.hpp"

namespace cxm::inline v0_1::testing {

/// What check_merge_laws checks beyond the laws every accumulator keeps.
struct merge_law_options {
  /// merge(x, y) == merge(y, x) is promised (it is for every cxmetrics accumulator).
  bool commutative = true;
  /// Inputs up to this many + 1 are cut at every position; longer ones at
  /// this many positions spread evenly (plus both ends).
  std::size_t max_cuts = 64;
};

/// The outcome of check_merge_laws: true when every law held.
struct merge_law_report {
  std::vector<std::string> failures;  ///< one line per law that failed

  [[nodiscard]] explicit operator bool() const noexcept { return failures.empty(); }
  /// The failures, one per line ("" when none).
  [[nodiscard]] std::string message() const {
    std::string out;
    for (const auto& f : failures) out += f + "\n";
    return out;
  }
};

namespace detail {

/// Where to cut `n` inputs (0 and n included, ascending, no repeats).
[[nodiscard]] inline std::vector<std::size_t> cut_points(std::size_t n, std::size_t max_cuts) {
  std::vector<std::size_t> cuts;
  if (n <= max_cuts + 1) {
    for (std::size_t k = 0; k <= n; ++k) cuts.push_back(k);
    return cuts;
  }
  cuts.push_back(0);
  for (std::size_t i = 1; i <= max_cuts; ++i) cuts.push_back(i * n / (max_cuts + 1));
  cuts.push_back(n);
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

}  // namespace detail

/// Checks the merge laws (see the header comment) of the accumulator that
/// `make()` creates empty and `feed(acc, input, index)` feeds, over
/// `inputs` (a sized range). Never throws for a law that fails: it is in the
/// report; an exception of make, feed or merge propagates.
template <class Make, class Feed, std::ranges::sized_range Inputs>
  requires accumulator<std::invoke_result_t<Make&>>
[[nodiscard]] merge_law_report check_merge_laws(Make make, Feed feed, const Inputs& inputs,
                                                const merge_law_options& options = {}) {
  using A = std::invoke_result_t<Make&>;
  merge_law_report report;
  const auto fail = [&](const std::string& law) { report.failures.push_back(law); };
  const auto n = static_cast<std::size_t>(std::ranges::size(inputs));
  const auto state = [&](std::size_t from, std::size_t to) {
    A acc = make();
    auto it = std::ranges::begin(inputs);
    std::advance(it, static_cast<std::ptrdiff_t>(from));
    for (std::size_t i = from; i < to; ++i, ++it) feed(acc, *it, i);
    return acc;
  };
  const auto merged = [](A l, const A& r) {
    l.merge(r);
    return l;
  };

  const A empty = make();
  if (!empty.empty() || empty.count() != 0) fail("empty: make() is not empty or counts " + std::to_string(empty.count()));
  const A x = state(0, n / 3);
  const A y = state(n / 3, 2 * n / 3);
  const A z = state(2 * n / 3, n);
  const A whole = state(0, n);

  if (!(merged(x, empty) == x)) fail("identity: merge(x, empty) != x");
  if (!(merged(empty, x) == x)) fail("identity: merge(empty, x) != x");
  if (options.commutative && !(merged(x, y) == merged(y, x))) fail("commutativity: merge(x, y) != merge(y, x)");
  const A left = merged(merged(x, y), z);
  if (!(left == merged(x, merged(y, z)))) fail("associativity: merge(merge(x, y), z) != merge(x, merge(y, z))");
  if (!(left == whole)) fail("union: merge(merge(x, y), z) != the state of all inputs");
  if (merged(x, y).count() != x.count() + y.count()) {
    fail("union: count() of merge(x, y) is " + std::to_string(merged(x, y).count()) + ", not " +
         std::to_string(x.count()) + " + " + std::to_string(y.count()));
  }
  if (n > 0 && whole.empty()) fail("union: the state of " + std::to_string(n) + " inputs is empty");

  for (const std::size_t k : detail::cut_points(n, options.max_cuts)) {
    if (!(merged(state(0, k), state(k, n)) == whole)) {
      fail("split anywhere: merge(state(0.." + std::to_string(k) + "), state(" + std::to_string(k) + ".." +
           std::to_string(n) + ")) != the state of all inputs");
    }
  }
  return report;
}

}  // namespace cxm::testing
