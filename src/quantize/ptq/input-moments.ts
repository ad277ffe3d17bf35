// Second moments of a weighted layer's inputs, H = Σ x·xᵀ over im2col patches (Conv, ConvTranspose) or matrix rows (MatMul/Gemm).
import type { HostTensor } from '../../ir/host-tensor.ts';

/** How a layer reads its input: a 1-D/2-D convolution, or a matrix product over the input's last axis. */
export type LayerGeometry =
  | { kind: 'conv'; groups: number; kernel: number[]; strides: number[]; dilations: number[]; pads: number[] | 'SAME_UPPER' | 'SAME_LOWER' }
  /** A 2-D ConvTranspose with explicit pads: each output pixel reads, per input channel and kernel tap, the input pixel that tap scatters from. */
  | { kind: 'convTranspose'; kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; outputPadding: number[] }
  | { kind: 'matmul' };

/** Rows (patches) taken from one batch at most, spread evenly over it; enough for a well-conditioned H. */
const MIN_ROWS_PER_BATCH = 2048;

/**
 * Accumulates H = Σ x·xᵀ for one layer input, per group (a depthwise conv has one small H per channel). The rows of
 * a batch are sampled evenly when there are more than max(2048, 4·columns), so a large feature map costs bounded time.
 */
export class InputMoments {
  /** Columns of one group's patch: input channels per group × kernel elements (or K for a matrix product). */
  readonly columns: number;
  readonly groups: number;
  /** One row-major columns×columns matrix per group (upper triangle accumulated; see {@link hessians}). */
  private readonly sums: Float64Array[];
  /** Patches accumulated. */
  rows = 0;

  constructor(readonly geometry: LayerGeometry, readonly channels: number) {
    this.groups = geometry.kind === 'conv' ? geometry.groups : 1;
    const kernel = geometry.kind === 'matmul' ? 1 : geometry.kernel.reduce((a, b) => a * b, 1);
    this.columns = (channels / this.groups) * kernel;
    this.sums = Array.from({ length: this.groups }, () => new Float64Array(this.columns * this.columns));
  }

  /** Takes one batch of the layer's input (NC… for a conv, …×K for a matrix product). */
  observe(x: HostTensor): void {
    const data = x.data as Float32Array;
    const k = this.columns;
    if (this.geometry.kind === 'matmul') {
      const total = data.length / k;
      const step = this.step(total);
      const rows = Math.ceil(total / step);
      const columns = new Float64Array(k * rows);
      for (let r = 0, p = 0; p < total; p += step, r++) for (let i = 0; i < k; i++) columns[i * rows + r] = data[p * k + i];
      this.accumulate(0, columns, rows);
      return;
    }
    if (this.geometry.kind === 'convTranspose') {
      this.observeTransposed(x, this.geometry);
      return;
    }
    const g = this.geometry;
    const spatial = x.dims.slice(2);
    const size2 = spatial.length === 2 ? spatial : [1, spatial[0]];
    const kernel = g.kernel.length === 2 ? g.kernel : [1, g.kernel[0]];
    const strides = g.strides.length === 2 ? g.strides : [1, g.strides[0]];
    const dilations = g.dilations.length === 2 ? g.dilations : [1, g.dilations[0]];
    const [inH, inW] = size2;
    const [begin, outH, outW] = convWindows(size2, kernel, strides, dilations, g.pads, spatial.length);
    const n = x.dims[0];
    const cpg = this.channels / this.groups;
    const total = n * outH * outW;
    const step = this.step(total);
    const rows = Math.ceil(total / step);
    // One group's sampled patches, column-major (column i = patch element i over the rows), so H is dot products of columns.
    const columns = new Float64Array(k * rows);
    for (let grp = 0; grp < this.groups; grp++) {
      for (let p = 0, r = 0; p < total; p += step, r++) {
        const b = Math.floor(p / (outH * outW));
        const oy = Math.floor(p / outW) % outH;
        const ox = p % outW;
        let i = 0;
        for (let c = 0; c < cpg; c++) {
          const plane = (b * this.channels + grp * cpg + c) * inH * inW;
          for (let ky = 0; ky < kernel[0]; ky++) {
            const y = oy * strides[0] - begin[0] + ky * dilations[0];
            const inside = y >= 0 && y < inH;
            for (let kx = 0; kx < kernel[1]; kx++, i++) {
              const xx = ox * strides[1] - begin[1] + kx * dilations[1];
              columns[i * rows + r] = inside && xx >= 0 && xx < inW ? data[plane + y * inW + xx] : 0;
            }
          }
        }
      }
      this.accumulate(grp, columns, rows);
    }
  }

