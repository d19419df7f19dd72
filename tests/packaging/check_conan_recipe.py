"""Runs conan/conanfile.py and conan/test_package/conanfile.py against a small
stand-in of the Conan 2 API, for machines without a Conan client.

It cannot prove that Conan builds the package (the packaging.* CMake tests
prove the build itself); it catches what would otherwise surface only in a
user's `conan create`: Python errors in the recipe, a version that disagrees
with version.hpp, exported sources that do not exist, options and package
information that contradict what the CMake package provides.

    python3 check_conan_recipe.py <cxmetrics source dir> <expected version>
"""

import fnmatch
import importlib.util
import os
import sys
import types

sys.dont_write_bytecode = True  # keep the source tree clean


class InvalidConfiguration(Exception):
    pass


class Settings:
    """settings.os == "Linux" style access with string comparisons."""

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


class Compiler(str):
    def __new__(cls, name, version, cppstd):
        obj = str.__new__(cls, name)
        obj.version = version
        obj.cppstd = cppstd
        return obj


class Options:
    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"option '{name}' does not exist") from None

    def __setattr__(self, name, value):
        self._values[name] = value

    def __delattr__(self, name):
        del self._values[name]

    def rm_safe(self, name):
        self._values.pop(name, None)

    def has(self, name):
        return name in self._values


class CppInfo:
    def __init__(self):
        self.properties = {}
        self.libs = []
        self.defines = []
        self.requires = []
        self.system_libs = []

    def set_property(self, name, value):
        self.properties[name] = value


class Folders:
    def __init__(self):
        self.root = None
        self.source = None
        self.build = None
        self.generators = None


class ConanFileBase:
    def __init__(self, recipe_folder, settings, options):
        self.recipe_folder = recipe_folder
        self.settings = settings
        self.options = options
        self.version = None
        self.ref = "cxmetrics/<version>"
        self.folders = Folders()
        self.cpp_info = CppInfo()
        self.requirements_seen = []
        self.export_sources_folder = "<export_sources>"

    def requires(self, ref, **traits):
        self.requirements_seen.append((ref, traits))


copies = []
toolchains = []
cmakedeps = []


def copy(conanfile, pattern, src, dst, excludes=None, **_):
    copies.append((pattern, os.path.normpath(src), dst, tuple(excludes or ())))


def load(conanfile, path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rmdir(conanfile, path):
    pass


def cmake_layout(conanfile, src_folder="."):
    conanfile.folders.source = src_folder
    conanfile.folders.build = "build/Release"
    conanfile.folders.generators = "build/Release/generators"


class CMakeToolchain:
    def __init__(self, conanfile):
        self.cache_variables = {}
        self.variables = {}
        toolchains.append(self)

    def generate(self):
        pass


class CMakeDeps:
    def __init__(self, conanfile):
        self.properties = {}
        cmakedeps.append(self)

    def set_property(self, dep, name, value):
        self.properties[(dep, name)] = value

    def generate(self):
        pass


class CMake:
    def __init__(self, conanfile):
        pass


def check_min_cppstd(conanfile, cppstd):
    if int(str(conanfile.settings.compiler.cppstd).replace("gnu", "")) < int(cppstd):
        raise InvalidConfiguration(f"needs C++{cppstd}")


class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in str(text).split("."))

    def _other(self, other):
        return other.parts if isinstance(other, Version) else Version(other).parts

    def __lt__(self, other):
        return self.parts < self._other(other)

    def __ge__(self, other):
        return self.parts >= self._other(other)


