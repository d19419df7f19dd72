#!/usr/bin/env python3
"""Checks of the HTML report as files and as rendered by a real browser.

    report_render.py xml     FIXTURE CSV OUT_DIR [--journeys]
    report_render.py browser FIXTURE CSV OUT_DIR [--journeys] [--chromium PATH] [--save-screenshot PNG]

--save-screenshot writes the top of the screenshot (full resolution, cut to
the report column) for the README (docs/report.png).

Both modes first run FIXTURE (tests/report_render_fixture.cpp) on CSV, which
writes OUT_DIR/report.html and OUT_DIR/report.md (with --thin-below 450, so
that the smaller months of the sample data are marked thin).

xml: the whole HTML file and every <svg>...</svg> in it must parse as XML
(Python's xml.etree, i.e. the expat parser: an XML parser that shares no code
or assumptions with the writer), each SVG in the SVG namespace with a viewBox;
the file must be self-contained (no script, no external URL, font, stylesheet
or image). Expected numbers of marks per chart are computed here from the CSV
with Python's csv module, independently of the library (including the
significance marks: z tests and Holm's adjustment written out below), and
compared with the marks in the file.

browser: renders the report with headless Chromium. A screenshot
(--window-size=1280,3000) must not be blank: luminance variance above a
threshold, and pixels of the palette colours of the charts present. --dump-dom
of a copy of the report with a probe script appended (the report itself has no
script) gives, for every mark, the size of its rendered box; every chart must
hold the expected number of marks and each mark must have a non-empty box.
Exit code 77 (ctest SKIP_RETURN_CODE) when Chromium is not installed.

--journeys: CSV is a journey file (examples/data/journeys.csv); the fixture
runs with --journeys --field rating:score:0-10 --journey-thin-below 500 and the report has a journey
section. Its three charts are counted from the CSV here (events on the
experience scale, per-journey worst moment and end, cells with and without
events, thin cells, touchpoints and which of them have a lift); the report's
other charts of that file are checked as every chart is (XML, tooltips,
rendered boxes) but their marks are not counted.

The default report of the sample also has the trend section (chart
"nps-trend"): its marks and the values in its tooltips are expected from the
CSV by report_trend_expect.py.

Only the Python standard library is used (PNG decoding with zlib).
"""

import csv
import html.parser
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_trend_expect  # noqa: E402

SKIP = 77
THIN_BELOW = 450
SVG_NS = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------------------
# Expected marks, from the CSV alone

