// A hand-built Core ML ML Program for the format tests: conv → relu → linear heads in fp32, fp16, int8 and int4, then classify.
import { floatToHalf } from '../../src/ir/half.ts';
import { IOS_TARGETS, type CoreMlModel, type MilBinding, type MilData, type MilDtype, type MilOperation, type MilTensorType, type MilTensorValue, type MilType, type MinIos } from '../../src/formats/coreml/program.ts';

/** A seeded sequence in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

export function tensor(dtype: MilDtype, shape: number[], data: MilData): MilTensorValue {
  return { type: { dtype, shape }, data };
}
const f32 = (shape: number[], seed: number) => tensor('fp32', shape, Float32Array.from(values(shape.reduce((a, b) => a * b, 1), seed)));
const f16 = (shape: number[], seed: number) => tensor('fp16', shape, Uint16Array.from(values(shape.reduce((a, b) => a * b, 1), seed), floatToHalf));
const str = (s: string) => tensor('string', [], [s]);
const i32 = (v: number[], shape = [v.length]) => tensor('int32', shape, Int32Array.from(v));
const v = (value: MilTensorValue): MilBinding[] => [{ value }];
const n = (name: string): MilBinding[] => [{ name }];
const t = (dtype: MilDtype, shape: number[]): MilTensorType => ({ dtype, shape });

function op(type: string, inputs: Record<string, MilBinding[]>, out: string, outType: MilType, attributes: MilOperation['attributes'] = {}): MilOperation {
  return { type, inputs, outputs: [{ name: out, type: outType }], attributes };
}
function constOp(name: string, val: MilTensorValue): MilOperation {
  return { type: 'const', inputs: {}, outputs: [{ name, type: val.type }], attributes: { name: str(name), val } };
}

export const CLASSES = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'ibis', 'jay'];

/**
 * The test program for `ios` (15 … 18): image [1,3,8,8] → conv 3×3 (fp32 weights in the blob) → relu → reshape [1,144] →
 * fp16 → three linear heads (fp16 weights; from iOS 16 int8 weights behind constexpr_affine_dequantize; on iOS 18 int4
 * weights behind constexpr_blockwise_shift_scale) → sum → fp32 → softmax → classify over 10 string classes.
 * Also holds unused constants on iOS 18: uint4 (5 elements inline, 15 in the blob: odd count, padded) and int32 (12, in the
 * blob from iOS 18 on).
 */
export function buildModel(ios: MinIos = 18): CoreMlModel {
  const { specificationVersion, opset } = IOS_TARGETS[ios];
  const ops: MilOperation[] = [
    constOp('w_conv', f32([4, 3, 3, 3], 1)),
    op('conv', {
      x: n('image'), weight: n('w_conv'), bias: v(f32([4], 2)), strides: v(i32([1, 1])), pad_type: v(str('valid')),
      dilations: v(i32([1, 1])), groups: v(i32([1], [])),
    }, 'conv_out', t('fp32', [1, 4, 6, 6])),
    op('relu', { x: n('conv_out') }, 'relu_out', t('fp32', [1, 4, 6, 6])),
    op('reshape', { x: n('relu_out'), shape: v(i32([1, 144])) }, 'flat', t('fp32', [1, 144])),
    op('cast', { x: n('flat'), dtype: v(str('fp16')) }, 'flat16', t('fp16', [1, 144])),
    constOp('w_fc16', f16([10, 144], 3)),
    op('linear', { x: n('flat16'), weight: n('w_fc16'), bias: v(f16([10], 4)) }, 'fc16', t('fp16', [1, 10])),
  ];
  let sum = 'fc16';
  if (ios >= 16) {
    const q = tensor('int8', [10, 144], Int8Array.from(values(1440, 5), (x) => Math.round(x * 127)));
    const params = { quantized_data: q, zero_point: tensor('int8', [10], new Int8Array(10)), scale: f16([10], 6), axis: i32([0], []) };
    // Before CoreML8 a constexpr op takes its parameters as attributes; from CoreML8 as inputs (coremltools translate_constexpr).
    ops.push(ios >= 18
      ? op('constexpr_affine_dequantize', Object.fromEntries(Object.entries(params).map(([k, x]) => [k, v(x)])), 'w_q8', t('fp16', [10, 144]))
      : op('constexpr_affine_dequantize', {}, 'w_q8', t('fp16', [10, 144]), { name: str('w_q8'), ...params }));
    ops.push(op('linear', { x: n('flat16'), weight: n('w_q8') }, 'fc8', t('fp16', [1, 10])));
    ops.push(op('add', { x: n(sum), y: n('fc8') }, 'sum8', t('fp16', [1, 10])));
    sum = 'sum8';
  }
  if (ios >= 18) {
    const data = tensor('int4', [10, 144], Int8Array.from(values(1440, 7), (x) => Math.max(-8, Math.min(7, Math.round(x * 8)))));
    ops.push(op('constexpr_blockwise_shift_scale', { data: v(data), scale: v(f16([10, 9], 8)) }, 'w_q4', t('fp16', [10, 144])));
    ops.push(op('linear', { x: n('flat16'), weight: n('w_q4') }, 'fc4', t('fp16', [1, 10])));
    ops.push(op('add', { x: n(sum), y: n('fc4') }, 'sum4', t('fp16', [1, 10])));
    sum = 'sum4';
    ops.push(constOp('u4_small', tensor('uint4', [5], Uint8Array.from([0, 1, 7, 8, 15]))));
    ops.push(constOp('i32_table', i32(Array.from({ length: 12 }, (_, i) => i * 1000 - 5000))));
    ops.push(constOp('u4_odd', tensor('uint4', [3, 5], Uint8Array.from({ length: 15 }, (_, i) => (i * 7) % 16))));
  }
  ops.push(
    op('cast', { x: n(sum), dtype: v(str('fp32')) }, 'logits', t('fp32', [1, 10])),
    op('softmax', { x: n('logits'), axis: v(i32([-1], [])) }, 'probs', t('fp32', [1, 10])),
    op('classify', {
      probabilities: n('probs'),
      classes: [{ value: { type: { kind: 'list', element: t('string', []), length: CLASSES.length }, items: CLASSES.map(str) } }],
    }, 'classLabel', t('string', [])),
  );
  ops[ops.length - 1].outputs.push({ name: 'classLabel_probs', type: { kind: 'dict', key: t('string', []), value: t('fp64', []) } });
  return {
    specificationVersion,
    description: {
      inputs: [{ name: 'image', shortDescription: 'an 8×8 RGB picture', type: { kind: 'image', width: 8, height: 8, colorSpace: 'RGB' } }],
      outputs: [
        { name: 'logits', type: { kind: 'multiArray', dtype: 'float32', shape: [1, 10] } },
        { name: 'classLabel', type: { kind: 'string' } },
        { name: 'classLabel_probs', type: { kind: 'dictionary', keyType: 'string' } },
      ],
      predictedFeatureName: 'classLabel',
      predictedProbabilitiesName: 'classLabel_probs',
      metadata: { author: 'ondevice tests', shortDescription: 'a tiny classifier', userDefined: { 'com.example.key': 'value' } },
    },
    program: {
      version: 1,
      functions: { main: { inputs: [{ name: 'image', type: t('fp32', [1, 3, 8, 8]) }], opset, operations: ops, outputs: ['logits', 'classLabel', 'classLabel_probs'] } },
      attributes: { 'ondevice-version': '0.1.0', producer: 'ondevice' },
    },
  };
}
