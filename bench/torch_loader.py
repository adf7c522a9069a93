"""A DataLoader with pin_memory=True and worker processes, as in training:
batches of images made by the workers, pinned by the loader's pinning
thread (PyTorch's caching host allocator: cudaHostAlloc), copied to the
GPU non_blocking. Prints one JSON object: seconds for the epoch, batches
per second, and a checksum (the same under gpuscatter and without it).

  python3 torch_loader.py [--workers 4] [--batches 200] [--no-pin]"""
import argparse, json, time
import torch
from torch.utils.data import DataLoader, Dataset

ap = argparse.ArgumentParser()
ap.add_argument("--workers", type=int, default=4)
ap.add_argument("--batches", type=int, default=200)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--no-pin", action="store_true")
a = ap.parse_args()


class Images(Dataset):
    def __len__(self):
        return a.batches * a.batch

    def __getitem__(self, i):
        return torch.full((3, 224, 224), float(i % 251)), i % 10


torch.cuda.init()
dev = torch.device("cuda")
torch.zeros(1, device=dev)
loader = DataLoader(Images(), batch_size=a.batch, num_workers=a.workers, pin_memory=not a.no_pin)
t0 = time.perf_counter()
total = torch.zeros((), device=dev, dtype=torch.float64)
n = 0
for x, y in loader:
    x = x.to(dev, non_blocking=True)
    total += x[:, 0, 0, 0].double().sum()
    n += 1
torch.cuda.synchronize()
s = time.perf_counter() - t0
print(json.dumps({"phase": "torch-loader", "workers": a.workers, "batches": n, "pin": not a.no_pin,
                  "seconds": s, "batches_per_s": n / s, "checksum": float(total)}))
