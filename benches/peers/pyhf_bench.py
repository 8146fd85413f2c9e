#!/usr/bin/env python3
"""pyhf 0.7.6 peer of benches/w5_hypotest.rs (W5 of shared/BENCHMARKS.md).

For each workspace (tests/fixtures/pyhf/workspaces/{simple_1bin, simple_2bin, shape_20bin,
shape_100bin}.json), times

  numpy  pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde"), numpy backend
         (scipy SLSQP, gradients by finite differences inside scipy)
  jax    the same with the jax backend (scipy SLSQP on jax's exact, jit-compiled gradients)
  grad   jax.grad of CLs with respect to a scale s on all signal yields, at s = 1: attempted
         first; pyhf's jax backend hands jax tracers to scipy.optimize, which cannot take
         them (TracerArrayConversionError), so when it fails the error is recorded and the
         working derivative path is timed instead:
  fd     central differences of the jax-backend CLs in s (three hypotests, step 1e-3, as
         gradhep's `fd` variant; s multiplies every signal sample's whole expected rate, as
         `Model::with_signal_scale`: an extra normfactor, fixed, set through init_pars)

Timing as shared/peers/jax_bench.py: the first call (jit compilation) and a second one are
excluded; each repetition times a batch of k calls (k chosen so a batch lasts >= 50 ms) and
the reported figure is the median over repetitions of the per-call time. A call that is
slow gets fewer repetitions (at least 3, within --budget-s seconds per figure), because
numpy's SLSQP on a 105-parameter model takes minutes per hypotest.

Each workspace is timed in a process of its own (see main).

Usage:  /work/venv-pyhf/bin/python benches/peers/pyhf_bench.py [--reps 15]
            [--workspaces simple_1bin,shape_100bin] [--backends numpy,jax] [--json out.json]
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import numpy as np  # noqa: E402
import pyhf  # noqa: E402
import scipy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKSPACES = ROOT / "tests" / "fixtures" / "pyhf" / "workspaces"
DEFAULT_WORKSPACES = "simple_1bin,simple_2bin,shape_20bin,shape_100bin"
SIGNAL_SCALE = "__signal_scale__"
FD_STEP = 1e-3


def signal_scaled(spec, s):
    """The workspace with every signal sample (one carrying the POI's normfactor) scaled by
    s through an extra normfactor fixed at s: its whole expected rate is multiplied by s,
    constraint terms and auxiliary data are unchanged."""
    spec = copy.deepcopy(spec)
    for meas in spec["measurements"]:
        meas["config"]["parameters"].append(
            {"name": SIGNAL_SCALE, "fixed": True, "inits": [s], "bounds": [[0.0, 10.0]]}
        )
    poi = spec["measurements"][0]["config"]["poi"]
    for channel in spec["channels"]:
        for sample in channel["samples"]:
            if any(m["type"] == "normfactor" and m["name"] == poi for m in sample["modifiers"]):
                sample["modifiers"].append({"name": SIGNAL_SCALE, "type": "normfactor", "data": None})
    return spec


def model_and_data(spec):
    ws = pyhf.Workspace(spec)
    model = ws.model()
    return model, pyhf.tensorlib.astensor(ws.data(model))


def cls(model, data):
    return float(pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde"))


def bench(fn, reps, budget_s, min_batch_s=0.05):
    """(median per-call seconds, repetitions, calls per repetition)."""
    fn()  # compilation and caches, excluded
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    k = int(min(1000, max(1, min_batch_s / max(one, 1e-7))))
    reps = max(3, min(reps, int(budget_s / max(one * k, 1e-9))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        times.append((time.perf_counter() - t0) / k)
    return statistics.median(times), reps, k


def jax_grad_attempt(spec, data):
    """jax.grad of the jax-backend hypotest CLs in s: (dCLs/ds, None) or (None, error)."""
    config = spec["measurements"][0]["config"]
    poi = config["poi"]

    def cls_of_scale(s):
        channels = copy.deepcopy(spec["channels"])
        for channel in channels:
            for sample in channel["samples"]:
                if any(m["type"] == "normfactor" and m["name"] == poi for m in sample["modifiers"]):
                    sample["data"] = [s * v for v in sample["data"]]
        # (the schema validator cannot read tracers; the spec is the validated one, scaled)
        model = pyhf.Model({"channels": channels, "parameters": config["parameters"]},
                           poi_name=poi, validate=False)
        return pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde")

    try:
        return float(jax.grad(cls_of_scale)(1.0)), None
    except Exception as err:  # noqa: BLE001  (the failure is the finding; record it)
        return None, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


def fmt_t(t):
    if t is None:
        return "-"
    return f"{t * 1e6:9.1f} us" if t < 1e-3 else f"{t * 1e3:9.2f} ms" if t < 1 else f"{t:9.3f} s "


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--budget-s", type=float, default=60.0, help="time per figure before reps are cut (min 3)")
    ap.add_argument("--workspaces", default=DEFAULT_WORKSPACES)
    ap.add_argument("--backends", default="numpy,jax")
    ap.add_argument("--json", default=str(pathlib.Path(__file__).with_name("pyhf_results.json")))
    args = ap.parse_args()
    backends = args.backends.split(",")
    names = args.workspaces.split(",")
    if len(names) > 1:
        # One process per workspace: in one process, a 100-bin hypotest timed after the
        # 1-bin one ran 25x slower (pyhf's module-level jitted objective, static in the
        # model, retraces), which is not what a user fitting one workspace sees.
        rows, meta = [], None
        for name in names:
            part = pathlib.Path(args.json).with_suffix(f".{name}.json")
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--workspaces", name, "--json", str(part)],
                           check=True)
            result = json.loads(part.read_text())
            part.unlink()
            meta = meta or result["meta"]
            rows += result["rows"]
        pathlib.Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
        print(f"# wrote {args.json}")
        return

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "versions": {"python": platform.python_version(), "pyhf": pyhf.__version__,
                     "numpy": np.__version__, "scipy": scipy.__version__, "jax": jax.__version__},
        "cpu_count": os.cpu_count(),
        "loadavg_start": os.getloadavg()[0],
        "timing": "median per call over repetitions of batches (>= 50 ms); first two calls excluded",
        "test": "pyhf.infer.hypotest(1.0, data, model, test_stat='qtilde'), calctype asymptotics",
    }
    print(f"# pyhf W5 peer  {meta['date']}  {meta['versions']}  load {meta['loadavg_start']:.2f}")
    rows = []
    for name in names:
        spec = json.loads((WORKSPACES / f"{name}.json").read_text())
        row = {"workspace": name}
        for backend in (b for b in ("numpy", "jax") if b in backends):
            pyhf.set_backend(backend)
            model, data = model_and_data(spec)
            row.update(nbins=model.config.nmaindata, npars=model.config.npars)
            row[f"{backend}_cls"] = cls(model, data)
            row[f"{backend}_s"], row[f"{backend}_reps"], _ = bench(
                lambda: cls(model, data), args.reps, args.budget_s)
            print(f"  {name:<14} {backend:<6} hypotest {fmt_t(row[f'{backend}_s'])}  "
                  f"CLs {row[f'{backend}_cls']:.10f}", flush=True)
        if "jax" in backends:
            row["jax_grad_dcls"], row["jax_grad_error"] = jax_grad_attempt(spec, data)
            print(f"  {name:<14} jax.grad: {row['jax_grad_error'] or row['jax_grad_dcls']}", flush=True)
            # One model with the scale as a fixed parameter, moved through init_pars: three
            # models would each defeat the jit cache of pyhf's objective on every call.
            scaled, _ = model_and_data(signal_scaled(spec, 1.0))
            k = scaled.config.par_slice(SIGNAL_SCALE).start

            def cls_at(s):
                init = list(scaled.config.suggested_init())
                init[k] = s
                return float(pyhf.infer.hypotest(1.0, data, scaled, init_pars=init, test_stat="qtilde"))

            def fd():
                centre = cls_at(1.0)
                return centre, (cls_at(1.0 + FD_STEP) - cls_at(1.0 - FD_STEP)) / (2 * FD_STEP)

            row["jax_fd_dcls"] = fd()[1]
            row["jax_fd_s"], row["jax_fd_reps"], _ = bench(fd, args.reps, args.budget_s)
            print(f"  {name:<14} jax    CLs + central differences {fmt_t(row['jax_fd_s'])}  "
                  f"dCLs/ds {row['jax_fd_dcls']:.8f}", flush=True)
        row["loadavg"] = os.getloadavg()[0]
        rows.append(row)
        pathlib.Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
