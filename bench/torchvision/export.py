#!/usr/bin/python3
"""Export torchvision architectures (seeded random weights) as ONNX for the coverage benchmark.

Random weights exercise the op coverage of every stage; fidelity figures use real inputs. The files are
large, so they are written to bench/torchvision/models/ (git-ignored) and never needed by tests.
Usage (repository root): /usr/bin/python3 bench/torchvision/export.py [name ...]
"""
import os
import sys

import torch
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'models')
MODELS = ['mobilenet_v2', 'mobilenet_v3_small', 'resnet18', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'efficientnet_b0',
          'mnasnet0_5', 'regnet_y_400mf', 'googlenet', 'convnext_tiny', 'swin_t', 'vit_b_16', 'deeplabv3_mobilenet_v3_large',
          'lraspp_mobilenet_v3_large', 'ssdlite320_mobilenet_v3_large']
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(2)
for name in sys.argv[1:] or MODELS:
    torch.manual_seed(0)
    path = os.path.join(OUT, name + '.onnx')
    if os.path.exists(path):
        continue
    if name.startswith(('deeplab', 'lraspp')):
        net = getattr(tvm.segmentation, name)(weights=None, weights_backbone=None)
    elif name.startswith('ssdlite'):
        continue  # detection post-processing (NMS, dynamic shapes) is not an export a phone model uses
    else:
        kw = {'aux_logits': False, 'init_weights': True} if name == 'googlenet' else {}
        net = getattr(tvm, name)(weights=None, **kw)
    net.eval()
    size = 520 if name.startswith(('deeplab', 'lraspp')) else 224
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(net, x, path, opset_version=13, input_names=['input'], output_names=['output'])
    print(name, os.path.getsize(path), 'bytes', flush=True)
