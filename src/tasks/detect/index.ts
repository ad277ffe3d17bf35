// The detect task's post-processing in one import: anchors, decoding, NMS, mAP and the task-driven pipeline.
export { BLAZEFACE_SHORT_RANGE, ssdAnchors, type Anchor } from './anchors.ts';
export { boxArea, iou, type Box, type Detection, type Point } from './box.ts';
export { decodeBoxesScores, decodeSsd, sigmoid, type BoxesScoresOptions, type SsdDecodeOptions } from './decode.ts';
export { averagePrecision, meanAveragePrecision, type ClassAp, type GroundTruth, type MapResult } from './map.ts';
export { nonMaxSuppression, type NmsOptions } from './nms.ts';
export { BLAZEFACE_SHORT_RANGE_TASK, detectPostprocess, type DetectPostprocessOptions } from './postprocess.ts';
