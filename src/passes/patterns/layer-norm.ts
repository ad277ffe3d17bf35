// Rule set: LayerNorm decomposed by exporters — mean, x − mean, its square, variance, + ε, √, divide (or multiply by the
// reciprocal), then ·γ + β — over the trailing axes → LayerNormalization (ai.onnx opset 17; onnxruntime loads it below).
import { attrInt, attrInts, type Node } from '../../ir/graph.ts';
import { elementCount, tensorValues } from '../../ir/tensor.ts';
import type { RewriteContext, RuleSet } from './matcher.ts';
import { P, scalarOf, type ConstantValue, type Pattern, type PatternView } from './pattern.ts';
import { isFloatTensor } from './spellings.ts';

const x = P.any('x');

/** The axes of a ReduceMean (attribute before opset 18, constant input after), undefined when not constant or all. */
function reduceAxes(node: Node, m: PatternView): number[] | undefined {
  if (attrInt(node, 'keepdims', 1) !== 1) return undefined;
  const attr = attrInts(node, 'axes');
  if (attr) return attr;
  const c = node.inputs[1] ? m.constantOf(node.inputs[1]) : undefined;
  const v = c?.values();
  return v && v.length ? [...v] : undefined;
}

const mean = P.op('ReduceMean', [x], { name: 'mean', where: (n, m) => !!reduceAxes(n, m) });
/** x − mean; a second, identical Sub (some exporters repeat it) is accepted too. */
const centred = P.oneOf(P.op('Sub', [x, mean], { name: 'd' }), P.op('Sub', [x, mean]));
const squared = P.oneOf(P.op('Pow', [centred, P.scalar(2)]), P.op('Mul', [centred, centred]));
const variance = P.op('ReduceMean', [squared], { name: 'var' });
const eps = P.const('eps', (c) => isFloatTensor(c) && (scalarOf(c) ?? -1) >= 0 && (scalarOf(c) ?? 1) < 0.01);
const varEps = P.op('Add', [variance, eps]);
const std = P.oneOf(P.op('Sqrt', [varEps]), P.op('Pow', [varEps, P.scalar(0.5)]));
const invStd = P.oneOf(P.op('Reciprocal', [std]), P.op('Pow', [varEps, P.scalar(-0.5)]));
const normalized: Pattern = P.oneOf(P.op('Div', [centred, std]), P.product([centred, invStd]));
const gamma = P.const('gamma', isFloatTensor);
const beta = P.const('beta', isFloatTensor);

/** γ or β as a tensor of exactly the normalized dims (a reshaped or broadcast copy when needed), or undefined. */
function affineParam(ctx: RewriteContext, c: ConstantValue, normDims: number[], rank: number, base: string): string | undefined {
  const t = c.tensor!;
  if (t.dims.length > rank) return undefined;
  const padded = [...new Array(rank - t.dims.length).fill(1), ...t.dims];
  const lead = padded.slice(0, rank - normDims.length);
  const trail = padded.slice(rank - normDims.length);
  if (lead.some((d) => d !== 1)) return undefined;
  const size = elementCount(normDims);
  const values = tensorValues(t);
  if (trail.every((d, i) => d === normDims[i])) return ctx.constant(base, t.dtype, normDims, values.slice(0, size));
  if (elementCount(t.dims) !== 1) return undefined;
  const Ctor = values.constructor as new (n: number) => typeof values;
  const filled = new Ctor(size);
  for (let i = 0; i < size; i++) filled[i] = values[0];
  return ctx.constant(base, t.dtype, normDims, filled);
}

/** The rewrite shared by the three spellings (with γ and β, with γ only, bare). */
function layerNorm(m: PatternView, ctx: RewriteContext): string | undefined {
  const axesMean = reduceAxes(m.node('mean'), m);
  const axesVar = reduceAxes(m.node('var'), m);
  const shape = ctx.shape(m.value('x'));
  if (!axesMean || !axesVar || !shape) return undefined;
  const rank = shape.length;
  const norm = (axes: number[]) => [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  const axes = norm(axesMean);
  if (norm(axesVar).join() !== axes.join() || axes.some((a, i) => a !== rank - axes.length + i || a < 0)) return undefined;
  const axis = axes[0];
  const normDims = shape.slice(axis);
  if (!normDims.every((d): d is number => typeof d === 'number')) return undefined;
  const epsTensor = m.constant('eps').tensor!;
  const dtype = epsTensor.dtype;
  const scale = m.has('gamma')
    ? affineParam(ctx, m.constant('gamma'), normDims, rank, `${m.value('x')}_ln_scale`)
    : ctx.constant(`${m.value('x')}_ln_scale`, dtype, normDims, new Float32Array(elementCount(normDims)).fill(1));
  const bias = m.has('beta') ? affineParam(ctx, m.constant('beta'), normDims, rank, `${m.value('x')}_ln_bias`) : undefined;
  if (!scale || (m.has('beta') && !bias)) return undefined;
  if (m.has('gamma') && m.constant('gamma').tensor!.dtype !== dtype) return undefined;
  if (dtype !== 'float32' && !m.has('gamma')) return undefined;
  return ctx.node('LayerNormalization', bias ? [m.value('x'), scale, bias] : [m.value('x'), scale], {
    axis: axis - rank,
    epsilon: { type: 'float', value: scalarOf(m.constant('eps'))! },
  });
}

/** Decomposed LayerNorm spellings → LayerNormalization. */
export const layerNormRules: RuleSet = {
  name: 'layer-norm',
  produces: ['LayerNormalization'],
  rules: [
    { name: 'scale-bias', pattern: P.op('Add', [P.product([normalized, gamma]), beta]), rewrite: layerNorm },
    { name: 'scale', pattern: P.product([normalized, gamma]), rewrite: layerNorm },
    { name: 'bare', pattern: normalized, rewrite: layerNorm },
  ],
};
