/**
 * Brute-force pooling: the reference the pooling suites compare against.
 *
 * Written on purpose unlike a layer would be:
 * - forward first copies each image plane into an explicitly padded plane
 *   (filled with -Infinity for max, 0 for average), then reads every window
 *   out of that copy as a plain list of values;
 * - backward builds the whole Jacobian J[o][i] = d out_o / d x_i as a dense
 *   matrix (one row per output, one column per input) and returns J^T dout.
 *   For max pooling the row of a window has a single 1, at the first cell of
 *   the window (row-major) whose value equals the window's maximum.
 *
 * Slow (O(outputs * inputs) memory) and only meant for the small shapes of
 * property tests.
 */
import { Tensor } from '../../lib/tensor';

export interface PoolGeometry {
  kernel: [number, number];
  /** The step; undefined means "the kernel size". */
  stride?: [number, number];
  padding: [number, number];
}

/** One window as the list of its cells, top row first, left to right. */
interface Cell {
  value: number;
  /** Flat index of the cell in x, or -1 for a padded cell. */
  input: number;
}

/** Every window of x in output order (row-major over [N, C, OH, OW]), with the output shape. */
function windows(x: Tensor, fill: number, g: PoolGeometry): { shape: number[]; cells: Cell[][] } {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.stride ?? g.kernel;
  const [ph, pw] = g.padding;
  const paddedH = H + 2 * ph;
  const paddedW = W + 2 * pw;
  const OH = Math.floor((paddedH - kh) / sh) + 1;
  const OW = Math.floor((paddedW - kw) / sw) + 1;

  const cells: Cell[][] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      // The padded plane, as rows of cells; the real image sits at offset (ph, pw).
      const padded: Cell[][] = [];
      for (let r = 0; r < paddedH; r++) {
        const row: Cell[] = [];
        for (let col = 0; col < paddedW; col++) {
          const h = r - ph;
          const w = col - pw;
          const inside = h >= 0 && h < H && w >= 0 && w < W;
          row.push(inside ? { value: x.get(n, c, h, w), input: x.offset([n, c, h, w]) } : { value: fill, input: -1 });
        }
        padded.push(row);
      }
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          const window: Cell[] = [];
          for (const row of padded.slice(i * sh, i * sh + kh)) window.push(...row.slice(j * sw, j * sw + kw));
          cells.push(window);
        }
      }
    }
  }
  return { shape: [N, C, OH, OW], cells };
}

export function maxPoolForward(x: Tensor, g: PoolGeometry): Tensor {
  const { shape, cells } = windows(x, -Infinity, g);
  return new Tensor(
    shape,
    cells.map((w) => Math.max(...w.map((cell) => cell.value))),
  );
}

export function avgPoolForward(x: Tensor, g: PoolGeometry): Tensor {
  const { shape, cells } = windows(x, 0, g);
  return new Tensor(
    shape,
    cells.map((w) => w.reduce((s, cell) => s + cell.value, 0) / w.length),
  );
}

/** Dense Jacobian of max pooling at x: rows = outputs, columns = inputs. */
export function maxPoolJacobian(x: Tensor, g: PoolGeometry): Float64Array[] {
  const { cells } = windows(x, -Infinity, g);
  return cells.map((w) => {
    const row = new Float64Array(x.size);
    const values = w.map((cell) => cell.value);
    const winner = w[values.indexOf(Math.max(...values))];
    row[winner.input] = 1;
    return row;
  });
}

/** Dense Jacobian of average pooling (it does not depend on x, only on its shape). */
export function avgPoolJacobian(x: Tensor, g: PoolGeometry): Float64Array[] {
  const { cells } = windows(x, 0, g);
  return cells.map((w) => {
    const row = new Float64Array(x.size);
    for (const cell of w) if (cell.input >= 0) row[cell.input] += 1 / w.length;
    return row;
  });
}

/** dx = J^T dout, shaped like x. */
function transposeTimes(jacobian: Float64Array[], dout: Tensor, x: Tensor): Tensor {
  const dx = new Tensor(x.shape);
  for (let i = 0; i < x.size; i++) {
    let s = 0;
    for (let o = 0; o < jacobian.length; o++) s += jacobian[o][i] * dout.data[o];
    dx.data[i] = s;
  }
  return dx;
}

export function maxPoolBackward(x: Tensor, g: PoolGeometry, dout: Tensor): Tensor {
  return transposeTimes(maxPoolJacobian(x, g), dout, x);
}

export function avgPoolBackward(x: Tensor, g: PoolGeometry, dout: Tensor): Tensor {
  return transposeTimes(avgPoolJacobian(x, g), dout, x);
}
