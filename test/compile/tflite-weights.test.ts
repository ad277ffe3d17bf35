// TFLite weights without a browser: conv/FC filters in the .tflite bytes run by hand in the test match onnxruntime; OHWI/1HWO layout and w8a8 integers against independent references.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { compileToTflite } from '../../src/compile/compile.ts';
import { mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { encodeOnnx } from '../../src/formats/onnx/write.ts';
import { readModel } from '../../src/formats/registry.ts';
import { decodeTflite, type TflModel, type TflOperator } from '../../src/formats/tflite/index.ts';
import { builtinName } from '../../src/formats/tflite/schema/enums.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { exposeValues, valueTypes } from '../../src/ir/expose.ts';
import type { Model } from '../../src/ir/graph.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { seededFloats } from '../../src/util/random.ts';

/** The operators of subgraph 0 with their builtin names. */
function ops(t: TflModel): { name: string; op: TflOperator }[] {
  return t.subgraphs[0].operators.map((op) => ({ name: builtinName(t.operator_codes[op.opcode_index].builtin_code), op }));
}

/** A constant tensor of the .tflite as [shape, values] (float32, int8 or int32 by its type). */
function constant(t: TflModel, index: number): { shape: number[]; data: Float32Array | Int8Array | Int32Array; scale?: number[]; zeroPoint?: number[] } {
  const tensor = t.subgraphs[0].tensors[index];
  const bytes = t.buffers[tensor.buffer].data!.slice();
  const data = tensor.type === 0 ? new Float32Array(bytes.buffer) : tensor.type === 9 ? new Int8Array(bytes.buffer) : tensor.type === 2 ? new Int32Array(bytes.buffer) : assert.fail(`tensor type ${tensor.type}`);
  return { shape: tensor.shape, data, scale: tensor.quantization?.scale, zeroPoint: tensor.quantization?.zero_point?.map(Number) };
}

/**
 * A 2-D convolution written out from TFLite's definitions: input NHWC [H, W, C] (batch 1), CONV_2D filter OHWI [O, KH, KW, I],
 * or DEPTHWISE_CONV_2D filter [1, KH, KW, O] where output channel o reads input channel floor(o / (O / C)); stride 1, zero padding.
 */
function convByHand(x: Float32Array, [H, W, C]: number[], f: Float32Array, fshape: number[], bias: Float32Array, pad: number, depthwise: boolean, relu: boolean): { y: Float32Array; dims: number[] } {
  const [KH, KW] = [fshape[1], fshape[2]];
  const O = depthwise ? fshape[3] : fshape[0];
  const OH = H + 2 * pad - KH + 1, OW = W + 2 * pad - KW + 1;
  const y = new Float32Array(OH * OW * O);
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < O; o++) {
    let s = bias[o];
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy + ky - pad, ix = ox + kx - pad;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      if (depthwise) s += x[(iy * W + ix) * C + Math.floor(o / (O / C))] * f[(ky * KW + kx) * O + o];
      else for (let i = 0; i < C; i++) s += x[(iy * W + ix) * C + i] * f[((o * KH + ky) * KW + kx) * C + i];
    }
    y[(oy * OW + ox) * O + o] = relu ? Math.max(0, s) : s;
  }
  return { y, dims: [OH, OW, O] };
}

/** NCHW (batch 1) → NHWC. */
function toNhwc(x: Float32Array, [C, H, W]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = x[(c * H + h) * W + w];
  return out;
}

/** Largest |a − b| relative to max|b|. */
function relError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0, peak = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    peak = Math.max(peak, Math.abs(b[i]));
  }
  return err / peak;
}

