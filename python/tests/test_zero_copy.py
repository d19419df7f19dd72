"""Arrays reach the engine without copies.

Each case runs in a fresh interpreter: it fills a buffer a little larger than
n = 10^7 rows, takes a view of it (so the engine's input is a NumPy view
whose base is the larger buffer), warms the call up on a small input, and
then reports how much the process's peak resident size (ru_maxrss) grew
during the call on the view. A copy of the scores alone would add n bytes
(about 9800 KiB); the cases that must not copy are allowed n/16. Control
cases, whose inputs the documentation says are copied once, must grow by
at least a third of the copy, which shows that the measure sees a copy.
tracemalloc (which sees NumPy's allocations) checks the same for the
conversions done in NumPy."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cxmetrics

N = 10_000_000

PRELUDE = textwrap.dedent("""
    import resource, sys, tracemalloc
    import numpy as np
    import cxmetrics
    N = int(sys.argv[1])
    def filled(dtype, size, values):
        a = np.empty(size, dtype=dtype)
        a[:] = values[0]
        for i, v in enumerate(values[1:], 1):
            a[i::len(values)] = v
        return a
    big = filled(np.uint8, N + 8192, [10, 9, 7, 3, 0, 6, 8])
    scores = big[4096:4096 + N]
    assert scores.base is big and np.shares_memory(scores, big)
    keys_big = filled(np.uint8, N + 8192, [0, 1, 2, 3])
    keys = keys_big[4096:4096 + N]
    flags = filled(np.int8, N, [1, 0, -1])
    w32 = filled(np.float32, N + 8192, [0.5, 1.5, 1.0])[4096:4096 + N]
    w64 = filled(np.float64, N + 8192, [0.5, 1.5, 1.0])[4096:4096 + N]
    def peak_kib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
