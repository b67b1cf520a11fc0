#!/usr/bin/env python3
"""Pins both engines to PyTorch, as llm.c pins its engine: writes spec/fixtures/torch-reference.json.

A small fixed network (8-6-5-1, sigmoid output) for each hidden activation the project knows,
trained with plain SGD for a few steps with the project's loss convention: the mean over the
batch of (output - target)^2, with no 1/2. For every step the fixture holds the loss, the outputs
and every gradient before the step; and the parameters after the last step; and, from the same start, the parameters after online SGD
(batch 1) over the examples in order, ONLINE_EPOCHS times, computed in float64 and in float32.
spec/torch-reference.spec.ts checks that both engines reproduce it to float32 tolerance; the
test needs no PyTorch, only regenerating the fixture does:

    apt-get install -y python3-torch   # Debian's PyTorch
    python3 tools/torch-reference.py   # rewrites spec/fixtures/torch-reference.json

Everything is computed in float64, from starting values that are exactly representable in
float32 (drawn in float32 from a seeded generator, then widened), so the engines start from the
very same numbers and the fixture is the exact answer they approximate in float32. Weights are
written in the project's Params layout: W[i * fanOut + j], from input i to neuron j (the transpose
of torch.nn.Linear's weight).
"""
import json
import os

import torch

SIZES = [8, 6, 5, 1]
LEARNING_RATE = 0.5
BATCH_SIZE = 4
STEPS = 3
EXAMPLES = BATCH_SIZE * STEPS
SEED = 3
# Online SGD (batch 1) over the same examples, this many times in order: the trajectory the
# hand-written engine's single-precision online step is pinned to, in float64 and in float32.
ONLINE_EPOCHS = 3
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'spec', 'fixtures', 'torch-reference.json')

# The hidden activations of src/config/activations.ts (each entry's `torch` is its key here), as
# PyTorch computes them. At a kink (z = 0, z = 1 for relu-clipped) the engines take the derivative
# 0; the seeded values below keep every pre-activation at least 1e-3 away from the kinks (checked: check_off_kinks), so PyTorch's
# own convention there never matters.
ACTIVATIONS = {
    'sigmoid': torch.sigmoid,
    'relu': torch.relu,
    'tanh': torch.tanh,
    'relu-clipped': lambda z: torch.clamp(z, 0.0, 1.0),
    'relu-scaled': lambda z: 0.25 * torch.relu(z),
}


def check_off_kinks(hidden, z):
    """Refuses a draw that puts a pre-activation within 1e-3 of a kink, where conventions differ."""
    kinks = {'relu': [0.0], 'relu-scaled': [0.0], 'relu-clipped': [0.0, 1.0]}.get(hidden, [])
    for kink in kinks:
        nearest = torch.min(torch.abs(z - kink)).item()
        if nearest < 1e-3:
            raise SystemExit(f'{hidden}: a pre-activation lies {nearest:.2e} from the kink at {kink}; change SEED')


def float32_uniform(generator, shape, low, high):
    """Uniform values drawn in float32 (so the engines can hold them exactly), widened to float64."""
    return (torch.rand(shape, generator=generator, dtype=torch.float32) * (high - low) + low).to(torch.float64)


def params_layout(weight):
    """torch.nn.Linear's [out, in] weight as the project's row-major [in, out] list."""
    return weight.detach().t().contiguous().flatten().tolist()


def run_online(hidden, initial, x, y, dtype):
    """Batch-1 SGD from the initial parameters over every example, ONLINE_EPOCHS times; the final parameters."""
    weights = [torch.tensor(w, dtype=torch.float64).reshape(fan_in, fan_out).t().contiguous().to(dtype).requires_grad_()
               for w, fan_in, fan_out in zip(initial['weights'], SIZES[:-1], SIZES[1:])]
    biases = [torch.tensor(b, dtype=dtype).requires_grad_() for b in initial['biases']]
    for _ in range(ONLINE_EPOCHS):
        for r in range(EXAMPLES):
            a = x[r:r + 1].to(dtype)
            for layer, (w, b) in enumerate(zip(weights, biases)):
                z = a @ w.t() + b
                a = torch.sigmoid(z) if layer == len(weights) - 1 else ACTIVATIONS[hidden](z)
            loss = torch.mean((a[:, 0] - y[r:r + 1].to(dtype)) ** 2)
            for p in weights + biases:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in weights + biases:
                    p -= LEARNING_RATE * p.grad
    return {'weights': [params_layout(w.to(torch.float64)) for w in weights], 'biases': [b.detach().to(torch.float64).tolist() for b in biases]}


def run_case(hidden, generator, x, y):
    weights, biases = [], []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = (6.0 / (fan_in + fan_out)) ** 0.5
        weights.append(float32_uniform(generator, (fan_out, fan_in), -bound, bound).requires_grad_())
        biases.append(float32_uniform(generator, (fan_out,), -0.5, 0.5).requires_grad_())
    initial = {'weights': [params_layout(w) for w in weights], 'biases': [b.detach().tolist() for b in biases]}
    steps = []
    for step in range(STEPS):
        xb = x[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        yb = y[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        a = xb
        for layer, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w.t() + b
            if layer < len(weights) - 1:
                check_off_kinks(hidden, z)
            a = torch.sigmoid(z) if layer == len(weights) - 1 else ACTIVATIONS[hidden](z)
        outputs = a[:, 0]
        loss = torch.mean((outputs - yb) ** 2)  # the project's loss: no 1/2
        for p in weights + biases:
            p.grad = None
        loss.backward()
        steps.append({
            'firstExample': step * BATCH_SIZE,
            'loss': loss.item(),
            'outputs': outputs.detach().tolist(),
            'gradients': {'weights': [params_layout(w.grad) for w in weights], 'biases': [b.grad.tolist() for b in biases]},
        })
        with torch.no_grad():
            for p in weights + biases:
                p -= LEARNING_RATE * p.grad
    final = {'weights': [params_layout(w) for w in weights], 'biases': [b.detach().tolist() for b in biases]}
    online = {
        'steps': ONLINE_EPOCHS * EXAMPLES,
        'final': run_online(hidden, initial, x, y, torch.float64),
        'finalFloat32': run_online(hidden, initial, x, y, torch.float32),
    }
    return {'hiddenActivation': hidden, 'outputActivation': 'sigmoid', 'initial': initial, 'steps': steps, 'final': final,
            'online': online}


def main():
    generator = torch.Generator().manual_seed(SEED)
    x = float32_uniform(generator, (EXAMPLES, SIZES[0]), 0.0, 1.0)
    y = torch.tensor([float(r % 2) for r in range(EXAMPLES)], dtype=torch.float64)
    fixture = {
        'generator': 'tools/torch-reference.py',
        'torch': torch.__version__,
        'dtype': 'float64',
        'loss': 'mean over the batch of (output - target)^2, no 1/2',
        'update': 'plain SGD: p -= learningRate * dloss/dp, after each step\'s loss, outputs and gradients',
        'sizes': SIZES,
        'learningRate': LEARNING_RATE,
        'batchSize': BATCH_SIZE,
        'x': x.flatten().tolist(),
        'y': y.tolist(),
        'cases': [run_case(hidden, generator, x, y) for hidden in ACTIVATIONS],
    }
    tmp = OUT + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')
    os.replace(tmp, OUT)
    print(f'wrote {os.path.relpath(OUT)}: {len(fixture["cases"])} cases x {STEPS} steps (torch {torch.__version__})')


if __name__ == '__main__':
    main()
