// What the DuckDB baseline scripts (duckdb_baseline.mjs, duckdb_journeys.mjs)
// share: their command-line options and finding DuckDB.
//
// DuckDB comes from npm as @duckdb/node-api (https://duckdb.org/docs/api/node_neo/overview).
// It is not a dependency of cxmetrics: it is looked for in the node_modules
// directory given by --modules=DIR or CXM_DUCKDB_MODULES, then beside the
// working directory and this file; when it cannot be loaded, the caller says
// so and exits 0 (skipped). Install it outside the repository:
//   mkdir -p /tmp/duckdb && (cd /tmp/duckdb && npm install @duckdb/node-api)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/// The value of --NAME=VALUE among the script's arguments, or dflt.
export function opt(name, dflt) {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
}

/// The first argument that is not an option (the input file).
export function fileArgument() {
  return process.argv.slice(2).find((x) => !x.startsWith('--'));
}

/// The node_modules directory named by --modules or CXM_DUCKDB_MODULES ('' if none).
export function modulesDir() {
  return opt('modules', process.env.CXM_DUCKDB_MODULES || '');
}

/// @duckdb/node-api, or null when it cannot be loaded.
export function loadDuckDB() {
  const modules = modulesDir();
  const bases = [];
  if (modules) bases.push(path.join(path.resolve(modules), '..', 'package.json'));
  bases.push(path.join(process.cwd(), 'package.json'));
  bases.push(fileURLToPath(import.meta.url));
  for (const base of bases) {
    try {
      return createRequire(base)('@duckdb/node-api');
    } catch {
      // try the next place
    }
  }
  return null;
}

/// Prints that the baseline is skipped and how to install DuckDB, then exits 0.
export function skip() {
  console.log('DuckDB (@duckdb/node-api from npm) is not installed: baseline skipped.');
  console.log('  install: mkdir -p /tmp/duckdb && (cd /tmp/duckdb && npm install @duckdb/node-api)');
  process.exit(0);
}
