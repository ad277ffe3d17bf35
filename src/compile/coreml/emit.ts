// Walks the IR in execution order and emits the MIL function: typed inputs (cast to the compute type), per-op emitters, named outputs.
import type { Model, ValueType } from '../../ir/graph.ts';
import { toposort } from '../../ir/toposort.ts';
import type { MilFunction, MilTensorType } from '../../formats/coreml/program.ts';
import { UnmappableOpsError, type UnmappedOp } from '../unmappable.ts';
import { MilEmitContext, milDtypeOf, milIdentifier, Unmappable, type ComputeDtype } from './context.ts';
import { EMITTERS } from './ops/index.ts';

/** A model input as the function declares it, and how it reaches the graph. */
export interface EmittedInput {
  /** IR input name. */
  ir: string;
  /** MIL function input name (an identifier). */
  name: string;
  type: MilTensorType;
}

/** What the emitter produced: the function (opset set by the caller), its inputs and outputs with IR names. */
export interface EmittedFunction {
  fn: MilFunction;
  inputs: EmittedInput[];
  outputs: { ir: string; name: string; type: MilTensorType }[];
  /** float32 values of large fp16 consts, by const name (see {@link MilEmitContext.float32}). */
  float32: ReadonlyMap<string, Float32Array>;
}

/** Options of {@link emitFunction}. */
export interface EmitOptions {
  compute: ComputeDtype;
  /**
   * Rewrites a function input before the graph reads it (image inputs: scale, bias, layout); gets the MIL name of the
   * input as declared and returns the MIL name the graph reads. The declared type may be changed through `declare`.
   */
  preprocess?: (ctx: MilEmitContext, input: EmittedInput) => string;
  /** Declared type of an input when it differs from the IR's (an NHWC image input is declared NCHW). */
  declare?: (ir: string, type: MilTensorType) => MilTensorType;
}

/** I/O float tensors stay float32 for apps; integers keep their MIL type. */
function ioType(ctx: MilEmitContext, ir: string): MilTensorType {
  const t = ctx.milType(ir);
  return t.dtype === 'fp16' ? { dtype: 'fp32', shape: t.shape } : t;
}

/**
 * Emits the main function of a model whose shapes are static. Float inputs are declared float32 and cast to the compute
 * type; outputs are cast back to float32 under their own (identifier-safe) names. Throws UnmappableOpsError listing every
 * node that cannot be mapped (nodes that only read an unmapped node's outputs are not listed again).
 */
export function emitFunction(model: Model, types: Map<string, ValueType>, options: EmitOptions): EmittedFunction {
  const ctx = new MilEmitContext(model, types, options.compute);
  const g = model.graph;
  const inputs: EmittedInput[] = [];
  // Inputs, then outputs, take their own names first (an output that is also an input gets a suffix).
  const realInputs = g.inputs.filter((vi) => !g.initializers.has(vi.name));
  const inputNames = new Map(realInputs.map((vi) => [vi.name, ctx.fresh(vi.name)]));
  const reserved = new Map(g.outputs.map((vo) => [vo.name, ctx.fresh(vo.name)]));
  for (const vi of realInputs) {
    const irType = ioType(ctx, vi.name);
    const type = options.declare?.(vi.name, irType) ?? irType;
    const input: EmittedInput = { ir: vi.name, name: inputNames.get(vi.name)!, type };
    inputs.push(input);
    let name = options.preprocess ? options.preprocess(ctx, input) : input.name;
    const computeType = ctx.milType(vi.name);
    if (computeType.dtype !== irType.dtype) name = ctx.temp('cast', undefined, { x: name, dtype: ctx.scalar('dtype', computeType.dtype, 'string') }, `${input.name}_${computeType.dtype}`, computeType);
    ctx.bind(vi.name, name, computeType);
  }
  const failures: UnmappedOp[] = [];
  const failed = new Set<string>();
  for (const node of toposort(g)) {
    if (node.op === 'Constant') continue;
    if (node.inputs.some((i) => failed.has(i))) {
      node.outputs.forEach((o) => failed.add(o));
      continue;
    }
    try {
      const emitter = node.domain === '' || node.domain === 'ai.onnx' ? EMITTERS.get(node.op) : undefined;
      if (!emitter) throw new Unmappable(`no Core ML mapping for ${node.domain ? `${node.domain}.` : ''}${node.op}`);
      emitter(node, ctx);
    } catch (e) {
      if (!(e instanceof Unmappable)) throw e;
      failures.push({ node: node.name, op: node.op, why: e.message });
      node.outputs.forEach((o) => failed.add(o));
    }
  }
  if (failures.length) throw new UnmappableOpsError('coreml', failures);
  const outputs = g.outputs.map((vo) => {
    const name = reserved.get(vo.name)!;
    const type = ioType(ctx, vo.name);
    const value = ctx.input(vo.name);
    const computed = ctx.milType(vo.name);
    if (computed.dtype !== type.dtype) ctx.op('cast', undefined, { x: value, dtype: ctx.scalar('dtype', type.dtype, 'string') }, [{ exact: name, type }]);
    else ctx.op('identity', undefined, { x: value }, [{ exact: name, type }]);
    return { ir: vo.name, name, type };
  });
  dropIdentityOutputs(ctx, outputs.map((o) => o.name));
  return { fn: { inputs: inputs.map((i) => ({ name: i.name, type: i.type })), opset: '', operations: ctx.operations, outputs: outputs.map((o) => o.name) }, inputs, outputs, float32: ctx.float32 };
}

/**
 * An output `identity` whose input is an op output read by nothing else is folded: that op writes the output name
 * directly (one op fewer, and the output keeps the name of the value that computed it).
 */
function dropIdentityOutputs(ctx: MilEmitContext, outputs: string[]): void {
  const ops = ctx.operations;
  const readers = new Map<string, number>();
  for (const op of ops) for (const b of Object.values(op.inputs).flat()) if ('name' in b) readers.set(b.name, (readers.get(b.name) ?? 0) + 1);
  for (const out of outputs) {
    const i = ops.findIndex((op) => op.type === 'identity' && op.outputs[0].name === out);
    if (i < 0) continue;
    const src = (ops[i].inputs.x[0] as { name: string }).name;
    const producer = ops.find((op) => op.type !== 'const' && op.outputs.some((o) => o.name === src));
    if (!producer || readers.get(src) !== 1 || outputs.includes(src)) continue;
    producer.outputs.find((o) => o.name === src)!.name = out;
    ops.splice(i, 1);
  }
}

export { milDtypeOf, milIdentifier };
