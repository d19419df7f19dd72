// The forward declarations must agree with the definitions: this file sees
// fwd.hpp first and then every definition through the umbrella header, so a
// declaration that names the wrong kind of type, template or enum base fails
// to compile here.
#include "cxmetrics/fwd.hpp"

#include <type_traits>

#include <gtest/gtest.h>

#include "cxmetrics/cxmetrics.hpp"

// A declaration that only needs the names compiles against fwd.hpp alone.
int cxm_fwd_names_only(const cxm::nps_accumulator*, const cxm::score_histogram*, const cxm::estimate*);

namespace {

TEST(Fwd, DeclaredTypesAreTheDefinedOnes) {
  static_assert(std::is_class_v<cxm::score_counts>);
  static_assert(std::is_enum_v<cxm::resolution>);
  static_assert(std::is_same_v<std::underlying_type_t<cxm::resolution>, std::int8_t>);
  static_assert(std::is_same_v<std::underlying_type_t<cxm::stats::p_adjust>, std::uint8_t>);
  cxm::nps_accumulator acc;
  acc.add(10);
  EXPECT_EQ(acc.count(), 1u);
}

}  // namespace
