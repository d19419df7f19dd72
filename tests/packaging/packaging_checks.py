"""What the Conan recipe check and the vcpkg port check share: failing with a
message, the dependency version ranges of cmake/cxmetricsDependencies.cmake,
and their command line."""

import os
import re
import sys


class Checker:
    def __init__(self, what):
        self.what = what

    def fail(self, message):
        print(f"{self.what} check failed: {message}")
        sys.exit(1)

    def cmake_ranges(self, source_dir):
        """{dependency: (lowest, below)} from cmake/cxmetricsDependencies.cmake."""
        path = os.path.join(source_dir, "cmake", "cxmetricsDependencies.cmake")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        low = dict(re.findall(r"^set\(CXMETRICS_([A-Z0-9_]+)_MIN ([0-9.]+)\)", text, re.MULTILINE))
        below = dict(re.findall(r"^set\(CXMETRICS_([A-Z0-9_]+)_BELOW ([0-9.]+)\)", text, re.MULTILINE))
        if set(low) != set(below):
            self.fail(f"{path}: every _MIN needs a _BELOW: {sorted(low)} / {sorted(below)}")
        for need in ("BOOST", "EIGEN3", "NLOHMANN_JSON", "HWY", "READSTAT"):
            if need not in low:
                self.fail(f"{path} does not set CXMETRICS_{need}_MIN")
        return {k: (low[k], below[k]) for k in low}

    def arguments(self, script):
        """(source dir, version, released owner/name or None) from sys.argv."""
        args = sys.argv[1:]
        released = None
        if len(args) == 4 and args[2] == "--released":
            released = args[3]
            args = args[:2]
        if len(args) != 2:
            self.fail(f"usage: {script} <source dir> <version> [--released <owner>/<name>]")
        return args[0], args[1], released


def three_parts(version):
    parts = version.split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))
