#!/usr/bin/env python3
"""`cxm trend`: the metric per period, its trend and the change alerts.

Usage: trend_test.py CXM_BINARY SOURCE_DIR

Every number is recomputed here from examples/data/responses.csv with the
standard library only, from the definitions:
  * monthly NPS 100·(p+ − p−) and its Wald SE 100·√((p+ + p− − (p+ − p−)²)/n);
  * the change from the previous month: Wald z test of the difference,
    SE √(se1² + se2²), p = 2(1 − Φ(|z|));
  * WLS slope with weights 1/se² in closed form, SE scaled by the residual
    variance (R's lm(weights=)), t test on m − 2 df (the p-value is checked
    against a t tail by numeric integration);
  * Theil–Sen slope (median of the pairwise slopes) and the Mann–Kendall S,
    Var(S) with ties, Z (continuity corrected);
  * CUSUM (k = 0.5, h = 5 in SE units) and EWMA (λ = 0.2, L = 3) on the
    points, target the inverse-variance mean of the first 6: the first
    signalled month.
"""
import csv
import math
import os
import statistics
from statistics import NormalDist

from cxmtest import SAMPLE, check, close, finish, jrun, nps_of, run, scratch, write

N = NormalDist()


def sample_rows():
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def monthly(rows, key=None):
    """{group: {month: [scores]}} of the NPS answers."""
    out = {}
    for r in rows:
        if r["nps"] == "" or r["timestamp"] == "":
            continue
        g = r[key] if key else "all"
        out.setdefault(g, {}).setdefault(r["timestamp"][:7], []).append(int(r["nps"]))
    return out


def nps_point(scores):
    n = len(scores)
    pp = sum(1 for s in scores if s >= 9) / n
    pd = sum(1 for s in scores if s <= 6) / n
    return 100 * (pp - pd), 100 * math.sqrt((pp + pd - (pp - pd) ** 2) / n), n


