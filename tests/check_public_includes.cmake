# What the public headers may include: the C++ standard library, nlohmann/json
# (the one public dependency) and cxmetrics' own headers. Anything else —
# Boost, Eigen, Highway, ReadStat — belongs to the compiled part (src/), so
# that a consumer compiles with nothing but the cxmetrics and nlohmann/json
# include directories (README, "What header-first means here").
#
#   cmake -DHEADERS_DIR=<dir> -P check_public_includes.cmake
#
# Scans every *.hpp under HEADERS_DIR and fails, naming each file and line,
# on an #include that is not
#   <name>              a standard header (no '/' and no '.': <vector>, <cmath>)
#   <nlohmann/...>      nlohmann/json
#   "cxmetrics/..."     a header of this library
# A public header that comes to need another library must add it here on
# purpose, and make it a public dependency in CMakeLists.txt, the package
# config, the pkg-config file, the Conan recipe and the vcpkg port.
cmake_minimum_required(VERSION 3.25)

if(NOT HEADERS_DIR OR NOT IS_DIRECTORY "${HEADERS_DIR}")
  message(FATAL_ERROR "check_public_includes: -DHEADERS_DIR=<directory of headers> is required")
endif()

get_filename_component(HEADERS_DIR "${HEADERS_DIR}" ABSOLUTE)
file(GLOB_RECURSE headers LIST_DIRECTORIES false "${HEADERS_DIR}/*.hpp")
list(SORT headers)
list(LENGTH headers n_headers)
if(n_headers EQUAL 0)
  message(FATAL_ERROR "check_public_includes: no *.hpp under ${HEADERS_DIR}")
endif()

set(bad)
set(n_includes 0)
foreach(h IN LISTS headers)
  file(RELATIVE_PATH rel "${HEADERS_DIR}" "${h}")
  # One list element per line: semicolons, backslashes and brackets, which
  # CMake's lists treat specially, never occur in an #include line and
  # become spaces.
  file(READ "${h}" text)
  string(REGEX REPLACE "[][;]" " " text "${text}")
  string(REPLACE "\\" " " text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(line_no 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*(.*)$")
      continue()
    endif()
    string(STRIP "${CMAKE_MATCH_1}" target)
    string(REGEX REPLACE "[ \t]*//.*$" "" target "${target}")
    math(EXPR n_includes "${n_includes} + 1")
    if(target MATCHES "^<[A-Za-z_0-9]+>$"                    # standard library
       OR target MATCHES "^<nlohmann/[A-Za-z_0-9/.]+>$"      # nlohmann/json
       OR target MATCHES "^\"cxmetrics/[A-Za-z_0-9/.]+\"$")  # this library
      continue()
    endif()
    list(APPEND bad "${rel}:${line_no}: includes ${target}")
  endforeach()
endforeach()

if(bad)
  list(LENGTH bad n_bad)
  string(JOIN "\n  " listed ${bad})
  message(FATAL_ERROR "${n_bad} #include line(s) of the public headers reach outside the standard library, "
                      "nlohmann/json and cxmetrics:\n  ${listed}")
endif()
message(STATUS "public headers: ${n_headers} headers, ${n_includes} includes, all standard, nlohmann/json or cxmetrics")