def install_stand_in():
    modules = {
        "conan": {"ConanFile": ConanFileBase},
        "conan.errors": {"ConanInvalidConfiguration": InvalidConfiguration},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": check_min_cppstd, "can_run": lambda conanfile: True},
        "conan.tools.cmake": {"CMake": CMake, "CMakeDeps": CMakeDeps, "CMakeToolchain": CMakeToolchain,
                              "cmake_layout": cmake_layout},
        "conan.tools.files": {"copy": copy, "load": load, "rmdir": rmdir},
        "conan.tools.scm": {"Version": Version},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        for key, value in attrs.items():
            setattr(module, key, value)
        sys.modules[name] = module


def load_recipe(path):
    spec = importlib.util.spec_from_file_location(f"recipe_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    classes = [c for c in vars(module).values()
               if isinstance(c, type) and issubclass(c, ConanFileBase) and c is not ConanFileBase]
    if len(classes) != 1:
        fail(f"{path} defines {len(classes)} ConanFile classes")
    return classes[0]


def fail(message):
    print(f"conan recipe check failed: {message}")
    sys.exit(1)


def make(recipe_class, recipe_folder, os_name="Linux", compiler="gcc", compiler_version="12",
         cppstd="20", **option_overrides):
    declared = getattr(recipe_class, "default_options", None) or {}
    defaults = {k: v for k, v in declared.items() if ":" not in k}
    defaults.update(option_overrides)
    settings = Settings(os=os_name, arch="x86_64", build_type="Release",
                        compiler=Compiler(compiler, compiler_version, cppstd))
    conanfile = recipe_class(recipe_folder, settings, Options(defaults))
    conanfile.name = getattr(recipe_class, "name", None)
    return conanfile


def main():
    if len(sys.argv) != 3:
        fail("usage: check_conan_recipe.py <source dir> <version>")
    source_dir, expected_version = sys.argv[1], sys.argv[2]
    recipe_folder = os.path.join(source_dir, "conan")
    install_stand_in()
    recipe = load_recipe(os.path.join(recipe_folder, "conanfile.py"))

    # Identity and declared settings/options.
    if recipe.name != "cxmetrics" or recipe.license != "MIT":
        fail(f"name/license are {recipe.name}/{recipe.license}")
    if tuple(recipe.settings) != ("os", "arch", "compiler", "build_type"):
        fail(f"settings are {recipe.settings}")
    if set(recipe.options) != {"shared", "fPIC"}:
        fail(f"options are {recipe.options}")
    if recipe.default_options.get("boost/*:header_only") is not True:
        fail("boost is not configured header-only by default")

    # Version from version.hpp.
    c = make(recipe, recipe_folder)
    c.set_version()
    if c.version != expected_version:
        fail(f"set_version() gives {c.version}, version.hpp says {expected_version}")

    # Exported sources: the project root, every pattern matching something.
    c.export_sources()
    root = os.path.normpath(source_dir)
    all_files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames if not (rel_dir == "." and d in ("build", ".git"))]
        for f in filenames:
            all_files.append(os.path.normpath(os.path.join(rel_dir, f)).replace(os.sep, "/"))
    patterns = []
    for pattern, src, dst, _ in copies:
        if src != root:
            fail(f"export_sources copies {pattern} from {src}, not from the project root {root}")
        if not [f for f in all_files if fnmatch.fnmatch(f, pattern)]:
            fail(f"export_sources pattern {pattern} matches no file")
        patterns.append(pattern)
    if sorted(patterns) != sorted(["CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*"]):
        fail(f"export_sources exports {patterns}; keep it in step with the fetchcontent test's archive")

    # fPIC: removed on Windows and for shared builds.
    c = make(recipe, recipe_folder, os_name="Windows")
    c.config_options()
    if c.options.has("fPIC"):
        fail("config_options() keeps fPIC on Windows")
    c = make(recipe, recipe_folder, shared=True)
    c.config_options()
    c.configure()
    if c.options.has("fPIC"):
        fail("configure() keeps fPIC for a shared build")
    c = make(recipe, recipe_folder)
    c.config_options()
    c.configure()
    if not c.options.has("fPIC"):
        fail("fPIC was removed from a static Linux build")

    # Layout: the CMake project is one level above the recipe.
    c.layout()
    if c.folders.root != "..":
        fail(f"layout() sets folders.root to {c.folders.root!r}, the project root is '..'")

    # Requirements: header-visible dependencies.
    c.requirements()
    refs = {ref.split("/")[0]: (ref, traits) for ref, traits in c.requirements_seen}
    for dep, version_prefix, public in (("eigen", "eigen/3.4.0", True), ("boost", "boost/1.", True),
                                        ("nlohmann_json", "nlohmann_json/3.11.", True),
                                        ("highway", "highway/1.", False)):
        if dep not in refs or not refs[dep][0].startswith(version_prefix):
            fail(f"requirements() lacks {version_prefix}*: {c.requirements_seen}")
        if bool(refs[dep][1].get("transitive_headers")) != public:
            fail(f"{dep}: transitive_headers should be {public} (public headers "
                 f"{'use' if public else 'do not use'} it)")

    # Compilers: C++20, g++ >= 12, clang++ >= 14.
    for compiler, version, cppstd, ok in (("gcc", "12", "20", True), ("gcc", "13", "gnu20", True),
                                          ("gcc", "11", "20", False), ("gcc", "12", "17", False),
                                          ("clang", "14", "20", True), ("clang", "13", "20", False)):
        c = make(recipe, recipe_folder, compiler=compiler, compiler_version=version, cppstd=cppstd)
        try:
            c.validate()
            accepted = True
        except InvalidConfiguration:
            accepted = False
        if accepted != ok:
            fail(f"validate() {'accepts' if accepted else 'rejects'} {compiler} {version} with C++{cppstd}")

    # Toolchain: tests, examples, benchmarks off.
    c = make(recipe, recipe_folder)
    c.generate()
    cache = toolchains[-1].cache_variables
    for var in ("CXMETRICS_BUILD_TESTS", "CXMETRICS_BUILD_EXAMPLES", "CXMETRICS_BUILD_BENCHMARKS"):
        if cache.get(var) is not False:
            fail(f"generate() does not set {var} OFF")
    # CMakeLists.txt calls find_package(hwy CONFIG) and links hwy::hwy.
    names = cmakedeps[-1].properties if cmakedeps else {}
    if names.get(("highway", "cmake_file_name")) != "hwy" or \
            names.get(("highway::hwy", "cmake_target_name")) != "hwy::hwy":
        fail(f"CMakeDeps does not map highway to hwy-config.cmake / hwy::hwy: {names}")

    # Package information, static and shared.
    for shared in (False, True):
        c = make(recipe, recipe_folder, shared=shared)
        c.configure()
        c.package_info()
        info = c.cpp_info
        expected = {"cmake_file_name": "cxmetrics", "cmake_target_name": "cxmetrics::cxmetrics",
                    "pkg_config_name": "cxmetrics"}
        for key, value in expected.items():
            if info.properties.get(key) != value:
                fail(f"package_info() sets {key} to {info.properties.get(key)!r}, expected {value!r}")
        if info.libs != ["cxmetrics"]:
            fail(f"package_info() libs are {info.libs}")
        if ("CXMETRICS_SHARED" in info.defines) != shared:
            fail(f"CXMETRICS_SHARED {'missing from' if shared else 'set in'} a "
                 f"{'shared' if shared else 'static'} package")
        if sorted(info.requires) != sorted(["eigen::eigen3", "boost::headers", "nlohmann_json::nlohmann_json",
                                            "highway::hwy"]):
            fail(f"package_info() requires {info.requires}")

    # test_package: requires the tested reference and runs test_package.
    test_recipe = load_recipe(os.path.join(recipe_folder, "test_package", "conanfile.py"))
    t = make(test_recipe, os.path.join(recipe_folder, "test_package"))
    t.tested_reference_str = f"cxmetrics/{expected_version}"
    t.requirements()
    if [r for r, _ in t.requirements_seen] != [t.tested_reference_str]:
        fail(f"test_package requires {t.requirements_seen}")
    ran = []
    t.run = lambda cmd, env=None: ran.append((cmd, env))
    t.cpp = types.SimpleNamespace(build=types.SimpleNamespace(bindir="bin"))
    t.test()
    if not ran or not ran[0][0].endswith("test_package") or ran[0][1] != "conanrun":
        fail(f"test_package test() runs {ran}")

    print(f"conan recipe: cxmetrics/{expected_version}, exports {' '.join(patterns)}, "
          f"requires {', '.join(ref for ref, _ in refs.values())}")


if __name__ == "__main__":
    main()
