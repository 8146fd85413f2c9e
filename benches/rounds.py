#!/usr/bin/env python3
"""Repeated rounds of the figures behind issue 6's tight targets, ours and the peer's side by
side, so that a ratio is judged on its spread over rounds and not on one draw of a noisy host.

    python benches/rounds.py [--rounds 7] [--peer ../shared/peers/jax_bench.py]
                             [--json benches/peers/rounds.json]

A round times each pair of a ratio within a minute of each other: our figures with
`cargo bench` filtered to them (criterion's median, read from `target/criterion`), the
peer's with its own `bench` function on its own jitted workloads (median of 15 repetitions,
imported from `jax_bench.py`, not rewritten). Every second round runs the peer first, so a
drift of the host does not favour either side. Prints each ratio per round and its median over the
rounds, and writes every figure to the JSON file. Needs the peer's virtualenv
(`peers/jax_requirements.txt`) and `cargo` on the path.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Our figures: bench target -> criterion ids (group/function/parameter).
OURS = {
    "w1_soft_cut": [
        "W1 soft cut yield/grad_par/1000000",
        "W1 soft cut yield/grad_par_1thread/1000000",
    ],
    "kde": [
        "W2 h and dh-ds B=10/grad/10000",
        "W2 h and dh-ds B=10/hand/10000",
        "W2 h and dh-ds B=50/grad/10000",
        "W2 h and dh-ds B=50/hand/10000",
        "W2 h and dh-ds B=50/grad/1000000",
        "W2 h and dh-ds B=50/grad_1thread/1000000",
    ],
    "w3_neos_lite": [
        "W3 neos-lite/grad_par/1000000",
        "W3 neos-lite/grad_par_1thread/1000000",
    ],
    "w4_mlp": ["W4 MLP observable/grad_rev_par/10000"],
}

# The ratios: (name, numerator, denominator, target, whether the ratio must be at least or
# at most the target). A "jax:" figure is the peer's.
RATIOS = [
    ("W1 JAX v+grad / grad_par, 1e6", "jax:W1 v+grad 1e6",
     "W1 soft cut yield/grad_par/1000000", 2.0, "min"),
    ("W1 par speed-up, 1e6", "W1 soft cut yield/grad_par_1thread/1000000",
     "W1 soft cut yield/grad_par/1000000", 1.7, "min"),
    ("W2 h B=10 grad / hand, 1e4", "W2 h and dh-ds B=10/grad/10000",
     "W2 h and dh-ds B=10/hand/10000", 1.05, "max"),
    ("W2 h B=50 grad / hand, 1e4", "W2 h and dh-ds B=50/grad/10000",
     "W2 h and dh-ds B=50/hand/10000", 1.05, "max"),
    ("W2 h B=50 JAX fwd / grad, 1e6", "jax:W2 h B=50 fwd 1e6",
     "W2 h and dh-ds B=50/grad/1000000", 5.0, "min"),
    ("W2 h B=50 par speed-up, 1e6", "W2 h and dh-ds B=50/grad_1thread/1000000",
     "W2 h and dh-ds B=50/grad/1000000", 1.7, "min"),
    ("W3 JAX v+grad / grad_par, 1e6", "jax:W3 v+grad 1e6",
     "W3 neos-lite/grad_par/1000000", 2.0, "min"),
    ("W3 par speed-up, 1e6", "W3 neos-lite/grad_par_1thread/1000000",
     "W3 neos-lite/grad_par/1000000", 1.7, "min"),
    ("W4 JAX fwd / grad_rev_par, 1e4", "jax:W4 fwd 1e4",
     "W4 MLP observable/grad_rev_par/10000", 10.0, "min"),
]


def target_dir():
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(meta.stdout)["target_directory"]


def run_ours(criterion_root):
    """Times our figures once (one `cargo bench` per bench target); {id: median seconds}."""
    out = {}
    for bench, ids in OURS.items():
        pattern = "^(" + "|".join(ids) + ")$"
        subprocess.run(["cargo", "bench", "--bench", bench, "--", pattern], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        for bid in ids:
            path = os.path.join(criterion_root, *bid.split("/"), "new", "estimates.json")
            with open(path) as f:
                out[bid] = json.load(f)["median"]["point_estimate"] * 1e-9
    return out


class Peer:
    """The peer's workloads of the ratios, jitted once, timed by the peer's `bench`."""

    def __init__(self, path):
        spec = importlib.util.spec_from_file_location("jax_bench", path)
        jb = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(jb)
        jax, jnp = jb.jax, jb.jnp
        d6, d4 = jb.make_data(1_000_000), jb.make_data(10_000)
        theta0 = jnp.asarray(jb.w4_init_params())
        c1c2 = jnp.array([jb.W3_C1, jb.W3_C2])
        w1_vg = jax.jit(jax.value_and_grad(jb.w1_yield, argnums=0))
        w2_fwd = jax.jit(jax.jacfwd(jb.w2_hist, argnums=0))
        w3_vg = jax.jit(jax.value_and_grad(jb.w3_Z, argnums=0))
        w4_fc = jax.jit(jb.w4_fwd_chunked, static_argnums=3)
        self.bench = jb.bench
        self.calls = {
            "jax:W1 v+grad 1e6": (w1_vg, jnp.float64(jb.W1_C), jnp.float64(jb.W1_T), d6["x"]),
            "jax:W2 h B=50 fwd 1e6": (w2_fwd, jnp.float64(jb.W2_S), d6["x"],
                                      jb.edges(50, jb.W2_LO, jb.W2_HI)),
            "jax:W3 v+grad 1e6": (w3_vg, c1c2, d6["xs"], d6["xb"]),
            "jax:W4 fwd 1e4": (w4_fc, theta0, d4["Xs"], d4["Xb"], 1),
        }
        self.versions = f"jax {jax.__version__}"

    def run(self):
        """Times the peer's figures once; {id: median seconds}."""
        return {name: self.bench(fn, *args)[0] for name, (fn, *args) in self.calls.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "peers",
                                                   "jax_bench.py"))
    ap.add_argument("--json", default=os.path.join(ROOT, "benches", "peers", "rounds.json"))
    args = ap.parse_args()

    criterion_root = os.path.join(target_dir(), "criterion")
    subprocess.run(["cargo", "bench", "--no-run", *sum((["--bench", b] for b in OURS), [])],
                   cwd=ROOT, check=True)
    peer = Peer(args.peer)
    rounds = []
    for r in range(args.rounds):
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        figures = {}
        for side in ([peer.run, lambda: run_ours(criterion_root)] if r % 2 else
                     [lambda: run_ours(criterion_root), peer.run]):
            figures.update(side())
        ratios = {name: figures[num] / figures[den] for name, num, den, _, _ in RATIOS}
        rounds.append(dict(start=start, figures=figures, ratios=ratios))
        print(f"round {r + 1} ({start}): "
              + ", ".join(f"{n} {v:.2f}" for n, v in ratios.items()), flush=True)

    print("\n| ratio | target | " + " | ".join(f"round {i + 1}" for i in range(len(rounds)))
          + " | median | met in |\n|---|---|" + "---|" * (len(rounds) + 2))
    for name, _, _, target, kind in RATIOS:
        values = [r["ratios"][name] for r in rounds]
        met = sum(v >= target if kind == "min" else v <= target for v in values)
        bound = "≥" if kind == "min" else "≤"
        print(f"| {name} | {bound} {target} | " + " | ".join(f"{v:.2f}" for v in values)
              + f" | {statistics.median(values):.2f} | {met} of {len(values)} |")
    with open(args.json, "w") as f:
        json.dump(dict(peer=peer.versions, rounds=rounds,
                       ratios=[dict(name=n, numerator=a, denominator=b, target=t, kind=k)
                               for n, a, b, t, k in RATIOS]), f, indent=1)
    print(f"\n(wrote {args.json})")


if __name__ == "__main__":
    sys.exit(main())