def expected_marks(csv_path, thin_below):
    """Marks per chart (data-chart id -> {class: count}) for the default report
    of a CSV whose rows are all valid (the sample data): every row is accepted."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    builtin = ["phone", "chat", "email", "face_to_face", "web", "other"]
    labels = {r["channel"] for r in rows}
    if not labels <= set(builtin):
        fail("expected_marks handles the built-in channel labels only, got %r" % sorted(labels))
    channels = [c for c in builtin if c in labels]
    segments = sorted({r["segment"] or "(none)" for r in rows})

    def nps_groups(key):
        out = {}
        for r in rows:
            if r["nps"].strip() == "":
                continue
            s = int(r["nps"])
            g = out.setdefault(key(r), [0, 0, 0])
            g[0 if s <= 6 else 1 if s <= 8 else 2] += 1
        return out

    by_chan = nps_groups(lambda r: r["channel"])
    seg_marks = 0
    for ch in channels:
        seg_marks += sum(1 for v in by_chan[ch] if v > 0)
    allc = [sum(by_chan[c][k] for c in channels) for k in range(3)]
    seg_marks += sum(1 for v in allc if v > 0)

    months = sorted({r["timestamp"][:7] for r in rows if r["timestamp"] and r["nps"].strip()})
    # Every month between first and last has responses in the sample; each
    # month with n >= thin_below is a solid point, else a thin one.
    per_month = {}
    for r in rows:
        if r["timestamp"] and r["nps"].strip():
            per_month[r["timestamp"][:7]] = per_month.get(r["timestamp"][:7], 0) + 1
    thin = sum(1 for m in months if per_month[m] < thin_below)

    sig = significance_marks(rows, channels, segments)
    csat_chan = {r["channel"] for r in rows if r["csat"].strip()}
    res_chan = {r["channel"] for r in rows if r["resolved"].strip().lower() in ("yes", "no")}
    exp = {
        "nps-distribution": {"bar": seg_marks},
        "nps-by-channel": {"dot": len(channels), "whisker": len(channels), "sig": sig["nps-by-channel"]},
        "nps-by-segment": {"dot": len(segments), "whisker": len(segments), "sig": sig["nps-by-segment"]},
        "csat-by-channel": {"dot": len(csat_chan), "whisker": len(csat_chan), "sig": sig["csat-by-channel"]},
        "nps-by-month": {"point": len(months), "band": 1, "line": 1, "thin": thin},
        "resolution-by-channel": {"bar": len(res_chan), "whisker": len(res_chan)},
    }
    return exp


JOURNEY_SCALES = [("rating", 0, 10), ("csat", 1, 5), ("ces", 1, 7)]  # event score: the first answered
# Map cells with fewer events are thin (hatched): above the smallest cells of
# the bundled file (371..2384 events), so that thin cells are drawn and counted.
JOURNEY_THIN_BELOW = 500
JOURNEY_MAX_TOUCHPOINTS = 20
DETRACTOR_MAX = 6


def expected_journey_marks(csv_path):
    """Marks of the journey charts, from the CSV alone. An event is a row
    with a journey id and one of JOURNEY_SCALES answered (the first), at
    x = (s - mid) / (max - mid). Per journey: the worst moment (lowest x, of
    equal lows the earliest by time then by its place's first use) and the
    end (latest by time, then input order); the outcome is its nps."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    places = {}    # (touchpoint, owner, channel, stage) -> tag, by first use
    cells = {}     # (channel, stage) -> events
    outcome = {}
    journeys = {}  # id -> [(x, time, order, tag)]
    touch_events = {}
    for order, r in enumerate(rows):
        j = r["journey"].strip()
        if not j:
            continue
        if r["nps"].strip():
            outcome[j] = int(r["nps"])
        for name, lo, hi in JOURNEY_SCALES:
            v = r[name].strip()
            if v:
                mid = (lo + hi) / 2.0
                x = (int(v) - mid) / (hi - mid)
                break
        else:
            continue
        place = (r["touchpoint"], r["owner"], r["channel"], r["stage"])
        tag = places.setdefault(place, len(places))
        cells[(r["channel"], r["stage"])] = cells.get((r["channel"], r["stage"]), 0) + 1
        touch_events[place[:2]] = touch_events.get(place[:2], 0) + 1
        journeys.setdefault(j, []).append((x, r["timestamp"], order, tag))
    channels = {c for c, _ in cells}
    stages = {s for _, s in cells}
    thin = sum(1 for n in cells.values() if n < JOURNEY_THIN_BELOW)
    empty = len(channels) * len(stages) - len(cells)

    tag_place = {t: p for p, t in places.items()}
    peak = {}  # (touchpoint, owner) -> [detractor journeys, journeys]
    end = {}
    n_all = n_det = 0
    for j, ev in journeys.items():
        if j not in outcome:
            continue
        det = outcome[j] <= DETRACTOR_MAX
        n_all += 1
        n_det += det
        worst = min(ev, key=lambda e: (e[0], e[1], e[3]))
        last = max(ev, key=lambda e: (e[1], e[2]))
        if worst[0] < 0:
            c = peak.setdefault(tag_place[worst[3]][:2], [0, 0])
            c[0] += det
            c[1] += 1
        c = end.setdefault(tag_place[last[3]][:2], [0, 0])
        c[0] += det
        c[1] += 1

    def lift(counts, tp):
        """share of detractors / base rate; None when it has no value."""
        a, all_here = counts.get(tp, [0, 0])
        if n_det == 0 or n_all == n_det or all_here == 0:
            return None
        return (a / n_det) / (all_here / n_all)

    # Most negative-peak lift first (none last), then events, then name.
    shown = sorted(touch_events, key=lambda tp: (-(lift(peak, tp) if lift(peak, tp) is not None else -1.0),
                                                -touch_events[tp], tp))[:JOURNEY_MAX_TOUCHPOINTS]
    s0 = sum(1 for tp in shown if lift(peak, tp) is not None)
    s1 = sum(1 for tp in shown if lift(end, tp) is not None)
    if len(outcome) < 100:
        fail("the journey file was expected to have at least 100 journeys with an outcome")
    return {
        # Every cell with events is a "cell" mark (thin ones too), each empty one an "empty" mark.
        "journeys-map": {"cell": len(cells), "thin": thin, "empty": empty},
        "journeys-touchpoints": {"bar.s0": s0, "whisker.s0": s0, "bar.s1": s1, "whisker.s1": s1},
        # mean, end, peak, peak_end and fitted (report/model.hpp; the
        # remembered model only under other weights), all cross-validated on
        # this many journeys; the best one starred.
        "journeys-models": {"bar": 5, "star": 1},
    }, {"cells": len(cells), "empty": empty, "thin": thin, "touchpoints": len(shown)}


def holm(ps):
    """Holm (1979) step-down adjusted p-values, in input order."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out = [0.0] * len(ps)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(ps) - rank) * ps[i])
        out[i] = min(1.0, running)
    return out


def significance_marks(rows, channels, segments, alpha=0.05):
    """Groups whose difference to the rest is significant after Holm's
    adjustment: NPS by the z test with the variance pooled under H0,
    V = p_pro + p_det - (p_pro - p_det)^2 of both groups together, times
    (1/n1 + 1/n2); CSAT top-2-box by the pooled two-proportion z test. Every
    group of the sample has at least 30 responses on each side (the
    default minimum n) and expected counts of at least 5, so all are tested.
    Written here from the formulas, independently of the library."""
    def p_two_sided(z):
        return math.erfc(abs(z) / math.sqrt(2.0))

    def nps_count(key, groups):
        ps = []
        for g in groups:
            a = [int(r["nps"]) for r in rows if key(r) == g and r["nps"].strip()]
            b = [int(r["nps"]) for r in rows if key(r) != g and r["nps"].strip()]
            if len(a) < 30 or len(b) < 30:
                fail("the sample was expected to have at least 30 NPS answers per group and rest")
            pro = lambda x: sum(1 for s in x if s >= 9)
            det = lambda x: sum(1 for s in x if s <= 6)
            ta = (pro(a) - det(a)) / len(a)
            tb = (pro(b) - det(b)) / len(b)
            ph = (pro(a) + pro(b)) / (len(a) + len(b))
            pl = (det(a) + det(b)) / (len(a) + len(b))
            v = (ph + pl - (ph - pl) ** 2) * (1 / len(a) + 1 / len(b))
            ps.append(p_two_sided((ta - tb) / math.sqrt(v)))
        return sum(1 for p in holm(ps) if p < alpha)

    ps = []
    for g in channels:
        a = [int(r["csat"]) for r in rows if r["channel"] == g and r["csat"].strip()]
        b = [int(r["csat"]) for r in rows if r["channel"] != g and r["csat"].strip()]
        xa, xb = sum(1 for s in a if s >= 4), sum(1 for s in b if s >= 4)
        pooled = (xa + xb) / (len(a) + len(b))
        z = (xa / len(a) - xb / len(b)) / math.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
        ps.append(p_two_sided(z))
    return {
        "nps-by-channel": nps_count(lambda r: r["channel"], channels),
        "nps-by-segment": nps_count(lambda r: r["segment"] or "(none)", segments),
        "csat-by-channel": sum(1 for p in holm(ps) if p < alpha),
    }


def add_mark(counts, cls):
    """Counts a mark by its kind (the class after "mark"), by kind.subclass
    for each further class, and as "thin" when it is thin."""
    kind = cls[1]
    counts[kind] = counts.get(kind, 0) + 1
    for sub in cls[2:]:
        counts[kind + "." + sub] = counts.get(kind + "." + sub, 0) + 1
    if "thin" in cls:
        counts["thin"] = counts.get("thin", 0) + 1


def count_marks_in_svg(svg_elem):
    counts = {}
    for el in svg_elem.iter():
        cls = el.get("class", "").split()
        if not cls or cls[0] != "mark":
            continue
        add_mark(counts, cls)
        title = el.find(SVG_NS + "title")
        if title is None or not (title.text or "").strip():
            fail("a mark of class %r has no <title> tooltip" % el.get("class"))
    return counts


def compare_counts(chart, got, want):
    for kind, n in want.items():
        if got.get(kind, 0) != n:
            fail("chart %s: %d marks of kind %r, expected %d (all: %r)" % (chart, got.get(kind, 0), kind, n, got))


# ---------------------------------------------------------------------------
# XML mode

def check_xml(html_path, expected, others=False):
    """others: charts not in `expected` are allowed (checked, not counted)."""
    text = open(html_path, encoding="utf-8").read()
    # Self-contained: nothing that would load from elsewhere or run code.
    lowered = text.lower()
    for bad in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "@font-face", "src=",
                "xlink:href"):
        if bad in lowered:
            fail("report contains %r" % bad)
    urls = re.findall(r"(?:https?|ftp)://[^\s\"'<>]+", text)
    if any(u != "http://www.w3.org/2000/svg" for u in urls):
        fail("report contains external URLs: %r" % sorted(set(urls)))
    for href in re.findall(r'href="([^"]*)"', text):
        if not href.startswith("#"):
            fail("link to another document: %r" % href)

    try:
        ET.fromstring(text.split("\n", 1)[1] if text.startswith("<!DOCTYPE html>") else text)
    except ET.ParseError as e:
        fail("report.html is not well-formed XML: %s" % e)

    svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    if len(svgs) != len(expected) and not others:
        fail("%d SVG charts in the report, expected %d" % (len(svgs), len(expected)))
    seen = set()
    for s in svgs:
        try:
            root = ET.fromstring(s)
        except ET.ParseError as e:
            fail("an SVG does not parse as XML: %s\n%s" % (e, s[:300]))
        if root.tag != SVG_NS + "svg":
            fail("root element is %r, not an SVG element" % root.tag)
        vb = root.get("viewBox", "").split()
        if len(vb) != 4 or float(vb[2]) <= 0 or float(vb[3]) <= 0:
            fail("SVG without a usable viewBox: %r" % root.get("viewBox"))
        if root.find(SVG_NS + "title") is None:
            fail("SVG without a <title>")
        chart = root.get("data-chart")
        seen.add(chart)
        got = count_marks_in_svg(root)
        if chart in expected:
            compare_counts(chart, got, expected[chart])
        elif not others:
            fail("unexpected chart %r" % chart)
    if not set(expected) <= seen:
        fail("charts %r missing" % sorted(set(expected) - seen))
    print("xml: %d SVG charts parse as XML; the report parses as XML; marks as expected: %r"
          % (len(svgs), {k: v for k, v in sorted(expected.items())}))
    return seen


# ---------------------------------------------------------------------------
# PNG decoding (8-bit RGB / RGBA, non-interlaced, as Chromium writes them)

def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG file" % path)
    pos = 8
    idat = b""
    width = height = None
    while pos < len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                fail("unsupported PNG layout: depth %d colour type %d interlace %d" % (depth, colour, interlace))
            channels = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat += body
        elif ctype == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = []
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if ftype == 1:
            for x in range(channels, stride):
                line[x] = (line[x] + line[x - channels]) & 0xFF
        elif ftype == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 0xFF
        elif ftype == 3:
            for x in range(stride):
                left = line[x - channels] if x >= channels else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
        elif ftype == 4:
            for x in range(stride):
                a = line[x - channels] if x >= channels else 0
                b = prev[x]
                c = prev[x - channels] if x >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        elif ftype != 0:
            fail("bad PNG filter type %d" % ftype)
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def write_png(path, width, height, rows):
    """Writes 8-bit RGB rows (bytes of 3·width) as a PNG."""
    def chunk(t, body):
        return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def rgb_rows(width, channels, rows):
    if channels == 3:
        return rows
    return [bytes(b for k in range(width) for b in r[4 * k:4 * k + 3]) for r in rows]


def content_height(width, rows):
    """Index after the last row that is not uniformly white."""
    white = b"\xff" * (3 * width)
    h = len(rows)
    while h > 0 and rows[h - 1] == white:
        h -= 1
    return h


def crop_for_readme(width, rows, max_height):
    """At most max_height rows from the top, ending in a white gap, cut to the
    columns that hold anything but white (plus a margin): a full-resolution
    picture of the top of the report."""
    # End in a gap between sections (24 white rows), not inside a table.
    white_row = b"\xff" * (3 * width)
    end = min(max_height, len(rows))
    for y in range(end, 24, -1):
        if all(r == white_row for r in rows[y - 24:y]):
            end = y
            break
    rows = rows[:end]
    left, right = width, 0
    white = b"\xff\xff\xff"
    for r in rows:
        for x in range(width):
            if r[3 * x:3 * x + 3] != white:
                left = min(left, x)
                break
        for x in range(width - 1, -1, -1):
            if r[3 * x:3 * x + 3] != white:
                right = max(right, x)
                break
    left = max(0, left - 24)
    right = min(width - 1, right + 24)
    return right - left + 1, len(rows), [r[3 * left:3 * (right + 1)] for r in rows]


def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def check_png(path, colours):
    width, height, channels, rows = read_png(path)
    n = 0
    s = 0.0
    s2 = 0.0
    found = {c: 0 for c in colours}
    targets = {c: hex_rgb(c) for c in colours}
    for y in range(0, height, 2):
        r = rows[y]
        for x in range(0, width, 2):
            k = channels * x
            px = (r[k], r[k + 1], r[k + 2])
            lum = 0.2126 * px[0] + 0.7152 * px[1] + 0.0722 * px[2]
            n += 1
            s += lum
            s2 += lum * lum
            for c, t in targets.items():
                if abs(px[0] - t[0]) <= 6 and abs(px[1] - t[1]) <= 6 and abs(px[2] - t[2]) <= 6:
                    found[c] += 1
    mean = s / n
    var = s2 / n - mean * mean
    if var < 100.0:
        fail("screenshot looks blank: luminance variance %.1f" % var)
    missing = [c for c, k in found.items() if k < 20]
    if missing:
        fail("palette colours not drawn in the screenshot: %r (pixel counts %r)" % (missing, found))
    print("browser: screenshot %dx%d, luminance variance %.0f, palette pixels (every 2nd row/column) %r"
          % (width, height, var, found))
    return width, height, channels, rows


# ---------------------------------------------------------------------------
# Browser mode

PROBE = """
<script>
(function () {
  var out = [];
  document.querySelectorAll('svg[data-chart]').forEach(function (svg) {
    var chart = svg.getAttribute('data-chart');
    svg.querySelectorAll('.mark').forEach(function (m) {
      var r = m.getBoundingClientRect();
      var t = m.querySelector('title');
      out.push([chart, m.getAttribute('class'), r.width, r.height, t ? t.textContent.length : 0]);
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


class ProbeParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "pre" and dict(attrs).get("id") == "probe":
            self.inside = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def run_chromium(chromium, args, out_dir):
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=out_dir)
    try:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile] + args
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def check_browser(chromium, html_path, out_dir, expected, save, others=False):
    shot = os.path.join(out_dir, "report.png")
    if os.path.exists(shot):
        os.remove(shot)
    url = "file://" + os.path.abspath(html_path)
    r = run_chromium(chromium, ["--screenshot=" + shot, "--window-size=1280,3000", url], out_dir)
    if not os.path.exists(shot):
        fail("chromium wrote no screenshot (exit %d): %s" % (r.returncode, r.stderr.decode(errors="replace")[-2000:]))
    # Stacked bars (vermillion, yellow, bluish green) and estimates (blue)
    # lie within the first 3000 pixels; every mark of every chart is checked
    # in the DOM below.
    colours = ["#D55E00", "#F0E442", "#009E73", "#0072B2"]
    width, height, channels, rows = check_png(shot, colours)

    probe_path = os.path.join(out_dir, "report_probe.html")
    text = open(html_path, encoding="utf-8").read()
    with open(probe_path, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    r = run_chromium(chromium, ["--dump-dom", "--window-size=1280,3000", "file://" + os.path.abspath(probe_path)],
                     out_dir)
    p = ProbeParser()
    p.feed(r.stdout.decode("utf-8", errors="replace"))
    if not p.text:
        fail("the DOM dump holds no probe result (exit %d): %s"
             % (r.returncode, r.stderr.decode(errors="replace")[-2000:]))
    marks = json.loads(p.text)
    got = {}
    for chart, cls, w, h, tlen in marks:
        parts = cls.split()
        if w <= 0 and h <= 0:
            fail("chart %s: mark %r has an empty rendered box" % (chart, cls))
        if tlen == 0:
            fail("chart %s: mark %r has no tooltip" % (chart, cls))
        add_mark(got.setdefault(chart, {}), parts)
    if (set(got) != set(expected) and not others) or not set(expected) <= set(got):
        fail("charts in the rendered DOM %r, expected %r" % (sorted(got), sorted(expected)))
    for chart, want in expected.items():
        compare_counts(chart, got[chart], want)
    print("browser: %d marks rendered with non-empty boxes: %r" % (len(marks), got))

    if save:
        rgb = rgb_rows(width, channels, rows)
        w2, h2, part = crop_for_readme(width, rgb[:content_height(width, rgb)], 1760)
        write_png(save, w2, h2, part)
        print("browser: saved %s (%dx%d)" % (save, w2, h2))


def main(argv):
    if len(argv) < 5 or argv[1] not in ("xml", "browser"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, fixture, csv_path, out_dir = argv[1:5]
    chromium = None
    save = None
    journeys = False
    rest = argv[5:]
    while rest:
        if rest[0] == "--journeys":
            journeys = True
            rest = rest[1:]
        elif rest[0] == "--chromium" and len(rest) > 1:
            chromium = rest[1]
            rest = rest[2:]
        elif rest[0] == "--save-screenshot" and len(rest) > 1:
            save = rest[1]
            rest = rest[2:]
        else:
            print("unknown argument %r" % rest[0], file=sys.stderr)
            return 2
    if mode == "browser":
        chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium or not os.path.exists(chromium):
            print("SKIP: chromium is not installed")
            return SKIP
    os.makedirs(out_dir, exist_ok=True)
    # A thin threshold above the smallest months of the sample (406..603
    # responses a month), so that thin marks are drawn and counted too.
    extra = ["--journeys", "--field", "rating:score:0-10", "--journey-thin-below", str(JOURNEY_THIN_BELOW)] \
        if journeys else []
    r = subprocess.run([fixture, csv_path, out_dir, "--thin-below", str(THIN_BELOW)] + extra,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        fail("fixture failed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    html_path = os.path.join(out_dir, "report.html")
    if journeys:
        expected, found = expected_journey_marks(csv_path)
        # The file exercises what the section must show: empty and thin cells.
        if found["empty"] == 0 or found["thin"] == 0 or found["touchpoints"] < 5:
            fail("the journey file should have empty and thin map cells and several touchpoints: %r" % found)
        print("journeys: %r" % found)
    else:
        expected = expected_marks(csv_path, THIN_BELOW)
        expected.update(report_trend_expect.expected_trend_marks(csv_path, THIN_BELOW))
    if mode == "xml":
        check_xml(html_path, expected, others=journeys)
        if not journeys:
            svg = re.search(r'<svg\b[^>]*data-chart="nps-trend".*?</svg>', open(html_path, encoding="utf-8").read(), re.S)
            if not svg:
                fail("the report has no nps-trend chart")
            print("xml: nps-trend values as expected: %r" % report_trend_expect.check_trend_values(
                ET.fromstring(svg.group(0)), csv_path, THIN_BELOW, fail, SVG_NS))
    else:
        check_browser(chromium, html_path, out_dir, expected, save, others=journeys)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
