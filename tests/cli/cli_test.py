#!/usr/bin/env python3
"""Runs the built `cxm` binary and checks exit codes, messages and output.

Usage: cli_test.py CXM_BINARY SOURCE_DIR

Expected numbers come from outside the library: closed forms evaluated here
with Python's math and statistics modules, or values computed with R (the
expression is next to each). Only the standard library is used.
"""
import csv
import io
import json
import math
import re
import subprocess
import sys
from statistics import NormalDist

CXM = sys.argv[1]
SOURCE = sys.argv[2]
failures = []


def run(*args):
    p = subprocess.run([CXM, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def close(a, b, tol, what):
    check(a is not None and abs(a - b) <= tol, f"{what}: got {a}, expected {b} (tol {tol})")


def jrun(*args):
    code, out, err = run(*args, "--format", "json")
    check(code == 0, f"{' '.join(args)} exits 0 (got {code}, stderr {err!r})")
    return json.loads(out) if code == 0 else {}


Z975 = NormalDist().inv_cdf(0.975)

# --version matches the version header.
with open(f"{SOURCE}/include/cxmetrics/version.hpp", encoding="utf-8") as f:
    version = re.search(r'#define CXMETRICS_VERSION_STRING "([^"]+)"', f.read()).group(1)
code, out, _ = run("--version")
check(code == 0 and out.strip() == f"cxm {version}", f"--version prints 'cxm {version}' (got {out!r})")

# --help everywhere exits 0 and names the options.
for sub in ([], ["nps"], ["proportion"], ["compare"], ["compare", "nps"], ["compare", "proportion"]):
    code, out, _ = run(*sub, "--help")
    check(code == 0 and "Usage" in out or "usage" in out.lower(), f"{sub} --help exits 0 with usage")
code, out, _ = run("--help")
check("Exit codes" in out, "--help documents exit codes")

# NPS from three counts, Wald: closed form of the trinomial model.
d, p, r = 120, 300, 410
n = d + p + r
pp, pd = r / n, d / n
theta = pp - pd
se = math.sqrt((pp + pd - theta**2) / n)
j = jrun("nps", "--counts", f"{d},{p},{r}", "--method", "wald")
row = j["nps"][0]
close(row["value"], 100 * theta, 1e-9, "NPS value")
close(row["se"], 100 * se, 1e-9, "NPS Wald SE")
close(row["lower"], 100 * (theta - Z975 * se), 1e-7, "NPS Wald lower")
close(row["upper"], 100 * (theta + Z975 * se), 1e-7, "NPS Wald upper")
check(row["n"] == n and row["method"] == "wald" and row["status"] == "ok", "NPS row n/method/status")
shares = {s["group"]: s for s in j["shares"]}
close(shares["promoters"]["value"], pp, 1e-12, "promoter share")
check(shares["detractors"]["count"] == d, "detractor count")

# Adjusted Wald (Rocks 2016; 3/4, 3/2, 3/4 pseudo-observations).
nt = n + 3
pt, dt = (r + 0.75) / nt, (d + 0.75) / nt
tt = pt - dt
set_ = math.sqrt((pt + dt - tt**2) / nt)
row = jrun("nps", "--counts", f"{d},{p},{r}", "--method", "adjusted_wald")["nps"][0]
close(row["lower"], 100 * (tt - Z975 * set_), 1e-7, "adjusted Wald lower")
close(row["upper"], 100 * (tt + Z975 * set_), 1e-7, "adjusted Wald upper")
close(row["value"], 100 * theta, 1e-9, "adjusted Wald keeps the sample value")

# --method all gives every NPS method; the bins form gives the same numbers.
j = jrun("nps", "--counts", f"{d},{p},{r}")
check([x["method"] for x in j["nps"]] == ["adjusted_wald", "wald", "tango", "t", "bayes_dirichlet", "bootstrap"],
      "nps --method all lists the six methods")
bins = [60, 0, 0, 0, 20, 0, 40, p - 100, 100, 200, r - 200]
j2 = jrun("nps", "--bins", ",".join(map(str, bins)))
check(j2["nps"] == j["nps"], "NPS from 11 bins equals NPS from the 3 group counts")
# Dirichlet posterior mean (closed form): E[p_pro − p_det] with prior 1/2.
bayes = j["nps"][4]
close(bayes["value"], 100 * ((r + 0.5) - (d + 0.5)) / (n + 1.5), 1e-9, "Dirichlet posterior mean")

# Proportions at the edges, against R.
j = jrun("proportion", "--successes", "0", "--n", "10")
by = {x["method"]: x for x in j["proportion"]}
close(by["clopper_pearson"]["upper"], 0.308497107819, 1e-9, "CP upper 0/10")  # binom.test(0,10)$conf.int
close(by["wilson"]["upper"], 0.277532799863, 1e-9, "Wilson upper 0/10")  # prop.test(0,10,correct=FALSE)$conf.int
close(by["jeffreys"]["upper"], 0.217196267509, 1e-9, "Jeffreys upper 0/10")  # qbeta(0.975,0.5,10.5)
check(by["jeffreys"]["lower"] == 0 and by["wald"]["lower"] == 0, "lower bounds at x = 0 are 0")
j = jrun("proportion", "-x", "7", "-n", "20", "--method", "clopper_pearson,jeffreys")
by = {x["method"]: x for x in j["proportion"]}
close(by["clopper_pearson"]["lower"], 0.153909204785, 1e-9, "CP lower 7/20")  # binom.test(7,20)$conf.int
close(by["clopper_pearson"]["upper"], 0.592188534533, 1e-9, "CP upper 7/20")
close(by["jeffreys"]["lower"], 0.172276213632, 1e-9, "Jeffreys lower 7/20")  # qbeta(0.025,7.5,13.5)
check(list(by) == ["clopper_pearson", "jeffreys"], "--method list keeps the order asked")

# Two proportions: pooled z test (R) and Newcombe's interval (closed form).
x1, n1, x2, n2 = 1401, 2231, 4000, 5000
j = jrun("compare", "proportion", "--a", f"{x1},{n1}", "--b", f"{x2},{n2}")
c = j["comparison"][0]
close(c["p_value"] / 1.83331529523e-54, 1.0, 1e-6, "pooled z p-value")  # prop.test(c(1401,4000),c(2231,5000),correct=FALSE)$p.value


def wilson(x, m):
    ph = x / m
    centre = (ph + Z975**2 / (2 * m)) / (1 + Z975**2 / m)
    half = Z975 / (1 + Z975**2 / m) * math.sqrt(ph * (1 - ph) / m + Z975**2 / (4 * m * m))
    return centre - half, centre + half


p1, p2 = x1 / n1, x2 / n2
l1, u1 = wilson(x1, n1)
l2, u2 = wilson(x2, n2)
close(c["lower"], (p1 - p2) - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), 1e-9, "Newcombe lower")
close(c["upper"], (p1 - p2) + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), 1e-9, "Newcombe upper")

