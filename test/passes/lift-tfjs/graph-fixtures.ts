// Tiny TF.js graph models written as model.json + .bin: TF1 while loops (over the rows of the input with TensorLists;
// nested), and detection post-processing ops (NonMaxSuppressionV3/V4/V5, TopKV2, Where).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Attr = Record<string, unknown>;
type NodeJson = { name: string; op: string; input: string[]; attr: Attr };
/** A constant: name, dtype, shape, values (all in the weights file, as the converter writes them). */
type ConstSpec = [string, 'int32' | 'float32', number[], number[]];

const i32 = { type: 'DT_INT32' };
const f32 = { type: 'DT_FLOAT' };
const variant = { type: 'DT_VARIANT' };
const node = (name: string, op: string, input: string[], attr: Attr = {}): NodeJson => ({ name, op, input, attr });
const enter = (name: string, input: string, T: Attr, constant = false, frame = 'rows/while') =>
  node(name, 'Enter', [input], { T, frame_name: { s: Buffer.from(frame).toString('base64') }, is_constant: { b: constant }, parallel_iterations: { i: '10' } });

const WHILE_CONSTS: ConstSpec[] = [
  ['zero', 'int32', [], [0]],
  ['one', 'int32', [], [1]],
  ['acc0', 'float32', [4], [0.5, -1, 2, 0]],
  ['element_shape', 'int32', [1], [4]],
  ['first/begin', 'int32', [1], [0]],
  ['first/end', 'int32', [1], [1]],
  ['first/strides', 'int32', [1], [1]],
];

/**
 * The loop (as `tf.while_loop` in TF1 graph mode writes it): `rows = TensorList(x)`, `out = TensorList(n)`,
 * `for i < n = shape(x)[0]: acc += rows[i]; out[i] = rows[i] * acc`, then outputs `total` = acc and `running` =
 * stack(out). Its trip count is the input's first dim, so it unrolls only once that dim is fixed.
 */
function whileNodes(): NodeJson[] {
  return [
    placeholder('x', [-1, 4]),
    node('shape', 'Shape', ['x'], { T: f32, out_type: i32 }),
    node('n', 'StridedSlice', ['shape', 'first/begin', 'first/end', 'first/strides'], { T: i32, Index: i32, shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } }),
    node('rows', 'TensorListFromTensor', ['x', 'element_shape'], { element_dtype: f32, shape_type: i32 }),
    node('out0', 'TensorListReserve', ['element_shape', 'n'], { element_dtype: f32, shape_type: i32 }),
    enter('enter_i', 'zero', i32),
    enter('enter_acc', 'acc0', f32),
    enter('enter_out', 'out0', variant),
    enter('enter_n', 'n', i32, true),
    enter('enter_rows', 'rows', variant, true),
    node('merge_i', 'Merge', ['enter_i', 'next_i'], { T: i32, N: { i: '2' } }),
    node('merge_acc', 'Merge', ['enter_acc', 'next_acc'], { T: f32, N: { i: '2' } }),
    node('merge_out', 'Merge', ['enter_out', 'next_out'], { T: variant, N: { i: '2' } }),
    node('less', 'Less', ['merge_i', 'enter_n'], { T: i32 }),
    node('loop_cond', 'LoopCond', ['less']),
    node('switch_i', 'Switch', ['merge_i', 'loop_cond'], { T: i32 }),
    node('switch_acc', 'Switch', ['merge_acc', 'loop_cond'], { T: f32 }),
    node('switch_out', 'Switch', ['merge_out', 'loop_cond'], { T: variant }),
    node('i', 'Identity', ['switch_i:1'], { T: i32 }),
    node('row', 'TensorListGetItem', ['enter_rows', 'i', 'element_shape'], { element_dtype: f32 }),
    node('acc', 'AddV2', ['switch_acc:1', 'row'], { T: f32 }),
    node('scaled', 'Mul', ['row', 'acc'], { T: f32 }),
    node('out', 'TensorListSetItem', ['switch_out:1', 'i', 'scaled'], { element_dtype: f32 }),
    node('i_next', 'AddV2', ['i', 'one'], { T: i32 }),
    node('next_i', 'NextIteration', ['i_next'], { T: i32 }),
    node('next_acc', 'NextIteration', ['acc'], { T: f32 }),
    node('next_out', 'NextIteration', ['out'], { T: variant }),
    node('exit_acc', 'Exit', ['switch_acc'], { T: f32 }),
    node('exit_out', 'Exit', ['switch_out'], { T: variant }),
    node('exit_i', 'Exit', ['switch_i'], { T: i32 }),
    node('running', 'TensorListStack', ['exit_out', 'element_shape'], { element_dtype: f32, num_elements: { i: '-1' } }),
    node('total', 'Identity', ['exit_acc'], { T: f32 }),
  ];
}

