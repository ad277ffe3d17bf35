// Compiles an IR model (ONNX semantics, NCHW) to a Core ML ML Program: prepare, fuse patterns, emit MIL, compress weights, describe.
import { UsageError } from '../../errors.ts';
import type { Recipe } from '../../data/recipe.ts';
import { inferTypes } from '../../ir/infer.ts';
import type { Model } from '../../ir/graph.ts';
import type { InputValues } from '../../ir/input-values.ts';
import { assertValid } from '../../ir/verify.ts';
import type { PassStats } from '../../passes/index.ts';
import { fusePatterns, RULE_SETS } from '../../passes/patterns/index.ts';
import { IO_NAMES_KEY, IOS_TARGETS, type CoreMlModel, type MinIos } from '../../formats/coreml/program.ts';
import { MIL_OPS } from '../../formats/coreml/ops-by-opset.ts';
import { prepareForCompile, type InputShapes } from '../prepare.ts';
import { milIdentifier, type ComputeDtype } from './context.ts';
import { compressWeights, type CompressionReport, type WeightCompression } from './compress.ts';
import { emitFunction } from './emit.ts';
import { addClassifier, describe, emitImagePreprocess, planImageInput, type ImageInput } from './io.ts';
import { EMITTERS } from './ops/index.ts';

/** Weight precision of a Core ML output: float32, float16, int8 per channel, int4 per block. */
export const COREML_QUANTIZATIONS = ['none', 'fp16', 'w8', 'w4'] as const;
/** A Core ML weight precision. */
export type CoremlQuantization = (typeof COREML_QUANTIZATIONS)[number];
/** The iOS versions `--min-ios` takes. */
export const MIN_IOS_VERSIONS = Object.keys(IOS_TARGETS).map(Number) as MinIos[];

/** Options for {@link compileToCoreMl}. */
export interface CoremlCompileOptions {
  /** Weights: 'fp16' (default), 'none' (float32), 'w8' (int8 per channel, iOS 16+), 'w4' (int4 per block, iOS 18+). */
  quantize?: CoremlQuantization;
  /** The float type the program computes in (default fp32 for 'none', else fp16). */
  compute?: ComputeDtype;
  /** The oldest iOS the model must load on (default: the oldest its ops and weights allow). */
  minIos?: MinIos;
  /** Declare the recipe's input as an image (pixels 0–255; the recipe's scale, mean and std become ops). */
  imageInput?: Recipe;
  /** Class labels: the model becomes a classifier (label + probability dictionary). */
  labels?: string[];
  inputShapes?: InputShapes;
  inputValues?: InputValues;
  /** Written into the model's metadata (e.g. the source file). */
  source?: string;
}

/** What the Core ML compiler did. */
export interface CoremlCompileReport {
  /** MIL op type → count (const ops included). */
  ops: Record<string, number>;
  quantize: CoremlQuantization;
  compute: ComputeDtype;
  minIos: MinIos;
  specificationVersion: number;
  opset: string;
  /** Matches rewritten per rule set of `passes/patterns`. */
  patternsFused: Record<string, number>;
  compression?: CompressionReport;
  /** IR input/output names that were not MIL identifiers, and what they became. */
  renamed: { from: string; to: string }[];
  /** The input declared as an image, and the classifier labels count. */
  imageInput?: string;
  classLabels?: number;
  /** Notes for the user (e.g. softmax added in front of the classifier). */
  notes: string[];
  passes: PassStats[];
}

/** The oldest iOS a quantization needs: int8 constexpr weights came with iOS 16, int4 with iOS 18. */
function neededIos(quantize: CoremlQuantization): MinIos {
  return quantize === 'w4' ? 18 : quantize === 'w8' ? 16 : 15;
}

/** The oldest iOS whose MIL opset has every op in `types` (from the op table the validator reads), and the op that decided it. */
function opsNeedIos(types: string[]): { ios: MinIos; op: string } {
  let best = { ios: 15 as MinIos, op: '' };
  for (const type of new Set(types)) {
    const since = MIL_OPS[type]?.[0]?.since ?? 5;
    const ios = (since + 10) as MinIos; // CoreML5 ↔ iOS 15 … CoreML8 ↔ iOS 18
    if (ios > best.ios) best = { ios, op: type };
  }
  return best;
}

/** Rule sets of `passes/patterns` whose ops this compiler emits. */
const COREML_RULE_SETS = RULE_SETS.filter((s) => s.produces.every((op) => EMITTERS.has(op)));

/**
 * Compiles `model` to a Core ML ML Program. The model is rewritten in place (shapes fixed, passes run).
 * @throws UsageError for a --min-ios older than the weights need, a bad image input or labels; UnmappableOpsError listing
 *   every op that cannot be mapped (nothing is produced then).
 */
