#!/usr/bin/env python3
"""Medians of scripts/comfyui-check.sh's runs as a markdown table.
  comfyui-summary.py RUNS.jsonl
Per ComfyUI revision, path and run: checkpoint load, load_models_gpu, their
sum, median step, unload, time in the pinning calls, peak resident memory
(VmHWM), registrations answered from bound memory, what gpuscatter bound,
and whether every output matched the native one."""
import json
import statistics
import sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def pin_s(r):
    """Seconds in the calls that pin: the runtime's registration calls,
    or, for aimdo 0.3 (host buffers from the driver), the module pin."""
    p = r["result"]["pins"]
    reg = p.get("cudaHostRegister", {}).get("s", 0)
    if "module_pin" in p and "cudaHostRegister" not in p:
        return p["module_pin"]["s"]
    return reg


def calls(r):
    p = r["result"]["pins"]
    return p.get("cudaHostRegister", p.get("module_pin", {})).get("calls", 0)


def unpin_s(r):
    p = r["result"]["pins"]
    return sum(p.get(k, {}).get("s", 0) for k in ("cudaHostUnregister", "module_unpin"))


def answered(r):
    g = r.get("gpuscatter")
    if not g:
        return None
    reg = g["registrations"]
    return f"{reg['hits']}/{reg['app_calls']}"


def bound(r):
    g = r.get("gpuscatter")
    if not g:
        return None
    return g["backend_calls"]["register"]


def fmt(x, f="{:.2f}"):
    return "-" if x is None else f.format(x)


def rng(xs, f="{:.2f}"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    if min(xs) == max(xs):
        return f.format(xs[0])
    return f"{f.format(statistics.median(xs))} [{f.format(min(xs))}-{f.format(max(xs))}]"


print("| ComfyUI | path | run | n | checkpoint + load_models_gpu s | pin calls | "
      "pin s | unpin s | step s | unload s | VmHWM MiB | answered | driver registrations | output |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
keys = list(dict.fromkeys((r["comfyui"], r["path"], r["run"]) for r in runs))
for rev, path, name in keys:
    rs = [r for r in runs if (r["comfyui"], r["path"], r["run"]) == (rev, path, name)]
    native = {r["result"]["checksum"] for r in runs
              if (r["comfyui"], r["path"], r["run"]) == (rev, path, "native")}
    sums = {r["result"]["checksum"] for r in rs}
    same = "same" if sums <= native else ("no native run" if not native else "DIFFERENT")
    if not all(r["result"]["finite"] for r in rs):
        same += ", not finite"
    res = [r["result"] for r in rs]
    ld = [x["checkpoint_load_s"] + x["load_models_gpu_s"] for x in res]
    steps = [statistics.median(x["step_s"]) for x in res if x["step_s"]]
    dyn = " (DynamicVRAM)" if res[0]["dynamic_vram"] else ""
    ans = [answered(r) for r in rs]
    print(f"| {rev} {rs[0]['aimdo']} | {path}{dyn} | {name} | {len(rs)} | {rng(ld)} | "
          f"{fmt(med([calls(r) for r in rs]), '{:.0f}')} | {rng([pin_s(r) for r in rs], '{:.3f}')} | "
          f"{rng([unpin_s(r) for r in rs], '{:.3f}')} | {fmt(med(steps), '{:.3f}')} | "
          f"{rng([x['unload_s'] for x in res], '{:.3f}')} | {rng([x['vmhwm_mib'] for x in res], '{:.0f}')} | "
          f"{', '.join(a for a in ans if a) or '-'} | {rng([bound(r) for r in rs], '{:.0f}')} | {same} |")
