// Hand-made .tflite files for the LiteRT runtime tests, written field by field with the flatbuffers builder.
import { Builder } from 'flatbuffers';

/** TFLite TensorType codes used here. */
const TENSOR_TYPE = { float32: 0, int32: 2, uint8: 3 } as const;
/** BuiltinOperator code, BuiltinOptions union tag, fused-activation slot of the options table. */
const OPS = {
  ADD: { code: 0, options: 11 },
  FULLY_CONNECTED: { code: 9, options: 8 },
  MUL: { code: 18, options: 21 },
} as const;

/** One tensor of the hand-made graph; `data` makes it a constant. */
export interface TensorSpec {
  name: string;
  shape: number[];
  dtype?: keyof typeof TENSOR_TYPE;
  data?: Float32Array | Int32Array | Uint8Array;
}

/** One operator: indices into the tensor list, optional fused ReLU. */
export interface OpSpec {
  op: keyof typeof OPS;
  inputs: number[];
  outputs: number[];
  relu?: boolean;
}

/** Writes a single-subgraph .tflite file (schema v3, identifier TFL3). */
export function buildTflite(spec: { tensors: TensorSpec[]; inputs: number[]; outputs: number[]; ops: OpSpec[] }): Uint8Array {
  const b = new Builder(1024);
  const intVector = (xs: number[]): number => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
    return b.endVector();
  };

  // Buffers: 0 is the empty sentinel; each constant tensor gets its own.
  const bufferOffsets: number[] = [];
  const tensorBuffer: number[] = [];
  const emptyBuffer = (): number => {
    b.startObject(3);
    return b.endObject();
  };
  bufferOffsets.push(emptyBuffer());
  for (const t of spec.tensors) {
    if (!t.data) {
      tensorBuffer.push(0);
      continue;
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    b.startVector(1, bytes.length, 16);
    for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
    const vec = b.endVector();
    b.startObject(3);
    b.addFieldOffset(0, vec, 0);
    tensorBuffer.push(bufferOffsets.length);
    bufferOffsets.push(b.endObject());
  }

  const tensorOffsets = spec.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = intVector(t.shape);
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, TENSOR_TYPE[t.dtype ?? 'float32'], 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    return b.endObject();
  });

  const opNames = [...new Set(spec.ops.map((o) => o.op))];
  const operatorOffsets = spec.ops.map((o) => {
    const inputs = intVector(o.inputs);
    const outputs = intVector(o.outputs);
    b.startObject(1);
    b.addFieldInt8(0, o.relu ? 1 : 0, 0);
    const options = b.endObject();
    b.startObject(5);
    b.addFieldInt32(0, opNames.indexOf(o.op), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    b.addFieldInt8(3, OPS[o.op].options, 0);
    b.addFieldOffset(4, options, 0);
    return b.endObject();
  });
  const codeOffsets = opNames.map((name) => {
    b.startObject(4);
    b.addFieldInt8(0, OPS[name].code, 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, OPS[name].code, 0);
    return b.endObject();
  });

  const offsetVector = (xs: number[]): number => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]);
    return b.endVector();
  };
  const tensors = offsetVector(tensorOffsets);
  const inputs = intVector(spec.inputs);
  const outputs = intVector(spec.outputs);
  const operators = offsetVector(operatorOffsets);
  const subgraphName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const codes = offsetVector(codeOffsets);
  const subgraphs = offsetVector([subgraph]);
  const buffers = offsetVector(bufferOffsets);
  const description = b.createString('ondevice test fixture');
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

/** Fixed weights of {@link denseModel}: W is 3×4 (out×in), bias 3. */
export const DENSE_W = Float32Array.from([0.5, -1, 2, 0.25, -0.75, 1.5, 0, -2, 1, 1, -1, 0.125]);
export const DENSE_B = Float32Array.from([0.1, -0.2, 0.3]);

/**
 * x[1,4], y[1,3] → h = FullyConnected(x, W, b); out = ReLU(h + y). Outputs: out, h.
 */
export function denseModel(): Uint8Array {
  return buildTflite({
    tensors: [
      { name: 'x', shape: [1, 4] },
      { name: 'y', shape: [1, 3] },
      { name: 'W', shape: [3, 4], data: DENSE_W },
      { name: 'b', shape: [3], data: DENSE_B },
      { name: 'h', shape: [1, 3] },
      { name: 'out', shape: [1, 3] },
    ],
    inputs: [0, 1],
    outputs: [5, 4],
    ops: [
      { op: 'FULLY_CONNECTED', inputs: [0, 2, 3], outputs: [4] },
      { op: 'ADD', inputs: [4, 1], outputs: [5], relu: true },
    ],
  });
}

/** The same computation in plain JS: [out, h]. */
export function denseReference(x: Float32Array, y: Float32Array): [Float32Array, Float32Array] {
  const h = new Float32Array(3);
  for (let o = 0; o < 3; o++) {
    let s = DENSE_B[o];
    for (let i = 0; i < 4; i++) s += DENSE_W[o * 4 + i] * x[i];
    h[o] = s;
  }
  return [h.map((v, o) => Math.max(0, v + y[o])), h];
}

/** a[shape] * b[shape] elementwise (for large-input transfer tests). */
export function mulModel(shape: number[]): Uint8Array {
  return buildTflite({
    tensors: [{ name: 'a', shape }, { name: 'b', shape }, { name: 'prod', shape }],
    inputs: [0, 1],
    outputs: [2],
    ops: [{ op: 'MUL', inputs: [0, 1], outputs: [2] }],
  });
}
