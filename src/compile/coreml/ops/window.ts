// Window geometry of Conv/ConvTranspose/pooling: ONNX pads and auto_pad → MIL's explicit `pad` ([before, after] per spatial axis).
import { attrInts, attrString, type Node } from '../../../ir/graph.ts';

/** The window attributes of a node over `spatial` input sizes, with explicit MIL padding. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** MIL order: [before_0, after_0, before_1, after_1, …]. */
  pad: number[];
}

/** Resolves strides, dilations and padding of a Conv or pool node with kernel `kernel` over `spatial` input sizes. */
export function windowOf(node: Node, spatial: number[], kernel: number[]): Window {
  const n = spatial.length;
  const strides = attrInts(node, 'strides', new Array(n).fill(1));
  const dilations = attrInts(node, 'dilations', new Array(n).fill(1));
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  const pad: number[] = [];
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(spatial[i] / strides[i]);
      const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i], 0);
      const small = Math.floor(total / 2);
      pad.push(auto === 'SAME_UPPER' ? small : total - small, auto === 'SAME_UPPER' ? total - small : small);
    }
  } else {
    const pads = auto === 'VALID' ? [] : attrInts(node, 'pads', []);
    for (let i = 0; i < n; i++) pad.push(pads[i] ?? 0, pads[i + n] ?? 0);
  }
  return { kernel, strides, dilations, pad };
}
