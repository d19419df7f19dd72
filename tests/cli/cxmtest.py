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


def nps_of(scores, weights=None):
    """100 · (Σw promoters − Σw detractors) / Σw (promoters 9–10, detractors 0–6),
    written from the definition: the reference the commands are checked against."""
    weights = weights or [1.0] * len(scores)
    total = sum(weights)
    pro = sum(w for s, w in zip(scores, weights) if s >= 9)
    det = sum(w for s, w in zip(scores, weights) if s <= 6)
    return 100.0 * (pro - det) / total


def ingest_counts(j):
    """The ingest table of a JSON summary as {item: count}."""
    return {x["item"]: x["count"] for x in j.get("ingest", [])}

