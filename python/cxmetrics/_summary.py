"""SummaryState.tables() and .to_frame(): the tables of `cxm summary`.

The rows and values are those `cxm summary --format json` writes for the
same state (computed by the C++ library's summary_tables); each table is a
pandas DataFrame when pandas imports, else a list of dicts.
"""

try:  # pandas is optional (Debian: python3-pandas)
    import pandas as _pd
except ImportError:  # pragma: no cover - depends on the machine
    _pd = None


def _frame(rows, columns):
    if _pd is None:
        return rows
    return _pd.DataFrame.from_records(rows, columns=columns)


def summary_tables(self, metrics=None, level=0.95, method=(), adjust="holm", weighted_se="linearized",
                   min_n=30, max_groups=100, frames=True):
    """tables(metrics=None, level=0.95, method=(), adjust="holm", weighted_se="linearized",
    min_n=30, max_groups=100, frames=True) -> dict

    {table name: rows} as `cxm summary --format json` gives them for the same
    options (nps, csat, csat_mean, ces, ces_easy, resolution, one pair per
    declared score field, ingest). Rows are DataFrames when pandas imports
    and `frames` is true, else lists of dicts. The options are query
    parameters, not state: any of them can be asked of one state.
    """
    raw = self._tables(list(metrics or []), level, list(method), adjust, weighted_se, float(min_n),
                       int(max_groups))
    meta = raw.pop("_meta")
    if not frames:
        return raw
    return {name: _frame(rows, meta[name]["columns"]) for name, rows in raw.items()}


def summary_frame(self, metric="nps", **options):
    """to_frame(metric="nps", **options): one table of tables(**options)."""
    tables = summary_tables(self, **options)
    if metric not in tables:
        raise KeyError(f"no table {metric!r}; the state gives {sorted(tables)}")
    return tables[metric]
