// Times of the cases of one benchmark run, kept so that a case can report
// its ratio to a baseline or ceiling measured in the same run (the project's
// rule for speed claims): every timed iteration is recorded under its case's
// key, and a ratio is taken between medians.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bench {

/// Seconds of every timed iteration so far, by case key.
inline std::map<std::string, std::vector<double>>& seconds() {
  static std::map<std::string, std::vector<double>> s;
  return s;
}

/// Median seconds of the iterations of `key` so far, or nothing.
inline std::optional<double> median(const std::string& key) {
  const auto found = seconds().find(key);
  if (found == seconds().end() || found->second.empty()) return std::nullopt;
  std::vector<double> v = found->second;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

/// Times each iteration's call of `body` (wall clock), gives it to the
/// state as the iteration's manual time, records it under `key`, and
/// returns the median of `key` so far.
template <class Body>
std::optional<double> time_iterations(benchmark::State& state, const std::string& key, Body&& body) {
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    seconds()[key].push_back(s);
  }
  return median(key);
}

}  // namespace bench