""")


def grown_kib(setup, call, warm, n=N):
    """Peak RSS growth (KiB) of `call` on n rows, after `setup` and a warm-up `warm`."""
    code = PRELUDE + textwrap.dedent(f"""
        {setup}
        {warm}
        before = peak_kib()
        result = {call}
        print(peak_kib() - before)
    """)
    out = subprocess.run([sys.executable, "-c", code, str(n)], check=True, capture_output=True, text=True,
                         env=dict(os.environ))
    return int(out.stdout.split()[-1])


LIMIT_KIB = N // 16 // 1024  # n/16 bytes
COPY_KIB = N // 1024  # one byte per row

NO_COPY = {
    "nps": ("cxmetrics.nps(scores, threads=0)", "cxmetrics.nps(scores[:3000000])"),
    "nps_float32_weights": ("cxmetrics.nps(scores, weights=w32)",
                            "cxmetrics.nps(scores[:3000000], weights=w32[:3000000])"),
    "nps_float64_weights": ("cxmetrics.nps(scores, weights=w64)",
                            "cxmetrics.nps(scores[:3000000], weights=w64[:3000000])"),
    "count_scores": ("cxmetrics.count_scores(scores)", "cxmetrics.count_scores(scores[:3000000])"),
    "count_nps_by": ("cxmetrics.count_nps_by(scores, keys)", "cxmetrics.count_nps_by(scores[:3000000], keys[:3000000])"),
    "accumulator": ("acc.add(scores, weights=w32)", "cxmetrics.NpsAccumulator().add(scores[:3000000])"),
    "resolution": ("res.add(flags)", "cxmetrics.ResolutionAccumulator().add(flags[:3000000])"),
    "metric_set": ("ms.add(nps=scores, csat=csat, ces=ces, resolved=flags)",
                   "cxmetrics.MetricSet().add(nps=scores[:99], csat=csat[:99], ces=ces[:99], resolved=flags[:99])"),
    "group_by": ("g.add(keys, nps=scores, csat=csat, ces=ces, resolved=flags)",
                 "cxmetrics.GroupBy(4).add(keys[:99], nps=scores[:99], csat=csat[:99], ces=ces[:99], "
                 "resolved=flags[:99])"),
}
SETUP = ("acc = cxmetrics.NpsAccumulator(); res = cxmetrics.ResolutionAccumulator(); ms = cxmetrics.MetricSet(); "
         "g = cxmetrics.GroupBy(4); csat = filled(np.uint8, N, [1, 5, 4]); ces = filled(np.uint8, N, [7, 2, 255])")


@pytest.mark.parametrize("case", sorted(NO_COPY))
def test_no_allocation_proportional_to_n(case):
    call, warm = NO_COPY[case]
    grown = grown_kib(SETUP, call, warm)
    assert grown < LIMIT_KIB, f"{case}: peak RSS grew by {grown} KiB (a copy of the scores is {COPY_KIB} KiB)"


def test_weighted_columns_with_missing_answers_use_working_memory_bounded_by_the_chunk():
    # Columns holding missing answers (255, resolved -1) are counted on the
    # byte range 0..255; weighted, the engine keeps per-block sums of one
    # chunk (2^20 rows) per thread in flight: a few MiB whatever n, so
    # doubling n must not grow the peak by anything like a copy.
    call = "ms.add(nps=scores, csat=csat, ces=ces, resolved=flags, weights=w64, threads=2)"
    warm = NO_COPY["metric_set"][1]
    at_n = grown_kib(SETUP, call, warm, N)
    at_2n = grown_kib(SETUP, call, warm, 2 * N)
    # A copy of the scores would add COPY_KIB more at 2n than at n.
    assert at_2n - at_n < COPY_KIB // 4, f"peak grew by {at_n} KiB at n and {at_2n} KiB at 2n"


def test_the_measure_sees_a_copy():
    # int16 scores are copied once into bytes (documented): the peak grows by n bytes.
    # (The warm-ups are small: memory they free could be reused by the copy.)
    # Controls copy 3n rows (3 * COPY_KIB), so that memory freed earlier
    # and reused by the copy cannot hide it.
    grown = grown_kib("s16 = filled(np.int16, 3 * N, [9, 3])", "cxmetrics.nps(s16)", "cxmetrics.nps(s16[:1000])")
    assert grown > COPY_KIB
    # A strided uint8 view is copied once too.
    grown = grown_kib("big2 = filled(np.uint8, 6 * N, [9, 3])", "cxmetrics.nps(big2[::2])",
                      "cxmetrics.nps(big2[:1000:2])")
    assert grown > COPY_KIB


def test_tracemalloc_sees_no_numpy_copy_of_a_view_or_of_float_weights():
    big = np.full(N + 4096, 9, dtype=np.uint8)
    view = big[2048:2048 + N]
    w = np.ones(N + 4096, dtype=np.float32)[2048:2048 + N]
    assert view.base is big
    import tracemalloc
    tracemalloc.start()
    try:
        r = cxmetrics.nps(view, weights=w)
        _, peak = tracemalloc.get_traced_memory()
        assert peak < 64 * 1024
        tracemalloc.reset_peak()
        cxmetrics.nps(view, weights=w.astype(np.int64))  # integer weights: converted by NumPy
        _, peak = tracemalloc.get_traced_memory()
        assert peak >= 8 * N  # the float64 copy
    finally:
        tracemalloc.stop()
    assert r.n == N and r.value == pytest.approx(100.0)


def test_a_view_reads_the_rows_it_shows():
    rng = np.random.default_rng(2)
    big = rng.integers(0, 11, size=1_000_000, dtype=np.uint8)
    big[:1000] = 11  # outside the view: never read
    view = big[1000:900_000]
    assert cxmetrics.nps(view) == cxmetrics.nps(view.copy())
    strided = big[1000::3]
    assert cxmetrics.nps(strided) == cxmetrics.nps(np.ascontiguousarray(strided))
