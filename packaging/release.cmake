# Writes the version, and for a release its coordinates, into the Conan
# recipe and the vcpkg port. include/cxmetrics/version.hpp is the single
# source of the version; the files below repeat it because their formats
# cannot read it, and the packaging tests fail when they disagree.
#
#   cmake -P packaging/release.cmake
#       After changing version.hpp: the port's vcpkg.json takes the version
#       (and loses its port-version and the previous release's SHA-512).
#
#   cmake -DREPOSITORY=<owner>/<name> -DARCHIVE=<file> -P packaging/release.cmake
#       A release, once the tag v<version> is pushed to GitHub: ARCHIVE is the
#       archive GitHub serves for it, downloaded from
#       https://github.com/<owner>/<name>/archive/refs/tags/v<version>.tar.gz.
#       Its SHA-512 goes into the port (portfile.cmake), its URL and SHA-256
#       into conan/conandata.yml, and https://github.com/<owner>/<name> into
#       both packages' homepage (and the recipe's url).
#
#   [-DSOURCE_DIR=<tree>]   the tree to update (default: the one holding this script)
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
set(header "${SOURCE_DIR}/include/cxmetrics/version.hpp")
set(port_manifest "${SOURCE_DIR}/packaging/vcpkg-overlay-ports/cxmetrics/vcpkg.json")
set(portfile "${SOURCE_DIR}/packaging/vcpkg-overlay-ports/cxmetrics/portfile.cmake")
set(recipe "${SOURCE_DIR}/conan/conanfile.py")
set(conandata "${SOURCE_DIR}/conan/conandata.yml")

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "release.cmake: ${text}")
endfunction()

# Replaces the one match of `regex` in `var` by `replacement`; fails when
# there is not exactly one.
function(replace_one var regex replacement what)
  string(REGEX MATCHALL "${regex}" hits "${${var}}")
  list(LENGTH hits n)
  if(NOT n EQUAL 1)
    fail("expected one ${what}, found ${n}")
  endif()
  string(REGEX REPLACE "${regex}" "${replacement}" out "${${var}}")
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

