// Makes a model fit for the QNN HTP backend before quantizing: static input shapes, Ifs folded, Loops unrolled, no control flow left.
import { GraphError } from '../../errors.ts';
import type { Model, Node } from '../../ir/graph.ts';
import type { InputShapes } from '../../ir/input-shapes.ts';
import type { InputValues } from '../../ir/input-values.ts';
import { inferTypes } from '../../ir/infer.ts';
import { dynamicIfReason, foldIf } from '../../passes/fold-if.ts';
import type { PassStats } from '../../passes/index.ts';
import { unrollLoops } from '../../passes/unroll-loop.ts';
import { ortEvaluator } from '../../runtimes/ort-node-evaluator.ts';
import { prepareForCompile } from '../prepare.ts';
import { runPasses } from '../../passes/index.ts';
import { fusePatternsPass } from '../../passes/fuse-patterns.ts';

/** Why a control-flow node is still there after folding and unrolling (the passes run again only to say why: nothing is left for them to change). */
async function whyLeft(model: Model, node: Node): Promise<string> {
  if (node.op === 'If') {
    const dyn = (await foldIf(model, { evaluate: ortEvaluator })).dynamic.find((d) => d.node === node);
    return dyn ? dynamicIfReason(dyn) : 'its condition is not constant';
  }
  if (node.op === 'Loop') {
    const kept = (await unrollLoops(model, { evaluate: ortEvaluator })).kept.find((k) => k.node === node);
    return `it cannot be unrolled: ${kept?.why ?? 'its trip count is not constant'}`;
  }
  return `${node.op} is not unrolled: export the model with the recurrence unrolled`;
}

/**
 * Fixes input shapes (symbolic batch → 1, other dims from `shapes`, else a UsageError naming the input and
 * `--input-shape`), folds Ifs and unrolls Loops (with `inputValues`), and runs the default passes.
 * @throws GraphError naming a control-flow node left and why, or a value whose shape is still not static.
 */
export async function prepareForQnn(model: Model, shapes?: InputShapes, inputValues?: InputValues): Promise<{ model: Model; passes: PassStats[] }> {
  const prepared = await prepareForCompile(model, shapes, inputValues);
  const left = prepared.model.graph.nodes.find((n) => n.op === 'If' || n.op === 'Loop' || n.op === 'Scan');
  if (left) throw new GraphError(`${left.op} node '${left.name}' cannot run on the QNN HTP backend: ${await whyLeft(prepared.model, left)}`);
  const types = inferTypes(prepared.model, { tolerant: true });
  for (const n of prepared.model.graph.nodes) {
    for (const o of n.outputs) {
      const t = types.get(o);
      if (t?.kind === 'tensor' && t.shape && t.shape.some((d) => typeof d !== 'number')) {
        throw new GraphError(`'${o}' (output of ${n.op} '${n.name}') has a dynamic shape [${t.shape.join(',')}] with static inputs; the QNN HTP backend needs every shape static`);
      }
    }
  }
  // The fusions the QNN EP's preprocessing expects (Erf → Gelu, the ReduceL2 spelling → LpNormalization, decomposed
  // LayerNorm, hard-swish/sigmoid spellings): one HTP op instead of an Erf the EP does not register, or a chain of units.
  // A model below opset 14 keeps its hard-swish spellings (HardSwish is not an ONNX op there). Raising the opset to fuse
  // them was measured and left out: PaddleOCR cls (opset 9) lost 1.2 dB on 200 held-out lines at w8a8 (0.408× → 0.375×),
  // PP-OCRv4 det (opset 11) gained 0.01 dB.
  const { model: fused, stats } = await runPasses(prepared.model, [fusePatternsPass]);
  return { model: fused, passes: [...prepared.passes, ...stats] };
}
