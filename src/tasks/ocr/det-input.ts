// The PP-OCR text detector input: the image resized to multiples of 32 (PaddleOCR DetResizeForTest), ImageNet-normalised.
import { resizeBilinear, type OcrTensor, type Raster } from './image.ts';

/** Detector pre-processing options (PaddleOCR's defaults for PP-OCRv4: limit 960 on the longer side). */
export interface DetInputOptions {
  /** The side limit: 'max' shrinks so the longer side is at most this; 'min' grows so the shorter side is at least this. */
  limitSideLen?: number;
  limitType?: 'max' | 'min';
  /** Feed channels in BGR order (as PaddleOCR's cv2-loaded training images were); default RGB. */
  bgr?: boolean;
}

/** The detector input and the size it was resized to (the probability map has the same size). */
export interface DetInput {
  tensor: OcrTensor;
  width: number;
  height: number;
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Rounds to the nearest integer, halves to even (Python 3's round, which PaddleOCR's resize uses). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v), diff = v - f;
  return diff > 0.5 || (diff === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** The resized size: the side limit applied, each side rounded (half to even) to a multiple of 32 (at least 32). */
export function detInputSize(width: number, height: number, options: DetInputOptions = {}): { width: number; height: number } {
  const limit = options.limitSideLen ?? 960;
  let ratio = 1;
  if ((options.limitType ?? 'max') === 'max') { if (Math.max(width, height) > limit) ratio = limit / Math.max(width, height); }
  else if (Math.min(width, height) < limit) ratio = limit / Math.min(width, height);
  const round32 = (v: number) => Math.max(roundHalfEven((v * ratio) / 32) * 32, 32);
  return { width: round32(width), height: round32(height) };
}

/** Resizes and normalises ((x/255 − mean)/std, ImageNet) an RGB(A) HWC image into the detector's [1,3,H,W] input. */
export function detInput(image: Raster, options: DetInputOptions = {}): DetInput {
  const { width, height } = detInputSize(image.width, image.height, options);
  const resized = resizeBilinear(image, width, height);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const src = options.bgr ? 2 - c : c;
    for (let p = 0; p < plane; p++) data[c * plane + p] = (resized.data[p * 3 + src] / 255 - MEAN[c]) / STD[c];
  }
  return { tensor: { data, dims: [1, 3, height, width] }, width, height };
}
