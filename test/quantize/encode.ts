// Test helper: a model's ONNX bytes, written through the real writer to a temp file and read back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';

/** The ONNX file bytes of `model`. */
export async function encodeOnnx(model: Model): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-encode-'));
  try {
    const path = join(dir, 'model.onnx');
    await writeModel(model, path);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