# Two NPS: difference, SE √(se_a² + se_b²), z test.
a, b = (50, 30, 120), (80, 40, 80)


def wald_nps(g):
    m = sum(g)
    t = (g[2] - g[0]) / m
    return t, math.sqrt((g[2] / m + g[0] / m - t * t) / m)


ta, sa = wald_nps(a)
tb, sb = wald_nps(b)
sd = math.hypot(sa, sb)
zz = (ta - tb) / sd
c = jrun("compare", "nps", "--a", ",".join(map(str, a)), "--b", ",".join(map(str, b)))["comparison"][0]
close(c["difference"], 100 * (ta - tb), 1e-9, "NPS difference")
close(c["se"], 100 * sd, 1e-9, "NPS difference SE")
close(c["z"], zz, 1e-9, "NPS difference z")
close(c["p_value"], 2 * (1 - NormalDist().cdf(abs(zz))), 1e-9, "NPS difference p")

# Other formats carry the same numbers.
code, out, _ = run("proportion", "-x", "7", "-n", "20", "--method", "wilson", "--format", "csv")
rows = list(csv.DictReader(io.StringIO(out)))
close(float(rows[0]["upper"]), 0.567145723315, 1e-9, "CSV output Wilson upper 7/20")  # prop.test(7,20,correct=FALSE)
code, out, _ = run("proportion", "-x", "7", "-n", "20", "--format", "markdown")
check(code == 0 and sum(1 for l in out.splitlines() if l.startswith("| wilson |")) == 1 and "---:|" in out, "markdown table")
code, out, _ = run("proportion", "-x", "7", "-n", "20")
check(code == 0 and re.search(r"wilson\s+7\s+20\s+20\.0\s+0\.3500", out) is not None, "aligned text table")

