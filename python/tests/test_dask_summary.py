"""examples/python/dask_summary.py on a two-worker LocalCluster (processes)
against `cxm summary` on the whole file.

The sample is split into four files of whole rows; the example reads one
per task, merges the states by tree reduction and prints them through
`cxm summary --from-states`. The text table (rounded) must be byte-identical
to `cxm summary` on the whole file; unweighted JSON identical in every value
but "file"/"states". A worker killed by its first task (marker file) must
not change the result: Dask runs the task again and merging is exact.
One file read in byte ranges (--range-bytes: 7 ranges, cut inside rows)
gives the table of `cxm summary` on it.
"""
import csv
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

SOURCE = os.environ.get("CXM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SOURCE, "examples", "data", "responses.csv")
EXAMPLE = os.path.join(SOURCE, "examples", "python", "dask_summary.py")
CXM = os.environ.get("CXM_BIN", "cxm")


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    d = tmp_path_factory.mktemp("parts")
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    paths = []
    for i in range(4):
        p = d / f"part{i}.csv"
        with open(p, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows[i * 3000:(i + 1) * 3000])
        paths.append(str(p))
    return paths


def example(*args):
    env = dict(os.environ, CXM_BIN=CXM)
    p = subprocess.run([sys.executable, EXAMPLE, *args, "--workers", "2"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def whole(*args):
    return subprocess.run([CXM, "summary", SAMPLE, *args], capture_output=True, text=True, check=True).stdout


def test_table_equals_cxm_summary_of_the_whole_file(parts):
    assert example(*parts, "--by", "channel,month") == whole("--by", "channel,month")


def test_json_unweighted_identical(parts):
    got = json.loads(example(*parts, "--by", "segment", "--unweighted", "--format", "json"))
    want = json.loads(whole("--by", "segment", "--unweighted", "--format", "json"))
    assert got.pop("file") is None and len(got.pop("states")) == 1
    want.pop("file")
    assert got == want
    assert [r["n"] for r in got["nps"]][-1] == 12000


def test_worker_killed_mid_run(parts, tmp_path):
    marker = tmp_path / "killed"
    out = example(*parts, "--by", "channel,month", "--kill-once", str(marker))
    assert marker.exists()  # a worker process did die
    assert out == whole("--by", "channel,month")


def test_byte_ranges_of_one_file_equal_cxm_summary(one_line_sample):
    # The sample with its multi-line comments made one line (a range that
    # cuts a file refuses quoted line breaks), read as 7 ranges.
    path = one_line_sample
    size = os.path.getsize(path)
    out = example(str(path), "--by", "channel,month", "--range-bytes", str(size // 7 + 1))
    cli = subprocess.run([CXM, "summary", str(path), "--by", "channel,month"], capture_output=True, text=True,
                         check=True).stdout
    assert out == cli


def test_byte_ranges_refuse_quoted_line_breaks():
    # The sample's comments span lines: cut into ranges, it is refused with
    # the byte of the quote, and a hint to read it whole.
    size = os.path.getsize(SAMPLE)
    env = dict(os.environ, CXM_BIN=CXM)
    p = subprocess.run([sys.executable, EXAMPLE, SAMPLE, "--range-bytes", str(size // 3), "--workers", "2"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1
    assert "opened at byte" in p.stderr and "without --range-bytes" in p.stderr
