"""The report's trend section (chart "nps-trend"), expected from the CSV alone.

Used by report_render.py (xml and browser modes). From the rows, with the
standard library only:
  * NPS answers per month; a month with n < thin_below is thin (a hollow
    point), the others solid; every month has an interval (a band run);
  * the WLS line with weights 1/SE^2 (Wald SE 100*sqrt((p+ + p- - (p+ - p-)^2)/n))
    over the ok months, in closed form: its ends are checked against the
    trend's tooltip;
  * the forecast: fitted on the last unbroken run of ok months (at least 6),
    so its steps are the 6 months after that run; every step's tooltip must
    give intervals that nest and stay within -100..100.
The forecast's numbers themselves are checked against `cxm forecast` in
tests/cli/trend_forecast_test.py; here the chart is checked to draw them.
"""
import csv
import math
import re

HORIZON = 6
MIN_FORECAST_POINTS = 6


def _months(csv_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    per = {}
    for r in rows:
        if r.get("timestamp") and (r.get("nps") or "").strip():
            per.setdefault(r["timestamp"][:7], []).append(int(r["nps"]))
    return per


def _month_add(label, k):
    i = int(label[:4]) * 12 + int(label[5:7]) - 1 + k
    return "%04d-%02d" % (i // 12, i % 12 + 1)


def trend_facts(csv_path, thin_below):
    per = _months(csv_path)
    ms = sorted(per)
    slots = []
    m = ms[0]
    while m <= ms[-1]:
        slots.append(m)
        m = _month_add(m, 1)
    pts = []
    for i, m in enumerate(slots):
        sc = per.get(m, [])
        n = len(sc)
        if n == 0:
            pts.append((m, None, None, n, False))
            continue
        pp = sum(1 for s in sc if s >= 9) / n
        pd = sum(1 for s in sc if s <= 6) / n
        se = 100 * math.sqrt((pp + pd - (pp - pd) ** 2) / n)
        pts.append((m, 100 * (pp - pd), se, n, n >= thin_below and se > 0))
    ok = [(i, p) for i, p in enumerate(pts) if p[4]]
    w = [1 / p[2] ** 2 for _, p in ok]
    sw = sum(w)
    tb = sum(wi * i for wi, (i, _) in zip(w, ok)) / sw
    yb = sum(wi * p[1] for wi, (_, p) in zip(w, ok)) / sw
    b = sum(wi * (i - tb) * (p[1] - yb) for wi, (i, p) in zip(w, ok)) / sum(wi * (i - tb) ** 2 for wi, (i, _) in zip(w, ok))
    a = yb - b * tb
    end = len(pts)
    while end > 0 and not pts[end - 1][4]:
        end -= 1
    begin = end
    while begin > 0 and pts[begin - 1][4]:
        begin -= 1
    return {
        "points": pts,
        "trend": (ok[0][0], a + b * ok[0][0], ok[-1][0], a + b * ok[-1][0]),
        "run": (begin, end),
        "steps": [_month_add(pts[end - 1][0], k) for k in range(1, HORIZON + 1)] if end - begin >= MIN_FORECAST_POINTS
        else [],
    }


def expected_trend_marks(csv_path, thin_below):
    f = trend_facts(csv_path, thin_below)
    pts = f["points"]
    with_value = [p for p in pts if p[1] is not None]
    # Runs of consecutive months with a value: one band each, a line for those of 2 or more.
    runs, cur = [], 0
    for p in pts:
        if p[1] is None:
            if cur:
                runs.append(cur)
            cur = 0
        else:
            cur += 1
    if cur:
        runs.append(cur)
    thin = sum(1 for p in with_value if p[3] < thin_below)
    fan = 1 if f["steps"] else 0
    return {"nps-trend": {"point": len(with_value), "thin": thin, "band": len(runs),
                          "line": sum(1 for r in runs if r >= 2), "trend": 1, "fan": 2 * fan, "fan.fan95": fan,
                          "fan.fan80": fan, "forecast": fan, "step": len(f["steps"])}}


def check_trend_values(svg_root, csv_path, thin_below, fail, svg_ns):
    """The trend line's ends and the forecast steps' labels and bounds, from the tooltips."""
    f = trend_facts(csv_path, thin_below)
    trend_tip, steps = None, []
    for el in svg_root.iter():
        cls = el.get("class", "").split()
        if len(cls) < 2 or cls[0] != "mark":
            continue
        tip = (el.find(svg_ns + "title").text or "")
        if cls[1] == "trend":
            trend_tip = tip
        elif cls[1] == "step":
            steps.append(tip)
    if trend_tip is None:
        fail("nps-trend: no trend line")
    m = re.match(r"WLS trend, (\S+) (-?[\d.]+) to (\S+) (-?[\d.]+)", trend_tip)
    if not m:
        fail("nps-trend: trend tooltip %r" % trend_tip)
    i0, y0, i1, y1 = f["trend"]
    pts = f["points"]
    if (m.group(1), m.group(3)) != (pts[i0][0], pts[i1][0]):
        fail("nps-trend: trend runs %s..%s, expected %s..%s" % (m.group(1), m.group(3), pts[i0][0], pts[i1][0]))
    for got, want, end in ((float(m.group(2)), y0, "start"), (float(m.group(4)), y1, "end")):
        if abs(got - want) > 0.006:  # two decimals in the tooltip
            fail("nps-trend: trend %s %.4f, expected %.4f (closed-form WLS)" % (end, got, want))
    labels = []
    for tip in steps:
        s = re.match(r"(\S+): forecast (-?[\d.]+), 80% prediction interval \[(-?[\d.]+), (-?[\d.]+)\], "
                     r"95% \[(-?[\d.]+), (-?[\d.]+)\]", tip)
        if not s:
            fail("nps-trend: step tooltip %r" % tip)
        labels.append(s.group(1))
        mean, lo80, hi80, lo95, hi95 = (float(s.group(k)) for k in (2, 3, 4, 5, 6))
        if not (-100 <= lo95 <= lo80 <= mean <= hi80 <= hi95 <= 100):
            fail("nps-trend: step %s bounds do not nest within -100..100: %r" % (s.group(1), tip))
    if labels != f["steps"]:
        fail("nps-trend: forecast months %r, expected the 6 after the last run of ok months %r" % (labels, f["steps"]))
    return {"trend": (pts[i0][0], round(y0, 2), pts[i1][0], round(y1, 2)), "steps": labels}
