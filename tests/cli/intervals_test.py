#!/usr/bin/env python3
"""The interval methods beyond the first five: Tango's score interval and the
t interval of NPS, the adjusted-Wald and MOVER differences of two NPS, the
continuity-corrected Wilson interval, and the one weighted SE.

Every expected number is computed here from the definitions, by a different
route from the library's: the Tango limits by maximising the constrained
likelihood numerically (golden-section search) and bisecting on Z(d), the
weighted SE per response rather than per histogram bin. Standard library only.
"""
import math
import os
import sys
from statistics import NormalDist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxmtest import check, close, finish, jrun, run, scratch, write  # noqa: E402

Z975 = NormalDist().inv_cdf(0.975)
# Student t quantile t_{0.975, 9} (published tables: 2.262157; R qt(0.975, 9)).
T975_9 = 2.2621571627982


def restricted_detractor_share(det, pas, pro, d):
    """argmax over q of D·log q + P·log(q + d) + M·log(1 − 2q − d): the
    detractor share under p_pro − p_det = d, by golden-section search on the
    concave log-likelihood (not the closed root the library uses)."""
    lo, hi = max(0.0, -d), (1.0 - d) / 2.0

    def ll(q):
        total = 0.0
        for count, share in ((det, q), (pro, q + d), (pas, 1.0 - 2.0 * q - d)):
            if count > 0:
                if share <= 0:
                    return -math.inf
                total += count * math.log(share)
        return total

    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(200):
        c1, c2 = b - g * (b - a), a + g * (b - a)
        if ll(c1) >= ll(c2):
            b = c2
        else:
            a = c1
    return (a + b) / 2


def tango_z(det, pas, pro, d):
    n = det + pas + pro
    q = restricted_detractor_share(det, pas, pro, d)
    v = 2 * q + d * (1 - d)
    num = pro - det - n * d
    if v <= 0:
        return 0.0 if num == 0 else math.copysign(math.inf, num)
    return num / math.sqrt(n * v)


def tango_limits(det, pas, pro, z=Z975):
    """The d with |Z(d)| = z on each side of θ̂ (bisection), or ±1 when Z never
    reaches z there."""
    n = det + pas + pro
    theta = (pro - det) / n

    def solve(a, b, sign):
        # Z(d) − sign·z changes sign between a and b.
        f = lambda d: tango_z(det, pas, pro, d) - sign * z
        fa = f(a)
        if (fa > 0) == (f(b) > 0):
            return None
        for _ in range(100):
            m = (a + b) / 2
            if (f(m) > 0) == (fa > 0):
                a = m
            else:
                b = m
        return (a + b) / 2

    lower = solve(-1.0, theta, +1) if theta > -1 else -1.0
    upper = solve(theta, 1.0, -1) if theta < 1 else 1.0
    return (-1.0 if lower is None else lower), (1.0 if upper is None else upper)


# --- Tango and t for one sample ---------------------------------------------
for det, pas, pro in ((120, 300, 410), (3, 4, 3), (0, 0, 1), (0, 0, 7), (5, 0, 0), (2, 0, 9)):
    j = jrun("nps", "--counts", f"{det},{pas},{pro}", "--method", "tango,t")
    rows = {x["method"]: x for x in j["nps"]}
    n = det + pas + pro
    lo, hi = tango_limits(det, pas, pro)
    close(rows["tango"]["lower"], 100 * lo, 1e-6, f"Tango lower {det},{pas},{pro}")
    close(rows["tango"]["upper"], 100 * hi, 1e-6, f"Tango upper {det},{pas},{pro}")
    close(rows["tango"]["value"], 100 * (pro - det) / n, 1e-9, f"Tango keeps θ̂ {det},{pas},{pro}")
    if n == 1:
        check(rows["t"]["status"] == "insufficient", "t interval at n = 1 is insufficient")
        check(rows["tango"]["status"] == "ok", "Tango interval is defined at n = 1")
    if pro == n:
        check(rows["tango"]["upper"] == 100, "Tango upper limit 100 when every response is a promoter")
    if det == n:
        check(rows["tango"]["lower"] == -100, "Tango lower limit -100 when every response is a detractor")

