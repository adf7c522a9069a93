"""ComfyUI's small weights under call-site classification: 2000 CPU tensors
of 4-64 KiB (below GPUSCATTER_MIN_SIZE; 256 B-64 KiB with --from-256), loaded, then each registered with
cudaHostRegister through torch.cuda.cudart(), copied to the GPU and
checked. Prints one JSON line: the load and registration phases and, under
gpuscatter, how many registrations were answered from the arenas."""
import ctypes
import json
import random
import sys
import time

import torch

random.seed(1)
cudart = torch.cuda.cudart()
torch.zeros(1, device="cuda")  # the runtime is live, as in any real program
lo = 64 if "--from-256" in sys.argv else 1024  # float32 elements
sizes = [random.randint(lo, 16384) for _ in range(2000)]
t0 = time.perf_counter()
weights = [torch.empty(n, dtype=torch.float32).fill_(i % 7) for i, n in enumerate(sizes)]
load_s = time.perf_counter() - t0
t0 = time.perf_counter()
for w in weights:
    assert int(cudart.cudaHostRegister(w.data_ptr(), w.numel() * 4, 1)) == 0
pin_s = time.perf_counter() - t0
gpu = [w.to("cuda", non_blocking=True) for w in weights]
torch.cuda.synchronize()
ok = all(torch.equal(g.cpu(), w) for g, w in zip(gpu, weights))
for w in weights:
    assert int(cudart.cudaHostUnregister(w.data_ptr())) == 0
out = {"tensors": len(weights), "bytes": sum(sizes) * 4, "load_ms": round(load_s * 1e3, 2),
       "register_ms": round(pin_s * 1e3, 2), "load_and_register_ms": round((load_s + pin_s) * 1e3, 2),
       "copies_equal": ok}
try:
    lib = ctypes.CDLL(None)
    buf = ctypes.create_string_buffer(8192)
    lib.gpuscatter_stats_json(buf, ctypes.c_size_t(len(buf)))
    s = json.loads(buf.value)
    out.update(hits=s["registrations"]["hits"], misses=s["registrations"]["misses"],
               classify=s["classify"])
except (AttributeError, OSError):
    pass
print(json.dumps(out))
assert ok
