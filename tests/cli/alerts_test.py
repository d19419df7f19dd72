#!/usr/bin/env python3
"""cxm alerts: close-the-loop alerts as JSON Lines, replayed and followed.

Expected alerts are computed here from the CSV with Python's csv module.

Usage: alerts_test.py CXM_BINARY SOURCE_DIR
"""
import csv
import json
import os
import subprocess
import time

from cxmtest import CXM, SAMPLE, check, finish, read, run, scratch, write


def lines_of(text):
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def detractor_ids(path, threshold=6):
    with open(path, newline="", encoding="utf-8") as f:
        return [r["id"] for r in csv.DictReader(f) if r["nps"].strip() != "" and int(r["nps"]) <= threshold]


# Replay of the sample data with the default rule: one alert per NPS <= 6, in file order.
code, out, err = run("alerts", SAMPLE, "--quiet")
check(code == 0, f"alerts on the sample exits 0 (got {code}, {err!r})")
recs = lines_of(out)
expected = detractor_ids(SAMPLE)
check(len(expected) > 1000, "the sample has many detractors")
check([r["id"] for r in recs] == expected, f"one alert per NPS <= 6 ({len(recs)} vs {len(expected)})")
check(all(r["outcome"] == "alert" and r["rule"] == "detractor" for r in recs), "all are detractor alerts")
first = recs[0] if recs else {}
with open(SAMPLE, newline="", encoding="utf-8") as f:
    row = next(r for r in csv.DictReader(f) if r["id"] == first.get("id"))
check(first.get("channel") == row["channel"] and first.get("agent") == row["agent"]
      and first.get("nps") == int(row["nps"]) and first.get("why") == row["why"]
      and first.get("time") == row["timestamp"], f"the alert carries the response's context ({first}, {row})")

CSV = ("id,timestamp,channel,agent,nps,csat,resolved,why\n"
       "c1,2024-03-01T08:00:00Z,phone,A1,3,2,no,slow\n"
       "c2,2024-03-01T09:00:00Z,chat,A1,5,4,yes,\n"
       "c3,2024-03-01T10:00:00Z,phone,A2,9,5,no,\n"
       "c4,2024-03-02T08:30:00Z,email,A1,2,1,yes,\"never\nagain\"\n")
RULES = {"rules": [
    {"name": "detractor", "kind": "score_at_most", "field": "nps", "threshold": 6,
     "cooldown": {"key": ["agent"], "seconds": 86400}},
    {"name": "unresolved", "kind": "not_resolved"},
]}

