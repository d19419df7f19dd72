#!/usr/bin/env python3
"""cxm reads declared fields: --field NAME:KIND[:SCALE] and a mapping's "fields"
declare them; each is read with the rules of its kind (a 1-5 score, a category's
labels, a numeric, a flag with its own vocabulary), a bad value is a reject
naming the field and line, missing values are counted, a bad or repeated
declaration is exit 2 naming it, and a declared column the file lacks is exit 1
with the closest name and the columns found.

Usage: fields_test.py CXM_BINARY SOURCE_DIR

Expected values are computed here from the rows written: NPS = 100 (#scores 9-10
- #scores 0-6) / n over the accepted rows.
"""
import csv
import json
import os

from cxmtest import check, close, finish, jrun, run, scratch, write


def ingest(j):
    return {x["item"]: x["count"] for x in j.get("ingest", [])}


def nps(scores):
    return 100.0 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


# id, nps, q1 (1-5), region, spend; which rows a declaration of q1:score:1-5 and
# spend:numeric rejects, and why.
ROWS = [
    ("r1", 9, "4", "North", "12.5"),
    ("r2", 3, "", "South", ""),      # q1 and spend missing
    ("r3", 10, "6", "North", "1"),   # q1 6 is outside 1..5
    ("r4", 7, "5", "", "abc"),       # spend is not a number
    ("r5", 6, "2", "East", "-3"),
    ("r6", 10, "4.5", "East", "2"),  # q1 is not a whole point
    ("r7", 9, "1", "North", "0"),
]
REJECTED = {"r3": ("q1", "score_out_of_scale"), "r4": ("spend", "not_a_number"), "r6": ("q1", "not_an_integer")}
DECLARE = ["--field", "q1:score:1-5", "--field", "region:category", "--field", "spend:numeric"]