function placeholder(name: string, dims: number[]): NodeJson {
  return node(name, 'Placeholder', [], { dtype: f32, shape: { shape: { dim: dims.map((d) => ({ size: String(d) })) } } });
}

/** Writes a graph model (its constants in one shard) into a fresh temp folder; returns the model.json path. */
function writeGraphModel(nodes: NodeJson[], consts: ConstSpec[], inputs: [string, number[]][], outputs: string[]): string {
  const constNodes = consts.map(([name, dtype]) => node(name, 'Const', [], { dtype: dtype === 'int32' ? i32 : f32, value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } } }));
  const spec = (name: string, dims: number[]) => ({ name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: dims.map((size) => ({ size: String(size) })) } });
  const json = {
    format: 'graph-model', generatedBy: '1.15.0', convertedBy: 'ondevice test fixture',
    modelTopology: { node: [...constNodes, ...nodes], versions: { producer: 134 } },
    signature: {
      inputs: Object.fromEntries(inputs.map(([name, dims]) => [`${name}:0`, spec(name, dims)])),
      outputs: Object.fromEntries(outputs.map((name) => [`${name}:0`, { name: `${name}:0` }])),
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: consts.map(([name, dtype, shape]) => ({ name, dtype, shape })) }],
  };
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-tfjs-graph-'));
  const bytes = consts.map(([, dtype, , values]) => Buffer.from((dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values)).buffer));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat(bytes));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

/** Writes the while-loop model (input `x` [-1, 4]; outputs `total` [4], `running` [-1, 4]); returns the model.json path. */
export function writeTf1WhileModel(): string {
  return writeGraphModel(whileNodes(), WHILE_CONSTS, [['x', [-1, 4]]], ['total', 'running']);
}

/**
 * Writes a model with a while loop nested in another (input `x` [4]; output `result` [4]): twice, `acc` goes through an
 * inner loop that three times computes `a = a * 0.5 + x`, then the outer counter steps (TF.js's executor cannot run
 * it: it reports the output as not computable). Returns the model.json path.
 */
export function writeNestedWhileModel(): string {
  const outer = (name: string, input: string, T: Attr, constant = false) => enter(name, input, T, constant, 'outer/while');
  const inner = (name: string, input: string, T: Attr, constant = false) => enter(name, input, T, constant, 'outer/inner/while');
  const nodes = [
    placeholder('x', [4]),
    outer('oe_i', 'zero', i32), outer('oe_acc', 'x', f32), outer('oe_x', 'x', f32, true),
    // Everything the inner loop reads enters the outer frame first, as TensorFlow nests frames.
    outer('oe_two', 'two', i32, true), outer('oe_one', 'one', i32, true), outer('oe_zero', 'zero', i32, true),
    outer('oe_three', 'three', i32, true), outer('oe_half', 'half', f32, true),
    node('om_i', 'Merge', ['oe_i', 'on_i'], { T: i32, N: { i: '2' } }),
    node('om_acc', 'Merge', ['oe_acc', 'on_acc'], { T: f32, N: { i: '2' } }),
    node('o_less', 'Less', ['om_i', 'oe_two'], { T: i32 }),
    node('o_cond', 'LoopCond', ['o_less']),
    node('os_i', 'Switch', ['om_i', 'o_cond'], { T: i32 }),
    node('os_acc', 'Switch', ['om_acc', 'o_cond'], { T: f32 }),
    node('o_i', 'Identity', ['os_i:1'], { T: i32 }),
    node('o_acc', 'Identity', ['os_acc:1'], { T: f32 }),
    inner('ie_j', 'oe_zero', i32), inner('ie_a', 'o_acc', f32), inner('ie_x', 'oe_x', f32, true),
    inner('ie_three', 'oe_three', i32, true), inner('ie_half', 'oe_half', f32, true), inner('ie_one', 'oe_one', i32, true),
    node('im_j', 'Merge', ['ie_j', 'in_j'], { T: i32, N: { i: '2' } }),
    node('im_a', 'Merge', ['ie_a', 'in_a'], { T: f32, N: { i: '2' } }),
    node('i_less', 'Less', ['im_j', 'ie_three'], { T: i32 }),
    node('i_cond', 'LoopCond', ['i_less']),
    node('is_j', 'Switch', ['im_j', 'i_cond'], { T: i32 }),
    node('is_a', 'Switch', ['im_a', 'i_cond'], { T: f32 }),
    node('i_j', 'Identity', ['is_j:1'], { T: i32 }),
    node('i_half', 'Mul', ['is_a:1', 'ie_half'], { T: f32 }),
    node('i_new', 'AddV2', ['i_half', 'ie_x'], { T: f32 }),
    node('i_jn', 'AddV2', ['i_j', 'ie_one'], { T: i32 }),
    node('in_j', 'NextIteration', ['i_jn'], { T: i32 }),
    node('in_a', 'NextIteration', ['i_new'], { T: f32 }),
    node('ix_a', 'Exit', ['is_a'], { T: f32 }),
    node('ix_j', 'Exit', ['is_j'], { T: i32 }),
    node('o_in', 'AddV2', ['o_i', 'oe_one'], { T: i32 }),
    node('on_i', 'NextIteration', ['o_in'], { T: i32 }),
    node('on_acc', 'NextIteration', ['ix_a'], { T: f32 }),
    node('ox_acc', 'Exit', ['os_acc'], { T: f32 }),
    node('ox_i', 'Exit', ['os_i'], { T: i32 }),
    node('result', 'Identity', ['ox_acc'], { T: f32 }),
  ];
  const consts: ConstSpec[] = [['zero', 'int32', [], [0]], ['one', 'int32', [], [1]], ['two', 'int32', [], [2]], ['three', 'int32', [], [3]], ['half', 'float32', [], [0.5]]];
  return writeGraphModel(nodes, consts, [['x', [4]]], ['result']);
}

