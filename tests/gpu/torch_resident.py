"""What registering costs in resident memory with PyTorch, natively or under
gpuscatter (run both and compare: scripts/gpu-check.sh does).
  untouched: eight 256 MiB torch.empty tensors never written; 1 MiB of one
             registered with cudaHostRegister, then unregistered;
  sparse:    numpy.zeros of 4 GiB touched once per MiB (no registration),
             with the CUDA runtime in use;
  loop:      200 rounds of torch.empty(1 MiB) filled, registered,
             unregistered, dropped.
Prints one JSON object: MiB added by each case (VmRSS), and for untouched
the MiB still added 3 s after the unregistration."""
import json
import time

import numpy as np
import torch

MB = 1 << 20
cudart = torch.cuda.cudart()
torch.zeros(1, device="cuda")  # the runtime in use, as in any CUDA program


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024


out = {}
bufs = [torch.empty(256 * MB, dtype=torch.uint8) for _ in range(8)]
r0 = rss()
p = bufs[3].data_ptr() + 100 * MB
assert int(cudart.cudaHostRegister(p, MB, 1)) == 0
out["untouched_mib"] = (rss() - r0) / MB
assert int(cudart.cudaHostUnregister(p)) == 0
time.sleep(3)
out["untouched_after_mib"] = (rss() - r0) / MB
del bufs

r0 = rss()
z = np.zeros(4096 * MB, dtype=np.uint8)
z[::MB] = 1
out["sparse_mib"] = (rss() - r0) / MB
del z

r0, peak = rss(), 0
for _ in range(200):
    t = torch.empty(MB, dtype=torch.uint8).fill_(1)
    assert int(cudart.cudaHostRegister(t.data_ptr(), MB, 1)) == 0
    peak = max(peak, rss() - r0)
    assert int(cudart.cudaHostUnregister(t.data_ptr())) == 0
    del t
out["loop_peak_mib"] = peak / MB
print(json.dumps(out))
