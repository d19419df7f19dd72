"""The counting functions against closed forms computed here."""

import math

import numpy as np
import pytest

import cxmetrics


def test_nps_value_is_promoters_minus_detractors():
    scores = np.array([10, 9, 9, 8, 7, 6, 3, 10], dtype=np.uint8)
    e = cxmetrics.nps(scores)
    assert e.n == 8
    assert e.value == pytest.approx(100.0 * (4 - 2) / 8)
    assert e.lower < e.value < e.upper
    assert e.level == pytest.approx(0.95)
    assert e.status == "ok"


def test_score_out_of_scale_raises_with_the_cxx_id():
    scores = np.array([10, 11], dtype=np.uint8)
    with pytest.raises(cxmetrics.ScoreOutOfScale) as info:
        cxmetrics.nps(scores)
    assert info.value.id == 101
    assert info.value.kind == "score_out_of_scale"
    assert info.value.location.get("row") == 1
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, cxmetrics.Error)


def test_wrong_dtype_is_a_type_error():
    with pytest.raises(TypeError):
        cxmetrics.nps(np.array([1.0, 2.0]))
