#!/usr/bin/env python3
"""Numeric arguments of the counts subcommands, huge counts, and the cap on
message lines.

Usage: args_test.py CXM_BINARY SOURCE_DIR

Every numeric argument is read by one checked parser (src/cli/cli.hpp): a
count is decimal digits only, at most 2^63 - 1 alone and as the total of a
list; a level is a decimal number in (0, 1). A bad value is exit 2 with the
option named. Expected numbers are closed forms evaluated here (standard
library only; exact rational arithmetic where doubles would cancel).
"""
import math
import os
import re
import subprocess
from fractions import Fraction
from statistics import NormalDist

from cxmtest import CXM, check, close, finish, jrun, run, scratch, write

MAX = 2**63 - 1
Z975 = NormalDist().inv_cdf(0.975)


def first_row(j, key):
    """The first row of table `key`, or {} when the run failed (already counted)."""
    rows = j.get(key) or [{}]
    return rows[0]


def refused(args, option, what):
    """The run exits 2 and its message names `option` (and nothing internal)."""
    code, out, err = run(*args)
    ok = check(code == 2, f"{what}: exit 2 (got {code}, stderr {err[:300]!r})")
    ok = check(option in err, f"{what}: the message names {option} (got {err[:300]!r})") and ok
    check("internal" not in err, f"{what}: not an internal error ({err[:300]!r})")
    return err if ok else ""


# ---------------------------------------------------------------- counts ---

# Bad forms of one count. Before the parser, CLI11 read '-5' as 2^64 - 5,
# '' as 0, '0x10' as 16 and '010' as 8.
bad_counts = ["-5", "", "   ", "0x10", "+5", "1e3", "5.0", "1 000", "1_000", "\uff15", "5abc",
              "9223372036854775808", "18446744073709551616", "99999999999999999999999"]

for v in bad_counts:
    refused(["proportion", "--successes", v, "--n", "10"], "--successes", f"--successes {v!r}")
    refused(["proportion", "-x", "3", "-n", v], "--n", f"-n {v!r}")
    refused(["nps", "--counts", f"{v},1,1"], "--counts", f"--counts {v!r},1,1")
    refused(["nps", "--bins", ",".join([v] + ["1"] * 10)], "--bins", f"--bins {v!r},1,...")
    refused(["compare", "nps", "--a", f"1,{v},1", "--b", "1,1,1"], "--a", f"compare nps --a 1,{v!r},1")
    refused(["compare", "nps", "--a", "1,1,1", "--b-bins", ",".join(["1"] * 10 + [v])], "--b-bins",
            f"compare nps --b-bins ...,{v!r}")
    refused(["compare", "proportion", "--a", "1,2", "--b", f"{v},2"], "--b", f"compare proportion --b {v!r},2")

# The brief's own example and its wording.
err = refused(["nps", "--counts", "-5,1,1"], "--counts", "--counts -5,1,1")
check("'-5'" in err and "is not a count" in err, f"--counts -5,1,1 says '-5' is not a count ({err!r})")
err = refused(["proportion", "-x", "", "-n", "10"], "--successes", "-x ''")
check("''" in err and "is not a count" in err, f"-x '' says '' is not a count ({err!r})")

# Empty items of a list: none is dropped silently (CLI11 dropped them).
for v in [",1,1", "5,,1", "5,1,1,", ",", ""]:
    refused(["nps", "--counts", v], "--counts", f"--counts {v!r}")
err = refused(["nps", "--counts", "5,,1"], "--counts", "--counts 5,,1")
check("item 2 of 3" in err and "empty" in err, f"--counts 5,,1 names item 2 as empty ({err!r})")

