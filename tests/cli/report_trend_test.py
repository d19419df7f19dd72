"""cxm report's trend section: when it appears and with which period, and
what it says about the forecast when thin periods break the series. The
section's marks and values on the sample are checked by
tests/report_render.py (report_trend_expect.py); the forecast numbers by
trend_forecast_test.py. Here: files made to hit each rule."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxmtest import SAMPLE, check, finish, read, run, scratch, write  # noqa: E402


def day(y, m, d):
    return f"{y:04d}-{m:02d}-{d:02d}T12:00:00Z"


def month_add(y, m, k):
    i = y * 12 + m - 1 + k
    return i // 12, i % 12 + 1


def answers(nps_target, n):
    pro = (n + round(nps_target * n / 100)) // 2
    return [10] * pro + [3] * (n - pro)


def markdown(path, *extra):
    code, out, err = run("report", path, "--format", "markdown", *extra)
    check(code == 0, f"report of {os.path.basename(path)} exits 0 ({err!r})")
    return out


with scratch() as d:
    # The sample: 24 months, a monthly section with a forecast of 6 months.
    out = markdown(SAMPLE)
    check("## NPS trend and forecast by month" in out, "the sample has a monthly trend section")
    check("| 6 | 2026-06 |" in out, "the sample's forecast runs to 2026-06, six months after 2025-12")
    html = os.path.join(d, "sample.html")
    code, _, err = run("report", SAMPLE, "-o", html)
    text = read(html) if code == 0 else ""
    check('data-chart="nps-trend"' in text and '<a href="#nps-trend">' in text,
          "the HTML has the trend chart and its navigation link")

    # Five months of data: 22 ISO weeks, so a weekly section.
    lines = ["timestamp,nps"]
    for k in range(5):
        y, m = month_add(2024, 1, k)
        lines += [f"{day(y, m, 1 + i % 28)},{s}" for i, s in enumerate(answers(10 + 3 * k, 60))]
    out = markdown(write(os.path.join(d, "five.csv"), "\n".join(lines) + "\n"))
    check("## NPS trend and forecast by week" in out, "five months of data: weekly")

    # Two weeks of data: no period gives 8; no section, and a note says why.
    lines = ["timestamp,nps"] + [f"{day(2024, 3, 1 + i % 14)},{s}" for i, s in enumerate(answers(20, 100))]
    out = markdown(write(os.path.join(d, "short.csv"), "\n".join(lines) + "\n"))
    check("NPS trend and forecast" not in out, "two weeks: no trend section")
    check("No trend section: the NPS answers span 1 month" in out, "two weeks: a note says why")

    # Seven years of monthly data (84 months > 60): quarters.
    lines = ["timestamp,nps"]
    for k in range(84):
        y, m = month_add(2015, 1, k)
        lines += [f"{day(y, m, 1 + i % 28)},{s}" for i, s in enumerate(answers(round(20 * math.sin(k / 5)), 40))]
    out = markdown(write(os.path.join(d, "seven.csv"), "\n".join(lines) + "\n"))
    check("## NPS trend and forecast by quarter" in out, "seven years: quarterly")
    check("| 1 | 2022-Q1 |" in out, "seven years: the forecast starts at 2022-Q1")

    # Twelve months, the last two thin (fewer than --thin-below 100 answers):
    # the forecast is fitted on the first ten and starts at the first thin one.
    lines = ["timestamp,nps"]
    for k in range(12):
        y, m = month_add(2024, 1, k)
        lines += [f"{day(y, m, 1 + i % 28)},{s}" for i, s in enumerate(answers(5 + k, 150 if k < 10 else 30))]
    out = markdown(write(os.path.join(d, "tail.csv"), "\n".join(lines) + "\n"))
    check("## NPS trend and forecast by month" in out, "thin tail: monthly section")
    check("fitted on 10 months" in out and "| 1 | 2024-11 |" in out,
          "thin tail: fitted on 10 months, step 1 is 2024-11 (the first thin month)")
    check("The last 2 months are thin or empty: the forecast starts after 2024-10" in out, "thin tail: a note says so")

    # Ten months with a thin one every third month: no run of 6, no forecast,
    # the rest of the section stays.
    lines = ["timestamp,nps"]
    for k in range(10):
        y, m = month_add(2024, 1, k)
        lines += [f"{day(y, m, 1 + i % 28)},{s}" for i, s in enumerate(answers(5 + k, 30 if k % 3 == 2 else 150))]
    out = markdown(write(os.path.join(d, "broken.csv"), "\n".join(lines) + "\n"))
    check("## NPS trend and forecast by month" in out and "Theil-Sen" in out, "broken runs: the section stays")
    check("No forecast: only 1 ok month in a row (2024-10); a forecast needs at least 6" in out,
          "broken runs: no forecast, and why")
    check("80% interval" not in out, "broken runs: no forecast table")

finish()
