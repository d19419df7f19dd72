# Every namespace of the library opens inside the inline ABI namespace
# cxm::v<major>_<minor> (README, "Versions and the ABI namespace"), so that a
# program compiled against the headers of one version and linked with the
# library of another fails to link instead of running with mismatched types.
#
#   cmake -DVERSION_HEADER=<include/cxmetrics/version.hpp> -DDIRS=<dir,dir...> -P check_abi_namespace.cmake
#
# Reads the version from VERSION_HEADER and fails, naming each file and line,
# on a `namespace cxm...` opening under DIRS (*.hpp, *.cpp) that is not
# `namespace cxm::inline v<major>_<minor>[::...] {`. A line that only uses the
# namespace (`using namespace cxm;`, a comment) is not an opening.
cmake_minimum_required(VERSION 3.25)

if(NOT VERSION_HEADER OR NOT EXISTS "${VERSION_HEADER}" OR NOT DIRS)
  message(FATAL_ERROR "check_abi_namespace: -DVERSION_HEADER=<version.hpp> and -DDIRS=<directories> are required")
endif()
file(READ "${VERSION_HEADER}" version_text)
if(NOT version_text MATCHES "#define CXMETRICS_VERSION_MAJOR ([0-9]+)")
  message(FATAL_ERROR "check_abi_namespace: no CXMETRICS_VERSION_MAJOR in ${VERSION_HEADER}")
endif()
set(major "${CMAKE_MATCH_1}")
if(NOT version_text MATCHES "#define CXMETRICS_VERSION_MINOR ([0-9]+)")
  message(FATAL_ERROR "check_abi_namespace: no CXMETRICS_VERSION_MINOR in ${VERSION_HEADER}")
endif()
set(abi "v${major}_${CMAKE_MATCH_1}")
string(REPLACE "," ";" DIRS "${DIRS}")

set(bad)
set(n_open 0)
foreach(dir IN LISTS DIRS)
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${dir}/*.hpp" "${dir}/*.cpp")
  list(SORT files)
  foreach(f IN LISTS files)
    file(STRINGS "${f}" lines)
    set(line_no 0)
    foreach(line IN LISTS lines)
      math(EXPR line_no "${line_no} + 1")
      if(line MATCHES "^[ \t]*namespace[ \t]+cxm([^A-Za-z0-9_]|$)")
        math(EXPR n_open "${n_open} + 1")
        if(NOT line MATCHES "^[ \t]*namespace cxm::inline ${abi}(::[A-Za-z_][A-Za-z0-9_:]*)? {")
          string(STRIP "${line}" shown)
          list(APPEND bad "${f}:${line_no}: `${shown}` is not inside cxm::inline ${abi}")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()

if(n_open EQUAL 0)
  message(FATAL_ERROR "check_abi_namespace: no namespace cxm opens under ${DIRS}")
endif()
if(bad)
  list(LENGTH bad n_bad)
  string(REPLACE ";" "\n  " shown "${bad}")
  message(FATAL_ERROR "check_abi_namespace: ${n_bad} of ${n_open} namespace openings outside the ABI namespace:\n  ${shown}")
endif()
message(STATUS "check_abi_namespace: all ${n_open} namespace openings are inside cxm::inline ${abi}")
