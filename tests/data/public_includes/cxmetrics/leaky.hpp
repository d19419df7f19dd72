// A public header that breaks the rule of tests/check_public_includes.cmake
// on lines 6, 7 and 9; the test public_includes_catches expects exactly those.
#pragma once

#include <vector>
#include <boost/math/distributions/normal.hpp>
#  include <Eigen/Dense>  // indented, with a comment
#include <nlohmann/json.hpp>
#include "../src/internal.hpp"
#include "cxmetrics/core/scale.hpp"