/** Runs `model` in onnxruntime (batch 1) with `names` exposed as outputs too; returns every output. */
async function runOnnx(model: Model, feeds: Record<string, [Float32Array, number[]]>, names: string[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeOnnx(exposeValues(model, names, valueTypes(model))));
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, [d, dims]]) => [k, new ort.Tensor('float32', d, dims)])));
    return Object.fromEntries(Object.entries(out).map(([n, v]) => [n, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

test('LeNet-5 .tflite: both CONV_2D filters (OHWI) and the FC after the NHWC flatten, run by hand, reproduce onnxruntime', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const { bytes } = await compileToTflite(await readModel(DEFAULT_MODEL.path));
  const t = decodeTflite(bytes);
  const convs = ops(t).filter((o) => o.name === 'CONV_2D').map((o) => o.op);
  const fc1 = ops(t).find((o) => o.name === 'FULLY_CONNECTED')!.op;
  assert.equal(convs.length, 2);
  const image = mnistBatches('test', 1, undefined, { limit: 1 }).next().value!;
  const names = ['/Relu_output_0', '/MaxPool_output_0', '/Relu_1_output_0', '/MaxPool_1_output_0', '/Relu_2_output_0'];
  const ref = await runOnnx(model, { input: [image.input, image.dims] }, names);
  // conv1: 5×5, pad 2, on the 28×28 image (one channel: NCHW and NHWC hold the same data); BN and ReLU are folded/fused into it.
  const [w1, b1] = [constant(t, convs[0].inputs[1]), constant(t, convs[0].inputs[2])];
  assert.deepEqual(w1.shape, [6, 5, 5, 1]);
  const c1 = convByHand(image.input, [28, 28, 1], w1.data as Float32Array, w1.shape, b1.data as Float32Array, 2, false, true);
  const e1 = relError(c1.y, toNhwc(ref['/Relu_output_0'], [6, 28, 28]));
  assert.ok(e1 < 1e-5, `conv1 by hand vs onnxruntime: relative error ${e1}`);
  // conv2: 5×5, no pad, 6 → 16 channels, fed with onnxruntime's own pooled conv1 output.
  const [w2, b2] = [constant(t, convs[1].inputs[1]), constant(t, convs[1].inputs[2])];
  assert.deepEqual(w2.shape, [16, 5, 5, 6]);
  const c2 = convByHand(toNhwc(ref['/MaxPool_output_0'], [6, 14, 14]), [14, 14, 6], w2.data as Float32Array, w2.shape, b2.data as Float32Array, 0, false, true);
  const e2 = relError(c2.y, toNhwc(ref['/Relu_1_output_0'], [16, 10, 10]));
  assert.ok(e2 < 1e-5, `conv2 by hand vs onnxruntime: relative error ${e2}`);
  // fc1 reads the pooled [16, 5, 5] map flattened channels-last (NHWC order): its weight columns must be permuted to match.
  const [wf, bf] = [constant(t, fc1.inputs[1]), constant(t, fc1.inputs[2])];
  assert.deepEqual(wf.shape, [120, 400]);
  const flat = toNhwc(ref['/MaxPool_1_output_0'], [16, 5, 5]);
  const fc = Float32Array.from({ length: 120 }, (_, o) => {
    let s = (bf.data as Float32Array)[o];
    for (let j = 0; j < 400; j++) s += (wf.data as Float32Array)[o * 400 + j] * flat[j];
    return Math.max(0, s);
  });
  const e3 = relError(fc, ref['/Relu_2_output_0']);
  assert.ok(e3 < 1e-5, `fc1 by hand vs onnxruntime: relative error ${e3}`);
});

/** x [1, 3, 7, 6] → Conv (w [4, 3, 3, 2], non-square) → depthwise Conv (group 4, multiplier 2, w [8, 1, 2, 3]) → y. */
function convPair(): { model: Model; w: Float32Array; wd: Float32Array; b: Float32Array; bd: Float32Array } {
  const w = seededFloats(4 * 3 * 3 * 2, 1), wd = seededFloats(8 * 2 * 3, 2), b = seededFloats(4, 3), bd = seededFloats(8, 4);
  const mb = new ModelBuilder({ opset: 13 });
  const x = mb.input('x', 'float32', [1, 3, 7, 6]);
  const c = mb.op('Conv', [x, mb.initializer('w', 'float32', [4, 3, 3, 2], w), mb.initializer('b', 'float32', [4], b)], { kernel_shape: [3, 2] }, { output: 'c' });
  const y = mb.op('Conv', [c, mb.initializer('wd', 'float32', [8, 1, 2, 3], wd), mb.initializer('bd', 'float32', [8], bd)], { kernel_shape: [2, 3], group: 4 }, { output: 'y' });
  mb.output(y, 'float32', [1, 8, 4, 3]);
  return { model: mb.build(), w, wd, b, bd };
}

test('non-square kernels: the CONV_2D filter is exactly OHWI and the DEPTHWISE_CONV_2D filter exactly 1HWO of the ONNX weights; run by hand they match onnxruntime', async () => {
  const { model, w, wd, b, bd } = convPair();
  const { bytes } = await compileToTflite(model);
  const t = decodeTflite(bytes);
  const conv = ops(t).find((o) => o.name === 'CONV_2D')!.op;
  const dw = ops(t).find((o) => o.name === 'DEPTHWISE_CONV_2D')!.op;
  const f = constant(t, conv.inputs[1]), fd = constant(t, dw.inputs[1]);
  assert.deepEqual(f.shape, [4, 3, 2, 3]);
  assert.deepEqual(fd.shape, [1, 2, 3, 8]);
  // Index by index: TFLite OHWI [o][ky][kx][i] is ONNX OIHW [o][i][ky][kx]; depthwise [0][ky][kx][o] is ONNX [o][0][ky][kx].
  for (let o = 0; o < 4; o++) for (let i = 0; i < 3; i++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 2; kx++) {
    assert.equal(f.data[((o * 3 + ky) * 2 + kx) * 3 + i], w[((o * 3 + i) * 3 + ky) * 2 + kx], `conv filter [${o}, ${ky}, ${kx}, ${i}]`);
  }
  for (let o = 0; o < 8; o++) for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 3; kx++) {
    assert.equal(fd.data[(ky * 3 + kx) * 8 + o], wd[(o * 2 + ky) * 3 + kx], `depthwise filter [0, ${ky}, ${kx}, ${o}]`);
  }
  assert.deepEqual([...constant(t, conv.inputs[2]).data], [...b]);
  assert.deepEqual([...constant(t, dw.inputs[2]).data], [...bd]);
  // Run both by hand on one seeded input and compare with onnxruntime's output of the ONNX model.
  const x = seededFloats(3 * 7 * 6, 5);
  const c = convByHand(toNhwc(x, [3, 7, 6]), [7, 6, 3], f.data as Float32Array, f.shape, b, 0, false, false);
  assert.deepEqual(c.dims, [5, 5, 4]);
  const y = convByHand(c.y, c.dims, fd.data as Float32Array, fd.shape, bd, 0, true, false);
  assert.deepEqual(y.dims, [4, 3, 8]);
  const ref = await runOnnx(model, { x: [x, [1, 3, 7, 6]] }, ['c']);
  const e1 = relError(c.y, toNhwc(ref.c, [4, 5, 5]));
  assert.ok(e1 < 1e-6, `conv by hand vs onnxruntime: ${e1}`);
  const e2 = relError(y.y, toNhwc(ref.y, [8, 4, 3]));
  assert.ok(e2 < 1e-6, `depthwise by hand vs onnxruntime: ${e2}`);
});

/** Round half to even (independent of src/quantize). */
const rne = (x: number) => {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
};

test('w8a8 .tflite: int8 weights, scales and int32 biases equal a reference computed from the fp32 .tflite\'s float weights', async () => {
  const fp32 = decodeTflite((await compileToTflite(await readModel(DEFAULT_MODEL.path))).bytes);
  const int8 = decodeTflite((await compileToTflite(await readModel(DEFAULT_MODEL.path), { quantize: 'w8a8', calibration: mnistSource('train'), limit: 200 })).bytes);
  const layers = (t: TflModel) => ops(t).filter((o) => o.name === 'CONV_2D' || o.name === 'FULLY_CONNECTED');
  const [fl, ql] = [layers(fp32), layers(int8)];
  assert.deepEqual(ql.map((l) => l.name), ['CONV_2D', 'CONV_2D', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
  assert.deepEqual(fl.map((l) => l.name), ql.map((l) => l.name));
  ql.forEach(({ name, op }, k) => {
    const wf = constant(fp32, fl[k].op.inputs[1]), bf = constant(fp32, fl[k].op.inputs[2]);
    const wq = constant(int8, op.inputs[1]), bq = constant(int8, op.inputs[2]);
    const inScale = int8.subgraphs[0].tensors[op.inputs[0]].quantization!.scale![0];
    assert.ok(wq.data instanceof Int8Array && bq.data instanceof Int32Array, `${name} ${k}: int8 weights, int32 bias`);
    assert.deepEqual(wq.shape, wf.shape);
    // Symmetric per output channel: dim 0 of the conv's OHWI and of the FC's [out, in] weights; zero points 0.
    const channels = wf.shape[0];
    const per = wf.data.length / channels;
    const scales: number[] = [];
    for (let c = 0; c < channels; c++) {
      let absmax = 0;
      for (let i = c * per; i < (c + 1) * per; i++) absmax = Math.max(absmax, Math.abs(wf.data[i]));
      scales.push(Math.fround(absmax / 127));
    }
    assert.deepEqual(wq.scale, scales, `${name} ${k}: weight scales = max|w| / 127`);
    assert.deepEqual(wq.zeroPoint, scales.map(() => 0));
    for (let i = 0; i < wf.data.length; i++) {
      const want = rne(Math.fround(wf.data[i] / scales[Math.floor(i / per)]));
      if (wq.data[i] !== want) assert.fail(`${name} ${k}: weight ${i} = ${wq.data[i]}, expected round(${wf.data[i]} / ${scales[Math.floor(i / per)]}) = ${want}`);
    }
    // Biases: int32 at scale input scale × weight scale of their channel, zero point 0.
    const biasScales = Array.from(bf.data, (_, c) => Math.fround(inScale * scales[channels === 1 ? 0 : c]));
    assert.deepEqual(bq.scale, biasScales, `${name} ${k}: bias scales`);
    assert.deepEqual([...bq.data], Array.from(bf.data, (v, c) => rne(Math.fround(v / biasScales[c]))), `${name} ${k}: int32 biases`);
  });
});
