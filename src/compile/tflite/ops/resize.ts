// Resize/Upsample over H, W → RESIZE_BILINEAR or RESIZE_NEAREST_NEIGHBOR (NHWC). The ONNX sampling positions are
// computed for every output row and column and compared with what each TFLite flag setting samples: only an exact match maps.
import { attrInt, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';

/** TFLite's resize flags. */
interface Flags {
  align_corners: boolean;
  half_pixel_centers: boolean;
}

const CANDIDATES: Flags[] = [
  { align_corners: false, half_pixel_centers: false },
  { align_corners: false, half_pixel_centers: true },
  { align_corners: true, half_pixel_centers: false },
];

const f32 = Math.fround;

/** ONNX's source coordinate of output index `x` (before rounding / clamping), as onnxruntime computes it. */
function onnxCoordinate(mode: string, x: number, scale: number, inSize: number, outSize: number): number {
  switch (mode) {
    case 'half_pixel': return f32(f32(x + 0.5) / scale) - 0.5;
    case 'pytorch_half_pixel': return outSize > 1 ? f32(f32(x + 0.5) / scale) - 0.5 : 0;
    case 'align_corners': return outSize === 1 ? 0 : f32(x * (inSize - 1)) / (outSize - 1);
    case 'asymmetric': return f32(x / scale);
    case 'tf_half_pixel_for_nn': return f32(f32(x + 0.5) / scale);
    default: throw new Unmappable(`coordinate_transformation_mode '${mode}'`);
  }
}

function onnxNearest(mode: string, v: number): number {
  switch (mode) {
    case 'round_prefer_floor': return v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v);
    case 'round_prefer_ceil': return Math.floor(v + 0.5);
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    default: throw new Unmappable(`nearest_mode '${mode}'`);
  }
}

/** TFLite's scale and (unclamped) source coordinate of output index `x`. */
function tfliteCoordinate(f: Flags, x: number, inSize: number, outSize: number): number {
  const scale = f.align_corners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  return f32(f32(x + (f.half_pixel_centers ? 0.5 : 0)) * scale) - (f.half_pixel_centers && !f.align_corners ? 0.5 : 0);
}

/** Input index TFLite's nearest-neighbour kernel reads for output index `x`. */
function tfliteNearest(f: Flags, x: number, inSize: number, outSize: number): number {
  const scale = f.align_corners && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  const v = f32(f32(x + (f.half_pixel_centers ? 0.5 : 0)) * scale);
  const i = Math.min(f.align_corners ? Math.sign(v) * Math.round(Math.abs(v)) : Math.floor(v), inSize - 1);
  return f.half_pixel_centers ? Math.max(0, i) : i;
}

/** True when TFLite with flags `f` samples exactly where ONNX does along one axis. */
function axisMatches(f: Flags, linear: boolean, coord: string, nearest: string, scale: number, inSize: number, outSize: number): boolean {
  for (let x = 0; x < outSize; x++) {
    const onnx = onnxCoordinate(coord, x, scale, inSize, outSize);
    if (linear) {
      const clamp = (v: number) => Math.min(Math.max(v, 0), inSize - 1);
      if (Math.abs(clamp(onnx) - clamp(tfliteCoordinate(f, x, inSize, outSize))) > 1e-5) return false;
    } else if (Math.min(Math.max(onnxNearest(nearest, onnx), 0), inSize - 1) !== tfliteNearest(f, x, inSize, outSize)) return false;
  }
  return true;
}

/** A floats attribute (Upsample-7 scales). */
function floatsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'floats' ? [...a.value] : undefined;
}

/** The per-axis ONNX scales of H and W: from the `scales` input/attribute, or output / input sizes when sizes are given. */
function spatialScales(node: Node, ctx: EmitContext, inShape: number[], outShape: number[]): number[] {
  const bySize = [outShape[2] / inShape[2], outShape[3] / inShape[3]];
  let scales: number[] | undefined;
  if (node.op === 'Upsample' || ctx.opset < 11) {
    scales = node.inputs[1] ? Array.from(ctx.constFloats(node.inputs[1], 'scales')) : floatsAttr(node, 'scales');
  } else if (!node.inputs[3] && node.inputs[2]) {
    const s = ctx.constFloats(node.inputs[2], 'scales');
    if (s.length) scales = Array.from(s);
  }
  return scales && scales.length === 4 ? [scales[2], scales[3]] : bySize;
}

/** Emits Resize (opset 10+) or Upsample, or refuses what no TFLite flag setting reproduces exactly. */
export function emitResize(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const inShape = ctx.shape(x);
  const outShape = ctx.shape(node.outputs[0]);
  if (inShape.length !== 4) throw new Unmappable(`resize of a rank-${inShape.length} tensor`);
  if (outShape[0] !== inShape[0] || outShape[1] !== inShape[1]) throw new Unmappable('resize that scales the batch or channel axis');
  if (node.attributes.has('axes')) throw new Unmappable('Resize with axes');
  if (attrString(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw new Unmappable(`keep_aspect_ratio_policy '${attrString(node, 'keep_aspect_ratio_policy', '')}'`);
  const mode = attrString(node, 'mode', 'nearest');
  const linear = mode === 'linear' || mode === 'bilinear';
  if (!linear && mode !== 'nearest') throw new Unmappable(`resize mode '${mode}' (TFLite resizes nearest or bilinear only)`);
  if (linear && attrInt(node, 'antialias', 0) === 1 && (outShape[2] < inShape[2] || outShape[3] < inShape[3])) throw new Unmappable('antialiased downscaling');
  const coord = node.op === 'Upsample' || ctx.opset < 11 ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = ctx.opset < 11 ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor');
  const scales = spatialScales(node, ctx, inShape, outShape);
  const flags = CANDIDATES.find((f) => [0, 1].every((i) => axisMatches(f, linear, coord, nearestMode, scales[i], inShape[2 + i], outShape[2 + i])));
  if (!flags) {
    throw new Unmappable(`resize mode '${mode}' with coordinate mode '${coord}'${linear ? '' : ` and nearest mode '${nearestMode}'`} from ${inShape[2]}×${inShape[3]} to ${outShape[2]}×${outShape[3]}: no TFLite setting samples the same positions`);
  }
  const nhwc = ctx.spatial(4);
  const input = ctx.input(x, nhwc);
  const size = ctx.draft.int32(`${node.name}/size`, [outShape[2], outShape[3]]);
  const out = ctx.define(node.outputs[0], nhwc);
  ctx.draft.op(linear ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR', [input, size], [out], node.name, {
    table: linear ? 'ResizeBilinearOptions' : 'ResizeNearestNeighborOptions', values: { ...flags },
  });
}
