// The TensorFlow op lift on the handtrackjs SSD (MobileNetV2-FPN backbone, box/class heads, box decoding): ONNX in
// onnxruntime vs the same cut graph in TF.js, for float32, float16 and uint8-quantized weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digitScenes } from '../../support/scenes.ts';
import { liftAndCompare } from '../../tfjs/compare-lift.ts';
import { cutGraph } from '../../tfjs/cut-graph.ts';

const ROOT = fileURLToPath(new URL('../../../node_modules/handtrackjs/models/webmodel/ssd320fpnlite/', import.meta.url));
const P = 'StatefulPartitionedCall/';
/** The preprocessor's output (the while loop's stacked, resized, normalised images) feeds the first conv. */
const CUT = {
  input: `${P}map/TensorArrayV2Stack/TensorListStack`, shape: [1, 320, 320, 3],
  // Decoded boxes and sigmoid scores (the model's own outputs, before NMS) and the raw head outputs.
  outputs: ['Identity_6', 'Identity_7', `${P}concat`, `${P}concat_1`],
};

for (const variant of ['base', 'fp16', 'int8']) {
  test(`handtrackjs ssd320fpnlite/${variant} backbone + heads: lifted ONNX matches TF.js (PSNR ≥ 60 dB), few Transposes`, async () => {
    const cut = cutGraph(join(ROOT, variant, 'model.json'), CUT);
    try {
      const image = digitScenes('eval', 1, 320, 320, (v) => v / 127.5 - 1, true);
      const feeds = { [CUT.input]: { dtype: 'float32' as const, dims: CUT.shape, data: image } };
      const { compared, model, report } = await liftAndCompare(cut, feeds, CUT.outputs);
      assert.ok(model.graph.nodes.every((n) => n.domain === ''), 'only ONNX ops remain');
      assert.equal(report.ops.Conv, 72 + 17 + 34, 'one Conv per TensorFlow convolution');
      // The FPN's stacked nearest-neighbour upsamplings become Resizes, so they and their adds stay NCHW.
      assert.equal(report.ops.Resize, 2);
      // Every conv works NCHW between Transposes; the optimiser cancels all but the ones TensorFlow's NHWC layout
      // truly needs: one per head output flattened to [1, anchors, k] (10) and the box decoder's own two.
      console.log(`${variant}: ${report.transposes.inside} Transposes inside, ${report.transposes.boundary} at the boundary, ${report.ops.Conv} Convs`);
      assert.ok(report.transposes.inside <= 12, `${report.transposes.inside} Transposes inside`);
      assert.equal(report.transposes.boundary, 1);
      for (const c of compared) {
        assert.deepEqual(c.got.dims, c.want.dims, c.name);
        console.log(`${variant} ${c.name}: PSNR ${c.psnr.toFixed(1)} dB`);
        assert.ok(c.psnr >= 60, `${c.name}: PSNR ${c.psnr.toFixed(1)} dB`);
      }
    } finally {
      rmSync(dirname(cut), { recursive: true, force: true });
    }
  });
}
