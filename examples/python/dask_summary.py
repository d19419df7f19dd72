#!/usr/bin/env python3
"""`cxm summary` over many files on a Dask cluster.

Each file is read by one task on a worker, in C++ (cxmetrics.summarize):
the responses stay in that worker's memory and only the file's
SummaryState (a few hundred bytes per group) travels. The states are merged
by tree reduction — pairs of states merged by tasks, level by level, so
log2(N) rounds of small transfers — and the merged state is printed as
`cxm summary` prints the tables of the files concatenated: by
`cxm summary --from-states` when the cxm tool is found (--cxm, $CXM_BIN or
PATH; identical output), else as the tables of SummaryState.tables().
Merging is exact for counts, so a task that Dask retries (a worker lost
mid-run) changes nothing.

  python3 dask_summary.py a.csv b.csv c.csv --by channel,month            # LocalCluster, 2 worker processes
  python3 dask_summary.py --scheduler tcp://host:8786 /data/*.csv          # any running cluster
  python3 dask_summary.py --workers 4 --format json --save-state all.state *.csv

One task per file, or, with --range-bytes, one task per range of about
that many bytes of a CSV or JSON Lines file larger than it (the reader's
byte_range: each range reads the records that start in it, so the ranges'
states merge to the whole file's; a CSV file whose quoted fields span lines
raises, and is read whole without the flag). Every worker must see the
files under the same paths, and import cxmetrics.

  python3 dask_summary.py big.csv --range-bytes 256M --by channel,month    # one task per 256 MiB
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def summarize_file(path, by, settings, kill_marker=None, byte_range=None):
    """One file's SummaryState, or that of the records starting in
    byte_range = (begin, end) of it (runs on a worker)."""
    if kill_marker and not os.path.exists(kill_marker):
        # Fault injection for tests: the first task to get here kills its
        # worker process; Dask runs the task again on a worker that lives.
        with open(kill_marker, "w") as f:
            f.write(str(os.getpid()))
        os._exit(1)
    import cxmetrics
    ranged = {} if byte_range is None else {"byte_range": byte_range}
    return cxmetrics.summarize(path, by=by, **settings, **ranged)


def size_of(text):
    """Bytes from "268435456", "256M", "1G", "64k"."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    t = text.strip().lower().removesuffix("b").removesuffix("i")
    n = int(t[:-1]) * units[t[-1]] if t and t[-1] in units else int(t)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"--range-bytes takes a positive size, got {text!r}")
    return n


def tasks_of(files, range_bytes):
    """(path, byte_range) per task, in file order: a CSV or JSON Lines file
    larger than range_bytes becomes ranges of range_bytes tiling it."""
    out = []
    for f in files:
        size = os.path.getsize(f)
        text = os.path.splitext(f)[1].lower() in (".csv", ".tsv", ".txt", ".jsonl", ".ndjson")
        if not range_bytes or not text or size <= range_bytes:
            out.append((f, None))
            continue
        starts = list(range(0, size, range_bytes))
        out += [(f, (b, None if i + 1 == len(starts) else starts[i + 1])) for i, b in enumerate(starts)]
    return out


def merge_pair(a, b):
    """a merged with b, a new state (runs on a worker)."""
    return a.copy().merge(b)


def tree_reduce(client, futures):
    """Pairwise merges, level by level, in file order (so the merge order,
    and thus any weighted sum, is the same on every run).

    The merges are submitted once every file task still to finish holds a
    worker thread. Dask queues file tasks (root tasks) on the scheduler and
    hands a worker a new one only while it runs fewer tasks than its threads
    allow; a merge sent to a worker whose thread is busy with a file counts
    as running, so the next file would wait for it: an idle gap at the
    tail of a run on few workers. Held back, the merges run on the workers
    that have finished their files, while the last files are still read."""
    from dask.distributed import as_completed

    level = list(futures)
    unassigned = len(level) - sum(client.nthreads().values())
    if unassigned > 0:
        for done, _ in enumerate(as_completed(level, loop=client.loop), 1):
            if done >= unassigned:
                break
    while len(level) > 1:
        nxt = [client.submit(merge_pair, level[i], level[i + 1], pure=False) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def find_cxm(given):
    for c in (given, os.environ.get("CXM_BIN"), shutil.which("cxm")):
        if c and os.path.exists(c):
            return c
    return None


def print_tables(state, fmt, args):
    """The tables without the cxm tool: one block per table."""
    tables = state.tables(frames=False, max_groups=args.max_groups)
    if fmt == "json":
        import json
        json.dump(tables, sys.stdout, indent=2)
        print()
        return
    for name, rows in tables.items():
        print(f"## {name}")
        if rows:
            cols = list(rows[0])
            print("\t".join(cols))
            for r in rows:
                print("\t".join("" if r[c] is None else str(r[c]) for c in cols))
        print()


def run(args):
    from dask.distributed import Client, LocalCluster

    by = [b for b in args.by.split(",") if b] if args.by else []
    settings = {}
    if args.unweighted:
        settings["unweighted"] = True
    if args.field:
        settings["fields"] = args.field
    if args.utc_offset:
        settings["utc_offset"] = args.utc_offset
    files = [os.path.abspath(f) for f in args.files]

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        t0 = time.perf_counter()
        tasks = tasks_of(files, args.range_bytes)
        states = [client.submit(summarize_file, f, by, settings, args.kill_once, r, pure=False) for f, r in tasks]
        try:
            merged = tree_reduce(client, states).result()
        except ValueError as e:  # cxmetrics.ParseError and the other value errors, as the worker raised them
            hint = " (without --range-bytes the file is read whole)" if args.range_bytes else ""
            print(f"dask_summary: {e}{hint}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - t0
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"dask_summary: {len(files)} files in {len(tasks)} tasks, {merged.count} responses, {len(merged)} groups, "
          f"state {len(merged.to_bytes())} bytes, {elapsed:.2f} s", file=sys.stderr)

    cxm = find_cxm(args.cxm)
    with tempfile.TemporaryDirectory(prefix="dask-summary-") as tmp:
        path = args.save_state or os.path.join(tmp, "merged.state")
        merged.write(path)
        if cxm is None:
            print_tables(merged, args.format, args)
            return 0
        cmd = [cxm, "summary", "--from-states", path, "--format", args.format,
               "--max-groups", str(args.max_groups)]
        return subprocess.run(cmd).returncode


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+", help="response files (CSV, JSON Lines, ...), one task each")
    p.add_argument("--range-bytes", type=size_of, help="split CSV and JSON Lines files larger than this "
                   "(bytes, or 256M, 1G) into ranges of this size, one task each")
    p.add_argument("--by", default="channel", help="channel, month, segment, agent (comma-separated; '' for none)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster (default 2)")
    p.add_argument("--format", default="table", choices=["table", "json", "csv", "markdown"])
    p.add_argument("--unweighted", action="store_true", help="ignore the weight column")
    p.add_argument("--field", action="append", help="NAME:KIND[:SCALE], as cxm's --field (repeatable)")
    p.add_argument("--utc-offset", help="+HH:MM of the month buckets")
    p.add_argument("--max-groups", type=int, default=100)
    p.add_argument("--save-state", help="also write the merged state here (for cxm summary --from-states)")
    p.add_argument("--cxm", help="the cxm tool that prints the tables (default: $CXM_BIN, then PATH)")
    p.add_argument("--kill-once", help=argparse.SUPPRESS)  # tests: marker file of the one worker kill
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
