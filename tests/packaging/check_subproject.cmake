# cxmetrics_check_subproject(<cxmetrics source dir>)
#
# Inside another project cxmetrics must build only its library: its tests,
# examples and benchmarks default to OFF (PROJECT_IS_TOP_LEVEL), it adds no
# install rules of its own, and it must not have added any subdirectory.
function(cxmetrics_check_subproject dir)
  foreach(option CXMETRICS_BUILD_TESTS CXMETRICS_BUILD_EXAMPLES CXMETRICS_BUILD_BENCHMARKS CXMETRICS_BUILD_TOOLS CXMETRICS_INSTALL)
    if(NOT DEFINED ${option})
      message(FATAL_ERROR "cxmetrics did not define the option ${option}")
    endif()
    if(${option})
      message(FATAL_ERROR "${option} is ON although cxmetrics is not the top-level project")
    endif()
  endforeach()
  get_directory_property(subdirs DIRECTORY "${dir}" SUBDIRECTORIES)
  if(subdirs)
    message(FATAL_ERROR "cxmetrics added subdirectories inside another project: ${subdirs}")
  endif()
  if(NOT TARGET cxmetrics::cxmetrics)
    message(FATAL_ERROR "cxmetrics did not define cxmetrics::cxmetrics")
  endif()
  message(STATUS "cxmetrics as a subproject: library only, no tests/examples/benchmarks/install rules")
endfunction()
