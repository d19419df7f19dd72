"""cxm report's key-driver section: added with --drivers (outcome nps unless
--outcome names another field), left out otherwise; its numbers (n, rows
dropped by each missing-value policy, R², LMG, Pratt, first R², top-box
shares with Wilson intervals, quadrants) and its chart's marks (six points in
their quadrants, a performance whisker each, an importance whisker each only
with --bootstrap) against tests/cli/driver_reference.py computed from the CSV;
bad flags and names are usage errors (exit 2) naming them, data the analysis
cannot use is exit 1, a numeric driver gives the table without a chart."""
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver_reference as ref  # noqa: E402
from cxmtest import SAMPLE, SOURCE, check, finish, read, run, scratch, write  # noqa: E402

DATA = os.path.join(SOURCE, "examples", "data", "drivers.csv")
FIELDS = os.path.join(SOURCE, "examples", "data", "drivers_fields.json")
ELEMENTS = ["commitment", "fulfilment", "seamlessness", "responsiveness", "proactivity", "evolution"]
LIST = ",".join(ELEMENTS)
SVG = "{http://www.w3.org/2000/svg}"


def section_of(text):
    m = re.search(r'<section id="drivers">.*?</section>', text, flags=re.S)
    return m.group(0) if m else ""


def cells_of(section, first):
    """The cells of the table row whose first cell is `first`."""
    m = re.search(r"<tr[^>]*><td>%s</td>(.*?)</tr>" % re.escape(first), section, flags=re.S)
    return re.findall(r"<td[^>]*>(.*?)</td>", m.group(1)) if m else []


rows = ref.read(DATA, "nps", ELEMENTS)
kept = ref.listwise(rows)
a = ref.Analysis(kept)
perf = [ref.top_box(kept, j + 1, 4) for j in range(len(ELEMENTS))]
quad = ref.quadrants(a.lmg, [x / n for x, n in perf])

