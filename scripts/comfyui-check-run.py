#!/usr/bin/env python3
"""One headless ComfyUI run for scripts/comfyui-check.sh.

Drives the user's ComfyUI checkout through its Python API the way main.py
starts it (argument parsing, comfy-aimdo set-up for DynamicVRAM), without
the server: load a diffusion model, load_models_gpu, sample a few steps
with a fixed seed, unload. Prints one JSON line of timings, pin counts,
resident memory and a checksum of the output.

    comfyui-check-run.py --comfyui DIR --model FILE [--vram-gib N]
                         [--steps N] [--] COMFYUI_FLAGS...
    comfyui-check-run.py --comfyui DIR --make-model FILE

--make-model writes an SDXL UNet with seeded random weights (no model can
be downloaded for a check; ComfyUI's detection takes it for SDXL).
--vram-gib leaves only that much device memory free (a ballast allocation)
so that ComfyUI offloads and pins as on a smaller card.
"""
import argparse
import hashlib
import json
import os
import sys
import time
import types

T0 = time.monotonic()
GIB = 1 << 30

# The SDXL UNet's hyperparameters (its published architecture).
SDXL_UNET = dict(image_size=32, in_channels=4, out_channels=4, model_channels=320,
                 num_res_blocks=[2, 2, 2], channel_mult=[1, 2, 4],
                 transformer_depth=[0, 0, 2, 2, 10, 10], transformer_depth_middle=10,
                 transformer_depth_output=[0, 0, 0, 2, 2, 2, 10, 10, 10],
                 use_spatial_transformer=True, use_linear_in_transformer=True,
                 legacy=False, num_classes="sequential", adm_in_channels=2816,
                 context_dim=2048, num_head_channels=64, use_checkpoint=False,
                 use_temporal_attention=False, use_temporal_resblock=False)


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def start_comfyui(comfyui, flags):
    """What main.py does before its server, for both aimdo protocols."""
    sys.path.insert(0, comfyui)
    sys.argv = ["main.py"] + flags
    try:
        import torchsde  # noqa: F401  only the SDE samplers use it
    except ImportError:
        sys.modules["torchsde"] = types.ModuleType("torchsde")
    import comfy.options
    comfy.options.enable_args_parsing()
    from comfy.cli_args import args, enables_dynamic_vram
    import comfy_aimdo.control
    if enables_dynamic_vram():
        try:
            headroom = None if args.reserve_vram is None else int(args.reserve_vram * GIB)
            comfy_aimdo.control.init(simple_vram_headroom=headroom)
        except TypeError:
            comfy_aimdo.control.init()
    import comfy.model_management as mm
    import comfy.memory_management
    import comfy.model_patcher
    dynamic = False
    if args.enable_dynamic_vram or (enables_dynamic_vram() and mm.is_nvidia()):
        if hasattr(mm, "get_all_torch_devices"):   # ComfyUI 2026-06 on
            headroom = int(getattr(args, "vram_headroom", 0) * GIB)
            try:
                ok = comfy_aimdo.control.init_devices(
                    (d.index, headroom) for d in mm.get_all_torch_devices())
            except TypeError:
                ok = comfy_aimdo.control.init_devices(
                    d.index for d in mm.get_all_torch_devices())
        else:
            ok = comfy_aimdo.control.init_device(mm.get_torch_device().index)
        if ok:
            comfy_aimdo.control.set_log_warning()
            comfy.model_patcher.CoreModelPatcher = comfy.model_patcher.ModelPatcherDynamic
            comfy.memory_management.aimdo_enabled = True
            dynamic = True
    return args, dynamic


class PinClock:
    """Counts and times every way ComfyUI pins: the legacy per-weight
    calls, the DynamicVRAM per-module ones, and the runtime calls under
    both (attributes looked up at call time, so wrapping them is seen)."""

    def __init__(self):
        self.n = {}
        self.s = {}

    def wrap(self, owner, name, key):
        real = getattr(owner, name, None)
        if real is None:
            return

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                self.s[key] = self.s.get(key, 0.0) + time.perf_counter() - t
                self.n[key] = self.n.get(key, 0) + 1
        setattr(owner, name, timed)


def make_model(path):
    import torch
    import safetensors.torch
    import comfy.ops
    from comfy.ldm.modules.diffusionmodules.openaimodel import UNetModel
    unet = UNetModel(**SDXL_UNET, dtype=torch.float16, device="meta",
                     operations=comfy.ops.disable_weight_init)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator(device=dev).manual_seed(1234)
    sd = {}
    for k, v in unet.state_dict().items():
        t = torch.randn(v.shape, generator=g, device=dev, dtype=torch.float32)
        if v.dim() >= 2:
            t /= (v[0].numel() ** 0.5)          # keeps activations finite
        elif k.endswith(".weight"):
            t = 1 + 0.01 * t                      # norm scales
        else:
            t *= 0.01
        sd[k] = t.to(torch.float16).cpu()
    tmp = path + ".part"
    safetensors.torch.save_file(sd, tmp)
    os.replace(tmp, path)
    print(json.dumps({"model": path, "tensors": len(sd),
                      "bytes": sum(t.numel() * 2 for t in sd.values())}))


