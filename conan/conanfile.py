"""Conan 2 recipe of cxmetrics.

    conan create conan -s compiler.cppstd=20 --build=missing
    conan create conan -s compiler.cppstd=20 -o "cxmetrics/*:shared=True" --build=missing

The recipe sits in conan/, one level below the sources it packages. It
exports CMakeLists.txt, LICENSE, cmake/, include/ and src/ from the project
root (the same set tests/packaging/run.cmake packs for its FetchContent test,
so a missing file shows up there) and reads its version from
include/cxmetrics/version.hpp, the single source of the version.

Dependencies: Eigen, Boost and nlohmann/json appear in public headers, so they
are required with transitive_headers=True. cxmetrics uses only header-only
parts of Boost (Math), so Boost defaults to header_only=True; a consumer that
needs compiled Boost libraries can override that option, cxmetrics works with
either. Google Highway is private to the compiled engine (SIMD kernels): its
headers stay hidden, and Conan propagates its library to the link of a static
cxmetrics. Conan Center's highway package is renamed for CMakeDeps to what
upstream Highway installs (hwy-config.cmake, hwy::hwy), which CMakeLists.txt
looks for.
"""

import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir
from conan.tools.scm import Version

required_conan_version = ">=2.0"


class CxmetricsConan(ConanFile):
    name = "cxmetrics"
    description = "Customer-experience metrics (NPS, CSAT, CES, resolution) with honest uncertainty"
    license = "MIT"
    homepage = "https://example.invalid/cxmetrics"
    url = "https://example.invalid/cxmetrics"
    topics = ("nps", "csat", "ces", "customer-experience", "survey", "statistics")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {
        "shared": False,
        "fPIC": True,
        "boost/*:header_only": True,
    }

    # What a source package of cxmetrics consists of, relative to the project root.
    _source_patterns = ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*")
    # Oldest compilers the project is tested with (C++20 library and chrono calendar).
    _minimum_compilers = {"gcc": "12", "clang": "14"}

    @property
    def _project_root(self):
        return os.path.join(self.recipe_folder, "..")

    def set_version(self):
        if self.version:
            return
        header = load(self, os.path.join(self._project_root, "include", "cxmetrics", "version.hpp"))
        parts = []
        for part in ("MAJOR", "MINOR", "PATCH"):
            match = re.search(r"^#define CXMETRICS_VERSION_%s\s+(\d+)\s*$" % part, header, re.MULTILINE)
            if not match:
                raise ConanInvalidConfiguration(f"CXMETRICS_VERSION_{part} not found in version.hpp")
            parts.append(match.group(1))
        self.version = ".".join(parts)

    def export_sources(self):
        for pattern in self._source_patterns:
            copy(self, pattern, src=self._project_root, dst=self.export_sources_folder,
                 excludes=("build/*", ".git/*"))

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)
        # Local flow (conan install/build conan): the project root is one level up.
        self.folders.root = ".."

    def requirements(self):
        self.requires("eigen/3.4.0", transitive_headers=True)
        self.requires("boost/1.86.0", transitive_headers=True)
        self.requires("nlohmann_json/3.11.3", transitive_headers=True)
        self.requires("highway/1.0.7")

    def validate(self):
        check_min_cppstd(self, 20)
        compiler = str(self.settings.compiler)
        minimum = self._minimum_compilers.get(compiler)
        if minimum and Version(self.settings.compiler.version) < minimum:
            raise ConanInvalidConfiguration(
                f"{self.ref} needs {compiler} >= {minimum} (C++20 with <chrono> calendars)")

    def generate(self):
        toolchain = CMakeToolchain(self)
        # shared/fPIC reach CMake as BUILD_SHARED_LIBS / CMAKE_POSITION_INDEPENDENT_CODE.
        toolchain.cache_variables["CXMETRICS_BUILD_TESTS"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_BENCHMARKS"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_TOOLS"] = False
        toolchain.cache_variables["CXMETRICS_INSTALL"] = True
        toolchain.generate()
        deps = CMakeDeps(self)
        deps.set_property("highway", "cmake_file_name", "hwy")
        deps.set_property("highway::hwy", "cmake_target_name", "hwy::hwy")
        deps.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Consumers get CMake and pkg-config files generated from package_info()
        # (CMakeDeps, PkgConfigDeps), not the ones the build installs.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))
        rmdir(self, os.path.join(self.package_folder, "share"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "cxmetrics")
        self.cpp_info.set_property("cmake_target_name", "cxmetrics::cxmetrics")
        self.cpp_info.set_property("pkg_config_name", "cxmetrics")
        self.cpp_info.libs = ["cxmetrics"]
        if self.options.shared:
            self.cpp_info.defines = ["CXMETRICS_SHARED"]
        self.cpp_info.requires = [
            "eigen::eigen3",
            "boost::headers",
            "nlohmann_json::nlohmann_json",
            "highway::hwy",
        ]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "m"]
