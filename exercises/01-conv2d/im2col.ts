/**
 * im2col ("image to columns") turns a convolution into one matrix product.
 *
 * Every output pixel (n, i, j) is a dot product between one window of x (all
 * C channels, FH x FW pixels each) and one filter. Copy each window into a row
 * of a matrix, in the same (k, s, t) order as a filter's weights:
 *
 *   col[(n*OH + i)*OW + j, (k*FH + s)*FW + t] = x[n, k, i*S_h + s - P_h, j*S_w + t - P_w]   (0 in the padding)
 *
 * col is [N*OH*OW, C*FH*FW]; the weights W [M, C, FH, FW] seen as a matrix are
 * [M, C*FH*FW], so col W^T [N*OH*OW, M] holds every output at once (without the bias).
 *
 * col2im is the adjoint (the transpose) of im2col: it sends each entry of a
 * [N*OH*OW, C*FH*FW] matrix back to the pixel it was copied from and adds up
 * the entries that land on the same pixel (overlapping windows). Entries that
 * came from the padding are dropped. It turns dL/dcol into dL/dx.
 *
 * Checks: checkImages (im2col) and checkImageShape (col2im) of lib/window.ts,
 * and the shape of col with checkShape from lib/checks.ts.
 */
import { NotImplementedError } from '../../lib/not-implemented';
import type { Tensor } from '../../lib/tensor';

/**
 * x [N, C, H, W] -> col [N*OH*OW, C*FH*FW]: row (n, i, j) is the window of
 * output pixel (i, j) of image n, column (k, s, t) is channel k, row s,
 * column t inside the window.
 */
export function im2col(x: Tensor, kernel: [number, number], stride: [number, number], padding: [number, number]): Tensor {
  throw new NotImplementedError('01-conv2d', 'im2col');
}

/**
 * col [N*OH*OW, C*FH*FW] -> [N, C, H, W], the adjoint of im2col:
 *
 *   out[n, k, h, v] = sum of col[(n, i, j), (k, s, t)] over all (i, j, s, t)
 *                     with i*S_h + s - P_h = h and j*S_w + t - P_w = v
 *
 * so that <im2col(x), c> = <x, col2im(c)> for every x and c.
 * `inputShape` is the shape [N, C, H, W] of the x that im2col was given.
 */
export function col2im(col: Tensor, inputShape: readonly number[], kernel: [number, number], stride: [number, number], padding: [number, number]): Tensor {
  throw new NotImplementedError('01-conv2d', 'col2im');
}
