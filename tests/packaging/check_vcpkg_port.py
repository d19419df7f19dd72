"""Checks the vcpkg port and manifests of cxmetrics without a vcpkg client.

No vcpkg runs on the test machines, so this reads what vcpkg would read and
asserts what a registry reviewer asks of it:

  * every manifest is in vcpkg's canonical form (what `vcpkg format-manifest`
    writes: key order, sorted dependencies and features, no "port-version": 0),
    so that a registry's CI has nothing to reformat;
  * the port's version is version.hpp's, and the root manifest repeats none;
  * dependencies: the ones the project's CMake finds, each with the
    "version>=" of the lowest version in vcpkg's database that CMake accepts
    (cmake/cxmetricsDependencies.cmake), or none where the database has
    nothing older; no Eigen; ReadStat only through the feature "readstat";
  * the portfile fetches a release with vcpkg_from_github (REPO, REF,
    SHA512 from the release step), keeps the documented development path,
    turns the feature into CXMETRICS_WITH_READSTAT; the port says where it is
    supported and its usage text says that C++20 is needed;
  * the usage text's CMake lines are what the vcpkg usage test
    (tests/packaging/find_package, with its manifest) builds;
  * no placeholder address (example.invalid) is left anywhere.

    python3 check_vcpkg_port.py <source dir> <version> [--released <owner>/<name>]

With --released, the tree is one packaging/release.cmake has filled: the
repository, the archive's SHA-512 and the homepage must then be there.
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True


from packaging_checks import Checker, three_parts  # noqa: E402 (after the line above)


CHECK = Checker("vcpkg port")
fail = CHECK.fail


# Key order of `vcpkg format-manifest` (vcpkg-tool, serialize_manifest):
# "$..." keys first, then these.
TOP_KEYS = ["vcpkg-configuration", "name", "version", "version-semver", "version-date", "version-string",
            "port-version", "maintainers", "contacts", "summary", "description", "homepage", "documentation",
            "license", "supports", "builtin-baseline", "dependencies", "default-features", "features", "overrides"]
DEP_KEYS = ["name", "host", "default-features", "features", "platform", "version>="]
FEATURE_KEYS = ["description", "supports", "license", "dependencies"]


def ordered(obj, keys, where):
    out = {}
    for k in sorted(k for k in obj if k.startswith("$")):
        out[k] = obj[k]
    for k in keys:
        if k in obj:
            out[k] = obj[k]
    unknown = [k for k in obj if k not in out]
    if unknown:
        fail(f"{where}: unknown fields {unknown}")
    return out


def dep_name(dep):
    return dep if isinstance(dep, str) else dep["name"]


def canonical_dependencies(deps, where):
    result = []
    for dep in deps:
        if isinstance(dep, str):
            result.append(dep)
            continue
        dep = ordered(dep, DEP_KEYS, where)
        if set(dep) == {"name"}:
            result.append(dep["name"])  # a dependency with nothing but a name is written as a string
        else:
            if "features" in dep:
                dep["features"] = sorted(dep["features"], key=lambda f: f if isinstance(f, str) else f["name"])
            result.append(dep)
    return sorted(result, key=dep_name)


def canonical(manifest, where):
    m = ordered(manifest, TOP_KEYS, where)
    if m.get("port-version") == 0:
        del m["port-version"]  # 0 is written by leaving it out
    if "dependencies" in m:
        m["dependencies"] = canonical_dependencies(m["dependencies"], where)
    if "features" in m:
        features = {}
        for name in sorted(m["features"]):
            f = ordered(m["features"][name], FEATURE_KEYS, f"{where} feature {name}")
            if "dependencies" in f:
                f["dependencies"] = canonical_dependencies(f["dependencies"], f"{where} feature {name}")
            features[name] = f
        m["features"] = features
    return m


def load_manifest(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        manifest = json.loads(text)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")
    expected = json.dumps(canonical(manifest, path), indent=2, ensure_ascii=False) + "\n"
    if text != expected:
        fail(f"{path} is not in vcpkg's canonical form (vcpkg format-manifest); expected:\n{expected}")
    return manifest


def version_key(version):
    return [int(p) if p.isdigit() else p for p in version.replace("-", ".").split(".")]


# Versions (port-version 0) in vcpkg's version database (versions/<x>-/<port>.json,
# read August 2026), up to the first few at or above the project's minimums.
# The registry's CI accepts a "version>=" only if it names one of these, so
# the port's constraint is the lowest of them that CMake accepts, and none
# when the database holds nothing older than CMake's minimum.
VCPKG_VERSIONS = {
    "boost-headers": ["1.84.0", "1.85.0", "1.86.0"],
    "boost-math": ["1.66.0", "1.67.0", "1.68.0", "1.69.0", "1.70.0", "1.71.0", "1.72.0", "1.73.0", "1.74.0"],
    "boost-random": ["1.66.0", "1.67.0", "1.68.0", "1.69.0", "1.70.0", "1.71.0", "1.72.0", "1.73.0", "1.74.0"],
    "eigen3": ["3.2.9", "3.2.10", "3.3.0", "3.3.3", "3.3.4", "3.3.5", "3.3.7", "3.3.9", "3.4.0"],
    "highway": ["0.14.2", "1.0.2", "1.0.3", "1.0.4", "1.0.6", "1.0.7", "1.1.0"],
    "nlohmann-json": ["3.7.0", "3.7.3", "3.8.0", "3.9.0", "3.9.1", "3.10.2"],
}


def vcpkg_constraint(port, cmake_min):
    """The "version>=" the port must carry for a CMake minimum, or None."""
    versions = VCPKG_VERSIONS[port]
    low = version_key(three_parts(cmake_min))
    if version_key(versions[0]) >= low:
        return None  # everything vcpkg has is new enough
    for v in versions:
        if version_key(v) >= low:
            return v
    fail(f"{port}: no version at or above {cmake_min} in check_vcpkg_port.py's VCPKG_VERSIONS; "
         "add the database's versions")


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail(f"{path}: {e}")


def main():
    source_dir, version, released = CHECK.arguments("check_vcpkg_port.py")
    port_dir = os.path.join(source_dir, "packaging", "vcpkg-overlay-ports", "cxmetrics")
    minimums = {k: low for k, (low, _) in CHECK.cmake_ranges(source_dir).items()}

    # The port's manifest.
    port = load_manifest(os.path.join(port_dir, "vcpkg.json"))
    if port.get("name") != "cxmetrics" or port.get("license") != "MIT":
        fail(f"port name/license are {port.get('name')}/{port.get('license')}")
    if port.get("version-semver") != version:
        fail(f"the port's version-semver is {port.get('version-semver')}, version.hpp says {version}: "
             "run `cmake -P packaging/release.cmake`")
    if "port-version" in port and (not isinstance(port["port-version"], int) or port["port-version"] < 1):
        fail(f"port-version {port['port-version']!r} is not a positive integer")
    if not port.get("supports"):
        fail("the port has no \"supports\" field")
    homepage = port.get("homepage")
    if released:
        if homepage != f"https://github.com/{released}":
            fail(f"released port's homepage is {homepage!r}, expected https://github.com/{released}")
    elif homepage is not None and not homepage.startswith("https://"):
        fail(f"the port's homepage {homepage!r} is not an https address")
    expected = {port: vcpkg_constraint(port, minimums[dep]) for port, dep in (
        ("boost-headers", "BOOST"), ("boost-math", "BOOST"), ("boost-random", "BOOST"), ("eigen3", "EIGEN3"),
        ("highway", "HWY"),
        ("nlohmann-json", "NLOHMANN_JSON"))}
    core = {}
    for dep in port["dependencies"]:
        if isinstance(dep, dict) and dep.get("host"):
            continue
        core[dep_name(dep)] = dep.get("version>=") if isinstance(dep, dict) else None
    if core != expected:
        fail(f"the port depends on {core} (name: version>=); for the minimums of the project's CMake "
             f"(cmake/cxmetricsDependencies.cmake) and vcpkg's version database it should be {expected}")
    hosts = sorted(dep_name(d) for d in port["dependencies"] if isinstance(d, dict) and d.get("host"))
    if hosts != ["vcpkg-cmake", "vcpkg-cmake-config"]:
        fail(f"host dependencies are {hosts}")
    features = port.get("features", {})
    if list(features) != ["readstat"] or features["readstat"].get("dependencies") != ["readstat"]:
        fail(f"the port's features are {features}; expected readstat, depending on readstat")

    # The root manifest: the project's own dependencies, no version of its own.
    root = load_manifest(os.path.join(source_dir, "vcpkg.json"))
    for key in ("name", "version", "version-semver", "version-string", "version-date", "port-version"):
        if key in root:
            fail(f"vcpkg.json has \"{key}\": the version lives in version.hpp (and the port) only")
    root_core = sorted(dep_name(d) for d in root.get("dependencies", []))
    if root_core != sorted(expected):
        fail(f"vcpkg.json depends on {root_core}, the port on {sorted(expected)}")
    root_features = root.get("features", {})
    for feature, deps in (("readstat", ["readstat"]), ("tests", ["gtest"]), ("benchmarks", ["benchmark"]),
                          ("tools", ["cli11"])):
        if feature not in root_features or [dep_name(d) for d in root_features[feature].get("dependencies", [])] != deps:
            fail(f"vcpkg.json's feature {feature} does not depend on {deps}")

    # The portfile.
    portfile = read(os.path.join(port_dir, "portfile.cmake"))
    repo = re.search(r'^set\(CXMETRICS_REPOSITORY "([^"]*)"\)$', portfile, re.MULTILINE)
    sha = re.search(r'^set\(CXMETRICS_SHA512 "([^"]*)"\)$', portfile, re.MULTILINE)
    if not repo or not sha:
        fail("the portfile lacks set(CXMETRICS_REPOSITORY \"...\") / set(CXMETRICS_SHA512 \"...\")")
    if released:
        if repo.group(1) != released or not re.fullmatch(r"[0-9a-f]{128}", sha.group(1)):
            fail(f"released portfile has REPOSITORY {repo.group(1)!r}, SHA512 {sha.group(1)!r}")
    elif sha.group(1) and not repo.group(1):
        fail("the portfile has a SHA-512 but no repository")  # (a repository without one: next version unreleased)
    elif sha.group(1) and not re.fullmatch(r"[0-9a-f]{128}", sha.group(1)):
        fail(f"the portfile's SHA512 {sha.group(1)!r} is not a SHA-512")
    fetch = re.search(r"vcpkg_from_github\((.*?)\n\s*\)", portfile, re.DOTALL)
    if not fetch:
        fail("the portfile does not fetch its sources with vcpkg_from_github")
    for arg in ('OUT_SOURCE_PATH SOURCE_PATH', 'REPO "${CXMETRICS_REPOSITORY}"', 'REF "v${VERSION}"',
                'SHA512 "${CXMETRICS_SHA512}"'):
        if arg not in fetch.group(1):
            fail(f"vcpkg_from_github lacks {arg}")
    for needed in ("$ENV{CXMETRICS_SOURCE_DIR}", "vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS",
                   "readstat CXMETRICS_WITH_READSTAT", "${FEATURE_OPTIONS}", "vcpkg_cmake_install()",
                   "vcpkg_cmake_config_fixup(PACKAGE_NAME cxmetrics CONFIG_PATH lib/cmake/cxmetrics)",
                   "vcpkg_fixup_pkgconfig()", "vcpkg_install_copyright("):
        if needed not in portfile:
            fail(f"the portfile lacks {needed}")
    if "CMAKE_CURRENT_LIST_DIR}/../../.." in portfile:
        fail("the portfile still builds the tree it sits in")

    # Usage text, and the vcpkg usage test that builds exactly those lines.
    usage = read(os.path.join(port_dir, "usage"))
    if "C++20" not in usage:
        fail("the usage text does not say that C++20 is needed")
    cmake_lines = [l.strip() for l in usage.splitlines() if l.strip().startswith(("find_package(", "target_link_libraries("))]
    if len(cmake_lines) != 2:
        fail(f"the usage text has {len(cmake_lines)} CMake lines, expected find_package and target_link_libraries")
    usage_test = os.path.join(source_dir, "tests", "packaging", "find_package")
    consumer = read(os.path.join(usage_test, "CMakeLists.txt"))
    for line in cmake_lines:
        if line.replace("main", "consumer") not in consumer:
            fail(f"tests/packaging/find_package/CMakeLists.txt does not use the usage text's `{line}`")
    test_manifest = load_manifest(os.path.join(usage_test, "vcpkg.json"))
    if [dep_name(d) for d in test_manifest.get("dependencies", [])] != ["cxmetrics"]:
        fail("the usage test's vcpkg.json does not depend on cxmetrics (only)")
    configuration = json.loads(read(os.path.join(usage_test, "vcpkg-configuration.json")))
    overlays = configuration.get("overlay-ports", [])
    for overlay in overlays:
        if not os.path.isdir(os.path.join(usage_test, overlay)):
            fail(f"the usage test's overlay {overlay} does not exist")
    if not any(os.path.isfile(os.path.join(usage_test, o, "cxmetrics", "vcpkg.json")) for o in overlays):
        fail("the usage test's vcpkg-configuration.json does not name the cxmetrics port's overlay")

    # The stand-in port of the system's ReadStat.
    system = os.path.join(source_dir, "packaging", "vcpkg-system-ports", "readstat")
    stand_in = load_manifest(os.path.join(system, "vcpkg.json"))
    if stand_in.get("name") != "readstat" or stand_in.get("dependencies"):
        fail("packaging/vcpkg-system-ports/readstat is not an empty port named readstat")
    if "set(VCPKG_POLICY_EMPTY_PACKAGE enabled)" not in read(os.path.join(system, "portfile.cmake")):
        fail("the system ReadStat port does not declare an empty package")

    # No placeholder address anywhere in what the packages are made from.
    for dirpath, _, filenames in os.walk(os.path.join(source_dir, "packaging")):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if "example.invalid" in read(path):
                fail(f"{path} still holds the placeholder example.invalid")
    for rel in ("vcpkg.json", "CMakeLists.txt", os.path.join("cmake", "cxmetrics.pc.in")):
        if "example.invalid" in read(os.path.join(source_dir, rel)):
            fail(f"{rel} still holds the placeholder example.invalid")

    state = f"released from {released}" if released else ("released" if sha.group(1) else "unreleased")
    print(f"vcpkg port: cxmetrics {version} ({state}), depends on "
          f"{', '.join(f'{n}>={v}' if v else n for n, v in sorted(core.items()))}; features readstat; "
          f"supports {port['supports']}")


if __name__ == "__main__":
    main()
