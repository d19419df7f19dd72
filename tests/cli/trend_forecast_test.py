#!/usr/bin/env python3
"""`cxm trend --horizon H`: the forecast after the series, trend and alerts.

Usage: trend_forecast_test.py CXM_BINARY SOURCE_DIR

Second computation. The monthly NPS of each group is recomputed here from
the CSV (100·(p+ − p−), Wald SE, thin below --min-n), the run the forecast
must be fitted on is chosen here by the documented rule (the last unbroken
run of ok months), and those values are written to a plain t,value file and
forecast by `cxm forecast --frequency month --lower -100 --upper 100`: a
separate entry point with its own reader and its own handling of bounds.
Both end in forecasting::forecast_series, whose numbers series_test checks
against hand-written recursions; what this file catches is the wiring of
`cxm trend` (the run chosen, the values and their precision, the season
length, the bounds, the period of each step, refusals), plus properties
that hold whatever the model: intervals nest lo95 <= lo80 <= mean <= hi80
<= hi95, every bound stays inside the metric's range, one row per step.
"""
import csv
import io
import math
import os

from cxmtest import SAMPLE, check, close, finish, jrun, read, run, scratch, write

H = 6


def sample_rows():
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def month_add(label, k):
    y, m = int(label[:4]), int(label[5:7])
    i = y * 12 + (m - 1) + k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def monthly_points(scores_by_month, min_n):
    """[(month, nps, ok)] for every month first..last, from the definition."""
    ms = sorted(scores_by_month)
    out, m = [], ms[0]
    while m <= ms[-1]:
        sc = scores_by_month.get(m, [])
        n = len(sc)
        if n == 0:
            out.append((m, None, False))
        else:
            pp = sum(1 for s in sc if s >= 9) / n
            pd = sum(1 for s in sc if s <= 6) / n
            se = math.sqrt((pp + pd - (pp - pd) ** 2) / n)
            out.append((m, 100 * (pp - pd), n >= min_n and se > 0))
        m = month_add(m, 1)
    return out


def last_run(points):
    """The last unbroken run of ok points (the documented rule)."""
    end = len(points)
    while end > 0 and not points[end - 1][2]:
        end -= 1
    begin = end
    while begin > 0 and points[begin - 1][2]:
        begin -= 1
    return points[begin:end]


