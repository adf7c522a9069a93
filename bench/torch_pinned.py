"""Model weights loaded into pinned memory with PyTorch, three ways.

  none        torch.empty(n) and fill: the load without pinning
  empty-pin   torch.empty(n, pin_memory=True) and fill
  pin-memory  torch.empty(n), fill, then tensor.pin_memory()

The same ~600-tensor, diffusion-model-like size mix as torch_offload.py.
Then every weight is copied to the GPU (non_blocking, 3 cycles, median
rate). Prints one JSON object: load_s (fill and pinning together), pin_s
(pin-memory: the pin_memory() calls alone), copy_gbs, rss_gib after the
load (anon_huge_gib of it in transparent huge pages), pinned (how many tensors report is_pinned()), copies_ok.

  python3 torch_pinned.py [--mode none|empty-pin|pin-memory] [--gib 8]"""
import argparse, json, time
import torch

import weights as model

ap = argparse.ArgumentParser()
ap.add_argument("--mode", default="empty-pin", choices=["none", "empty-pin", "pin-memory"])
ap.add_argument("--gib", type=float, default=8)
ap.add_argument("--cycles", type=int, default=3)
a = ap.parse_args()

dev, source = model.cuda_in_use(torch)
sizes = model.sizes(a.gib)

def rss_gib(key="VmRSS:", path="/proc/self/status"):
    for line in open(path):
        if line.startswith(key):
            return int(line.split()[1]) / 2**20
    return 0.0

rss0 = rss_gib()
t0 = time.perf_counter()
weights = []
for n in sizes:
    w = torch.empty(n, dtype=torch.uint8, pin_memory=(a.mode == "empty-pin"))
    model.fill(w, source)
    weights.append(w)
fill_s = time.perf_counter() - t0
pin_s = 0.0
if a.mode == "pin-memory":
    t1 = time.perf_counter()
    weights = [w.pin_memory() for w in weights]
    pin_s = time.perf_counter() - t1
load_s = time.perf_counter() - t0
rss = rss_gib()
huge = rss_gib("AnonHugePages:", "/proc/self/smaps_rollup")
pinned = sum(1 for w in weights if w.is_pinned())

copy_gbs, gpu = model.copy_rate(torch, weights, dev, a.cycles)
ok = all(bool((g[:64].cpu() == 1).all()) and bool((g[-64:].cpu() == 1).all()) for g in gpu[::10])
print(json.dumps({"phase": "torch-pinned", "mode": a.mode, "tensors": len(sizes), "bytes": sum(sizes),
                  "load_s": load_s, "fill_s": fill_s, "pin_s": pin_s,
                  "copy_gbs": copy_gbs, "rss_gib": rss, "rss_before_gib": rss0, "anon_huge_gib": huge,
                  "pinned": pinned, "copies_ok": ok}))
