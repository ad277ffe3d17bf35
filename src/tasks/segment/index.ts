// The segment task's post-processing in one import: mask activation, resize, threshold, IoU and compositing.
export { blendByMask, blurBackground, blurImage, overlayMask, replaceBackground, type Rgb, type RgbaImage } from './composite.ts';
export { foregroundProbability, maskGeometry, maskIoU, resizeMask, thresholdMask, type Mask, type MaskLayout } from './mask.ts';
export { applyEffect, segmentPostprocess, type EffectOptions } from './postprocess.ts';
