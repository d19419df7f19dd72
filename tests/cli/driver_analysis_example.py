#!/usr/bin/env python3
"""examples/driver_analysis.cpp on the bundled B2B survey
(examples/data/drivers.csv): its printed numbers against a computation from
the CSV written here (tests/cli/driver_reference.py), and its SVG chart
parsed with an XML parser (expat): six points, one per element, in the
quadrant the reference gives, with both whiskers each.

The generator (examples/generate_driver_data.cpp) gives fulfilment the
largest true weight (0.40) and responsiveness the next (0.30): LMG must rank
them first and second.

Usage: driver_analysis_example.py DRIVER_ANALYSIS_BINARY SOURCE_DIR OUT_DIR
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver_reference as ref  # noqa: E402

ELEMENTS = ["commitment", "fulfilment", "seamlessness", "responsiveness", "proactivity", "evolution"]
SVG = "{http://www.w3.org/2000/svg}"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


binary, source, out_dir = sys.argv[1:4]
os.makedirs(out_dir, exist_ok=True)
data = os.path.join(source, "examples", "data", "drivers.csv")
svg_path = os.path.join(out_dir, "drivers.svg")
if os.path.exists(svg_path):
    os.remove(svg_path)
r = subprocess.run([binary, data, svg_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
check(r.returncode == 0, "driver_analysis exits 0 (%r)" % r.stderr)
out = r.stdout

rows = ref.read(data, "nps", ELEMENTS)
kept = ref.listwise(rows)
a = ref.Analysis(kept)
check("rows %d, analysed %d (listwise; %d dropped for a missing value), R2 %.3f [" %
      (len(rows), len(kept), len(rows) - len(kept), a.r2) in out,
      "rows %d, analysed %d listwise, R2 %.3f" % (len(rows), len(kept), a.r2))

# The importance table: LMG, Pratt and first R² of each element, 3 decimals.
for j, e in enumerate(ELEMENTS):
    m = re.search(r"^  %s +([-0-9.]+) \[[^]]*\] +[-0-9.]+ \[[^]]*\] +([-0-9.]+) \[[^]]*\] +([-0-9.]+) \[" % e, out,
                  flags=re.M)
    check(m is not None, "importance row of %s" % e)
    if m:
        got = [float(x) for x in m.groups()]
        want = [a.lmg[j], a.pratt[j], a.first_r2[j]]
        check(all(abs(g - w) <= 0.0005 + 1e-12 for g, w in zip(got, want)),
              "%s: LMG, Pratt, first R2 %r, reference %r" % (e, got, [round(w, 4) for w in want]))

# Ranks and quadrants.
perf = []
for j in range(len(ELEMENTS)):
    x, n = ref.top_box(kept, j + 1, 4)
    perf.append(x / n)
quad = ref.quadrants(a.lmg, perf)
order = sorted(range(len(ELEMENTS)), key=lambda j: -a.lmg[j])
check([ELEMENTS[j] for j in order[:2]] == ["fulfilment", "responsiveness"],
      "the reference ranks the two largest true weights first: %r" % [ELEMENTS[j] for j in order])
ranked = re.findall(r"^  (\d) +(\w+) +([0-9.]+) +([0-9.]+) \[([0-9.]+), ([0-9.]+)\] +(.+)$", out, flags=re.M)
check([x[1] for x in ranked] == [ELEMENTS[j] for j in order], "LMG ranking %r" % [x[1] for x in ranked])
check(len(ranked) > 0 and ranked[0][1] == "fulfilment", "fulfilment (true weight 0.40) ranks first by LMG")
for rank, name, _lmg, top, lo, hi, q in ranked:
    j = ELEMENTS.index(name)
    x, n = ref.top_box(kept, j + 1, 4)
    p, wl, wh = ref.wilson(x, n)
    check(abs(float(top) - 100 * p) <= 0.05 + 1e-9 and abs(float(lo) - 100 * wl) <= 0.05 + 1e-9 and
          abs(float(hi) - 100 * wh) <= 0.05 + 1e-9,
          "%s top box %s [%s, %s], reference %.2f [%.2f, %.2f]" % (name, top, lo, hi, 100 * p, 100 * wl, 100 * wh))
    check(q.strip() == quad[j].replace("_", " "), "%s quadrant %r, reference %r" % (name, q.strip(), quad[j]))
check(quad[ELEMENTS.index("responsiveness")] == "fix_first", "responsiveness is the element to fix first")

# The SVG: parses, six points with tooltips, each in its quadrant, both whiskers.
try:
    root = ET.parse(svg_path).getroot()
except (OSError, ET.ParseError) as e:
    root = None
    check(False, "the SVG parses as XML: %s" % e)
if root is not None:
    check(root.tag == SVG + "svg" and root.find(SVG + "title") is not None, "an SVG document with a title")
    points = [el for el in root.iter(SVG + "circle") if el.get("class", "").startswith("mark point")]
    check(len(points) == 6, "six points (got %d)" % len(points))
    for el in points:
        tip = el.find(SVG + "title").text
        name = tip.split(":")[0]
        cls = el.get("class").split()[2]
        check(name in ELEMENTS and cls == quad[ELEMENTS.index(name)],
              "point %s drawn as %s, reference %s" % (name, cls, quad[ELEMENTS.index(name)] if name in ELEMENTS else "?"))
    marks = [el.get("class") for el in root.iter() if el.get("class", "").startswith("mark whisker")]
    check(marks.count("mark whisker performance") == 6 and marks.count("mark whisker importance") == 6,
          "six performance and six importance whiskers (%r)" % marks)
    labels = sorted(el.text for el in root.iter(SVG + "text") if el.get("class") == "label point-label")
    check(labels == sorted(ELEMENTS), "each point labelled with its element: %r" % labels)
    names = sorted(el.text for el in root.iter(SVG + "text") if el.get("class") == "quadrant-name")
    check(names == sorted(["fix first", "keep up", "possible overkill", "low priority"]), "the four quadrant names")
    split = [el for el in root.iter(SVG + "line") if el.get("class") == "split performance"]
    want = "performance split: top box %.2f%%" % (100 * ref.median(perf))
    check(len(split) == 1 and split[0].find(SVG + "title").text == want,
          "the performance split at the median top box (%r)" % want)

if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
print("all checks passed")
