#!/usr/bin/env python3
"""cxm summary --field with six declared 1-5 rating columns prints, per channel and
overall, each one's n, top-box share with its Wilson interval and mean with its t
interval (a rating bound to each field), in the table and JSON forms; a top-1 box
("1-5/1") counts the top point only; a declared category is read, not summarised.

Usage: ratings_test.py CXM_BINARY SOURCE_DIR

Worked by hand for q1 (top box 4-5):
  phone 5,4,4,2,1: top box 3/5; mean 16/5 = 3.2; squared deviations 3.24 + 0.64 +
    0.64 + 1.44 + 4.84 = 10.8, s^2 = 10.8/4 = 2.7, se = sqrt(2.7/5) = 0.734847;
    t(0.975, 4) = 2.776445 → 3.2 ± 2.040263 = [1.159737, 5.240263].
  chat 3,5,5,4,3: top box 3/5; mean 4.0; s^2 = 4/4 = 1, se = sqrt(1/5) = 0.447214 →
    4 ± 1.241666 = [2.758334, 5.241666].
  all ten: top box 6/10; mean 3.6; squared deviations sum to 16.4, s^2 = 16.4/9,
    se = 0.426875; t(0.975, 9) = 2.262157 → [2.634342, 4.565658].
  Wilson interval of 3/5 at 95 % (z = 1.959964, closed form (p + z²/2n ± z·sqrt(p(1-p)/n
    + z²/4n²)) / (1 + z²/n)): centre 0.984146/1.768292 = 0.556552, half width
    0.576158/1.768292 = 0.325827 → [0.230724, 0.882379].
The other columns are checked with the same closed forms, computed below.
t quantiles t(0.975, df) from the published tables (R qt(0.975, df)).
"""
import math

from cxmtest import check, close, finish, jrun, run, scratch, write

Z = 1.959963984540054  # qnorm(0.975)
T975 = {3: 3.182446305284263, 4: 2.776445105197799, 8: 2.306004135033371, 9: 2.262157162740992}

CHANNELS = ["phone"] * 5 + ["chat"] * 5
COLUMNS = {  # None: missing
    "q1": [5, 4, 4, 2, 1, 3, 5, 5, 4, 3],
    "q2": [1, 2, 3, 4, 5, 5, 5, 4, 4, 5],
    "q3": [3, 3, 3, 3, 3, 5, 5, 5, 5, 5],
    "q4": [4, 4, 4, 4, 4, 1, 1, 2, 1, 1],
    "q5": [5, 4, None, 2, 1, 5, 4, 3, 2, 1],
    "q6": [5, 4, 3, 5, 1, 2, 3, 4, 5, 5],
}
TOP_MIN = {"q1": 4, "q2": 4, "q3": 4, "q4": 4, "q5": 4, "q6": 5}  # q6 is declared 1-5/1
REGION = ["north", "south", "north", "north", "south", "north", "south", "north", "north", "south"]


def wilson(k, n):
    p = k / n
    d = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / d
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_t(xs):
    n = len(xs)
    m = sum(xs) / n
    s2 = sum((x - m) ** 2 for x in xs) / (n - 1)
    h = T975[n - 1] * math.sqrt(s2 / n)
    return m, m - h, m + h


def expected(field, channel):
    xs = [v for v, c in zip(COLUMNS[field], CHANNELS) if v is not None and (channel == "(all)" or c == channel)]
    return len(xs), wilson(sum(x >= TOP_MIN[field] for x in xs), len(xs)), mean_t(xs)


# The hand-worked values above, against the closed forms used for every column.
n, share, mean = expected("q1", "phone")
close(share[1], 0.230724, 2e-6, "Wilson lower of 3/5 by hand")
close(share[2], 0.882379, 2e-6, "Wilson upper of 3/5 by hand")
close(mean[1], 1.159737, 2e-6, "t lower of phone q1 by hand")
close(expected("q1", "(all)")[2][2], 4.565658, 2e-6, "t upper of all q1 by hand")

DECLARE = []
for f in COLUMNS:
    DECLARE += ["--field", f + (":score:1-5/1" if f == "q6" else ":score:1-5")]
DECLARE += ["--field", "region:category"]