  /**
   * ConvTranspose (one group, 2-D): output pixel (oy, ox) takes x[ci, iy, ix]·W[ci, o, ky, kx] wherever
   * oy = iy·stride − pad + ky·dilation (and the same across); its patch holds, per (ci, ky, kx), that input pixel or 0.
   */
  private observeTransposed(x: HostTensor, g: Extract<LayerGeometry, { kind: 'convTranspose' }>): void {
    const data = x.data as Float32Array;
    const k = this.columns;
    const [n, channels, inH, inW] = x.dims;
    const [kh, kw] = g.kernel;
    const outH = g.strides[0] * (inH - 1) + g.outputPadding[0] + (kh - 1) * g.dilations[0] + 1 - g.pads[0] - g.pads[2];
    const outW = g.strides[1] * (inW - 1) + g.outputPadding[1] + (kw - 1) * g.dilations[1] + 1 - g.pads[1] - g.pads[3];
    const total = n * outH * outW;
    const step = this.step(total);
    const rows = Math.ceil(total / step);
    const columns = new Float64Array(k * rows);
    for (let p = 0, r = 0; p < total; p += step, r++) {
      const b = Math.floor(p / (outH * outW));
      const oy = Math.floor(p / outW) % outH;
      const ox = p % outW;
      for (let ky = 0; ky < kh; ky++) {
        const sy = oy + g.pads[0] - ky * g.dilations[0];
        const iy = sy / g.strides[0];
        const rowOk = sy >= 0 && Number.isInteger(iy) && iy < inH;
        for (let kx = 0; kx < kw; kx++) {
          const sx = ox + g.pads[1] - kx * g.dilations[1];
          const ix = sx / g.strides[1];
          if (!rowOk || sx < 0 || !Number.isInteger(ix) || ix >= inW) continue;
          for (let c = 0; c < channels; c++) columns[((c * kh + ky) * kw + kx) * rows + r] = data[((b * channels + c) * inH + iy) * inW + ix];
        }
      }
    }
    this.accumulate(0, columns, rows);
  }

  /** H per group as full symmetric matrices, averaged over the rows seen. */
  hessians(): Float64Array[] {
    const k = this.columns;
    return this.sums.map((s) => {
      const h = new Float64Array(k * k);
      const scale = 1 / Math.max(1, this.rows / this.groups);
      for (let i = 0; i < k; i++) for (let j = i; j < k; j++) h[i * k + j] = h[j * k + i] = s[i * k + j] * scale;
      return h;
    });
  }

  private step(total: number): number {
    return Math.max(1, Math.floor(total / Math.max(MIN_ROWS_PER_BATCH, 4 * this.columns)));
  }

  /** sums[group] += Pᵀ·P (upper triangle) for the column-major patches P (`rows` rows). */
  private accumulate(group: number, columns: Float64Array, rows: number): void {
    const k = this.columns;
    const s = this.sums[group];
    for (let i = 0; i < k; i++) {
      const a = i * rows;
      for (let j = i; j < k; j++) {
        const b = j * rows;
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        let r = 0;
        for (; r + 3 < rows; r += 4) {
          d0 += columns[a + r] * columns[b + r];
          d1 += columns[a + r + 1] * columns[b + r + 1];
          d2 += columns[a + r + 2] * columns[b + r + 2];
          d3 += columns[a + r + 3] * columns[b + r + 3];
        }
        for (; r < rows; r++) d0 += columns[a + r] * columns[b + r];
        s[i * k + j] += d0 + d1 + d2 + d3;
      }
    }
    this.rows += rows;
  }
}

/** [top, left] padding and the output height and width of a 2-D window (a 1-D conv as height 1). */
function convWindows(size: number[], kernel: number[], strides: number[], dilations: number[], pads: number[] | 'SAME_UPPER' | 'SAME_LOWER', rank: number): [[number, number], number, number] {
  const begin: [number, number] = [0, 0];
  const out = [0, 0];
  for (let a = 0; a < 2; a++) {
    const extent = (kernel[a] - 1) * dilations[a] + 1;
    if (pads === 'SAME_UPPER' || pads === 'SAME_LOWER') {
      out[a] = Math.ceil(size[a] / strides[a]);
      const total = Math.max(0, (out[a] - 1) * strides[a] + extent - size[a]);
      begin[a] = pads === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    } else {
      // pads are [begins…, ends…] over the conv's own spatial rank; a 1-D conv has only a width.
      const i = rank === 2 ? a : a - 1;
      const b = i < 0 ? 0 : pads[i];
      const e = i < 0 ? 0 : pads[i + rank];
      begin[a] = b;
      out[a] = Math.floor((size[a] + b + e - extent) / strides[a]) + 1;
    }
  }
  return [begin, out[0], out[1]];
}
