"""The counting functions (nps, count_scores, count_nps_by) against closed
forms computed here with numpy and math, and their errors against the C++
error ids (core/error.hpp)."""

import math

import numpy as np
import pytest

import cxmetrics

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def sample(n, seed=7):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 11, size=n, dtype=np.uint8)


def test_nps_value_is_promoters_minus_detractors():
    scores = np.array([10, 9, 9, 8, 7, 6, 3, 10], dtype=np.uint8)
    e = cxmetrics.nps(scores)
    assert e.n == 8
    assert e.value == pytest.approx(100.0 * (4 - 2) / 8)
    assert e.lower < e.value < e.upper
    assert e.level == pytest.approx(0.95)
    assert e.status == "ok"
    assert e.nps.value == e.value
    assert e.promoters.value == pytest.approx(4 / 8)
    assert e.passives.value == pytest.approx(2 / 8)
    assert e.detractors.value == pytest.approx(2 / 8)


def test_wald_and_adjusted_wald_match_their_closed_forms():
    s = sample(100_000)
    n = s.size
    pro = np.count_nonzero(s >= 9)
    det = np.count_nonzero(s <= 6)
    pp, pd = pro / n, det / n
    theta = pp - pd
    se = math.sqrt((pp + pd - theta * theta) / n)
    w = cxmetrics.nps(s, method="wald")
    assert w.value == pytest.approx(100 * theta, rel=1e-12)
    assert w.se == pytest.approx(100 * se, rel=1e-12)
    assert w.lower == pytest.approx(100 * (theta - Z95 * se), rel=1e-9)
    assert w.upper == pytest.approx(100 * (theta + Z95 * se), rel=1e-9)
    assert w.method == "wald"
    # Rocks (2016): 3/4, 3/2, 3/4 pseudo-observations, then Wald.
    nt = n + 3
    pdt, ppt = (det + 0.75) / nt, (pro + 0.75) / nt
    c = ppt - pdt
    half = Z95 * math.sqrt((ppt + pdt - c * c) / nt)
    a = cxmetrics.nps(s)
    assert a.method == "adjusted_wald"
    assert a.value == pytest.approx(100 * theta, rel=1e-12)
    assert a.lower == pytest.approx(100 * (c - half), rel=1e-9)
    assert a.upper == pytest.approx(100 * (c + half), rel=1e-9)


def test_weighted_nps_matches_the_linearized_closed_form():
    rng = np.random.default_rng(3)
    s = sample(50_000, seed=3)
    w = rng.uniform(0.2, 3.0, size=s.size)
    y = np.where(s >= 9, 1.0, np.where(s <= 6, -1.0, 0.0))
    sw = w.sum()
    theta = float((w * y).sum() / sw)
    n = s.size
    # SE^2 = n/(n-1) * sum_cat (y_cat - theta)^2 * sum w^2_cat / (sum w)^2 (metrics/nps.hpp)
    var = n / (n - 1) * sum(
        (yc - theta) ** 2 * float((w[y == yc] ** 2).sum()) for yc in (-1.0, 0.0, 1.0)) / sw ** 2
    for weights in (w, w.astype(np.float32)):
        r = cxmetrics.nps(s, weights=weights, method="wald")
        tol = 1e-12 if weights.dtype == np.float64 else 1e-6
        assert r.value == pytest.approx(100 * theta, rel=tol)
        assert r.se == pytest.approx(100 * math.sqrt(var), rel=max(tol, 1e-9))
        assert r.effective_n == pytest.approx(sw ** 2 / float((w ** 2).sum()), rel=max(tol, 1e-9))
        assert r.n == n


def test_results_do_not_depend_on_the_thread_count():
    s = sample(3_000_000, seed=11)
    w = np.random.default_rng(11).uniform(0.5, 2.0, size=s.size).astype(np.float32)
    one = cxmetrics.nps(s, weights=w, threads=1)
    for t in (0, 2, 3):
        assert cxmetrics.nps(s, weights=w, threads=t) == one
    assert cxmetrics.nps(s, threads=0) == cxmetrics.nps(s, threads=1)


