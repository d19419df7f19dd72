#!/usr/bin/env python3
"""cxm finds columns by name or alias, refuses a named column the file lacks,
detects the CSV delimiter and decimal comma and says so, and keeps messages short.

Usage: columns_test.py CXM_BINARY SOURCE_DIR

Expected NPS values are computed here from the rows written: NPS = 100 (Σw over
scores 9-10 − Σw over scores 0-6) / Σw (unweighted: w = 1).
"""
import os
import random

from cxmtest import check, close, finish, ingest_counts, jrun, nps_of, run, scratch, write


with scratch() as tmp:
    # --- A named column the file lacks is exit 1 with the closest name.
    plain = write(os.path.join(tmp, "plain.csv"), "id,nps,Weight,why\nr1,9,0.5,x\nr2,3,2,y\n")
    code, out, err = run("summary", plain, "--column", "nps=NoSuch")
    check(code == 1, f"--column nps=NoSuch exits 1 (got {code}, {err!r})")
    check("required column 'NoSuch' (field 'nps') is missing; did you mean 'nps'?" in err,
          f"--column names the column and the closest one ({err!r})")
    check("columns found: 'id', 'nps', 'Weight', 'why'" in err, f"...and the columns found ({err!r})")
    code, out, err = run("summary", plain, "--weight", "Wieght")
    check(code == 1 and "did you mean 'Weight'?" in err, f"--weight with a typo exits 1 ({code}, {err!r})")
    code, out, err = run("summary", plain, "--weight", "weight")  # the key ignores case
    check(code == 0, f"--weight weight finds 'Weight' ({code}, {err!r})")

    mapping = write(os.path.join(tmp, "map.json"), '{"columns": {"csat": "Tyytyvaisyys"}}')
    code, out, err = run("summary", plain, "--mapping", mapping)
    check(code == 1 and "required column 'Tyytyvaisyys' (field 'csat') is missing" in err,
          f"a mapping entry naming an absent column exits 1 ({code}, {err!r})")
    code, out, err = run("summary", plain, "--column", "why=")  # FIELD= : not read, not required
    check(code == 0, f"--column why= is not a required column ({code}, {err!r})")

    # --- ';' and decimal commas, no flags but the weight column.
    rng = random.Random(20240611)
    scores = [rng.randrange(11) for _ in range(200)]
    weights = [rng.randrange(1, 400) / 100 for _ in range(200)]
    lines = ["id;nps;Paino;why"]
    for i, (s, w) in enumerate(zip(scores, weights)):
        lines.append(f"r{i};{s};{str(w).replace('.', ',')};\"ok, {i}\"")
    eu = write(os.path.join(tmp, "eu.csv"), "\n".join(lines) + "\n")
    j = jrun("summary", eu, "--weight", "Paino", "--metrics", "nps")
    close(j["nps"][-1]["value"], nps_of(scores, weights), 1e-9, "weighted NPS of a ';' file with decimal commas")
    ing = ingest_counts(j)
    check(ing.get("accepted") == 200 and ing.get("rejected") == 0, f"every row accepted {ing}")
    check(ing.get("delimiter") == ";" and ing.get("delimiter detected") is True, f"JSON: delimiter detected {ing}")
    check(ing.get("decimal point") == "," and ing.get("decimal point detected") is True,
          f"JSON: decimal comma detected {ing}")
    code, out, err = run("summary", eu, "--weight", "Paino", "--metrics", "nps")
    rows = {" ".join(line.split()[:-1]): line.split()[-1] for line in out.splitlines() if line.strip()}
    check(rows.get("delimiter") == ";" and rows.get("delimiter detected") == "yes", f"table: delimiter ({out!r})")
    check(rows.get("decimal point") == "," and rows.get("decimal point detected") == "yes",
          f"table: decimal point ({out!r})")
    # Given flags are reported as given.
    j = jrun("summary", eu, "--weight", "Paino", "--metrics", "nps", "--delimiter", ";", "--decimal-comma")
    ing = ingest_counts(j)
    check(ing.get("delimiter detected") is False and ing.get("decimal point detected") is False, f"given {ing}")
    # The same file through standard input: detected from its first bytes.
    with open(eu, encoding="utf-8") as f:
        j = jrun("summary", "-", "--weight", "Paino", "--metrics", "nps", stdin=f.read())
    close(j.get("nps", [{}])[-1].get("value"), nps_of(scores, weights), 1e-9, "standard input: same NPS")
    check(ingest_counts(j).get("delimiter") == ";", "standard input: ';' detected")
    # A wrong --delimiter says which one would have worked.
    code, out, err = run("summary", eu, "--delimiter", ",")
    check(code == 1 and "(with --delimiter ';' the header has columns 'id', 'nps', 'Paino', 'why')" in err,
          f"the hint names ';' ({code}, {err!r})")

    # --- .tsv means tab (',' would also split every line in two here).
    tsv_text = "nps\tcomment, more\n" + "".join(f"{s}\tx, {i}\n" for i, s in enumerate(scores))
    tsv = write(os.path.join(tmp, "scores.tsv"), tsv_text)
    j = jrun("summary", tsv, "--metrics", "nps")
    close(j.get("nps", [{}])[-1].get("value"), nps_of(scores), 1e-9, ".tsv: NPS")
    check(ingest_counts(j).get("delimiter") == "tab", f".tsv: tab {ingest_counts(j)}")
    j = jrun("summary", "-", "--input-format", "tsv", "--metrics", "nps", stdin=tsv_text)
    close(j.get("nps", [{}])[-1].get("value"), nps_of(scores), 1e-9, "--input-format tsv on standard input")

    # --- Case-insensitive and aliased headers give the canonical numbers.
    channels = ["phone", "chat", "email"]
    data = [(rng.randrange(11), rng.randrange(1, 6), rng.choice(channels)) for _ in range(300)]
    body = "".join(f"r{i},{n},{c},{ch}\n" for i, (n, c, ch) in enumerate(data))
    headers = {
        "canonical": "id,nps,csat,channel",
        "case": " ID ,NPS,Csat,CHANNEL",
        "aliases": "Response ID,Likelihood to Recommend,Satisfaction,Contact-Channel",
    }
    results = {}
    for name, header in headers.items():
        path = write(os.path.join(tmp, f"{name}.csv"), header + "\n" + body)
        results[name] = jrun("summary", path, "--by", "channel", "--metrics", "nps,csat")
    for ch in channels:
        want = nps_of([n for n, _, c in data if c == ch])
        for name, j in results.items():
            row = next((x for x in j.get("nps", []) if x.get("channel") == ch), {})
            close(row.get("value"), want, 1e-9, f"{name} header: NPS of {ch}")
    for name, j in results.items():
        close(j.get("nps", [{}])[-1].get("value"), nps_of([n for n, _, _ in data]), 1e-9, f"{name} header: NPS")
        check(j.get("csat") == results["canonical"].get("csat"), f"{name} header: same CSAT rows")
    # Two aliases of one field are an error naming both.
    two = write(os.path.join(tmp, "two.csv"), "nps,Comment,Feedback\n9,a,b\n")
    code, out, err = run("summary", two)
    check(code == 1 and "'Comment' and 'Feedback'" in err and "field 'why'" in err, f"two aliases ({code}, {err!r})")

    # --- A 1 MB header is not echoed whole.
    big = write(os.path.join(tmp, "big.csv"), "x" * (1 << 20) + ",other\n1,2\n")
    code, out, err = run("summary", big)
    check(code == 1 and len(err.encode()) < 1024, f"1 MB header: exit 1, short message ({code}, {len(err)} bytes)")
    check("(1048576 bytes)" in err, f"...saying how long the name is ({err[:300]!r})")
    many = write(os.path.join(tmp, "many.csv"), ",".join(f"c{i}" for i in range(150000)) + "\n")
    code, out, err = run("summary", many)
    check(code == 1 and len(err.encode()) < 1024 and " more" in err,
          f"150 000 columns: exit 1, short message ({code}, {len(err)} bytes)")
    with open(big, encoding="utf-8") as f:
        code, out, err = run("summary", "-", stdin=f.read())
    check(code == 1 and len(err.encode()) < 1024, f"1 MB header on standard input ({code}, {len(err)} bytes)")

finish()
