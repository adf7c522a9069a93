#!/usr/bin/env python3
"""Summarize benchmark runs (JSON lines with "run" and "workload" keys) into
results.json, results.md and, where matplotlib is installed, PNG plots.
  summarize.py RUNS.jsonl OUTDIR "machine description"
Medians over repetitions; "baseline" is the run without gpuscatter (or, on
the sim backend, with GPUSCATTER_ARENAS=off)."""
import json, os, statistics, sys

runs_path, out, machine = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(l) for l in open(runs_path) if l.strip()]
med = lambda xs: statistics.median(xs) if xs else float("nan")
res, rows = {"machine": machine, "workloads": {}}, []
# The load without pinning (torch_pinned.py --mode none, run natively) is
# the reference of every pinned-load workload and the no-harm baseline.
no_pin_loads = [r for r in runs if r.get("phase") == "torch-pinned" and r["run"] == "no-pin"]
for w in dict.fromkeys(r["workload"] for r in runs if not (r.get("phase") == "torch-pinned" and r["run"] == "no-pin")):
    by = {k: [r for r in runs if r["workload"] == w and r["run"] == k]
          for k in dict.fromkeys(r["run"] for r in runs if r["workload"] == w)}
    b, g = by.get("baseline", []), by.get("gpuscatter", [])
    d = {"repetitions": len(g), "failures": sum(r.get("failures", 0) for r in b + g)}
    if w.startswith("noharm"):
        b = no_pin_loads
        for k, rs in (("native", b), ("gpuscatter", g)):
            for f in ("load_s", "copy_gbs", "rss_gib"):
                d[f"{k}_{f}"] = med([r[f] for r in rs])
            d[f"{k}_load_s_range"] = [min(r["load_s"] for r in rs), max(r["load_s"] for r in rs)] if rs else []
        d["load_ratio"] = d["gpuscatter_load_s"] / d["native_load_s"]
        d["rss_ratio"] = d["gpuscatter_rss_gib"] / d["native_rss_gib"]
        d["nothing_pinned"] = all(r["pinned"] == 0 for r in g)
        rows.append(f"| {w}: load | {g[0]['tensors']} | {d['native_load_s']:.2f} s | "
                    f"{d['gpuscatter_load_s']:.2f} s | {d['load_ratio']:.2f}x |")
        rows.append(f"| {w}: resident | | {d['native_rss_gib']:.2f} GiB | "
                    f"{d['gpuscatter_rss_gib']:.2f} GiB | {d['rss_ratio']:.2f}x |")
    elif w.startswith("pinned"):
        # Weights loaded into pinned memory (torch_pinned.py): the whole load
        # against the same load without pinning, copies, resident memory.
        n = no_pin_loads
        for k, rs in (("baseline", b), ("gpuscatter", g), ("no_pin", n)):
            for f in ("load_s", "pin_s", "copy_gbs", "rss_gib"):
                d[f"{k}_{f}"] = med([r[f] for r in rs])
            d[f"{k}_load_s_range"] = [min(r["load_s"] for r in rs), max(r["load_s"] for r in rs)] if rs else []
        d["load_speedup"] = d["baseline_load_s"] / d["gpuscatter_load_s"]
        d["load_vs_no_pin"] = d["gpuscatter_load_s"] / d["no_pin_load_s"]
        d["copy_vs_native_pinned"] = d["gpuscatter_copy_gbs"] / d["baseline_copy_gbs"]
        d["rss_vs_no_pin"] = d["gpuscatter_rss_gib"] / d["no_pin_rss_gib"]
        d["copies_ok"] = all(r["copies_ok"] for r in b + g + n)
        d["all_pinned"] = all(r["pinned"] == r["tensors"] for r in b + g)
        rows.append(f"| {w}: load (no pinning: {d['no_pin_load_s']:.2f} s) | {g[0]['tensors']} | "
                    f"{d['baseline_load_s']:.2f} s | {d['gpuscatter_load_s']:.2f} s | "
                    f"{d['load_speedup']:.1f}x; {d['load_vs_no_pin']:.2f}x no pinning |")
        rows.append(f"| {w}: H2D copies (no pinning: {d['no_pin_copy_gbs']:.1f} GB/s) | | "
                    f"{d['baseline_copy_gbs']:.1f} GB/s | {d['gpuscatter_copy_gbs']:.1f} GB/s | "
                    f"{d['copy_vs_native_pinned']*100:.1f}% |")
        rows.append(f"| {w}: resident (no pinning: {d['no_pin_rss_gib']:.2f} GiB) | | "
                    f"{d['baseline_rss_gib']:.2f} GiB | {d['gpuscatter_rss_gib']:.2f} GiB | "
                    f"{d['rss_vs_no_pin']:.2f}x no pinning |")
    elif w.startswith("hostalloc"):
        for k, rs in (("baseline", b), ("gpuscatter", g)):
            for f in ("alloc_s", "fill_s", "free_s"):
                d[f"{k}_{f}"] = med([r[f] for r in rs])
            d[f"{k}_total_s"] = med([r["alloc_s"] + r["fill_s"] + r["free_s"] for r in rs])
        d["alloc_speedup"] = d["baseline_alloc_s"] / d["gpuscatter_alloc_s"]
        d["total_speedup"] = d["baseline_total_s"] / d["gpuscatter_total_s"]
        rows.append(f"| {w}: allocation calls | {g[0]['allocations']} | {d['baseline_alloc_s']*1e3:.1f} ms | "
                    f"{d['gpuscatter_alloc_s']*1e3:.1f} ms | {d['alloc_speedup']:.1f}x |")
        rows.append(f"| {w}: allocate, fill, free | | {d['baseline_total_s']*1e3:.1f} ms | "
                    f"{d['gpuscatter_total_s']*1e3:.1f} ms | {d['total_speedup']:.1f}x |")
    elif w.startswith("loader"):
        n = by.get("no-pin", [])
        for k, rs in (("baseline", b), ("gpuscatter", g), ("no_pin", n)):
            d[f"{k}_s"] = med([r["seconds"] for r in rs])
            d[f"{k}_range"] = [min(r["seconds"] for r in rs), max(r["seconds"] for r in rs)] if rs else []
        d["checksums_equal"] = len({r["checksum"] for r in b + g + n}) == 1
        d["speedup"] = d["baseline_s"] / d["gpuscatter_s"]
        rows.append(f"| {w} (no pinning: {d['no_pin_s']:.2f} s) | {g[0]['batches']} batches | "
                    f"{d['baseline_s']:.2f} s | {d['gpuscatter_s']:.2f} s | {d['speedup']:.2f}x |")
    elif w.startswith("torch"):
        n = by.get("no-pin", [])
        for k, rs in (("baseline", b), ("gpuscatter", g), ("no_pin", n)):
            for f in ("load_s", "pin_s", "load_and_pin_s", "copy_gbs", "rss_gib"):
                d[f"{k}_{f}"] = med([r.get(f, 0) for r in rs])
        d["pin_speedup"] = d["baseline_pin_s"] / d["gpuscatter_pin_s"]
        d["load_and_pin_vs_no_pin"] = d["gpuscatter_load_and_pin_s"] / d["no_pin_load_s"]
        d["copy_vs_native_pinned"] = d["gpuscatter_copy_gbs"] / d["baseline_copy_gbs"]
        d["copies_ok"] = all(r["copies_ok"] for r in b + g + n)
        rows.append(f"| {w}: pin phase | {g[0]['tensors']} | {d['baseline_pin_s']*1e3:.1f} ms | "
                    f"{d['gpuscatter_pin_s']*1e3:.1f} ms | {d['pin_speedup']:.0f}x |")
        rows.append(f"| {w}: load + pin (no pinning: {d['no_pin_load_s']:.2f} s) | | "
                    f"{d['baseline_load_and_pin_s']:.2f} s | {d['gpuscatter_load_and_pin_s']:.2f} s | "
                    f"{d['load_and_pin_vs_no_pin']*100:.0f}% of no pinning |")
        rows.append(f"| {w}: H2D copies (no pinning: {d['no_pin_copy_gbs']:.1f} GB/s) | | "
                    f"{d['baseline_copy_gbs']:.1f} GB/s | {d['gpuscatter_copy_gbs']:.1f} GB/s | "
                    f"{d['copy_vs_native_pinned']*100:.1f}% |")
        if d["baseline_rss_gib"]:
            rows.append(f"| {w}: resident (no pinning: {d['no_pin_rss_gib']:.2f} GiB) | | "
                        f"{d['baseline_rss_gib']:.2f} GiB | {d['gpuscatter_rss_gib']:.2f} GiB | "
                        f"{d['gpuscatter_rss_gib'] / d['baseline_rss_gib']:.3f}x |")
    elif w.startswith("layout"):
        # Small registrations passed to the driver, by where the buffers lie.
        j = by.get("jemalloc", [])
        d["repetitions"] = len(b)
        cells = {}
        for k, rs in (("baseline", b), ("gpuscatter", g), ("jemalloc", j)):
            d[f"{k}_register_ms"] = med([r["register_ms"] for r in rs])
            d[f"{k}_mappings"] = med([r["mappings_registered"] for r in rs])
            cells[k] = (f"{d[k + '_register_ms']:.1f} ms [{min(r['register_ms'] for r in rs):.1f}-"
                        f"{max(r['register_ms'] for r in rs):.1f}], {d[k + '_mappings']:.0f} mappings"
                        if rs else "")
        rows.append(f"| {w}: registering each | {b[0]['buffers']} | {cells['baseline']} | "
                    f"{cells['gpuscatter']} | {'jemalloc alone: ' + cells['jemalloc'] if j else ''} |")
    elif w.startswith("resident"):
        # MiB of resident memory each case added (torch_resident.py).
        for f in ("untouched_mib", "untouched_after_mib", "sparse_mib", "loop_peak_mib"):
            for k, rs in (("baseline", b), ("gpuscatter", g)):
                d[f"{k}_{f}"] = med([r[f] for r in rs])
                d[f"{k}_{f}_range"] = [min(r[f] for r in rs), max(r[f] for r in rs)] if rs else []
            rows.append(f"| {w}: {f.replace('_mib', '').replace('_', ' ')} | | {d['baseline_' + f]:.0f} MiB | "
                        f"{d['gpuscatter_' + f]:.0f} MiB | {d['gpuscatter_' + f] - d['baseline_' + f]:+.0f} MiB |")
    elif w.startswith("churn"):
        d["baseline_per_s"], d["gpuscatter_per_s"] = med([r["per_second"] for r in b]), med([r["per_second"] for r in g])
        d["speedup"] = d["gpuscatter_per_s"] / d["baseline_per_s"]
        rng = lambda rs: f"[{min(r['per_second'] for r in rs):.0f}-{max(r['per_second'] for r in rs):.0f}]"
        rows.append(f"| {w} (registrations/s) | | {d['baseline_per_s']:.0f}/s {rng(b)} | "
                    f"{d['gpuscatter_per_s']:.0f}/s {rng(g)} | {d['speedup']:.1f}x |")
    else:
        for k, rs in (("baseline", b), ("gpuscatter", g)):
            d[f"{k}_register_s"] = med([r["register_s"] for r in rs])
            d[f"{k}_unregister_s"] = med([r["unregister_s"] for r in rs])
            d[f"{k}_driver_calls"] = med([r["backend_calls"] for r in rs])
        d["registrations"] = g[0]["registrations"]
        d["speedup"] = d["baseline_register_s"] / d["gpuscatter_register_s"]
        rng = lambda rs: (f"[{min(r['register_s'] for r in rs)*1e3:.2f}-"
                          f"{max(r['register_s'] for r in rs)*1e3:.2f}]") if len(rs) > 1 else ""
        rows.append(f"| {w} | {d['registrations']} | {d['baseline_register_s']*1e3:.2f} ms {rng(b)} "
                    f"({d['baseline_driver_calls']:.0f} calls) | {d['gpuscatter_register_s']*1e3:.2f} ms {rng(g)} "
                    f"({d['gpuscatter_driver_calls']:.0f} calls) | {d['speedup']:.0f}x |")
    res["workloads"][w] = d
