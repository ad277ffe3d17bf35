// A live chart of per-frame probabilities over the last seconds, with the threshold line.

/** Draws `probabilities` at `times` (s) over the last `window` seconds on `canvas`; frames above `threshold` in the accent colour. */
export function drawChart(canvas: HTMLCanvasElement, times: readonly number[], probabilities: readonly number[], threshold: number, window = 10): void {
  const ctx = canvas.getContext('2d')!;
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = '#15181f';
  ctx.fillRect(0, 0, w, h);
  const end = Math.max(window, times.at(-1) ?? 0);
  const x = (t: number) => ((t - (end - window)) / window) * w;
  const y = (p: number) => h - 4 - p * (h - 8);
  ctx.strokeStyle = '#333a48';
  ctx.lineWidth = 1;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#8a90a0';
  for (let s = Math.ceil(end - window); s <= end; s++) {
    ctx.beginPath();
    ctx.moveTo(x(s), 0);
    ctx.lineTo(x(s), h);
    ctx.stroke();
    ctx.fillText(`${s}s`, x(s) + 2, 12);
  }
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(0, y(threshold));
  ctx.lineTo(w, y(threshold));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineWidth = 2;
  for (let i = 1; i < times.length; i++) {
    if (times[i] < end - window) continue;
    ctx.strokeStyle = probabilities[i] >= threshold ? '#5fb3ff' : '#8a90a0';
    ctx.beginPath();
    ctx.moveTo(x(times[i - 1]), y(probabilities[i - 1]));
    ctx.lineTo(x(times[i]), y(probabilities[i]));
    ctx.stroke();
  }
}