with scratch() as tmp:
    data = write(os.path.join(tmp, "day.csv"), CSV)
    rules = write(os.path.join(tmp, "rules.json"), json.dumps(RULES))
    # By hand: c1 detractor alert (A1), unresolved; c2 detractor suppressed
    # (A1 within a day of 08:00); c3 unresolved; c4 detractor alert (A1, 24.5 h later).
    code, out, err = run("alerts", data, "--rules", rules)
    check(code == 0, f"alerts with rules exits 0 (got {code}, {err!r})")
    got = [(r["id"], r["rule"], r["outcome"]) for r in lines_of(out)]
    want = [("c1", "detractor", "alert"), ("c1", "unresolved", "alert"), ("c2", "detractor", "suppressed"),
            ("c3", "unresolved", "alert"), ("c4", "detractor", "alert")]
    check(got == want, f"records by hand: {got}")
    recs = lines_of(out)
    check(len(recs) == 5 and "cool-down" in recs[2]["detail"] and recs[2]["key"] == "agent=A1",
          f"the suppression says why ({recs[2] if len(recs) > 2 else None})")
    check(len(recs) == 5 and recs[4]["why"] == "never\nagain", "a quoted multi-line why is kept")
    check("4 responses, 5 matches: 4 alerts, 1 suppressed, 0 failed; 0 rows rejected" in err, f"summary line: {err!r}")

    # --out writes the same lines to a file.
    dest = os.path.join(tmp, "alerts.jsonl")
    code, out2, err = run("alerts", data, "--rules", rules, "--out", dest, "-q")
    # raised_at is the wall clock when the record was made: two runs may
    # straddle a second, so the records are compared without it.
    def unclocked(text):
        return [{k: v for k, v in r.items() if k != "raised_at"} for r in lines_of(text)]
    check(code == 0 and out2 == "" and unclocked(read(dest)) == unclocked(out) and len(unclocked(out)) == 5,
          f"--out holds the records ({code}, {err!r})")

    # Errors: a rule with a bad key (2, naming the rule and key), a rules file
    # that is not JSON (2), a missing rules file (3), a missing input (3),
    # bad data under --strict (1), --out over the input (2).
    bad = write(os.path.join(tmp, "bad.json"),
                '{"rules": [{"name": "low", "kind": "score_at_most", "field": "nps", "threshold": 11}]}')
    code, _, err = run("alerts", data, "--rules", bad)
    check(code == 2 and "rule 1 ('low')" in err and "threshold" in err and "bad.json" in err,
          f"a bad rule exits 2 naming it ({code}, {err!r})")
    notjson = write(os.path.join(tmp, "notjson.json"), '{"rules": [')
    code, _, err = run("alerts", data, "--rules", notjson)
    check(code == 2 and "not valid JSON" in err, f"rules that are not JSON exit 2 ({code}, {err!r})")
    code, _, err = run("alerts", data, "--rules", os.path.join(tmp, "none.json"))
    check(code == 3, f"a missing rules file exits 3 ({code}, {err!r})")
    code, _, err = run("alerts", os.path.join(tmp, "none.csv"))
    check(code == 3, f"a missing input exits 3 ({code}, {err!r})")
    broken = write(os.path.join(tmp, "broken.csv"), "id,nps\na,3\nb,12\n")
    code, out, err = run("alerts", broken, "--strict")
    check(code == 1 and "broken.csv:3" in err, f"bad data under --strict exits 1 naming the line ({code}, {err!r})")
    code, out, err = run("alerts", broken)
    check(code == 0 and [r["id"] for r in lines_of(out)] == ["a"] and "1 rows rejected" in err,
          f"without --strict the bad row is rejected and counted ({code}, {err!r})")
    code, _, err = run("alerts", data, "--out", data)
    check(code == 2 and read(data) == CSV, f"--out over the input exits 2 ({code}, {err!r})")

    # --follow on a growing file: rows appended after the start (one record
    # split across two writes, a quoted line break inside it) all alert, once,
    # in order; the run ends after --follow-timeout seconds without new bytes.
    grow = os.path.join(tmp, "grow.csv")
    write(grow, "id,timestamp,nps,why\ng1,2024-03-01T08:00:00Z,1,first\n")
    p = subprocess.Popen([CXM, "alerts", grow, "--follow", "--follow-timeout", "1.5", "--poll", "0.05"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.4)
    with open(grow, "a", encoding="utf-8") as f:
        f.write("g2,2024-03-01T08:01:00Z,9,promoter\ng3,2024-03-01T08:02:00Z,4,\"two\n")
        f.flush()
        time.sleep(0.3)
        f.write("lines\"\ng4,2024-03-01T08:03:00Z,0,bad row follows\ng5,2024-03-01T08:04:00Z,x,\ng6,2024-03-01T08:05:00Z,6,last")
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    recs = lines_of(out)
    check(p.returncode == 0, f"--follow exits 0 after the timeout ({p.returncode}, {err!r})")
    check([r["id"] for r in recs] == ["g1", "g3", "g4", "g6"], f"followed alerts in order: {[r['id'] for r in recs]}")
    check(len(recs) > 1 and recs[1]["why"] == "two\nlines", "a record split across writes is read whole")
    check("grow.csv:7" in err and "rejected" in err, f"the bad row is reported with its file line ({err!r})")

    # --follow on standard input ends when the input closes.
    code, out, err = run("alerts", "-", "--follow", "-q", stdin=CSV)
    check(code == 0 and [r["id"] for r in lines_of(out)] == ["c1", "c2", "c4"],
          f"--follow on stdin ({code}, {err!r}, {out!r})")

finish()
