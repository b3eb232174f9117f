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
import { NotImplementedError } from '../../lib/not-implemented';
import type { Tensor } from '../../lib/tensor';

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
  throw new NotImplementedError('01-conv2d', 'conv2dForwardNaive');
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
  throw new NotImplementedError('01-conv2d', 'conv2dBackwardNaive');
}
