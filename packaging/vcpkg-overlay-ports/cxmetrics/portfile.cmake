# vcpkg overlay port of cxmetrics.
#
#   vcpkg install cxmetrics --overlay-ports=<cxmetrics>/packaging/vcpkg-overlay-ports
#
# or, in a manifest project, list "cxmetrics" in vcpkg.json's dependencies and
# add this directory to "overlay-ports" in vcpkg-configuration.json.
#
# The port builds the source tree it sits in (three directories up), so it
# always packages the checkout it came with. vcpkg's binary cache keys on the
# port files, not on that tree: after changing the sources, reinstall with
# `--no-binarycaching` (or raise "port-version"). A registry port would fetch
# a release instead:
#
#   vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO <owner>/cxmetrics
#                     REF "v${VERSION}" SHA512 <sha512 of the archive> HEAD_REF main)
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT EXISTS "${SOURCE_PATH}/include/cxmetrics/version.hpp")
  message(FATAL_ERROR "cxmetrics sources not found at ${SOURCE_PATH}: use this port from within the cxmetrics tree")
endif()

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DCXMETRICS_BUILD_TESTS=OFF
    -DCXMETRICS_BUILD_EXAMPLES=OFF
    -DCXMETRICS_BUILD_BENCHMARKS=OFF
    -DCXMETRICS_BUILD_TOOLS=OFF
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
