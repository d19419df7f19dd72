"""cxmetrics.read against Python's csv module and against cxm's rejects."""

import csv
import os
import subprocess

import numpy as np
import pytest

import cxmetrics

SOURCE = os.environ.get("CXM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SOURCE, "examples", "data", "responses.csv")


def sample_rows():
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_columns_equal_the_file_read_by_the_csv_module():
    rows = sample_rows()
    r = cxmetrics.read(SAMPLE)
    assert len(r) == len(rows)
    cols = r.columns
    for name in ("nps", "csat", "ces"):
        want = np.array([int(x[name]) if x[name].strip() else cxmetrics.MISSING_SCORE for x in rows])
        assert cols[name].dtype == np.uint8
        assert np.array_equal(cols[name], want), name
    channels = r.labels["channel"]
    assert [channels[i] for i in cols["channel"]] == [x["channel"] for x in rows]
    agents = r.labels["agent"]
    assert [agents[i] for i in cols["agent"]] == [x["agent"] for x in rows]
    assert np.allclose(cols["weight"], [float(x["weight"]) for x in rows])
    assert list(cols["why"]) == [x["why"] for x in rows]
    assert r.columns["why"] is cols["why"]  # converted once, not on every access
    # Missing counts: the summary's per-field count is the empty cells.
    s = r.summary
    assert s["rows_read"] == s["accepted"] + s["rejected"] == len(rows)
    assert s["missing_by_field"]["ces"] == sum(1 for x in rows if not x["ces"].strip())


def test_columns_are_views_of_one_table_not_copies():
    r = cxmetrics.read(SAMPLE)
    a = r.columns["nps"]
    b = r.columns["nps"]
    assert a.base is not None and not a.flags.owndata
    assert a.ctypes.data == b.ctypes.data  # the same memory each time
    assert not a.flags.writeable
    del r  # the arrays keep the table alive
    assert int(a.sum()) == int(b.sum()) > 0


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BAD = (
    "id,channel,nps,weight\n"
    "a,phone,9,1\n"
    "b,phone,11,1\n"      # line 3: score out of scale
    "c,chat,abc,1\n"      # line 4: not a number (a parse error of the field)
    "d,chat,7,-2\n"       # line 5: negative weight
    "e,web,0,1\n"
)


def test_rejects_are_kept_counted_and_equal_to_cxm(tmp_path):
    p = write(tmp_path, "bad.csv", BAD)
    r = cxmetrics.read(p)
    s = r.summary
    assert (s["rows_read"], s["accepted"], s["rejected"]) == (5, 2, 3)
    assert [x["line"] for x in r.rejects] == [3, 4, 5]
    assert [x["error_id"] for x in r.rejects] == [101, 301, 102]
    assert np.array_equal(r.columns["nps"], np.array([9, 0], dtype=np.uint8))
    cxm = os.environ.get("CXM_BIN")
    if not cxm:
        pytest.skip("CXM_BIN not set")
    out = tmp_path / "rejects.csv"
    subprocess.run([cxm, "summary", str(p), "--rejects", str(out), "--format", "json"], check=True,
                   capture_output=True)
    with open(out, newline="", encoding="utf-8") as f:
        theirs = list(csv.DictReader(f))
    assert [(int(x["line"]), int(x["error_id"]), x["cause"], x["reason"]) for x in theirs] == [
        (x["line"], x["error_id"], x["cause"], x["reason"]) for x in r.rejects]


def test_strict_raises_the_first_bad_row_with_its_id_and_place(tmp_path):
    p = write(tmp_path, "bad.csv", BAD)
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.read(p, strict=True)
    e = info.value
    assert e.id == 101 and e.kind == "score_out_of_scale"
    assert e.location["line"] == 3 and e.location["field"] == "nps"


def test_options_are_cxms_flags(tmp_path):
    p = write(tmp_path, "semi.txt", "Kanava;Suositus\nphone;9\nchat;3\n")
    r = cxmetrics.read(p, format="csv", delimiter=";", columns={"channel": "Kanava", "nps": "Suositus"})
    assert list(r.columns["nps"]) == [9, 3]
    assert r.report["delimiter"] == ";" and r.report["delimiter_detected"] is False
    with pytest.raises(cxmetrics.ParseError) as info:
        cxmetrics.read(p, format="csv", delimiter=";", columns={"nps": "Recommend"})
    assert info.value.id == 301 and "Suositus" in str(info.value)
    with pytest.raises(cxmetrics.InvalidArgument) as info:
        cxmetrics.read(p, delimiter=";;")
    assert info.value.location["field"] == "delimiter"
    with pytest.raises(TypeError, match="delimeter"):
        cxmetrics.read(p, delimeter=";")


def test_declared_fields_and_closed_channels(tmp_path):
    p = write(tmp_path, "q.csv", "channel,nps,q1,region\nphone,9,5,north\nfax,8,2,south\nchat,7,,north\n")
    r = cxmetrics.read(p, fields=["q1:score:1-5", "region:category"], channels=["phone", "chat"])
    assert r.kinds["q1"] == "score" and r.kinds["region"] == "category"
    assert list(r.columns["q1"]) == [5, cxmetrics.MISSING_SCORE]
    assert [r.labels["region"][i] for i in r.columns["region"]] == ["north", "north"]
    assert [x["error_id"] for x in r.rejects] == [103]


def test_to_frame_marks_missing_values():
    pd = pytest.importorskip("pandas")
    rows = sample_rows()
    f = cxmetrics.read(SAMPLE).to_frame()
    assert len(f) == len(rows)
    assert int(f["ces"].isna().sum()) == sum(1 for x in rows if not x["ces"].strip())
    assert list(f["channel"].astype(str)[:5]) == [x["channel"] for x in rows[:5]]
    assert str(f["timestamp"].dtype).startswith("datetime64")
    first = pd.Timestamp(rows[0]["timestamp"])
    first = first.tz_convert("UTC") if first.tzinfo else first.tz_localize("UTC")
    assert f["timestamp"].iloc[0] == first
