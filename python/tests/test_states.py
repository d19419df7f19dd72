"""The states (accumulators, MetricSet, GroupBy): results against `cxm
summary` on the same file and against closed forms, pickling through the
binary form, and the C++ error ids of bad input and incompatible merges."""

import csv
import json
import math
import multiprocessing
import os
import pickle
import subprocess

import numpy as np
import pytest

import cxmetrics

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
SOURCE = os.environ.get("CXM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
RESPONSES = os.path.join(SOURCE, "examples", "data", "responses.csv")


def read_responses():
    """The columns of responses.csv read with the csv module (255: no answer)."""
    with open(RESPONSES, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    def score(v):
        return 255 if v == "" else int(v)

    flag = {"yes": 1, "no": 0, "unknown": -1, "": -1}
    channels = sorted({r["channel"] for r in rows})
    return {
        "nps": np.array([score(r["nps"]) for r in rows], dtype=np.uint8),
        "csat": np.array([score(r["csat"]) for r in rows], dtype=np.uint8),
        "ces": np.array([score(r["ces"]) for r in rows], dtype=np.uint8),
        "resolved": np.array([flag[r["resolved"]] for r in rows], dtype=np.int8),
        "weights": np.array([float(r["weight"]) for r in rows]),
        "channel": np.array([channels.index(r["channel"]) for r in rows], dtype=np.uint8),
        "channels": channels,
    }


def cxm_summary(*args):
    cxm = os.environ.get("CXM_BIN")
    if not cxm:
        pytest.skip("CXM_BIN is not set (the cxm tool is not built)")
    out = subprocess.run([cxm, "summary", RESPONSES, "--format", "json", "-q", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def same(estimate, row):
    assert estimate.n == row["n"]
    assert estimate.status == row["status"]
    for field in ("value", "se", "lower", "upper", "effective_n"):
        assert getattr(estimate, field) == pytest.approx(row[field], rel=1e-9), field
    assert estimate.method == row["interval_method"]


def check_against_summary(results, rows):
    same(results["nps"].nps, rows["nps"])
    same(results["csat"].satisfied, rows["csat"])
    same(results["csat"].mean, rows["csat_mean"])
    same(results["ces"].mean, rows["ces"])
    same(results["ces"].easy, rows["ces_easy"])
    same(results["resolution"].rate, rows["resolution"])


def test_metric_set_equals_cxm_summary():
    cols = read_responses()
    s = cxmetrics.MetricSet()
    s.add(nps=cols["nps"], csat=cols["csat"], ces=cols["ces"], resolved=cols["resolved"], weights=cols["weights"])
    assert s.count == 12000
    summary = cxm_summary()
    check_against_summary(s.result(), {k: summary[k][0] for k in summary if isinstance(summary[k], list) and summary[k]})


def test_group_by_equals_cxm_summary_by_channel():
    cols = read_responses()
    g = cxmetrics.GroupBy(len(cols["channels"]))
    g.add(cols["channel"], nps=cols["nps"], csat=cols["csat"], ces=cols["ces"], resolved=cols["resolved"],
          weights=cols["weights"])
    assert len(g) == 5 and g.count == 12000
    summary = cxm_summary("--by", "channel")
    results = g.result()
    assert list(results) == [0, 1, 2, 3, 4]
    for key, r in results.items():
        label = cols["channels"][key]
        rows = {k: next(x for x in summary[k] if x["channel"] == label)
                for k in ("nps", "csat", "csat_mean", "ces", "ces_easy", "resolution")}
        check_against_summary(r, rows)


def test_one_by_one_equals_the_column():
    cols = read_responses()
    one = cxmetrics.NpsAccumulator()
    for v, w in zip(cols["nps"], cols["weights"]):
        one.add(int(v), float(w))
    col = cxmetrics.NpsAccumulator()
    col.add(cols["nps"], weights=cols["weights"])
    assert list(one.histogram.counts) == list(col.histogram.counts)
    np.testing.assert_allclose(one.histogram.weights, col.histogram.weights, rtol=1e-12)
    np.testing.assert_allclose(one.histogram.weights_sq, col.histogram.weights_sq, rtol=1e-12)


def wilson(x, n, z=Z95):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_csat_ces_and_resolution_against_closed_forms():
    rng = np.random.default_rng(21)
    csat = rng.integers(1, 6, size=5000, dtype=np.uint8)
    a = cxmetrics.CsatAccumulator()  # top-2 box: 4-5
    a.add(csat)
    r = a.result()
    top = int(np.count_nonzero(csat >= 4))
    assert r.satisfied.value == pytest.approx(top / csat.size, rel=1e-12)
    lo, hi = wilson(top, csat.size)
    assert (r.satisfied.lower, r.satisfied.upper) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
    assert r.mean.value == pytest.approx(csat.mean(), rel=1e-12)
    assert r.mean.se == pytest.approx(csat.std(ddof=1) / math.sqrt(csat.size), rel=1e-9)
    assert cxmetrics.CsatAccumulator(top_box=1).top_box == 1

    ces = rng.integers(1, 8, size=3000, dtype=np.uint8)
    c = cxmetrics.CesAccumulator(easy_min=6)
    c.add(ces)
    assert c.result().easy.value == pytest.approx(np.count_nonzero(ces >= 6) / ces.size, rel=1e-12)
    assert c.result().mean.value == pytest.approx(ces.mean(), rel=1e-12)

    flags = rng.integers(-1, 2, size=4000).astype(np.int8)
    res = cxmetrics.ResolutionAccumulator()
    res.add(flags)
    yes, no = int(np.count_nonzero(flags == 1)), int(np.count_nonzero(flags == 0))
    rr = res.result()
    assert (rr.yes, rr.no, rr.unknown) == (yes, no, flags.size - yes - no)
    assert rr.rate.value == pytest.approx(yes / (yes + no), rel=1e-12)
    lo, hi = wilson(yes, yes + no)
    assert rr.rate.lower == pytest.approx(lo, rel=1e-9) and rr.rate.upper == pytest.approx(hi, rel=1e-9)
    assert res.result(method="jeffreys").rate.method == "jeffreys"


def states():
    """One of every state, weighted and not, filled from seeded data."""
    rng = np.random.default_rng(8)
    n = 2000
    nps = rng.integers(0, 11, size=n, dtype=np.uint8)
    csat = rng.integers(1, 6, size=n, dtype=np.uint8)
    ces = rng.integers(1, 8, size=n, dtype=np.uint8)
    flags = rng.integers(-1, 2, size=n).astype(np.int8)
    w = rng.uniform(0.25, 4.0, size=n)
    keys = rng.integers(0, 6, size=n).astype(np.uint8)
    out = []
    for weights in (None, w):
        a = cxmetrics.NpsAccumulator()
        a.add(nps, weights=weights)
        b = cxmetrics.CsatAccumulator(top_box=1)
        b.add(csat, weights=weights)
        c = cxmetrics.CesAccumulator()
        c.add(ces, weights=weights)
        d = cxmetrics.ResolutionAccumulator()
        d.add(flags, weights=weights)
        s = cxmetrics.MetricSet()
        s.add(nps=nps, csat=csat, ces=ces, resolved=flags, weights=weights)
        g = cxmetrics.GroupBy(6)
        g.add(keys, nps=nps, csat=csat, ces=ces, resolved=flags, weights=weights)
        out += [a, b, c, d, s, g]
    out += [cxmetrics.NpsAccumulator(), cxmetrics.GroupBy(3)]
    return out


@pytest.mark.parametrize("state", states(), ids=repr)
def test_pickle_round_trip(state):
    back = pickle.loads(pickle.dumps(state))
    assert type(back) is type(state)
    assert back == state
    assert back.to_bytes() == state.to_bytes()
    assert type(state).from_bytes(state.to_bytes()) == state
    # merging after the round trip equals merging before
    before = pickle.loads(pickle.dumps(state))
    before.merge(state)
    after = pickle.loads(pickle.dumps(state))
    after.merge(pickle.loads(pickle.dumps(state)))
    assert after == before
    assert after.count == 2 * state.count


def corrupted_pickle(state, at):
    """A pickle of `state` with byte `at` of its binary form flipped."""
    data = state.to_bytes()
    blob = pickle.dumps(state, protocol=4)
    start = blob.index(data)
    i = start + at
    return blob[:i] + bytes([blob[i] ^ 0x5A]) + blob[i + 1:]


@pytest.mark.parametrize("state", states()[:6], ids=repr)
def test_a_corrupt_pickle_raises_serialization_error(state):
    n = len(state.to_bytes())
    for at in (0, 5, 20, n - 1):  # magic, version, payload (CRC), last byte
        with pytest.raises(cxmetrics.SerializationError) as info:
            pickle.loads(corrupted_pickle(state, at))
        assert info.value.id == 401
    with pytest.raises(cxmetrics.SerializationError):
        type(state).from_bytes(state.to_bytes()[:-3])


def test_bytes_of_another_state_are_refused():
    with pytest.raises(cxmetrics.SerializationError) as info:
        cxmetrics.CsatAccumulator.from_bytes(cxmetrics.NpsAccumulator().to_bytes())
    assert info.value.id == 401


def test_incompatible_merges_raise_202_and_change_nothing():
    pairs = [
        (cxmetrics.CsatAccumulator(top_box=1), cxmetrics.CsatAccumulator(top_box=2)),
        (cxmetrics.CesAccumulator(easy_min=5), cxmetrics.CesAccumulator(easy_min=4)),
        (cxmetrics.MetricSet(csat_top_box=1), cxmetrics.MetricSet()),
        (cxmetrics.GroupBy(3), cxmetrics.GroupBy(4)),
    ]
    for a, b in pairs:
        if isinstance(a, cxmetrics.GroupBy):
            a.add(np.array([0, 2], dtype=np.uint8), nps=np.array([9, 3], dtype=np.uint8))
        elif isinstance(a, cxmetrics.MetricSet):
            a.add(nps=np.array([9, 3], dtype=np.uint8))
        else:
            a.add(3)
        copy = pickle.loads(pickle.dumps(a))
        with pytest.raises(cxmetrics.IncompatibleMerge) as info:
            a.merge(b)
        assert info.value.id == 202
        assert a == copy


def test_a_bad_row_raises_with_its_id_and_row_and_changes_nothing():
    a = cxmetrics.NpsAccumulator()
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        a.add(np.array([1, 2, 3, 11, 4], dtype=np.uint8))
    assert (info.value.id, info.value.location["row"]) == (101, 3)
    assert a.count == 0
    with pytest.raises(cxmetrics.InvalidWeight) as info:
        a.add(np.array([1, 2], dtype=np.uint8), weights=np.array([1.0, -2.0]))
    assert (info.value.id, info.value.location["row"]) == (102, 1)
    with pytest.raises(cxmetrics.ScoreOutOfScale):
        a.add(11)
    with pytest.raises(TypeError):
        a.add(9.5)
    assert a.count == 0

    r = cxmetrics.ResolutionAccumulator()
    with pytest.raises(cxmetrics.InvalidValue) as info:
        r.add(np.array([1, 0, 2], dtype=np.int8))
    assert (info.value.id, info.value.location["row"]) == (105, 2)
    with pytest.raises(cxmetrics.InvalidValue):
        r.add(3)
    assert r.count == 0

    s = cxmetrics.MetricSet()
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        s.add(nps=np.array([9, 9], dtype=np.uint8), csat=np.array([5, 6], dtype=np.uint8))
    assert info.value.location == {"row": 1, "field": "csat"}
    assert s.count == 0

    g = cxmetrics.GroupBy(2)
    with pytest.raises(cxmetrics.InvalidValue) as info:
        g.add(np.array([0, 1, 2], dtype=np.uint8), nps=np.array([9, 9, 9], dtype=np.uint8))
    assert (info.value.id, info.value.location["row"]) == (105, 2)
    assert g.count == 0 and len(g) == 0


def test_group_by_groups_are_metric_sets_by_ascending_key():
    g = cxmetrics.GroupBy(10)
    g.add(np.array([7, 2, 7, 2, 5]), nps=np.array([10, 0, 9, 6, 8], dtype=np.uint8))
    groups = g.groups()
    assert list(groups) == [2, 5, 7]
    assert groups[7].nps.result().value == pytest.approx(100.0)
    assert groups[2].nps.result().value == pytest.approx(-100.0)
    assert groups[5].count == 1


def _shard_state(args):
    scores, keys = args
    g = cxmetrics.GroupBy(4)
    g.add(keys, nps=scores)
    return pickle.dumps(g)


def test_states_made_in_other_processes_merge_to_the_whole():
    rng = np.random.default_rng(12)
    scores = rng.integers(0, 11, size=40_000, dtype=np.uint8)
    keys = rng.integers(0, 4, size=scores.size).astype(np.uint8)
    shards = [(scores[i::3].copy(), keys[i::3].copy()) for i in range(3)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        parts = [pickle.loads(b) for b in pool.map(_shard_state, shards)]
    merged = parts[0]
    for p in parts[1:]:
        merged.merge(p)
    whole = cxmetrics.GroupBy(4)
    whole.add(keys, nps=scores)
    assert merged == whole


def test_the_type_hints_name_everything_the_module_has():
    import ast
    import inspect

    stub = os.path.join(os.path.dirname(cxmetrics.__file__), "_core.pyi")
    with open(stub, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    hinted = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            hinted[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            hinted[node.name] = [a.arg for a in node.args.args + node.args.kwonlyargs]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            hinted[node.target.id] = []
    public = [name for name in dir(cxmetrics._core) if not name.startswith("_")]
    assert sorted(set(public) - set(hinted)) == []
    for name in ("nps", "count_scores", "count_nps_by"):
        # pybind11 writes the C++ signature first in the docstring
        signature = getattr(cxmetrics, name).__doc__.splitlines()[0]
        for arg in hinted[name]:
            assert arg + ":" in signature or arg + "=" in signature or f"*{arg}" in signature, (name, arg)
    for name, methods in hinted.items():
        cls = getattr(cxmetrics, name, None)
        if inspect.isclass(cls) and not issubclass(cls, BaseException):
            missing = [m for m in methods if not m.startswith("_") and not hasattr(cls, m)]
            assert missing == [], (name, missing)
