#!/usr/bin/env python3
"""Prints the BENCHMARKS.md tables from one `cargo bench` run and the peers' JSON.

    python3 benches/table.py [--criterion target/criterion] [--jax results.json]
                             [--pyhf benches/peers/pyhf_results.json]

Reads criterion's median point estimate (`<bench>/new/estimates.json`, named by the
`benchmark.json` beside it), `shared/peers/jax_bench.py --json` output (rows of workload, N,
B, value_s, value_grad_s, fwd_s) and `benches/peers/pyhf_bench.py --json` output (its `rows`).
Missing files or entries print as "—". Standard library only.

Columns: `JAX v+grad` is jit(value_and_grad) (W2 h: the reverse Jacobian, vjp + B pullbacks);
`JAX fwd` is jacfwd (W4: 337 sequential one-hot JVPs). `1 thread` is the parallel variant on
a one-thread pool, `par speed-up` = `1 thread / grad_par` (W2: kde's own parallel `grad`).
W4's per-event reverse mode (`grad_rev`, `grad_rev_par`) has its own table.
"""

import argparse
import json
import os
import re
import sys

# fd_17 of W4 differentiates 8 of the 337 parameters: the full gradient is 675/17 times it.
FD_SCALE = {"fd_17": 675 / 17}


def load_criterion(root):
    """{(group, function, parameter): median seconds} of every bench under root."""
    out = {}
    for dirpath, _, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
            continue
        try:
            with open(os.path.join(dirpath, "benchmark.json")) as f:
                meta = json.load(f)
            with open(os.path.join(dirpath, "estimates.json")) as f:
                median = json.load(f)["median"]["point_estimate"] * 1e-9
        except (OSError, ValueError, KeyError) as e:
            print(f"warning: skipped {dirpath}: {e}", file=sys.stderr)
            continue
        key = (meta.get("group_id"), meta.get("function_id"), meta.get("value_str"))
        out[key] = median
    return out


def load_json(path, what):
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"warning: {what} {path} unreadable: {e}", file=sys.stderr)
        return None


def fmt(t):
    if t is None:
        return "—"
    if t < 1e-3:
        return f"{t * 1e6:.1f} µs"
    if t < 1.0:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "—"


def jax_row(jax, workload, n, bins=None):
    for r in (jax or {}).get("rows", []):
        if r.get("workload") == workload and r.get("N") == n and (bins is None or r.get("B") == bins):
            return r
    return {}


# (criterion group, JAX workload, JAX forward-mode workload, B) of each table row family.
# W4's rows: the peer's "W4" (forward by jacfwd) exists only where jacfwd fits in memory;
# "W4-seq" carries the same value and v+grad timings at every N.
WORKLOADS = [
    ("W1 soft cut yield", "W1", "W1", None),
    ("W2 h and dh-ds B=10", "W2-jac", "W2-jac", 10),
    ("W2 h and dh-ds B=50", "W2-jac", "W2-jac", 50),
    ("W2 L and dL-ds B=10", "W2-loss", "W2-loss", 10),
    ("W2 L and dL-ds B=50", "W2-loss", "W2-loss", 50),
    ("W3 neos-lite", "W3", "W3", None),
    ("W4 MLP observable", "W4-seq", "W4-seq", 5),
]


