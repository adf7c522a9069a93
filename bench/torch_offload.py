"""A ComfyUI-like model offload with PyTorch.

Load: a diffusion-model-like set of CPU weight tensors (torch.empty, i.e.
c10's posix_memalign(64)), filled as if read from a file. Pin: each
registered with torch.cuda.cudart().cudaHostRegister(ptr, nbytes, 1), skipping
tensors already pinned, as ComfyUI does per weight. Offload: K cycles of
non_blocking host-to-device copies of every weight. Unpin: unregister each.

  python3 torch_offload.py [--gib 8] [--cycles 3] [--no-pin]
Prints one JSON object."""
import argparse, json, time
import torch

import weights as model

ap = argparse.ArgumentParser()
ap.add_argument("--gib", type=float, default=8)
ap.add_argument("--cycles", type=int, default=3)
ap.add_argument("--no-pin", action="store_true")
a = ap.parse_args()

dev, source = model.cuda_in_use(torch)
sizes = model.sizes(a.gib)

t0 = time.perf_counter()
weights = []
for n in sizes:
    w = torch.empty(n, dtype=torch.uint8)
    model.fill(w, source)
    weights.append(w)
load_s = time.perf_counter() - t0

cudart = torch.cuda.cudart()
t0 = time.perf_counter()
pinned = 0
if not a.no_pin:
    for w in weights:
        if not w.is_pinned():
            assert int(cudart.cudaHostRegister(w.data_ptr(), w.numel(), 1)) == 0
            pinned += 1
pin_s = time.perf_counter() - t0

def rss_gib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**20
    return 0.0

rss = rss_gib()  # loaded and pinned, before any copy
copy_gbs, gpu = model.copy_rate(torch, weights, dev, a.cycles)
ok = all(bool((g[:64].cpu() == 1).all()) for g in gpu[:50])

t0 = time.perf_counter()
if not a.no_pin:
    for w in weights:
        assert int(cudart.cudaHostUnregister(w.data_ptr())) == 0
unpin_s = time.perf_counter() - t0
print(json.dumps({"phase": "torch-offload", "tensors": len(sizes), "bytes": sum(sizes),
                  "pinned": pinned, "load_s": load_s, "pin_s": pin_s,
                  "load_and_pin_s": load_s + pin_s, "copy_gbs": copy_gbs,
                  "unpin_s": unpin_s, "rss_gib": rss, "copies_ok": ok}))
