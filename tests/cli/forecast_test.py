"""cxm forecast: output format, properties of the forecasts that follow from
the model (checked here from the reported parameters, not from the code's
own output), bounds, and the errors of bad input and usage."""
import csv
import io
import json
import math
import os

from cxmtest import check, close, finish, read, run, scratch, write

Z95 = 1.959963984540054   # qnorm(0.975)
Z80 = 1.2815515655446004  # qnorm(0.9)

# Monthly series with a seasonal swing and a slow rise (deterministic noise).
def seasonal(n, base=100.0):
    return [base + 0.5 * t + 10 * math.sin(2 * math.pi * t / 12) + 3 * math.sin(7.3 * t) for t in range(n)]


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


with scratch() as d:
    single = write(os.path.join(d, "single.csv"),
                   "t,value\n" + "".join(f"{t + 1},{v:.6f}\n" for t, v in enumerate(seasonal(72))))

    # ---- Output format -------------------------------------------------------
    code, out, err = run("forecast", single, "--frequency", "12", "--horizon", "6", "--format", "csv")
    check(code == 0, f"single series exits 0 (got {code}, {err!r})")
    rows = csv_rows(out)
    check(rows and rows[0] == ["series", "step", "mean", "lo80", "hi80", "lo95", "hi95"], f"forecast header: {rows[:1]}")
    check(len(rows) == 7, f"6 forecast rows (got {len(rows) - 1})")
    check([r[0] for r in rows[1:]] == [""] * 6, "series column empty for an unnamed series")
    check([r[1] for r in rows[1:]] == [str(h) for h in range(1, 7)], "steps 1..6")
    for r in rows[1:]:
        lo95, lo80, mean, hi80, hi95 = (float(r[5]), float(r[3]), float(r[2]), float(r[4]), float(r[6]))
        check(lo95 < lo80 < mean < hi80 < hi95, f"intervals nest around the mean: {r}")
    # A seasonal series of six years: the selected model has a season, and the
    # forecast follows the sine (step 3 is month 75 = 3 mod 12, near its peak,
    # step 6 near its middle, as the data's pattern).
    code2, out2, _ = run("forecast", single, "--frequency", "month", "--horizon", "6", "--format", "csv")
    check(code2 == 0 and out2 == out, "--frequency month is --frequency 12")

    # ---- ANN: flat forecasts, interval widths from alpha and sigma2 ------------
    fits = os.path.join(d, "fits.csv")
    code, out, err = run("forecast", single, "--frequency", "1", "--horizon", "5", "--model", "ANN",
                         "--fits", fits, "--format", "csv")
    check(code == 0, f"ANN exits 0 ({err!r})")
    f = csv_rows(read(fits))
    check(f[0] == ["series", "model", "alpha", "beta", "gamma", "phi", "sigma2", "loglik", "aicc"], f"fits header {f[0]}")
    check(len(f) == 2 and f[1][1] == "ANN" and f[1][3:6] == ["", "", ""], f"ANN fit row, no beta/gamma/phi: {f[1:]}")
    alpha, sigma2, loglik, aicc = float(f[1][2]), float(f[1][6]), float(f[1][7]), float(f[1][8])
    check(0 < alpha < 1, f"alpha in (0, 1): {alpha}")
    # AICc = -2 logL + 2k + 2k(k+1)/(n-k-1), k = alpha, l0, sigma = 3, n = 72.
    close(aicc, -2 * loglik + 6 + 2 * 3 * 4 / (72 - 4), 1e-6, "AICc from logL with k = 3")
    # Concentrated Gaussian likelihood: logL = -n/2 (log(2 pi s2) + 1), s2 = SSE/n,
    # while the reported sigma2 is SSE/(n - 2) (alpha and l0 free), as R's ets().
    s2 = sigma2 * 70 / 72
    close(loglik, -36 * (math.log(2 * math.pi * s2) + 1), 1e-6, "logL of an additive model from sigma2")
    rows = csv_rows(out)[1:]
    means = [float(r[2]) for r in rows]
    check(max(means) - min(means) < 1e-9 * abs(means[0]), f"ANN forecasts are flat: {means}")
    for h, r in enumerate(rows, start=1):
        # Hyndman et al. (2008) Table 6.1: v_h = sigma2 (1 + (h-1) alpha^2).
        sd = math.sqrt(sigma2 * (1 + (h - 1) * alpha ** 2))
        close(float(r[6]) - float(r[2]), Z95 * sd, 1e-6 * sd, f"ANN 95 % half-width at h={h}")
        close(float(r[2]) - float(r[3]), Z80 * sd, 1e-6 * sd, f"ANN 80 % half-width at h={h}")

    # ---- Several series, fitted one by one ----------------------------------------
    a, b = seasonal(60, 100), [50 + 0.2 * t + math.sin(3.1 * t) for t in range(40)]
    lines = ["series,t,value"]
    for t in range(60):  # interleaved: the series keep their first-appearance order
        lines.append(f"north,2020-{t:03d},{a[t]:.6f}")
        if t < 40:
            lines.append(f"\"south, coast\",2020-{t:03d},{b[t]:.6f}")
    many = write(os.path.join(d, "many.csv"), "\n".join(lines) + "\n")
    code, out, err = run("forecast", many, "--frequency", "12", "--horizon", "3", "--format", "csv", "--fits", fits)
    check(code == 0, f"two series exit 0 ({err!r})")
    rows = csv_rows(out)[1:]
    check([r[0] for r in rows] == ["north"] * 3 + ["south, coast"] * 3, f"rows per series in order: {[r[0] for r in rows]}")
    f = csv_rows(read(fits))[1:]
    check([r[0] for r in f] == ["north", "south, coast"], f"one fit per series: {f}")
    # The same series alone gives the same forecast.
    south = write(os.path.join(d, "south.csv"), "t,value\n" + "".join(f"{t},{v:.6f}\n" for t, v in enumerate(b)))
    code, out1, _ = run("forecast", south, "--frequency", "12", "--horizon", "3", "--format", "csv")
    check(code == 0 and [r[2:] for r in csv_rows(out1)[1:]] == [r[2:] for r in rows[3:]],
          "a series in a file of many forecasts as it does alone")

    # ---- JSON and table ---------------------------------------------------------------
    code, out, err = run("forecast", single, "--frequency", "12", "--horizon", "2", "--format", "json", "--backtest", "3")
    j = json.loads(out) if code == 0 else {}
    check(len(j.get("forecast", [])) == 2 and j["forecast"][0]["step"] == 1, f"JSON forecast table: {out[:200]}")
    bt = j.get("backtest", [{}])[0]
    check(bt.get("origins") == 3 and bt.get("forecasts") == 6, f"backtest of 3 origins x 2 steps: {bt}")
    check(bt.get("mase", -1) > 0 and 0 <= bt.get("coverage95", -1) <= 1, f"backtest scores: {bt}")
    code, out, _ = run("forecast", single, "--frequency", "12", "--horizon", "2")
    check(code == 0 and "lo95" in out and "hi95" in out, "table format by default")

    # ---- Bounded metrics ------------------------------------------------------------------
    nps = [min(100.0, 70 + 0.6 * t + 12 * math.sin(5.1 * t)) for t in range(48)]
    check(nps.count(100.0) > 3, "the NPS series touches +100")
    npsf = write(os.path.join(d, "nps.csv"), "t,value\n" + "".join(f"{t},{v}\n" for t, v in enumerate(nps)))
    for model in ("auto", "AAN", "ANN"):
        code, out, err = run("forecast", npsf, "--frequency", "12", "--horizon", "24", "--lower", "-100", "--upper", "100",
                             "--model", model, "--format", "csv")
        check(code == 0, f"bounded {model} exits 0 ({err!r})")
        vals = [float(x) for r in csv_rows(out)[1:] for x in r[2:]]
        check(len(vals) == 120 and all(-100 <= v <= 100 for v in vals), f"bounded {model} stays in -100..100: {max(vals)}")
    code, out, err = run("forecast", npsf, "--frequency", "12", "--horizon", "24", "--format", "csv")
    check(code == 0 and max(float(x) for r in csv_rows(out)[1:] for x in r[2:]) > 100,
          "without bounds the same forecast goes past 100 (so the bounded check above is not vacuous)")
    bad = write(os.path.join(d, "nps_bad.csv"), "t,value\n1,50\n2,60\n3,120\n4,70\n5,65\n6,60\n")
    code, _, err = run("forecast", bad, "--frequency", "1", "--horizon", "2", "--lower", "-100", "--upper", "100")
    check(code == 1 and "nps_bad.csv:4" in err and "outside" in err, f"a value outside the bounds: exit 1 at line 4 ({err!r})")
    code, _, err = run("forecast", npsf, "--frequency", "1", "--horizon", "2", "--lower", "0")
    check(code == 2 and "--upper" in err, f"--lower without --upper is a usage error ({err!r})")
    code, _, err = run("forecast", npsf, "--frequency", "1", "--horizon", "2", "--lower", "0", "--upper", "100",
                       "--model", "MNN")
    check(code == 2 and "log-odds" in err, f"a nonlinear model with bounds is a usage error ({err!r})")

    # ---- Bad input: exit 1 naming file, line and column ---------------------------------------
    cases = [
        ("novalue.csv", "t,score\n1,2\n", "novalue.csv:1", "'value'"),
        ("text.csv", "t,value\n1,3\n2,abc\n", "text.csv:3:2", "'abc'"),
        ("empty.csv", "t,value\n1,3\n2,\n", "empty.csv:3:2", "empty"),
        ("fields.csv", "t,value\n1,3\n2,4,5\n", "fields.csv:3", "3 fields"),
        ("dup.csv", "t,value\n1,3\n2,4\n2,5\n", "dup.csv:4:1", "repeats line 3"),
        ("order.csv", "t,value\n2024-01,3\n2024-03,4\n2024-02,5\n", "order.csv:4:1", "time order"),
        ("nan.csv", "t,value\n1,3\n2,nan\n", "nan.csv:3:2", "finite"),
        ("short.csv", "t,value\n1,3\n2,4\n", "short.csv:3", "points"),
        ("nohead.csv", "", "nohead.csv:1", "empty"),
    ]
    for name, text, where, what in cases:
        p = write(os.path.join(d, name), text)
        code, out, err = run("forecast", p, "--frequency", "1", "--horizon", "2", "--model", "AAN")
        check(code == 1, f"{name}: exit 1 (got {code}, {err!r})")
        check(where in err and what in err, f"{name}: message names {where} and {what!r}: {err!r}")
        check(out == "", f"{name}: nothing on stdout")
    neg = write(os.path.join(d, "neg.csv"), "t,value\n" + "".join(f"{t},{v - 100}\n" for t, v in enumerate(seasonal(30))))
    code, _, err = run("forecast", neg, "--frequency", "1", "--horizon", "2", "--model", "MNN")
    check(code == 1 and "positive" in err, f"a multiplicative model on data <= 0: exit 1 ({err!r})")

    # ---- Usage and files -----------------------------------------------------------------------
    for args, what in [
        (["--frequency", "12"], "horizon"),
        (["--horizon", "3"], "frequency"),
        (["--frequency", "12", "--horizon", "0"], "horizon"),
        (["--frequency", "12", "--horizon", "1001"], "horizon"),
        (["--frequency", "monthly-ish", "--horizon", "3"], "frequency"),
        (["--frequency", "12", "--horizon", "3", "--model", "AAM"], "AAM"),
        (["--frequency", "12", "--horizon", "3", "--model", "XYZ"], "XYZ"),
    ]:
        code, _, err = run("forecast", single, *args)
        check(code == 2 and what in err, f"usage {args}: exit 2 naming {what} ({code}, {err!r})")
    code, _, err = run("forecast", os.path.join(d, "missing.csv"), "--frequency", "12", "--horizon", "3")
    check(code == 3 and "missing.csv" in err, f"a missing file: exit 3 ({code}, {err!r})")
    code, _, err = run("forecast", single, "--frequency", "12", "--horizon", "3", "--fits", single)
    check(code == 2, f"--fits over the input is refused ({code}, {err!r})")
    code, _, err = run("forecast", single, "--frequency", "12", "--horizon", "3",
                       "--fits", os.path.join(d, "no", "such", "dir", "f.csv"))
    check(code == 3, f"an unwritable --fits: exit 3 ({code}, {err!r})")

finish()