export async function compileToCoreMl(model: Model, options: CoremlCompileOptions = {}): Promise<{ coreml: CoreMlModel; report: CoremlCompileReport }> {
  const quantize = options.quantize ?? 'fp16';
  const compute = options.compute ?? (quantize === 'none' ? 'fp32' : 'fp16');
  const needed = neededIos(quantize);
  if (options.minIos !== undefined && options.minIos < needed) throw new UsageError(`--quantize ${quantize} needs iOS ${needed} or later (Core ML ${quantize === 'w4' ? 'int4 blockwise' : 'int8 constexpr'} weights); --min-ios ${options.minIos} is older`);
  assertValid(model);
  const { model: prepared, passes } = await prepareForCompile(model, options.inputShapes, options.inputValues);
  const patternsFused = fusePatterns(prepared, COREML_RULE_SETS, { standardOps: true });
  const types = inferTypes(prepared, { tolerant: true });
  const images = new Map<string, ImageInput>();
  if (options.imageInput) {
    const vi = prepared.graph.inputs.find((i) => i.name === options.imageInput!.input);
    if (!vi || vi.type.kind !== 'tensor') throw new UsageError(`--image-input: the recipe's input '${options.imageInput.input}' is not a model input`);
    images.set(vi.name, planImageInput(options.imageInput, (vi.type.shape ?? []).map(Number)));
  }
  const emitted = emitFunction(prepared, types, {
    compute,
    declare: (ir, type) => (images.has(ir) ? { dtype: 'fp32', shape: images.get(ir)!.dims } : type),
    preprocess: (ctx, input) => (images.has(input.ir) ? emitImagePreprocess(ctx, input, images.get(input.ir)!) : input.name),
  });
  const fn = emitted.fn;
  // The ops decide too: one that came with a later opset raises the default, or is refused under an older --min-ios.
  const opsIos = opsNeedIos(fn.operations.map((op) => op.type));
  if (options.minIos !== undefined && options.minIos < opsIos.ios) throw new UsageError(`the model needs iOS ${opsIos.ios} or later (MIL op ${opsIos.op}); --min-ios ${options.minIos} is older`);
  const minIos = Math.max(options.minIos ?? needed, opsIos.ios) as MinIos;
  const target = IOS_TARGETS[minIos];
  fn.opset = target.opset;
  const compression = quantize === 'w8' || quantize === 'w4' ? compressWeights(fn, quantize as WeightCompression, target.opset, emitted.float32) : undefined;
  const notes: string[] = [];
  let classifier: { label: string; probabilities: string } | undefined;
  if (options.labels) {
    const producer = prepared.graph.nodes.find((n) => n.outputs.includes(emitted.outputs[0]?.ir));
    const softmaxed = producer?.op === 'Softmax';
    const used = new Set(fn.operations.flatMap((op) => op.outputs.map((o) => o.name)).concat(fn.inputs.map((i) => i.name)));
    const fresh = (base: string) => {
      let name = milIdentifier(base);
      for (let i = 1; used.has(name); i++) name = `${milIdentifier(base)}_${i}`;
      used.add(name);
      return name;
    };
    classifier = addClassifier(fn, emitted, options.labels, softmaxed, fresh);
    if (!softmaxed) notes.push(`the classifier's probabilities are softmax('${emitted.outputs[0].ir}'): the model's output is not a Softmax`);
  }
  // The source's I/O names, so tools (the reference runtime, `evaluate`) can pair the package with the model it came from.
  const ioNames = Object.fromEntries([...emitted.inputs.map((i) => [i.name, i.ir]), ...(classifier ? [] : emitted.outputs.map((o) => [o.name, o.ir]))]);
  const metadata = {
    shortDescription: `Compiled by ondevice${options.source ? ` from ${options.source}` : ''}`,
    userDefined: { 'com.ondevice.quantize': quantize, 'com.ondevice.compute': compute, [IO_NAMES_KEY]: JSON.stringify(ioNames) },
  };
  const description = describe(emitted, images, classifier, metadata);
  const coreml: CoreMlModel = {
    specificationVersion: target.specificationVersion, description,
    program: { version: 1, functions: { main: fn }, attributes: { 'com.ondevice.producer': 'ondevice' } },
  };
  const ops: Record<string, number> = {};
  for (const op of fn.operations) ops[op.type] = (ops[op.type] ?? 0) + 1;
  const renamed = [...emitted.inputs.map((i) => ({ from: i.ir, to: i.name })), ...emitted.outputs.map((o) => ({ from: o.ir, to: o.name }))].filter((r) => r.from !== r.to);
  return {
    coreml,
    report: {
      ops, quantize, compute, minIos, specificationVersion: target.specificationVersion, opset: target.opset, patternsFused,
      ...(compression ? { compression } : {}), renamed, ...(options.imageInput ? { imageInput: options.imageInput.input } : {}),
      ...(options.labels ? { classLabels: options.labels.length } : {}), notes, passes,
    },
  };
}
