// A small ONNX Loop model (constant trip count, carried value, scan output) for the unroll-loop and TFLite tests.
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';

/** x [2,3]; Loop(trips, true, x): v ← v·0.5 + float(i) + x, scan output v each step; outputs the final v and the stack. */
export function loopModel(trips: number, stopEarly = false): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2, 3]);
  const m = b.constant('trips', 'int64', [], BigInt64Array.of(BigInt(trips)));
  const yes = b.constant('yes', 'bool', [], Uint8Array.of(1));
  const body = b.subgraph('body');
  const i = body.input('i', 'int64', []);
  const c = body.input('c_in', 'bool', []);
  const v = body.input('v_in', 'float32', [2, 3]);
  const half = body.initializer('half', 'float32', [], Float32Array.of(0.5));
  const fi = body.op('Cast', [i], { to: 1 });
  const v1 = body.op('Add', [body.op('Add', [body.op('Mul', [v, half]), fi]), x]);
  const cOut = stopEarly ? body.op('Less', [i, body.initializer('two', 'int64', [], BigInt64Array.of(2n))]) : body.op('Identity', [c]);
  body.output(cOut, 'bool').output(v1, 'float32').output(body.op('Identity', [v1]), 'float32');
  b.node('Loop', [m, yes, x], { body: body.graph() }, { outputs: ['v_final', 'v_steps'] });
  b.output('v_final', 'float32').output('v_steps', 'float32');
  return b.build();
}
