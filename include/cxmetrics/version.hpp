// cxmetrics — version of the headers in use.
//
// The numbers below are the single source of truth: CMakeLists.txt reads them
// to set the project version, so the header, the package config version file
// and the pkg-config file can never disagree.
#pragma once

#define CXMETRICS_VERSION_MAJOR 0
#define CXMETRICS_VERSION_MINOR 1
#define CXMETRICS_VERSION_PATCH 0

#define CXMETRICS_VERSION_STRING "0.1.0"

// A single comparable number: major * 10000 + minor * 100 + patch.
#define CXMETRICS_VERSION \
  (CXMETRICS_VERSION_MAJOR * 10000 + CXMETRICS_VERSION_MINOR * 100 + CXMETRICS_VERSION_PATCH)

namespace cxm {

struct version_info {
  int major;
  int minor;
  int patch;
  const char* string;
};

inline constexpr version_info version{CXMETRICS_VERSION_MAJOR, CXMETRICS_VERSION_MINOR,
                                      CXMETRICS_VERSION_PATCH, CXMETRICS_VERSION_STRING};

}  // namespace cxm
