#!/usr/bin/env python3
"""cxm drivers: key-driver analysis of declared fields. The JSON has one row per
driver with beta_std, first_r2, last_r2, pratt, lmg, relweight (and _lower/_upper
with --bootstrap), plus r2 and n; every value is checked against a computation
written here from the rows of the file (correlations by the two-pass formula,
R² of a subset by normal equations, LMG as the average gain over all orders of
entry); missing values are dropped listwise or pairwise with both drop counts;
the bootstrap is repeatable with a seed; bad input gets exit 1 (bad data) or 2
(usage) naming the field.

Usage: drivers_test.py CXM_BINARY SOURCE_DIR
"""
import itertools
import math
import os
import random

from cxmtest import check, close, finish, jrun, run, scratch, write

# ---- references ---------------------------------------------------------------


def corr(rows):
    m = len(rows[0])
    n = len(rows)
    mean = [sum(r[i] for r in rows) / n for i in range(m)]
    s = [[sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in rows) for j in range(m)] for i in range(m)]
    return [[s[i][j] / math.sqrt(s[i][i] * s[j][j]) for j in range(m)] for i in range(m)]


def solve(a, b):
    n = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(c + 1, n):
            f = a[r][c] / a[c][c]
            for k in range(c, n + 1):
                a[r][k] -= f * a[c][k]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (a[i][n] - sum(a[i][k] * x[k] for k in range(i + 1, n))) / a[i][i]
    return x


def r2_of(r, s):
    """R² of variable 0 on the variables s (1-based) from the correlations r."""
    if not s:
        return 0.0
    beta = solve([[r[i][j] for j in s] for i in s], [r[i][0] for i in s])
    return sum(b * r[i][0] for b, i in zip(beta, s))


def lmg_of(r):
    k = len(r) - 1
    gain = [0.0] * k
    orders = 0
    for order in itertools.permutations(range(1, k + 1)):
        before, entered = 0.0, []
        for v in order:
            entered.append(v)
            after = r2_of(r, entered)
            gain[v - 1] += after - before
            before = after
        orders += 1
    return [g / orders for g in gain]


# ---- data ----------------------------------------------------------------------

rng = random.Random(2026)
ROWS = []  # nps (0-10), q1, q2, q3 (1-5), spend (numeric)
for i in range(400):
    q1, q2, q3 = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
    y = max(0, min(10, round(1.0 * q1 + 0.6 * q2 + 0.3 * q1 * (q3 > 3) + rng.gauss(0, 1.4))))
    ROWS.append([y, q1, q2, q3, round(rng.uniform(0, 200), 2)])
MISSING_Q2 = set(range(0, 400, 9))  # 45 rows without q2
MISSING_Q3 = set(range(4, 400, 13))  # 31 rows without q3
BOTH = MISSING_Q2 & MISSING_Q3


def csv_text(rows, missing=True):
    lines = ["nps,q1,q2,q3,spend"]
    for i, r in enumerate(rows):
        cells = [str(v) for v in r]
        if missing and i in MISSING_Q2:
            cells[2] = ""
        if missing and i in MISSING_Q3:
            cells[3] = ""
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


FIELDS = ["--field", "q1:score:1-5", "--field", "q2:score:1-5", "--field", "q3:score:1-5", "--field", "spend:numeric"]


def by_driver(j):
    return {d["driver"]: d for d in j.get("drivers", [])}