def t_upper(t, df):
    """1 − F(t) of Student's t by Simpson's rule on the density (df > 0)."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    f = lambda x: c * (1 + x * x / df) ** (-(df + 1) / 2)
    hi, steps = t + 200.0, 40000
    h = (hi - t) / steps
    s = f(t) + f(hi) + sum((4 if i % 2 else 2) * f(t + i * h) for i in range(1, steps))
    return s * h / 3


def wls(ts, ys, ses):
    w = [1 / s ** 2 for s in ses]
    sw = sum(w)
    tb = sum(wi * t for wi, t in zip(w, ts)) / sw
    yb = sum(wi * y for wi, y in zip(w, ys)) / sw
    sxx = sum(wi * (t - tb) ** 2 for wi, t in zip(w, ts))
    b = sum(wi * (t - tb) * (y - yb) for wi, t, y in zip(w, ts, ys)) / sxx
    a = yb - b * tb
    s2 = sum(wi * (y - a - b * t) ** 2 for wi, t, y in zip(w, ts, ys)) / (len(ts) - 2)
    return b, math.sqrt(s2 / sxx), s2


def mann_kendall(ys):
    m = len(ys)
    s = sum((ys[j] > ys[i]) - (ys[j] < ys[i]) for i in range(m) for j in range(i + 1, m))
    counts = {}
    for y in ys:
        counts[y] = counts.get(y, 0) + 1
    var = (m * (m - 1) * (2 * m + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts.values())) / 18
    z = (s - 1) / math.sqrt(var) if s > 0 else (s + 1) / math.sqrt(var) if s < 0 else 0.0
    return s, var, z


def first_signals(ys, ses, months):
    w = [1 / s ** 2 for s in ses[:6]]
    mu = sum(wi * y for wi, y in zip(w, ys)) / sum(w)
    hi = lo = 0.0
    cusum = ewma = None
    z, var = mu, 0.0
    for y, s, m in zip(ys, ses, months):
        u = (y - mu) / s
        hi, lo = max(0.0, hi + u - 0.5), max(0.0, lo - u - 0.5)
        if cusum is None and (hi > 5 or lo > 5):
            cusum = (m, "up" if hi > 5 else "down")
        z = 0.2 * y + 0.8 * z
        var = 0.04 * s * s + 0.64 * var
        if ewma is None and abs(z - mu) > 3 * math.sqrt(var):
            ewma = (m, "up" if z > mu else "down")
    return mu, cusum, ewma


def check_group(j_series, j_trend, j_alerts, months, label):
    ms = sorted(months)
    check([r["period"] for r in j_series] == ms, f"{label}: one row per month in order (got "
          f"{[r['period'] for r in j_series][:3]}...)")
    pts = {m: nps_point(months[m]) for m in ms}
    for r in j_series:
        v, se, n = pts.get(r["period"], (None, None, None))
        check(r["n"] == n, f"{label} {r['period']}: n {r['n']} == {n}")
        close(r["value"], v, 1e-9, f"{label} {r['period']}: NPS")
        close(r["se"], se, 1e-9, f"{label} {r['period']}: Wald SE")
        check(r["status"] == ("ok" if n >= 30 else "thin"), f"{label} {r['period']}: status {r['status']}")
    for prev, cur, r in zip(ms, ms[1:], j_series[1:]):
        (v0, s0, n0), (v1, s1, n1) = pts[prev], pts[cur]
        if n0 < 30 or n1 < 30:  # a thin month is compared with nothing
            check(r["change"] is None and r["change_p"] is None, f"{label} {cur}: no change next to a thin month")
            continue
        zz = (v1 - v0) / math.hypot(s0, s1)
        close(r["change"], v1 - v0, 1e-9, f"{label} {cur}: change from {prev}")
        close(r["change_p"], 2 * (1 - N.cdf(abs(zz))), 1e-9, f"{label} {cur}: change p-value")
    ok = [m for m in ms if pts[m][2] >= 30]
    ts = [ms.index(m) for m in ok]
    ys = [pts[m][0] for m in ok]
    ses = [pts[m][1] for m in ok]
    b, se, s2 = wls(ts, ys, ses)
    rows = {r["method"]: r for r in j_trend}
    w = rows.get("wls", {})
    close(w.get("slope"), b, 1e-9, f"{label}: WLS slope")
    close(w.get("se"), se, 1e-9, f"{label}: WLS SE (residual-scaled)")
    close(w.get("residual_variance"), s2, 1e-9, f"{label}: residual variance")
    close(w.get("p_value"), 2 * t_upper(abs(b / se), len(ts) - 2), 1e-6, f"{label}: WLS p-value")
    slopes = sorted((ys[j] - ys[i]) / (ts[j] - ts[i]) for i in range(len(ts)) for j in range(i + 1, len(ts)))
    t = rows.get("theil_sen", {})
    close(t.get("slope"), statistics.median(slopes), 1e-9, f"{label}: Theil-Sen slope")
    s, var, z = mann_kendall(ys)
    close(t.get("kendall_s"), s, 0, f"{label}: Mann-Kendall S")
    close(t.get("statistic"), z, 1e-9, f"{label}: Mann-Kendall Z")
    close(t.get("p_value"), 2 * (1 - N.cdf(abs(z))), 1e-9, f"{label}: Mann-Kendall p")
    mu, cusum, ewma = first_signals(ys, ses, ok)
    alerts = {r["chart"]: r for r in j_alerts}
    for chart, want in (("cusum", cusum), ("ewma", ewma)):
        a = alerts.get(chart, {})
        close(a.get("target"), mu, 1e-9, f"{label} {chart}: target")
        check(a.get("first_signal") == (want[0] if want else None),
              f"{label} {chart}: first signal {a.get('first_signal')} == {want}")
        check(a.get("direction") == (want[1] if want else "none"), f"{label} {chart}: direction {a.get('direction')}")


rows = sample_rows()

# The whole sample, monthly.
j = jrun("trend", SAMPLE, "--metric", "nps", "--unweighted", "-q")
check_group(j.get("series", []), j.get("trend", []), j.get("alerts", []), monthly(rows)["all"], "all")

# Per channel: one series each, with the channel in every row.
jb = jrun("trend", SAMPLE, "--metric", "nps", "--unweighted", "--by", "channel", "-q")
by = monthly(rows, "channel")
check(sorted({r["channel"] for r in jb.get("series", [])}) == sorted(by), "one series per channel")
for ch, months in sorted(by.items()):
    pick = lambda t: [r for r in jb.get(t, []) if r["channel"] == ch]
    check_group(pick("series"), pick("trend"), pick("alerts"), months, ch)

# Weighted (the sample's weight column, used by default): each month's NPS is
# the weighted definition.
jw = jrun("trend", SAMPLE, "--metric", "nps", "-q")
wm = {}
for r in rows:
    wm.setdefault(r["timestamp"][:7], ([], []))
    wm[r["timestamp"][:7]][0].append(int(r["nps"]))
    wm[r["timestamp"][:7]][1].append(float(r["weight"]))
for r in jw.get("series", []):
    sc, ws = wm.get(r["period"], ([0], [1.0]))
    close(r["value"], nps_of(sc, ws), 1e-9, f"weighted {r['period']}: NPS")
check(len(jw.get("series", [])) == len(wm), "weighted: one row per month")

with scratch() as tmp:
    # Empty and thin periods: a month without responses is listed "empty",
    # one below --min-n "thin", and the trend uses the others only.
    lines = ["timestamp,nps"]
    lines += [f"2024-01-{d:02d}T10:00:00Z,{s}" for d, s in zip(range(1, 21), [9, 10, 3, 7] * 5)]
    lines += ["2024-03-05T10:00:00Z,9", "2024-03-06T10:00:00Z,2"]
    lines += [f"2024-04-{d:02d}T10:00:00Z,{s}" for d, s in zip(range(1, 21), [9, 9, 3, 8] * 5)]
    lines += [f"2024-05-{d:02d}T10:00:00Z,{s}" for d, s in zip(range(1, 21), [9, 10, 10, 8] * 5)]
    lines += [",9"]  # no time: counted in a note, in no period
    f = write(os.path.join(tmp, "gaps.csv"), "\n".join(lines) + "\n")
    jg = jrun("trend", f, "--metric", "nps", "--min-n", "10", "-q")
    st = {r["period"]: r["status"] for r in jg.get("series", [])}
    check(st == {"2024-01": "ok", "2024-02": "empty", "2024-03": "thin", "2024-04": "ok", "2024-05": "ok"},
          f"empty and thin months are listed and marked (got {st})")
    feb = [r for r in jg.get("series", []) if r["period"] == "2024-02"]
    check(bool(feb) and feb[0]["n"] == 0 and feb[0]["value"] is None, "an empty month has n 0 and no value")
    w = {r["method"]: r for r in jg.get("trend", [])}.get("wls", {})
    check(w.get("points") == 3, f"the trend uses the 3 ok months (got {w.get('points')})")
    code, out, err = run("trend", f, "--metric", "nps", "--min-n", "10")
    check(code == 0 and "1 responses have no time" in out, f"responses without a time are counted in a note ({out[-300:]!r})")

    # Other formats carry the same tables.
    for fmt in ("table", "csv", "markdown"):
        code, out, err = run("trend", f, "--metric", "nps", "--min-n", "10", "--format", fmt)
        check(code == 0 and "2024-02" in out and "theil_sen" in out and "cusum" in out, f"--format {fmt}")

    # Errors: usage 2, a missing column 1, a missing file 3.
    for args, code_want, what in (
        (["trend", SAMPLE, "--metric", "mean"], 2, "unknown metric"),
        (["trend", SAMPLE, "--metric", "nps", "--period", "decade"], 2, "unknown period"),
        (["trend", SAMPLE, "--metric", "nps", "--by", "agent"], 2, "unknown --by"),
        (["trend", SAMPLE], 2, "--metric is required"),
        (["trend", write(os.path.join(tmp, "nots.csv"), "id,nps\n1,9\n"), "--metric", "nps"], 1, "no timestamp column"),
        (["trend", write(os.path.join(tmp, "nonps.csv"), "timestamp,csat\n2024-01-01T00:00:00Z,4\n"), "--metric", "nps"],
         1, "no nps column"),
        (["trend", os.path.join(tmp, "absent.csv"), "--metric", "nps"], 3, "missing file"),
    ):
        code, out, err = run(*args)
        check(code == code_want, f"{what}: exit {code_want} (got {code}, stderr {err[:200]!r})")
        check("internal" not in err, f"{what}: no internal message ({err[:200]!r})")

finish()
