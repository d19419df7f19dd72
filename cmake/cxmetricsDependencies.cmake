# The versions of cxmetrics' dependencies, in one place. CMakeLists.txt finds
# the dependencies in these ranges, the installed cxmetricsConfig.cmake finds
# them again from the same lowest versions (cmake/cxmetricsConfig.cmake.in),
# and the packaging tests check that the Conan recipe's version ranges
# (conan/conanfile.py) and the vcpkg port's "version>=" constraints
# (packaging/vcpkg-overlay-ports/cxmetrics/vcpkg.json) say the same.
#
# Each range is [CXMETRICS_<DEP>_MIN, CXMETRICS_<DEP>_BELOW):
# cxmetrics_find_package() below asks find_package for the lower end (the
# version files of Boost and nlohmann_json do not understand ranges) and
# checks the upper end itself.

# Boost: header-only parts of Math (distributions, special functions,
# quadrature, TOMS 748) and Random (mt19937, binomial_distribution), reached
# through Boost::headers; private: used by src/stats only, needed to build
# the library, not to use it.
set(CXMETRICS_BOOST_MIN 1.71)
set(CXMETRICS_BOOST_BELOW 2)
# nlohmann/json: JSON input and output; in public headers (io/json.hpp), so
# a public dependency.
set(CXMETRICS_NLOHMANN_JSON_MIN 3.9)
set(CXMETRICS_NLOHMANN_JSON_BELOW 4)
# Google Highway: the SIMD kernels of the compiled engine; private.
set(CXMETRICS_HWY_MIN 1.0)
set(CXMETRICS_HWY_BELOW 2)
# ReadStat, optional (CXMETRICS_WITH_READSTAT): SPSS, Stata and SAS input;
# private. 1.1.8 is the oldest release the tests have read files with. Its
# version is known, and so checked, only where pkg-config knows it
# (cmake/FindReadStat.cmake).
set(CXMETRICS_READSTAT_MIN 1.1.8)
set(CXMETRICS_READSTAT_BELOW 2)

# cxmetrics_find_package(<package> <DEP> [find_package arguments...])
# find_package(<package> ${CXMETRICS_<DEP>_MIN} ...); a package found with a
# known version must then be below CXMETRICS_<DEP>_BELOW.
macro(cxmetrics_find_package _cxm_pkg _cxm_dep)
  find_package(${_cxm_pkg} ${CXMETRICS_${_cxm_dep}_MIN} ${ARGN})
  if(${_cxm_pkg}_FOUND AND NOT "${${_cxm_pkg}_VERSION}" STREQUAL ""
     AND NOT ${_cxm_pkg}_VERSION VERSION_LESS CXMETRICS_${_cxm_dep}_BELOW)
    message(FATAL_ERROR "cxmetrics needs ${_cxm_pkg} ${CXMETRICS_${_cxm_dep}_MIN} or later, below "
                        "${CXMETRICS_${_cxm_dep}_BELOW}; found ${${_cxm_pkg}_VERSION}")
  endif()
endmacro()

# cxmetrics_find_eigen(): find_package(Eigen3 CONFIG REQUIRED), then the range
# of CXMETRICS_EIGEN3_MIN / _BELOW checked here.
macro(cxmetrics_find_eigen)
  find_package(Eigen3 CONFIG REQUIRED)
  if(Eigen3_VERSION VERSION_LESS CXMETRICS_EIGEN3_MIN OR NOT Eigen3_VERSION VERSION_LESS CXMETRICS_EIGEN3_BELOW)
    message(FATAL_ERROR "cxmetrics needs Eigen ${CXMETRICS_EIGEN3_MIN} or later, below "
                        "${CXMETRICS_EIGEN3_BELOW}; found ${Eigen3_VERSION}")
  endif()
endmacro()

# Eigen: the least-squares analyses (journey memory models; trends and key
# drivers) in src/; private and header-only, so needed to build the library,
# not to use it. Found without a version in find_package (cxmetrics_find_eigen
# above), because Eigen 3.4's version file accepts only 3.x requests and
# Eigen 5's only 5.x ones. 3.4 is the oldest release the tests have run with.
set(CXMETRICS_EIGEN3_MIN 3.4)
set(CXMETRICS_EIGEN3_BELOW 6)