# t at n = 10 (9 degrees of freedom): scores −1 ×3, 0 ×4, +1 ×3.
ys = [-1] * 3 + [0] * 4 + [1] * 3
mean = sum(ys) / len(ys)
s = math.sqrt(sum((y - mean) ** 2 for y in ys) / (len(ys) - 1))
t_row = jrun("nps", "--counts", "3,4,3", "--method", "t")["nps"][0]
close(t_row["se"], 100 * s / math.sqrt(10), 1e-9, "t SE s/√n")
close(t_row["lower"], 100 * (mean - T975_9 * s / math.sqrt(10)), 1e-6, "t lower, 9 df")
close(t_row["upper"], 100 * (mean + T975_9 * s / math.sqrt(10)), 1e-6, "t upper, 9 df")

# Levels other than 95 %: Tango at 80 % and 99 % against the bisection.
for level in (0.80, 0.99):
    z = NormalDist().inv_cdf(0.5 + level / 2)
    lo, hi = tango_limits(20, 30, 50, z)
    row = jrun("nps", "--counts", "20,30,50", "--method", "tango", "--level", str(level))["nps"][0]
    close(row["lower"], 100 * lo, 1e-6, f"Tango lower at {level}")
    close(row["upper"], 100 * hi, 1e-6, f"Tango upper at {level}")

# --- Two samples ------------------------------------------------------------
a, b = (30, 50, 120), (45, 60, 95)
rows = {x["method"]: x for x in jrun("compare", "nps", "--a", ",".join(map(str, a)), "--b",
                                     ",".join(map(str, b)))["comparison"]}
check(list(rows) == ["wald", "adjusted_wald", "mover"], "compare nps lists wald, adjusted_wald and mover")


def adjusted(g):
    det, pas, pro = g[0] + 0.75, g[1] + 1.5, g[2] + 0.75
    n = det + pas + pro
    t = (pro - det) / n
    return t, (pro / n + det / n - t * t) / n


(ta, va), (tb, vb) = adjusted(a), adjusted(b)
se = math.sqrt(va + vb)
aw = rows["adjusted_wald"]
close(aw["difference"], 100 * (ta - tb), 1e-9, "adjusted-Wald difference keeps the sign a − b")
close(aw["se"], 100 * se, 1e-9, "adjusted-Wald SE")
close(aw["z"], (ta - tb) / se, 1e-9, "adjusted-Wald z")
close(aw["p_value"], 2 * (1 - NormalDist().cdf(abs((ta - tb) / se))), 1e-9, "adjusted-Wald p")
close(aw["lower"], 100 * (ta - tb - Z975 * se), 1e-7, "adjusted-Wald lower")

# MOVER (Newcombe; Zou & Donner 2008) from the Tango limits of each sample.
tha, thb = (a[2] - a[0]) / sum(a), (b[2] - b[0]) / sum(b)
la, ua = tango_limits(*a)
lb, ub = tango_limits(*b)
mv = rows["mover"]
close(mv["difference"], 100 * (tha - thb), 1e-9, "MOVER difference θ̂a − θ̂b")
close(mv["lower"], 100 * (tha - thb - math.hypot(tha - la, ub - thb)), 1e-6, "MOVER lower")
close(mv["upper"], 100 * (tha - thb + math.hypot(ua - tha, thb - lb)), 1e-6, "MOVER upper")
check(mv.get("p_value") is None and mv.get("z") is None, f"MOVER is an interval, not a test ({mv})")

code, _, err = run("compare", "nps", "--a", "1,2,3", "--b", "1,2,3", "--method", "tango")
check(code == 2 and "does not apply" in err, f"compare nps --method tango is a usage error ({code}, {err!r})")

# --- Continuity-corrected Wilson (Newcombe 1998, method 4) ------------------
for x, n in ((7, 20), (0, 10), (10, 10), (81, 263)):
    p, q = x / n, 1 - x / n
    z = Z975
    lo = 0.0 if x == 0 else (2 * n * p + z * z - 1 - z * math.sqrt(z * z - 2 - 1 / n + 4 * p * (n * q + 1))) / (
        2 * (n + z * z))
    hi = 1.0 if x == n else (2 * n * p + z * z + 1 + z * math.sqrt(z * z + 2 - 1 / n + 4 * p * (n * q - 1))) / (
        2 * (n + z * z))
    row = jrun("proportion", "-x", str(x), "-n", str(n), "--method", "wilson_cc")["proportion"][0]
    close(row["lower"], max(lo, 0.0), 1e-9, f"Wilson cc lower {x}/{n}")
    close(row["upper"], min(hi, 1.0), 1e-9, f"Wilson cc upper {x}/{n}")
