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

# Eigen is not a dependency yet: no source includes it. The least-squares
# analyses (trend, key drivers) will; the directory that adds their sources
# will find it there, without a version in find_package, because Eigen 3.4's
# version file accepts only 3.x requests and Eigen 5's only 5.x ones:
#
#   find_package(Eigen3 CONFIG REQUIRED)
#   if(Eigen3_VERSION VERSION_LESS 3.3 OR NOT Eigen3_VERSION VERSION_LESS 6)
#     message(FATAL_ERROR "cxmetrics needs Eigen 3.3 to 5.x, found ${Eigen3_VERSION}")
#   endif()
#
# and link Eigen3::Eigen PRIVATE unless a public header includes Eigen; the
# recipe then gains eigen/[>=3.3.0 <6] and the port "eigen3".
