// Symbol visibility for the compiled part of cxmetrics.
//
// The library is built with hidden visibility; only declarations marked
// CXMETRICS_API are exported from the shared library. Consumers of a shared
// build get CXMETRICS_SHARED from the CMake target (or the pkg-config file);
// the build of the library itself defines CXMETRICS_BUILDING.
#pragma once

#if defined(CXMETRICS_SHARED)
#  if defined(_WIN32) || defined(__CYGWIN__)
#    if defined(CXMETRICS_BUILDING)
#      define CXMETRICS_API __declspec(dllexport)
#    else
#      define CXMETRICS_API __declspec(dllimport)
#    endif
#  else
#    define CXMETRICS_API __attribute__((visibility("default")))
#  endif
#else
#  define CXMETRICS_API
#endif
