/**
 * Drawing numbers as pictures: grey images (the input, activations that are
 * never negative), blue-white-dark maps for values of both signs (conv
 * outputs, filters), and the probability bars.
 */
import { t } from './i18n';

/** Largest absolute value of data[from..to). */
function peak(data: ArrayLike<number>, from = 0, to = data.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(data[i]));
  return m;
}

/**
 * Paints h x w values starting at `offset` into a canvas of that size, scaled
 * by `scale` (values / scale in [-1, 1]): 0 white, positive towards near-black,
 * negative towards blue.
 */
export function paintPlane(canvas: HTMLCanvasElement, data: ArrayLike<number>, offset: number, h: number, w: number, scale: number): void {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const v = scale > 0 ? Math.max(-1, Math.min(1, data[offset + i] / scale)) : 0;
    const [r, g, b] = v >= 0 ? [255 - 238 * v, 255 - 230 * v, 255 - 213 * v] : [255 + 222 * v, 255 + 153 * v, 255 + 65 * v];
    image.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

/** A canvas for one plane, labelled for screen readers. */
function planeCanvas(label: string, cls: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = cls;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Every channel of one image [C, H, W] as small canvases, all on the scale of the largest value. */
export function paintMaps(container: HTMLElement, shape: number[], data: ArrayLike<number>, layerName: string): void {
  const [c, h, w] = shape;
  const scale = peak(data, 0, c * h * w);
  while (container.children.length > c) container.lastChild!.remove();
  for (let k = 0; k < c; k++) {
    const canvas = (container.children[k] as HTMLCanvasElement | undefined) ?? container.appendChild(planeCanvas(`${layerName}, channel ${k}`, 'map'));
    paintPlane(canvas, data, k * h * w, h, w, scale);
  }
}

/** Conv filters W [M, C, kh, kw]: one row per output channel, each filter on its row's scale. */
export function paintFilters(container: HTMLElement, shape: number[], data: ArrayLike<number>, layerName: string): void {
  const [m, c, kh, kw] = shape;
  container.replaceChildren();
  // One input channel: the filters side by side, not one per row.
  container.classList.toggle('single', c === 1);
  for (let o = 0; o < m; o++) {
    const row = document.createElement('div');
    row.className = 'filter-row';
    const scale = peak(data, o * c * kh * kw, (o + 1) * c * kh * kw);
    for (let i = 0; i < c; i++) {
      const canvas = row.appendChild(planeCanvas(`${layerName}, filter ${o}, input channel ${i}`, 'filter'));
      paintPlane(canvas, data, (o * c + i) * kh * kw, kh, kw, scale);
    }
    container.appendChild(row);
  }
}

/**
 * Ten bars, one per class, each carrying its exact probability in data-p (the
 * tests compare it with Node's predictProba). The most probable class is
 * marked; so is the true class (`truth`) of a test digit, with its label on
 * its bar.
 */
export function paintBars(list: HTMLElement, proba: ArrayLike<number> | null, truth: number | null = null): void {
  if (list.children.length !== 10) {
    list.replaceChildren(
      ...Array.from({ length: 10 }, (_, k) => {
        const item = document.createElement('li');
        item.innerHTML = `<span class="digit">${k}</span><span class="track"><span class="fill"></span><span class="tag"></span></span><span class="value"></span>`;
        return item;
      }),
    );
  }
  let best = -1;
  if (proba !== null) for (let k = 0; k < 10; k++) if (best < 0 || proba[k] > proba[best]) best = k;
  [...list.children].forEach((item, k) => {
    const li = item as HTMLElement;
    const p = proba === null ? 0 : proba[k];
    const isTruth = proba !== null && k === truth;
    li.dataset.p = proba === null ? '' : String(p);
    li.classList.toggle('best', k === best);
    li.classList.toggle('truth', isTruth);
    li.classList.toggle('missed', isTruth && k !== best);
    (li.querySelector('.fill') as HTMLElement).style.width = `${(100 * p).toFixed(2)}%`;
    li.querySelector('.tag')!.textContent = isTruth ? t('trueLabel') : '';
    const text = proba === null ? '–' : `${(100 * p).toFixed(1)}%`;
    li.querySelector('.value')!.textContent = text;
    li.setAttribute('aria-label', `${k}: ${text}${isTruth ? ` (${t('trueLabel')})` : ''}`);
  });
  list.dataset.predicted = best < 0 ? '' : String(best);
  list.dataset.truth = truth === null || proba === null ? '' : String(truth);
  list.setAttribute('aria-label', best < 0 ? t('drawHint') : `${t('predicted')}: ${best}`);
}
