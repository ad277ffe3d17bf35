// What apps see of the program: multi-array inputs/outputs, an image input (the recipe's scale and mean/std as MIL ops), a classifier head.
import { UsageError } from '../../errors.ts';
import type { Recipe } from '../../data/recipe.ts';
import type { CoreMlDescription, CoreMlFeature, MilFunction, MilTensorType } from '../../formats/coreml/program.ts';
import type { MilEmitContext } from './context.ts';
import type { EmittedFunction, EmittedInput } from './emit.ts';

/** A feature of a tensor type. */
export function arrayFeature(name: string, type: MilTensorType): CoreMlFeature {
  const dtype = type.dtype === 'fp32' ? 'float32' : type.dtype === 'fp16' ? 'float16' : type.dtype === 'int32' ? 'int32' : undefined;
  if (!dtype) throw new UsageError(`model input/output '${name}' is ${type.dtype}; Core ML multi-arrays hold float32, float16 or int32`);
  return { name, type: { kind: 'multiArray', dtype, shape: type.shape } };
}

/** The image input plan of a recipe for one model input: colour space, NCHW dims, per-channel scale and bias, layout. */
export interface ImageInput {
  ir: string;
  colorSpace: 'RGB' | 'BGR' | 'GRAYSCALE';
  /** [1, C, H, W] as Core ML hands the image over. */
  dims: number[];
  /** model input = pixel · scale[c] + bias[c] (pixels 0–255). */
  scale: number[];
  bias: number[];
  /** The model reads NHWC: a transpose follows the scaling. */
  nhwc: boolean;
}

/** Plans `--image-input` from the recipe and the model input's IR shape; a UsageError says what does not fit. */
export function planImageInput(recipe: Recipe, shape: number[]): ImageInput {
  const c = recipe.channels === 'GRAY' ? 1 : 3;
  const nhwc = recipe.layout === 'NHWC';
  const dims = nhwc ? [shape[0], shape[3], shape[1], shape[2]] : shape;
  if (shape.length !== 4 || dims[0] !== 1 || dims[1] !== c) {
    throw new UsageError(`--image-input: input '${recipe.input}' has shape [${shape.join(',')}]; the recipe makes ${recipe.layout} ${recipe.channels} images ([1,${c},H,W] or [1,H,W,${c}])`);
  }
  const per = (v: number[], i: number) => (v.length === 1 ? v[0] : v[i]);
  const scale = Array.from({ length: c }, (_, i) => recipe.scale / per(recipe.std, i));
  const bias = Array.from({ length: c }, (_, i) => -per(recipe.mean, i) / per(recipe.std, i));
  return { ir: recipe.input, colorSpace: recipe.channels === 'GRAY' ? 'GRAYSCALE' : recipe.channels, dims, scale, bias, nhwc };
}

/** The preprocessing ops of an image input: scale and bias per channel (skipped when identity), then NCHW → NHWC if needed. */
export function emitImagePreprocess(ctx: MilEmitContext, input: EmittedInput, plan: ImageInput): string {
  const shape = plan.dims;
  const t: MilTensorType = { dtype: 'fp32', shape };
  const c = shape[1];
  let x = input.name;
  const constant = (base: string, v: number[]) => ctx.constValue(base, 'fp32', [1, c, 1, 1], v);
  if (plan.scale.some((s) => s !== 1)) x = ctx.temp('mul', undefined, { x, y: constant(`${input.name}_scale`, plan.scale) }, `${input.name}_scaled`, t);
  if (plan.bias.some((b) => b !== 0)) x = ctx.temp('add', undefined, { x, y: constant(`${input.name}_bias`, plan.bias) }, `${input.name}_normalized`, t);
  if (plan.nhwc) x = ctx.temp('transpose', undefined, { x, perm: ctx.ints('perm', [0, 2, 3, 1]) }, `${input.name}_nhwc`, { dtype: 'fp32', shape: [shape[0], shape[2], shape[3], shape[1]] });
  return x;
}

/** The output names of a classifier. */
export const CLASS_LABEL = 'classLabel';

/**
 * Makes the function a classifier: softmax over the (single) output unless a Softmax produced it, then `classify` with the
 * labels; returns the names of its two outputs. A UsageError when the output does not hold one score per label.
 */
export function addClassifier(fn: MilFunction, emitted: EmittedFunction, labels: string[], softmaxed: boolean, fresh: (base: string) => string): { label: string; probabilities: string } {
  if (emitted.outputs.length !== 1) throw new UsageError(`a classifier needs a model with one output; this one has ${emitted.outputs.length}`);
  const out = emitted.outputs[0];
  const count = out.type.shape.reduce((a, b) => a * b, 1);
  if (count !== labels.length) throw new UsageError(`the labels file has ${labels.length} labels; output '${out.ir}' has ${count} values`);
  let probs = out.name;
  const ops = fn.operations;
  if (!softmaxed) {
    // The output op keeps computing the logits under another name; softmax takes the output name.
    const logits = fresh(`${out.name}_logits`);
    for (const op of ops) for (const o of op.outputs) if (o.name === out.name) o.name = logits;
    const axis = fresh('softmax_axis');
    ops.push({ type: 'const', inputs: {}, outputs: [{ name: axis, type: { dtype: 'int32', shape: [] } }], attributes: { name: { type: { dtype: 'string', shape: [] }, data: [axis] }, val: { type: { dtype: 'int32', shape: [] }, data: Int32Array.of(-1) } } });
    ops.push({ type: 'softmax', inputs: { x: [{ name: logits }], axis: [{ name: axis }] }, outputs: [{ name: out.name, type: out.type }], attributes: {} });
    probs = out.name;
  }
  const label = fresh(CLASS_LABEL);
  const dict = fresh(`${out.name}_probs`);
  const classes = { type: { kind: 'list' as const, element: { dtype: 'string' as const, shape: [] }, length: labels.length }, items: labels.map((l) => ({ type: { dtype: 'string' as const, shape: [] }, data: [l] })) };
  ops.push({
    type: 'classify', inputs: { probabilities: [{ name: probs }], classes: [{ value: classes }] },
    outputs: [{ name: label, type: { dtype: 'string', shape: [] } }, { name: dict, type: { kind: 'dict', key: { dtype: 'string', shape: [] }, value: { dtype: 'fp64', shape: [] } } }],
    attributes: {},
  });
  fn.outputs = [label, dict];
  return { label, probabilities: dict };
}

/** The model description: inputs as declared (images where planned), outputs, classifier names, metadata. */
export function describe(emitted: EmittedFunction, images: Map<string, ImageInput>, classifier: { label: string; probabilities: string } | undefined, metadata: CoreMlDescription['metadata']): CoreMlDescription {
  const inputs = emitted.inputs.map((i): CoreMlFeature => {
    const image = images.get(i.ir);
    if (!image) return arrayFeature(i.name, i.type);
    return { name: i.name, type: { kind: 'image', width: image.dims[3], height: image.dims[2], colorSpace: image.colorSpace } };
  });
  const outputs: CoreMlFeature[] = classifier
    ? [{ name: classifier.label, type: { kind: 'string' } }, { name: classifier.probabilities, type: { kind: 'dictionary', keyType: 'string' } }]
    : emitted.outputs.map((o) => arrayFeature(o.name, o.type));
  return { inputs, outputs, ...(classifier ? { predictedFeatureName: classifier.label, predictedProbabilitiesName: classifier.probabilities } : {}), metadata };
}