def reference(d, name, values, lower, upper, horizon=H):
    """(model, rows) of `cxm forecast` on the values as a t,value file."""
    f = write(os.path.join(d, f"ref-{name}.csv"),
              "t,value\n" + "".join(f"{t + 1},{v!r}\n" for t, v in enumerate(values)))
    fits = os.path.join(d, f"fits-{name}.csv")
    code, out, err = run("forecast", f, "--frequency", "month", "--horizon", str(horizon), "--lower", str(lower),
                         "--upper", str(upper), "--fits", fits, "--format", "csv")
    check(code == 0, f"{name}: cxm forecast exits 0 ({err!r})")
    if code != 0:
        return None, []
    rows = list(csv.DictReader(io.StringIO(out)))
    model = list(csv.DictReader(io.StringIO(read(fits))))[0]["model"]
    return model, [{k: float(r[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")} for r in rows]


def check_rows(rows, lower, upper, label, horizon=H):
    check([r["step"] for r in rows] == list(range(1, horizon + 1)), f"{label}: steps 1..{horizon}")
    for r in rows:
        lo95, lo80, mean, hi80, hi95 = r["lo95"], r["lo80"], r["mean"], r["hi80"], r["hi95"]
        check(None not in (lo95, lo80, mean, hi80, hi95), f"{label} step {r['step']}: every bound present")
        if None in (lo95, lo80, mean, hi80, hi95):
            continue
        check(lo95 <= lo80 <= mean <= hi80 <= hi95, f"{label} step {r['step']}: intervals nest {r}")
        check(lower <= lo95 and hi95 <= upper, f"{label} step {r['step']}: inside {lower}..{upper} {r}")


def against_reference(d, j, groups, by, label_of, lower=-100, upper=100):
    """Each group's forecast and model row against the reference."""
    for g, pts in sorted(groups.items()):
        pick = lambda t: [r for r in j.get(t, []) if (r.get("channel") == g if by else True)]
        model_rows = pick("forecast_model")
        check(len(model_rows) == 1, f"{label_of(g)}: one forecast_model row (got {len(model_rows)})")
        if len(model_rows) != 1:
            continue
        m, fc = model_rows[0], pick("forecast")
        run_pts = last_run(pts)
        check(m["points"] == len(run_pts), f"{label_of(g)}: fitted on {len(run_pts)} ok months (got {m['points']})")
        if len(run_pts) < 6:
            check(m["status"] == "refused" and fc == [], f"{label_of(g)}: refused, no forecast rows ({m})")
            check("at least 6 ok periods in a row" in (m["note"] or ""), f"{label_of(g)}: says why ({m['note']!r})")
            continue
        check(m["status"] == "ok", f"{label_of(g)}: status ok ({m})")
        check((m["from"], m["to"]) == (run_pts[0][0], run_pts[-1][0]),
              f"{label_of(g)}: run {run_pts[0][0]}..{run_pts[-1][0]} (got {m['from']}..{m['to']})")
        check([r["period"] for r in fc] == [month_add(run_pts[-1][0], k) for k in range(1, H + 1)],
              f"{label_of(g)}: the steps are the months after the run ({[r['period'] for r in fc]})")
        check_rows(fc, lower, upper, label_of(g))
        model, ref = reference(d, g, [v for _, v, _ in run_pts], lower, upper)
        check(m["model"] == model, f"{label_of(g)}: model {m['model']} == cxm forecast's {model}")
        for r, e in zip(fc, ref):
            for k in ("mean", "lo80", "hi80", "lo95", "hi95"):
                # cxm forecast writes 10 significant digits.
                close(r[k], e[k], 1e-8 * max(1.0, abs(e[k])), f"{label_of(g)} step {r['step']}: {k}")


rows = sample_rows()

with scratch() as d:
    # ---- The sample by channel: four forecasts and a refusal (face_to_face has
    # fewer than 30 answers in most months, so its last run of ok months is short).
    by = {}
    for r in rows:
        if r["nps"] and r["timestamp"]:
            by.setdefault(r["channel"], {}).setdefault(r["timestamp"][:7], []).append(int(r["nps"]))
    pts = {ch: monthly_points(months, 30) for ch, months in by.items()}
    j = jrun("trend", SAMPLE, "--metric", "nps", "--unweighted", "--by", "channel", "--horizon", str(H), "-q")
    check(sorted(j) == ["alerts", "forecast", "forecast_model", "series", "trend"], f"tables: {sorted(j)}")
    check(any(len(last_run(p)) < 6 for p in pts.values()), "the sample has a channel to refuse (test data)")
    check(sum(len(last_run(p)) >= 6 for p in pts.values()) >= 3, "the sample has channels to forecast (test data)")
    against_reference(d, j, pts, True, lambda g: f"channel {g}")

    # ---- The whole sample, one series.
    allm = {}
    for r in rows:
        if r["nps"] and r["timestamp"]:
            allm.setdefault(r["timestamp"][:7], []).append(int(r["nps"]))
    ja = jrun("trend", SAMPLE, "--metric", "nps", "--unweighted", "--horizon", str(H), "-q")
    against_reference(d, ja, {"all": monthly_points(allm, 30)}, False, lambda g: "all")

    # ---- Gaps: a thin month inside the series breaks the run; thin months at
    # the end are forecast (the steps start right after the run).
    def month_rows(month, scores):
        return [f"{month}-{1 + i % 27:02d}T12:00:00Z,{s}" for i, s in enumerate(scores)]

    def scores(nps_target, n=40):
        # n answers with promoters - detractors = nps_target% of n (whole counts).
        pro = (n + round(nps_target * n / 100)) // 2
        return [10] * pro + [3] * (n - pro)

    series_nps = [10, 14, 11, 18, 15, 22, 20, 26, 23, 30, 28, 34]
    months = [month_add("2023-01", k) for k in range(12)]
    lines = ["timestamp,nps"]
    for k, (m, v) in enumerate(zip(months, series_nps)):
        lines += month_rows(m, scores(v, 5 if k == 3 else 40))  # 2023-04 thin
    lines += month_rows("2024-01", scores(40, 5))  # one thin month after the run
    gap = write(os.path.join(d, "gap.csv"), "\n".join(lines) + "\n")
    sc = {}
    for line in lines[1:]:
        t, s = line.split(",")
        sc.setdefault(t[:7], []).append(int(s))
    gp = monthly_points(sc, 30)
    check([m for m, _, ok in gp if not ok] == ["2023-04", "2024-01"], f"gap test data: thin months {gp}")
    jg = jrun("trend", gap, "--metric", "nps", "--min-n", "30", "--horizon", str(H), "-q")
    against_reference(d, jg, {"gap": gp}, False, lambda g: "gap")
    m = (jg.get("forecast_model") or [{}])[0]
    check((m.get("from"), m.get("to"), m.get("points")) == ("2023-05", "2023-12", 8),
          f"gap: fitted on 2023-05..2023-12, 8 months (got {m})")
    check((jg.get("forecast") or [{}])[0].get("period") == "2024-01", "gap: step 1 forecasts the thin 2024-01")
    check("2024-01" in (m.get("note") or ""), f"gap: the note names where the forecast starts ({m.get('note')!r})")
    # The same refusal rule when the run is too short: min-n 41 makes every month thin.
    jt = jrun("trend", gap, "--metric", "nps", "--min-n", "41", "--horizon", str(H), "-q")
    mt = (jt.get("forecast_model") or [{}])[0]
    check(mt.get("status") == "refused" and mt.get("points") == 0 and jt.get("forecast") == [],
          f"every month thin: refused with 0 points ({mt})")
    check("no ok period" in (mt.get("note") or ""), f"every month thin: says so ({mt.get('note')!r})")

    # Every format carries the forecast and the refusal.
    for fmt in ("table", "csv", "markdown"):
        code, out, err = run("trend", gap, "--metric", "nps", "--min-n", "41", "--horizon", "3", "--format", fmt)
        check(code == 0 and "refused" in out and "at least 6 ok periods in a row" in out, f"--format {fmt}: refusal")
        code, out, err = run("trend", gap, "--metric", "nps", "--min-n", "30", "--horizon", "3", "--format", fmt)
        check(code == 0 and "lo95" in out and "2024-03" in out and "forecast" in out.lower(),
              f"--format {fmt}: forecast rows ({out[-400:]!r})")

    # ---- Bounds: NPS climbing to 100 stays below 100; a share stays in 0..1.
    up = [60, 70, 78, 85, 90, 94, 97, 99, 100, 100]
    lines = ["timestamp,nps,csat"]
    for k, v in enumerate(up):
        for i, s in enumerate(scores(v)):
            lines.append(f"{month_add('2023-01', k)}-{1 + i % 27:02d}T12:00:00Z,{s},{5 if s == 10 else 2}")
    hi = write(os.path.join(d, "high.csv"), "\n".join(lines) + "\n")
    jh = jrun("trend", hi, "--metric", "nps", "--horizon", "12", "-q")
    check((jh.get("forecast_model") or [{}])[0].get("status") == "ok", f"near the bound: forecast made {jh.get('forecast_model')}")
    check_rows(jh.get("forecast", []), -100, 100, "NPS near 100", 12)
    check(all(r["hi95"] < 100 for r in jh.get("forecast", [])), "NPS near 100: hi95 below 100")
    jc = jrun("trend", hi, "--metric", "csat", "--horizon", "12", "-q")
    check_rows(jc.get("forecast", []), 0, 1, "CSAT share", 12)
    ok = [r for r in jc.get("series", []) if r["status"] == "ok"]
    model, ref = reference(d, "csat", [r["value"] for r in ok], 0, 1, 12)
    for r, e in zip(jc.get("forecast", []), ref):
        close(r["mean"], e["mean"], 1e-8, f"CSAT share step {r['step']}: mean as cxm forecast --lower 0 --upper 1")
        close(r["hi95"], e["hi95"], 1e-8, f"CSAT share step {r['step']}: hi95 as cxm forecast --lower 0 --upper 1")

    # Without --horizon: no forecast tables (the command as before).
    jn = jrun("trend", gap, "--metric", "nps", "-q")
    check("forecast" not in jn and "forecast_model" not in jn, f"no --horizon, no forecast ({sorted(jn)})")

    # ---- Errors: usage 2, a missing column 1.
    for args, want, what in (
        (["--horizon", "0"], 2, "--horizon 0"),
        (["--horizon", "1001"], 2, "--horizon above 1000"),
        (["--horizon", "six"], 2, "--horizon not a count"),
        (["--horizon", "-3"], 2, "--horizon negative"),
    ):
        code, out, err = run("trend", SAMPLE, "--metric", "nps", *args)
        check(code == want and "--horizon" in err, f"{what}: exit {want} naming --horizon (got {code}, {err[:200]!r})")
    nots = write(os.path.join(d, "nots.csv"), "id,nps\n1,9\n")
    code, out, err = run("trend", nots, "--metric", "nps", "--horizon", "3")
    check(code == 1 and "timestamp" in err, f"no timestamp column: exit 1 naming it (got {code}, {err[:200]!r})")

finish()
