"""Runs conan/conanfile.py and conan/test_package/conanfile.py against a small
stand-in of the Conan 2 API, for machines without a Conan client.

It cannot prove that Conan builds the package (the packaging.* CMake tests
prove the build itself); it catches what would otherwise surface only in a
user's `conan create` or a registry review: Python errors in the recipe, a
version that disagrees with version.hpp, exported sources that do not exist,
version ranges that differ from what the project's CMake accepts
(cmake/cxmetricsDependencies.cmake), options forced on dependencies, a
ReadStat that is used but not declared, Eigen declared but unused, compiler
minimums missing, placeholder addresses, a conandata.yml that source() cannot
use, and package information that contradicts what the CMake package provides.

    python3 check_conan_recipe.py <cxmetrics source dir> <expected version> [--released <owner>/<name>]

With --released, the tree is one packaging/release.cmake has filled:
conandata.yml must then name this version's archive, source() must fetch it
and export_sources() export nothing, and homepage/url must be the repository.
"""

import fnmatch
import importlib.util
import os
import re
import sys
import types

sys.dont_write_bytecode = True  # keep the source tree clean


from packaging_checks import Checker, three_parts  # noqa: E402 (after the line above)


class InvalidConfiguration(Exception):
    pass


class Settings:
    """settings.os == "Linux" style access with string comparisons."""

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)

    def get_safe(self, name):
        value = self
        for part in name.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value


class Compiler(str):
    def __new__(cls, name, version, cppstd, libcxx=None):
        obj = str.__new__(cls, name)
        obj.version = version
        obj.cppstd = cppstd
        obj.libcxx = libcxx
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

    def get_safe(self, name):
        return self._values.get(name)


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


class Dependency:
    def __init__(self, options):
        self.options = Options(options)


class ConanFileBase:
    def __init__(self, recipe_folder, settings, options, conan_data=None, dependencies=None):
        self.recipe_folder = recipe_folder
        self.settings = settings
        self.options = options
        self.version = None
        self.ref = "cxmetrics/<version>"
        self.folders = Folders()
        self.cpp_info = CppInfo()
        self.requirements_seen = []
        self.export_sources_folder = "<export_sources>"
        self.source_folder = "<source>"
        self.conan_data = conan_data
        self.dependencies = dependencies or {}

    def requires(self, ref, **traits):
        self.requirements_seen.append((ref, traits))


copies = []
toolchains = []
cmakedeps = []
downloads = []


def copy(conanfile, pattern, src, dst, excludes=None, **_):
    copies.append((pattern, os.path.normpath(src), dst, tuple(excludes or ())))


def get(conanfile, url, sha256=None, strip_root=False, **kwargs):
    downloads.append({"url": url, "sha256": sha256, "strip_root": strip_root, **kwargs})


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
        "conan.tools.files": {"copy": copy, "get": get, "load": load, "rmdir": rmdir},
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


CHECK = Checker("conan recipe")
fail = CHECK.fail


def parse_conandata(path):
    """conandata.yml as the recipe uses it: `sources:` mapping versions to
    {url, sha256}, block style, or `sources: {}`. Anything else fails."""
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.lstrip().startswith("#")]
    if not lines or not lines[0].startswith("sources:"):
        fail(f"{path} does not start with `sources:`")
    if lines[0].strip() == "sources: {}":
        if len(lines) != 1:
            fail(f"{path} has more after `sources: {{}}`")
        return {"sources": {}}
    sources, current = {}, None
    for line in lines[1:]:
        m = re.fullmatch(r'  "([^"]+)":', line)
        if m:
            current = sources.setdefault(m.group(1), {})
            continue
        m = re.fullmatch(r'    (url|sha256): "([^"]*)"', line)
        if m and current is not None:
            current[m.group(1)] = m.group(2)
            continue
        fail(f"{path}: cannot read `{line}`")
    for version, entry in sources.items():
        if set(entry) != {"url", "sha256"} or not entry["url"].startswith("https://") or \
                not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
            fail(f"{path}: the entry of {version} is not an https url and a sha256: {entry}")
    return {"sources": sources}


