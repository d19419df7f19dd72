"""cxm summary --save-state / --from-states: the states of N pieces of a file,
merged, print the tables of `cxm summary` on the whole file.

The reference is the other path of the same command (the whole file read at
once), so what is checked is the merge law: state(A ++ B) = state(A) merged
with state(B). Counts must be identical; weighted sums add in another order
when merged, so weighted values may differ in the last bits (relative 1e-12)
and the text formats, which round, must be byte-identical.
"""
import csv
import json
import os

from cxmtest import SAMPLE, check, finish, run, scratch

WHOLE = None  # the sample with a column q1 (1-5) for a declared score field


def make_whole(folder):
    """The sample plus a column q1 = 1 + (row number mod 5)."""
    global WHOLE
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    WHOLE = os.path.join(folder, "whole.csv")
    write_rows(WHOLE, header + ["q1"], [r + [str(1 + i % 5)] for i, r in enumerate(rows)])


def write_rows(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def pieces(folder, n):
    """The whole file split into n CSV files of whole rows, each with the header."""
    with open(WHOLE, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    paths = []
    step = (len(rows) + n - 1) // n
    for i in range(n):
        p = os.path.join(folder, f"part{i}.csv")
        write_rows(p, header, rows[i * step:(i + 1) * step])
        paths.append(p)
    return paths


def same(a, b, path="$", tol=0.0):
    """a equals b, reals within relative tol; the first difference, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if sorted(a) != sorted(b):
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            d = same(a[k], b[k], f"{path}.{k}", tol)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, f"{path}[{i}]", tol)
            if d:
                return d
        return None
    if isinstance(a, float) and isinstance(b, float) and tol > 0:
        return None if abs(a - b) <= tol * max(1.0, abs(a), abs(b)) else f"{path}: {a!r} != {b!r}"
    return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"


def states_of(files, flags, tag=""):
    out = []
    for f in files:
        s = f[:-4] + tag + ".state"
        code, _, err = run("summary", f, *flags, "--save-state", s, "--format", "json")
        check(code == 0, f"--save-state {s} exits 0 (got {code}: {err})")
        out.append(s)
    return out


def compare(folder, n, flags, weighted):
    files = pieces(folder, n)
    states = states_of(files, flags)
    for fmt in ("json", "table", "csv", "markdown"):
        c1, whole, e1 = run("summary", WHOLE, *flags, "--format", fmt)
        c2, merged, e2 = run("summary", "--from-states", *states, *flags, "--format", fmt)
        what = f"{n} states {' '.join(flags)} --format {fmt}"
        if not check(c1 == 0 and c2 == 0, f"{what}: both exit 0 ({c1} {e1}; {c2} {e2})"):
            continue
        if fmt != "json":
            if not weighted or fmt in ("table", "markdown"):
                check(whole == merged, f"{what}: byte-identical")
            continue
        a, b = json.loads(whole), json.loads(merged)
        check(b.pop("states") == states and b.pop("file") is None, f"{what}: file null, states listed")
        a.pop("file")
        d = same(a, b, tol=1e-12 if weighted else 0.0)
        check(d is None, f"{what}: same tables ({d})")
        # Every count identical, weighted or not.
        for name, rows in a.items():
            if isinstance(rows, list) and rows and isinstance(rows[0], dict) and "n" in rows[0]:
                check([r["n"] for r in rows] == [r["n"] for r in b[name]], f"{what}: counts of {name}")


with scratch() as tmp:
    make_whole(tmp)
    compare(tmp, 3, ["--by", "channel,month"], weighted=True)
    compare(tmp, 4, ["--by", "channel,month", "--unweighted"], weighted=False)
    compare(tmp, 2, ["--by", "segment", "--field", "q1:score:1-5", "--unweighted", "--max-groups", "2"],
            weighted=False)
    compare(tmp, 2, ["--unweighted"], weighted=False)

    # Order does not matter for the counts, and one state merged alone is itself.
    files = pieces(tmp, 3)
    states = states_of(files, ["--by", "agent", "--unweighted"])
    _, fwd, _ = run("summary", "--from-states", *states, "--format", "csv")
    _, back, _ = run("summary", "--from-states", *reversed(states), "--format", "csv")
    check(fwd == back, "unweighted states merge to the same tables in any order")

    # States of other keys or scales do not merge: bad data, exit 1.
    other = states_of([files[0]], ["--by", "channel"], "-channel")[0]
    code, _, err = run("summary", "--from-states", states[1], other)
    check(code == 1 and "incompatible_merge" in err, f"other keys: exit 1, incompatible_merge ({code} {err})")
    rated = states_of([files[0]], ["--by", "agent", "--unweighted", "--field", "q1:score:1-5"], "-q1")[0]
    code, _, err = run("summary", "--from-states", states[0], rated)
    check(code == 1 and "incompatible_merge" in err, f"other declared fields: exit 1 ({code} {err})")

    # A corrupt or truncated state is a serialization error naming the file.
    with open(states[0], "rb") as f:
        good = f.read()
    bad = os.path.join(tmp, "bad.state")
    for blob in (good[:-3], good[:20] + bytes([good[20] ^ 0x40]) + good[21:], b"not a state"):
        with open(bad, "wb") as f:
            f.write(blob)
        code, _, err = run("summary", "--from-states", bad)
        check(code == 1 and "serialization_error" in err and "bad.state" in err,
              f"corrupt state: exit 1 naming the file ({code} {err})")
    code, _, err = run("summary", "--from-states", os.path.join(tmp, "missing.state"))
    check(code == 3, f"a missing state file: exit 3 ({code} {err})")

    # Usage: FILE or --from-states, not both, not neither; --by must match.
    check(run("summary", SAMPLE, "--from-states", states[0])[0] == 2, "FILE with --from-states: exit 2")
    check(run("summary")[0] == 2, "neither FILE nor --from-states: exit 2")
    check(run("summary", "--from-states", states[0], "--by", "channel")[0] == 2, "--by other than the states': exit 2")

finish()
