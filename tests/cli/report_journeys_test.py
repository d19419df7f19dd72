"""cxm report's journey section: added when the file has a journey column
(found in the CSV header, or declared with --field journey:category), left
out otherwise; the section's numbers are checked against a small file worked
by hand and the bundled journeys against Python's csv module."""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxmtest import SAMPLE, SOURCE, check, finish, read, run, scratch, write  # noqa: E402

JOURNEYS = os.path.join(SOURCE, "examples", "data", "journeys.csv")

with scratch() as tmp:
    # No journey column: no section.
    code, out, err = run("report", SAMPLE, "--format", "markdown")
    check(code == 0, f"report of the sample exits 0 ({err!r})")
    check("## Journeys" not in out, "the sample (no journey column) has no journey section")

    # The bundled journeys, found by the header's journey column.
    html = os.path.join(tmp, "journeys.html")
    code, out, err = run("report", JOURNEYS, "--field", "rating:score:0-10", "-o", html)
    check(code == 0, f"report of the journeys exits 0 ({err!r})")
    text = read(html) if code == 0 else ""
    for chart in ("journeys-map", "journeys-touchpoints", "journeys-models"):
        check(f'data-chart="{chart}"' in text, f"the journey report has the chart {chart}")
    check('<a href="#journeys">Journeys</a>' in text, "the journey section is in the navigation")
    # Journeys with an event: a row answering csat, ces or rating; as Python counts them.
    with open(JOURNEYS, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with_event = {r["journey"] for r in rows if r["csat"] or r["ces"] or r["rating"]}
    events = sum(1 for r in rows if r["csat"] or r["ces"] or r["rating"])
    check(f'<td>journeys with events</td><td class="num">{len(with_event)}</td>' in text,
          f"journeys with events: {len(with_event)}")
    check(f'<td>events</td><td class="num">{events}</td>' in text, f"events: {events}")

    # A small file worked by hand, without touchpoint/owner columns; the
    # journey column declared under its own name needs no header lookup.
    #   A: csat 5 (x 1) then 1 (x -1), nps 3: remembered (-1 + -1)/2 = -1, mean 0
    #   B: csat 4 (x 0.5), nps 9: remembered 0.5, mean 0.5
    small = write(os.path.join(tmp, "small.csv"),
                  "journey,timestamp,channel,stage,csat,nps\n"
                  "A,2025-01-01T10:00:00Z,web,buy,5,\n"
                  "A,2025-01-02T10:00:00Z,phone,help,1,3\n"
                  "B,2025-01-01T10:00:00Z,web,buy,4,9\n")
    code, out, err = run("report", small, "--format", "markdown", "--field", "journey:category")
    check(code == 0, f"report of the small journey file exits 0 ({err!r})")
    check("| journeys with events | 2 |" in out, "two journeys")
    # (-1 + 0.5)/2 = -0.25; (0 + 0.5)/2 = 0.25
    check("| mean remembered score (peak 0.50, end 0.50) | -0.250 |" in out, "mean remembered score -0.25")
    check("| mean of the journeys' plain means | 0.250 |" in out, "mean of plain means 0.25")
    check("| web | help | 0 | no events | | |" in out, "the empty cell web x help is marked")
    # Without touchpoint columns the events are one place: own score
    # (1 - 1 + 0.5)/3 = 0.167; A's worst (-1) is there and A is a detractor,
    # B's worst is 0.5 (not negative): share 1/1 of detractors, base 1/2, lift 2.
    check("| (no touchpoint) | | 3 | 0.167 | 1 | 100.0% | 50.0% | 2.00 [" in out,
          "without touchpoint columns the events are one place, lift 2")

    # --stage-order orders the map's columns; rows of other stages are left out, counted.
    code, out, err = run("report", small, "--format", "markdown", "--field", "journey:category",
                         "--stage-order", "help,buy")
    check(code == 0 and out.find("| web | help |") < out.find("| web | buy |"), "--stage-order orders the stages")
    code, out, err = run("report", small, "--format", "markdown", "--field", "journey:category", "--stage-order", "help")
    check("2 rows were left out of the journeys (unknown_stage 2)." in out, "rows of other stages are counted")
    code, out, err = run("report", SAMPLE, "--stage-order", "a,b", "-o", os.path.join(tmp, "x.html"))
    check(code == 2, f"--stage-order without a journey column is a usage error (got {code})")

    # A declared journey field the file lacks: bad data, exit 1.
    code, out, err = run("report", SAMPLE, "--field", "journey:category")
    check(code == 1, f"a declared journey column the file lacks exits 1 (got {code}, {err!r})")

finish()
