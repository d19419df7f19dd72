"""Conan 2 test_package of cxmetrics: builds test_package.cpp against the
package just created and runs it (`conan create conan` does this) on the SPSS
file beside it, telling it whether the package was built with ReadStat.

The CMakeLists.txt beside it is plain CMake: tests/packaging builds it against
an installed prefix too (`-DCMAKE_PREFIX_PATH=<prefix>`), so it stays
independent of Conan.
"""

import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, cmake_layout


class CxmetricsTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "CMakeToolchain"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            readstat = "on" if self.dependencies["cxmetrics"].options.with_readstat else "off"
            binary = os.path.join(self.cpp.build.bindir, "test_package")
            data = os.path.join(self.source_folder, "responses.sav")
            self.run(f'"{binary}" "{data}" {readstat}', env="conanrun")
