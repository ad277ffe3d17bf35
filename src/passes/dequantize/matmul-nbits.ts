// com.microsoft MatMulNBits (blocked 2–8-bit weights, e.g. 4-bit) → float MatMul with the dequantized [K, N] weight (+ Add bias).
import { attrInt, type Node } from '../../ir/graph.ts';
import { tensorBytes, tensorValues } from '../../ir/tensor.ts';
import type { DequantizeContext } from './context.ts';

/**
 * Rewrites `MatMulNBits(A, B_packed, scales[, zero_points[, g_idx[, bias]]])` with constant B, float32 scales and
 * packed uint8 or float zero points (no g_idx) into `MatMul(A, W)`: W[k, n] = (q[n, k] − zp[n, block]) × scale[n, block],
 * codes packed low bits first; the default zero point is 2^(bits−1). Others stay, recorded in `ctx.skipped`.
 */
export function rewriteMatMulNBits(ctx: DequantizeContext): void {
  const replaced = new Map<Node, Node[]>();
  for (const node of ctx.graph.nodes) {
    if (node.domain !== 'com.microsoft' || node.op !== 'MatMulNBits') continue;
    const [a, b, s, z, gIdx, bias] = node.inputs;
    const k = attrInt(node, 'K'), n = attrInt(node, 'N');
    const bits = attrInt(node, 'bits', 4), bs = attrInt(node, 'block_size', 0);
    const packed = ctx.constant(b), scale = ctx.constant(s), zp = z ? ctx.constant(z) : undefined;
    if (k === undefined || n === undefined || !packed || !scale || scale.dtype !== 'float32' || (z && !zp) || gIdx || ![2, 4, 8].includes(bits) || bs < 16) {
      ctx.skip(node, 'needs constant B, float32 scales and zero points, no g_idx, bits 2/4/8 and block_size ≥ 16');
      continue;
    }
    const blocks = Math.ceil(k / bs);
    const codes = tensorBytes(packed);
    const scales = tensorValues(scale) as Float32Array;
    if (codes.byteLength < (n * blocks * bs * bits) / 8 || scales.length !== n * blocks) {
      ctx.skip(node, `B or scales do not hold ${n}×${blocks} blocks of ${bs}`);
      continue;
    }
    const mask = (1 << bits) - 1, perByte = 8 / bits;
    const zpBytes = zp && zp.dtype === 'uint8' ? tensorBytes(zp) : undefined;
    const zpFloats = zp && zp.dtype !== 'uint8' ? Float32Array.from(tensorValues(zp) as ArrayLike<number>) : undefined;
    const zpRow = Math.ceil(blocks / perByte);
    const zeroPoint = (row: number, block: number): number => {
      if (zpFloats) return zpFloats[row * blocks + block];
      if (!zpBytes) return 1 << (bits - 1);
      return (zpBytes[row * zpRow + Math.floor(block / perByte)] >> ((block % perByte) * bits)) & mask;
    };
    const w = new Float32Array(k * n);
    for (let row = 0; row < n; row++) {
      for (let block = 0; block < blocks; block++) {
        const sc = scales[row * blocks + block];
        const z0 = zeroPoint(row, block);
        for (let j = 0; j < bs && block * bs + j < k; j++) {
          const idx = (row * blocks + block) * bs + j;
          const q = (codes[Math.floor(idx / perByte)] >> ((idx % perByte) * bits)) & mask;
          w[(block * bs + j) * n + row] = Math.fround(Math.fround(q - z0) * sc);
        }
      }
    }
    const weight = ctx.addFloat(`${b}_dequantized`, [k, n], w);
    replaced.set(node, ctx.matMulWithBias(a, weight, bias, node.outputs[0]));
    ctx.count('MatMulNBits');
  }
  ctx.graph.nodes = ctx.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
}
