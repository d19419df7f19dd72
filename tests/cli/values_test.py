#!/usr/bin/env python3
"""Field values a real user brings: scores written as 9.0, epoch timestamps,
times outside 1900..2200, extreme weights, a quote that never closes.

Usage: values_test.py CXM_BINARY SOURCE_DIR
Expected values are computed here, in Python, from the rows written.
"""
import csv
import json
import os
from datetime import datetime, timezone

from cxmtest import check, close, finish, ingest_counts, jrun, nps_of, read, run, scratch, write


def rejects_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


with scratch() as tmp:
    # Scores as pandas and spreadsheets write a float column: the integer point.
    scores = [9, 10, 3, 7, 0, 10, 8, 6, 9, 8]
    written = ["9.0", "10.00", "3.0", " 7.000 ", "0.0", "+10.0", "8.00", "6.0", "9.0", "8.0"]
    ints = write(os.path.join(tmp, "ints.csv"), "id,nps\n" + "".join(f"r{i},{s}\n" for i, s in enumerate(scores)))
    decs = write(os.path.join(tmp, "decs.csv"), "id,nps\n" + "".join(f"r{i},{s}\n" for i, s in enumerate(written)))
    jsonl = write(os.path.join(tmp, "decs.jsonl"),
                  "".join(json.dumps({"id": f"r{i}", "nps": float(s)}) + "\n" for i, s in enumerate(scores)))
    want = nps_of(scores)  # promoters 9, 10, 10, 9; detractors 3, 0, 6: 100 · (4 − 3) / 10 = 10 points
    close(want, 10.0, 1e-12, "the expected NPS of the rows")
    a = jrun("summary", ints, "--metrics", "nps")
    b = jrun("summary", decs, "--metrics", "nps")
    c = jrun("summary", jsonl, "--metrics", "nps")
    for name, j in (("integers", a), ("9.0 and 10.00", b), ("JSON 9.0", c)):
        close(j["nps"][-1]["value"], want, 1e-9, f"NPS of scores written as {name}")
        check(j["nps"][-1]["n"] == 10, f"{name}: all 10 rows counted")
        check(ingest_counts(j).get("rejected") == 0, f"{name}: nothing rejected ({ingest_counts(j)})")
    check(a["nps"] == b["nps"], "9.0/10.00 summarise exactly as the integers")

    # 9.5 is not a score: a reject naming the field, the value and the cause.
    half = write(os.path.join(tmp, "half.csv"), "id,nps\nr1,9\nr2,9.5\nr3,10\n")
    rej = os.path.join(tmp, "half-rejects.csv")
    j = jrun("summary", half, "--metrics", "nps", "--rejects", rej)
    check(ingest_counts(j).get("rejected: not_an_integer") == 1, f"9.5 is not_an_integer ({ingest_counts(j)})")
    rr = rejects_of(rej)
    check(len(rr) == 1 and rr[0]["line"] == "3" and rr[0]["field"] == "nps" and rr[0]["value"] == "9.5"
          and "nps" in rr[0]["reason"], f"the reject names line 3, field nps and 9.5 ({rr})")
    code, out, err = run("summary", half, "--strict")
    check(code == 1 and "half.csv:3:2" in err and "'9.5'" in err, f"--strict stops at 9.5 with exit 1 ({code}, {err!r})")

    # Millisecond epochs grouped by month (Python's calendar gives the months).
    stamps_ms = [1704067200000, 1706745599999, 1706745600000, 1709647629123, 1711929599000, 1700000000000]
    nps_rows = [10, 9, 0, 10, 6, 8]
    epochs = write(os.path.join(tmp, "epochs.csv"),
                   "id,timestamp,nps\n" + "".join(f"e{i},{t},{s}\n" for i, (t, s) in enumerate(zip(stamps_ms, nps_rows))))
    j = jrun("summary", epochs, "--by", "month", "--metrics", "nps")
    months = {}
    for t, s in zip(stamps_ms, nps_rows):
        m = datetime.fromtimestamp(t // 1000, tz=timezone.utc).strftime("%Y-%m")
        months.setdefault(m, []).append(s)
    got = {r["month"]: r for r in j["nps"] if "month" in r and r["month"] not in (None, "(all)")}
    check(sorted(got) == sorted(months), f"months {sorted(got)} == {sorted(months)}")
    for m, ss in months.items():
        if m in got:
            check(got[m]["n"] == len(ss), f"{m}: n {got[m]['n']} == {len(ss)}")
            close(got[m]["value"], nps_of(ss), 1e-9, f"{m}: NPS")
    check(ingest_counts(j).get("rejected") == 0, f"epochs: nothing rejected ({ingest_counts(j)})")

    # --epoch-unit: 9000000000 is 1970-04-15 in milliseconds and 2255 in
    # seconds (out of range; auto reads seconds below 10^11); 86400 is
    # 1970-01-02 in seconds and 1970-01-01 in milliseconds.
    units = write(os.path.join(tmp, "units.csv"), "id,timestamp,nps\nu1,9000000000,9\nu2,86400,9\n")
    j = jrun("summary", units, "--by", "month", "--metrics", "nps", "--epoch-unit", "milliseconds")
    check(ingest_counts(j).get("accepted") == 2 and {r["month"] for r in j["nps"]} >= {"1970-01", "1970-04"},
          f"--epoch-unit milliseconds reads both as 1970 ({ingest_counts(j)}, {j['nps']})")
    for unit in (["--epoch-unit", "seconds"], []):
        j = jrun("summary", units, "--by", "month", "--metrics", "nps", *unit)
        check(ingest_counts(j).get("accepted") == 1 and ingest_counts(j).get("rejected: timestamp_out_of_range") == 1,
              f"{unit or 'auto'}: 9000000000 s is past 2200 ({ingest_counts(j)})")
    code, out, err = run("summary", units, "--epoch-unit", "minutes")
    check(code == 2 and "--epoch-unit" in err, f"an unknown unit is a usage error ({code}, {err!r})")

    # Times outside 1900-01-01 .. 2200-12-31 are rejects with the range in the reason.
    old = write(os.path.join(tmp, "old.csv"),
                "id,timestamp,nps\nr1,2024-03-05,9\nr2,1800-06-01,9\nr3,2300-01-01T00:00:00Z,9\nr4,1900-01-01,9\n")
    rej = os.path.join(tmp, "old-rejects.csv")
    j = jrun("summary", old, "--metrics", "nps", "--rejects", rej)
    ing = ingest_counts(j)
    check(ing.get("accepted") == 2 and ing.get("rejected: timestamp_out_of_range") == 2, f"two times out of range ({ing})")
    rr = rejects_of(rej)
    check([r["line"] for r in rr] == ["3", "4"], f"rejects on lines 3 and 4 ({rr})")
    check(all("1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z" in r["reason"] and r["error_id"] == "104" for r in rr),
          f"the reason gives the range ({rr})")

    # Extreme weights: rejected at the row, exit 0, the reason in --rejects;
    # the rest are summarised with their weights (no internal error).
    heavy = write(os.path.join(tmp, "heavy.csv"),
                  "id,nps,weight\nr1,10,1e155\nr2,10,2\nr3,0,1e-200\nr4,0,1\nr5,8,1e100\nr6,9,1e-100\n")
    rej = os.path.join(tmp, "heavy-rejects.csv")
    code, out, err = run("summary", heavy, "--weight", "weight", "--metrics", "nps", "--rejects", rej,
                         "--format", "json")
    check(code == 0, f"extreme weights exit 0 (got {code}, {err!r})")
    j = json.loads(out) if code == 0 else {"ingest": [], "nps": [{}]}
    check(ingest_counts(j).get("rejected: invalid_weight") == 2, f"1e155 and 1e-200 rejected ({ingest_counts(j)})")
    rr = rejects_of(rej)
    check([(r["line"], r["field"]) for r in rr] == [("2", "weight"), ("4", "weight")], f"rejects of lines 2, 4 ({rr})")
    check(all("1e-100 to 1e100" in r["reason"] for r in rr), f"the reason gives the range ({rr})")
    close(j["nps"][-1].get("value"), nps_of([10, 0, 8, 9], [2, 1, 1e100, 1e-100]), 1e-9, "NPS of the weights kept")
    check("internal" not in err.lower(), f"no internal message ({err!r})")

    # A quote that never closes, on line 3 of 6: one reject, the rest accepted.
    quote = write(os.path.join(tmp, "quote.csv"),
                  'id,nps,why\nr1,9,fine\nr2,8,"never closed\nr3,7,plain\nr4,10,"quoted"\nr5,6,x\n')
    rej = os.path.join(tmp, "quote-rejects.csv")
    j = jrun("summary", quote, "--metrics", "nps", "--rejects", rej)
    ing = ingest_counts(j)
    check(ing.get("rows read") == 5 and ing.get("accepted") == 4 and ing.get("rejected") == 1,
          f"one reject, four rows ({ing})")
    close(j["nps"][-1]["value"], nps_of([9, 7, 10, 6]), 1e-9, "NPS of the rows around the quote")
    rr = rejects_of(rej)
    check(len(rr) == 1 and rr[0]["line"] == "3" and rr[0]["cause"] == "malformed_csv"
          and "line 3, column 6" in rr[0]["reason"] and "never closes" in rr[0]["reason"],
          f"the reject is line 3 and says where the quote opened ({rr})")
    check(read(quote).count("\n") == 6, "the input is unchanged")

    # Long values: the reason shows a readable cut, the value column keeps all.
    huge = {"nps": "9" * 5000, "weight": "1" * 3000, "timestamp": "2" * 3000, "channel": "c" * 4000}
    longf = write(os.path.join(tmp, "long.csv"), "channel,nps,weight,timestamp\n"
                  f"ch,{huge['nps']},1,2024-01-01\nch,5,{huge['weight']},2024-01-01\n"
                  f"ch,5,1,{huge['timestamp']}\n{huge['channel']},5,1,2024-01-01\n")
    rej = os.path.join(tmp, "long-rejects.csv")
    run("summary", longf, "--channels", "ch", "--rejects", rej)
    rr = rejects_of(rej)
    check(sorted(r["field"] for r in rr) == sorted(huge), f"one reject per long field ({[r['field'] for r in rr]})")
    for r in rr:
        check(len(r["reason"].encode()) < 400 and "bytes)" in r["reason"],
              f"{r['field']}: the reason is cut ({len(r['reason'])} characters)")
        check(r["value"] == huge[r["field"]], f"{r['field']}: the rejects file keeps the whole value")

finish()