@pytest.mark.parametrize("method", ["wald", "adjusted_wald", "bayes_dirichlet", "bootstrap", "tango", "t"])
def test_every_nps_method_by_its_name(method):
    r = cxmetrics.nps(sample(2000), method=method, level=0.9)
    assert r.method == method
    assert r.level == pytest.approx(0.9)
    assert r.lower <= r.upper


def test_a_method_that_is_not_an_nps_one_raises_the_cxx_error():
    with pytest.raises(cxmetrics.InvalidArgument) as info:
        cxmetrics.nps(sample(10), method="wilson")
    assert info.value.id == 201
    assert "adjusted_wald" in str(info.value)
    with pytest.raises(ValueError, match="known: wald, adjusted_wald"):
        cxmetrics.nps(sample(10), method="Wald")
    with pytest.raises(cxmetrics.InvalidArgument):
        cxmetrics.nps(sample(10), level=1.5)


def test_empty_input_is_no_data():
    r = cxmetrics.nps(np.zeros(0, dtype=np.uint8))
    assert r.n == 0
    assert r.status == "no_data"
    assert math.isnan(r.value)


def test_count_scores_is_the_bincount():
    s = sample(200_001, seed=5)
    h = cxmetrics.count_scores(s)
    assert h.counts.dtype == np.uint64
    assert list(h.counts) == list(np.bincount(s, minlength=11))
    assert list(h.scores) == list(range(11))
    assert h.weights is None and not h.weighted
    w = np.random.default_rng(5).uniform(0, 2, size=s.size)
    hw = cxmetrics.count_scores(s, weights=w)
    np.testing.assert_allclose(hw.weights, np.bincount(s, weights=w, minlength=11), rtol=1e-12)
    np.testing.assert_allclose(hw.weights_sq, np.bincount(s, weights=w * w, minlength=11), rtol=1e-12)
    assert list(hw.counts) == list(h.counts)


def test_count_scores_on_other_scales():
    s = np.array([1, 5, 5, 3], dtype=np.uint8)
    assert list(cxmetrics.count_scores(s, scale="csat").counts) == [1, 0, 1, 0, 2]
    assert list(cxmetrics.count_scores(s, scale=(1, 7)).counts) == [1, 0, 1, 0, 2, 0, 0]
    with pytest.raises(TypeError):
        cxmetrics.count_scores(s, scale=(1.5, "x"))
    with pytest.raises(cxmetrics.InvalidArgument):
        cxmetrics.count_scores(s, scale="stars")
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.count_scores(np.array([1, 2, 0], dtype=np.uint8), scale="csat")
    assert info.value.id == 101
    assert info.value.location["row"] == 2


def test_count_nps_by_equals_nps_of_each_group():
    rng = np.random.default_rng(9)
    n = 400_000
    s = rng.integers(0, 11, size=n, dtype=np.uint8)
    channel = rng.integers(0, 5, size=n).astype(np.uint8)
    month = rng.integers(0, 12, size=n)  # int64: converted once
    month[month == 7] = 8  # month 7 holds no row
    out = cxmetrics.count_nps_by(s, channel, month, method="wald")
    keys = list(out)
    assert keys == sorted(keys)
    assert len(keys) == 5 * 11
    assert (0, 7) not in out
    for (c, m), r in out.items():
        g = s[(channel == c) & (month == m)]
        theta = (np.count_nonzero(g >= 9) - np.count_nonzero(g <= 6)) / g.size
        assert r.n == g.size
        assert r.value == pytest.approx(100 * theta, rel=1e-12, abs=1e-12)
        assert r == cxmetrics.nps(g, method="wald")


def test_count_nps_by_weighted_and_with_cardinalities():
    rng = np.random.default_rng(4)
    s = rng.integers(0, 11, size=10_000, dtype=np.uint8)
    k = rng.integers(0, 3, size=s.size).astype(np.uint16)
    w = rng.uniform(0.5, 1.5, size=s.size)
    out = cxmetrics.count_nps_by(s, k, weights=w, cardinalities=[4], method="wald")
    assert list(out) == [(0,), (1,), (2,)]
    for (key,), r in out.items():
        g = k == key
        y = np.where(s[g] >= 9, 1.0, np.where(s[g] <= 6, -1.0, 0.0))
        assert r.value == pytest.approx(100 * (w[g] * y).sum() / w[g].sum(), rel=1e-12)
    with pytest.raises(cxmetrics.InvalidValue) as info:
        cxmetrics.count_nps_by(s, k, cardinalities=[2])
    assert info.value.id == 105
    assert info.value.location["row"] == int(np.argmax(k >= 2))