with scratch() as tmp:
    # Without --drivers: no section.
    code, out, err = run("report", DATA, "--mapping", FIELDS, "--format", "markdown")
    check(code == 0 and "Key drivers" not in out, f"no --drivers, no driver section ({code}, {err!r})")

    # The bundled survey, with a bootstrap.
    html = os.path.join(tmp, "drivers.html")
    code, out, err = run("report", DATA, "--mapping", FIELDS, "--drivers", LIST, "--bootstrap", "200", "--seed", "7",
                         "-o", html)
    check(code == 0, f"report with --drivers exits 0 ({err!r})")
    text = read(html) if code == 0 else ""
    check('<a href="#drivers">Key drivers of nps</a>' in text, "the driver section is in the navigation")
    sec = section_of(text)
    model = cells_of(sec, "nps")
    # outcome, R², n, policy, rows, dropped listwise, dropped pairwise
    check(len(model) == 6 and model[1] == str(len(kept)) and model[3] == str(len(rows)) and
          model[4] == str(len(rows) - len(kept)) and model[5] == "0",
          f"model row: n {len(kept)}, rows {len(rows)}, dropped listwise {len(rows) - len(kept)}: {model}")
    check(bool(model) and model[0].startswith("%.3f [" % a.r2), f"R² {a.r2:.3f} with its bootstrap interval: {model[:1]}")
    for j, e in enumerate(ELEMENTS):
        # Three tables have a row per driver: importances, performance, other measures.
        rows_of_e = [re.findall(r"<td[^>]*>(.*?)</td>", x)
                     for x in re.findall(r"<tr[^>]*><td>%s</td>(.*?)</tr>" % e, sec, flags=re.S)]
        check(len(rows_of_e) == 3, f"{e} has a row in each of the three tables")
        imp = rows_of_e[0] + rows_of_e[2] if len(rows_of_e) == 3 else []
        got = [float(c.split()[0]) for c in imp[:4]] if len(imp) >= 4 else []
        # LMG, relweight, Pratt, first R²: the reference's LMG, Pratt and r² to 3 decimals.
        ok = len(got) == 4 and abs(got[0] - a.lmg[j]) <= 5e-4 and abs(got[2] - a.pratt[j]) <= 5e-4 and \
            abs(got[3] - a.first_r2[j]) <= 5e-4
        check(ok and "[" in imp[0] and "[" in imp[3],
              f"{e}: LMG {a.lmg[j]:.4f}, Pratt {a.pratt[j]:.4f}, r² {a.first_r2[j]:.4f}: {imp[:4]}")
        perf_cells = rows_of_e[1] if len(rows_of_e) > 1 else []
        x, n = perf[j]
        p, lo, hi = ref.wilson(x, n)
        want = "%.1f [%.1f, %.1f]" % (100 * p, 100 * lo, 100 * hi)
        check(len(perf_cells) == 5 and perf_cells[1] == str(n) and perf_cells[3] == want and
              perf_cells[4] == quad[j].replace("_", " "),
              f"{e}: n {n}, top box {want}, {quad[j]}: {perf_cells}")
    # LMG, relative weights and Pratt each sum to R² (the reference's R²).
    sums = re.search(r'<tr class="total"><td>sum \(R² ([0-9.]+) [^<]*</td>(.*?)</tr>', sec, flags=re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", sums.group(2)) if sums else []
    check(sums is not None and sums.group(1) == "%.3f" % a.r2 and cells == ["%.3f" % a.r2] * 3,
          f"the sums row: LMG, relative weight and Pratt each {a.r2:.3f}: {cells}")
    check(quad[ELEMENTS.index("responsiveness")] == "fix_first", "responsiveness is to fix first (reference)")
    # The chart.
    svgs = re.findall(r'<svg\b[^>]*data-chart="drivers-importance-performance".*?</svg>', sec, flags=re.S)
    check(len(svgs) == 1, "one importance x performance chart in the section")
    if svgs:
        root = ET.fromstring(svgs[0])
        pts = [el for el in root.iter(SVG + "circle") if el.get("class", "").startswith("mark point")]
        drawn = {el.find(SVG + "title").text.split(":")[0]: el.get("class").split()[2] for el in pts}
        check(drawn == dict(zip(ELEMENTS, quad)), f"six points in their quadrants: {drawn}")
        marks = [el.get("class") for el in root.iter() if el.get("class", "").startswith("mark whisker")]
        check(marks.count("mark whisker performance") == 6 and marks.count("mark whisker importance") == 6,
              f"six whiskers of each kind with --bootstrap: {marks}")

    # Without the bootstrap: no importance whiskers, no intervals on the importances.
    code, out, err = run("report", DATA, "--mapping", FIELDS, "--drivers", LIST, "-o", html)
    text = read(html) if code == 0 else ""
    marks = re.findall(r'class="mark whisker (\w+)"', section_of(text))
    check(code == 0 and marks.count("importance") == 0 and marks.count("performance") == 6,
          f"without --bootstrap only the performance whiskers: {marks}")

    # Markdown, pairwise, another outcome: a driver as outcome of the others.
    code, out, err = run("report", DATA, "--mapping", FIELDS, "--drivers", "commitment,proactivity",
                         "--outcome", "fulfilment", "--missing", "pairwise", "--format", "markdown")
    sub = ref.read(DATA, "fulfilment", ["commitment", "proactivity"])
    fewer = sum(1 for r in sub if sum(v is not None for v in r) < 2)
    check(code == 0 and "## Key drivers of fulfilment" in out, f"--outcome fulfilment ({err!r})")
    check(re.search(r"\| fulfilment \| [0-9.]+ \| \d+ \| pairwise \| 1500 \| \d+ \| %d \|" % fewer, out) is not None,
          f"pairwise: {fewer} rows with fewer than two values dropped")

    # A numeric driver: the table without quadrants or chart.
    small = write(os.path.join(tmp, "num.csv"), "nps,q,spend\n" + "".join(
        f"{(3 * i) % 11},{1 + i % 5},{(7 * i) % 13 + 0.5}\n" for i in range(40)))
    code, out, err = run("report", small, "--field", "q:score:1-5", "--field", "spend:numeric", "--drivers", "q,spend",
                         "-o", html)
    text = read(html) if code == 0 else ""
    check(code == 0 and "Key drivers of nps" in text and "drivers-importance-performance" not in text and
          "No quadrants or chart: a driver is numeric" in text, f"a numeric driver: no chart ({err!r})")

    # Usage errors (exit 2) naming what is wrong.
    for args, needle in [(["--outcome", "fulfilment"], "--outcome needs --drivers"),
                         (["--bootstrap", "50"], "--bootstrap needs --drivers"),
                         (["--drivers", LIST, "--missing", "some"], "--missing 'some' is not listwise or pairwise"),
                         (["--drivers", LIST, "--bootstrap", "1"], "--bootstrap needs at least 2"),
                         (["--drivers", "commitment,nosuch"], "nosuch"),
                         (["--drivers", "commitment,commitment"], "named twice")]:
        code, out, err = run("report", DATA, "--mapping", FIELDS, *args, "-o", html)
        check(code == 2 and needle in err, f"{args}: exit 2 naming it ({code}, {err!r})")
    # A driver that is a category field: usage error naming it.
    code, out, err = run("report", SAMPLE, "--drivers", "channel,csat")
    check(code == 2 and "'channel'" in err, f"a category driver is exit 2 naming it ({code}, {err!r})")
    # A predefined field named whose column the file lacks: bad data, exit 1.
    code, out, err = run("report", DATA, "--mapping", FIELDS, "--drivers", LIST, "--outcome", "csat", "-o", html)
    check(code == 1 and "csat" in err, f"an outcome column the file lacks is exit 1 ({code}, {err!r})")
    # Collinear drivers: bad data, exit 1 naming them.
    coll = write(os.path.join(tmp, "coll.csv"), "nps,a,b\n" + "".join(
        f"{i % 11},{1 + i % 5},{1 + i % 5}\n" for i in range(30)))
    code, out, err = run("report", coll, "--field", "a:score:1-5", "--field", "b:score:1-5", "--drivers", "a,b",
                         "-o", html)
    check(code == 1 and "'a'" in err and "'b'" in err, f"collinear drivers are exit 1 naming them ({code}, {err!r})")

finish()
