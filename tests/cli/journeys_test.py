"""cxm journeys: per-journey values, the map and the summary recomputed here
from the CSV with the documented formulas; exit codes of bad arguments."""
import csv
import io
import os
import statistics

from cxmtest import SOURCE, check, close, finish, jrun, nps_of, read, run, scratch, write

DATA = os.path.join(SOURCE, "examples", "data", "journeys.csv")
RATING = ["--field", "rating:score:0-10"]
SCALES = {"rating": (0, 10), "csat": (1, 5), "ces": (1, 7)}
ORDER = ["rating", "csat", "ces"]  # declared score fields first, then csat, ces

rows = list(csv.DictReader(open(DATA, encoding="utf-8", newline="")))


def x_of(field, s):
    """The experience scale: x = (s - mid) / (max - mid), mid the scale's midpoint."""
    lo, hi = SCALES[field]
    mid = (lo + hi) / 2
    return (s - mid) / (hi - mid)


def event_x(r):
    for f in ORDER:
        if r[f] != "":
            return x_of(f, int(r[f]))
    return None


def journeys_by_hand(weights=(0.5, 0.0, 0.0, 0.5, 0.0)):
    """journey -> dict of the per-journey CSV's columns, from the rows."""
    out = {}
    for i, r in enumerate(rows):
        j = out.setdefault(r["journey"], {"ev": [], "outcome": ""})
        x = event_x(r)
        if x is not None:
            j["ev"].append((r["timestamp"], i, x))  # ISO UTC text orders as time
        if r["nps"] != "":
            j["outcome"] = r["nps"]
    res = {}
    for k, j in out.items():
        if not j["ev"]:
            continue
        xs = [e[2] for e in j["ev"]]
        best, worst = max(xs), min(xs)
        intense = worst if -worst >= best else best  # ties of |x| go to the bad moment
        end = max(j["ev"])[2]  # latest time, then latest row
        mean = sum(xs) / len(xs)
        wi, wt, wb, we, wm = weights
        res[k] = {"events": len(xs), "peak": intense, "worst": worst, "best": best, "end": end, "mean": mean,
                  "remembered": wi * intense + wt * worst + wb * best + we * end + wm * mean, "outcome": j["outcome"]}
    return res


def compare_per_journey(path, expected, what):
    got = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    check(len(got) == len(expected), f"{what}: {len(got)} journeys, expected {len(expected)}")
    bad = 0
    for g in got:
        e = expected.get(g["journey"])
        if e is None or int(g["events"]) != e["events"] or g["outcome"] != e["outcome"]:
            bad += 1
            continue
        # Peaks and the end are kept in single precision: within 6e-8.
        for c in ("peak", "worst", "best", "end", "remembered"):
            if abs(float(g[c]) - e[c]) > 1e-7:
                bad += 1
        if abs(float(g["mean"]) - e["mean"]) > 1e-12:
            bad += 1
    check(bad == 0, f"{what}: {bad} values differ from the hand computation")
    return got