def test_a_negative_key_is_an_invalid_value_naming_its_row():
    with pytest.raises(cxmetrics.InvalidValue) as info:
        cxmetrics.count_nps_by(np.array([1, 2, 3], dtype=np.uint8), np.array([0, -1, 0]))
    assert info.value.id == 105
    assert info.value.location["row"] == 1


def test_score_out_of_scale_raises_with_the_cxx_id():
    scores = np.array([10, 11], dtype=np.uint8)
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.nps(scores)
    assert info.value.id == 101
    assert info.value.kind == "score_out_of_scale"
    assert info.value.location.get("row") == 1
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, cxmetrics.Error)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint16, np.uint64])
def test_other_integer_dtypes_are_converted_with_a_range_check(dtype):
    s = sample(1000)
    assert cxmetrics.nps(s.astype(dtype)) == cxmetrics.nps(s)
    bad = s.astype(dtype)
    bad[17] = 256 + 9  # would wrap to 9 in uint8
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.nps(bad)
    assert info.value.location["row"] == 17


def test_a_negative_score_in_a_signed_array_names_its_row():
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.nps(np.array([1, 2, -3, 4], dtype=np.int8))
    assert info.value.location["row"] == 2


def test_a_list_of_ints_is_read():
    assert cxmetrics.nps([10, 9, 0]).value == pytest.approx(100 / 3)


@pytest.mark.parametrize("bad", [np.array([1.0, 2.0]), np.array([True, False]), np.array(["9", "10"])])
def test_floats_bools_and_strings_are_a_type_error(bad):
    with pytest.raises(TypeError):
        cxmetrics.nps(bad)


def test_negative_nan_and_infinite_weights_raise_with_the_row():
    s = sample(10)
    for value in (-1.0, float("nan"), float("inf")):
        w = np.ones(10)
        w[6] = value
        with pytest.raises(cxmetrics.InvalidWeight) as info:
            cxmetrics.nps(s, weights=w)
        assert info.value.id == 102
        assert info.value.location["row"] == 6
        assert info.value.location["field"] == "weight"


def test_weights_of_another_length_are_refused():
    with pytest.raises(cxmetrics.InvalidArgument):
        cxmetrics.nps(sample(10), weights=np.ones(9))


def test_help_reads_like_the_header():
    doc = cxmetrics.nps.__doc__
    assert "Reichheld" in doc and "adjusted_wald" in doc and "ScoreOutOfScale" in doc
    assert "without a copy" in cxmetrics.count_nps_by.__doc__


def test_the_gil_is_released_while_counting():
    # The main thread spins, noting the time, while another thread counts.
    # Holding the GIL, the count would stop the main thread for its whole
    # duration (one gap as long as the call); released, the main thread
    # keeps running, so its longest pause is a small part of the call.
    import threading
    import time

    rng = np.random.default_rng(1)
    n = 20_000_000
    s = rng.integers(0, 11, size=n, dtype=np.uint8)
    k = (np.arange(n) % 7).astype(np.uint8)
    w = np.ones(n, dtype=np.float32)
    span = {}

    def count():
        span["start"] = time.perf_counter()
        cxmetrics.count_nps_by(s, k, weights=w, threads=1)  # weighted: row order, one thread
        span["end"] = time.perf_counter()

    t = threading.Thread(target=count)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
    t.join()
    inside = [x for x in ticks if span["start"] <= x <= span["end"]]
    duration = span["end"] - span["start"]
    assert duration > 0.02
    gaps = np.diff([span["start"], *inside, span["end"]])
    assert gaps.max() < 0.5 * duration, (gaps.max(), duration)
