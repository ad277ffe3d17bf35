// The op inference registry, built from one table per op family.
import type { OpInfer, OpTable } from './common.ts';
import { activationOps } from './activations.ts';
import { controlOps } from './control.ts';
import { convOps } from './conv.ts';
import { elementwiseOps } from './elementwise.ts';
import { gemmOps } from './gemm.ts';
import { normOps } from './norm.ts';
import { poolOps } from './pool.ts';
import { quantOps } from './quant.ts';
import { recurrentOps } from './recurrent.ts';
import { reduceOps } from './reduce.ts';
import { resizeOps } from './resize.ts';
import { shapeOps } from './shape-ops.ts';
import { softmaxOps } from './softmax.ts';

export * from './common.ts';
export { constantNodeTensor } from './constant.ts';

const FAMILIES: OpTable[] = [
  activationOps, controlOps, convOps, elementwiseOps, gemmOps, normOps, poolOps, quantOps, recurrentOps, reduceOps, resizeOps, shapeOps, softmaxOps,
];

/** Every op with inference, keyed by op type (default domain) or `domain/op`. */
export const OP_INFERENCE: ReadonlyMap<string, OpInfer> = (() => {
  const map = new Map<string, OpInfer>();
  for (const family of FAMILIES) {
    for (const [key, fn] of Object.entries(family)) {
      if (map.has(key)) throw new Error(`op inference for '${key}' is registered twice`);
      map.set(key, fn);
    }
  }
  return map;
})();

/** True for the default ONNX domain, however it is spelled. */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The inference function of an op, or undefined when the op is not known. */
export function opInference(domain: string, op: string): OpInfer | undefined {
  return OP_INFERENCE.get(isDefaultDomain(domain) ? op : `${domain}/${op}`);
}
