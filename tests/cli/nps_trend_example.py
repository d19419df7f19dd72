"""examples/nps_trend on the sample data: what it prints and the SVG it writes.

Run as `python3 nps_trend_example.py CXM SOURCE_DIR NPS_TREND`.

  * months and ok months per channel: from the CSV with Python's csv module
    (NPS answers per month, ok when n >= 30);
  * the WLS slope, the first EWMA and CUSUM signals and the forecasts: the
    same as `cxm trend --by channel --horizon 6 --unweighted` (an independent
    entry point: its own reader, grouping and table writer; that command's
    numbers are checked from the definitions in trend_test.py and
    trend_forecast_test.py);
  * the SVG: parsed by expat (xml.etree), one <svg> in the SVG namespace with
    a viewBox; a solid point per month of the whole sample (all have n >= 30),
    one band, one line, one trend line, the 80 % and 95 % fans, one forecast
    line and 6 step dots whose tooltips give intervals that nest inside
    -100..100, and the months after the last one.
"""
import csv
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from cxmtest import SAMPLE, check, close, finish, jrun, scratch

EXAMPLE = os.path.abspath(sys.argv[3])
SVG = "{http://www.w3.org/2000/svg}"


def month_add(label, k):
    i = int(label[:4]) * 12 + int(label[5:7]) - 1 + k
    return "%04d-%02d" % (i // 12, i % 12 + 1)


with open(SAMPLE, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
per = {}
for r in rows:
    if r["nps"].strip() and r["timestamp"]:
        per.setdefault(r["channel"], {}).setdefault(r["timestamp"][:7], 0)
        per[r["channel"]][r["timestamp"][:7]] += 1
        per.setdefault("all", {}).setdefault(r["timestamp"][:7], 0)
        per["all"][r["timestamp"][:7]] += 1

with scratch() as d:
    svg_path = os.path.join(d, "nps_trend.svg")
    p = subprocess.run([EXAMPLE, SAMPLE, svg_path], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"nps_trend exits 0 ({p.stderr!r})")
    out = p.stdout
    j = jrun("trend", SAMPLE, "--metric", "nps", "--by", "channel", "--horizon", "6", "--unweighted", "-q")

    for ch, months in sorted(per.items()):
        ms = sorted(months)
        span = (int(ms[-1][:4]) * 12 + int(ms[-1][5:7])) - (int(ms[0][:4]) * 12 + int(ms[0][5:7])) + 1
        ok = sum(1 for m in ms if months[m] >= 30)
        line = re.search(r"^%s +(\d+) +(\d+)  (.*)$" % re.escape(ch), out, re.M)
        check(line is not None, f"{ch}: a summary line")
        if not line:
            continue
        check((int(line.group(1)), int(line.group(2))) == (span, ok), f"{ch}: months {span}, ok {ok} ({line.group(0)})")
        if ch == "all":
            continue
        wls = [r for r in j.get("trend", []) if r["channel"] == ch and r["method"] == "wls"]
        m = re.search(r"([+-]\d+\.\d+) \[", line.group(3))
        if wls and wls[0]["slope"] is not None:
            check(m is not None, f"{ch}: a slope")
            if m:
                close(float(m.group(1)), wls[0]["slope"], 0.006, f"{ch}: WLS slope as cxm trend")
        alerts = {r["chart"]: r for r in j.get("alerts", []) if r["channel"] == ch}
        for chart in ("ewma", "cusum"):
            a = alerts.get(chart, {})
            want = "none" if not a.get("first_signal") else f"{a['first_signal']} {a['direction']}"
            got = re.search(chart + r" (none|\d{4}-\d{2} (?:up|down))", line.group(3))
            check(got is not None and got.group(1) == want, f"{ch}: {chart} alert {got and got.group(1)} == {want}")
        model = [r for r in j.get("forecast_model", []) if r["channel"] == ch]
        fc = [r for r in j.get("forecast", []) if r["channel"] == ch]
        if model and model[0]["status"] == "ok":
            check(f"forecast {ch}: ETS {model[0]['model']} on {model[0]['points']} months" in out,
                  f"{ch}: forecast model as cxm trend ({model[0]})")
            for r in fc:
                s = re.search(r"^  %s +(-?[\d.]+)  80%% \[ *(-?[\d.]+), *(-?[\d.]+)\]  95%% \[ *(-?[\d.]+), *(-?[\d.]+)\]"
                              % r["period"], out.split(f"forecast {ch}:")[1], re.M)
                check(s is not None, f"{ch} {r['period']}: a forecast line")
                if s:
                    for k, key in enumerate(("mean", "lo80", "hi80", "lo95", "hi95"), start=1):
                        close(float(s.group(k)), r[key], 0.006, f"{ch} {r['period']}: {key} as cxm trend")
        else:
            check(f"forecast {ch}: none:" in out, f"{ch}: no forecast, as cxm trend refuses it")

    # The chart.
    try:
        root = ET.parse(svg_path).getroot()
    except (ET.ParseError, OSError) as e:
        check(False, f"the SVG parses as XML ({e})")
        root = None
    if root is not None:
        check(root.tag == SVG + "svg" and len(root.get("viewBox", "").split()) == 4, "an SVG root with a viewBox")
        counts = {}
        steps = []
        for el in root.iter():
            cls = el.get("class", "").split()
            if not cls or cls[0] != "mark":
                continue
            key = " ".join(cls[1:])
            counts[key] = counts.get(key, 0) + 1
            title = el.find(SVG + "title")
            check(title is not None and (title.text or "").strip(), f"mark {key} has a tooltip")
            if cls[1] == "step":
                steps.append(title.text)
        months = sorted(per["all"])
        want = {"point": len(months), "band": 1, "line": 1, "trend": 1, "fan fan95": 1, "fan fan80": 1,
                "forecast": 1, "step": 6}
        check(counts == want, f"SVG marks {counts} == {want}")
        labels = []
        for tip in steps:
            s = re.match(r"(\S+): forecast (-?[\d.]+), 80% prediction interval \[(-?[\d.]+), (-?[\d.]+)\], "
                         r"95% \[(-?[\d.]+), (-?[\d.]+)\]", tip or "")
            check(s is not None, f"step tooltip {tip!r}")
            if s:
                labels.append(s.group(1))
                mean, lo80, hi80, lo95, hi95 = (float(s.group(k)) for k in range(2, 7))
                check(-100 <= lo95 <= lo80 <= mean <= hi80 <= hi95 <= 100, f"step {s.group(1)} nests: {tip}")
        check(labels == [month_add(months[-1], k) for k in range(1, 7)], f"forecast months {labels}")
        check(f"chart {svg_path}: {len(months)} months, 6 forecast steps" in out, "the chart line")

finish()
