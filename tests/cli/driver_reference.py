"""Key-driver references computed from a CSV with Python's standard library
alone, for the tests of the driver example and of the report's driver
section (not a test itself): the rows kept listwise, correlations by the
two-pass formula, the R² of a subset by the normal equations (Gaussian
elimination), LMG as the mean gain in R² over all k! orders of entry
(Lindeman, Merenda & Gold 1980; the library sums over the 2^k subsets
instead), Pratt's beta·r, first R² = r², the top-box share with the Wilson
interval (Wilson 1927) and the quadrants split at the medians."""
import csv
import itertools
import math

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def read(path, outcome, drivers):
    """Rows of (outcome, drivers...) as floats, None when missing."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        out.append([float(r[c]) if r[c].strip() else None for c in [outcome] + list(drivers)])
    return out


def listwise(rows):
    return [r for r in rows if all(v is not None for v in r)]


def corr(rows):
    m = len(rows[0])
    n = len(rows)
    mean = [sum(r[i] for r in rows) / n for i in range(m)]
    s = [[sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in rows) for j in range(m)] for i in range(m)]
    return [[s[i][j] / math.sqrt(s[i][i] * s[j][j]) for j in range(m)] for i in range(m)]


def solve(a, b):
    n = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(c + 1, n):
            f = a[r][c] / a[c][c]
            for k in range(c, n + 1):
                a[r][k] -= f * a[c][k]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (a[i][n] - sum(a[i][k] * x[k] for k in range(i + 1, n))) / a[i][i]
    return x


class Analysis:
    """The measures of the outcome (column 0) on the drivers of `rows`."""

    def __init__(self, rows):
        self.n = len(rows)
        self.r = corr(rows)
        self.k = len(self.r) - 1
        self._memo = {}
        every = tuple(range(1, self.k + 1))
        self.r2 = self.r2_of(every)
        self.beta = solve([[self.r[i][j] for j in every] for i in every], [self.r[i][0] for i in every])
        self.first_r2 = [self.r[j][0] ** 2 for j in every]
        self.pratt = [b * self.r[j][0] for b, j in zip(self.beta, every)]
        self.lmg = self._lmg()

    def r2_of(self, s):
        key = tuple(sorted(s))
        if key not in self._memo:
            if not key:
                self._memo[key] = 0.0
            else:
                beta = solve([[self.r[i][j] for j in key] for i in key], [self.r[i][0] for i in key])
                self._memo[key] = sum(b * self.r[i][0] for b, i in zip(beta, key))
        return self._memo[key]

    def _lmg(self):
        gain = [0.0] * self.k
        orders = 0
        for order in itertools.permutations(range(1, self.k + 1)):
            before, entered = 0.0, []
            for v in order:
                entered.append(v)
                after = self.r2_of(entered)
                gain[v - 1] += after - before
                before = after
            orders += 1
        return [g / orders for g in gain]


def wilson(x, n, z=Z95):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, centre - half, centre + half


def top_box(rows, j, high_min):
    """Driver j's (1-based column) top-box count and n over `rows`."""
    return sum(1 for r in rows if r[j] >= high_min), len(rows)


def median(v):
    s = sorted(v)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def quadrants(importance, performance):
    """fix_first / keep_up / possible_overkill / low_priority: each split at
    its median, at or above the median high."""
    mi, mp = median(importance), median(performance)
    out = []
    for i, p in zip(importance, performance):
        hi, hp = i >= mi, p >= mp
        out.append("keep_up" if hi and hp else "fix_first" if hi else "possible_overkill" if hp else "low_priority")
    return out