with scratch() as tmp:
    path = write(os.path.join(tmp, "survey.csv"), csv_text(ROWS))

    # Listwise: the complete rows.
    j = jrun("drivers", path, "--outcome", "nps", "--drivers", "q1,q2,q3", *FIELDS)
    complete = [r[:4] for i, r in enumerate(ROWS) if i not in MISSING_Q2 and i not in MISSING_Q3]
    r = corr(complete)
    lmg = lmg_of(r)
    full = r2_of(r, [1, 2, 3])
    close(j.get("r2"), full, 1e-9, "r2")
    check(j.get("n") == len(complete), f"n is the complete rows {len(complete)}, got {j.get('n')}")
    model = j.get("model", [{}])[0]
    check(model.get("dropped_listwise") == len(MISSING_Q2 | MISSING_Q3), f"dropped_listwise: {model}")
    check(model.get("dropped_pairwise") == 0, f"every row has at least two values: {model}")
    d = by_driver(j)
    for key in ["driver", "beta_std", "first_r2", "last_r2", "pratt", "lmg", "relweight"]:
        check(all(key in row for row in j.get("drivers", [])), f"every driver row has '{key}'")
    check(list(d) == ["q1", "q2", "q3"], f"one row per driver in order: {list(d)}")
    for k, name in enumerate(["q1", "q2", "q3"]):
        row = d.get(name, {})
        close(row.get("lmg"), lmg[k], 1e-9, f"lmg of {name}")
        close(row.get("first_r2"), r[k + 1][0] ** 2, 1e-9, f"first_r2 of {name}")
        others = [v for v in [1, 2, 3] if v != k + 1]
        close(row.get("last_r2"), full - r2_of(r, others), 1e-9, f"last_r2 of {name}")
    for key in ["lmg", "pratt", "relweight"]:
        close(sum(row.get(key, 0) for row in d.values()), full, 1e-9, f"{key} sums to R²")
    # Performance: q1's mean and top box (4-5) over the complete rows.
    q1 = [row[1] for row in complete]
    close(d.get("q1", {}).get("mean"), sum(q1) / len(q1), 1e-9, "mean of q1")
    close(d.get("q1", {}).get("top_box"), sum(v >= 4 for v in q1) / len(q1), 1e-12, "top box of q1")
    quads = {row.get("quadrant") for row in d.values()}
    check(quads <= {"fix_first", "keep_up", "possible_overkill", "low_priority"} and None not in quads,
          f"every score driver has a quadrant: {quads}")
    # The most important driver by LMG with the lower top box is fix_first.
    top = max(d.values(), key=lambda x: x["lmg"])
    check(top["quadrant"] in ("fix_first", "keep_up"), f"the most important driver is high importance: {top}")

    # Pairwise: each correlation from its own rows; n is the smallest pair.
    jp = jrun("drivers", path, "--outcome", "nps", "--drivers", "q1,q2,q3", "--missing", "pairwise", *FIELDS)
    pair_n = 400 - len(MISSING_Q2) - len(MISSING_Q3) + len(BOTH)  # the pair (q2, q3)
    check(jp.get("n") == pair_n, f"pairwise n is the pair (q2, q3) with {pair_n} rows, got {jp.get('n')}")
    m = 4
    rp = [[1.0] * m for _ in range(m)]
    for a in range(m):
        for b in range(m):
            if a != b:
                rows = [[row[a], row[b]] for i, row in enumerate(ROWS)
                        if not ((a == 2 or b == 2) and i in MISSING_Q2) and not ((a == 3 or b == 3) and i in MISSING_Q3)]
                rp[a][b] = corr(rows)[0][1]
    lmg_p = lmg_of(rp)
    for k, name in enumerate(["q1", "q2", "q3"]):
        close(by_driver(jp).get(name, {}).get("lmg"), lmg_p[k], 1e-9, f"pairwise lmg of {name}")

    # One method: only its columns.
    jm = jrun("drivers", path, "--outcome", "nps", "--drivers", "q1,q2", "--method", "relweight", *FIELDS)
    row = jm.get("drivers", [{}])[0]
    check("relweight" in row and "lmg" not in row and "pratt" not in row, f"--method relweight shows relweight only: {row}")

    # Bootstrap: _lower/_upper for every measure, repeatable with a seed.
    args = ["drivers", path, "--outcome", "nps", "--drivers", "q1,q2", "--bootstrap", "300", "--seed", "7", *FIELDS]
    b1, b2 = jrun(*args), jrun(*args)
    check(b1 == b2, "the same seed gives the same output")
    b3 = jrun(*args[:-len(FIELDS) - 1], "8", *FIELDS)
    check(b3.get("drivers", [{}])[0].get("lmg_lower") != b1.get("drivers", [{}])[0].get("lmg_lower"),
          "another seed gives other intervals")
    for row in b1.get("drivers", []):
        for key in ["beta_std", "first_r2", "last_r2", "pratt", "lmg", "relweight"]:
            lo, hi, v = row.get(key + "_lower"), row.get(key + "_upper"), row.get(key)
            check(lo is not None and hi is not None and lo <= hi, f"{row['driver']} {key} interval {lo}..{hi}")
            check(lo is not None and lo - 0.05 <= v <= hi + 0.05, f"{row['driver']} {key} {v} near its interval")
    check(b1.get("r2_lower", 1) <= b1.get("r2", 0) <= b1.get("r2_upper", 0), "r2 within its bootstrap interval")

    # A numeric driver: no top box, no quadrants.
    jn = jrun("drivers", path, "--outcome", "nps", "--drivers", "q1,spend", *FIELDS)
    check(all(row.get("quadrant") is None for row in jn.get("drivers", [])), "no quadrant with a numeric driver")
    check(by_driver(jn).get("spend", {}).get("top_box") is None, "a numeric driver has no top box")

    # Text formats.
    for fmt, marker in [("csv", "driver,beta_std"), ("markdown", "| driver"), ("table", "Key drivers of nps")]:
        code, out, err = run("drivers", path, "--outcome", "nps", "--drivers", "q1,q2", *FIELDS, "--format", fmt)
        check(code == 0 and marker in out, f"--format {fmt} writes the table (exit {code}, {err!r})")

    # Weights are not used, and the output says so.
    weighted = write(os.path.join(tmp, "weighted.csv"),
                     "nps,q1,q2,weight\n" + "".join(f"{r[0]},{r[1]},{r[2]},{1 + i % 3}\n" for i, r in enumerate(ROWS)))
    code, out, err = run("drivers", weighted, "--outcome", "nps", "--drivers", "q1,q2", *FIELDS[:4])
    check(code == 0 and "weights are not used" in out, f"a weighted file gets the note (exit {code}, {err!r})")
    jw = jrun("drivers", weighted, "--outcome", "nps", "--drivers", "q1,q2", *FIELDS[:4])
    rw = corr([r[:3] for r in ROWS])
    close(jw.get("r2"), r2_of(rw, [1, 2]), 1e-9, "R² of the weighted file is the unweighted one")

    # Errors.
    def expect(code_wanted, words, *args):
        code, out, err = run("drivers", *args)
        check(code == code_wanted and all(w in err for w in words),
              f"{' '.join(args)}: exit {code_wanted} naming {words}, got {code}: {err!r}")

    expect(2, ["q9"], path, "--outcome", "nps", "--drivers", "q1,q9", *FIELDS)
    expect(2, ["--missing"], path, "--outcome", "nps", "--drivers", "q1", "--missing", "some", *FIELDS)
    expect(2, ["--method"], path, "--outcome", "nps", "--drivers", "q1", "--method", "shap", *FIELDS)
    expect(1, ["csat"], path, "--outcome", "csat", "--drivers", "q1", *FIELDS)
    expect(3, [], os.path.join(tmp, "absent.csv"), "--outcome", "nps", "--drivers", "q1", *FIELDS)
    constant = write(os.path.join(tmp, "constant.csv"), "nps,q1,q2\n" + "".join(f"{i % 11},{1 + i % 5},3\n" for i in range(50)))
    expect(1, ["q2", "does not vary"], constant, "--outcome", "nps", "--drivers", "q1,q2", "--field", "q1:score:1-5",
           "--field", "q2:score:1-5")
    collinear = write(os.path.join(tmp, "collinear.csv"),
                      "nps,a,b,c\n" + "".join(f"{i % 11},{i % 7},{(i * 3) % 5},{i % 7 + (i * 3) % 5}\n" for i in range(60)))
    expect(1, ["collinear", "'c'"], collinear, "--outcome", "nps", "--drivers", "a,b,c", "--field", "a:numeric",
           "--field", "b:numeric", "--field", "c:numeric")
    few = write(os.path.join(tmp, "few.csv"), "nps,q1,q2\n9,4,5\n3,2,1\n7,3,3\n")
    expect(1, ["at least 4 rows"], few, "--outcome", "nps", "--drivers", "q1,q2", "--field", "q1:score:1-5",
           "--field", "q2:score:1-5")
    names = [f"d{i}" for i in range(16)]
    wide = write(os.path.join(tmp, "wide.csv"), "nps," + ",".join(names) + "\n" + "".join(
        f"{rng.randint(0, 10)}," + ",".join(str(rng.randint(1, 5)) for _ in names) + "\n" for _ in range(100)))
    declared = [x for n in names for x in ("--field", f"{n}:score:1-5")]
    expect(2, ["65536"], wide, "--outcome", "nps", "--drivers", ",".join(names), *declared)
    jw = jrun("drivers", wide, "--outcome", "nps", "--drivers", ",".join(names), "--method", "relweight", *declared)
    close(sum(row["relweight"] for row in jw.get("drivers", [])), jw.get("r2"), 1e-9, "16 drivers by relweight")

finish()
