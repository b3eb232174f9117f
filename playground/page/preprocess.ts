/**
 * Turns a drawing into an input like the MNIST digits, the way MNIST itself
 * was made: the ink's bounding box is scaled (aspect ratio kept) so its longer
 * side is 20 pixels, then placed in a 28 x 28 image so that its centre of
 * mass lies at the image's centre.
 *
 * `ink` is the drawing, row-major, 0 (paper) to 1 (full ink). Downscaling
 * averages the pixels that fall into each target pixel (a box filter), and
 * the result is scaled so its darkest pixel is 1, like the digits' 255.
 */
export const SIDE = 28;
const BOX = 20;
/** Pixels fainter than this are paper, when looking for the bounding box. */
const PAPER = 0.05;

export function preprocess(ink: ArrayLike<number>, width: number, height: number): Float64Array {
  const out = new Float64Array(SIDE * SIDE);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= PAPER) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 < 0) return out;

  // Box-filter the bounding box down to tw x th, longer side BOX.
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = Math.min(1, BOX / Math.max(bw, bh));
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  const sum = new Float64Array(tw * th);
  const count = new Float64Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(th - 1, Math.floor(((y - y0) * th) / bh));
    for (let x = x0; x <= x1; x++) {
      const t = ty * tw + Math.min(tw - 1, Math.floor(((x - x0) * tw) / bw));
      sum[t] += ink[y * width + x];
      count[t]++;
    }
  }
  const small = sum.map((s, i) => s / count[i]);
  const peak = small.reduce((a, b) => Math.max(a, b), 0);

  // Centre of mass of the small image, then the shift that puts it at the centre of 28 x 28.
  let [mass, mx, my] = [0, 0, 0];
  small.forEach((v, i) => {
    mass += v;
    mx += v * (i % tw);
    my += v * Math.floor(i / tw);
  });
  const dx = Math.round((SIDE - 1) / 2 - mx / mass);
  const dy = Math.round((SIDE - 1) / 2 - my / mass);
  small.forEach((v, i) => {
    const x = (i % tw) + dx;
    const y = Math.floor(i / tw) + dy;
    if (x >= 0 && x < SIDE && y >= 0 && y < SIDE) out[y * SIDE + x] = v / peak;
  });
  return out;
}
