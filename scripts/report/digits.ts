/**
 * Pictures made of pixels for the report: misclassified test digits and the
 * learned first-layer filters, each encoded as a small PNG `data:` URI and
 * scaled up in the page with crisp (pixelated) rendering.
 */
import { escapeHtml } from './html';
import { pngDataUri } from './png';

/** A greyscale image in [0, 1], drawn as dark ink on white (255 - 255 * v). */
export function inkPng(values: ArrayLike<number>, rows: number, cols: number): string {
  const bytes = new Uint8Array(rows * cols);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - Math.round(255 * Math.min(1, Math.max(0, values[i])));
  return pngDataUri(cols, rows, bytes, 1);
}

/**
 * A diverging colour for v in [-1, 1]: blue for negative, white for 0, red
 * for positive (linear in between).
 */
export function divergingColor(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(-1, v));
  const end = t < 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(t);
  return [0, 1, 2].map((k) => Math.round(255 + (end[k] - 255) * a)) as [number, number, number];
}

/** A signed image (e.g. a filter) coloured by divergingColor(value / scale). */
export function signedPng(values: ArrayLike<number>, rows: number, cols: number, scale: number): string {
  const bytes = new Uint8Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) {
    const rgb = divergingColor(scale > 0 ? values[i] / scale : 0);
    bytes.set(rgb, 3 * i);
  }
  return pngDataUri(cols, rows, bytes, 3);
}

export interface MistakeTile {
  /** 28 x 28 pixels in [0, 1]. */
  pixels: ArrayLike<number>;
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  /** The three most probable classes, most probable first (older runs lack them). */
  top3?: { cls: number; p: number }[];
}

/** Three small bars: the classes the model hesitated between, the true one in green. */
function topBars(top3: { cls: number; p: number }[], label: number): string {
  const rows = top3.map(
    ({ cls, p }) =>
      `<span class="top${cls === label ? ' is-true' : ''}"><b>${cls}</b><span class="bar"><span style="width:${(100 * p).toFixed(1)}%"></span></span>` +
      `<i>${Math.round(100 * p)}%</i></span>`,
  );
  return `<span class="top3" aria-hidden="true">${rows.join('')}</span>`;
}

/** A grid of misclassified digits, each captioned "true 4 → 9 (87%)". */
export function mistakesGrid(tiles: readonly MistakeTile[], rows = 28, cols = 28): string {
  if (tiles.length === 0) return '<p class="muted">No test image was misclassified.</p>';
  const cells = tiles.map((t) => {
    const alt = `test image ${t.index}: true ${t.label}, predicted ${t.predicted}`;
    return (
      `<figure class="digit" title="${escapeHtml(`${alt} with probability ${(100 * t.confidence).toFixed(1)}%`)}">` +
      `<img src="${inkPng(t.pixels, rows, cols)}" width="${cols * 2}" height="${rows * 2}" alt="${escapeHtml(alt)}">` +
      `<figcaption><span class="true">${t.label}</span> → <span class="pred">${t.predicted}</span>` +
      `<small>${Math.round(100 * t.confidence)}% · #${t.index}</small></figcaption>${t.top3 ? topBars(t.top3, t.label) : ''}</figure>`
    );
  });
  return `<div class="digit-grid">${cells.join('')}</div>`;
}

/**
 * The filters of a convolution, W [M, C, kh, kw]: one tile per (filter m,
 * channel c), each scaled by its own largest |weight| so that its pattern is
 * visible (blue negative, white 0, red positive).
 */
export function filtersGrid(weights: { shape: readonly number[]; data: ArrayLike<number> }): string {
  if (weights.shape.length !== 4) return '<p class="muted">The first layer is not a convolution; no filters to show.</p>';
  const [m, c, kh, kw] = weights.shape;
  const size = Math.max(56, Math.min(96, 16 * kh));
  const tiles: string[] = [];
  for (let f = 0; f < m; f++) {
    for (let ch = 0; ch < c; ch++) {
      const start = (f * c + ch) * kh * kw;
      const values = Array.from({ length: kh * kw }, (_, i) => weights.data[start + i]);
      const scale = Math.max(...values.map(Math.abs));
      const name = c === 1 ? `filter ${f}` : `filter ${f}, channel ${ch}`;
      tiles.push(
        `<figure class="filter" title="${escapeHtml(`${name}: max |w| = ${scale.toPrecision(3)}`)}">` +
          `<img src="${signedPng(values, kh, kw, scale)}" width="${size}" height="${Math.round((size * kh) / kw)}" alt="${escapeHtml(name)}">` +
          `<figcaption>${escapeHtml(c === 1 ? String(f) : `${f}.${ch}`)}</figcaption></figure>`,
      );
    }
  }
  return `<div class="filter-grid">${tiles.join('')}</div>`;
}

/**
 * One layer's output for one image, [C, H, W]: a tile per channel, all on the
 * layer's largest |value| (white 0, red positive, blue negative).
 */
export function featureMapTiles(shape: readonly number[], data: ArrayLike<number>, layer: string): string {
  const [c, h, w] = shape;
  let scale = 0;
  for (let i = 0; i < c * h * w; i++) scale = Math.max(scale, Math.abs(data[i]));
  const size = Math.max(42, Math.min(84, 3 * w));
  const tiles = Array.from({ length: c }, (_, k) => {
    const plane = Array.from({ length: h * w }, (_, i) => data[k * h * w + i]);
    return `<img src="${signedPng(plane, h, w, scale)}" width="${size}" height="${size}" alt="${escapeHtml(`${layer}, channel ${k}`)}">`;
  });
  return `<div class="map-grid">${tiles.join('')}</div>`;
}
