"""cxm summary and cxm report: groups at scale, one group-vs-rest test, the
columns flags name, weights, month buckets in a UTC offset, reject causes.

Expected values come from Python's csv and math modules (closed forms in the
comments), never from the binary's own output, except where two commands
must agree with each other (summary and report show the same p-values).
"""
import csv
import json
import math
import os
import random
import re

from cxmtest import check, close, finish, jrun, read, run, scratch, write


def p_two_sided(z):
    return math.erfc(abs(z) / math.sqrt(2.0))


def fmt_p(p):
    """The report's p-value text."""
    return "<0.0001" if p < 0.0001 else "%.4f" % p


def md_rows(md, heading):
    """Rows (dicts by header) of the first table after '## heading'."""
    at = md.find("## " + heading + "\n")
    if at < 0:
        return None
    lines = md[at:].split("\n")
    table = []
    for line in lines[1:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", t)[1:-1]] for t in table]
    head = cells[0]
    return [dict(zip(head, r)) for r in cells[2:]]


with scratch() as tmp:
    # -----------------------------------------------------------------------
    # Groups of varied sizes, some below --min-n: summary and report agree on
    # every p-value.
    rnd = random.Random(11)
    sizes = {"big": 400, "mid": 150, "shift": 120, "small": 45, "tiny": 12, "two": 2}
    rows = []
    for ch, n in sizes.items():
        for i in range(n):
            promoter_bias = 3 if ch == "shift" else 0
            nps = min(10, rnd.randrange(11) + (promoter_bias if rnd.random() < 0.5 else 0))
            if ch == "two":
                nps = 10
            csat = rnd.randrange(1, 6) if ch != "shift" else rnd.randrange(3, 6)
            res = rnd.choice(["yes", "yes", "no", ""])
            rows.append((ch, nps, csat, res))
    rnd.shuffle(rows)
    f = write(os.path.join(tmp, "groups.csv"),
              "channel,nps,csat,resolved\n" + "".join("%s,%d,%d,%s\n" % r for r in rows))

    s = jrun("summary", f, "--by", "channel")
    code, md, err = run("report", f, "--format", "markdown")
    check(code == 0, f"report markdown exits 0 ({err!r})")
    pairs = [("nps", "NPS by channel"), ("csat", "CSAT (% satisfied) by channel"),
             ("resolution", "Resolution rate by channel")]
    compared = 0
    for key, heading in pairs:
        rep = md_rows(md, heading)
        check(rep is not None, f"report has a table '{heading}'")
        if rep is None:
            continue
        rep = {r["channel"]: r for r in rep}
        for row in s.get(key, [])[:-1]:
            r = rep.get(row["channel"])
            if not check(r is not None, f"{heading}: report has {row['channel']}"):
                continue
            if row["test"] == "tested":
                check(r["p"] == fmt_p(row["p_value"]), f"{heading} {row['channel']}: p {r['p']} vs {row['p_value']}")
                check(r["Holm p"] == fmt_p(row["p_adjusted"]),
                      f"{heading} {row['channel']}: Holm p {r['Holm p']} vs {row['p_adjusted']}")
            else:
                check(r["p"] == "too few" and row["p_value"] is None and row["p_adjusted"] is None,
                      f"{heading} {row['channel']}: too few in both ({r['p']}, {row})")
            compared += 1
    check(compared == 3 * len(sizes), f"every p-value compared ({compared})")

    # Below 30 responses on a side: too few, out of the adjustment.
    nps_rows = {r["channel"]: r for r in s["nps"][:-1]}
    for ch in ("tiny", "two"):
        check(nps_rows[ch]["test"] == "too_few" and nps_rows[ch]["p_value"] is None
              and nps_rows[ch]["significant"] is None, f"{ch}: too_few ({nps_rows[ch]})")
    check(nps_rows["big"]["test"] == "tested", "big: tested")
    # The NPS test, from the counts (Python): pooled shares under H0.
    def counts(sel):
        sc = [r[1] for r in rows if sel(r)]
        return len(sc), sum(x >= 9 for x in sc), sum(x <= 6 for x in sc)
    n1, pro1, det1 = counts(lambda r: r[0] == "big")
    n2, pro2, det2 = counts(lambda r: r[0] != "big")
    ph, pl = (pro1 + pro2) / (n1 + n2), (det1 + det2) / (n1 + n2)
    z = ((pro1 - det1) / n1 - (pro2 - det2) / n2) / math.sqrt((ph + pl - (ph - pl) ** 2) * (1 / n1 + 1 / n2))
    close(nps_rows["big"]["p_value"], p_two_sided(z), 1e-12, "NPS p of 'big' against the rest")
    # Holm over the tested groups only (m = their number).
    tested = [r for r in s["nps"][:-1] if r["test"] == "tested"]
    ps = sorted(r["p_value"] for r in tested)
    m = len(ps)
    smallest = min(tested, key=lambda r: r["p_value"])
    close(smallest["p_adjusted"], min(1.0, m * ps[0]), 1e-12, "Holm counts only the tested groups")
    # --min-n 2: the two promoters are tested, and a pooled test does not call them different.
    s2 = jrun("summary", f, "--by", "channel", "--metrics", "nps", "--min-n", "2")
    two = next(r for r in s2["nps"] if r["channel"] == "two")
    n2, pro2, det2 = counts(lambda r: r[0] != "two")
    ph, pl = (2 + pro2) / (2 + n2), det2 / (2 + n2)
    z = (1.0 - (pro2 - det2) / n2) / math.sqrt((ph + pl - (ph - pl) ** 2) * (1 / 2 + 1 / n2))
    close(two["p_value"], p_two_sided(z), 1e-12, "two promoters: the pooled NPS test")
    check(two["test"] == "tested" and two["p_value"] > 0.001 and two["significant"] is False,
          f"two promoters are not significant ({two})")

    # -----------------------------------------------------------------------
    # Many groups: the largest --max-groups are shown, the rest pooled.
    many = write(os.path.join(tmp, "many.csv"), "channel,nps\n" + "".join(
        "c%02d,%d\n" % (c, (c + i) % 11) for c in range(40) for i in range(c + 1)))
    s = jrun("summary", many, "--by", "channel", "--metrics", "nps")
    check(len(s["nps"]) == 41 and s["max_groups"] == 100, "summary shows up to 100 groups by default")
    manyer = write(os.path.join(tmp, "manyer.csv"), "channel,nps\n" + "".join(
        "k%03d,%d\n" % (c, c % 11) for c in range(130) for _ in range(1 + (c >= 30))))
    s = jrun("summary", manyer, "--by", "channel", "--metrics", "nps")
    labels = [r["channel"] for r in s["nps"]]
    check(len(labels) == 102 and labels[-2] == "other (30 groups)" and "k000" not in labels,
          f"beyond 100 groups the smallest are pooled by default ({labels[-3:]}, {len(labels)})")
    s = jrun("summary", manyer, "--by", "channel", "--metrics", "nps", "--max-groups", "0")
    check(len(s["nps"]) == 131 and s["max_groups"] == 0, "--max-groups 0 shows every group")
    s = jrun("summary", many, "--by", "channel", "--metrics", "nps", "--max-groups", "30")
    labels = [r["channel"] for r in s["nps"]]
    check(len(labels) == 32 and labels[-2] == "other (10 groups)" and labels[-1] == "(all)",
          f"30 groups, one pooled row, all ({labels[-3:]}, {len(labels)})")
    # The 30 largest are c10..c39 (channel c has c + 1 responses).
    check(sorted(labels[:-2]) == ["c%02d" % c for c in range(10, 40)], "the largest groups are shown")
    other = s["nps"][-2]
    check(other["n"] == sum(c + 1 for c in range(10)), f"the pooled row holds the other groups ({other['n']})")
    check(s["groups"] == 40, "JSON gives the number of groups")
    code, md, err = run("report", many, "--format", "markdown")
    check(code == 0 and "| other (10 groups) |" in md and "largest of 40 groups" in md,
          f"report pools the rest and says so ({err!r})")

    # -----------------------------------------------------------------------
    # Columns a flag names must exist: exit 1 (bad data), not 2.
    small = write(os.path.join(tmp, "small.csv"), "channel,csat,Weight\nchat,4,1\nphone,5,2\n")
    for args, what in [(["--weight", "nosuch"], "--weight nosuch"), (["--by", "month"], "--by month"),
                       (["--by", "segment"], "--by segment"), (["--metrics", "nps"], "--metrics nps")]:
        code, out, err = run("summary", small, *args)
        check(code == 1, f"{what} on a file without its column exits 1 (got {code}, {err!r})")
    code, out, err = run("report", small, "--weight", "nosuch")
    check(code == 1, f"report --weight nosuch exits 1 ({code})")
    # Default metrics: the absent ones are left out of every format, with one note.
    code, out, err = run("summary", small, "--format", "json")
    j = json.loads(out) if code == 0 else {}
    check(code == 0 and "nps" not in j and "ces" not in j and "resolution" not in j and "csat" in j,
          f"absent metrics left out of JSON ({sorted(j)})")
    check(err.count("note:") == 1 and "nps" in err, f"one note on stderr ({err!r})")
    for fmt in ("table", "csv", "markdown"):
        code, out, err = run("summary", small, "--format", fmt)
        check(code == 0 and "NPS" not in out and "no_data" not in out, f"no NPS in {fmt} output")
    code, out, err = run("summary", small, "--quiet")
    check(err == "", f"--quiet: no note ({err!r})")
    # Report: no card and no section for an absent metric.
    code, html, err = run("report", small)
    check(code == 0 and ">CES<" not in html and ">NPS<" not in html and ">CSAT<" in html,
          "report has cards only for the metrics the file has")

    # -----------------------------------------------------------------------
    # Weights: the column recognised as the weight is used and named.
    j = jrun("summary", small, "--by", "channel")
    check(j["weighted"] is True and j["weight_column"] == "Weight", f"weighted by Weight ({j.get('weight_column')})")
    allrow = j["csat"][-1]
    close(allrow["effective_n"], 3.0 ** 2 / 5.0, 1e-12, "Kish effective n (1 + 2)²/(1 + 4)")
    code, out, err = run("summary", small)
    check("weighted by Weight" in out, "the table title names the weight column")
    j = jrun("summary", small, "--unweighted")
    check(j["weighted"] is False and j["csat"][-1]["effective_n"] == 2, "--unweighted counts every response once")
    code, out, err = run("summary", small, "--unweighted", "--weight", "Weight")
    check(code == 2, f"--weight with --unweighted is a usage error ({code})")
    bad_w = write(os.path.join(tmp, "badw.csv"), "csat,weight\n4,1\n5,-2\n3,abc\n")
    j = jrun("summary", bad_w)
    ing = {r["item"]: r["count"] for r in j["ingest"]}
    check(ing.get("rejected: invalid_weight") == 1 and ing.get("rejected: not_a_number") == 1,
          f"bad weights are rejects with their cause ({ing})")
    code, md, err = run("report", bad_w, "--format", "markdown")
    check("weighted by weight" in md, "the report names the weight column")

    # -----------------------------------------------------------------------
    # Months in a UTC offset: 23:30 UTC on 31 March is April at +02:00.
    tz = write(os.path.join(tmp, "tz.csv"), "timestamp,nps\n2024-03-31T23:30:00Z,9\n2024-03-15T12:00:00Z,5\n")
    j = jrun("summary", tz, "--by", "month")
    check([r["month"] for r in j["nps"][:-1]] == ["2024-03"], "UTC by default")
    j = jrun("summary", tz, "--by", "month", "--utc-offset", "+02:00")
    check([(r["month"], r["n"]) for r in j["nps"][:-1]] == [("2024-03", 1), ("2024-04", 1)],
          f"+02:00 moves the late response into April ({[r['month'] for r in j['nps']]})")
    check(j["utc_offset"] == "+02:00", "JSON gives the offset")
    code, md, err = run("report", tz, "--format", "markdown", "--utc-offset", "+02:00")
    months = md_rows(md, "NPS by month")
    check(months is not None and [r["month"] for r in months] == ["2024-03", "2024-04"],
          f"report months at +02:00 ({months})")
    code, out, err = run("summary", tz, "--utc-offset", "two hours")
    check(code == 2, f"a malformed --utc-offset is a usage error ({code})")

    # -----------------------------------------------------------------------
    # Reject causes: the same names in summary, the rejects file and the report.
    lines = ["nps,channel"] + ["x%d,chat" % i for i in range(11)] + ["9,chat"]
    rj = write(os.path.join(tmp, "rej.csv"), "\n".join(lines) + "\n")
    rejects = os.path.join(tmp, "rejects.csv")
    j = jrun("summary", rj, "--rejects", rejects)
    ing = {r["item"]: r["count"] for r in j["ingest"]}
    check(ing.get("rejected: not_a_number") == 11, f"summary names the cause ({ing})")
    with open(rejects, newline="", encoding="utf-8") as fh:
        causes = {r["cause"] for r in csv.DictReader(fh)}
    check(causes == {"not_a_number"}, f"rejects file names the same cause ({causes})")
    code, md, err = run("report", rj, "--format", "markdown")
    check("**First 10 of 11 rejected rows**" in md, "the report says 10 of 11")
    by_cause = md_rows(md.replace("**Rejected rows by cause**", "## Rejected rows by cause"), "Rejected rows by cause")
    check(by_cause == [{"cause": "not_a_number", "rows": "11"}], f"report names the same cause ({by_cause})")
    check("| not_a_number |" in md, "rejected rows list their cause")

    # -----------------------------------------------------------------------
    # More than 65,535 channels: a data error naming file, line and limit.
    # Six built-in labels leave 65,529 new ones: the 65,530th new label (data
    # row 65,530, line 65,531) is the first that does not fit.
    for count in (65531, 65600):
        big = os.path.join(tmp, "chan%d.csv" % count)
        write(big, "channel,nps\n" + "".join("c%d,7\n" % i for i in range(count)))
        code, out, err = run("summary", big, "--quiet")
        check(code == 1 and ("chan%d.csv:65531:" % count) in err and "65535" in err
              and "limit_exceeded" in err, f"{count} channels: exit 1 at line 65531 ({code}, {err!r})")
    # Agents and segments have 32-bit ids: 70,000 distinct agents are fine.
    ag = write(os.path.join(tmp, "agents.csv"), "agent,nps\n" + "".join("a%d,8\n" % i for i in range(70000)))
    j = jrun("summary", ag, "--by", "agent", "--quiet")
    check(j.get("groups") == 70000, f"70,000 agents ({j.get('groups')})")

finish()
