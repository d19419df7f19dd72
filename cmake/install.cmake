# Install rules and the CMake package config of cxmetrics.
#
# Layout under the prefix:
#   include/cxmetrics/...                      headers
#   lib/libcxmetrics.{a,so}                    compiled part
#   lib/cmake/cxmetrics/cxmetricsConfig.cmake  package config (+ version, targets)
#   lib/pkgconfig/cxmetrics.pc                 pkg-config file

set(CXMETRICS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/cxmetrics"
    CACHE STRING "Where cxmetricsConfig.cmake is installed, relative to the prefix")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/cxmetrics"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        COMPONENT cxmetrics_Development
        FILES_MATCHING PATTERN "*.hpp")

install(TARGETS cxmetrics
        EXPORT cxmetricsTargets
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT cxmetrics_Runtime
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT cxmetrics_Runtime
                NAMELINK_COMPONENT cxmetrics_Development
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT cxmetrics_Development
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT cxmetricsTargets
        NAMESPACE cxmetrics::
        DESTINATION "${CXMETRICS_INSTALL_CMAKEDIR}"
        COMPONENT cxmetrics_Development)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/cxmetricsConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cxmetricsConfig.cmake"
  INSTALL_DESTINATION "${CXMETRICS_INSTALL_CMAKEDIR}")

# Compatibility policy: before 1.0 every minor release may break the API, so a
# request for 0.x accepts only 0.x.*; from 1.0 on, any later release with the
# same major version is accepted (SameMajorVersion).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_cxm_compat SameMinorVersion)
else()
  set(_cxm_compat SameMajorVersion)
endif()
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cxmetricsConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${_cxm_compat})

install(FILES "${PROJECT_BINARY_DIR}/cxmetricsConfig.cmake"
              "${PROJECT_BINARY_DIR}/cxmetricsConfigVersion.cmake"
        DESTINATION "${CXMETRICS_INSTALL_CMAKEDIR}"
        COMPONENT cxmetrics_Development)

# pkg-config: the header-only dependencies are listed by their own .pc names
# where Debian ships one (eigen3, nlohmann_json); Boost has no .pc file.
if(BUILD_SHARED_LIBS)
  set(CXMETRICS_PC_CFLAGS "-DCXMETRICS_SHARED")
else()
  set(CXMETRICS_PC_CFLAGS "")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(CXMETRICS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(CXMETRICS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(CXMETRICS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(CXMETRICS_PC_LIBDIR "\${exec_prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/cxmetrics.pc.in" "${PROJECT_BINARY_DIR}/cxmetrics.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/cxmetrics.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
        COMPONENT cxmetrics_Development)