/** Box count of the detection model. */
export const DETECTION_BOXES = 24;

/**
 * Writes the detection-ops model (inputs `boxes` [24, 4], `scores` [24]): NMS V3, V4 padded to its max_output_size,
 * V5 (indices and scores: TF.js computes no valid_outputs for it; Soft-NMS when `softNmsSigma` > 0), TopKV2 of the scores, Where over the scores above 0.5 laid out [4, 6]; returns the model.json path.
 */
export function writeDetectionOpsModel(softNmsSigma = 0): string {
  const consts: ConstSpec[] = [
    ['max_out', 'int32', [], [16]], ['iou', 'float32', [], [0.4]], ['score_min', 'float32', [], [0.2]], ['sigma', 'float32', [], [softNmsSigma]],
    ['k', 'int32', [], [7]], ['grid', 'int32', [2], [4, 6]], ['half', 'float32', [], [0.5]],
  ];
  const nms = (op: string, extra: string[], pad: boolean) => node(op, op, ['boxes', 'scores', 'max_out', 'iou', 'score_min', ...extra], { T: f32, T_threshold: f32, pad_to_max_output_size: { b: pad } });
  const nodes = [
    placeholder('boxes', [DETECTION_BOXES, 4]),
    placeholder('scores', [DETECTION_BOXES]),
    nms('NonMaxSuppressionV3', [], false),
    nms('NonMaxSuppressionV4', [], true),
    nms('NonMaxSuppressionV5', ['sigma'], false),
    node('v3_indices', 'Identity', ['NonMaxSuppressionV3'], { T: i32 }),
    node('v4_indices', 'Identity', ['NonMaxSuppressionV4'], { T: i32 }),
    node('v4_valid', 'Identity', ['NonMaxSuppressionV4:1'], { T: i32 }),
    node('v5_indices', 'Identity', ['NonMaxSuppressionV5'], { T: i32 }),
    node('v5_scores', 'Identity', ['NonMaxSuppressionV5:1'], { T: f32 }),
    node('TopKV2', 'TopKV2', ['scores', 'k'], { T: f32, sorted: { b: true } }),
    node('top_values', 'Identity', ['TopKV2'], { T: f32 }),
    node('top_indices', 'Identity', ['TopKV2:1'], { T: i32 }),
    node('grid_scores', 'Reshape', ['scores', 'grid'], { T: f32, Tshape: i32 }),
    node('confident', 'Greater', ['grid_scores', 'half'], { T: f32 }),
    node('where', 'Where', ['confident'], { T: { type: 'DT_BOOL' } }),
  ];
  const outputs = ['v3_indices', 'v4_indices', 'v4_valid', 'v5_indices', 'v5_scores', 'top_values', 'top_indices', 'where'];
  return writeGraphModel(nodes, consts, [['boxes', [DETECTION_BOXES, 4]], ['scores', [DETECTION_BOXES]]], outputs);
}
