// Benchmark: write, lazily read and re-write an ONNX model with > 2 GiB of external weights; run it in ORT.
// Usage: node --import tsx bench/onnx-io.ts [--layers 9] [--rows 16384] [--cols 4096] [--small] [--keep]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import type { Model, Node } from '../src/ir/graph.ts';
import { tensorBytes, type Tensor } from '../src/ir/tensor.ts';
import { readOnnx } from '../src/formats/onnx/read.ts';
import { writeOnnx } from '../src/formats/onnx/write.ts';

const { values: args } = parseArgs({
  options: {
    layers: { type: 'string', default: '9' },
    rows: { type: 'string', default: '16384' },
    cols: { type: 'string', default: '4096' },
    small: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const LAYERS = Number(args.layers);
const ROWS = args.small ? 2048 : Number(args.rows);
const COLS = args.small ? 1024 : Number(args.cols);
const MiB = 2 ** 20;

/** Layer `k`'s weights, generated on demand: ±[2^-7, 2^-6) floats from a xorshift stream seeded by k. */
function layerWeights(k: number): Float32Array {
  const bits = new Uint32Array(ROWS * COLS);
  let s = (0x9e3779b9 ^ (k * 0x85ebca6b)) >>> 0 || 1;
  for (let i = 0; i < bits.length; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    bits[i] = ((s & 1) << 31) | 0x3c000000 | (s >>> 9);
  }
  return new Float32Array(bits.buffer);
}

/** A weight tensor whose bytes are only produced when the writer asks for them. */
function generatedWeight(k: number): Tensor {
  const length = ROWS * COLS * 4;
  return {
    name: `w${k}`, dtype: 'float32', dims: [ROWS, COLS],
    data: { kind: 'external', source: { path: '<generated>', location: `<generated w${k}>`, offset: 0, length }, load: () => new Uint8Array(layerWeights(k).buffer) },
  };
}

/** y = Σ_k x · W_k : LAYERS parallel MatMuls summed, so every weight matters for the output. */
function buildModel(): Model {
  const node = (op: string, inputs: string[], outputs: string[]): Node => ({ op, domain: '', name: `${op}_${outputs[0]}`, inputs, outputs, attributes: new Map() });
  const nodes = Array.from({ length: LAYERS }, (_, k) => node('MatMul', ['x', `w${k}`], [`h${k}`]));
  nodes.push(node('Sum', nodes.map((n) => n.outputs[0]), ['y']));
  return {
    graph: {
      name: 'bench', nodes,
      inputs: [{ name: 'x', type: { kind: 'tensor', dtype: 'float32', shape: [1, ROWS] } }],
      outputs: [{ name: 'y', type: { kind: 'tensor', dtype: 'float32', shape: [1, COLS] } }],
      initializers: new Map(Array.from({ length: LAYERS }, (_, k) => [`w${k}`, generatedWeight(k)] as [string, Tensor])),
      sparseInitializers: [], valueInfo: new Map(),
    },
    opsets: [{ domain: '', version: 17 }], irVersion: 8, producerName: 'ondevice-bench', metadata: [], functions: [],
  };
}

const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
const time = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
};

const dir = mkdtempSync(join(tmpdir(), 'ondevice-bench-onnx-'));
try {
  const weightBytes = LAYERS * ROWS * COLS * 4;
  const auto = weightBytes > 1.75 * 2 ** 30;
  console.log(`model: ${LAYERS} × MatMul [${ROWS}×${COLS}] float32 = ${(weightBytes / MiB).toFixed(0)} MiB of weights (${auto ? 'external data chosen automatically' : 'externalDataThreshold 1024'})`);
  const opts = auto ? {} : { externalDataThreshold: 1024 };

  const first = join(dir, 'big.onnx');
  const [, tWrite] = await time(() => writeOnnx(buildModel(), first, opts));
  const dataSize = statSync(`${first}.data`).size;
  console.log(`write (generate + stream): ${tWrite.toFixed(2)} s, ${(dataSize / MiB / tWrite).toFixed(0)} MiB/s; model ${statSync(first).size} B + data ${(dataSize / MiB).toFixed(0)} MiB; max RSS ${maxRssMiB().toFixed(0)} MiB`);

  const [model, tOpen] = await time(() => readOnnx(first));
  const lazy = [...model.graph.initializers.values()].filter((t) => t.data.kind === 'external').length;
  const [, tLoad] = await time(() => { for (const t of model.graph.initializers.values()) tensorBytes(t); });
  console.log(`read: parse ${(tOpen * 1000).toFixed(1)} ms (${lazy}/${LAYERS} tensors lazy); load() all ranges ${tLoad.toFixed(2)} s, ${(weightBytes / MiB / tLoad).toFixed(0)} MiB/s (page cache warm); max RSS ${maxRssMiB().toFixed(0)} MiB`);

  const second = join(dir, 'copy.onnx');
  const [, tRewrite] = await time(() => writeOnnx(model, second, opts));
  console.log(`re-write from lazy tensors: ${tRewrite.toFixed(2)} s, ${(weightBytes / MiB / tRewrite).toFixed(0)} MiB/s; max RSS ${maxRssMiB().toFixed(0)} MiB`);

  const x = new Float32Array(ROWS).map((_, i) => Math.sin(i * 0.37));
  const [session, tSession] = await time(() => ort.InferenceSession.create(second));
  const [out, tRun] = await time(() => session.run({ x: new ort.Tensor('float32', x, [1, ROWS]) }));
  const y = out.y.data as Float32Array;
  await session.release();
  console.log(`onnxruntime-node: session ${tSession.toFixed(2)} s, one inference ${(tRun * 1000).toFixed(0)} ms; max RSS ${maxRssMiB().toFixed(0)} MiB`);

  // Reference in float64, regenerating one layer at a time.
  const ref = new Float64Array(COLS);
  for (let k = 0; k < LAYERS; k++) {
    const w = layerWeights(k);
    for (let i = 0; i < ROWS; i++) for (let j = 0, row = i * COLS; j < COLS; j++) ref[j] += x[i] * w[row + j];
  }
  let maxErr = 0, maxRef = 0;
  for (let j = 0; j < COLS; j++) { maxErr = Math.max(maxErr, Math.abs(y[j] - ref[j])); maxRef = Math.max(maxRef, Math.abs(ref[j])); }
  console.log(`output check vs float64 reference: max |err| ${maxErr.toExponential(2)} (max |y| ${maxRef.toFixed(3)}) ${maxErr <= 1e-3 * Math.max(1, maxRef) ? 'OK' : 'MISMATCH'}`);
  console.log(`peak RSS: ${maxRssMiB().toFixed(0)} MiB`);
  if (maxErr > 1e-3 * Math.max(1, maxRef)) process.exitCode = 1;
} finally {
  if (args.keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
