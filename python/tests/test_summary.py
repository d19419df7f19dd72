"""cxmetrics.summarize and SummaryState against `cxm summary`.

The reference is the cxm tool run on the same file (CXM_BIN): every table,
every row, every count and value of `--format json` must be equal, since
both compute from the same summary_state. Merging is checked against the
whole file, pickling against the original state.
"""
import csv
import json
import os
import pickle
import subprocess

import pytest

import cxmetrics

SOURCE = os.environ.get("CXM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SOURCE, "examples", "data", "responses.csv")
CXM = os.environ.get("CXM_BIN", "cxm")


def cxm_json(*args):
    p = subprocess.run([CXM, "summary", *args, "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def tables_equal(py, cli):
    names = [k for k, v in cli.items() if isinstance(v, list) and k not in ("by", "states")]
    assert sorted(py) == sorted(names)
    for name in names:
        assert py[name] == cli[name], name


@pytest.mark.parametrize("by,flags", [
    (["channel"], []),
    (["channel", "month"], []),
    (["segment", "agent"], ["--max-groups", "5"]),
    ([], []),
])
def test_tables_equal_cxm_summary(by, flags):
    s = cxmetrics.summarize(SAMPLE, by=by)
    opts = {"max_groups": 5} if flags else {}
    cli = cxm_json(SAMPLE, *(["--by", ",".join(by)] if by else []), *flags)
    tables_equal(s.tables(frames=False, **opts), cli)
    assert s.count == 12000 and s.keys == by


def test_options_are_query_parameters():
    s = cxmetrics.summarize(SAMPLE, by=["channel"], unweighted=True)
    cli = cxm_json(SAMPLE, "--by", "channel", "--unweighted", "--level", "0.9", "--method", "wald",
                   "--adjust", "bh")
    tables_equal(s.tables(frames=False, level=0.9, method=["wald"], adjust="bh"), cli)


def test_settings_reach_the_reader(tmp_path):
    # A declared score field (NAME:KIND:SCALE) and the default metrics.
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    path = tmp_path / "q.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header + ["q1"])
        w.writerows(r + [str(1 + i % 5)] for i, r in enumerate(rows))
    s = cxmetrics.summarize(str(path), by=["segment"], fields=["q1:score:1-5"], unweighted=True)
    cli = cxm_json(str(path), "--by", "segment", "--field", "q1:score:1-5", "--unweighted")
    tables_equal(s.tables(frames=False), cli)
    # q1 = 1 + i mod 5 over 12000 rows: each point 2400 times, mean 3 exactly.
    (all_row,) = [r for r in s.tables(frames=False)["q1_mean"] if r["segment"] == "(all)"]
    assert all_row["n"] == 12000 and all_row["value"] == 3.0


def split(tmp_path, n):
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    step = (len(rows) + n - 1) // n
    paths = []
    for i in range(n):
        p = tmp_path / f"part{i}.csv"
        with open(p, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows[i * step:(i + 1) * step])
        paths.append(str(p))
    return paths


def test_merge_equals_whole_file(tmp_path):
    parts = [cxmetrics.summarize(p, by=["channel", "month"], unweighted=True) for p in split(tmp_path, 3)]
    whole = cxmetrics.summarize(SAMPLE, by=["channel", "month"], unweighted=True)
    m = cxmetrics.merged(parts)
    assert m.count == whole.count == 12000
    assert m.tables(frames=False) == whole.tables(frames=False)
    # Pairwise in another order: the same counts (unweighted: exact).
    m2 = parts[2].copy().merge(parts[0]).merge(parts[1])
    assert m2.tables(frames=False) == whole.tables(frames=False)
    # The written state is what cxm summary --from-states reads.
    state = tmp_path / "merged.state"
    m.write(str(state))
    cli = cxm_json("--from-states", str(state))
    tables_equal(m.tables(frames=False), cli)


def test_byte_ranges_merge_to_the_whole_file(one_line_sample):
    # Ranges cut anywhere (inside rows too) that tile the file: the records
    # starting in each, merged, are the file's; the ingest counts add up.
    path = one_line_sample
    size = os.path.getsize(path)
    cuts = [0, 1, size // 3, size // 3 + 1, size // 2 + 17, size - 2]
    ranges = [(b, e) for b, e in zip(cuts, cuts[1:])] + [(cuts[-1], None)]
    parts = [cxmetrics.summarize(path, by=["channel", "month"], unweighted=True, byte_range=r) for r in ranges]
    whole = cxmetrics.summarize(path, by=["channel", "month"], unweighted=True)  # unweighted: exact sums
    m = cxmetrics.merged(parts)
    assert m.count == whole.count == 12000
    assert m.tables(frames=False) == whole.tables(frames=False)
    assert sum(p.rows_read for p in parts) == whole.rows_read
    with pytest.raises(cxmetrics.Error) as e:
        cxmetrics.summarize(path, byte_range=(5, 4))
    assert e.value.id == 201
    with pytest.raises(TypeError):
        cxmetrics.summarize(path, byte_range=5)
    # The sample's comments span lines: a range that cuts the file refuses
    # them (ParseError naming the byte of the quote); the whole file is read.
    with pytest.raises(cxmetrics.ParseError) as e:
        cxmetrics.summarize(SAMPLE, byte_range=(0, size // 2))
    assert e.value.id == 301 and "opened at byte" in str(e.value)
    assert cxmetrics.summarize(SAMPLE, byte_range=(0, None)).count == 12000


def test_pickle_round_trip():
    s = cxmetrics.summarize(SAMPLE, by=["channel", "month"], fields=[])
    back = pickle.loads(pickle.dumps(s))
    assert back == s
    assert back.to_bytes() == s.to_bytes()
    assert back.tables(frames=False) == s.tables(frames=False)
    assert cxmetrics.SummaryState.from_bytes(s.to_bytes()) == s


def test_incompatible_and_corrupt():
    a = cxmetrics.summarize(SAMPLE, by=["channel"])
    b = cxmetrics.summarize(SAMPLE, by=["segment"])
    before = a.to_bytes()
    with pytest.raises(cxmetrics.Error) as e:
        a.merge(b)
    assert "incompatible_merge" in str(e.value)
    assert a.to_bytes() == before  # unchanged
    data = bytearray(before)
    data[-1] ^= 0x01
    with pytest.raises(cxmetrics.Error) as e:
        cxmetrics.SummaryState.from_bytes(bytes(data))
    assert "serialization_error" in str(e.value)
    with pytest.raises(cxmetrics.Error):
        cxmetrics.SummaryState.from_bytes(before[:-5])


def test_frames():
    pd = pytest.importorskip("pandas")
    s = cxmetrics.summarize(SAMPLE, by=["channel"])
    f = s.to_frame("nps")
    assert isinstance(f, pd.DataFrame)
    assert list(f["channel"])[-1] == "(all)" and int(f["n"].iloc[-1]) == 12000
