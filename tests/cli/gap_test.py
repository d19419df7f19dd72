#!/usr/bin/env python3
"""cxm gap: the perception gap between self-assessments and customer ratings of
the same contacts. Every number is checked against a computation written here
from the rows of the CSV with the closed forms spelled out: the mean gap with
the paired t interval (t quantile by Simpson integration of Student's density
and bisection), Pearson's r with Fisher's z interval, the Wilson interval of the
"self higher" share, the two top-box shares and Newcombe's paired interval
(method 10) of their difference with McNemar's p; the ranking by |gap| with the
--min-n guard; rows without a rating dropped and counted by reason; self on
another scale mapped onto the customer's; exit 1 (bad data), 2 (usage) and 3
(file) for bad input.

Usage: gap_test.py CXM_BINARY SOURCE_DIR
"""
import math
import os
import random
from statistics import NormalDist

from cxmtest import check, close, finish, jrun, run, scratch, write

# ---- references ---------------------------------------------------------------

Z = NormalDist().inv_cdf(0.975)


def t_cdf(x, df):
    """P(T <= x) for x >= 0 by Simpson's rule on Student's density over [0, x]."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    f = lambda t: c * (1 + t * t / df) ** (-(df + 1) / 2)
    m = 4000
    h = x / m
    s = f(0) + f(x) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, m))
    return 0.5 + s * h / 3


def t_quantile(p, df):
    lo, hi = 0.0, 50.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_t(xs):
    """Mean, SE and t interval: x̄ ± t_{0.975, n−1}·s/√n."""
    n = len(xs)
    m = sum(xs) / n
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    se = s / math.sqrt(n)
    t = t_quantile(0.975, n - 1)
    return m, se, m - t * se, m + t * se


def pearson_fisher(xs, ys):
    """r = Sxy/√(Sxx·Syy); tanh(atanh r ± z/√(n − 3))."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    r = sxy / math.sqrt(sxx * syy)
    h = Z / math.sqrt(n - 3)
    return r, math.tanh(math.atanh(r) - h), math.tanh(math.atanh(r) + h)


def wilson(x, n):
    """(x + z²/2)/(n + z²) ∓ z/(n + z²)·√(x(n − x)/n + z²/4)."""
    c = (x + Z * Z / 2) / (n + Z * Z)
    h = Z / (n + Z * Z) * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return c - h, c + h


