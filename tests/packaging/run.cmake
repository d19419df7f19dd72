# Driver of the packaging tests; tests/packaging/CMakeLists.txt registers one
# ctest test per step. Each step builds real projects from scratch with the
# compiler of the outer build and checks what they print:
#
#   install          configure, build and `cmake --install --prefix PREFIX` the
#                    library (LINKAGE shared or static), then check the tree
#   find_package     build and run CONSUMER_DIR against PREFIX (CMAKE_PREFIX_PATH)
#   add_subdirectory build and run the add_subdirectory consumer
#   fetchcontent     pack the source tree, build and run the FetchContent consumer
#   pkg_config       compile consumer.cpp with `pkg-config --cflags --libs cxmetrics`
#   no_boost         every installed header, and consumer.cpp built and run, with
#                    Boost hidden from the compiler (PREFIX of a shared install)
#   version          find_package(cxmetrics <version>) accepts/rejects per policy
#   exports          the shared library exports exactly its CXMETRICS_API symbols
#   manifests        the vcpkg port and manifests, read statically (check_vcpkg_port.py)
#   conan_recipe     conan/conanfile.py runs against a stand-in of the Conan API
#   release          packaging/release.cmake fills a copy of the packages, which
#                    then pass both static checks as a released tree
#   sav_fixture      WRITE_SAV rewrites conan/test_package/responses.sav byte for byte
#
#   cmake -DSTEP=<step> -DSOURCE_DIR=<cxmetrics tree> -DWORK_DIR=<scratch dir>
#         -DVERSION=<x.y.z> -DCXX=<compiler> -DCXX_ID=<GNU|Clang|...>
#         -DGENERATOR=<generator> [-DMAKE_PROGRAM=...] -DBUILD_TYPE=<type>
#         -DWERROR=<ON|OFF> [-DPREFIX=...] [-DLINKAGE=shared|static]
#         [-DREADSTAT=ON|OFF] [-DCONSUMER_DIR=...] [-DPKG_CONFIG=...] [-DNM=...]
#         [-DREADELF=...] [-DPYTHON=...] [-DWRITE_SAV=...] [-DJSON_INCLUDE_DIRS=a|b]
#         [-DJOBS=2] -P run.cmake
#
# READSTAT: whether the library is built with ReadStat (install, and the
# subproject consumers, which build it themselves) and so whether the
# consumers must read conan/test_package/responses.sav or be refused.
#
# The step prints "packaging check passed: <step>" as its last line only when
# every check passed; the ctest regexes require that line.
cmake_minimum_required(VERSION 3.25)

foreach(required STEP SOURCE_DIR WORK_DIR VERSION)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "run.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 2)
endif()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
if(NOT READSTAT)
  set(READSTAT OFF)
endif()
if(READSTAT)
  set(READSTAT ON)
  set(readstat_arg on)
else()
  set(readstat_arg off)
endif()
# The SPSS file every consumer is given (the scores of consumer.cpp).
set(sav "${SOURCE_DIR}/conan/test_package/responses.sav")

function(cxm_fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "packaging check failed (${STEP}): ${text}")
endfunction()

# cxm_run(COMMAND <args...> [OUTPUT_VARIABLE var] [ENV NAME=value...])
# Runs a command, showing it first; stops the test when it fails. Without
# OUTPUT_VARIABLE its output goes straight into the test log.
function(cxm_run)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUTPUT_VARIABLE" "COMMAND;ENV")
  set(cmd ${arg_COMMAND})
  if(arg_ENV)
    set(cmd "${CMAKE_COMMAND}" -E env ${arg_ENV} ${cmd})
  endif()
  string(JOIN " " shown ${arg_COMMAND})
  message(STATUS "$ ${shown}")
  if(arg_OUTPUT_VARIABLE)
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${WORK_DIR}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    set(${arg_OUTPUT_VARIABLE} "${out}" PARENT_SCOPE)
    if(NOT rc EQUAL 0)
      message(STATUS "${out}${err}")
      cxm_fail("`${shown}` exited with ${rc}")
    endif()
  else()
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      cxm_fail("`${shown}` exited with ${rc}")
    endif()
  endif()
endfunction()

