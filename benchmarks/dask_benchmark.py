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
page cache; the best of --repeat runs is reported.

Reported: wall time per configuration and the ratio (target >= 1.7 on 2
free cores); the serialized bytes of the states that travel; and, from
Dask's task stream, the time spent in transfers between workers plus the
compute time of the merge tasks, as a share of the 2-worker run's worker
time (wall x workers; target <= 2 %). Not part of ctest.
"""
import argparse
import importlib.util
import os
import random
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


def run_config(ex, files, workers, by, repeat):
    from dask.distributed import Client, LocalCluster, get_task_stream

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    client = Client(cluster)
    try:
        def once():
            futures = [client.submit(ex.summarize_file, f, by, {}, None, pure=False) for f in files]
            return ex.tree_reduce(client, futures).result()

        once()  # warm-up: imports on the workers, page cache
        best = None
        for _ in range(repeat):
            with get_task_stream(client) as ts:
                t0 = time.perf_counter()
                merged = once()
                wall = time.perf_counter() - t0
            if best is None or wall < best[0]:
                best = (wall, ts.data, merged)
        wall, tasks, merged = best
        transfer = sum(s["stop"] - s["start"] for t in tasks for s in t["startstops"] if s["action"] == "transfer")
        merging = sum(s["stop"] - s["start"] for t in tasks if "merge_pair" in t["key"]
                      for s in t["startstops"] if s["action"] == "compute")
        # The states that travel: one per file plus one per merge but the last.
        sizes = [len(client.submit(ex.summarize_file, files[0], by, {}, None, pure=False).result().to_bytes())]
        return {"wall": wall, "transfer": transfer, "merging": merging, "count": merged.count,
                "groups": len(merged), "state_bytes": len(merged.to_bytes()), "file_state_bytes": sizes[0]}
    finally:
        client.close()
        cluster.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=8)
    p.add_argument("--rows", type=int, default=10_000_000, help="rows per file")
    p.add_argument("--dir", default="/tmp/cxm-dask-bench")
    p.add_argument("--by", default="channel,month")
    p.add_argument("--repeat", type=int, default=2)
    a = p.parse_args()
    ex = load_example()
    t0 = time.perf_counter()
    files = write_files(a.dir, a.files, a.rows)
    print(f"files: {a.files} x {a.rows} rows in {a.dir} ({sum(os.path.getsize(f) for f in files) / 1e9:.2f} GB, "
          f"ready in {time.perf_counter() - t0:.1f} s)")
    by = [b for b in a.by.split(",") if b]
    one = run_config(ex, files, 1, by, a.repeat)
    two = run_config(ex, files, 2, by, a.repeat)
    assert one["count"] == two["count"] == a.files * a.rows, (one["count"], two["count"])
    rows = a.files * a.rows
    for name, r in (("1 worker", one), ("2 workers", two)):
        print(f"{name:9}: {r['wall']:.2f} s  ({rows / r['wall'] / 1e6:.1f} M rows/s)  transfers {r['transfer'] * 1e3:.1f} ms"
              f"  merge tasks {r['merging'] * 1e3:.1f} ms")
    print(f"ratio 1 worker / 2 workers: {one['wall'] / two['wall']:.2f}x (target >= 1.7)")
    moving = two["transfer"] + two["merging"]
    print(f"states: {two['groups']} groups, {two['file_state_bytes']} bytes per file's state, "
          f"{two['state_bytes']} bytes merged; {a.files} states + {a.files - 2} merged ones travel at most")
    print(f"moving + merging states: {moving * 1e3:.1f} ms = {100 * moving / (two['wall'] * 2):.3f} % of the "
          f"2-worker run's worker time ({100 * moving / two['wall']:.3f} % of its wall time; target <= 2 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
