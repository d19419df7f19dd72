# FindReadStat.cmake — finds ReadStat (https://github.com/WizardMac/ReadStat),
# the C library that reads SPSS, Stata and SAS files.
#
#   find_package(ReadStat [version] [REQUIRED])
#   target_link_libraries(app PRIVATE ReadStat::ReadStat)
#
# Upstream's autotools build installs readstat.pc; Debian's libreadstat-dev and
# Conan Center's package do not, so pkg-config only gives hints (and the
# version, when it knows one) and the header and the library are then looked
# for directly. Conan's CMakeDeps makes its own ReadStatConfig.cmake (see
# conan/conanfile.py), which find_package prefers when Conan's toolchain sets
# CMAKE_FIND_PACKAGE_PREFER_CONFIG; this module serves everything else: a
# system library, an install prefix, vcpkg. cxmetrics installs it beside its
# package config, which uses it to find ReadStat again for consumers of a
# static libcxmetrics.
#
# Result variables:
#   ReadStat_FOUND         true when both the header and the library were found
#   ReadStat_VERSION       the version, when pkg-config knows it (otherwise
#                          unset, and a version requested is not checked)
#   ReadStat_INCLUDE_DIRS  where readstat.h is
#   ReadStat_LIBRARIES     the library to link
# Cache variables: ReadStat_INCLUDE_DIR, ReadStat_LIBRARY.
# Imported target: ReadStat::ReadStat.
#
# A static libreadstat.a also needs iconv (part of glibc; a library of its own
# elsewhere) and zlib (compressed SPSS .zsav); pkg-config's static flags name
# them when readstat.pc exists, otherwise they are added when found.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_ReadStat QUIET readstat)
endif()

find_path(ReadStat_INCLUDE_DIR NAMES readstat.h HINTS ${PC_ReadStat_INCLUDEDIR} ${PC_ReadStat_INCLUDE_DIRS})
# readstat_i: the import library of a DLL built with upstream's MSVC project.
find_library(ReadStat_LIBRARY NAMES readstat readstat_i libreadstat
             HINTS ${PC_ReadStat_LIBDIR} ${PC_ReadStat_LIBRARY_DIRS})
mark_as_advanced(ReadStat_INCLUDE_DIR ReadStat_LIBRARY)

unset(ReadStat_VERSION)
if(PC_ReadStat_VERSION)
  set(ReadStat_VERSION "${PC_ReadStat_VERSION}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ReadStat
  REQUIRED_VARS ReadStat_LIBRARY ReadStat_INCLUDE_DIR
  VERSION_VAR ReadStat_VERSION)

if(ReadStat_FOUND)
  set(ReadStat_INCLUDE_DIRS "${ReadStat_INCLUDE_DIR}")
  set(ReadStat_LIBRARIES "${ReadStat_LIBRARY}")
  if(NOT TARGET ReadStat::ReadStat)
    add_library(ReadStat::ReadStat UNKNOWN IMPORTED)
    set_target_properties(ReadStat::ReadStat PROPERTIES
      IMPORTED_LOCATION "${ReadStat_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${ReadStat_INCLUDE_DIR}")
    if(ReadStat_LIBRARY MATCHES "\\${CMAKE_STATIC_LIBRARY_SUFFIX}$"
       AND NOT CMAKE_STATIC_LIBRARY_SUFFIX STREQUAL CMAKE_IMPORT_LIBRARY_SUFFIX)
      set(_readstat_deps "")
      if(PC_ReadStat_FOUND)
        # Everything but readstat itself from `pkg-config --static --libs`.
        foreach(_lib IN LISTS PC_ReadStat_STATIC_LIBRARIES)
          if(NOT _lib STREQUAL "readstat")
            list(APPEND _readstat_deps "${_lib}")
          endif()
        endforeach()
      else()
        find_package(Iconv QUIET)
        if(Iconv_FOUND AND NOT Iconv_IS_BUILT_IN)
          list(APPEND _readstat_deps Iconv::Iconv)
        endif()
        find_package(ZLIB QUIET)
        if(ZLIB_FOUND)
          list(APPEND _readstat_deps ZLIB::ZLIB)
        endif()
        if(CMAKE_SYSTEM_NAME MATCHES "Linux|FreeBSD")
          list(APPEND _readstat_deps m)
        endif()
      endif()
      set_property(TARGET ReadStat::ReadStat PROPERTY INTERFACE_LINK_LIBRARIES "${_readstat_deps}")
      unset(_readstat_deps)
    endif()
  endif()
endif()
