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

// The ABI namespace. Every declaration of the library lives in the inline
// namespace cxm::v<major>_<minor> (cxm::v0_1 here): code names it cxm::...,
// but the linker sees cxm::v0_1::..., so a program compiled against the
// headers of one version and linked with the library of another fails to link
// instead of running with mismatched types. Before 1.0 each minor version may
// change the ABI; the tag changes with it (tests/check_abi_namespace.cmake
// checks every namespace opening against the numbers above, and the packaging
// test every exported symbol). Declare nothing of your own in namespace cxm:
// forward declarations are in cxmetrics/fwd.hpp.
namespace cxm::inline v0_1 {

struct version_info {
  int major;
  int minor;
  int patch;
  const char* string;
};

inline constexpr version_info version{CXMETRICS_VERSION_MAJOR, CXMETRICS_VERSION_MINOR,
                                      CXMETRICS_VERSION_PATCH, CXMETRICS_VERSION_STRING};

}  // namespace cxm
