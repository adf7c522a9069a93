"""ComfyUI's pinning path under gpuscatter: torch.empty weights (c10's
posix_memalign(64)), each registered with cudaHostRegister(ptr, nbytes, 1)
through torch.cuda.cudart(), is_pinned() asked, copied to the GPU with
non_blocking, checked, unregistered."""
import time
import torch

torch.manual_seed(0)
cudart = torch.cuda.cudart()
sizes = [4096, 65536, 300_000, 1 << 20, 5 << 20, 40 << 20] * 40
weights = [torch.randn(n // 4) for n in sizes]
before = sum(w.is_pinned() for w in weights)
t0 = time.perf_counter()
for w in weights:
    rc = cudart.cudaHostRegister(w.data_ptr(), w.numel() * w.element_size(), 1)
    assert int(rc) == 0, rc
pin_s = time.perf_counter() - t0
pinned = sum(w.is_pinned() for w in weights)
gpu = [w.to("cuda", non_blocking=True) for w in weights]
torch.cuda.synchronize()
ok = all(torch.equal(g.cpu(), w) for g, w in zip(gpu, weights))
for w in weights:
    assert int(cudart.cudaHostUnregister(w.data_ptr())) == 0
after = sum(w.is_pinned() for w in weights)
print(f"{len(weights)} weights: pinned before {before}, after register {pinned}, after unregister "
      f"{after}; copies equal: {ok}; register phase {pin_s * 1e3:.1f} ms")
assert before == 0 and pinned == len(weights) and after == 0 and ok
