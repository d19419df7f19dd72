#!/usr/bin/env python3
"""Dask scale-out of `cxm summary` states: 2 workers against 1 in the same
run, and the share of the run spent moving and merging states.

  PYTHONPATH=build/dev/python /usr/bin/python3 benchmarks/dask_benchmark.py            # 8 files of 10^7 rows
  PYTHONPATH=build/dev/python /usr/bin/python3 benchmarks/dask_benchmark.py --rows 1000000 --dir /tmp/cxm-dask

Files are written once into --dir (kept for later runs): a block of 10^5
random rows (seeded; timestamp in 2024, four channels, NPS 0-10, CSAT 1-5,
CES 1-7, resolved yes/no/empty, weight) repeated to --rows rows, so the
reader parses every row of every file. Each configuration runs the example's
pipeline (examples/python/dask_summary.py: one cxmetrics.summarize task per
file, tree reduction of the states) on a LocalCluster of worker processes,
one thread each, after a warm-up run that starts the workers and fills the
page cache. Both clusters stay up and are timed in alternation (1 worker,
2 workers, 1, 2, ...), so a drift of the machine's load falls on both.

Reported per pair: wall times and their ratio; in all, the median of the
--pairs ratios (target >= 1.7 on 2 free cores), the serialized bytes of the
states that travel, and, from Dask's task stream, the time spent in
transfers between workers plus the compute time of the merge tasks, as a
share of the 2-worker run's worker time (wall x 2; target <= 2 %), median
over the pairs. Each pair also times the same work on two plain processes
(multiprocessing, no Dask; states merged in this process): the ceiling that
two cores give at that moment, so a shortfall can be told apart as Dask's
or the machine's. Not part of ctest.
"""
import argparse
import importlib.util
import multiprocessing
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "python", "dask_summary.py")


def load_example():
    spec = importlib.util.spec_from_file_location("dask_summary", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_files(folder, n_files, rows):
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(24)
    channels = ["phone", "chat", "email", "web"]
    block = []
    for _ in range(100_000):
        day = rng.randrange(366)
        ts = 1704067200 + day * 86400 + rng.randrange(86400)
        t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        res = rng.choice(["yes", "no", ""])
        block.append(f"{t},{rng.choice(channels)},{rng.randrange(11)},{1 + rng.randrange(5)},"
                     f"{1 + rng.randrange(7)},{res},{0.5 + rng.random():.3f}\n")
    text = "".join(block)
    paths = []
    for i in range(n_files):
        p = os.path.join(folder, f"responses_{rows}_{i}.csv")
        if not os.path.exists(p):
            tmp = p + ".part"
            with open(tmp, "w") as f:
                f.write("timestamp,channel,nps,csat,ces,resolved,weight\n")
                full, rest = divmod(rows, len(block))
                for _ in range(full):
                    f.write(text)
                f.write("".join(block[:rest]))
            os.replace(tmp, p)
        paths.append(p)
    return paths


def start(workers):
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return cluster, Client(cluster, set_as_default=False)


def run_once(ex, client, files, by):
    """One pass of the example's pipeline: wall time, the merged state, and
    the time Dask's task stream gives to transfers and to merge tasks."""
    from dask.distributed import get_task_stream

    with get_task_stream(client) as ts:
        t0 = time.perf_counter()
        futures = [client.submit(ex.summarize_file, f, by, {}, None, pure=False) for f in files]
        merged = ex.tree_reduce(client, futures).result()
        wall = time.perf_counter() - t0
    transfer = sum(s["stop"] - s["start"] for t in ts.data for s in t["startstops"] if s["action"] == "transfer")
    merging = sum(s["stop"] - s["start"] for t in ts.data if "merge_pair" in str(t["key"])
                  for s in t["startstops"] if s["action"] == "compute")
    return wall, merged, transfer + merging


def pool_state(path, by):
    """One file's state, in a plain worker process (the reference; it
    travels back pickled, i.e. in its binary form)."""
    import cxmetrics
    return cxmetrics.summarize(path, by=by)


def run_pool(pool, files, by):
    """The same work on two plain processes, no Dask: one task per file, the
    states merged in this process. What two cores give at this moment."""
    import functools

    t0 = time.perf_counter()
    level = pool.map(functools.partial(pool_state, by=by), files, chunksize=1)
    while len(level) > 1:  # pairs, level by level: the example's merge order, so equal weighted sums
        level = [level[i].merge(level[i + 1]) for i in range(0, len(level) - 1, 2)] + level[len(level) - len(level) % 2:]
    merged = level[0]
    return time.perf_counter() - t0, merged


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=8)
    p.add_argument("--rows", type=int, default=10_000_000, help="rows per file")
    p.add_argument("--dir", default="/tmp/cxm-dask-bench")
    p.add_argument("--by", default="channel,month")
    p.add_argument("--pairs", type=int, default=5, help="alternating 1-worker / 2-worker runs")
    a = p.parse_args()
    ex = load_example()
    t0 = time.perf_counter()
    files = write_files(a.dir, a.files, a.rows)
    print(f"files: {a.files} x {a.rows} rows in {a.dir} ({sum(os.path.getsize(f) for f in files) / 1e9:.2f} GB, "
          f"ready in {time.perf_counter() - t0:.1f} s)")
    by = [b for b in a.by.split(",") if b]
    rows = a.files * a.rows
    one, two = start(1), start(2)
    pool = multiprocessing.get_context("spawn").Pool(2)
    try:
        for _, client in (one, two):
            run_once(ex, client, files, by)  # warm-up: imports on the workers, page cache
        run_pool(pool, files, by)
        ratios, shares, ceilings = [], [], []
        for i in range(a.pairs):
            w1, m1, _ = run_once(ex, one[1], files, by)
            w2, m2, moving = run_once(ex, two[1], files, by)
            wp, mp = run_pool(pool, files, by)
            assert m1.count == m2.count == rows and m1 == m2 == mp, (m1.count, m2.count, mp.count)
            ratios.append(w1 / w2)
            ceilings.append(w1 / wp)
            shares.append(moving / (w2 * 2))
            print(f"pair {i + 1}: 1 worker {w1:.2f} s ({rows / w1 / 1e6:.1f} M rows/s), 2 workers {w2:.2f} s "
                  f"({rows / w2 / 1e6:.1f} M rows/s): {w1 / w2:.2f}x; 2 plain processes {wp:.2f} s: {w1 / wp:.2f}x; "
                  f"moving + merging states {moving * 1e3:.1f} ms")
        state = m2
        file_state = one[1].submit(ex.summarize_file, files[0], by, {}, None, pure=False).result()
    finally:
        pool.close()
        for cluster, client in (one, two):
            client.close()
            cluster.close()
    print(f"ratio 1 worker / 2 workers, median of {a.pairs} pairs: {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target >= 1.7)")
    print(f"ceiling, 1 worker / 2 plain processes (no Dask), median: {statistics.median(ceilings):.2f}x; "
          f"2 workers take {100 * (statistics.median(ceilings) / statistics.median(ratios) - 1):.1f} % longer")
    print(f"states: {len(state)} groups, {len(file_state.to_bytes())} bytes per file's state, "
          f"{len(state.to_bytes())} bytes merged; {a.files} states + {a.files - 2} merged ones travel at most")
    print(f"moving + merging states, median of {a.pairs}: {100 * statistics.median(shares):.3f} % of the "
          f"2-worker run's worker time (wall x 2; max {100 * max(shares):.3f} %; target <= 2 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