def make(recipe_class, recipe_folder, os_name="Linux", compiler="gcc", compiler_version="12",
         cppstd="20", libcxx=None, conan_data=None, boost_header_only=False, **option_overrides):
    declared = getattr(recipe_class, "default_options", None) or {}
    defaults = dict(declared)
    defaults.update(option_overrides)
    settings = Settings(os=os_name, arch="x86_64", build_type="Release",
                        compiler=Compiler(compiler, compiler_version, cppstd, libcxx))
    dependencies = {"boost": Dependency({"header_only": boost_header_only})}
    conanfile = recipe_class(recipe_folder, settings, Options(defaults), conan_data, dependencies)
    conanfile.name = getattr(recipe_class, "name", None)
    return conanfile


def main():
    source_dir, expected_version, released = CHECK.arguments("check_conan_recipe.py")
    recipe_folder = os.path.join(source_dir, "conan")
    install_stand_in()
    recipe = load_recipe(os.path.join(recipe_folder, "conanfile.py"))
    conan_data = parse_conandata(os.path.join(recipe_folder, "conandata.yml"))
    ranges = CHECK.cmake_ranges(source_dir)

    # Identity, addresses, declared settings/options; no option forced on a dependency.
    if recipe.name != "cxmetrics" or recipe.license != "MIT":
        fail(f"name/license are {recipe.name}/{recipe.license}")
    for attr in ("homepage", "url"):
        value = getattr(recipe, attr, None)
        if released:
            if value != f"https://github.com/{released}":
                fail(f"released recipe's {attr} is {value!r}, expected https://github.com/{released}")
        elif value is not None and not str(value).startswith("https://"):
            fail(f"the recipe's {attr} {value!r} is neither unset (unreleased) nor an https address")
    for dirpath, _, filenames in os.walk(recipe_folder):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if name.endswith((".py", ".yml", ".txt", ".cpp")):
                with open(path, encoding="utf-8") as f:
                    if "example.invalid" in f.read():
                        fail(f"{path} still holds the placeholder example.invalid")
    if tuple(recipe.settings) != ("os", "arch", "compiler", "build_type"):
        fail(f"settings are {recipe.settings}")
    if set(recipe.options) != {"shared", "fPIC", "with_readstat"}:
        fail(f"options are {recipe.options}")
    forced = [k for k in recipe.default_options if ":" in k or "/" in k]
    if forced:
        fail(f"default_options force options of dependencies: {forced}")
    if recipe.default_options.get("with_readstat") is not False:
        fail("with_readstat is not off by default")

    # Version from version.hpp.
    c = make(recipe, recipe_folder, conan_data=conan_data)
    c.set_version()
    if c.version != expected_version:
        fail(f"set_version() gives {c.version}, version.hpp says {expected_version}")
    release_entry = conan_data["sources"].get(expected_version)
    if released and not release_entry:
        fail(f"conandata.yml has no archive of {expected_version}")
    if released and release_entry["url"] != \
            f"https://github.com/{released}/archive/refs/tags/v{expected_version}.tar.gz":
        fail(f"conandata.yml's archive of {expected_version} is {release_entry['url']}")

    # Sources: a release is fetched by source(); otherwise the project root is exported.
    c.export_sources()
    c.source()
    if release_entry:
        if copies:
            fail(f"export_sources() exports {copies} although conandata.yml has the release archive")
        if downloads != [{"url": release_entry["url"], "sha256": release_entry["sha256"], "strip_root": True}]:
            fail(f"source() fetches {downloads}, expected conandata.yml's archive with strip_root")
        patterns = []
    else:
        if downloads:
            fail(f"source() fetches {downloads} for an unreleased version")
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

    # Requirements: the ranges the project's CMake accepts; transitive
    # headers exactly for the dependency of the public headers (nlohmann/json,
    # not Boost: tests/check_public_includes.cmake); libraries transitive
    # except Boost's, which is used header-only inside the compiled part and
    # so is needed by no consumer, and Eigen's (header-only, private to the
    # least-squares sources); ReadStat only when asked for.
    expected = {"boost": ("BOOST", False), "eigen": ("EIGEN3", False), "nlohmann_json": ("NLOHMANN_JSON", True),
                "highway": ("HWY", False), "readstat": ("READSTAT", False)}
    libs_kept_private = {"boost", "eigen"}
    for with_readstat in (False, True):
        c = make(recipe, recipe_folder, with_readstat=with_readstat)
        c.requirements()
        refs = {}
        for ref, traits in c.requirements_seen:
            name, _, version = ref.partition("/")
            refs[name] = (version, traits)
        wanted = {"boost", "eigen", "nlohmann_json", "highway"} | ({"readstat"} if with_readstat else set())
        if set(refs) != wanted:
            fail(f"requirements() with with_readstat={with_readstat} requires {sorted(refs)}, expected {sorted(wanted)}")
        for name, (version, traits) in refs.items():
            key, public = expected[name]
            low, below = ranges[key]
            want = f"[>={three_parts(low)} <{below}]"
            if version != want:
                fail(f"{name}/{version}: the project's CMake accepts {low} or later below {below}, i.e. {name}/{want}")
            if bool(traits.get("transitive_headers")) != public:
                fail(f"{name}: transitive_headers should be {public} (public headers "
                     f"{'use' if public else 'do not use'} it)")
            if name in libs_kept_private and traits.get("transitive_libs") is not False:
                fail(f"{name}: transitive_libs should be False (used header-only by the compiled part)")
            if name not in libs_kept_private and traits.get("transitive_libs") is False:
                fail(f"{name}: transitive_libs is False, but a static cxmetrics' consumers link its library")

    # Compilers: C++20; g++ >= 12, clang++ >= 14 (>= 20 with libc++), Apple clang >= 17, MSVC >= 193.
    for compiler, version, cppstd, libcxx, ok in (
            ("gcc", "12", "20", "libstdc++11", True), ("gcc", "13", "gnu20", "libstdc++11", True),
            ("gcc", "11", "20", "libstdc++11", False), ("gcc", "12", "17", "libstdc++11", False),
            ("clang", "14", "20", "libstdc++11", True), ("clang", "13", "20", "libstdc++11", False),
            ("clang", "19", "20", "libc++", False), ("clang", "20", "20", "libc++", True),
            ("apple-clang", "16", "20", "libc++", False), ("apple-clang", "17", "20", "libc++", True),
            ("msvc", "192", "20", None, False), ("msvc", "193", "20", None, True)):
        c = make(recipe, recipe_folder, compiler=compiler, compiler_version=version, cppstd=cppstd, libcxx=libcxx)
        try:
            c.validate()
            accepted = True
        except InvalidConfiguration:
            accepted = False
        if accepted != ok:
            fail(f"validate() {'accepts' if accepted else 'rejects'} {compiler} {version} ({libcxx}) with C++{cppstd}")

    # Toolchain: tests, examples, benchmarks, tools off; ReadStat as the option says.
    for with_readstat in (False, True):
        c = make(recipe, recipe_folder, with_readstat=with_readstat)
        c.generate()
        cache = toolchains[-1].cache_variables
        for var in ("CXMETRICS_BUILD_TESTS", "CXMETRICS_BUILD_EXAMPLES", "CXMETRICS_BUILD_BENCHMARKS",
                    "CXMETRICS_BUILD_TOOLS"):
            if cache.get(var) is not False:
                fail(f"generate() does not set {var} OFF")
        if cache.get("CXMETRICS_WITH_READSTAT") != ("ON" if with_readstat else "OFF"):
            fail(f"with_readstat={with_readstat} passes CXMETRICS_WITH_READSTAT={cache.get('CXMETRICS_WITH_READSTAT')!r}")
        # CMakeLists.txt calls find_package(hwy CONFIG) and links hwy::hwy;
        # find_package(ReadStat) and ReadStat::ReadStat.
        names = cmakedeps[-1].properties if cmakedeps else {}
        if names.get(("highway", "cmake_file_name")) != "hwy" or \
                names.get(("highway::hwy", "cmake_target_name")) != "hwy::hwy":
            fail(f"CMakeDeps does not map highway to hwy-config.cmake / hwy::hwy: {names}")
        if with_readstat and (names.get(("readstat", "cmake_file_name")) != "ReadStat" or
                              names.get(("readstat", "cmake_target_name")) != "ReadStat::ReadStat"):
            fail(f"CMakeDeps does not map readstat to ReadStatConfig.cmake / ReadStat::ReadStat: {names}")

    # Package information: static and shared, with and without ReadStat, with
    # a compiled or a header-only Boost.
    for shared in (False, True):
        for with_readstat in (False, True):
            for header_only in (False, True):
                c = make(recipe, recipe_folder, shared=shared, with_readstat=with_readstat,
                         boost_header_only=header_only)
                c.configure()
                c.package_info()
                info = c.cpp_info
                props = {"cmake_file_name": "cxmetrics", "cmake_target_name": "cxmetrics::cxmetrics",
                         "pkg_config_name": "cxmetrics"}
                for key, value in props.items():
                    if info.properties.get(key) != value:
                        fail(f"package_info() sets {key} to {info.properties.get(key)!r}, expected {value!r}")
                if info.libs != ["cxmetrics"]:
                    fail(f"package_info() libs are {info.libs}")
                if ("CXMETRICS_SHARED" in info.defines) != shared:
                    fail(f"CXMETRICS_SHARED {'missing from' if shared else 'set in'} a "
                         f"{'shared' if shared else 'static'} package")
                # Boost's headers component, whether Boost is built or header-only.
                want = ["boost::headers", "eigen::eigen", "nlohmann_json::nlohmann_json", "highway::hwy"] + \
                    (["readstat::readstat"] if with_readstat else [])
                if sorted(info.requires) != sorted(want):
                    fail(f"package_info() (shared={shared}, with_readstat={with_readstat}, boost header-only="
                         f"{header_only}) requires {info.requires}, expected {want}")

    # test_package: requires the tested reference and runs test_package on
    # the SPSS file beside it, saying whether the package has ReadStat.
    test_folder = os.path.join(recipe_folder, "test_package")
    if not os.path.isfile(os.path.join(test_folder, "responses.sav")):
        fail("conan/test_package/responses.sav is missing")
    test_recipe = load_recipe(os.path.join(test_folder, "conanfile.py"))
    for with_readstat in (False, True):
        t = make(test_recipe, test_folder)
        t.tested_reference_str = f"cxmetrics/{expected_version}"
        t.requirements()
        if [r for r, _ in t.requirements_seen] != [t.tested_reference_str]:
            fail(f"test_package requires {t.requirements_seen}")
        t.dependencies = {"cxmetrics": Dependency({"with_readstat": with_readstat})}
        t.source_folder = test_folder
        ran = []
        t.run = lambda cmd, env=None: ran.append((cmd, env))
        t.cpp = types.SimpleNamespace(build=types.SimpleNamespace(bindir="bin"))
        t.test()
        want = f'"{os.path.join("bin", "test_package")}" "{os.path.join(test_folder, "responses.sav")}" ' \
               f'{"on" if with_readstat else "off"}'
        if ran != [(want, "conanrun")]:
            fail(f"test_package test() runs {ran}, expected [({want!r}, 'conanrun')]")

    state = f"released from {released}" if released else ("released" if release_entry else "unreleased")
    print(f"conan recipe: cxmetrics/{expected_version} ({state}), exports {' '.join(patterns) or 'nothing'}, "
          f"requires {', '.join(f'{n}/[>={three_parts(ranges[k][0])} <{ranges[k][1]}]' for n, (k, _) in expected.items())}")


if __name__ == "__main__":
    main()
