/**
 * Exercise 04: average pooling.
 *
 * The same windows as max pooling (exercise 03), but each output is the mean
 * of its window instead of the maximum. Channels never mix.
 *
 *   x: [N, C, H, W]  ->  a: [N, C, OH, OW]
 *   OH = floor((H + 2 P_h - FH) / S_h) + 1,  OW likewise (convOutputShape, exercise 02)
 *
 *   a[n, c, i, j] = 1 / (FH * FW) * sum_{s < FH, t < FW} x[n, c, i*S_h - P_h + s, j*S_w - P_w + t]
 *
 * Padded cells count as zeros and the divisor is always FH * FW, even for a
 * window that overlaps the padding (frameworks call this count_include_pad).
 * So every output is the same linear map of x, which keeps backward simple.
 */
import { convOutputShape } from '../02-output-size/output-size';
import { checkFinite, checkKernelFits, checkRank, checkShape, KataInputError } from '../../lib/checks';
import type { Layer, PoolLayerOptions } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';
import { poolWindow } from '../03-max-pool2d/max-pool2d';

export class AveragePool2D implements Layer {
  /** [FH, FW] */
  readonly kernelSize: [number, number];
  /** [S_h, S_w] */
  readonly stride: [number, number];
  /** [P_h, P_w] */
  readonly padding: [number, number];

  /** Shape of the last forward input, [N, C, H, W]. */
  private inputShape: number[] | null = null;
  /** Shape of the last forward output, [N, C, OH, OW]: what backward expects for dout. */
  private outputShape: number[] | null = null;

  /** @throws KataInputError for bad options: the checks of MaxPool2D (poolWindow, exercise 03). */
  constructor(options: PoolLayerOptions) {
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding } = poolWindow('AveragePool2D', options));
  }

  /**
   * a[n, c, i, j] = (sum of the window of x[n, c] at (i*S_h - P_h, j*S_w - P_w)) / (FH * FW),
   * padded cells adding 0.
   *
   * @param x [N, C, H, W], finite values
   * @returns [N, C, OH, OW]
   */
  forward(x: Tensor): Tensor {
    checkRank('AveragePool2D.forward', x, 4, '[N, C, H, W]');
    checkFinite('AveragePool2D.forward', x);
    const [N, C, H, W] = x.shape;
    const [FH, FW] = this.kernelSize;
    const [SH, SW] = this.stride;
    const [PH, PW] = this.padding;
    checkKernelFits('AveragePool2D.forward', 'height', H, FH, PH);
    checkKernelFits('AveragePool2D.forward', 'width', W, FW, PW);
    const [OH, OW] = convOutputShape(H, W, this.kernelSize, this.stride, this.padding);
    const area = FH * FW;

    const out = new Tensor([N, C, OH, OW]);
    // Locals: reading x.data or out.data inside the loops would cost a property load per access.
    const xs = x.data;
    const os = out.data;
    let o = 0; // flat index of out[n, c, i, j]; the loops visit out in row-major order
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const plane = (n * C + c) * H * W; // flat index of x[n, c, 0, 0]
        for (let i = 0; i < OH; i++) {
          // The window's rows are top <= p < top + FH; padded rows add 0,
          // so the loop visits only the rows inside the image.
          const top = i * SH - PH;
          const pFrom = Math.max(top, 0);
          const pTo = Math.min(top + FH, H);
          for (let j = 0; j < OW; j++) {
            const left = j * SW - PW; // columns likewise
            const qFrom = Math.max(left, 0);
            const qTo = Math.min(left + FW, W);
            let sum = 0;
            for (let p = pFrom; p < pTo; p++) {
              for (let q = qFrom; q < qTo; q++) sum += xs[plane + p * W + q];
            }
            os[o++] = sum / area;
          }
        }
      }
    }
    this.inputShape = [...x.shape];
    this.outputShape = [...out.shape];
    return out;
  }

  /**
   * Each input of a window contributed 1 / (FH * FW) of that window's output, so
   *
   *   dx[n, c, p, q] += dout[n, c, i, j] / (FH * FW)   for every window (i, j) holding (p, q).
   *
   * Overlapping windows add up; padded cells receive nothing (they are not inputs).
   *
   * @param dout [N, C, OH, OW], the shape forward returned
   * @returns dx [N, C, H, W]
   */
  backward(dout: Tensor): Tensor {
    if (this.inputShape === null || this.outputShape === null) {
      throw new KataInputError('AveragePool2D.backward: call forward first (backward needs the input shape)');
    }
    checkShape('AveragePool2D.backward', dout, this.outputShape);
    checkFinite('AveragePool2D.backward', dout);
    const [N, C, H, W] = this.inputShape;
    const [, , OH, OW] = this.outputShape;
    const [FH, FW] = this.kernelSize;
    const [SH, SW] = this.stride;
    const [PH, PW] = this.padding;
    const area = FH * FW;

    const dx = new Tensor(this.inputShape);
    const g = dout.data;
    const d = dx.data;
    let o = 0; // flat index of dout[n, c, i, j]
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const plane = (n * C + c) * H * W;
        for (let i = 0; i < OH; i++) {
          const top = i * SH - PH; // the window's cells inside the image, as in forward
          const pFrom = Math.max(top, 0);
          const pTo = Math.min(top + FH, H);
          for (let j = 0; j < OW; j++) {
            const left = j * SW - PW;
            const qFrom = Math.max(left, 0);
            const qTo = Math.min(left + FW, W);
            const share = g[o++] / area;
            for (let p = pFrom; p < pTo; p++) {
              for (let q = qFrom; q < qTo; q++) d[plane + p * W + q] += share;
            }
          }
        }
      }
    }
    return dx;
  }
}
