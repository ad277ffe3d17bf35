// SSD anchors generated exactly as MediaPipe's SsdAnchorsCalculator does (non-multiscale path), and BlazeFace's options as data.
import type { SsdAnchorOptions } from '../task.ts';

/** One anchor: centre and size, normalised to the input (0..1), as MediaPipe's Anchor proto holds them. */
export interface Anchor {
  xCenter: number;
  yCenter: number;
  w: number;
  h: number;
}

/**
 * MediaPipe's face_detection_short_range options (modules/face_detection/face_detection.pbtxt + _short_range.pbtxt):
 * 128×128, 4 layers with strides 8/16/16/16, aspect 1.0, interpolated 1.0, fixed anchor size → 896 anchors.
 */
export const BLAZEFACE_SHORT_RANGE: Readonly<SsdAnchorOptions> = Object.freeze({
  inputSizeHeight: 128,
  inputSizeWidth: 128,
  numLayers: 4,
  minScale: 0.1484375,
  maxScale: 0.75,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  strides: [8, 16, 16, 16],
  aspectRatios: [1.0],
  fixedAnchorSize: true,
  interpolatedScaleAspectRatio: 1.0,
  reduceBoxesInLowestLayer: false,
});

const f = Math.fround;

/** MediaPipe's CalculateScale: linear from min to max scale over the strides (their midpoint for a single stride). */
function calculateScale(minScale: number, maxScale: number, strideIndex: number, numStrides: number): number {
  if (numStrides === 1) return f((minScale + maxScale) * 0.5);
  return f(minScale + ((maxScale - minScale) * strideIndex) / (numStrides - 1));
}

/**
 * The anchors MediaPipe's SsdAnchorsCalculator generates for `o`, in its order: layer by layer (consecutive layers with
 * the same stride merged), then rows, columns, and the anchors of one cell. Values are rounded to float32 as MediaPipe stores them.
 */
export function ssdAnchors(o: SsdAnchorOptions): Anchor[] {
  if (!o.strides.length) throw new Error('SSD anchors: strides are missing');
  if (o.strides.length !== o.numLayers) throw new Error(`SSD anchors: ${o.strides.length} strides for ${o.numLayers} layers`);
  const anchors: Anchor[] = [];
  const interpolated = o.interpolatedScaleAspectRatio ?? 1.0;
  let layerId = 0;
  while (layerId < o.numLayers) {
    const aspectRatios: number[] = [];
    const scales: number[] = [];
    // Consecutive layers with the same stride share one feature map: their anchors are merged per cell.
    let last = layerId;
    while (last < o.strides.length && o.strides[last] === o.strides[layerId]) {
      const scale = calculateScale(o.minScale, o.maxScale, last, o.strides.length);
      if (last === 0 && o.reduceBoxesInLowestLayer) {
        aspectRatios.push(1.0, 2.0, 0.5);
        scales.push(0.1, scale, scale);
      } else {
        for (const ratio of o.aspectRatios) {
          aspectRatios.push(ratio);
          scales.push(scale);
        }
        if (interpolated > 0) {
          const next = last === o.strides.length - 1 ? 1.0 : calculateScale(o.minScale, o.maxScale, last + 1, o.strides.length);
          scales.push(f(Math.sqrt(scale * next)));
          aspectRatios.push(interpolated);
        }
      }
      last++;
    }
    const heights = aspectRatios.map((r, i) => f(scales[i] / f(Math.sqrt(r))));
    const widths = aspectRatios.map((r, i) => f(scales[i] * f(Math.sqrt(r))));
    const stride = o.strides[layerId];
    const mapH = Math.ceil(o.inputSizeHeight / stride);
    const mapW = Math.ceil(o.inputSizeWidth / stride);
    for (let y = 0; y < mapH; y++) {
      for (let x = 0; x < mapW; x++) {
        for (let k = 0; k < heights.length; k++) {
          anchors.push({
            xCenter: f((x + o.anchorOffsetX) / mapW),
            yCenter: f((y + o.anchorOffsetY) / mapH),
            w: o.fixedAnchorSize ? 1 : widths[k],
            h: o.fixedAnchorSize ? 1 : heights[k],
          });
        }
      }
    }
    layerId = last;
  }
  return anchors;
}
