// The tensor a Constant node holds, whichever value_* attribute spells it.
import type { Node } from '../graph.ts';
import { makeTensor, type Tensor } from '../tensor.ts';

/** The constant tensor of a Constant node (value, value_float(s), value_int(s)); undefined for strings/sparse. */
export function constantNodeTensor(node: Node): Tensor | undefined {
  const name = node.outputs[0] ?? node.name;
  for (const [key, a] of node.attributes) {
    if (key === 'value' && a.type === 'tensor') return a.value;
    if (key === 'value_float' && a.type === 'float') return makeTensor(name, 'float32', [], new Float32Array([a.value]));
    if (key === 'value_floats' && a.type === 'floats') return makeTensor(name, 'float32', [a.value.length], Float32Array.from(a.value));
    if (key === 'value_int' && a.type === 'int') return makeTensor(name, 'int64', [], new BigInt64Array([BigInt(a.value)]));
    if (key === 'value_ints' && a.type === 'ints') return makeTensor(name, 'int64', [a.value.length], BigInt64Array.from(a.value, BigInt));
  }
  return undefined;
}
