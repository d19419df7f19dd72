"""examples/merge_files: two files read separately and merged give what cxm
summary gives on the two as one file.

Run as `python3 merge_files_example.py CXM SOURCE_DIR MERGE_FILES`. The
sample's records are dealt into two files (odd and even records, the second
file reversed so that its channels and months first appear in another order
and its channel ids differ from the first file's); the concatenation of the
same records is the reference input of `cxm summary --by channel,month`.
Counts must be equal, values and interval bounds equal to 1e-9 (weight sums
are added in another order).
"""
import csv
import io
import os
import subprocess
import sys

from cxmtest import SAMPLE, SOURCE, check, close, finish, jrun, read, scratch, write

EXAMPLE = os.path.abspath(sys.argv[3])


def csv_text(header, records):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(records)
    return out.getvalue()


rows = list(csv.reader(io.StringIO(read(SAMPLE))))
header, records = rows[0], rows[1:]
first, second = records[0::2], list(reversed(records[1::2]))

# The user code of the example stays short: the lines between its markers.
source = read(os.path.join(SOURCE, "examples", "merge_files.cpp")).splitlines()
start = next(i for i, l in enumerate(source) if "--- the user code" in l)
end = next(i for i, l in enumerate(source) if "--- printing" in l)
check(end - start - 1 <= 10, f"the example's user code is at most 10 lines (got {end - start - 1})")

with scratch() as tmp:
    a = write(os.path.join(tmp, "a.csv"), csv_text(header, first))
    b = write(os.path.join(tmp, "b.csv"), csv_text(header, second))
    both = write(os.path.join(tmp, "both.csv"), csv_text(header, first + second))
    p = subprocess.run([EXAMPLE, a, b], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"merge_files exits 0 (got {p.returncode}, stderr {p.stderr!r})")
    got = {}
    for line in p.stdout.splitlines():
        metric, channel, month, n, value, lower, upper = line.split(",")
        got[(metric, channel, month)] = (int(n), float(value), float(lower), float(upper))
    want = jrun("summary", both, "--by", "channel,month", "--metrics", "nps,resolution", "--max-groups", "0", "-q")
    keys = set()
    for metric in ("nps", "resolution"):
        for g in want.get(metric, []):
            if g["channel"] == "(all)":  # the total row, which the example does not print
                continue
            key = (metric, g["channel"], g["month"])
            keys.add(key)
            if not check(key in got, f"the example prints {key}"):
                continue
            n, value, lower, upper = got[key]
            check(n == g["n"], f"{key}: n {n} == {g['n']}")
            for name, x, y in (("value", value, g["value"]), ("lower", lower, g["lower"]), ("upper", upper, g["upper"])):
                close(x, y, 1e-9 * max(1.0, abs(y)), f"{key} {name}")
    check(len(keys) > 0 and set(got) == keys, f"the same groups ({len(got)} printed, {len(keys)} in cxm summary)")
    # The merge is what makes the total: one file alone gives other counts.
    p1 = subprocess.run([EXAMPLE, a, a], capture_output=True, text=True, timeout=120)
    doubled = {tuple(l.split(",")[:3]): int(l.split(",")[3]) for l in p1.stdout.splitlines()}
    check(any(doubled.get(k) != got[k][0] for k in got), "merging a file with itself differs from merging two halves")

finish()
