/**
 * 2-D convolution written as direct loops over the formulas: slow, but every
 * line is one term of the maths. Write these first; the fast layer in
 * conv2d.ts must give the same numbers.
 *
 * Shapes (images are NCHW):
 *   x   [N, C, H, W]       N images, C input channels
 *   W   [M, C, FH, FW]     M filters, each FH x FW over all C channels
 *   b   [M]                one bias per output channel
 *   out [N, M, OH, OW]     OH = floor((H + 2 P_h - FH) / S_h) + 1, OW likewise
 *
 * Each function starts with the given checks of lib/window.ts (checkImages
 * returns [OH, OW]), and checks b and dout with lib/checks.ts.
 */
import { checkRank, checkShape } from '../../lib/checks';
import { Tensor } from '../../lib/tensor';
import { checkImages } from '../../lib/window';

/** Stride S and padding P as [height, width]. */
export interface ConvGeometry {
  stride: [number, number];
  padding: [number, number];
}

/**
 * Forward pass:
 *
 *   a[n, m, i, j] = b[m] + sum_k sum_s sum_t x[n, k, i*S_h + s - P_h, j*S_w + t - P_w] * w[m, k, s, t]
 *
 * with k < C, s < FH, t < FW. The output pixel (i, j) looks at the window whose
 * top-left corner is (i*S_h - P_h, j*S_w - P_w) in x; positions outside x are
 * the padding, where x counts as zero, so their terms are skipped.
 *
 * x [N, C, H, W], W [M, C, FH, FW], b [M] -> [N, M, OH, OW].
 */
export function conv2dForwardNaive(x: Tensor, W: Tensor, b: Tensor, geometry: ConvGeometry): Tensor {
  const where = 'conv2dForwardNaive';
  checkRank(where, W, 4, '[M, C, FH, FW]');
  const [M, C, FH, FW] = W.shape;
  checkShape(where, b, [M]);
  const [OH, OW] = checkImages(where, x, [FH, FW], geometry.stride, geometry.padding, C);
  const [N, , height, width] = x.shape;
  const [SH, SW] = geometry.stride;
  const [PH, PW] = geometry.padding;

  const out = new Tensor([N, M, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let a = b.get(m);
          for (let k = 0; k < C; k++) {
            for (let s = 0; s < FH; s++) {
              const h = i * SH + s - PH;
              if (h < 0 || h >= height) continue; // a padding row: x is zero there
              for (let t = 0; t < FW; t++) {
                const v = j * SW + t - PW;
                if (v < 0 || v >= width) continue; // a padding column
                a += x.get(n, k, h, v) * W.get(m, k, s, t);
              }
            }
          }
          out.set(a, n, m, i, j);
        }
      }
    }
  }
  return out;
}

/**
 * Backward pass, given dA = dL/da [N, M, OH, OW]:
 *
 *   dW[m, k, s, t] = sum_n sum_i sum_j dA[n, m, i, j] * x[n, k, i*S_h + s - P_h, j*S_w + t - P_w]
 *   db[m]          = sum_n sum_i sum_j dA[n, m, i, j]
 *   dx[n, k, h, v] = sum of dA[n, m, i, j] * w[m, k, s, t] over every term of the
 *                    forward sum where x[n, k, h, v] appeared (h = i*S_h + s - P_h,
 *                    v = j*S_w + t - P_w)
 *
 * The same seven loops as the forward: each product x * w in the forward sum
 * sends dA * w back to that x and dA * x to that w. Where windows overlap, an
 * x gets contributions from several outputs, so the updates add up (+=).
 * Padding positions are not part of x and get nothing.
 *
 * Returns dx [N, C, H, W], dW [M, C, FH, FW], db [M].
 */
export function conv2dBackwardNaive(x: Tensor, W: Tensor, dout: Tensor, geometry: ConvGeometry): { dx: Tensor; dW: Tensor; db: Tensor } {
  const where = 'conv2dBackwardNaive';
  checkRank(where, W, 4, '[M, C, FH, FW]');
  const [M, C, FH, FW] = W.shape;
  const [OH, OW] = checkImages(where, x, [FH, FW], geometry.stride, geometry.padding, C);
  const [N, , height, width] = x.shape;
  checkShape(where, dout, [N, M, OH, OW]);
  const [SH, SW] = geometry.stride;
  const [PH, PW] = geometry.padding;

  const dx = Tensor.zerosLike(x);
  const dW = Tensor.zerosLike(W);
  const db = new Tensor([M]);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          const d = dout.get(n, m, i, j);
          db.data[m] += d;
          for (let k = 0; k < C; k++) {
            for (let s = 0; s < FH; s++) {
              const h = i * SH + s - PH;
              if (h < 0 || h >= height) continue;
              for (let t = 0; t < FW; t++) {
                const v = j * SW + t - PW;
                if (v < 0 || v >= width) continue;
                dx.data[dx.offset([n, k, h, v])] += d * W.get(m, k, s, t);
                dW.data[dW.offset([m, k, s, t])] += d * x.get(n, k, h, v);
              }
            }
          }
        }
      }
    }
  }
  return { dx, dW, db };
}
