# vcpkg port of cxmetrics.
#
#   vcpkg install cxmetrics --overlay-ports=<cxmetrics>/packaging/vcpkg-overlay-ports
#   vcpkg install "cxmetrics[readstat]" --overlay-ports=<cxmetrics>/packaging/vcpkg-overlay-ports \
#                 --overlay-ports=<cxmetrics>/packaging/vcpkg-system-ports
#
# or, in a manifest project, list "cxmetrics" in vcpkg.json's dependencies and
# add these directories to "overlay-ports" in vcpkg-configuration.json.
#
# Dependencies (vcpkg.json): nlohmann-json is public (its types are in
# cxmetrics' headers); Boost (boost-headers, -math, -random) and Highway are
# used by the compiled library only. vcpkg has no build-only dependencies for
# libraries, so it installs them with the port all the same, but the
# installed package never looks for Boost: no installed header includes it,
# and the CMake config and pkg-config file do not name it.
#
# Sources: the release archive GitHub serves for the tag v${VERSION}.
# packaging/release.cmake writes the repository and the archive's SHA-512
# below when a version is released; until then they are empty.
#
# Development: with the environment variable CXMETRICS_SOURCE_DIR set to a
# cxmetrics checkout, the port builds that tree instead (vcpkg passes the
# environment through on Linux and macOS; on Windows, name the variable in
# the triplet's VCPKG_ENV_PASSTHROUGH). vcpkg's binary cache does not see
# that tree: reinstall with --no-binarycaching after changing it.
set(CXMETRICS_REPOSITORY "")
set(CXMETRICS_SHA512 "")

if(DEFINED ENV{CXMETRICS_SOURCE_DIR})
  file(REAL_PATH "$ENV{CXMETRICS_SOURCE_DIR}" SOURCE_PATH)
  if(NOT EXISTS "${SOURCE_PATH}/include/cxmetrics/version.hpp")
    message(FATAL_ERROR "CXMETRICS_SOURCE_DIR=${SOURCE_PATH} is not a cxmetrics source tree")
  endif()
  message(STATUS "cxmetrics: building the development tree ${SOURCE_PATH}")
elseif(CXMETRICS_REPOSITORY STREQUAL "" OR CXMETRICS_SHA512 STREQUAL "")
  message(FATAL_ERROR "cxmetrics ${VERSION} is not released yet, so this port has no archive to fetch; "
                      "set CXMETRICS_SOURCE_DIR to a cxmetrics checkout to build it")
else()
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO "${CXMETRICS_REPOSITORY}"
    REF "v${VERSION}"
    SHA512 "${CXMETRICS_SHA512}"
    HEAD_REF main
  )
endif()

# Feature readstat -> -DCXMETRICS_WITH_READSTAT=ON (ReadStat required), else
# OFF: a ReadStat the system happens to have is never picked up unasked.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    readstat CXMETRICS_WITH_READSTAT
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DCXMETRICS_BUILD_TESTS=OFF
    -DCXMETRICS_BUILD_EXAMPLES=OFF
    -DCXMETRICS_BUILD_BENCHMARKS=OFF
    -DCXMETRICS_BUILD_TOOLS=OFF
    -DCXMETRICS_BUILD_PYTHON=OFF
    -DCXMETRICS_INSTALL=ON
    -DCXMETRICS_WARNINGS_AS_ERRORS=OFF
)
vcpkg_cmake_install()

vcpkg_cmake_config_fixup(PACKAGE_NAME cxmetrics CONFIG_PATH lib/cmake/cxmetrics)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE
  "${CURRENT_PACKAGES_DIR}/debug/include"
  "${CURRENT_PACKAGES_DIR}/debug/share"
  "${CURRENT_PACKAGES_DIR}/share/doc")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
