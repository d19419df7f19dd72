"""cxm --method: the names of the interval methods are the library's, all of them.

The names are written out here (the to_string names of core/estimate.hpp),
so a method the tool does not know, or one it lists twice, fails.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxmtest import check, finish, jrun, run  # noqa: E402

METHODS = ["wald", "adjusted_wald", "wilson", "jeffreys", "clopper_pearson", "agresti_coull", "t",
           "bayes_dirichlet", "bootstrap", "newcombe", "tango", "wilson_cc", "mover"]

# An unknown name: a usage error that lists every method once, in their order.
code, out, err = run("nps", "--counts", "10,20,30", "--method", "tangoo")
check(code == 2, f"unknown method exits 2 (got {code})")
check("unknown interval method 'tangoo'" in err, f"the message names the value: {err!r}")
known = err[err.find("(known: ") + len("(known: "):err.rfind(")")].split(", ") if "(known: " in err else []
check(known == METHODS, f"the message lists every method in order: {known}")

# Every name is known: a method NPS does not take is refused as such, not as unknown.
for name in METHODS:
    code, out, err = run("nps", "--counts", "10,20,30", "--method", name)
    check("unknown interval method" not in err, f"{name} is a known method name ({err!r})")
    if name not in ("wald", "adjusted_wald", "bayes_dirichlet", "bootstrap", "tango", "t"):
        check(code == 2 and "does not apply to NPS" in err, f"{name}: exit 2, does not apply to NPS ({code}, {err!r})")

# 'bayes' stays a short name of bayes_dirichlet: the same row.
short = jrun("nps", "--counts", "10,20,30", "--method", "bayes")["nps"]
full = jrun("nps", "--counts", "10,20,30", "--method", "bayes_dirichlet")["nps"]
check(short == full and len(full) == 1 and full[0]["method"] == "bayes_dirichlet", "bayes is bayes_dirichlet")

finish()
