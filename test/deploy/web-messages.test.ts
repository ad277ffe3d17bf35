// The page's friendly error messages: one sentence (what happened — what to do) per failure, never the raw browser text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoBackendError } from '../../web/app/runtime/backend.ts';
import { friendlyError, NO_DIGIT, rawDetail, type Activity } from '../../web/app/ui/messages.ts';

/** One sentence: a capital, no full stop until the one ending it, a dash between what happened and what to do. */
const ONE_SENTENCE = /^[A-Z][^.!?]* — [^.!?]+\.$/;

/** Errors as browsers raise them (messages from Chromium, Firefox and Safari), with what the user must be told. */
const CASES: [Activity, unknown, RegExp][] = [
  ['camera', new DOMException('Permission denied', 'NotAllowedError'), /denied.*allow the camera.*Photo or Draw/],
  ['camera', new DOMException('The request is not allowed by the user agent or the platform in the current context.', 'NotAllowedError'), /denied/],
  ['camera', new DOMException('Requested device not found', 'NotFoundError'), /No camera was found.*Photo or Draw/],
  ['camera', new DOMException('Could not start video source', 'NotReadableError'), /busy.*Photo or Draw/],
  ['camera', new DOMException('no camera API here (the page must be served over https or from localhost)', 'NotSupportedError'), /https.*Photo or Draw/],
  ['camera', new Error('something new'), /No camera was found or access was denied.*Photo or Draw/],
  ['camera', 'a string', /Photo or Draw/],
  ['load', new TypeError('Failed to fetch'), /could not be downloaded.*reload/],
  ['load', new Error('model/lenet5.onnx: HTTP 404'), /could not be downloaded.*reload/],
  ['load', new NoBackendError(['webgpu: this browser has no WebGPU', 'wasm: failed to load model']), /browser could not run the model/],
  ['photo', new DOMException('The source image could not be decoded.', 'InvalidStateError'), /could not be opened as an image.*JPEG/],
  ['classify', new RangeError('offset is out of bounds'), /model failed.*try again/],
];

test('every failure reads as one friendly sentence that says what to do, without the raw browser message', () => {
  for (const [activity, error, expected] of CASES) {
    const text = friendlyError(activity, error);
    assert.match(text, ONE_SENTENCE, `${activity}: ${text}`);
    assert.match(text, expected, `${activity}: ${text}`);
    const raw = error instanceof Error || error instanceof DOMException ? error.message : String(error);
    assert.ok(!text.includes(raw), `the raw message stays out of ${JSON.stringify(text)}`);
  }
  assert.match(NO_DIGIT, ONE_SENTENCE);
});

test('the raw detail (name and message) is kept for the console', () => {
  assert.equal(rawDetail(new DOMException('Permission denied', 'NotAllowedError')), 'NotAllowedError: Permission denied');
  assert.equal(rawDetail(new NoBackendError(['wasm: bad model'])), 'NoBackendError: no backend could run the model: wasm: bad model');
  assert.equal(rawDetail(new TypeError('Failed to fetch')), 'TypeError: Failed to fetch');
  assert.equal(rawDetail(42), '42');
});
