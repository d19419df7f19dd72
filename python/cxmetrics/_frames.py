"""pandas views of cxmetrics results (used only when pandas is installed)."""

import numpy as np

MISSING_SCORE = 255


def _pandas():
    try:
        import pandas  # noqa: F401
    except ImportError:
        return None
    return pandas


def read_to_frame(result):
    """The columns of a ReadResult as a pandas.DataFrame, or a dict of lists
    when pandas is not installed.

    Missing values become pandas' missing markers: scores a nullable UInt8
    <NA>, flags a nullable boolean <NA>, times NaT (datetime64[s], UTC),
    channels and categories pandas.Categorical with the labels read (the
    empty label as <NA>), numbers NaN. Scores, numbers and weights are copied
    once into the frame (pandas owns its memory); result.columns stays the
    zero-copy view.
    """
    pd = _pandas()
    columns = result.columns
    kinds = result.kinds
    labels = result.labels
    if pd is None:
        out = {}
        for name, col in columns.items():
            out[name] = _plain(name, col, kinds[name], labels.get(name))
        return out
    data = {}
    for name, col in columns.items():
        kind = kinds[name]
        if name in labels:
            names = labels[name]
            codes = np.asarray(col).astype(np.int64)
            cats = pd.Categorical.from_codes(codes, categories=range(len(names)))
            cats = cats.rename_categories(names)
            if "" in names:
                cats = cats.remove_categories([""])
            data[name] = cats
        elif kind == "score":
            data[name] = pd.array(np.where(col == MISSING_SCORE, 0, col), dtype="UInt8")
            data[name][col == MISSING_SCORE] = pd.NA
        elif kind == "flag":
            s = pd.array(col == 1, dtype="boolean")
            s[col < 0] = pd.NA
            data[name] = s
        elif kind == "time":
            data[name] = pd.to_datetime(np.asarray(col).view("datetime64[s]"), utc=True)
        else:
            data[name] = col
    return pd.DataFrame(data)


def _plain(name, col, kind, names):
    if names is not None:
        return [names[int(i)] or None for i in col]
    if kind == "score":
        return [None if v == MISSING_SCORE else int(v) for v in col]
    if kind == "flag":
        return [None if v < 0 else bool(v) for v in col]
    if kind == "time":
        return [None if v == np.iinfo(np.int64).min else int(v) for v in col]
    if isinstance(col, (list, tuple)):
        return list(col)
    return [float(v) for v in col]