# Totals past 2^63 - 1, named by the option (the 2^63,2^63,... gave n = 10).
for option, values in [("--counts", [MAX, 1, 0]), ("--counts", [2**62, 2**62, 0]),
                       ("--bins", [2**63 // 8] * 11), ("--bins", [MAX] + [0] * 9 + [1])]:
    err = refused(["nps", option, ",".join(map(str, values))], option, f"{option} summing past 2^63 - 1")
    check("add up to more than 9223372036854775807" in err, f"{option}: the message gives the limit ({err!r})")
err = refused(["nps", "--bins", ",".join([str(2**63)] * 2 + ["0"] * 9)], "--bins", "--bins 2^63,2^63,...")
check("larger than 9223372036854775807" in err, f"--bins 2^63: too large ({err!r})")
refused(["compare", "nps", "--a", f"{MAX},1,0", "--b", "1,1,1"], "--a", "compare nps --a summing past 2^63 - 1")

# Giving a list twice is refused, not appended.
refused(["nps", "--counts", "1,2,3", "--counts", "4,5,6"], "--counts", "--counts twice")

# -------------------------------------------------- levels and the rest ---

for v in ["", "0", "1", "1.0", "95", "95%", "0x0.8", "1e-1", "nan", "inf", "-0.5", "0.95abc", "0..9", ".", "0,95"]:
    refused(["proportion", "-x", "3", "-n", "10", "--level", v], "--level", f"--level {v!r}")
    refused(["nps", "--counts", "1,2,3", "--level", v], "--level", f"nps --level {v!r}")
    refused(["compare", "proportion", "--a", "1,2", "--b", "1,2", "--level", v], "--level",
            f"compare proportion --level {v!r}")
err = refused(["proportion", "-x", "3", "-n", "10", "--level", "95"], "--level", "--level 95")
check("0.95" in err, f"--level 95 suggests 0.95 ({err!r})")
err = refused(["proportion", "-x", "3", "-n", "10", "--level", "99.5%"], "--level", "--level 99.5%")
check("0.995" in err, f"--level 99.5% suggests 0.995 ({err!r})")

for v in ["0", "-1", "", "abc", "1e-3", "0x1"]:
    refused(["nps", "--counts", "1,2,3", "--method", "bayes", "--prior", v], "--prior", f"--prior {v!r}")
for v in ["1", "0", "-3", "0x10", "10000001", ""]:
    refused(["nps", "--counts", "1,2,3", "--method", "bootstrap", "--replicates", v], "--replicates",
            f"--replicates {v!r}")
for v in ["-1", "18446744073709551616", "0x5eed", ""]:
    refused(["nps", "--counts", "1,2,3", "--method", "bootstrap", "--seed", v], "--seed", f"--seed {v!r}")

# ------------------------------------------------------------ good forms ---


def wald_nps(d, p, r):
    """Closed form: 100 (r - d)/n, SE 100 sqrt((p_pro + p_det - theta^2)/n)."""
    n = d + p + r
    th = (r - d) / n
    return 100 * th, 100 * math.sqrt(((r + d) / n - th * th) / n)


def wilson(x, n, z=Z975):
    """Wilson (1927) score interval."""
    ph = x / n
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# Blanks around counts are dropped; leading zeros are decimal ("010" is ten).
for form in ["10,20,30", " 10 , 20 ,30", "010,020,030", "10,20,30 "]:
    row = first_row(jrun("nps", "--counts", form, "--method", "wald"), "nps")
    value, se = wald_nps(10, 20, 30)
    check(row.get("n") == 60, f"--counts {form!r}: n = 60 (got {row.get('n')})")
    close(row.get("value"), value, 1e-9, f"--counts {form!r}: NPS")
    close(row.get("se"), se, 1e-9, f"--counts {form!r}: SE")

row = first_row(jrun("proportion", "-x", "010", "-n", " 20", "--method", "wilson"), "proportion")
lo, hi = wilson(10, 20)
check(row.get("successes") == 10 and row.get("n") == 20, f"-x 010 -n ' 20' reads 10 of 20 (got {row})")
close(row.get("lower"), lo, 1e-9, "Wilson lower of 10/20")
close(row.get("upper"), hi, 1e-9, "Wilson upper of 10/20")

for form, level in [(".9", 0.9), (" 0.90", 0.9), ("0.99", 0.99)]:
    row = first_row(jrun("proportion", "-x", "10", "-n", "20", "--method", "wilson", "--level", form), "proportion")
    lo, hi = wilson(10, 20, NormalDist().inv_cdf(0.5 + level / 2))
    check(row.get("level") == level, f"--level {form!r} reads {level} (got {row.get('level')})")
    close(row.get("lower"), lo, 1e-9, f"Wilson lower at --level {form!r}")

# The limit itself is accepted, alone and as a total.
row = first_row(jrun("nps", "--counts", f"{MAX},0,0", "--method", "wald"), "nps")
check(row.get("n") == MAX and row.get("value") == -100, f"--counts 2^63-1,0,0: n = 2^63 - 1, NPS -100 (got {row})")
bins = [MAX // 11] * 11
bins[10] += MAX - sum(bins)
row = first_row(jrun("nps", "--bins", ",".join(map(str, bins)), "--method", "wald"), "nps")
check(row.get("n") == MAX, f"--bins adding up to exactly 2^63 - 1 (got n = {row.get('n')})")
row = first_row(jrun("proportion", "-x", str(MAX), "-n", str(MAX), "--method", "wilson"), "proportion")
check(row.get("successes") == MAX and row.get("n") == MAX, f"-x and -n at 2^63 - 1 (got {row})")
# X,N of compare proportion are not a total: both may be at the limit.
j = jrun("compare", "proportion", "--a", f"{MAX},{MAX}", "--b", "1,2")
check(first_row(j, "groups").get("n") == MAX, "compare proportion --a 2^63-1,2^63-1 is accepted")
# The full seed range.
jrun("nps", "--counts", "1,2,3", "--method", "bootstrap", "--replicates", "50", "--seed", str(2**64 - 1))
# --prior 0.001 (decimal) is the Dirichlet(0.001, ...) prior: posterior mean (30.001 - 10.001)/60.003.
row = first_row(jrun("nps", "--counts", "10,20,30", "--method", "bayes", "--prior", "0.001"), "nps")
close(row.get("value"), 100 * 20 / 60.003, 1e-9, "--prior 0.001: posterior mean")

# ----------------------------------------------- Bayesian NPS at huge n ---
# (a) Every group large, n = 9e18: third-order-accurate Cornish-Fisher
# limits from the exact cumulants of theta = p_pro - p_det under the
# posterior Dirichlet(n_k + 1/2), computed here in exact rational arithmetic
# from the raw moments E p_pro^j p_det^k = (a_pro)_j (a_det)_k / (A)_{j+k}.
# Leaving out the O(n^-3/2) terms costs < 1e-20 posterior SDs at this n.


def rising(a, k):
    out = Fraction(1)
    for i in range(k):
        out *= a + i
    return out


def dirichlet_cf_limits(counts, level=0.95):
    ad, am, ap = (Fraction(c) + Fraction(1, 2) for c in counts)
    big_a = ad + am + ap
    raw = [Fraction(1)] + [sum(math.comb(m, j) * (-1) ** (m - j) * rising(ap, j) * rising(ad, m - j)
                               for j in range(m + 1)) / rising(big_a, m) for m in range(1, 5)]
    mu = raw[1]
    c = [sum(math.comb(m, k) * raw[k] * (-mu) ** (m - k) for k in range(m + 1)) for m in range(5)]
    sd = math.sqrt(c[2])
    g1 = float(c[3]) / sd**3
    g2 = float(c[4] - 3 * c[2] ** 2) / sd**4
    out = []
    for p in ((1 - level) / 2, (1 + level) / 2):
        z = NormalDist().inv_cdf(p)
        w = z + (z * z - 1) * g1 / 6 + (z**3 - 3 * z) * g2 / 24 - (2 * z**3 - 5 * z) * g1 * g1 / 36
        out.append(100 * (float(mu) + sd * w))
    return out, 100 * sd


counts = (2 * 10**18, 3 * 10**18, 4 * 10**18)
(lo, hi), sd = dirichlet_cf_limits(counts)
row = first_row(jrun("nps", "--counts", ",".join(map(str, counts)), "--method", "bayes"), "nps")
close(row.get("lower"), lo, 1e-6 * sd + 2 * math.ulp(lo), "Bayesian lower limit, n = 9e18")
close(row.get("upper"), hi, 1e-6 * sd + 2 * math.ulp(hi), "Bayesian upper limit, n = 9e18")
close(row.get("se"), sd, 1e-9 * sd, "posterior SD, n = 9e18")

# (b) 10^15 detractors and no one else (the upper limit was thousands of
# posterior SDs off): with p_k = G_k/T, G_k ~ Gamma(a_k), T within 1e-7 of A,
# 1 + theta = W/A where W = 2 G_pro + G_pas, G ~ Gamma(1/2). Substituting
# g = t^2 in P(W <= w) = int_0^{w/2} f(g) P(G_pas <= w - 2g) dg,
#   P(W <= w) = (2/sqrt(pi)) int_0^{sqrt(w/2)} exp(-t^2) erf(sqrt(w - 2t^2)) dt,
# integrated with Simpson's rule after t = sqrt(w/2) sin(phi) (smooth ends).


def cdf_w(w, steps=4000):
    if w <= 0:
        return 0.0
    top = math.sqrt(w / 2)
    h = (math.pi / 2) / steps
    total = 0.0
    for i in range(steps + 1):
        phi = i * h
        t = top * math.sin(phi)
        f = math.exp(-t * t) * math.erf(math.sqrt(max(w - 2 * t * t, 0.0))) * top * math.cos(phi)
        total += f * (1 if i in (0, steps) else 4 if i % 2 else 2)
    return 2 / math.sqrt(math.pi) * total * h / 3


def quantile_w(p):
    lo, hi = 0.0, 200.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf_w(mid) < p else (lo, mid)
    return (lo + hi) / 2


n = 10**15
big_a = n + 1.5
row = first_row(jrun("nps", "--counts", f"{n},0,0", "--method", "bayes"), "nps")
sd = 100 * math.sqrt(2.5) / big_a  # Var theta = (4 a_pro a_det + a_pas (a_pro + a_det)) / (A^2 (A + 1))
ref_lo, ref_hi = 100 * (-1 + quantile_w(0.025) / big_a), 100 * (-1 + quantile_w(0.975) / big_a)
# Near -100 a double is 1.4e-14 apart, 0.09 of this posterior SD: one spacing of slack.
close(row.get("lower"), ref_lo, 0.01 * sd + math.ulp(100.0), "Bayesian lower limit, 1e15 detractors only")
close(row.get("upper"), ref_hi, 0.01 * sd + math.ulp(100.0), "Bayesian upper limit, 1e15 detractors only")
check(row.get("lower", 1) <= row.get("upper", 0), "1e15 detractors: lower <= upper")

# ------------------------------------------------- long message lines ---
CAP = 1000


def stderr_bytes(*args, cwd=None):
    p = subprocess.run([CXM, *args], capture_output=True, timeout=120, cwd=cwd)
    return p.returncode, p.stderr


def check_capped(err, what, cut=False):
    """Every stderr line within CAP bytes, valid UTF-8; with `cut`, one line
    was cut and ends with '… (N bytes)', N its length before the cut."""
    try:
        text = err.decode("utf-8")  # strict: a cut inside a character fails here
    except UnicodeDecodeError as e:
        check(False, f"{what}: stderr is valid UTF-8 ({e})")
        return
    longest = max(len(line) for line in err.split(b"\n"))
    check(longest <= CAP, f"{what}: every stderr line is at most {CAP} bytes (longest {longest})")
    check(len(err) < 4 * CAP, f"{what}: stderr is short ({len(err)} bytes)")
    if cut:
        marks = [int(m) for m in re.findall(r"… \((\d+) bytes\)$", text, re.M)]
        check(len(marks) == 1 and marks[0] > 10 * CAP, f"{what}: the cut line says how long it was ({text[-120:]!r})")


# A huge value echoed by CLI11 (an option it does not know; the kernel caps
# one argument at 128 KiB): multi-byte characters, so a byte cut would land
# inside one.
huge = "--" + "ä" * 60000
code, err = stderr_bytes("nps", "--counts", "1,2,3", huge)
check(code == 2, f"unknown 120 kB option: exit 2 (got {code})")
check_capped(err, "unknown 120 kB option", cut=True)
# Values the parsers quote are cut to a readable length already.
for args in (["nps", "--counts", "1,2," + "9" * 100000], ["nps", "--counts", "1,2,3", "--method", "é" * 50000],
             ["proportion", "-x", "ü" * 50000, "-n", "3"], ["nps", "--counts", "1,2,3", "--level", "0." + "5" * 100000 + "x"]):
    code, err = stderr_bytes(*args)
    check(code == 2, f"{args[0]} {args[1]} with a 100 kB value: exit 2 (got {code})")
    check_capped(err, f"{args[0]} with a 100 kB value")
    check(len(err) < 400, f"{args[0]} with a 100 kB value: the value is quoted short ({len(err)} bytes)")

# A 1 MB header without a score column: the message lists the columns found.
with scratch() as d:
    columns = [f"sarake_ä_{i:06d}" for i in range(70000)]
    header = ",".join(columns)
    path = write(os.path.join(d, "big.csv"), header + "\n" + ",".join("1" for _ in columns) + "\n")
    check(len(header.encode("utf-8")) > 10**6, "the header is over 1 MB")
    code, err = stderr_bytes("summary", path)
    check(code == 1, f"summary of a 1 MB header without a score column: exit 1 (got {code})")
    # The library lists a few columns and says how many more there are; the cap is not needed.
    check_capped(err, "1 MB header")
    check(re.search(r"… and \d+ more", err.decode("utf-8", "replace")) is not None,
          "1 MB header: the list of columns found is cut and says how many were left out")
    check(b"sarake_\xc3\xa4_000000" in err, "the message still begins listing the columns found")

finish()
