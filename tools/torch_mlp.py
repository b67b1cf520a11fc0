#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench` (src/bench/torch.ts runs it and reads its output).

Times one training epoch of the article's network, 1024 -> 150, 100, 50, 30, 15 -> 1, on random
inputs in [0, 1) with 0/1 targets, exactly the arithmetic the TypeScript side times:
  - loss: mean over the batch of (output - target)^2, without a 1/2;
  - update: plain SGD (torch.optim.SGD, no momentum, no weight decay);
  - batches taken in order, no shuffling; the last batch holds the remainder;
  - torch.set_num_threads(--threads) before anything runs (intra-op threads; inter-op 1).
One warm-up epoch, then --epochs timed epochs (fewer if --max-seconds runs out); the median is
reported, as the TypeScript side reports the median of its repetitions.

Output: one JSON object per line on stdout, nothing else:
  {"type": "info", "engine": "pytorch-1.13.0", "threads": 1, "torch": "...", "blas": "..."}
  {"type": "epoch", "engine": ..., "threads": 1, "batch_size": 32, "samples": 4000,
   "ms_per_epoch": 211.4, "gflops": 19.9, "epochs_ms": [...]}
GFLOP/s use the nominal count 3 x 2 x samples x sum(fanIn x fanOut) (forward, weight gradient,
input gradient; biases and activations ignored), the count src/bench/workload.ts uses.

Install on Debian/Ubuntu: apt-get install python3-torch libopenblas0-pthread
(run with /usr/bin/python3, the interpreter those packages install into).
"""
import argparse
import json
import statistics
import sys
import time

import torch

SIZES = [1024, 150, 100, 50, 30, 15, 1]


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def build(activation, seed):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(torch.nn.Linear(SIZES[i], SIZES[i + 1]))
        last = i == len(SIZES) - 2
        layers.append(torch.nn.Sigmoid() if last or activation == "sigmoid" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def epoch(model, opt, x, y, batch_size):
    n = x.shape[0]
    for start in range(0, n, batch_size):
        xb = x[start : start + batch_size]
        yb = y[start : start + batch_size]
        opt.zero_grad(set_to_none=True)
        loss = ((model(xb) - yb) ** 2).mean()
        loss.backward()
        opt.step()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch-sizes", default="1,32,4000")
    p.add_argument("--samples", type=int, default=4000)
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per batch size (after one warm-up)")
    p.add_argument("--max-seconds", type=float, default=60, help="stop timing a batch size after this long")
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = PyTorch's default)")
    p.add_argument("--activation", choices=["sigmoid", "relu"], default="sigmoid")
    p.add_argument("--learning-rate", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    threads = torch.get_num_threads()
    engine = "pytorch-" + torch.__version__
    emit({"type": "info", "engine": engine, "threads": threads, "torch": torch.__version__,
          "parallel": torch.__config__.parallel_info().splitlines()[0:3]})

    g = torch.Generator().manual_seed(a.seed)
    x = torch.rand(a.samples, SIZES[0], generator=g)
    y = (torch.rand(a.samples, 1, generator=g) < 0.5).float()
    macs = sum(SIZES[i] * SIZES[i + 1] for i in range(len(SIZES) - 1))
    flops = 3 * 2 * a.samples * macs

    for b in [int(s) for s in a.batch_sizes.split(",")]:
        model = build(a.activation, a.seed)
        opt = torch.optim.SGD(model.parameters(), lr=a.learning_rate, momentum=0)
        started = time.perf_counter()
        epoch(model, opt, x, y, b)  # warm-up
        times = []
        while len(times) < max(1, a.epochs):
            t0 = time.perf_counter()
            epoch(model, opt, x, y, b)
            times.append((time.perf_counter() - t0) * 1000)
            if time.perf_counter() - started > a.max_seconds:
                break
        ms = statistics.median(times)
        emit({"type": "epoch", "engine": engine, "threads": threads, "batch_size": b, "samples": a.samples,
              "ms_per_epoch": ms, "gflops": flops / (ms * 1e6), "epochs_ms": times})


if __name__ == "__main__":
    main()
