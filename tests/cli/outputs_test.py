#!/usr/bin/env python3
"""cxm never destroys an input and never leaves a half-written output.

Usage: outputs_test.py CXM_BINARY SOURCE_DIR
"""
import os
import signal
import stat
import subprocess
import time

from cxmtest import CXM, SAMPLE, check, finish, read, run, scratch, write

CSV = "id,channel,nps,csat\na,phone,9,5\nb,chat,3,2\nc,phone,10,4\n"

with scratch() as tmp:
    src = write(os.path.join(tmp, "in.csv"), CSV)
    before = read(src)
    os.symlink("in.csv", os.path.join(tmp, "link.csv"))
    os.link(src, os.path.join(tmp, "hard.csv"))
    mapping = write(os.path.join(tmp, "map.json"), '{"columns": {"nps": "nps"}}')

    # An output that is an input, by any name, is a usage error before anything is written.
    cases = [
        ("summary", "in.csv", "--rejects", "in.csv"),
        ("summary", "in.csv", "--rejects", "./in.csv"),
        ("summary", "in.csv", "--rejects", "link.csv"),
        ("summary", "in.csv", "--rejects", "hard.csv"),
        ("summary", "link.csv", "--rejects", os.path.join(tmp, "in.csv")),
        ("report", "in.csv", "-o", "in.csv"),
        ("report", "in.csv", "-o", "hard.csv"),
        ("report", "in.csv", "-o", "../" + os.path.basename(tmp) + "/link.csv"),
        ("summary", "in.csv", "--mapping", "map.json", "--rejects", "map.json"),
    ]
    for args in cases:
        code, out, err = run(*args, cwd=tmp)
        check(code == 2, f"{args}: an output that is an input exits 2 (got {code}, {err!r})")
        check("input" in err and "refusing" in err, f"{args}: the message says why ({err!r})")
        check(read(src) == before, f"{args}: the input is unchanged")
    check(os.path.islink(os.path.join(tmp, "link.csv")), "the symlink is still a symlink")
    check(read(mapping) == '{"columns": {"nps": "nps"}}', "the mapping file is unchanged")

    # Two outputs that are one file.
    code, _, err = run("report", "in.csv", "-o", "out.x", "--rejects", "./out.x", cwd=tmp)
    check(code == 2 and "same file" in err, f"-o and --rejects on one path exit 2 ({code}, {err!r})")
    check(not os.path.exists(os.path.join(tmp, "out.x")), "nothing is written when the outputs collide")

    # A failed run leaves earlier outputs as they were, and no temporary files.
    report = write(os.path.join(tmp, "report.html"), "old report")
    rejects = write(os.path.join(tmp, "rejects.csv"), "old rejects")
    os.chmod(report, 0o640)
    nocol = write(os.path.join(tmp, "nocol.csv"), "id,planet\na,mars\n")
    code, _, err = run("report", nocol, "-o", report, "--rejects", rejects)
    check(code == 1, f"report of a file without score columns exits 1 (got {code}, {err!r})")
    check(read(report) == "old report" and read(rejects) == "old rejects", "a failed run leaves the old outputs")
    leftovers = [f for f in os.listdir(tmp) if ".cxm-" in f]
    check(not leftovers, f"a failed run leaves no temporary file ({leftovers})")

    # A good run replaces them, keeping the old file's permission bits; a new file gets 0666 less the umask.
    code, _, err = run("report", src, "-o", report, "--rejects", rejects, "--quiet")
    check(code == 0, f"report exits 0 ({err!r})")
    check(read(report).startswith("<!DOCTYPE html>"), "the report was written")
    check(stat.S_IMODE(os.stat(report).st_mode) == 0o640, "the replaced report keeps mode 0640")
    check(read(rejects).startswith("file,line,column,field,cause"), "the rejects file was written")
    old_umask = os.umask(0o022)
    os.umask(old_umask)
    fresh = os.path.join(tmp, "fresh.html")
    code, _, _ = run("report", src, "-o", fresh, "--quiet")
    check(code == 0 and stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~old_umask,
          f"a new report has mode 0666 & ~umask (got {oct(stat.S_IMODE(os.stat(fresh).st_mode))})")

    # A symlink output: the file it points to is replaced, the link stays.
    target = write(os.path.join(tmp, "target.html"), "old")
    os.symlink("target.html", os.path.join(tmp, "out-link.html"))
    code, _, _ = run("report", src, "-o", os.path.join(tmp, "out-link.html"), "--quiet")
    check(code == 0 and os.path.islink(os.path.join(tmp, "out-link.html")), "a symlink output stays a link")
    check(read(target).startswith("<!DOCTYPE html>"), "the link's target holds the report")

    # --strict --rejects writes the row that stopped the read.
    bad = write(os.path.join(tmp, "bad.csv"), "id,nps\na,5\nb,11\nc,3\nd,12\n")
    rj = os.path.join(tmp, "strict-rejects.csv")
    code, _, err = run("summary", bad, "--strict", "--rejects", rj)
    check(code == 1, f"--strict stops with exit 1 (got {code})")
    lines = read(rj).splitlines() if os.path.exists(rj) else []
    check(len(lines) == 2 and lines[1].startswith(f"{bad},3,2,nps,score_out_of_scale,101,") and lines[1].endswith(",11"),
          f"the strict rejects file holds the header and the offending row ({lines})")

    # Standard input and pipes are read; CSV and JSON Lines are told apart by their first byte.
    code, out, err = run("summary", "-", "--metrics", "nps", "--format", "csv", stdin=CSV)
    check(code == 0 and out.splitlines()[1].startswith("3,3,"), f"CSV from standard input ({code}, {out!r}, {err!r})")
    code, out, err = run("summary", "-", "--metrics", "nps", "--format", "csv", stdin='{"nps": 9}\n{"nps": 3}\n')
    check(code == 0 and out.splitlines()[1].startswith("2,2,0,"), f"JSON Lines from standard input ({out!r}, {err!r})")
    fifo = os.path.join(tmp, "pipe")
    os.mkfifo(fifo)
    p = subprocess.Popen([CXM, "summary", fifo, "--metrics", "nps", "--format", "csv"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    with open(fifo, "w", encoding="utf-8") as f:
        f.write(CSV)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 0 and out.splitlines()[1].startswith("3,3,"), f"a FIFO is read ({p.returncode}, {err!r})")

    # An interrupted run: the old outputs stay and the temporary files go.
    write(report, "old report")
    write(rejects, "old rejects")
    for sig in (signal.SIGTERM, signal.SIGINT):
        p = subprocess.Popen([CXM, "report", fifo, "-o", report, "--rejects", rejects], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        f = open(fifo, "w", encoding="utf-8")  # noqa: SIM115 - held open while the signal arrives
        f.write(CSV)
        f.flush()
        deadline = time.time() + 30
        while time.time() < deadline and not [x for x in os.listdir(tmp) if ".cxm-" in x]:
            time.sleep(0.02)
        check([x for x in os.listdir(tmp) if ".cxm-" in x], "the rejects file is written to a temporary file first")
        p.send_signal(sig)
        p.wait(timeout=30)
        f.close()
        check(p.returncode == -sig, f"cxm ends by the signal {sig} (got {p.returncode})")
        check(read(report) == "old report" and read(rejects) == "old rejects", f"{sig!r} leaves the old outputs")
        leftovers = [x for x in os.listdir(tmp) if ".cxm-" in x]
        check(not leftovers, f"{sig!r} leaves no temporary file ({leftovers})")

    # An output folder that does not exist is a file error, and nothing is left behind.
    code, _, _ = run("report", SAMPLE, "-o", os.path.join(tmp, "no", "such", "dir.html"))
    check(code == 3, f"unwritable report path exits 3 (got {code})")

finish()