with scratch() as tmp:
    text = "channel," + ",".join(COLUMNS) + ",region\n"
    for i, c in enumerate(CHANNELS):
        text += c + "," + ",".join("" if COLUMNS[f][i] is None else str(COLUMNS[f][i]) for f in COLUMNS)
        text += "," + REGION[i] + "\n"
    data = write(tmp + "/ratings.csv", text)

    # --- JSON, per channel and overall.
    j = jrun("summary", data, *DECLARE, "--by", "channel")
    check("region" not in j and "region_mean" not in j, "the declared category is not summarised")
    for f in COLUMNS:
        check(f in j and f + "_mean" in j, f"tables {f} and {f}_mean")
        if f not in j or f + "_mean" not in j:
            continue
        rows = {r["channel"]: r for r in j[f]}
        mrows = {r["channel"]: r for r in j[f + "_mean"]}
        check(sorted(rows) == ["(all)", "chat", "phone"], f"{f}: one row per channel and (all) {sorted(rows)}")
        for c in ("phone", "chat", "(all)"):
            n, share, mean = expected(f, c)
            r, m = rows.get(c, {}), mrows.get(c, {})
            check(r.get("n") == n and m.get("n") == n, f"{f} {c}: n {n} ({r.get('n')}, {m.get('n')})")
            check(r.get("interval_method") == "wilson" and m.get("interval_method") == "t",
                  f"{f} {c}: Wilson share, t mean")
            for key, want in zip(("value", "lower", "upper"), share):
                close(r.get(key, math.nan), want, 1e-9, f"{f} {c} top-box {key}")
            for key, want in zip(("value", "lower", "upper"), mean):
                close(m.get(key, math.nan), want, 1e-9, f"{f} {c} mean {key}")

    # Without --by: the overall rows alone, the same numbers.
    j = jrun("summary", data, *DECLARE)
    n, share, mean = expected("q5", "(all)")
    check(len(j.get("q5", [])) == 1 and j["q5"][0]["n"] == 9, f"q5 overall n 9 (one missing) {j.get('q5')}")
    close(j["q5"][0]["lower"], share[1], 1e-9, "q5 overall top-box lower")
    close(j["q5_mean"][0]["upper"], mean[2], 1e-9, "q5 overall mean upper")

    # --- The table form: titles say the top box; rows round the same numbers.
    code, out, err = run("summary", data, *DECLARE, "--by", "channel")
    check(code == 0, f"table run exits 0 ({code}, {err!r})")
    check("q1, share in the top box (4-5 of 1-5)" in out and "q6, share in the top box (5-5 of 1-5)" in out
          and "q1 mean (1-5; t interval)" in out, "titles name the field and its top box")
    sections = out.split("\n\n")

    def table_row(title, channel):
        for s in sections:
            lines = s.strip("\n").splitlines()
            if lines and lines[0].strip() == title:
                for line in lines[2:]:
                    cells = line.split()
                    if cells and cells[0] == channel:
                        return cells
        return []

    row = table_row("q1, share in the top box (4-5 of 1-5)", "phone")
    check(row[:7] == ["phone", "5", "5.0", "0.6000", "0.2191", "0.2307", "0.8824"], f"q1 phone top-box row {row}")
    row = table_row("q1 mean (1-5; t interval)", "phone")
    check(row[:7] == ["phone", "5", "5.0", "3.200", "0.735", "1.160", "5.240"], f"q1 phone mean row {row}")
    row = table_row("q1 mean (1-5; t interval)", "(all)")
    check(row[:7] == ["(all)", "10", "10.0", "3.600", "0.427", "2.634", "4.566"], f"q1 all mean row {row}")
    row = table_row("q6, share in the top box (5-5 of 1-5)", "chat")
    n, share, _ = expected("q6", "chat")
    check(row[3:4] == [f"{share[0]:.4f}"] and row[5:7] == [f"{share[1]:.4f}", f"{share[2]:.4f}"],
          f"q6 chat top-1 row {row}")

    # --- CSV: the q1 mean table's overall row.
    code, out, err = run("summary", data, *DECLARE, "--format", "csv")
    check(code == 0 and "10,10,3.6,0.42687494916" in out, f"CSV holds the q1 mean row ({code}, {out[:200]!r})")

finish()
