"""The weights of a diffusion-like model, shared by the PyTorch benchmarks:
many small norms and biases (1-64 KiB), a body of 1-50 MiB matrices, a few
100-400 MiB embeddings; the same sizes every run (seeded)."""
import math
import random


def cuda_in_use(torch):
    """The runtime in use before the model loads, as in any application:
    the device, and the "file" the weights are read from."""
    torch.cuda.init()
    dev = torch.device("cuda")
    torch.zeros(1, device=dev)
    return dev, torch.ones(512 << 20, dtype=torch.uint8)


def sizes(gib):
    rng = random.Random(1234)

    def one():
        r = rng.random()
        lo, hi = ((1 << 10, 64 << 10) if r < 0.45 else (1 << 20, 50 << 20) if r < 0.97
                  else (100 << 20, 400 << 20))
        return int(math.exp(rng.uniform(math.log(lo), math.log(hi)))) // 2 * 2

    budget, out = int(gib * 2**30), []
    while sum(out) < budget and len(out) < 2000:
        out.append(min(one(), budget - sum(out)) or 2)
    return out


def fill(w, source):
    """Fill tensor w from the "file" contents, as a loader reads it."""
    n, off = w.numel(), 0
    while off < n:
        k = min(n - off, source.numel())
        w[off:off + k].copy_(source[:k])
        off += k


def copy_rate(torch, weights, dev, cycles):
    """Copy every weight to the GPU (non_blocking), cycles times: the
    median rate in GB/s, and the GPU copies."""
    import time
    gpu = [torch.empty(w.numel(), dtype=w.dtype, device=dev) for w in weights]
    torch.cuda.synchronize()
    total, rates = sum(w.numel() * w.element_size() for w in weights), []
    for _ in range(cycles):
        t0 = time.perf_counter()
        for g, w in zip(gpu, weights):
            g.copy_(w, non_blocking=True)
        torch.cuda.synchronize()
        rates.append(total / (time.perf_counter() - t0) / 1e9)
    return sorted(rates)[len(rates) // 2], gpu
