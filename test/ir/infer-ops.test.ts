// Per-op dtype/shape inference: spec-formula expectations, plus a differential check against onnxruntime-node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../src/errors.ts';
import type { Dim } from '../../src/ir/graph.ts';
import { OP_CASES, OP_ERROR_CASES } from './op-cases.ts';
import { SYMBOL_SIZES, inferCase, runCase, tempDir } from './op-harness.ts';

let dir = '';
let cleanup = async () => {};
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

/** Does an inferred dim agree with what the runtime produced? (symbols stand for their fed sizes; null is "unknown") */
function dimAgrees(inferred: Dim, actual: number): boolean {
  if (inferred === null) return true;
  if (typeof inferred === 'string') return SYMBOL_SIZES[inferred] === actual;
  return inferred === actual;
}

describe('op inference matches the spec formulas and onnxruntime', () => {
  for (const c of OP_CASES) {
    test(c.name, async () => {
      const { shapes, dtypes } = inferCase(c);
      assert.deepEqual(shapes, c.expect, `${c.op}: inferred shapes`);
      if (c.expectDtypes) assert.deepEqual(dtypes, c.expectDtypes, `${c.op}: inferred dtypes`);
      if (c.noRuntime) return;
      const ort = await runCase(c, dir, dtypes);
      ort.dims.forEach((actual, k) => {
        const inferred = shapes[k];
        assert.ok(inferred, `output ${k}: no shape inferred, runtime gave [${actual}]`);
        assert.equal(inferred.length, actual.length, `output ${k}: rank of [${inferred}] vs runtime [${actual}]`);
        inferred.forEach((d, i) => assert.ok(dimAgrees(d, actual[i]), `output ${k}: inferred [${inferred}] vs runtime [${actual}]`));
      });
      const ortTypes = ort.types.map((x) => (x === 'float32' ? 'float32' : x));
      assert.deepEqual(dtypes, ortTypes, `${c.op}: dtypes vs runtime`);
    });
  }
});

describe('inconsistent inputs fail with a GraphError naming the node', () => {
  for (const c of OP_ERROR_CASES) {
    test(c.name, async () => {
      assert.throws(() => inferCase(c), (err: unknown) => {
        assert.ok(err instanceof GraphError, `expected GraphError, got ${String(err)}`);
        assert.equal(err.node, 'node');
        assert.match(err.message, /^node 'node': /);
        assert.match(err.message, c.message);
        return true;
      });
      // The runtime agrees the model is broken (at load or at run time).
      await assert.rejects(runCase(c, dir, []));
    });
  }
});
