# Install rules and the CMake package config of cxmetrics.
#
# Layout under the prefix:
#   include/cxmetrics/...                      headers
#   lib/libcxmetrics.{a,so}                    compiled part
#   lib/cmake/cxmetrics/cxmetricsConfig.cmake  package config (+ version, targets,
#                                              FindReadStat.cmake)
#   lib/pkgconfig/cxmetrics.pc                 pkg-config file
#   share/doc/cxmetrics/LICENSE

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
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT cxmetrics_Development)
# (The include directory reaches the exported target through the
# INSTALL_INTERFACE of target_include_directories in CMakeLists.txt.)

install(EXPORT cxmetricsTargets
        NAMESPACE cxmetrics::
        DESTINATION "${CXMETRICS_INSTALL_CMAKEDIR}"
        COMPONENT cxmetrics_Development)

get_target_property(_cxm_type cxmetrics TYPE)
if(_cxm_type STREQUAL "SHARED_LIBRARY")
  set(CXMETRICS_LIBRARY_TYPE shared)
else()
  set(CXMETRICS_LIBRARY_TYPE static)
endif()
# The package config finds the dependencies again from the lowest versions
# of cmake/cxmetricsDependencies.cmake, and needs to know whether ReadStat
# was compiled in.
if(CXMETRICS_HAVE_READSTAT)
  set(CXMETRICS_CONFIG_WITH_READSTAT ON)
else()
  set(CXMETRICS_CONFIG_WITH_READSTAT OFF)
endif()
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
              "${PROJECT_SOURCE_DIR}/cmake/FindReadStat.cmake"
        DESTINATION "${CXMETRICS_INSTALL_CMAKEDIR}"
        COMPONENT cxmetrics_Development)

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        COMPONENT cxmetrics_Runtime)

# pkg-config: nlohmann_json by its .pc name; Boost is private and header-only,
# so neither package needs it (the library's objects hold what they use). A
# static libcxmetrics.a also needs its private link dependencies (Highway, the
# thread library where it is separate, ReadStat when compiled in) at the
# consumer's link; they go into Requires/Libs, not the .private fields, so
# that the plain `pkg-config --libs cxmetrics` links (the package is either
# static or shared). ReadStat is named by its .pc file where it has one
# (upstream's install), else as -lreadstat: Debian's has none, and its
# library is on the linker's default path.
set(CXMETRICS_PC_REQUIRES "nlohmann_json")
set(CXMETRICS_PC_LIBS "")
if(CXMETRICS_LIBRARY_TYPE STREQUAL "shared")
  set(CXMETRICS_PC_CFLAGS "-DCXMETRICS_SHARED")
else()
  set(CXMETRICS_PC_CFLAGS "")
  string(APPEND CXMETRICS_PC_REQUIRES " libhwy")
  if(CXMETRICS_HAVE_READSTAT)
    if(PC_ReadStat_FOUND)
      string(APPEND CXMETRICS_PC_REQUIRES " readstat")
    else()
      string(APPEND CXMETRICS_PC_LIBS " -lreadstat")
    endif()
  endif()
  if(CMAKE_THREAD_LIBS_INIT)
    string(APPEND CXMETRICS_PC_LIBS " ${CMAKE_THREAD_LIBS_INIT}")
  endif()
endif()
# The prefix is written relative to the .pc file's own directory
# (${pcfiledir}, understood by pkg-config and pkgconf), so the installed tree
# stays relocatable: `cmake --install --prefix`, Conan and vcpkg all install
# somewhere other than the configure-time CMAKE_INSTALL_PREFIX.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(CXMETRICS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _cxm_pc_up "/cxm-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/cxm-prefix")
  string(REGEX REPLACE "/$" "" _cxm_pc_up "${_cxm_pc_up}")
  set(CXMETRICS_PC_PREFIX "\${pcfiledir}/${_cxm_pc_up}")
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
