"""PyTorch reference of alpha15's ResNet1D (src/model/resnet1d.ts), for bench/train.ts.

Same architecture, batch, input and loss as the TensorFlow.js benchmark, in PyTorch's native
channels-first layout. Prints one JSON object: training and inference samples/s, batch and
single-sample latency, and the BLAS library torch loaded (its convs run on oneDNN, the two small
dense layers on BLAS). Run with Debian's interpreter: /usr/bin/python3 bench/torch_resnet1d.py --json

--device cuda runs it on the GPU (fp32, TF32 off so the arithmetic is the same as tfjs's): CUDA calls
return before the GPU finishes, so every timed region ends with torch.cuda.synchronize().
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2)
        self.conv2 = nn.Conv1d(out_channels, out_channels, kernel_size, 1, padding=kernel_size // 2)
        self.stride = stride
        self.extra_channels = out_channels - in_channels

    def forward(self, x):
        residual = self.conv2(F.silu(self.conv1(x)))
        identity = F.max_pool1d(x, 2, 2, ceil_mode=True) if self.stride == 2 else x
        if self.extra_channels > 0:
            identity = F.pad(identity, (0, 0, 0, self.extra_channels))
        return F.silu(residual + identity)


class ResNet1D(nn.Module):
    def __init__(self, channels, outputs, filters=64, blocks=6, kernel_size=3):
        super().__init__()
        self.stem = nn.Conv1d(channels, filters, kernel_size, 1, padding=kernel_size // 2)
        layers, width = [], filters
        for block in range(blocks):
            stride = 2 if block > 0 and block % 2 == 0 else 1
            block_width = filters * 2 ** (block // 4)
            layers.append(Block(width, block_width, kernel_size, stride))
            width = block_width
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(width, outputs)
        self.mix = nn.Linear(outputs, outputs)

    def forward(self, x):
        x = self.blocks(F.silu(self.stem(x)))
        return self.mix(self.head(x.mean(dim=2)))


def synchronise():
    """Waits for the GPU's queued work (a no-op on the CPU), so a timer stops when the work is done."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def median_latency_ms(step, warmup, runs):
    for _ in range(warmup):
        step()
    synchronise()
    latencies = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        synchronise()
        latencies.append((time.perf_counter() - start) * 1000)
    return statistics.median(latencies)


def loaded_blas():
    """The BLAS shared library in this process (Debian switches it with update-alternatives)."""
    with open("/proc/self/maps", encoding="utf8") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line and "/" in line}
    return sorted(paths)


def samples_per_second(step, batch, warmup, steps):
    for _ in range(warmup):
        step()
    synchronise()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronise()
    return batch * steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--timesteps", type=int, default=512)
    parser.add_argument("--channels", type=int, default=160)
    parser.add_argument("--outputs", type=int, default=20)
    parser.add_argument("--filters", type=int, default=64)
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        print("--device cuda: torch sees no CUDA device", file=sys.stderr)
        return 2
    device = torch.device(args.device)
    # fp32 as tfjs computes it: TF32 matmuls and convs would be a different (less precise) arithmetic
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(42)
    torch.set_num_threads(args.threads)
    model = ResNet1D(args.channels, args.outputs, args.filters, args.blocks, args.kernel_size).to(device)
    x = torch.randn(args.batch, args.channels, args.timesteps, device=device)
    y = torch.randn(args.batch, args.outputs, device=device) * 0.01
    mask = torch.ones(args.batch, args.outputs, device=device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        optimizer.zero_grad()
        loss = ((y - model(x)).abs() * mask).sum() / mask.sum().clamp(min=1)
        loss.backward()
        optimizer.step()

    def infer_step():
        with torch.inference_mode():
            model(x)

    train = samples_per_second(train_step, args.batch, args.warmup, args.steps)
    model.eval()
    infer = samples_per_second(infer_step, args.batch, args.warmup, args.steps)
    one = x[:1].clone()

    def infer_one():
        with torch.inference_mode():
            model(one)

    result = {
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if args.device == "cuda" else "cpu",
        "threads": torch.get_num_threads(),
        "blas": loaded_blas(),
        "batch": args.batch,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train": {"samplesPerSecond": train},
        "infer": {"samplesPerSecond": infer, "batchLatencyMs": 1000 * args.batch / infer},
        "singleSampleLatencyMs": median_latency_ms(infer_one, args.warmup, 20),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {result['torch']} on {result['device']} ({result['threads']} threads, batch {args.batch}, {result['parameters']:,} parameters)")
        print(f"  train {train:8.1f} samples/s   infer {infer:8.1f} samples/s   latency {result['singleSampleLatencyMs']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