# The version.
file(STRINGS "${header}" lines REGEX "^#define CXMETRICS_VERSION_(MAJOR|MINOR|PATCH) ")
foreach(line IN LISTS lines)
  if(line MATCHES "^#define CXMETRICS_VERSION_(MAJOR|MINOR|PATCH) +([0-9]+)")
    set(v_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()
if(NOT DEFINED v_MAJOR OR NOT DEFINED v_MINOR OR NOT DEFINED v_PATCH)
  fail("no CXMETRICS_VERSION_MAJOR/MINOR/PATCH in ${header}")
endif()
set(version "${v_MAJOR}.${v_MINOR}.${v_PATCH}")
file(STRINGS "${header}" string_line REGEX "^#define CXMETRICS_VERSION_STRING ")
if(NOT string_line MATCHES "\"${version}\"")
  fail("CXMETRICS_VERSION_STRING in ${header} is not \"${version}\"")
endif()

set(releasing FALSE)
if(DEFINED REPOSITORY OR DEFINED ARCHIVE)
  if(NOT REPOSITORY MATCHES "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    fail("REPOSITORY must be <owner>/<name> on GitHub, got '${REPOSITORY}'")
  endif()
  if(NOT EXISTS "${ARCHIVE}")
    fail("ARCHIVE '${ARCHIVE}' does not exist")
  endif()
  set(releasing TRUE)
  set(homepage "https://github.com/${REPOSITORY}")
  set(url "${homepage}/archive/refs/tags/v${version}.tar.gz")
  file(SHA512 "${ARCHIVE}" sha512)
  file(SHA256 "${ARCHIVE}" sha256)
endif()

# The vcpkg port: version, port-version, homepage.
file(READ "${port_manifest}" manifest)
string(JSON old_version GET "${manifest}" version-semver)
replace_one(manifest "\"version-semver\": \"[^\"]*\"" "\"version-semver\": \"${version}\""
            "\"version-semver\" in ${port_manifest}")
if(NOT old_version STREQUAL version)
  # A new version starts again at port-version 0, which is written by leaving it out.
  string(REGEX REPLACE "\n  \"port-version\": [0-9]+," "" manifest "${manifest}")
endif()
if(releasing)
  if(manifest MATCHES "\n  \"homepage\": ")
    replace_one(manifest "\n  \"homepage\": \"[^\"]*\"" "\n  \"homepage\": \"${homepage}\"" "homepage in ${port_manifest}")
  else()
    replace_one(manifest "(\n  \"description\": \"[^\"]*\",)" "\\1\n  \"homepage\": \"${homepage}\","
                "description in ${port_manifest}")
  endif()
endif()
file(WRITE "${port_manifest}" "${manifest}")

# The portfile: repository and SHA-512; a new version drops the old hash.
file(READ "${portfile}" text)
if(releasing)
  replace_one(text "\nset\\(CXMETRICS_REPOSITORY \"[^\"]*\"\\)" "\nset(CXMETRICS_REPOSITORY \"${REPOSITORY}\")"
              "set(CXMETRICS_REPOSITORY ...) in ${portfile}")
  replace_one(text "\nset\\(CXMETRICS_SHA512 \"[^\"]*\"\\)" "\nset(CXMETRICS_SHA512 \"${sha512}\")"
              "set(CXMETRICS_SHA512 ...) in ${portfile}")
elseif(NOT old_version STREQUAL version)
  replace_one(text "\nset\\(CXMETRICS_SHA512 \"[^\"]*\"\\)" "\nset(CXMETRICS_SHA512 \"\")"
              "set(CXMETRICS_SHA512 ...) in ${portfile}")
endif()
file(WRITE "${portfile}" "${text}")

if(NOT releasing)
  message(STATUS "cxmetrics ${version}: vcpkg port updated (not a release: no archive given)")
  return()
endif()

# The recipe: homepage and url.
file(READ "${recipe}" text)
replace_one(text "\n    homepage = [^\n]*" "\n    homepage = \"${homepage}\"" "homepage = ... in ${recipe}")
replace_one(text "\n    url = [^\n]*" "\n    url = \"${homepage}\"" "url = ... in ${recipe}")
file(WRITE "${recipe}" "${text}")

# conandata.yml: the comment block, then `sources:` with one entry per
# version; this version's entry is replaced or added, the others kept.
file(STRINGS "${conandata}" lines)
set(head "")
set(entries "")
set(current "")
foreach(line IN LISTS lines)
  if(line MATCHES "^#" OR (line STREQUAL "" AND entries STREQUAL "" AND current STREQUAL ""))
    string(APPEND head "${line}\n")
  elseif(line MATCHES "^sources:")
  elseif(line MATCHES "^  \"([^\"]+)\":$")
    set(current "${CMAKE_MATCH_1}")
    list(APPEND entries "${current}")
  elseif(line MATCHES "^    (url|sha256): \"([^\"]*)\"$" AND NOT current STREQUAL "")
    set(entry_${CMAKE_MATCH_1}_${current} "${CMAKE_MATCH_2}")
  elseif(NOT line STREQUAL "")
    fail("cannot read the line '${line}' of ${conandata}")
  endif()
endforeach()
if(NOT version IN_LIST entries)
  list(APPEND entries "${version}")
endif()
set(entry_url_${version} "${url}")
set(entry_sha256_${version} "${sha256}")
set(out "${head}sources:\n")
foreach(v IN LISTS entries)
  string(APPEND out "  \"${v}\":\n    url: \"${entry_url_${v}}\"\n    sha256: \"${entry_sha256_${v}}\"\n")
endforeach()
file(WRITE "${conandata}" "${out}")

message(STATUS "cxmetrics ${version} released from ${REPOSITORY}: ${url}")
message(STATUS "  sha256 ${sha256}")
message(STATUS "  sha512 ${sha512}")