def paired_newcombe(a, b, c, d):
    """Newcombe (1998), paired, method 10: δ = (b − c)/n; Wilson limits of
    p1 = (a + b)/n and p2 = (a + c)/n; φ = (ad − bc)/√((a+b)(c+d)(a+c)(b+d));
    L = δ − √(dl1² − 2φ·dl1·du2 + du2²), U = δ + √(du1² − 2φ·du1·dl2 + dl2²).
    McNemar z = (b − c)/√(b + c)."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n)
    l2, u2 = wilson(a + c, n)
    m = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(m) if m else 0.0
    delta = (b - c) / n
    lo = delta - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    hi = delta + math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    z = (b - c) / math.sqrt(b + c) if b + c else 0.0
    p = 2 * (1 - NormalDist().cdf(abs(z))) if b + c else 1.0
    return delta, lo, hi, p


def figures(pairs, self_top=4, cust_top=4, mapped=lambda s: s):
    """Every figure of one set of (self, customer) pairs."""
    s = [mapped(p[0]) for p in pairs]
    c = [p[1] for p in pairs]
    d = [x - y for x, y in zip(s, c)]
    gap = mean_t(d)
    r = pearson_fisher([p[0] for p in pairs], c)
    n = len(pairs)
    higher = sum(1 for x in d if x > 1e-12)
    ties = sum(1 for x in d if abs(x) <= 1e-12)
    st = [p[0] >= self_top for p in pairs]
    ct = [p[1] >= cust_top for p in pairs]
    a = sum(1 for x, y in zip(st, ct) if x and y)
    b = sum(1 for x, y in zip(st, ct) if x and not y)
    cc = sum(1 for x, y in zip(st, ct) if y and not x)
    dd = n - a - b - cc
    return {
        "n": n, "self_mean": sum(s) / n, "customer_mean": sum(c) / n,
        "gap": gap[0], "gap_lower": gap[2], "gap_upper": gap[3],
        "calibration": r[0], "calibration_lower": r[1], "calibration_upper": r[2],
        "self_higher": higher / n, "self_higher_lower": wilson(higher, n)[0], "self_higher_upper": wilson(higher, n)[1],
        "ties": ties / n, "self_lower": n - higher - ties,
        "self_top_box": (a + b) / n, "customer_top_box": (a + cc) / n,
        "top_box_gap": paired_newcombe(a, b, cc, dd)[0], "top_box_gap_lower": paired_newcombe(a, b, cc, dd)[1],
        "top_box_gap_upper": paired_newcombe(a, b, cc, dd)[2], "top_box_p": paired_newcombe(a, b, cc, dd)[3],
    }


def compare(row, ref, what):
    for key, want in ref.items():
        got = row.get(key)
        if key in ("n", "self_lower"):
            check(got == want, f"{what} {key}: got {got}, expected {want}")
        else:
            close(got, want, 1e-9 if key != "top_box_p" else 1e-7, f"{what} {key}")


# ---- data ----------------------------------------------------------------------

rng = random.Random(22)
ROWS = []  # agent, self 1-5 (None missing), csat 1-5 (None missing)
PLAN = {"A1": (60, 0.9, 0), "A2": (45, 0.3, 1), "A3": (40, 0.7, 0), "A4": (12, 0.5, 1)}  # n, calibration, bias
for agent, (n, cal, bias) in PLAN.items():
    for _ in range(n):
        q = rng.randint(1, 5)
        c = max(1, min(5, q + rng.choice([-1, 0, 0, 1])))
        s = max(1, min(5, round(cal * q + (1 - cal) * 4) + bias + rng.choice([-1, 0, 0, 0, 1])))
        ROWS.append([agent, s, c])
for i in range(0, len(ROWS), 17):
    ROWS[i][2] = None  # no CSAT
for i in range(5, len(ROWS), 41):
    ROWS[i][1] = None  # no self rating
ROWS[7][1] = ROWS[7][2] = None  # neither
ROWS.append(["", 5, 3])  # no agent: the organisation only
rng.shuffle(ROWS)


def cell(v):
    return "" if v is None else str(v)


CSV = "id,agent,self,csat\n" + "".join(f"R{i},{r[0]},{cell(r[1])},{cell(r[2])}\n" for i, r in enumerate(ROWS))
FIELD = ["--field", "self:score:1-5"]

with scratch() as tmp:
    path = write(os.path.join(tmp, "contacts.csv"), CSV)
    pairs = [(r[1], r[2]) for r in ROWS if r[1] is not None and r[2] is not None]

    # The organisation.
    j = jrun("gap", path, "--self", "self", "--customer", "csat", *FIELD)
    org = j.get("organisation", [{}])[0]
    compare(org, figures(pairs), "organisation")
    check(j.get("n") == len(pairs), f"n {j.get('n')} is the pairs {len(pairs)}")
    check("groups" not in j, "no groups table without --by")
    dropped = j.get("dropped", [{}])[0]
    want = {"rows": len(ROWS), "pairs": len(pairs),
            "missing_self": sum(1 for r in ROWS if r[1] is None and r[2] is not None),
            "missing_customer": sum(1 for r in ROWS if r[1] is not None and r[2] is None),
            "missing_both": sum(1 for r in ROWS if r[1] is None and r[2] is None)}
    check(dropped == want, f"dropped rows by reason: {dropped} vs {want}")
    check(want["missing_both"] >= 1 and want["missing_self"] >= 1 and want["missing_customer"] >= 1,
          "the data has every reason")

    # By agent: each agent's figures, ranked by |gap| with the min-n guard.
    jb = jrun("gap", path, "--self", "self", "--customer", "csat", "--by", "agent", "--min-n", "30", *FIELD)
    groups = jb.get("groups", [])
    by = {g["group"]: g for g in groups}
    check(set(by) == set(PLAN), f"one row per agent: {sorted(by)}")
    refs = {}
    for agent in PLAN:
        ap = [(r[1], r[2]) for r in ROWS if r[0] == agent and r[1] is not None and r[2] is not None]
        refs[agent] = figures(ap)
        compare(by.get(agent, {}), refs[agent], f"agent {agent}")
        rows_of = sum(1 for r in ROWS if r[0] == agent)
        check(by.get(agent, {}).get("dropped") == rows_of - len(ap), f"{agent} dropped rows")
    ranked = sorted((a for a in PLAN if refs[a]["n"] >= 30), key=lambda a: (abs(refs[a]["gap"]), a))
    check([g["group"] for g in groups[:len(ranked)]] == ranked, f"ranked by |gap|: {[g['group'] for g in groups]}")
    for i, a in enumerate(ranked):
        check(by[a].get("rank") == i + 1 and by[a].get("status") == "ranked", f"{a} rank {i + 1}: {by[a].get('rank')}")
    check(by["A4"].get("rank") is None and by["A4"].get("status") == "too_few", f"A4 is thin: {by['A4']}")
    check(jb.get("ungrouped") == 1, f"one row without an agent: {jb.get('ungrouped')}")
    # A lower --min-n ranks A4 too.
    jl = jrun("gap", path, "--self", "self", "--customer", "csat", "--by", "agent", "--min-n", "5", *FIELD)
    check(all(g.get("rank") is not None for g in jl.get("groups", [])), "every agent ranked with --min-n 5")

    # --top-box 1: only 5 is top box on each side.
    jt = jrun("gap", path, "--self", "self", "--customer", "csat", "--top-box", "1", *FIELD)
    ref1 = figures(pairs, 5, 5)
    for key in ("self_top_box", "customer_top_box", "top_box_gap", "top_box_gap_lower", "top_box_gap_upper"):
        close(jt.get("organisation", [{}])[0].get(key), ref1[key], 1e-9, f"--top-box 1 {key}")

    # Self on 1-10, customer on CSAT 1-5: s' = 1 + (s − 1)·4/9; top boxes 9-10 and 4-5.
    wide = [(min(10, 2 * s - rng.randint(0, 1)), c) for s, c in pairs]
    wpath = write(os.path.join(tmp, "wide.csv"), "self10,csat\n" + "".join(f"{s},{c}\n" for s, c in wide))
    jw = jrun("gap", wpath, "--self", "self10", "--customer", "csat", "--field", "self10:score:1-10/2")
    refw = figures(wide, 9, 4, lambda s: 1 + (s - 1) * 4 / 9)
    compare(jw.get("organisation", [{}])[0], refw, "self on 1-10")

    # Text formats.
    for fmt, marker in [("csv", "n,self_mean,customer_mean,gap"), ("markdown", "| n"), ("table", "Perception gap: self")]:
        code, out, err = run("gap", path, "--self", "self", "--customer", "csat", "--by", "agent", *FIELD, "--format", fmt)
        check(code == 0 and marker in out, f"--format {fmt} writes the tables (exit {code}, {err!r})")

    # Errors: exit 1 bad data, 2 usage, 3 file.
    def expect(code_wanted, words, *args):
        code, out, err = run("gap", *args)
        check(code == code_wanted and all(w in err for w in words),
              f"{' '.join(args)}: exit {code_wanted} naming {words}, got {code}: {err!r}")

    expect(2, ["--self"], path, "--customer", "csat", *FIELD)
    expect(2, ["selfie"], path, "--self", "selfie", "--customer", "csat", *FIELD)
    expect(2, ["self", "both"], path, "--self", "self", "--customer", "self", *FIELD)
    expect(2, ["id", "score"], path, "--self", "id", "--customer", "csat", *FIELD)
    expect(2, ["csat", "category"], path, "--self", "self", "--customer", "csat", "--by", "csat", *FIELD)
    expect(2, ["top box"], path, "--self", "self", "--customer", "csat", "--top-box", "5", *FIELD)
    expect(2, ["--min-n"], path, "--self", "self", "--customer", "csat", "--min-n", "-1", *FIELD)
    expect(2, ["--level"], path, "--self", "self", "--customer", "csat", "--level", "95", *FIELD)
    nocsat = write(os.path.join(tmp, "nocsat.csv"), "agent,self,nps\nA,4,9\n")
    expect(1, ["csat"], nocsat, "--self", "self", "--customer", "csat", *FIELD)
    expect(1, ["agent"], write(os.path.join(tmp, "noagent.csv"), "self,csat\n4,4\n"), "--self", "self", "--customer",
           "csat", "--by", "agent", *FIELD)
    expect(1, ["self"], write(os.path.join(tmp, "noself.csv"), "agent,csat\nA,4\n"), "--self", "self", "--customer",
           "csat", *FIELD)
    expect(3, [], os.path.join(tmp, "absent.csv"), "--self", "self", "--customer", "csat", *FIELD)
    # A self rating off its scale is a reject (counted), and under --strict exit 1 naming the field.
    bad = write(os.path.join(tmp, "bad.csv"), "agent,self,csat\nA,4,4\nA,7,4\nA,5,3\n")
    jr = jrun("gap", bad, "--self", "self", "--customer", "csat", *FIELD)
    check(jr.get("n") == 2, f"the row with self 7 is rejected, not paired: n {jr.get('n')}")
    expect(1, ["self", "7"], bad, "--self", "self", "--customer", "csat", "--strict", *FIELD)

finish()
