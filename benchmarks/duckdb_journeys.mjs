// DuckDB baseline for benchmarks/journey_benchmark.cpp: the per-journey
// aggregates of peak-end (max, min, the value at the latest time, mean,
// count, grouped by journey) over the same events, one thread.
//
// The events file (journey,time,x as CSV, written by journey_benchmark) is
// loaded into an in-memory table first, in the file's row order, untimed;
// then the timed query aggregates the table and sums every aggregate over
// the journeys, so no aggregate can be left out and the result is checked
// against cxm's:
//
//   SELECT count(*), sum(mx), sum(mn), sum(e), sum(a), sum(c) FROM (
//     SELECT journey, max(x) mx, min(x) mn, arg_max(x, "time") e, avg(x) a, count(*) c
//     FROM ev GROUP BY journey)
//
// DuckDB is found as benchmarks/duckdb_load.mjs says; when it cannot be
// loaded the script says so and exits 0 (skipped).
//
// Usage: node benchmarks/duckdb_journeys.mjs FILE [--reps=5] [--modules=/tmp/duckdb/node_modules]
// Prints one JSON line: {"times": [...], "cpus": [...], "median": s, "median_cpu": s, "journeys": n,
// "sum_end": ..., "hwm": MiB}: wall and CPU seconds (process.cpuUsage, user + system, of this process
// and so of DuckDB's one worker) of each run of the query.
import { readFileSync } from 'node:fs';
import { fileArgument, loadDuckDB, opt, skip } from './duckdb_load.mjs';

const file = fileArgument();
const duckdb = loadDuckDB();
if (!duckdb) skip();
if (!file) {
  console.error('usage: node duckdb_journeys.mjs FILE [--reps=5] [--modules=DIR]');
  process.exit(2);
}

function vmHWM() {
  const m = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

const reps = Number(opt('reps', '5'));
const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
await conn.run(`CREATE TABLE ev AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = true,
  auto_detect = false, columns = {'journey': 'UBIGINT', 'time': 'BIGINT', 'x': 'DOUBLE'})`);
const query = `SELECT count(*) AS journeys, sum(mx) AS smx, sum(mn) AS smn, sum(e) AS se, sum(a) AS sa, sum(c) AS sc
  FROM (SELECT journey, max(x) AS mx, min(x) AS mn, arg_max(x, "time") AS e, avg(x) AS a, count(*) AS c
        FROM ev GROUP BY journey)`;
const times = [];
const cpus = [];
let row = null;
for (let r = 0; r < reps; ++r) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const reader = await conn.runAndReadAll(query);
  const c = process.cpuUsage(c0);
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  cpus.push((c.user + c.system) / 1e6);
  row = reader.getRowObjects()[0];
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(JSON.stringify({
  times, cpus, median: median(times), median_cpu: median(cpus), journeys: Number(row.journeys), sum_end: Number(row.se),
  sum_max: Number(row.smx), sum_min: Number(row.smn), events: Number(row.sc), hwm: vmHWM(),
}));
