/**
 * Brute-force oracle for 2-D convolution, the expected values of the conv
 * tests. Written on purpose in another way than the exercise's solution:
 *   - the input is first copied into an explicitly zero-padded tensor, so no
 *     loop ever tests whether a position lies in the padding;
 *   - forward is a scatter: every padded input pixel pushes its products into
 *     the outputs whose window contains it;
 *   - backward gathers each dW and db element separately, and scatters dx into
 *     a padded buffer whose border is cut off at the end.
 * It is slow (Tensor.get/set everywhere) and only meant for small shapes.
 *
 * Shapes: x [N, C, H, W], w [M, C, FH, FW], b [M], out [N, M, OH, OW].
 */
import { Tensor } from '../../lib/tensor';

export interface OracleGeometry {
  stride: [number, number];
  padding: [number, number];
}

/** Number of window positions along one axis, counted one by one: k >= 0 with k*S + F <= N + 2P. */
export function countWindows(input: number, kernel: number, stride: number, padding: number): number {
  let count = 0;
  while (count * stride + kernel <= input + 2 * padding) count++;
  return count;
}

/** x [N, C, H, W] -> [N, C, H + 2 P_h, W + 2 P_w] with zeros around. */
export function zeroPad(x: Tensor, padding: [number, number]): Tensor {
  const [N, C, H, W] = x.shape;
  const [ph, pw] = padding;
  const padded = Tensor.zeros([N, C, H + 2 * ph, W + 2 * pw]);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let v = 0; v < W; v++) padded.set(x.get(n, c, h, v), n, c, h + ph, v + pw);
  return padded;
}

/** The inverse of zeroPad for gradients: the central [H, W] block of a padded tensor. */
function crop(padded: Tensor, shape: readonly number[], padding: [number, number]): Tensor {
  const [N, C, H, W] = shape;
  const out = Tensor.zeros(shape);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++) for (let v = 0; v < W; v++) out.set(padded.get(n, c, h + padding[0], v + padding[1]), n, c, h, v);
  return out;
}

function outputShape(x: Tensor, w: Tensor, g: OracleGeometry): [number, number] {
  return [countWindows(x.shape[2], w.shape[2], g.stride[0], g.padding[0]), countWindows(x.shape[3], w.shape[3], g.stride[1], g.padding[1])];
}

/** Forward by scatter over the padded input: pixel (p, q) of channel k feeds output (i, j) through w[m, k, p - i*S_h, q - j*S_w]. */
export function oracleConvForward(x: Tensor, w: Tensor, b: Tensor, g: OracleGeometry): Tensor {
  const [N, C] = x.shape;
  const [M, , FH, FW] = w.shape;
  const [OH, OW] = outputShape(x, w, g);
  const [sh, sw] = g.stride;
  const xp = zeroPad(x, g.padding);
  const out = Tensor.zeros([N, M, OH, OW]);
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) out.set(b.get(m), n, m, i, j);

  for (let n = 0; n < N; n++) {
    for (let k = 0; k < C; k++) {
      for (let p = 0; p < xp.shape[2]; p++) {
        for (let q = 0; q < xp.shape[3]; q++) {
          const value = xp.get(n, k, p, q);
          for (let i = 0; i < OH; i++) {
            const s = p - i * sh;
            if (s < 0 || s >= FH) continue;
            for (let j = 0; j < OW; j++) {
              const t = q - j * sw;
              if (t < 0 || t >= FW) continue;
              for (let m = 0; m < M; m++) out.set(out.get(n, m, i, j) + value * w.get(m, k, s, t), n, m, i, j);
            }
          }
        }
      }
    }
  }
  return out;
}

/** Backward: dW and db gathered element by element; dx scattered into a padded buffer, then cropped. */
export function oracleConvBackward(x: Tensor, w: Tensor, dout: Tensor, g: OracleGeometry): { dx: Tensor; dW: Tensor; db: Tensor } {
  const [N, C] = x.shape;
  const [M, , FH, FW] = w.shape;
  const [OH, OW] = outputShape(x, w, g);
  const [sh, sw] = g.stride;
  const xp = zeroPad(x, g.padding);

  const dW = Tensor.zeros(w.shape);
  for (let m = 0; m < M; m++)
    for (let k = 0; k < C; k++)
      for (let s = 0; s < FH; s++)
        for (let t = 0; t < FW; t++) {
          let total = 0;
          for (let n = 0; n < N; n++)
            for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) total += dout.get(n, m, i, j) * xp.get(n, k, i * sh + s, j * sw + t);
          dW.set(total, m, k, s, t);
        }

  const db = Tensor.zeros([M]);
  for (let m = 0; m < M; m++) {
    let total = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) total += dout.get(n, m, i, j);
    db.set(total, m);
  }

  const dxp = Tensor.zeros(xp.shape);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++)
          for (let k = 0; k < C; k++)
            for (let s = 0; s < FH; s++)
              for (let t = 0; t < FW; t++) {
                const p = i * sh + s;
                const q = j * sw + t;
                dxp.set(dxp.get(n, k, p, q) + dout.get(n, m, i, j) * w.get(m, k, s, t), n, k, p, q);
              }
  return { dx: crop(dxp, x.shape, g.padding), dW, db };
}

/** im2col by its definition: col[(n, i, j), (k, s, t)] = padded x[n, k, i*S_h + s, j*S_w + t]. */
export function oracleIm2col(x: Tensor, kernel: [number, number], g: OracleGeometry): Tensor {
  const [N, C, H, W] = x.shape;
  const [FH, FW] = kernel;
  const OH = countWindows(H, FH, g.stride[0], g.padding[0]);
  const OW = countWindows(W, FW, g.stride[1], g.padding[1]);
  const xp = zeroPad(x, g.padding);
  const col = Tensor.zeros([N * OH * OW, C * FH * FW]);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        for (let k = 0; k < C; k++)
          for (let s = 0; s < FH; s++)
            for (let t = 0; t < FW; t++) col.set(xp.get(n, k, i * g.stride[0] + s, j * g.stride[1] + t), (n * OH + i) * OW + j, (k * FH + s) * FW + t);
  return col;
}
