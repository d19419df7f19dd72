"""Helpers shared by the cxm command tests: run the binary, record failures.

Each test file is run as `python3 FILE CXM_BINARY SOURCE_DIR` and exits 1 when
any check failed, after running all of them. Only the standard library is used.
"""
import json
import os
import subprocess
import sys
import tempfile

CXM = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "cxm"
SOURCE = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
SAMPLE = os.path.join(SOURCE, "examples", "data", "responses.csv")
failures = []


def run(*args, stdin=None, timeout=120, cwd=None):
    """(exit code, stdout, stderr) of cxm with these arguments."""
    p = subprocess.run([CXM, *args], capture_output=True, text=True, timeout=timeout, input=stdin, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def close(a, b, tol, what):
    return check(a is not None and b is not None and abs(a - b) <= tol, f"{what}: got {a}, expected {b} (tol {tol})")


def jrun(*args, stdin=None):
    """The JSON output of a run that must exit 0."""
    code, out, err = run(*args, "--format", "json", stdin=stdin)
    check(code == 0, f"{' '.join(args)} exits 0 (got {code}, stderr {err!r})")
    return json.loads(out) if code == 0 else {}


def write(path, text, mode="w"):
    with open(path, mode, encoding=None if "b" in mode else "utf-8", newline="" if "b" not in mode else None) as f:
        f.write(text)
    return path


def read(path, mode="r"):
    with open(path, mode, encoding=None if "b" in mode else "utf-8", newline="" if "b" not in mode else None) as f:
        return f.read()


def scratch():
    """A temporary folder removed at exit."""
    return tempfile.TemporaryDirectory(prefix="cxm-test-")


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")