md = (f"{machine}; medians [ranges] of {max(d['repetitions'] for d in res['workloads'].values())} runs each\n\n"
      "| workload | registrations | baseline | gpuscatter | gpuscatter vs baseline |\n"
      "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "results.md"), "w").write(md)
json.dump(res, open(os.path.join(out, "results.json"), "w"), indent=1)
print(md)
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(no matplotlib here: no plots; rerun scripts/summarize.py where it is installed)")
    sys.exit(0)
sc = [(w, d) for w, d in res["workloads"].items() if "baseline_register_s" in d]
for kind in ("4 KiB-16 MiB", "64 KiB"):
    pts = sorted((d["registrations"], d["baseline_register_s"], d["gpuscatter_register_s"])
                 for w, d in sc if kind in w)
    if not pts:
        continue
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog([p[0] for p in pts], [p[1] * 1e3 for p in pts], "o-", label="baseline")
    ax.loglog([p[0] for p in pts], [p[2] * 1e3 for p in pts], "s-", label="gpuscatter")
    ax.set_xlabel("buffers registered"); ax.set_ylabel("registration phase (ms)")
    ax.set_title(f"scatter, {kind}: {machine}", fontsize=8); ax.legend(); fig.tight_layout()
    fig.savefig(os.path.join(out, f"scatter-{kind.split()[0].replace(' ', '')}.png"), dpi=110)
