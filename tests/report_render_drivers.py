#!/usr/bin/env python3
"""The report's key-driver section as a file and as rendered by a real browser.

    report_render_drivers.py xml     CXM CSV FIELDS_JSON OUT_DIR
    report_render_drivers.py browser CXM CSV FIELDS_JSON OUT_DIR [--chromium PATH]

Runs `cxm report CSV --mapping FIELDS_JSON --drivers <the six elements>
--bootstrap 200 --seed 1` into OUT_DIR/report.html, then checks it with the
machinery of tests/report_render.py (the same checks as the journey
section's): xml — the report and every SVG parse as XML (expat), nothing
loads from elsewhere, every mark has a tooltip; browser — headless Chromium
renders it, the screenshot is not blank and every mark has a non-empty box.
The importance × performance chart's marks are counted against values
computed here from the CSV (tests/cli/driver_reference.py: rows kept
listwise, LMG over all orders of entry, top-box shares, quadrants split at
the medians): six points, as many in each quadrant as the reference puts
there, and six whiskers of each kind. The report's other charts are checked
as every chart is, not counted. Exit code 77 when Chromium is not installed.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "cli"))
import driver_reference as ref  # noqa: E402
import report_render as rr  # noqa: E402

ELEMENTS = ["commitment", "fulfilment", "seamlessness", "responsiveness", "proactivity", "evolution"]
CHART = "drivers-importance-performance"


def expected_marks(csv_path):
    kept = ref.listwise(ref.read(csv_path, "nps", ELEMENTS))
    lmg = ref.Analysis(kept).lmg
    perf = []
    for j in range(len(ELEMENTS)):
        x, n = ref.top_box(kept, j + 1, 4)
        perf.append(x / n)
    quad = ref.quadrants(lmg, perf)
    want = {"point": len(ELEMENTS), "whisker.performance": len(ELEMENTS), "whisker.importance": len(ELEMENTS)}
    for q in ("fix_first", "keep_up", "possible_overkill", "low_priority"):
        want["point." + q] = quad.count(q)
    if len(set(quad)) < 4:
        rr.fail("the bundled driver data should fill all four quadrants: %r" % quad)
    return {CHART: want}


def main(argv):
    if len(argv) < 6 or argv[1] not in ("xml", "browser"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, cxm, csv_path, fields, out_dir = argv[1:6]
    chromium = None
    if len(argv) > 7 and argv[6] == "--chromium":
        chromium = argv[7]
    if mode == "browser":
        chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium or not os.path.exists(chromium):
            print("SKIP: chromium is not installed")
            return rr.SKIP
    os.makedirs(out_dir, exist_ok=True)
    html_path = os.path.join(out_dir, "report.html")
    r = subprocess.run([cxm, "report", csv_path, "--mapping", fields, "--drivers", ",".join(ELEMENTS),
                        "--bootstrap", "200", "--seed", "1", "--quiet", "-o", html_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        rr.fail("cxm report failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    expected = expected_marks(csv_path)
    print("drivers: %r" % expected)
    if mode == "xml":
        rr.check_xml(html_path, expected, others=True)
    else:
        rr.check_browser(chromium, html_path, out_dir, expected, None, others=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