with scratch() as tmp:
    text = "id,nps,Q1,Region,spend\n" + "".join(f"{i},{n},{q},{r},{s}\n" for i, n, q, r, s in ROWS)
    data = write(os.path.join(tmp, "survey.csv"), text)
    rejects = os.path.join(tmp, "rejects.csv")

    # --- Declared fields are read: rejects name them, missing values are counted.
    j = jrun("summary", data, *DECLARE, "--rejects", rejects, "--metrics", "nps")
    ing = ingest(j)
    accepted = [n for i, n, *_ in ROWS if i not in REJECTED]
    check(ing.get("rows read") == 7 and ing.get("accepted") == 4 and ing.get("rejected") == 3,
          f"7 rows, 4 accepted, 3 rejected {ing}")
    check(ing.get("rejected: score_out_of_scale") == 1 and ing.get("rejected: not_an_integer") == 1
          and ing.get("rejected: not_a_number") == 1, f"rejects by cause {ing}")
    # Among the accepted rows: q1 and spend empty in r2, region empty in r4 (rejected) → none.
    check(ing.get("missing: q1") == 1 and ing.get("missing: spend") == 1, f"missing declared values {ing}")
    check("missing: region" not in ing, f"no region is missing among the accepted rows {ing}")
    close(j["nps"][-1]["value"], nps(accepted), 1e-9, "NPS of the accepted rows")
    with open(rejects, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    got = {(r["field"], r["cause"], r["line"]) for r in rows}
    want = {("q1", "score_out_of_scale", "4"), ("spend", "not_a_number", "5"), ("q1", "not_an_integer", "7")}
    check(len(rows) == 3 and got == want, f"the rejects name the declared field, cause and line ({rows})")
    out_of_scale = [r for r in rows if r["cause"] == "score_out_of_scale"]
    check(len(out_of_scale) == 1 and out_of_scale[0]["reason"] == "score 6 is outside the custom scale 1..5"
          and out_of_scale[0]["value"] == "6" and out_of_scale[0]["column"] == "3",
          f"the out-of-scale reject says why, with the value and column ({out_of_scale})")
    # Strict mode stops at that row: exit 1, file:line:column and the field named.
    code, out, err = run("summary", data, *DECLARE, "--strict")
    check(code == 1 and "survey.csv:4:3: [cxm.score_out_of_scale.101] score 6 is outside the custom scale 1..5 "
          "(field 'q1')" in err, f"--strict stops at the out-of-scale q1 naming line and field ({code}, {err!r})")

    # Without the declarations the same file has no rejects (the columns are ignored).
    ing = ingest(jrun("summary", data, "--metrics", "nps"))
    check(ing.get("accepted") == 7 and ing.get("rejected") == 0, f"undeclared columns are not read {ing}")

    # --- The same declarations from a mapping file.
    mapping = write(os.path.join(tmp, "fields.json"), json.dumps({"fields": [
        {"name": "q1", "kind": "score", "scale": "1-5"},
        {"name": "region", "kind": "category"},
        {"name": "spend", "kind": "numeric"}]}))
    m = ingest(jrun("summary", data, "--mapping", mapping, "--metrics", "nps"))
    check(m == ingest(j), f"a mapping's fields read as --field does ({m} vs {ingest(j)})")
    # A flag with its own vocabulary.
    flags = write(os.path.join(tmp, "flags.csv"), "nps,callback\n9,ja\n8,nein\n7,vielleicht\n6,\n")
    fmap = write(os.path.join(tmp, "flag.json"), json.dumps({"fields": [
        {"name": "callback", "kind": "flag", "vocabulary": {"yes": ["ja"], "no": ["nein"]}}]}))
    code, out, err = run("summary", flags, "--mapping", fmap, "--rejects", rejects)
    check(code == 0, f"a flag with its vocabulary reads ({code}, {err!r})")
    flag_rejects = list(csv.DictReader(open(rejects, newline="", encoding="utf-8")))
    check(len(flag_rejects) == 1 and flag_rejects[0]["field"] == "callback" and flag_rejects[0]["cause"] == "invalid_flag"
          and "callback flag 'vielleicht' is not yes (ja)" in flag_rejects[0]["reason"],
          f"a word outside the vocabulary is an invalid_flag reject ({flag_rejects})")

    # --- JSON Lines, and cxm report, read the declared fields too.
    jsonl = write(os.path.join(tmp, "survey.jsonl"),
                  "".join(json.dumps({"id": i, "nps": n, "q1": q, "region": r, "spend": s}) + "\n" for i, n, q, r, s in ROWS))
    ing = ingest(jrun("summary", jsonl, *DECLARE, "--metrics", "nps"))
    check(ing.get("accepted") == 4 and ing.get("rejected") == 3 and ing.get("missing: q1") == 1,
          f"JSON Lines: the same rows accepted and rejected {ing}")
    report = os.path.join(tmp, "report.html")
    code, out, err = run("report", data, *DECLARE, "-o", report)
    check(code == 0 and os.path.getsize(report) > 0, f"cxm report with declared fields ({code}, {err!r})")

    # --- Declared category labels are read: a blank label is missing, a label
    # that is not UTF-8 is a reject naming the field, any other text is a label.
    labels = write(os.path.join(tmp, "labels.csv"),
                   "nps,Region\n9,North\n8,  \n7,Nor".encode() + b"\xff" + "th\n6,\n10,Etelä-Suomi\n".encode(), "wb")
    j = jrun("summary", labels, "--field", "region:category", "--rejects", rejects, "--metrics", "nps")
    ing = ingest(j)
    check(ing.get("accepted") == 4 and ing.get("rejected: invalid_utf8") == 1 and ing.get("missing: region") == 2,
          f"category labels: 4 accepted, the non-UTF-8 label rejected, 2 blank ones missing {ing}")
    label_rejects = list(csv.DictReader(open(rejects, newline="", encoding="utf-8")))
    check(len(label_rejects) == 1 and label_rejects[0]["field"] == "region" and label_rejects[0]["line"] == "4"
          and label_rejects[0]["reason"].startswith("region is not valid UTF-8"),
          f"the non-UTF-8 label is a reject naming region at line 4 ({label_rejects})")
    close(j["nps"][-1]["value"], nps([9, 8, 6, 10]), 1e-9, "NPS of the rows whose labels were read")
    # Undeclared, the same column is not read: no reject, nothing missing.
    ing = ingest(jrun("summary", labels, "--metrics", "nps"))
    check(ing.get("accepted") == 5 and "missing: region" not in ing, f"an undeclared category is not read {ing}")
    # In JSON Lines a number or true in a category column is its label (text).
    jl = write(os.path.join(tmp, "labels.jsonl"), '{"nps": 9, "region": 12}\n{"nps": 8, "region": true}\n'
               '{"nps": 7, "region": null}\n{"nps": 6, "region": [1]}\n')
    ing = ingest(jrun("summary", jl, "--field", "region:category", "--metrics", "nps"))
    check(ing.get("accepted") == 3 and ing.get("rejected: invalid_value") == 1 and ing.get("missing: region") == 1,
          f"JSON Lines labels: numbers and booleans are labels, null missing, an array rejected {ing}")

    # --- Long values of declared fields: the reason shows a cut, the rejects
    # file keeps the whole value (one reject per row, each row one long value).
    long_values = [("q1", "9" * 5000, "score_out_of_scale"), ("q1", "4." + "5" * 3000, "not_an_integer"),
                   ("spend", "x" * 3000, "not_a_number"), ("spend", "9" * 3000, "not_a_number"),
                   ("w2", "7" * 3000, "invalid_weight"), ("cb", "z" * 3000, "invalid_flag"),
                   ("t2", "2" * 3000, "timestamp_out_of_range"), ("t2", "x" * 3000, "malformed_timestamp")]
    columns = ["nps", "q1", "spend", "w2", "cb", "t2"]
    good = {"nps": "9", "q1": "3", "spend": "1.5", "w2": "2", "cb": "yes", "t2": "2024-01-01"}
    lines = [",".join(columns)]
    for field, value, _ in long_values:
        lines.append(",".join(value if c == field else good[c] for c in columns))
    longf = write(os.path.join(tmp, "long.csv"), "\n".join(lines) + "\n")
    run("summary", longf, "--field", "q1:score:1-5", "--field", "spend:numeric", "--field", "w2:weight",
        "--field", "cb:flag", "--field", "t2:time", "--rejects", rejects)
    rr = list(csv.DictReader(open(rejects, newline="", encoding="utf-8")))
    check([(r["field"], r["cause"]) for r in rr] == [(f, c) for f, _, c in long_values],
          f"one reject per long value, naming its field and cause ({[(r['field'], r['cause']) for r in rr]})")
    for r, (field, value, _) in zip(rr, long_values):
        check(len(r["reason"].encode()) < 400 and f"({len(value)} bytes)" in r["reason"],
              f"{field}: the reason is cut and gives the length ({r['reason'][:120]!r}, {len(r['reason'])} characters)")
        check(r["value"] == value, f"{field}: the rejects file keeps the whole value")

    # --- A bad declaration is exit 2 naming it.
    for bad, says in [
        (["--field", "q1:bogus"], "field declaration 'q1:bogus' names no kind"),
        (["--field", "q1:colour"], "q1:colour"),
        (["--field", "q1:score"], "q1:score"),                  # a score needs a scale
        (["--field", "q1:score:1-300"], "1-300"),               # points 0..254 only
        (["--field", "region:category:1-5"], "region:category:1-5"),
        (["--field", "q1:score:1-5", "--field", "Q1:numeric"], "field 'Q1' is declared twice (as 'q1' before)"),
        (["--mapping", mapping, "--field", "Q1:numeric"], "field 'Q1' is declared twice (as 'q1' before)"),
        (["--field", "NPS:numeric"], "predefined field 'nps'"),
    ]:
        code, out, err = run("summary", data, *bad)
        check(code == 2 and says in err, f"{bad} exits 2 naming it ({code}, {err!r})")
    for fields, says in [
        ([{"name": "q1", "kind": "colour"}], "mapping.fields[0].kind"),
        ([{"name": "q1", "kind": "score"}], "mapping.fields[0]"),
        ([{"name": "q1", "kind": "score", "scale": "5-1"}], "mapping.fields[0].scale"),
        ([{"name": "q1", "kind": "text", "size": 3}], "mapping.fields[0].size"),
        ([{"kind": "text"}], "has no \"name\""),
        ([{"name": "q1", "kind": "text"}, {"name": "q1", "kind": "numeric"}], "mapping.fields[1]"),
    ]:
        bad_map = write(os.path.join(tmp, "bad.json"), json.dumps({"fields": fields}))
        code, out, err = run("summary", data, "--mapping", bad_map)
        check(code == 2 and says in err, f"mapping fields {fields} exit 2 naming {says!r} ({code}, {err!r})")

    # --- A declared column the file lacks is exit 1 with the closest name.
    code, out, err = run("summary", data, "--field", "spnd:numeric")
    check(code == 1 and "required column 'spnd' (declared field 'spnd', a numeric) is missing; did you mean 'spend'?"
          in err, f"an absent declared column exits 1 with the closest name ({code}, {err!r})")
    check("columns found: 'id', 'nps', 'Q1', 'Region', 'spend'" in err, f"...and the columns found ({err!r})")

finish()
