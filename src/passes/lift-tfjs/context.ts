// What a TF.js op lifter works with: the TFLite lift's context plus shapes inferred as ONNX nodes are emitted.
import type { Dim, Graph, Node } from '../../ir/graph.ts';
import { InferSession } from '../../ir/infer.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { constantOf } from '../graph-edit.ts';
import { LiftContext, LiftRefusal } from '../lift-tflite/context.ts';

/** ONNX opset the lifted TF.js model imports. */
export const TFJS_LIFTED_OPSET = 17;

/**
 * The lift state for TF.js models. TF.js files carry no intermediate shapes, so every node a lifter emits is
 * inferred at once (ONNX rules, `ir/infer.ts`), and integer values computed from static shapes (Shape → StridedSlice
 * → Pack) are known as constants: `shape`, `dims` and `knownInts` read them. Values keep their TensorFlow names and
 * layouts (NHWC), so a lifter reads its inputs as TensorFlow describes them.
 */
export class TfjsLiftContext extends LiftContext {
  readonly infer: InferSession;
  private inferred = 0;

  constructor(graph: Graph) {
    super(graph);
    this.infer = new InferSession([{ domain: '', version: TFJS_LIFTED_OPSET }]);
    this.infer.seed(graph);
  }

  /** Infers every node emitted since the last call (the driver calls this after each lifter). */
  sync(): void {
    for (; this.inferred < this.nodes.length; this.inferred++) {
      const n = this.nodes[this.inferred];
      for (const i of n.inputs) {
        const t = i && !this.infer.type(i) ? this.graph.initializers.get(i) : undefined;
        if (t) this.infer.constant(i, t);
      }
      this.infer.add(this.graph, n);
    }
  }

  /** Forgets nodes emitted after `mark` (a refused lifter's partial output). */
  rollback(mark: number): void {
    this.nodes.length = mark;
    this.inferred = Math.min(this.inferred, mark);
  }

  /** Inferred dims of a value (numbers, symbolic names or null), or undefined when even the rank is unknown. */
  dims(value: string): Dim[] | undefined {
    this.sync();
    const t = this.graph.initializers.get(value);
    if (t) return [...t.dims];
    const type = this.infer.type(value);
    return type?.kind === 'tensor' ? type.shape : undefined;
  }

  /** The rank of a value, or a refusal naming it. */
  rank(value: string): number {
    const d = this.dims(value);
    if (!d) throw new LiftRefusal(`the rank of '${value}' is not known`);
    return d.length;
  }

  /** The static shape of a value, or a refusal naming it (give `--input-shape` to make a model's shapes static). */
  override shape(value: string): number[] {
    const d = this.dims(value);
    if (!d || !d.every((x): x is number => typeof x === 'number')) throw new LiftRefusal(`the shape of '${value}' is not static (${d ? `[${d.map((x) => x ?? '?').join(',')}]` : 'unknown'}; give --input-shape)`);
    return d;
  }

  /** The element type of a value, if known. */
  dtype(value: string): string | undefined {
    this.sync();
    const t = this.graph.initializers.get(value) ?? constantOf(this.graph, value);
    if (t) return t.dtype;
    const type = this.infer.type(value);
    return type?.kind === 'tensor' ? type.dtype : undefined;
  }

  /** Integer values of a value when known at lift time: a constant, or computed from static shapes; else undefined. */
  knownInts(value: string): number[] | undefined {
    this.sync();
    const t: Tensor | undefined = constantOf(this.graph, value);
    if (t && ['int32', 'int64', 'int8', 'int16', 'uint8', 'uint16', 'bool'].includes(t.dtype)) {
      try {
        return this.ints(value, 'value');
      } catch {
        return undefined;
      }
    }
    const v = this.infer.knownValue(value);
    return v?.every((x): x is number => typeof x === 'number') ? v : undefined;
  }

  /** Like {@link knownInts}, or a refusal saying which input must be known. */
  requireInts(value: string, what: string): number[] {
    const v = this.knownInts(value);
    if (!v) throw new LiftRefusal(`${what} '${value}' is not known before running the model (give --input-shape to fix the shapes it depends on)`);
    return v;
  }
}

/** The lifter contract for TF.js nodes: emit ONNX nodes through `ctx`; the last must write every `node.outputs` the graph uses. */
export type TfjsLifter = (node: Node, ctx: TfjsLiftContext) => void;

export { LiftRefusal, ints, int, str, explicitPads, TO_NCHW, TO_NHWC } from '../lift-tflite/context.ts';