with scratch() as d:
    # ---- per-journey CSV against the formulas --------------------------------
    pj = os.path.join(d, "pj.csv")
    j = jrun("journeys", DATA, *RATING, "--per-journey", pj)
    expected = journeys_by_hand()
    got = compare_per_journey(pj, expected, "default weights")
    check([g["journey"] for g in got] == list(expected), "per-journey rows in order of first appearance")
    check(read(pj).splitlines()[0] == "journey,events,peak,worst,best,end,mean,remembered,outcome", "per-journey header")
    check(any(g["outcome"] == "" for g in got), "journeys without outcome have an empty outcome")

    pj2 = os.path.join(d, "pj2.csv")
    jrun("journeys", DATA, *RATING, "--weights", "trough=0.25,best=0.25,mean=0.5", "--per-journey", pj2)
    compare_per_journey(pj2, journeys_by_hand((0.0, 0.25, 0.25, 0.0, 0.5)), "trough/best/mean weights")

    # --sorted (the file is sorted by journey): the same journeys.
    pj3 = os.path.join(d, "pj3.csv")
    js = jrun("journeys", DATA, *RATING, "--sorted", "--per-journey", pj3)
    check(read(pj3) == read(pj), "--sorted writes the same per-journey file")
    check(js.get("journeys") == j.get("journeys"), "--sorted gives the same summary")

    # ---- summary --------------------------------------------------------------
    s = j["journeys"][0]
    check(s["journeys"] == len(expected), f"journeys {s['journeys']}")
    rem = [e["remembered"] for e in expected.values()]
    close(s["remembered"], statistics.fmean(rem), 1e-7, "mean remembered score (peaks in single precision)")
    # Sign differs: one below 0 and the other above it (0 has no sign).
    disagree = sum(1 for e in expected.values() if (e["remembered"] < 0 < e["mean"]) or (e["mean"] < 0 < e["remembered"]))
    close(s["disagree"], disagree / len(expected), 1e-12, "share whose remembered score and mean differ in sign")

    # --by channel: the channel of the journey's end event.
    jb = jrun("journeys", DATA, *RATING, "--by", "channel")
    end_channel = {}
    for i, r in enumerate(rows):
        if event_x(r) is not None:
            key = (r["timestamp"], i)
            if r["journey"] not in end_channel or key > end_channel[r["journey"]][0]:
                end_channel[r["journey"]] = (key, r["channel"])
    counts = {}
    for _, ch in end_channel.values():
        counts[ch] = counts.get(ch, 0) + 1
    got_by = {x["channel"]: x["journeys"] for x in jb["journeys"] if x["channel"] != "(all)"}
    check(got_by == counts, f"--by channel groups by the end event: {got_by} vs {counts}")

    # ---- memory models: R² of outcome ~ mean is the squared correlation ------
    pairs = [(e["mean"], int(e["outcome"])) for e in expected.values() if e["outcome"] != ""]
    pairs_pe = [((e["peak"] + e["end"]) / 2, int(e["outcome"])) for e in expected.values() if e["outcome"] != ""]
    r_mean = statistics.correlation([p[0] for p in pairs], [p[1] for p in pairs])
    r_pe = statistics.correlation([p[0] for p in pairs_pe], [p[1] for p in pairs_pe])
    models = {m["model"]: m for m in j["memory_models"]}
    close(models["mean"]["r2"], r_mean ** 2, 1e-6, "R² of the mean model = corr(mean, outcome)²")
    close(models["peak_end"]["r2"], r_pe ** 2, 1e-6, "R² of the peak-end model = corr((peak+end)/2, outcome)²")
    check(models["peak_end"]["cv_rmse"] < models["mean"]["cv_rmse"], "peak-end beats the mean out of sample on the bundled data")

    # ---- the map against counts from the CSV ----------------------------------
    cells = {}
    for r in rows:
        if event_x(r) is None:
            continue
        c = cells.setdefault((r["channel"], r["stage"]), {"events": 0, "x": [], "nps": [], "csat": 0})
        c["events"] += 1
        c["x"].append(event_x(r))
        if r["nps"] != "":
            c["nps"].append(int(r["nps"]))
        if r["csat"] != "":
            c["csat"] += 1
    mp = {(m["channel"], m["stage"]): m for m in j["journey_map"]}
    channels = sorted({k[0] for k in cells})
    stages = sorted({k[1] for k in cells})
    check(len(mp) == len(channels) * len(stages), f"the map lists every channel x stage ({len(mp)} cells)")
    bad = []
    for key, m in mp.items():
        c = cells.get(key)
        if c is None:
            if not (m["cell"] == "empty" and m["events"] is None and m["nps"] is None and m["experience"] is None):
                bad.append(key)
            continue
        if m["cell"] != "ok" or m["events"] != c["events"] or m["csat_n"] != c["csat"] or m["nps_n"] != len(c["nps"]):
            bad.append(key)
        elif abs(m["experience"] - statistics.fmean(c["x"])) > 1e-9:
            bad.append(key)
        elif c["nps"] and abs(m["nps"] - nps_of(c["nps"])) > 1e-9:
            bad.append(key)
    check(not bad, f"map cells differ from the CSV's counts: {bad}")
    check(any(m["cell"] == "empty" for m in mp.values()), "the bundled map has empty cells")

    # ---- touchpoints: the courier is the negative peak of most detractors ----
    tp = j["touchpoints"]
    check(tp and tp[0]["touchpoint"] == "courier", "courier first among touchpoints")
    check(j["owners"][0]["owner"] == "partner", "partner first among owners")
    courier_events = sum(1 for r in rows if r["touchpoint"] == "courier" and event_x(r) is not None)
    check(tp[0]["events"] == courier_events, f"courier events {tp[0]['events']} vs {courier_events}")

    # ---- rejects ----------------------------------------------------------------
    rej = os.path.join(d, "rejects.csv")
    jr = jrun("journeys", DATA, *RATING, "--stage-order", "awareness,purchase,delivery", "--rejects", rej)
    support = sum(1 for r in rows if r["stage"] == "support")
    read_rows = {x["item"]: x["count"] for x in jr["journey_read"]}
    check(read_rows.get("rejected: unknown_stage") == support, f"support rows rejected: {read_rows}")
    rej_rows = list(csv.DictReader(io.StringIO(read(rej))))
    check(len(rej_rows) == support and all(r["field"] == "stage" and r["value"] == "support" for r in rej_rows),
          f"--rejects lists the {support} journey rejects")
    check(read_rows["rows"] == read_rows["events"] + read_rows["rows without an event score"] + read_rows["rejected"],
          "every row accounted for")

    head = "journey,timestamp,channel,touchpoint,owner,stage,csat,ces,nps\n"
    conflict = write(os.path.join(d, "conflict.csv"), head +
                     "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,9\n"
                     ",2025-01-01T10:00:00Z,web,p,company,awareness,4,,\n"
                     "A,2025-01-02T10:00:00Z,web,p,company,purchase,2,,3\n")
    code, out, err = run("journeys", conflict, "--format", "json")
    check(code == 0, f"conflict file exits 0 ({err})")
    jc = __import__("json").loads(out) if code == 0 else {}
    counts_c = {x["item"]: x["count"] for x in jc.get("journey_read", [])}
    check(counts_c.get("rejected: outcome_conflict") == 1 and counts_c.get("rejected: no_journey_id") == 1,
          f"outcome conflict and missing journey id rejected: {counts_c}")
    code, out, err = run("journeys", conflict)
    check("outcome 3 differs from the journey's earlier outcome 9" in out, "the reason names both outcomes")

    # ---- exit codes ----------------------------------------------------------------
    def exit_code(expected_code, *args, says=None):
        code, out, err = run(*args)
        check(code == expected_code, f"{' '.join(args)} exits {expected_code} (got {code}, {err.strip()[:200]})")
        if says:
            check(says in err, f"{' '.join(args)} says {says!r} (got {err.strip()[:300]})")

    exit_code(2, "journeys", DATA, *RATING, "--weights", "peak=x", says="--weights")
    exit_code(2, "journeys", DATA, *RATING, "--weights", "height=0.5", says="names no weight")
    exit_code(2, "journeys", DATA, *RATING, "--weights", "peak=0,end=0", says="all 0")
    exit_code(2, "journeys", DATA, *RATING, "--score", "q9", says="'q9' is not a score field")
    exit_code(2, "journeys", DATA, *RATING, "--outcome", "channel", says="is not a score field")
    exit_code(2, "journeys", DATA, *RATING, "--neutral", "rating=10", says="--neutral")
    exit_code(2, "journeys", DATA, *RATING, "--by", "why", says="is not a category field")
    exit_code(2, "journeys", DATA, *RATING, "--per-journey", DATA, says="--per-journey")
    exit_code(1, "journeys", DATA, *RATING, "--owner", "owner_class", says="owner_class")
    exit_code(1, "journeys", DATA, "--field", "segment_x:category", "--by", "segment_x", says="segment_x")
    exit_code(3, "journeys", os.path.join(d, "none.csv"))
    unsorted = write(os.path.join(d, "unsorted.csv"), head +
                     "A,2025-01-01T10:00:00Z,web,p,company,awareness,4,,\n"
                     "B,2025-01-01T10:00:00Z,web,p,company,awareness,4,,\n"
                     "A,2025-01-02T10:00:00Z,web,p,company,purchase,2,,\n")
    exit_code(1, "journeys", unsorted, "--sorted", says="not sorted by journey")
    exit_code(0, "journeys", unsorted)

finish()