# Arguments every inner configure gets: the outer build's generator, compiler
# and build type; no user package registry, so only the prefix we name is
# found. No sanitizer flags are passed (the packaging tests are not registered
# in sanitized builds).
set(common_args -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
                -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(MAKE_PROGRAM)
  list(APPEND common_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
# Consumers compile with the project's warning flags, so headers that warn in a
# user's build are caught here too.
set(warn_flags "$ENV{CXXFLAGS}")
if(CXX_ID MATCHES "GNU|Clang")
  string(APPEND warn_flags " -Wall -Wextra -Wpedantic")
  if(WERROR)
    string(APPEND warn_flags " -Werror")
  endif()
endif()
string(STRIP "${warn_flags}" warn_flags)
set(consumer_args ${common_args} "-DCMAKE_CXX_FLAGS=${warn_flags}" "-DCXMETRICS_WARNINGS_AS_ERRORS=${WERROR}")

string(REPLACE "." ";" version_parts "${VERSION}")
list(GET version_parts 0 version_major)
list(GET version_parts 1 version_minor)
# The soname policy of CMakeLists.txt: major.minor before 1.0, major after.
if(version_major EQUAL 0)
  set(soversion "${version_major}.${version_minor}")
else()
  set(soversion "${version_major}")
endif()

# What consumer.cpp prints, line by line (see the comments there): 4 of the
# CSV's rows read, 1 rejected; with ReadStat the SPSS file's 8 scores give
# NPS 25, without it reading it is refused with invalid_argument (201).
set(consumer_expect
  "^cxmetrics ${VERSION}$"
  "^NPS 25\\.0 from 8 responses$"
  "^merge laws hold$"
  "^engine NPS 25\\.0$"
  "^JSON rows_read 4 accepted 3 rejected 1$"
  "^UTC 2024-03-05T12:07:09Z$"
  "^rejected 2023-02-29 \\(id 104\\)$")
# What conan/test_package/test_package.cpp prints.
set(test_package_expect
  "^cxmetrics ${VERSION}$"
  "^NPS 25\\.0, engine 25\\.0$"
  "^JSON summary: rows_read 4, accepted 3, rejected 1$")
if(READSTAT)
  list(APPEND consumer_expect "^readstat on: SPSS NPS 25\\.0 from 8 responses$")
  list(APPEND test_package_expect "^readstat on: NPS 25\\.0 from 8 responses in .*responses\\.sav$")
else()
  list(APPEND consumer_expect "^readstat off: SPSS input refused \\(id 201\\)$")
  list(APPEND test_package_expect "^readstat off: SPSS input refused \\(id 201\\)$")
endif()

# Runs `exe`, checks that its output has every regex of `expect_var` (and of
# the further arguments) on a line of its own, and echoes it for the ctest regex.
function(cxm_run_consumer exe expect_var)
  if(NOT EXISTS "${exe}")
    cxm_fail("${exe} was not built")
  endif()
  cxm_run(COMMAND "${exe}" "${sav}" ${readstat_arg} OUTPUT_VARIABLE out)
  string(REPLACE "\n" ";" lines "${out}")
  foreach(line IN LISTS lines)
    message(STATUS "| ${line}")
  endforeach()
  foreach(re IN LISTS ${expect_var} ARGN)
    set(hit FALSE)
    foreach(line IN LISTS lines)
      if(line MATCHES "${re}")
        set(hit TRUE)
      endif()
    endforeach()
    if(NOT hit)
      cxm_fail("${exe} printed no line matching ${re}")
    endif()
  endforeach()
endfunction()

# The executable a consumer project built (single- or multi-config layout).
function(cxm_find_exe build name out_var)
  foreach(candidate "${build}/${name}" "${build}/${BUILD_TYPE}/${name}"
                    "${build}/${name}.exe" "${build}/${BUILD_TYPE}/${name}.exe")
    if(EXISTS "${candidate}")
      set(${out_var} "${candidate}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  cxm_fail("no executable ${name} under ${build}")
endfunction()

# Checks with readelf (where available) that `exe` loads libcxmetrics
# dynamically exactly when the library is shared.
function(cxm_check_linkage exe linkage)
  if(NOT READELF)
    return()
  endif()
  cxm_run(COMMAND "${READELF}" -d "${exe}" OUTPUT_VARIABLE dyn)
  if(linkage STREQUAL "shared" AND NOT dyn MATCHES "NEEDED[^\n]*libcxmetrics\\.so\\.${soversion}\\]")
    cxm_fail("${exe} does not load libcxmetrics.so.${soversion}:\n${dyn}")
  endif()
  if(linkage STREQUAL "static" AND dyn MATCHES "libcxmetrics")
    cxm_fail("${exe} loads libcxmetrics dynamically although the library is static")
  endif()
endfunction()

# The library directory under an installed prefix (lib, lib64 or a multiarch
# directory, whatever GNUInstallDirs chose).
function(cxm_prefix_libdir prefix out_var)
  file(GLOB_RECURSE config LIST_DIRECTORIES false "${prefix}/*/cxmetricsConfig.cmake")
  list(LENGTH config n)
  if(NOT n EQUAL 1)
    cxm_fail("expected one cxmetricsConfig.cmake under ${prefix}, found ${n}: ${config}")
  endif()
  get_filename_component(dir "${config}" DIRECTORY)   # <libdir>/cmake/cxmetrics
  get_filename_component(dir "${dir}/../.." ABSOLUTE)
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()

# Configures and builds a consumer project, then runs its executable.
# consumer.cpp must also report the linkage the package declares.
function(cxm_build_consumer src build exe_name expect_var linkage)
  cxm_run(COMMAND "${CMAKE_COMMAND}" -S "${src}" -B "${build}" ${consumer_args} ${ARGN})
  cxm_run(COMMAND "${CMAKE_COMMAND}" --build "${build}" --config "${BUILD_TYPE}" --parallel ${JOBS})
  cxm_find_exe("${build}" "${exe_name}" exe)
  if(expect_var STREQUAL "consumer_expect")
    cxm_run_consumer("${exe}" ${expect_var} "^linkage ${linkage}$")
  else()
    cxm_run_consumer("${exe}" ${expect_var})
  endif()
  set(consumer_exe "${exe}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# --------------------------------------------------------------------------
if(STEP STREQUAL "install")
  if(NOT LINKAGE MATCHES "^(shared|static)$" OR NOT PREFIX)
    cxm_fail("install needs -DLINKAGE=shared|static and -DPREFIX")
  endif()
  file(REMOVE_RECURSE "${PREFIX}")
  if(LINKAGE STREQUAL "shared")
    set(shared ON)
  else()
    set(shared OFF)
  endif()
  set(build "${WORK_DIR}/build")
  # The configure-time prefix is deliberately not where the tree is installed:
  # the installed files must not depend on it (relocatable package).
  cxm_run(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build}" ${common_args}
          "-DBUILD_SHARED_LIBS=${shared}" "-DCXMETRICS_WITH_READSTAT=${READSTAT}"
          -DCXMETRICS_BUILD_TESTS=OFF -DCXMETRICS_BUILD_EXAMPLES=OFF
          -DCXMETRICS_BUILD_BENCHMARKS=OFF -DCXMETRICS_BUILD_TOOLS=OFF -DCXMETRICS_BUILD_PYTHON=OFF
          "-DCXMETRICS_WARNINGS_AS_ERRORS=${WERROR}"
          -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "-DCMAKE_INSTALL_PREFIX=${WORK_DIR}/unused-prefix")
  cxm_run(COMMAND "${CMAKE_COMMAND}" --build "${build}" --config "${BUILD_TYPE}" --parallel ${JOBS})
  cxm_run(COMMAND "${CMAKE_COMMAND}" --install "${build}" --config "${BUILD_TYPE}" --prefix "${PREFIX}")

  cxm_prefix_libdir("${PREFIX}" libdir)
  set(cmakedir "${libdir}/cmake/cxmetrics")
  foreach(f "${PREFIX}/include/cxmetrics/version.hpp" "${PREFIX}/include/cxmetrics/export.hpp"
            "${cmakedir}/cxmetricsConfig.cmake" "${cmakedir}/cxmetricsConfigVersion.cmake"
            "${cmakedir}/cxmetricsTargets.cmake" "${cmakedir}/FindReadStat.cmake" "${libdir}/pkgconfig/cxmetrics.pc"
            "${PREFIX}/share/doc/cxmetrics/LICENSE")
    if(NOT EXISTS "${f}")
      cxm_fail("${f} was not installed")
    endif()
  endforeach()

  # Every public header is installed, and nothing else lands in include/.
  file(GLOB_RECURSE src_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/*")
  file(GLOB_RECURSE dst_headers RELATIVE "${PREFIX}/include" "${PREFIX}/include/*")
  list(SORT src_headers)
  list(SORT dst_headers)
  if(NOT src_headers STREQUAL dst_headers)
    cxm_fail("installed headers differ from include/:\n  source: ${src_headers}\n  installed: ${dst_headers}")
  endif()
  list(LENGTH dst_headers n_headers)

  # The library itself, with the soname policy of CMakeLists.txt.
  if(shared)
    foreach(f "libcxmetrics.so" "libcxmetrics.so.${soversion}" "libcxmetrics.so.${VERSION}")
      if(NOT EXISTS "${libdir}/${f}")
        cxm_fail("${libdir}/${f} was not installed")
      endif()
    endforeach()
    if(EXISTS "${libdir}/libcxmetrics.a")
      cxm_fail("a shared build installed libcxmetrics.a")
    endif()
    if(READELF)
      cxm_run(COMMAND "${READELF}" -d "${libdir}/libcxmetrics.so" OUTPUT_VARIABLE dyn)
      if(NOT dyn MATCHES "SONAME[^\n]*\\[libcxmetrics\\.so\\.${soversion}\\]")
        cxm_fail("soname of libcxmetrics.so is not libcxmetrics.so.${soversion}:\n${dyn}")
      endif()
    endif()
  else()
    if(NOT EXISTS "${libdir}/libcxmetrics.a")
      cxm_fail("${libdir}/libcxmetrics.a was not installed")
    endif()
    file(GLOB sos "${libdir}/libcxmetrics.so*")
    if(sos)
      cxm_fail("a static build installed ${sos}")
    endif()
    # A static library must be position independent by default so that it can
    # go into a consumer's shared library: every compile of the library's own
    # sources carries -fPIC.
    if(EXISTS "${build}/compile_commands.json" AND CXX_ID MATCHES "GNU|Clang")
      file(READ "${build}/compile_commands.json" db)
      string(JSON n_cmds LENGTH "${db}")
      set(n_lib 0)
      math(EXPR last "${n_cmds} - 1")
      foreach(i RANGE ${last})
        string(JSON file GET "${db}" ${i} file)
        string(JSON cmd ERROR_VARIABLE no_cmd GET "${db}" ${i} command)
        if(file MATCHES "/src/" AND NOT no_cmd)
          math(EXPR n_lib "${n_lib} + 1")
          if(NOT cmd MATCHES "-fPIC")
            cxm_fail("${file} was compiled without -fPIC in a static build: ${cmd}")
          endif()
        endif()
      endforeach()
      if(n_lib EQUAL 0)
        cxm_fail("no compile of src/*.cpp found in ${build}/compile_commands.json")
      endif()
      message(STATUS "${n_lib} library sources compiled with -fPIC")
    endif()
  endif()

  # Relocatable: no installed CMake or pkg-config file names the source, build
  # or configure-time install directory, nor the library file of a
  # dependency (ReadStat is found again through FindReadStat.cmake).
  file(GLOB_RECURSE metadata "${cmakedir}/*.cmake" "${libdir}/pkgconfig/*.pc")
  foreach(f IN LISTS metadata)
    file(READ "${f}" text)
    foreach(path "${SOURCE_DIR}" "${WORK_DIR}" "${PREFIX}")
      string(FIND "${text}" "${path}" at)
      if(NOT at EQUAL -1)
        cxm_fail("${f} contains the absolute path ${path}: the package would not be relocatable")
      endif()
    endforeach()
    if(text MATCHES "[^\n]*/libreadstat\\.[^\n]*")
      cxm_fail("${f} names a ReadStat library by path (${CMAKE_MATCH_0}): it would not be found elsewhere")
    endif()
  endforeach()

  # Boost is private and header-only: no installed CMake or pkg-config file
  # looks for it or links it, shared or static.
  foreach(f IN LISTS metadata)
    file(STRINGS "${f}" boost_lines REGEX "[Bb]oost")
    list(FILTER boost_lines EXCLUDE REGEX "^[ \t]*#")
    if(boost_lines)
      cxm_fail("${f} names Boost, a private dependency: ${boost_lines}")
    endif()
  endforeach()

  # ReadStat: declared exactly when it was compiled in.
  file(READ "${cmakedir}/cxmetricsConfig.cmake" config)
  if(NOT config MATCHES "set\\(cxmetrics_WITH_READSTAT ${READSTAT}\\)")
    cxm_fail("cxmetricsConfig.cmake does not say cxmetrics_WITH_READSTAT ${READSTAT}")
  endif()
  file(READ "${cmakedir}/cxmetricsTargets.cmake" targets)
  string(FIND "${targets}" "ReadStat::ReadStat" at)
  if(READSTAT AND NOT shared AND at EQUAL -1)
    cxm_fail("the static package was built with ReadStat but its target does not link ReadStat::ReadStat")
  elseif((NOT READSTAT OR shared) AND NOT at EQUAL -1)
    cxm_fail("the package's target links ReadStat::ReadStat although ReadStat is ${READSTAT} and the library shared=${shared}")
  endif()
  if(NOT shared AND NM)
    # The static library really calls ReadStat, so the consumers' link proves
    # that the declared dependency resolves it.
    cxm_run(COMMAND "${NM}" -u "${libdir}/libcxmetrics.a" OUTPUT_VARIABLE undefined)
    string(REGEX MATCHALL "readstat_[a-z_]+" readstat_syms "${undefined}")
    list(REMOVE_DUPLICATES readstat_syms)
    list(LENGTH readstat_syms n_readstat)
    if(READSTAT AND n_readstat EQUAL 0)
      cxm_fail("libcxmetrics.a calls no readstat_* function although it was built with ReadStat")
    elseif(NOT READSTAT AND NOT n_readstat EQUAL 0)
      cxm_fail("libcxmetrics.a calls ${readstat_syms} although it was built without ReadStat")
    endif()
    message(STATUS "libcxmetrics.a leaves ${n_readstat} readstat_* functions to the declared dependency")
  endif()
  if(shared AND READELF)
    cxm_run(COMMAND "${READELF}" -d "${libdir}/libcxmetrics.so" OUTPUT_VARIABLE dyn)
    if(READSTAT AND NOT dyn MATCHES "NEEDED[^\n]*libreadstat")
      cxm_fail("libcxmetrics.so was built with ReadStat but does not load it")
    elseif(NOT READSTAT AND dyn MATCHES "NEEDED[^\n]*libreadstat")
      cxm_fail("libcxmetrics.so loads libreadstat although it was built without ReadStat")
    endif()
  endif()
  message(STATUS "installed ${LINKAGE} cxmetrics ${VERSION} (ReadStat ${READSTAT}) with ${n_headers} headers into ${PREFIX}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "find_package")
  if(NOT PREFIX OR NOT CONSUMER_DIR OR NOT LINKAGE)
    cxm_fail("find_package needs -DPREFIX, -DCONSUMER_DIR and -DLINKAGE")
  endif()
  if(CONSUMER_DIR MATCHES "test_package$")
    set(exe_name test_package)
    set(expect test_package_expect)
  else()
    set(exe_name consumer)
    set(expect consumer_expect)
  endif()
  set(build "${WORK_DIR}/build")
  cxm_build_consumer("${CONSUMER_DIR}" "${build}" ${exe_name} ${expect} "${LINKAGE}" "-DCMAKE_PREFIX_PATH=${PREFIX}")
  # The package came from PREFIX, not from some other copy on the machine.
  file(STRINGS "${build}/CMakeCache.txt" dir_line REGEX "^cxmetrics_DIR:")
  string(REGEX REPLACE "^cxmetrics_DIR:[A-Z]+=" "" found_dir "${dir_line}")
  cmake_path(IS_PREFIX PREFIX "${found_dir}" NORMALIZE inside)
  if(NOT inside)
    cxm_fail("find_package(cxmetrics) used ${found_dir}, not the package under ${PREFIX}")
  endif()
  message(STATUS "found cxmetrics in ${found_dir}")
  cxm_check_linkage("${consumer_exe}" "${LINKAGE}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "add_subdirectory")
  # The tests/examples/benchmarks options are deliberately not passed: the
  # consumer checks that they default to OFF inside another project.
  cxm_build_consumer("${CMAKE_CURRENT_LIST_DIR}/add_subdirectory" "${WORK_DIR}/build" consumer consumer_expect
                     static "-DCXMETRICS_SOURCE_DIR=${SOURCE_DIR}" "-DCXMETRICS_WITH_READSTAT=${READSTAT}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "fetchcontent")
  # A release archive holds what a source package needs to build the library;
  # the same list is exported by conan/conanfile.py (export_sources). If the
  # build starts to need another file, this test fails until both know it.
  set(archive "${WORK_DIR}/cxmetrics-${VERSION}.tar.gz")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E tar czf "${archive}" --
                          CMakeLists.txt LICENSE cmake include src
                  WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    cxm_fail("could not pack the sources into ${archive}")
  endif()
  file(SHA256 "${archive}" sha256)
  cxm_build_consumer("${CMAKE_CURRENT_LIST_DIR}/fetchcontent" "${WORK_DIR}/build" consumer consumer_expect
                     static "-DCXMETRICS_URL=file://${archive}" "-DCXMETRICS_SHA256=${sha256}"
                     -DFETCHCONTENT_QUIET=OFF "-DCXMETRICS_WITH_READSTAT=${READSTAT}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "pkg_config")
  if(NOT PREFIX OR NOT PKG_CONFIG OR NOT LINKAGE)
    cxm_fail("pkg_config needs -DPREFIX, -DPKG_CONFIG and -DLINKAGE")
  endif()
  cxm_prefix_libdir("${PREFIX}" libdir)
  set(env "PKG_CONFIG_PATH=${libdir}/pkgconfig")
  cxm_run(COMMAND "${PKG_CONFIG}" --modversion cxmetrics ENV ${env} OUTPUT_VARIABLE modversion)
  string(STRIP "${modversion}" modversion)
  if(NOT modversion STREQUAL VERSION)
    cxm_fail("pkg-config reports version ${modversion}, expected ${VERSION}")
  endif()
  cxm_run(COMMAND "${PKG_CONFIG}" --cflags --libs cxmetrics ENV ${env} OUTPUT_VARIABLE flags)
  string(STRIP "${flags}" flags)
  message(STATUS "pkg-config --cflags --libs cxmetrics: ${flags}")
  if(LINKAGE STREQUAL "shared" AND NOT flags MATCHES "-DCXMETRICS_SHARED")
    cxm_fail("the shared package's pkg-config flags lack -DCXMETRICS_SHARED")
  endif()
  if(LINKAGE STREQUAL "static" AND flags MATCHES "-DCXMETRICS_SHARED")
    cxm_fail("the static package's pkg-config flags define CXMETRICS_SHARED")
  endif()
  if(LINKAGE STREQUAL "static" AND READSTAT AND NOT flags MATCHES "-lreadstat")
    cxm_fail("the static package was built with ReadStat but its pkg-config flags do not link it")
  endif()
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  separate_arguments(warn_list UNIX_COMMAND "${warn_flags}")
  set(exe "${WORK_DIR}/consumer")
  set(rpath)
  if(LINKAGE STREQUAL "shared")
    set(rpath "-Wl,-rpath,${libdir}")   # a user would set LD_LIBRARY_PATH or install into a system dir
  endif()
  cxm_run(COMMAND "${CXX}" -std=c++20 ${warn_list} "${CMAKE_CURRENT_LIST_DIR}/consumer.cpp" -o "${exe}"
                  ${flag_list} ${rpath})
  cxm_run_consumer("${exe}" consumer_expect "^linkage ${LINKAGE}$")
  cxm_check_linkage("${exe}" "${LINKAGE}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "no_boost")
  # Boost is a private dependency: a consumer compiles with the installed
  # headers and nlohmann/json's, with no Boost anywhere on its include path.
  # Boost sits in a system include directory on most machines, so the
  # compiler's own search list is rebuilt: -nostdinc, then each of its
  # directories again as -isystem, in order, where any directory holding
  # boost/ is replaced by a directory of links to all of its entries but
  # that one; nlohmann/json's directories (JSON_INCLUDE_DIRS, those of the
  # outer build's target) come last, the same way. GCC and Clang only.
  if(NOT PREFIX OR NOT LINKAGE STREQUAL "shared")
    cxm_fail("no_boost needs -DPREFIX of a shared install and -DLINKAGE=shared")
  endif()
  if(NOT CXX_ID MATCHES "GNU|Clang")
    cxm_fail("no_boost rebuilds the include search list of GCC or Clang, not of ${CXX_ID}")
  endif()
  execute_process(COMMAND "${CXX}" -std=c++20 -x c++ -E -v - INPUT_FILE /dev/null
                  OUTPUT_QUIET ERROR_VARIABLE verbose RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT verbose MATCHES "#include <\\.\\.\\.> search starts here:\n(.*)\nEnd of search list")
    cxm_fail("cannot read the include search list of ${CXX}:\n${verbose}")
  endif()
  string(REPLACE "\n" ";" system_dirs "${CMAKE_MATCH_1}")
  list(TRANSFORM system_dirs STRIP)
  list(FILTER system_dirs EXCLUDE REGEX "\\(framework directory\\)$|^$")
  string(REPLACE "|" ";" json_dirs "${JSON_INCLUDE_DIRS}")
  set(search)
  set(hidden)
  foreach(dir IN LISTS system_dirs json_dirs)
    if(EXISTS "${dir}/boost")
      string(MD5 tag "${dir}")
      set(farm "${WORK_DIR}/without-boost/${tag}")
      if(NOT IS_DIRECTORY "${farm}")
        file(MAKE_DIRECTORY "${farm}")
        file(GLOB entries LIST_DIRECTORIES true "${dir}/*")
        foreach(entry IN LISTS entries)
          get_filename_component(name "${entry}" NAME)
          if(NOT name STREQUAL "boost")
            file(CREATE_LINK "${entry}" "${farm}/${name}" SYMBOLIC)
          endif()
        endforeach()
        list(APPEND hidden "${dir}/boost")
      endif()
      set(dir "${farm}")
    endif()
    list(APPEND search -isystem "${dir}")
  endforeach()
  set(flags -std=c++20 -nostdinc ${search})
  string(JOIN ", " hidden_text ${hidden})
  message(STATUS "Boost hidden: ${hidden_text}")

  # The rebuilt search list is a working compiler without Boost.
  file(WRITE "${WORK_DIR}/probe_ok.cpp" "#include <cmath>\n#include <vector>\n#include <nlohmann/json.hpp>\nint main() { return 0; }\n")
  cxm_run(COMMAND "${CXX}" ${flags} -fsyntax-only "${WORK_DIR}/probe_ok.cpp")
  file(WRITE "${WORK_DIR}/probe_boost.cpp" "#include <boost/version.hpp>\n")
  execute_process(COMMAND "${CXX}" ${flags} -fsyntax-only "${WORK_DIR}/probe_boost.cpp"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    cxm_fail("<boost/version.hpp> still compiles with the rebuilt include list: Boost is not hidden")
  endif()

  # Every installed header, one translation unit.
  file(GLOB_RECURSE headers RELATIVE "${PREFIX}/include" "${PREFIX}/include/cxmetrics/*.hpp")
  list(SORT headers)
  list(LENGTH headers n_headers)
  set(tu "// Every installed header of cxmetrics.\n")
  foreach(h IN LISTS headers)
    string(APPEND tu "#include <${h}>\n")
  endforeach()
  file(WRITE "${WORK_DIR}/all_headers.cpp" "${tu}")
  separate_arguments(warn_list UNIX_COMMAND "${warn_flags}")
  set(package_flags "-I${PREFIX}/include" -DCXMETRICS_SHARED)
  cxm_run(COMMAND "${CXX}" ${flags} ${warn_list} ${package_flags} -fsyntax-only "${WORK_DIR}/all_headers.cpp")
  message(STATUS "${n_headers} installed headers compile without Boost")

  # The consumer, compiled, linked against the shared library and run.
  cxm_prefix_libdir("${PREFIX}" libdir)
  set(exe "${WORK_DIR}/consumer")
  cxm_run(COMMAND "${CXX}" ${flags} ${warn_list} ${package_flags} "${CMAKE_CURRENT_LIST_DIR}/consumer.cpp"
                  -o "${exe}" "-L${libdir}" -lcxmetrics "-Wl,-rpath,${libdir}")
  cxm_run_consumer("${exe}" consumer_expect "^linkage shared$")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "version")
  if(NOT PREFIX)
    cxm_fail("version needs -DPREFIX")
  endif()
  cxm_run(COMMAND "${CMAKE_COMMAND}" -S "${CMAKE_CURRENT_LIST_DIR}/version_check" -B "${WORK_DIR}/build"
                  ${common_args} "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCXM_VERSION=${VERSION}"
          OUTPUT_VARIABLE out)
  string(REGEX MATCHALL "version check: [^\n]*" lines "${out}")
  foreach(line IN LISTS lines)
    message(STATUS "${line}")
  endforeach()

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "exports")
  if(NOT PREFIX OR NOT NM)
    cxm_fail("exports needs -DPREFIX and -DNM")
  endif()
  cxm_prefix_libdir("${PREFIX}" libdir)
  set(so "${libdir}/libcxmetrics.so")
  if(NOT EXISTS "${so}")
    cxm_fail("${so} not found: exports needs the shared install")
  endif()

  # What the headers promise to export: functions and classes marked
  # CXMETRICS_API (declared with the name on the same line as the macro).
  file(GLOB_RECURSE headers "${SOURCE_DIR}/include/*.hpp")
  set(api_functions)
  set(api_classes)
  foreach(h IN LISTS headers)
    if(h MATCHES "/export\\.hpp$")
      continue()
    endif()
    file(STRINGS "${h}" decls REGEX "CXMETRICS_API")
    foreach(d IN LISTS decls)
      if(d MATCHES "^[ \t]*(//|#)")
        continue()
      elseif(d MATCHES "(class|struct)[ \t]+CXMETRICS_API[ \t]+([A-Za-z_][A-Za-z_0-9]*)")
        list(APPEND api_classes "${CMAKE_MATCH_2}")
      elseif(d MATCHES "CXMETRICS_API[^(]*[ \t*&:]([A-Za-z_~][A-Za-z_0-9]*)[ \t]*\\(")
        list(APPEND api_functions "${CMAKE_MATCH_1}")
      else()
        cxm_fail("cannot read the exported name in ${h}: ${d} (put the name on the CXMETRICS_API line)")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES api_functions)
  list(REMOVE_DUPLICATES api_classes)
  foreach(must parse_timestamp format_timestamp)
    if(NOT must IN_LIST api_functions)
      cxm_fail("${must} is not declared CXMETRICS_API in include/")
    endif()
  endforeach()
  message(STATUS "declared CXMETRICS_API: functions ${api_functions}; classes ${api_classes}")

  # What the library exports: defined dynamic symbols in namespace cxm.
  cxm_run(COMMAND "${NM}" -D -C --defined-only "${so}" OUTPUT_VARIABLE nm_out)
  # ABI tags ("format_timestamp[abi:cxx11]") would confuse the list splitting.
  string(REGEX REPLACE "\\[abi:[A-Za-z0-9_]+\\]" "" nm_out "${nm_out}")
  string(REPLACE "\n" ";" nm_lines "${nm_out}")
  set(exported_functions)
  set(n_cxm 0)
  foreach(line IN LISTS nm_lines)
    if(NOT line MATCHES "^[0-9a-fA-F]* +[A-Za-z] +(.*)$")
      continue()
    endif()
    set(sym "${CMAKE_MATCH_1}")
    string(REGEX REPLACE "^(typeinfo name for|typeinfo for|vtable for|VTT for|guard variable for) " "" bare "${sym}")
    if(NOT bare MATCHES "cxm::" OR bare MATCHES "^(std|__gnu_cxx)::")
      # Not ours, or a standard-library template instantiated with cxm types:
      # libstdc++ gives its templates default visibility, and clang keeps it
      # for some instantiations; they are weak and merge with the consumer's.
      continue()
    endif()
    math(EXPR n_cxm "${n_cxm} + 1")
    # The inline ABI namespace (README, "Versions and the ABI namespace"): a
    # consumer built against other headers fails to link instead of running.
    if(NOT bare MATCHES "cxm::v${version_major}_${version_minor}::")
      cxm_fail("libcxmetrics.so exports `${sym}` outside the ABI namespace cxm::v${version_major}_${version_minor}")
    endif()
    string(REGEX REPLACE "\\(.*$" "" qualified "${bare}")
    set(ok FALSE)
    foreach(c IN LISTS api_classes)
      if(qualified MATCHES "^cxm::([A-Za-z_0-9]+::)*${c}(::|$)")
        set(ok TRUE)
      endif()
    endforeach()
    if(qualified MATCHES "^cxm::([A-Za-z_0-9]+::)*([A-Za-z_~][A-Za-z_0-9]*)$")
      set(name "${CMAKE_MATCH_2}")
      if(name IN_LIST api_functions)
        set(ok TRUE)
        list(APPEND exported_functions "${name}")
      endif()
    endif()
    if(NOT ok)
      cxm_fail("libcxmetrics.so exports `${sym}`, which no header declares CXMETRICS_API (hidden visibility not in effect?)")
    endif()
    message(STATUS "exported: ${sym}")
  endforeach()
  foreach(f IN LISTS api_functions)
    if(NOT f IN_LIST exported_functions)
      cxm_fail("${f} is declared CXMETRICS_API but libcxmetrics.so does not export it")
    endif()
  endforeach()
  message(STATUS "${n_cxm} cxm symbols exported, all declared CXMETRICS_API")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "manifests")
  if(NOT PYTHON)
    cxm_fail("manifests needs -DPYTHON")
  endif()
  cxm_run(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.py" "${SOURCE_DIR}" "${VERSION}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "conan_recipe")
  if(NOT PYTHON)
    cxm_fail("conan_recipe needs -DPYTHON")
  endif()
  cxm_run(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_conan_recipe.py" "${SOURCE_DIR}" "${VERSION}")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "release")
  if(NOT PYTHON)
    cxm_fail("release needs -DPYTHON")
  endif()
  # A copy of what the packages are made from; the release step must leave a
  # tree that passes both static checks as released, and a later version
  # change must clear the release's hash again.
  set(tree "${WORK_DIR}/tree")
  foreach(item CMakeLists.txt LICENSE vcpkg.json cmake include src conan packaging tests/packaging)
    get_filename_component(parent "${tree}/${item}" DIRECTORY)
    file(COPY "${SOURCE_DIR}/${item}" DESTINATION "${parent}")
  endforeach()
  set(archive "${WORK_DIR}/v${VERSION}.tar.gz")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E tar czf "${archive}" -- CMakeLists.txt LICENSE cmake include src
                  WORKING_DIRECTORY "${tree}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    cxm_fail("could not pack ${archive}")
  endif()
  file(SHA512 "${archive}" sha512)
  file(SHA256 "${archive}" sha256)
  set(repo "cxmetrics-release-test/cxmetrics")
  cxm_run(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${tree}" "-DREPOSITORY=${repo}" "-DARCHIVE=${archive}"
                  -P "${SOURCE_DIR}/packaging/release.cmake")
  cxm_run(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.py" "${tree}" "${VERSION}" --released "${repo}")
  cxm_run(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_conan_recipe.py" "${tree}" "${VERSION}" --released "${repo}")
  file(READ "${tree}/packaging/vcpkg-overlay-ports/cxmetrics/portfile.cmake" portfile)
  file(READ "${tree}/conan/conandata.yml" conandata)
  if(NOT portfile MATCHES "${sha512}" OR NOT conandata MATCHES "${sha256}")
    cxm_fail("the release step did not write the archive's SHA-512 into the port and its SHA-256 into conandata.yml")
  endif()
  # Running it again changes nothing.
  file(READ "${tree}/conan/conanfile.py" recipe_before)
  cxm_run(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${tree}" "-DREPOSITORY=${repo}" "-DARCHIVE=${archive}"
                  -P "${SOURCE_DIR}/packaging/release.cmake")
  file(READ "${tree}/conan/conanfile.py" recipe_after)
  file(READ "${tree}/conan/conandata.yml" conandata_after)
  if(NOT recipe_before STREQUAL recipe_after OR NOT conandata STREQUAL conandata_after)
    cxm_fail("a second run of the release step changed the recipe or conandata.yml")
  endif()
  # A new version in version.hpp, with the port at port-version 2: the port
  # takes the version, starts again at port-version 0 (left out) and forgets
  # the old release's hash.
  string(REPLACE "." ";" parts "${VERSION}")
  list(GET parts 2 patch)
  math(EXPR next_patch "${patch} + 1")
  string(REGEX REPLACE "[0-9]+$" "${next_patch}" next "${VERSION}")
  set(header "${tree}/include/cxmetrics/version.hpp")
  file(READ "${header}" text)
  string(REGEX REPLACE "#define CXMETRICS_VERSION_PATCH [0-9]+" "#define CXMETRICS_VERSION_PATCH ${next_patch}" text "${text}")
  string(REPLACE "\"${VERSION}\"" "\"${next}\"" text "${text}")
  file(WRITE "${header}" "${text}")
  set(manifest "${tree}/packaging/vcpkg-overlay-ports/cxmetrics/vcpkg.json")
  file(READ "${manifest}" text)
  string(REPLACE "\"version-semver\": \"${VERSION}\"," "\"version-semver\": \"${VERSION}\",\n  \"port-version\": 2," text "${text}")
  file(WRITE "${manifest}" "${text}")
  execute_process(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.py" "${tree}" "${next}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(rc EQUAL 0 OR NOT out MATCHES "version-semver is ${VERSION}, version.hpp says ${next}")
    cxm_fail("the port check did not catch a port whose version differs from version.hpp: ${out}")
  endif()
  message(STATUS "a port left at ${VERSION} after version.hpp moved to ${next} is caught")
  cxm_run(COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${tree}" -P "${SOURCE_DIR}/packaging/release.cmake")
  cxm_run(COMMAND "${PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_vcpkg_port.py" "${tree}" "${next}")
  file(READ "${manifest}" text)
  file(READ "${tree}/packaging/vcpkg-overlay-ports/cxmetrics/portfile.cmake" portfile)
  if(text MATCHES "port-version" OR NOT portfile MATCHES "\nset\\(CXMETRICS_SHA512 \"\"\\)")
    cxm_fail("after the version change the port keeps its port-version or the old release's SHA-512")
  endif()
  message(STATUS "release step: ${VERSION} released, then ${next} prepared")

# --------------------------------------------------------------------------
elseif(STEP STREQUAL "sav_fixture")
  if(NOT WRITE_SAV)
    cxm_fail("sav_fixture needs -DWRITE_SAV")
  endif()
  # ReadStat writes the file's date in local time: fixed to UTC here.
  cxm_run(COMMAND "${WRITE_SAV}" "${WORK_DIR}/responses.sav" ENV TZ=UTC)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/responses.sav" "${sav}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    cxm_fail("${sav} is not what tests/packaging/write_sav.cpp writes; rewrite it with TZ=UTC write_sav")
  endif()
  file(SIZE "${sav}" size)
  message(STATUS "${sav}: ${size} bytes, as write_sav.cpp writes them")

else()
  cxm_fail("unknown step '${STEP}'")
endif()

message(STATUS "packaging check passed: ${STEP}")
