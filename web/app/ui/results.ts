// Renders (and clears) the top-k list and the small picture of what the model saw.
import type { Ranked } from '../classify.ts';
import type { Pixels } from '../preprocess/pixels.ts';

/** Fills `list` with one row per label: name, score bar, percentage. */
export function renderTopK(list: HTMLElement, ranked: readonly Ranked[]): void {
  list.replaceChildren(...ranked.map((r) => {
    const li = document.createElement('li');
    li.dataset.label = r.label;
    li.dataset.score = r.score.toFixed(4);
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = r.label;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.setProperty('--p', String(r.score));
    const pct = document.createElement('span');
    pct.className = 'score';
    pct.textContent = `${(r.score * 100).toFixed(1)}%`;
    li.append(name, bar, pct);
    return li;
  }));
}

/** Draws a small image (gray or RGBA) onto `canvas`, resizing the canvas to it. */
export function renderSeen(canvas: HTMLCanvasElement, p: Pixels): void {
  canvas.width = p.width;
  canvas.height = p.height;
  const img = new ImageData(p.width, p.height);
  for (let i = 0, j = 0; i < p.width * p.height; i++, j += p.channels) {
    const r = p.data[j], g = p.channels === 1 ? r : p.data[j + 1], b = p.channels === 1 ? r : p.data[j + 2];
    img.data.set([r, g, b, 255], i * 4);
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

/** Empties the top-k list and blanks the picture of what the model saw. */
export function clearResults(list: HTMLElement, seen: HTMLCanvasElement): void {
  list.replaceChildren();
  seen.getContext('2d')!.clearRect(0, 0, seen.width, seen.height);
}
