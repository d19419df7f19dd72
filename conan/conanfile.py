"""Conan 2 recipe of cxmetrics.

    conan create conan -s compiler.cppstd=20 --build=missing
    conan create conan -s compiler.cppstd=20 -o "cxmetrics/*:shared=True" --build=missing
    conan create conan -s compiler.cppstd=20 -o "cxmetrics/*:with_readstat=True" --build=missing

Sources. A released version is fetched by source() from the archive that
conandata.yml names for it (url and sha256, written by packaging/release.cmake).
A version that conandata.yml does not list is the development tree this
recipe sits in: export_sources() then exports CMakeLists.txt, LICENSE, cmake/,
include/ and src/ from the project root (the same set tests/packaging/run.cmake
packs for its FetchContent test, so a missing file shows up there). The
version is read from include/cxmetrics/version.hpp, the single source of the
version, unless the command line gives one (--version, as a registry does).

Dependencies, in the version ranges the project's CMake accepts
(cmake/cxmetricsDependencies.cmake; tests/packaging/check_conan_recipe.py
checks that they agree):
  * nlohmann/json appears in public headers: transitive_headers=True.
  * Boost (Math and Random, header-only parts) is private to the compiled
    numerics (src/stats): transitive_headers=False and transitive_libs=False,
    so consumers see neither its headers nor a library of it (the package's
    objects hold every Boost function they use). The package requires
    boost::headers, the component of Boost's headers whether or not Boost
    itself is header-only; no option of Boost is forced.
  * Eigen (header-only) is private to the least-squares sources, like
    Boost: transitive_headers=False and transitive_libs=False.
  * Google Highway is private to the compiled engine (SIMD kernels): its
    headers stay hidden, and Conan propagates its library to the link of a
    static cxmetrics.
  * ReadStat (option with_readstat, off by default) is private to the
    SPSS/Stata/SAS readers, like Highway.
Conan Center's highway and readstat packages are renamed for CMakeDeps to
what CMakeLists.txt looks for: hwy-config.cmake / hwy::hwy as upstream Highway
installs them, ReadStatConfig.cmake / ReadStat::ReadStat as
cmake/FindReadStat.cmake defines them.

With libraries of the system instead of Conan Center's, a profile lists them
under [platform_requires] (README, "Conan 2").
"""

import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, get, load, rmdir
from conan.tools.scm import Version

required_conan_version = ">=2.0"


class CxmetricsConan(ConanFile):
    name = "cxmetrics"
    description = "Customer-experience metrics (NPS, CSAT, CES, resolution) with honest uncertainty"
    license = "MIT"
    # The repository a release is published from: packaging/release.cmake
    # writes it here when it releases (REPOSITORY=<owner>/<name>); the project
    # has no public home before its first release.
    homepage = None
    url = None
    topics = ("nps", "csat", "ces", "customer-experience", "survey", "statistics")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_readstat": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_readstat": False,
    }

    # What a source package of cxmetrics consists of, relative to the project root.
    _source_patterns = ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*")

    @property
    def _min_compilers(self):
        # gcc 12 and clang 14 are the oldest the project is built with. The
        # compiled part needs std::from_chars for double: MSVC has it, and
        # all of C++20's library, in every update of 193 (Visual Studio
        # 2022), not in every update of 192; LLVM's libc++ from release 20
        # (checked below for clang with libc++). Apple clang 17 is the first
        # that can ship such a libc++ (Xcode 26); the ones of Xcode 16.3/16.4
        # carry the same version number and do not, and macOS builds are not
        # tested.
        return {"gcc": "12", "clang": "14", "apple-clang": "17", "msvc": "193"}

    @property
    def _project_root(self):
        return os.path.join(self.recipe_folder, "..")

    @property
    def _release_source(self):
        """conandata.yml's archive of this version (url, sha256), once released."""
        sources = (self.conan_data or {}).get("sources") or {}
        return sources.get(str(self.version))

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
        if self._release_source:
            return  # source() fetches the release archive
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
        self.requires("boost/[>=1.71.0 <2]", transitive_headers=False, transitive_libs=False)
        self.requires("eigen/[>=3.4.0 <6]", transitive_headers=False, transitive_libs=False)
        self.requires("nlohmann_json/[>=3.9.0 <4]", transitive_headers=True)
        self.requires("highway/[>=1.0.0 <2]")
        if self.options.with_readstat:
            self.requires("readstat/[>=1.1.8 <2]")

    def validate(self):
        check_min_cppstd(self, 20)
        compiler = str(self.settings.compiler)
        version = Version(self.settings.compiler.version)
        minimum = self._min_compilers.get(compiler)
        if minimum and version < minimum:
            raise ConanInvalidConfiguration(f"{self.ref} needs {compiler} >= {minimum} (C++20)")
        if compiler == "clang" and self.settings.get_safe("compiler.libcxx") == "libc++" and version < "20":
            raise ConanInvalidConfiguration(
                f"{self.ref} needs libc++ >= 20 (std::from_chars for double): clang >= 20 with libc++")

    def source(self):
        if self._release_source:
            get(self, **self._release_source, strip_root=True)

    def generate(self):
        toolchain = CMakeToolchain(self)
        # shared/fPIC reach CMake as BUILD_SHARED_LIBS / CMAKE_POSITION_INDEPENDENT_CODE.
        toolchain.cache_variables["CXMETRICS_BUILD_TESTS"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_BENCHMARKS"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_TOOLS"] = False
        toolchain.cache_variables["CXMETRICS_BUILD_PYTHON"] = False
        toolchain.cache_variables["CXMETRICS_INSTALL"] = True
        # ON requires ReadStat (configuring fails without it), OFF never uses
        # one the system happens to have.
        toolchain.cache_variables["CXMETRICS_WITH_READSTAT"] = "ON" if self.options.with_readstat else "OFF"
        toolchain.generate()
        deps = CMakeDeps(self)
        deps.set_property("highway", "cmake_file_name", "hwy")
        deps.set_property("highway::hwy", "cmake_target_name", "hwy::hwy")
        if self.options.with_readstat:
            deps.set_property("readstat", "cmake_file_name", "ReadStat")
            deps.set_property("readstat", "cmake_target_name", "ReadStat::ReadStat")
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
        # Every direct requirement is named (Conan checks it); Boost's and
        # Eigen's headers only, which their non-transitive traits keep from
        # the consumers.
        self.cpp_info.requires = ["boost::headers", "eigen::eigen", "nlohmann_json::nlohmann_json", "highway::hwy"]
        if self.options.with_readstat:
            self.cpp_info.requires.append("readstat::readstat")
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "m"]
