# The layers of the library (shared DESIGN.md, "Architecture"): a lower layer
# never includes a higher one, so each layer builds and is understood without
# those above it.
#
#   core ← stats ← metrics ← engine ← io ← journey/series/drivers/alerts ← report ← cli
#
#   cmake -DROOT=<dir> -P check_layers.cmake
#
# Scans every file under ROOT/include/cxmetrics/<layer>/ and ROOT/src/<layer>/
# (*.hpp, *.cpp, *.h) and fails, naming each file and line, on an #include of a
# higher layer. A quoted include is resolved the way the build does: a
# "cxmetrics/..." header by its folder under include/cxmetrics/, any other
# name first beside the including file and then under ROOT/src/ (the compiled
# part's include directory); <...> includes are other libraries and are not
# checked. Folders below a layer (core/detail/) belong to that layer.
#
# The top-level headers of include/cxmetrics/:
#   export.hpp, version.hpp, fwd.hpp  below core: every layer may include
#       them; they include no layer (fwd.hpp only declares names);
#   cxmetrics.hpp  the umbrella, above cli: no layer includes it.
# testing/ (the installed merge-law checker, for the tests of users'
# accumulators) may include anything and no layer includes it.
# A folder under include/cxmetrics/ or src/ that is not listed here fails the
# check, so that a new folder is given its place on purpose.
cmake_minimum_required(VERSION 3.25)

if(NOT ROOT OR NOT IS_DIRECTORY "${ROOT}")
  message(FATAL_ERROR "check_layers: -DROOT=<directory holding include/cxmetrics and src> is required")
endif()
get_filename_component(ROOT "${ROOT}" ABSOLUTE)

# Rank of each layer: a file may include ranks <= its own.
set(rank_base 0)      # export.hpp, version.hpp, fwd.hpp
set(rank_core 1)
set(rank_stats 2)
set(rank_metrics 3)
set(rank_engine 4)
set(rank_io 5)
set(rank_journey 6)
set(rank_series 6)
set(rank_drivers 6)
set(rank_alerts 6)
set(rank_report 7)
set(rank_cli 8)
set(rank_umbrella 9)  # cxmetrics.hpp
set(rank_testing 10)  # may include anything; included by no layer
set(top_level_base export.hpp version.hpp fwd.hpp)

# The layer of a path relative to include/cxmetrics/ or src/, into `out`
# ("" when the path is not in a known place).
function(layer_of rel out)
  if(rel MATCHES "^([A-Za-z_0-9]+)/")
    set(layer "${CMAKE_MATCH_1}")
  elseif(rel IN_LIST top_level_base)
    set(layer base)
  elseif(rel STREQUAL "cxmetrics.hpp")
    set(layer umbrella)
  else()
    set(layer "")
  endif()
  set(${out} "${layer}" PARENT_SCOPE)
endfunction()

set(files)
foreach(part IN ITEMS include/cxmetrics src)
  if(IS_DIRECTORY "${ROOT}/${part}")
    file(GLOB_RECURSE found LIST_DIRECTORIES false "${ROOT}/${part}/*.hpp" "${ROOT}/${part}/*.cpp"
         "${ROOT}/${part}/*.h")
    list(APPEND files ${found})
  endif()
endforeach()
list(SORT files)
list(LENGTH files n_files)
if(n_files EQUAL 0)
  message(FATAL_ERROR "check_layers: no sources under ${ROOT}/include/cxmetrics or ${ROOT}/src")
endif()

set(bad)
set(n_includes 0)
foreach(f IN LISTS files)
  file(RELATIVE_PATH rel_root "${ROOT}" "${f}")
  if(rel_root MATCHES "^include/cxmetrics/(.*)$")
    set(rel "${CMAKE_MATCH_1}")
  else()
    string(REGEX REPLACE "^src/" "" rel "${rel_root}")
  endif()
  layer_of("${rel}" layer)
  if(rel_root MATCHES "^src/" AND NOT rel MATCHES "/")
    continue()  # src/CMakeLists.txt and the like: no layer of their own
  endif()
  if(layer STREQUAL "" OR NOT DEFINED rank_${layer})
    list(APPEND bad "${rel_root}: folder '${layer}' is not a layer of tests/check_layers.cmake")
    continue()
  endif()
  set(own ${rank_${layer}})
  get_filename_component(dir "${f}" DIRECTORY)
  # One list element per line (as check_public_includes.cmake).
  file(READ "${f}" text)
  string(REGEX REPLACE "[][;]" " " text "${text}")
  string(REPLACE "\\" " " text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(line_no 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      continue()
    endif()
    set(target "${CMAKE_MATCH_1}")
    math(EXPR n_includes "${n_includes} + 1")
    if(target MATCHES "^cxmetrics/(.*)$")
      layer_of("${CMAKE_MATCH_1}" to)
    elseif(EXISTS "${dir}/${target}")
      get_filename_component(resolved "${dir}/${target}" ABSOLUTE)
      file(RELATIVE_PATH to_rel "${ROOT}/src" "${resolved}")
      layer_of("${to_rel}" to)
    elseif(EXISTS "${ROOT}/src/${target}")
      layer_of("${target}" to)
    else()
      list(APPEND bad "${rel_root}:${line_no}: includes \"${target}\", found neither beside it nor under src/")
      continue()
    endif()
    if(to STREQUAL "" OR NOT DEFINED rank_${to})
      list(APPEND bad "${rel_root}:${line_no}: includes \"${target}\" of no known layer")
    elseif(rank_${to} GREATER own)
      list(APPEND bad "${rel_root}:${line_no}: ${layer} includes \"${target}\" of the higher layer ${to}")
    endif()
  endforeach()
endforeach()

if(bad)
  list(LENGTH bad n_bad)
  string(JOIN "\n  " listed ${bad})
  message(FATAL_ERROR "${n_bad} layering error(s) (core <- stats <- metrics <- engine <- io <- report <- cli):\n"
                      "  ${listed}")
endif()
message(STATUS "layers: ${n_files} files, ${n_includes} quoted includes, none of a higher layer")