def run(opts, flags):
    r = {"flags": flags}
    args, dynamic = start_comfyui(opts.comfyui, flags)
    import torch
    import comfy.model_management as mm
    import comfy.pinned_memory
    import comfy.sample
    import comfy.sd
    r["dynamic_vram"] = dynamic
    r["torch"] = torch.__version__
    clock = PinClock()
    clock.wrap(mm, "pin_memory", "legacy_pin")
    clock.wrap(mm, "unpin_memory", "legacy_unpin")
    clock.wrap(comfy.pinned_memory, "pin_memory", "module_pin")
    clock.wrap(comfy.pinned_memory, "unpin_memory", "module_unpin")
    cudart = torch.cuda.cudart()
    clock.wrap(cudart, "cudaHostRegister", "cudaHostRegister")
    clock.wrap(cudart, "cudaHostUnregister", "cudaHostUnregister")
    dev = mm.get_torch_device()
    ballast = None
    if opts.vram_gib > 0:
        free, _ = torch.cuda.mem_get_info(dev)
        extra = free - int(opts.vram_gib * GIB)
        if extra > 0:
            ballast = torch.empty(extra, dtype=torch.uint8, device=dev)
        r["vram_free_gib"] = round(torch.cuda.mem_get_info(dev)[0] / GIB, 2)
    r["start_s"] = time.monotonic() - T0

    t = time.perf_counter()
    model = comfy.sd.load_diffusion_model(opts.model)
    r["checkpoint_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    mm.load_models_gpu([model])
    torch.cuda.synchronize(dev)
    r["load_models_gpu_s"] = time.perf_counter() - t
    r["rss_loaded_mib"] = status_kib("VmRSS") // 1024

    g = torch.Generator().manual_seed(42)
    cond = torch.randn((1, 77, 2048), generator=g)
    pooled = torch.randn((1, 1280), generator=g)
    uncond = torch.randn((1, 77, 2048), generator=g)
    upooled = torch.randn((1, 1280), generator=g)
    positive = [[cond, {"pooled_output": pooled}]]
    negative = [[uncond, {"pooled_output": upooled}]]
    latent = torch.zeros((1, 4, opts.size // 8, opts.size // 8))
    noise = comfy.sample.prepare_noise(latent, 42)
    marks = []

    def step(*_):
        torch.cuda.synchronize(dev)
        marks.append(time.perf_counter())

    t = time.perf_counter()
    out = comfy.sample.sample(model, noise, opts.steps, 5.0, "euler", "normal", positive,
                              negative, latent, seed=42, callback=step, disable_pbar=True)
    torch.cuda.synchronize(dev)
    r["sample_s"] = time.perf_counter() - t
    r["step_s"] = [b - a for a, b in zip([t] + marks, marks)]
    out = out.float().cpu().contiguous()
    r["finite"] = bool(torch.isfinite(out).all())
    r["checksum"] = hashlib.sha256(out.numpy().tobytes()).hexdigest()[:16]

    t = time.perf_counter()
    mm.unload_all_models()
    mm.soft_empty_cache()
    torch.cuda.synchronize(dev)
    r["unload_s"] = time.perf_counter() - t
    del model, ballast
    r["pins"] = {k: {"calls": clock.n[k], "s": round(clock.s[k], 6)} for k in sorted(clock.n)}
    r["vmrss_mib"] = status_kib("VmRSS") // 1024
    r["vmhwm_mib"] = status_kib("VmHWM") // 1024
    r["total_s"] = time.monotonic() - T0
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--comfyui", required=True)
    ap.add_argument("--model")
    ap.add_argument("--make-model")
    ap.add_argument("--vram-gib", type=float, default=0)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--out")
    opts, flags = ap.parse_known_args()
    flags = [f for f in flags if f != "--"]
    if opts.make_model:
        sys.path.insert(0, opts.comfyui)
        sys.modules.setdefault("torchsde", types.ModuleType("torchsde"))
        import comfy.options  # noqa: F401  (arguments stay unparsed)
        make_model(opts.make_model)
        return
    if not opts.model:
        ap.error("--model or --make-model is needed")
    line = json.dumps(run(opts, flags))
    if opts.out:
        with open(opts.out, "a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
