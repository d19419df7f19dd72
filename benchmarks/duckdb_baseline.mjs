// DuckDB baseline for benchmarks/ingest_benchmark.cpp: the same CSV file read
// with read_csv (every column typed) and the same aggregation, NPS, CSAT and
// resolution by channel and calendar month, at 1 and 2 threads. Every column
// is referenced (count(id), count(agent), sum(weight), count(comment)), since
// DuckDB skips parsing columns a query does not use and cxm parses them all.
// The timestamp column is typed TIMESTAMP (the file's times are UTC with 'Z');
// TIMESTAMPTZ makes DuckDB about 1.5 times slower here.
//
// DuckDB is found as benchmarks/duckdb_load.mjs says; when it cannot be
// loaded the script says so and exits 0 (skipped).
//
// Usage:
//   node benchmarks/duckdb_baseline.mjs FILE [--reps=5] [--threads=1,2] [--modules=/tmp/duckdb/node_modules]
// (--modules, or CXM_DUCKDB_MODULES, names the node_modules directory that
// holds @duckdb/node-api.) Each configuration runs in its own child process,
// so its peak resident memory (VmHWM) is its own. Prints one line per
// configuration: median seconds of the reps, MB/s (10^6 bytes of file per
// second), Mresp/s, VmHWM in MiB, and the overall NPS as a check.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileArgument, loadDuckDB, modulesDir, opt, skip } from './duckdb_load.mjs';

const file = fileArgument();
const modules = modulesDir();
const duckdb = loadDuckDB();
if (!duckdb) skip();
if (!file) {
  console.error('usage: node duckdb_baseline.mjs FILE [--reps=5] [--threads=1,2] [--modules=DIR]');
  process.exit(2);
}

const sql = (f) => `
  SELECT channel, date_trunc('month', "timestamp") AS month, count(*) AS n,
         100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(nps) AS nps,
         avg(CASE WHEN csat >= 4 THEN 1.0 ELSE 0.0 END) FILTER (WHERE csat IS NOT NULL) AS csat_top2,
         avg(CASE WHEN resolved THEN 1.0 ELSE 0.0 END) FILTER (WHERE resolved IS NOT NULL) AS resolution,
         count(comment) AS comments, sum(weight) AS weight, count(agent) AS agents,
         count(id) AS ids
  FROM read_csv('${f.replaceAll("'", "''")}', header = true, auto_detect = false,
                columns = {'id': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'channel': 'VARCHAR', 'agent': 'VARCHAR',
                           'nps': 'UTINYINT', 'csat': 'UTINYINT', 'resolved': 'BOOLEAN', 'weight': 'DOUBLE',
                           'comment': 'VARCHAR'})
  GROUP BY ALL`;

function vmHWM() {
  const m = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

if (opt('child', '') !== '') {
  // One configuration: --child=THREADS
  const threads = Number(opt('child', '1'));
  const reps = Number(opt('reps', '5'));
  const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
    const times = [];
  let rows = 0;
  let npsAll = NaN;
  for (let r = 0; r < reps; ++r) {
    const t0 = process.hrtime.bigint();
    const reader = await conn.runAndReadAll(sql(file));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    times.push(s);
    const out = reader.getRowObjects();
    rows = out.reduce((a, x) => a + Number(x.n), 0);
    let p = 0;
    for (const x of out) p += Number(x.nps) * Number(x.n);
    npsAll = p / rows;
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ threads, times, median: times[Math.floor(times.length / 2)], rows, npsAll, hwm: vmHWM() }));
  process.exit(0);
}

const bytes = statSync(file).size;
const threadList = opt('threads', '1,2').split(',').map(Number);
console.log(`DuckDB ${duckdb.version ? duckdb.version() : ''} on ${file} (${bytes} bytes)`);
for (const t of threadList) {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), file, `--child=${t}`,
    `--reps=${opt('reps', '5')}`, ...(modules ? [`--modules=${modules}`] : [])], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.log(`threads ${t}: failed: ${run.stderr.trim()}`);
    continue;
  }
  const r = JSON.parse(run.stdout.trim().split('\n').pop());
  console.log(`duckdb threads ${t}: median ${r.median.toFixed(3)} s  ${(bytes / r.median / 1e6).toFixed(1)} MB/s  ` +
    `${(r.rows / r.median / 1e6).toFixed(2)} Mresp/s  VmHWM ${r.hwm.toFixed(0)} MiB  rows ${r.rows}  NPS ${r.npsAll.toFixed(4)}  ` +
    `(runs: ${r.times.map((x) => x.toFixed(3)).join(' ')})`);
}