# Usage errors: exit 2 and a message on stderr that says what was wrong.
for args, needle in (
    (["nps", "--counts", "1,2"], "needs 3 counts"),
    (["nps"], "--counts"),
    (["nps", "--counts", "1,2,3", "--method", "wilson"], "does not apply"),
    (["nps", "--counts", "1,2,3", "--method", "nonsense"], "unknown interval method"),
    (["proportion", "-x", "11", "-n", "10"], "larger than"),
    (["proportion", "-x", "1", "-n", "10", "--level", "1"], "level"),
    (["proportion", "-x", "1"], "--n"),
    (["compare", "proportion", "--a", "1,2,3", "--b", "1,2"], "X,N"),
    (["frobnicate"], ""),
    (["nps", "--counts", "1,2,3", "--format", "yaml"], "format"),
):
    code, out, err = run(*args)
    check(code == 2, f"{args} exits 2 (got {code})")
    check(needle in err, f"{args}: stderr names the problem ({needle!r} in {err!r})")
    check(out == "", f"{args}: nothing on stdout")


# ---------------------------------------------------------------------------
# summary and report on the bundled sample, against Python's csv module.
import os
import tempfile

SAMPLE = f"{SOURCE}/examples/data/responses.csv"
with open(SAMPLE, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
by_channel = {}
for r in rows:
    by_channel.setdefault(r["channel"], []).append(r)

j = jrun("summary", SAMPLE, "--by", "channel", "--metrics", "nps,resolution", "--method", "wald,wilson",
         "--unweighted")  # the sample has a weight column, used by default
nps_rows = {x["channel"]: x for x in j["nps"]}
res_rows = {x["channel"]: x for x in j["resolution"]}
for ch, rs in by_channel.items():
    scores = [int(r["nps"]) for r in rs if r["nps"] != ""]
    m = len(scores)
    pro = sum(s >= 9 for s in scores) / m
    det = sum(s <= 6 for s in scores) / m
    t = pro - det
    got = nps_rows[ch]
    check(got["n"] == m, f"summary {ch} NPS n")
    close(got["value"], 100 * t, 1e-9, f"summary {ch} NPS")
    close(got["se"], 100 * math.sqrt((pro + det - t * t) / m), 1e-9, f"summary {ch} NPS Wald SE")
    yes = sum(r["resolved"] == "yes" for r in rs)
    answered = sum(r["resolved"] in ("yes", "no") for r in rs)
    lo, hi = wilson(yes, answered)
    got = res_rows[ch]
    check(got["n"] == answered, f"summary {ch} resolution n (unknowns excluded)")
    close(got["lower"], lo, 1e-9, f"summary {ch} resolution Wilson lower")
    close(got["upper"], hi, 1e-9, f"summary {ch} resolution Wilson upper")
# Holm across the 5 channels: the largest raw p-value's adjusted value is
# max over the sorted cumulative (m − i + 1)·p(i) — recompute from the raw ones.
raw = [nps_rows[c]["p_value"] for c in by_channel]
order = sorted(range(len(raw)), key=lambda i: raw[i])
adj, running = [0.0] * len(raw), 0.0
for rank, i in enumerate(order):
    running = max(running, min(1.0, (len(raw) - rank) * raw[i]))
    adj[i] = running
for c, a in zip(by_channel, adj):
    close(nps_rows[c]["p_adjusted"], a, 1e-12, f"Holm-adjusted p of {c}")
ing = {x["item"]: x["count"] for x in j["ingest"]}
check(ing["rows read"] == len(rows) and ing["accepted"] == len(rows) and ing["rejected"] == 0, "ingest counts")

j = jrun("summary", SAMPLE, "--by", "month", "--metrics", "nps")
months = sorted({r["timestamp"][:7] for r in rows})
check([x["month"] for x in j["nps"][:-1]] == months, "one row per calendar month, in order")

with tempfile.TemporaryDirectory() as tmp:
    # Semicolons, decimal comma and weights: weighted NPS = (0.5·1 − 1.5·1)/2 = −50 points.
    eu = os.path.join(tmp, "eu.csv")
    with open(eu, "w", encoding="utf-8") as f:
        f.write("nps;channel;paino\n10;chat;0,5\n0;chat;1,5\n8;phone;1\n")
    j = jrun("summary", eu, "--delimiter", ";", "--decimal-comma", "--weight", "paino", "--metrics", "nps",
             "--by", "channel")
    chat = next(x for x in j["nps"] if x["channel"] == "chat")
    close(chat["value"], -50.0, 1e-12, "weighted NPS with decimal comma")
    close(chat["effective_n"], 2.0**2 / (0.25 + 2.25), 1e-12, "Kish effective n")
    check(j["weighted"] is True, "JSON says weighted")

    # Rejects: kept with line, column, field and reason; strict stops with 1.
    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('nps,channel,timestamp\n9,chat,2024-01-01\n11,chat,2024-01-02\n"7",chat,not-a-date\n8,chat\n')
    rej = os.path.join(tmp, "rejects.csv")
    j = jrun("summary", bad, "--rejects", rej)
    ing = {x["item"]: x["count"] for x in j["ingest"]}
    check(ing["rows read"] == 4 and ing["accepted"] == 1 and ing["rejected"] == 3, "every row accounted for")
    check(ing.get("rejected: score_out_of_scale") == 1 and ing.get("rejected: malformed_timestamp") == 1
          and ing.get("rejected: field_count") == 1, f"rejects by cause {ing}")
    with open(rej, newline="", encoding="utf-8") as f:
        rr = list(csv.DictReader(f))
    check([(r["line"], r["field"]) for r in rr] == [("3", "nps"), ("4", "timestamp"), ("5", "")],
          f"rejects file rows {rr}")
    check(rr[0]["value"] == "11" and rr[0]["column"] == "1", "reject names value and column")
    code, out, err = run("summary", bad, "--strict")
    check(code == 1, f"--strict exits 1 (got {code})")
    check(re.match(r"^.*bad\.csv:3:1: \[cxm\.score_out_of_scale\.101\] .*11.*\(field 'nps'\)", err) is not None,
          f"strict error as file:line:column: message ({err!r})")
    code, out, err = run("summary", os.path.join(tmp, "nope.csv"))
    check(code == 3 and "no such file" in err, f"missing file exits 3 ({code}, {err!r})")
    code, out, err = run("summary", bad, "--by", "planet")
    check(code == 2 and "planet" in err, "unknown --by key exits 2")
    nocol = os.path.join(tmp, "nocol.csv")
    with open(nocol, "w", encoding="utf-8") as f:
        f.write("score,where\n9,chat\n")
    code, out, err = run("summary", nocol)
    check(code == 1 and "score" in err and "where" in err, f"missing score column lists the columns found ({err!r})")

    # report: one self-contained HTML file with its charts.
    html = os.path.join(tmp, "report.html")
    code, out, err = run("report", SAMPLE, "-o", html)
    check(code == 0, f"report exits 0 ({err!r})")
    with open(html, encoding="utf-8") as f:
        text = f.read()
    check(text.count("<svg") >= 4 and "<script" not in text and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", ""), "report is self-contained with its charts")
    code, out, err = run("report", SAMPLE, "--format", "markdown")
    check(code == 0 and "| chat |" in out, "report --format markdown writes tables")
    code, out, err = run("report", SAMPLE, "-o", os.path.join(tmp, "no", "such", "dir.html"))
    check(code == 3, f"unwritable report path exits 3 (got {code})")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("cli: all checks passed")
