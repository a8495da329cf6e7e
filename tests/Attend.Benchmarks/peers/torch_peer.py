#!/usr/bin/python3
"""Time PyTorch on the side-by-side cases: nn.MultiheadAttention and the same math from plain ops.

Reads <work>/manifest.json written by make_cases.py. For each case and thread count: loads the weights
and inputs from the case's safetensors, checks the output against the float64 reference (max abs
error), then times the forward pass under torch.inference_mode(): warm-up, then the median of N runs.
A run whose timed window saw other processes (or hypervisor steal) use more than 0.10 core is
repeated, up to 3 attempts; the quietest attempt is kept and flagged if it is still noisy. Before each
attempt it waits for a quiet machine (at most 15 s, and 180 s in all per run; 5 s and 30 s with --quick);
once that budget is spent, a noisy figure is not retried.

Run with Debian's /usr/bin/python3 (python3-torch 1.13). Writes a JSON list of results to --out.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time

from make_cases import attention_ops, causal_mask_for, read_safetensors

NOISE_LIMIT_CORES = 0.10
ATTEMPTS = 3


def _proc_busy_s() -> float:
    """Busy CPU seconds of the whole machine (all cores, steal included) from /proc/stat."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    v = [int(x) for x in fields]
    # user nice system idle iowait irq softirq steal guest guest_nice; guest is already in user
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def wait_quiet(max_wait_s: float, window_s: float = 0.5) -> float:
    """Wait (sleeping) until other processes use at most NOISE_LIMIT_CORES over a window, or give up
    after max_wait_s. Returns the seconds waited."""
    t0 = time.perf_counter()
    if max_wait_s < window_s:
        return 0.0
    while True:
        b0, o0, w0 = _proc_busy_s(), _own_cpu_s(), time.perf_counter()
        time.sleep(window_s)
        other = (_proc_busy_s() - b0 - (_own_cpu_s() - o0)) / (time.perf_counter() - w0)
        if other <= NOISE_LIMIT_CORES or time.perf_counter() - t0 + window_s > max_wait_s:
            return time.perf_counter() - t0


def measure(fn, cfg: dict) -> dict:
    """Warm up, then time fn() N times; returns median ms and how noisy the machine was."""
    t0 = time.perf_counter()
    runs = 0
    per = []
    while runs < cfg["warmup_min"] or time.perf_counter() - t0 < cfg["warmup_s"]:
        s = time.perf_counter()
        fn()
        per.append(time.perf_counter() - s)
        runs += 1
    est = min(per[-3:])
    n = cfg["iters"] or max(cfg["min_iters"], min(cfg["max_iters"], math.ceil(cfg["target_s"] / max(est, 1e-9))))
    best = None
    for attempt in range(1, ATTEMPTS + 1):
        # Wait for a quiet machine, within a total budget so a machine that stays busy costs little.
        cfg["quiet_budget_s"] -= wait_quiet(min(cfg["quiet_wait_s"], max(0.0, cfg["quiet_budget_s"])))
        busy0, own0, w0 = _proc_busy_s(), _own_cpu_s(), time.perf_counter()
        times = []
        for _ in range(n):
            s = time.perf_counter_ns()
            fn()
            times.append(time.perf_counter_ns() - s)
        wall = time.perf_counter() - w0
        other = max(0.0, (_proc_busy_s() - busy0 - (_own_cpu_s() - own0)) / wall)
        res = {"median_ms": statistics.median(times) / 1e6, "min_ms": min(times) / 1e6, "n": n,
               "other_cores": round(other, 3), "attempts": attempt}
        if best is None or other < best["other_cores"]:
            best = res
        if other <= NOISE_LIMIT_CORES or cfg["quiet_budget_s"] <= 0:
            break  # quiet, or the machine has stayed busy all along: another attempt would not help
    best["attempts"] = attempt
    best["noisy"] = best["other_cores"] > NOISE_LIMIT_CORES
    return best


def openblas_info() -> dict:
    info = {"OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get("internal_api") == "openblas":
                info.update(version=lib.get("version"), kernel=lib.get("architecture"),
                            threading=lib.get("threading_layer"), path=lib.get("filepath"))
    except Exception as e:  # threadpoolctl missing: ask the loaded library itself
        try:
            import ctypes
            path = next(l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l and ".so" in l)
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info.update(kernel=lib.openblas_get_corename().decode(), path=path)
        except Exception:
            info["kernel"] = f"unknown ({e})"
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--iters", type=int, default=0, help="fixed number of timed runs (default: adaptive)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_interop_threads(1)
    cfg = ({"warmup_min": 2, "warmup_s": 0.1, "target_s": 0.5, "min_iters": 5, "max_iters": 200,
            "quiet_wait_s": 5, "quiet_budget_s": 30}
           if args.quick else
           {"warmup_min": 3, "warmup_s": 0.3, "target_s": 2.0, "min_iters": 7, "max_iters": 1000,
            "quiet_wait_s": 15, "quiet_budget_s": 180})
    cfg["iters"] = args.iters
    threads = [int(t) for t in args.threads.split(",") if t]
    manifest = json.load(open(os.path.join(args.work, "manifest.json")))["cases"]
    log = lambda s: print(s, file=sys.stderr, flush=True)

    results = []
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # load OpenBLAS before asking which kernel it runs
    env = {"torch": torch.__version__, "numpy": np.__version__, "openblas": openblas_info()}
    log(f"torch {env['torch']}; OpenBLAS {env['openblas']}")
    for case in manifest:
        tensors, meta = read_safetensors(case["safetensors"])
        E, H = case["embed"], case["heads"]
        ref = torch.from_numpy(np.fromfile(case["ref_f64"], dtype="<f8").reshape(1, case["seq"], E))
        params = {k: torch.from_numpy(tensors[k]) for k in
                  ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")}
        x = torch.from_numpy(tensors["input.x"])
        pk = torch.from_numpy(tensors["input.past_key"]) if "input.past_key" in tensors else None
        pv = torch.from_numpy(tensors["input.past_value"]) if "input.past_value" in tensors else None
        cm = causal_mask_for(torch, case["seq"], case["kv"]) if case["mask"] == "causal" else None

        impls = {}
        if case["kind"] == "self":
            mha = nn.MultiheadAttention(E, H, batch_first=True).eval()
            mha.load_state_dict(params)
            impls["torch_mha"] = lambda: mha(x, x, x, attn_mask=cm, need_weights=False)[0]
        impls["torch_ops"] = lambda: attention_ops(torch, F, params, x, pk, pv, cm, H, E)

        for t in threads:
            torch.set_num_threads(t)
            for impl, fn in impls.items():
                with torch.inference_mode():
                    y = fn()
                    err = (y.double() - ref).abs().max().item()
                    r = measure(fn, cfg)
                r.update(name=case["name"], threads=t, impl=impl, max_abs_err=err)
                results.append(r)
                log(f"  {case['name']:<22} {impl:<10} t={t}: {r['median_ms']:9.3f} ms  n={r['n']:<4} "
                    f"err={err:.1e} other={r['other_cores']:.2f}{' NOISY' if r['noisy'] else ''}")
    with open(args.out, "w") as f:
        json.dump({"env": env, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
