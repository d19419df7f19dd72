#!/usr/bin/env python3
"""cxm alerts with rules kept per group (group_by): per-agent windows on the sample data.

The expected records are computed here from the CSV with Python's csv module:
a deque of the last 30 NPS answers per agent, and a 7-day cool-down per agent.

Usage: alerts_groups_test.py CXM_BINARY SOURCE_DIR
"""
import calendar
import collections
import csv
import json
import os
import time

from cxmtest import SAMPLE, check, finish, run, scratch, write

WEEK = 7 * 86400
RULES = {"rules": [
    {"name": "agent-nps-30", "kind": "window_below", "metric": "nps", "last_responses": 30, "threshold": -50,
     "min_n": 30, "group_by": ["agent"], "max_groups": 100, "cooldown": {"seconds": WEEK}},
    {"name": "all-nps-30", "kind": "window_below", "metric": "nps", "last_responses": 30, "threshold": -50,
     "min_n": 30},
]}


def seconds(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def nps(window):
    return 100.0 * (sum(x >= 9 for x in window) - sum(x <= 6 for x in window)) / len(window)


# Expected records in file order: (id, rule, outcome, group).
expected = []
by_agent = collections.defaultdict(lambda: collections.deque(maxlen=30))
whole = collections.deque(maxlen=30)
last_alert = {}
with open(SAMPLE, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        score, agent, t = int(row["nps"]), row["agent"], seconds(row["timestamp"])
        w = by_agent[agent]
        w.append(score)
        whole.append(score)
        if len(w) >= 30 and nps(w) < -50:
            held = agent in last_alert and 0 <= t - last_alert[agent] < WEEK
            if not held:
                last_alert[agent] = t
            expected.append((row["id"], "agent-nps-30", "suppressed" if held else "alert", "agent=" + agent))
        if len(whole) >= 30 and nps(whole) < -50:
            expected.append((row["id"], "all-nps-30", "alert", ""))

agents = {g for _, rule, _, g in expected if rule == "agent-nps-30"}
check(1 < len(agents) < 40, f"some agents cross, not all ({sorted(agents)})")
check(any(o == "suppressed" for _, _, o, _ in expected), "the cool-down holds some back")

with scratch() as tmp:
    rules = write(os.path.join(tmp, "rules.json"), json.dumps(RULES))
    code, out, err = run("alerts", SAMPLE, "--rules", rules)
    check(code == 0, f"grouped rules exit 0 (got {code}, {err!r})")
    recs = [json.loads(x) for x in out.splitlines() if x.strip()]
    got = [(r["id"], r["rule"], r["outcome"], r["group"]) for r in recs]
    check(got == expected, f"records per agent as recomputed ({len(got)} vs {len(expected)}; first difference "
          f"{next(((a, b) for a, b in zip(got, expected) if a != b), None)})")
    grouped = [r for r in recs if r["rule"] == "agent-nps-30"]
    check(all(r["key"] == r["group"] and r["reason"].endswith(" for " + r["group"]) and r["n"] == 30
              and r["value"] < -50 for r in grouped), "a grouped record names its group in key and reason")
    alerts = sum(1 for r in recs if r["outcome"] == "alert")
    suppressed = sum(1 for r in recs if r["outcome"] == "suppressed")
    check(f"{len(recs)} matches: {alerts} alerts, {suppressed} suppressed, 0 failed; 0 rows rejected" in err,
          f"summary line adds up: {err!r}")

    # A bad group_by: exit 2, naming the file, the rule and the field.
    bad = dict(RULES["rules"][0], group_by=["team"])
    path = write(os.path.join(tmp, "bad.json"), json.dumps({"rules": [bad]}))
    code, _, err = run("alerts", SAMPLE, "--rules", path)
    check(code == 2 and "bad.json" in err and "rule 1 ('agent-nps-30')" in err and "'group_by'" in err
          and "unknown key field team" in err, f"a bad group_by exits 2 naming the rule and field ({code}, {err!r})")
    # group_by on a score rule is refused the same way.
    path = write(os.path.join(tmp, "score.json"), json.dumps({"rules": [
        {"name": "det", "kind": "score_at_most", "field": "nps", "threshold": 6, "group_by": ["agent"]}]}))
    code, _, err = run("alerts", SAMPLE, "--rules", path)
    check(code == 2 and "rule 1 ('det')" in err and "'group_by'" in err,
          f"group_by on a score rule exits 2 ({code}, {err!r})")

finish()