def workload_table(crit, jax):
    cols = ["workload", "N", "primal", "grad", "hand", "fd", "grad_par", "1 thread",
            "JAX v+grad", "JAX fwd", "grad/primal", "grad/hand", "fd/grad",
            "JAX/grad", "JAX fwd/grad", "par speed-up"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for group, jw, jfw, bins in WORKLOADS:
        ns = sorted({int(k[2]) for k in crit if k[0] == group and k[2].isdigit()})
        for n in ns:
            t = {k[1]: v for k, v in crit.items() if k[0] == group and k[2] == str(n)}
            fd_key = next((f for f in t if f.startswith("fd")), None)
            fd = t[fd_key] * FD_SCALE.get(fd_key, 1.0) if fd_key else None
            # W1/W3/W4: grad is serial and grad_par parallel; W2: kde's own parallel loop is
            # `grad`, with `grad_1thread` its serial twin.
            par = t.get("grad_par") or (t.get("grad") if "grad_1thread" in t else None)
            one = t.get("grad_par_1thread") or t.get("grad_1thread")
            jr, jf = jax_row(jax, jw, n, bins), jax_row(jax, jfw, n, bins)
            jv, jfwd = jr.get("value_grad_s"), jf.get("fwd_s")
            name = group.split(" ")[0] + (f" B={bins}" if bins and group.startswith("W2") else "")
            name += " L" if " L " in group else (" h" if " h " in group else "")
            print("| " + " | ".join([
                name, str(n), fmt(t.get("primal")), fmt(t.get("grad")), fmt(t.get("hand")),
                fmt(fd), fmt(t.get("grad_par")), fmt(one), fmt(jv), fmt(jfwd),
                ratio(t.get("grad"), t.get("primal")), ratio(t.get("grad"), t.get("hand")),
                ratio(fd, t.get("grad")), ratio(jv, t.get("grad")), ratio(jfwd, t.get("grad")),
                ratio(one, par)]) + " |")


def keyed_table(crit, pattern, title, cols):
    """Rows of groups matching `pattern`; columns the functions `cols`, then the ratio of the
    first to each of the others."""
    rows = sorted({(k[0], k[2]) for k in crit if re.match(pattern, k[0] or "")},
                  key=lambda r: (int(r[1]) if r[1].isdigit() else 0, r[0]))
    if not rows:
        return
    first, rest = cols[0], cols[1:]
    head = cols + [f"{first}/{c}" for c in rest]
    print(f"\n| {title} | " + " | ".join(head) + " |\n|" + "---|" * (len(head) + 1))
    for group, p in rows:
        t = [crit.get((group, c, p)) for c in cols]
        cells = [fmt(x) for x in t] + [ratio(t[0], x) for x in t[1:]]
        print(f"| {group}, {p} | " + " | ".join(cells) + " |")


def reverse_table(crit, jax):
    """W4 by per-event reverse mode (`grad_rev` on one thread, `grad_rev_par` on the default
    pool) beside forward mode's `grad` and JAX's reverse and forward modes."""
    group = "W4 MLP observable"
    ns = sorted({int(k[2]) for k in crit if k[0] == group and k[1] == "grad_rev" and k[2].isdigit()})
    if not ns:
        return
    cols = ["N", "primal", "grad (forward)", "grad_rev", "grad_rev_par", "JAX v+grad", "JAX fwd",
            "grad_rev/primal", "rev speed-up", "JAX v+grad/grad_rev_par", "JAX fwd/grad_rev_par"]
    print("\n| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for n in ns:
        t = {k[1]: v for k, v in crit.items() if k[0] == group and k[2] == str(n)}
        jv = jax_row(jax, "W4-seq", n, 5).get("value_grad_s")
        jf = jax_row(jax, "W4-seq", n, 5).get("fwd_s")
        rev, par = t.get("grad_rev"), t.get("grad_rev_par")
        print("| " + " | ".join([
            str(n), fmt(t.get("primal")), fmt(t.get("grad")), fmt(rev), fmt(par), fmt(jv), fmt(jf),
            ratio(rev, t.get("primal")), ratio(rev, par), ratio(jv, par), ratio(jf, par)]) + " |")


def pyhf_table(crit, pyhf):
    """pyhf's medians per workspace (the peer's `rows`) beside the `W5 hypotest` bench of the
    same bin count: pyhf's hypotest alone, and its derivative path, over gradhep's `grad`
    (CLs with dCLs/ds)."""
    rows = pyhf.get("rows") if isinstance(pyhf, dict) else None
    if not isinstance(rows, list):
        return
    print("\n| workspace | bins | gradhep primal | gradhep grad | pyhf numpy | pyhf jax "
          "| pyhf jax CLs + differences | numpy/grad | jax/grad | jax differences/grad |"
          "\n|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if not isinstance(r, dict):
            continue
        bins = str(r.get("nbins"))
        primal = crit.get(("W5 hypotest", "primal", bins))
        grad = crit.get(("W5 hypotest", "grad", bins))
        numpy, jax, jax_fd = (r.get(k) for k in ("numpy_s", "jax_s", "jax_fd_s"))
        print(f"| {r.get('workspace')} | {bins} | {fmt(primal)} | {fmt(grad)} | {fmt(numpy)} "
              f"| {fmt(jax)} | {fmt(jax_fd)} | {ratio(numpy, grad)} | {ratio(jax, grad)} "
              f"| {ratio(jax_fd, grad)} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "criterion"))
    ap.add_argument("--jax", default="benches/peers/jax_results.json")
    ap.add_argument("--pyhf", default="benches/peers/pyhf_results.json")
    args = ap.parse_args()
    crit = load_criterion(args.criterion)
    if not crit:
        sys.exit(f"no criterion estimates under {args.criterion}")
    workload_table(crit, load_json(args.jax, "JAX results"))
    reverse_table(crit, load_json(args.jax, "JAX results"))
    keyed_table(crit, r"W2 sparse vs dense", "W2, B (N = 1e5, one thread)", ["dense", "sparse"])
    keyed_table(crit, r"tangents K=", "tangents, K", ["num_dual", "dense", "dense_array"])
    pyhf_table(crit, load_json(args.pyhf, "pyhf results"))


if __name__ == "__main__":
    main()
