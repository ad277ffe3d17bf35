// One entry point for the commands: lift a model read from another framework's file (.tflite, TF.js) onto ONNX ops.
import type { Model } from '../ir/graph.ts';
import { applyInputShapes, type InputShapes } from '../ir/input-shapes.ts';
import { eliminateDeadCode } from './dead-code.ts';
import { countOps, nameAllocator } from './graph-edit.ts';
import { hasTfjsNodes, liftTfjs, liftTfjsOrThrow } from './lift-tfjs/index.ts';
import { nchwIo } from './nchw-io.ts';
import { countTransposes, hasTfliteNodes, liftTflite, liftTfliteOrThrow, optimizeTransposes, type LiftReport } from './lift-tflite/index.ts';

/** The frameworks whose operators the lifts rewrite: TFLite (`ai.tflite`) and TF.js (`ai.tensorflow`, `ai.keras`). */
export type ForeignFormat = 'tflite' | 'tfjs';

/** Options for {@link liftForeign}. */
export interface ForeignLiftOptions {
  /**
   * Fixed input shapes, in the file's own layout. The TF.js lift applies them first (TF.js models often leave batch and
   * image size open); the TFLite lift leaves them to the caller (a .tflite declares its shapes).
   */
  inputShapes?: InputShapes;
  /**
   * Declare rank-4 inputs and outputs NCHW (default: NHWC, as the file has them); 'if-all-rank4': only when every input
   * and output is rank 4 (known after lifting for a TF.js layers model, whose output shapes the file does not declare).
   */
  nchwIo?: boolean | 'if-all-rank4';
}

/** What a lift did: the lift report of either lift, which one ran, and the layout it declared. */
export interface ForeignLiftReport extends LiftReport {
  from: ForeignFormat;
  /** True when the lift fixed the input shapes given in the options (callers must not apply them again). */
  shapesApplied: boolean;
  /** True when the rank-4 inputs and outputs were declared NCHW. */
  nchwIo: boolean;
}

/** True when every graph input and output is a rank-4 tensor. */
export function allRank4(model: Model): boolean {
  return [...model.graph.inputs, ...model.graph.outputs].every((v) => v.type.kind === 'tensor' && v.type.shape?.length === 4);
}

/** Which framework's operators `model` holds, if any. */
export function foreignFormat(model: Model): ForeignFormat | undefined {
  return hasTfliteNodes(model) ? 'tflite' : hasTfjsNodes(model) ? 'tfjs' : undefined;
}

/** `shapes` checked against the model's declared inputs (names, ranks, fixed dims). */
function checkedShapes(model: Model, shapes: InputShapes | undefined): InputShapes | undefined {
  if (!shapes) return undefined;
  const declared = model.graph.inputs.map((v) => ({ name: v.name, shape: v.type.kind === 'tensor' ? v.type.shape ?? [] : [] }));
  return Object.fromEntries(applyInputShapes(declared, shapes).filter((i) => shapes[i.name]).map((i) => [i.name, i.shape as number[]]));
}

type Lift = (model: Model, options: ForeignLiftOptions, throwing: boolean) => { model: Model; report?: ForeignLiftReport };

const LIFTS: Record<ForeignFormat, Lift> = {
  tflite(model, options, throwing) {
    const nchw = options.nchwIo === 'if-all-rank4' ? allRank4(model) : Boolean(options.nchwIo);
    const { model: out, report } = (throwing ? liftTfliteOrThrow : liftTflite)(model, { nchwIo: nchw });
    return { model: out, ...(report ? { report: { ...report, from: 'tflite', shapesApplied: false, nchwIo: nchw } } : {}) };
  },
  tfjs(model, options, throwing) {
    const lift = { inputShapes: checkedShapes(model, options.inputShapes), nchwIo: options.nchwIo === true };
    const { model: out, report } = (throwing ? liftTfjsOrThrow : liftTfjs)(model, lift);
    if (!report) return { model: out };
    const full = { ...report, from: 'tfjs' as const, shapesApplied: true, nchwIo: lift.nchwIo };
    if (options.nchwIo !== 'if-all-rank4' || report.unliftable.length || !allRank4(out)) return { model: out, report: full };
    // Output ranks are known once lifted: declare the boundary NCHW now and cancel the Transposes it meets.
    nchwIo(out, { name: nameAllocator(out.graph) });
    eliminateDeadCode(out.graph);
    optimizeTransposes(out.graph);
    return { model: out, report: { ...full, nchwIo: true, transposes: countTransposes(out.graph), ops: Object.fromEntries(countOps(out.graph)) } };
  },
};

/**
 * Lifts a .tflite or TF.js model onto ONNX ops (unchanged, no report, when it is neither). Nodes that cannot be lifted
 * are listed in `report.unliftable` (the caller decides which error that is).
 */
export function liftForeign(model: Model, options: ForeignLiftOptions = {}): { model: Model; report?: ForeignLiftReport } {
  const from = foreignFormat(model);
  return from ? LIFTS[from](model, options, false) : { model };
}

/** {@link liftForeign}, throwing a GraphError that lists every node that cannot be lifted, with why. */
export function liftForeignOrThrow(model: Model, options: ForeignLiftOptions = {}): { model: Model; report?: ForeignLiftReport } {
  const from = foreignFormat(model);
  return from ? LIFTS[from](model, options, true) : { model };
}