# Every method side by side by default, the new one included.
methods = [r["method"] for r in jrun("proportion", "-x", "7", "-n", "20")["proportion"]]
check("wilson_cc" in methods and len(methods) == 6, f"proportion --method all lists six methods ({methods})")

# --- One weighted SE: linearised, with n/(n − 1), per response --------------
scores = [10, 9, 3, 7, 10, 0, 8, 9, 6, 10, 2, 9]
weights = [1.5, 0.5, 2.0, 1.0, 0.75, 1.25, 1.0, 2.5, 0.5, 1.0, 1.75, 0.25]
with scratch() as tmp:
    f = write(os.path.join(tmp, "w.csv"),
              "nps,csat,channel,weight\n" + "".join(f"{s},{1 + s // 2 if s < 10 else 5},web,{w}\n"
                                                      for s, w in zip(scores, weights)))
    y = [1 if s >= 9 else (-1 if s <= 6 else 0) for s in scores]
    W = sum(weights)
    m = sum(w * v for w, v in zip(weights, y)) / W
    n = len(y)
    z2 = sum((w * (v - m) / W) ** 2 for w, v in zip(weights, y))
    se_lin = math.sqrt(n / (n - 1) * z2)
    j = jrun("summary", f, "--metrics", "nps", "--method", "wald")
    row = j["nps"][0]
    close(row["value"], 100 * m, 1e-9, "weighted NPS")
    close(row["se"], 100 * se_lin, 1e-9, "weighted NPS SE: linearised with n/(n − 1) (survey::svymean)")
    close(row["lower"], 100 * (m - Z975 * se_lin), 1e-7, "weighted NPS Wald lower")
    # The weighted mean's SE has the same definition: CSAT mean of the same rows.
    xs = [1 + s // 2 if s < 10 else 5 for s in scores]
    mx = sum(w * v for w, v in zip(weights, xs)) / W
    se_mean = math.sqrt(n / (n - 1) * sum((w * (v - mx) / W) ** 2 for w, v in zip(weights, xs)))
    jm = jrun("summary", f, "--metrics", "csat")
    close(jm["csat_mean"][0]["value"], mx, 1e-9, "weighted CSAT mean")
    close(jm["csat_mean"][0]["se"], se_mean, 1e-9, "weighted CSAT mean SE: the same linearised definition")
    # Unit weights: the weighted NPS SE is the t SE s/√n, √(n/(n − 1)) times the unweighted Wald SE.
    g = write(os.path.join(tmp, "ones.csv"),
              "nps,channel,weight\n" + "".join(f"{s},web,1\n" for s in scores))
    w1 = jrun("summary", g, "--metrics", "nps", "--method", "wald")["nps"][0]
    u1 = jrun("summary", g, "--metrics", "nps", "--method", "wald", "--unweighted")["nps"][0]
    close(w1["se"], u1["se"] * math.sqrt(n / (n - 1)), 1e-9, "unit weights: SE √(n/(n − 1)) times the Wald SE")
    close(w1["value"], u1["value"], 1e-12, "unit weights: the same NPS")
    # Unweighted counts keep the binomial SE √(p(1 − p)/n) of the share.
    us = jrun("summary", g, "--metrics", "nps", "--unweighted")
    check(us.get("weighted_se") == "linearized", "JSON names the weighted SE")
    # Kish's approximation on request: σ̂² = Σw(y − m)²/Σw, SE² = σ̂²/(ñ − 1).
    n_eff = W * W / sum(w * w for w in weights)
    s2 = sum(w * (v - m) ** 2 for w, v in zip(weights, y)) / W
    jk = jrun("summary", f, "--metrics", "nps", "--method", "wald", "--weighted-se", "kish")
    close(jk["nps"][0]["se"], 100 * math.sqrt(s2 / (n_eff - 1)), 1e-9, "Kish's SE of the weighted NPS")
    check(jk.get("weighted_se") == "kish", "JSON says kish")
    code, _, err = run("summary", f, "--weighted-se", "design")
    check(code == 2 and "linearized or kish" in err, f"--weighted-se design is a usage error ({code}, {err!r})")
    # CSAT shares without weights: the binomial SE, not the weighted one.
    c = write(os.path.join(tmp, "c.csv"), "csat\n" + "".join(f"{x}\n" for x in xs))
    share = jrun("summary", c, "--metrics", "csat")["csat"][0]
    p = sum(1 for x in xs if x >= 4) / n
    close(share["se"], math.sqrt(p * (1 - p) / n), 1e-12, "unweighted CSAT share SE √(p(1 − p)/n)")

finish()
