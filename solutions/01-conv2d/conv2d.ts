/**
 * Conv2d: the convolution layer the classifier trains with. Same maths as
 * conv2d-naive.ts, computed as matrix products on the im2col matrix.
 *
 * Shapes, with K = C*FH*FW (the inputs one output sees) and R = N*OH*OW (the
 * output positions):
 *   x    [N, C, H, W]      col = im2col(x)  [R, K]
 *   W    [M, C, FH, FW]    seen as a matrix [M, K]
 *   b    [M]
 *   out  [N, M, OH, OW]    OH = floor((H + 2 P_h - FH) / S_h) + 1, OW likewise
 *
 * Forward:   out2d [R, M] = col W^T, then out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
 * Backward:  with dA [N, M, OH, OW] rearranged as dA2d [R, M]
 *   dW   [M, K] = dA2d^T col    (dW[m, k, s, t] = sum over (n, i, j) of dA * x in the window)
 *   db   [M]    = sum of dA over n, i, j
 *   dcol [R, K] = dA2d W        (what each copied pixel receives)
 *   dx          = col2im(dcol)  (adds up the copies of each pixel)
 */
import { checkFinite, checkPositiveInt, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { ConvLayerOptions, ParametricLayer } from '../../lib/layer';
import { matmul } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';
import { checkImages, checkWindow } from '../../lib/window';
import { col2im, im2col } from './im2col';

export class Conv2d implements ParametricLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  /** W [outChannels, inChannels, FH, FW], b [outChannels]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };
  /** What backward needs from the last forward: the input and output shapes, and col. */
  private saved: { inputShape: number[]; outputShape: number[]; col: Tensor } | null = null;

  /**
   * Checks the options (sizes whole numbers >= 1, padding >= 0; toPair and
   * checkWindow of lib/window.ts), then draws W with the initializer, or He
   * with `new Rng(seed ?? 0)`, and sets b and both grads to zeros. The options
   * are lib/layer.ts's ConvLayerOptions; this layer always computes dx, so it
   * ignores `inputGradient`.
   */
  constructor(options: ConvLayerOptions) {
    const where = 'Conv2d';
    checkPositiveInt(where, 'inChannels', options.inChannels);
    checkPositiveInt(where, 'outChannels', options.outChannels);
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernelSize = toPair(where, 'kernelSize', options.kernelSize);
    this.stride = toPair(where, 'stride', options.stride ?? 1);
    this.padding = toPair(where, 'padding', options.padding ?? 0);
    checkWindow(where, this.kernelSize, this.stride, this.padding);

    const shape = [this.outChannels, this.inChannels, ...this.kernelSize];
    const fanIn = this.inChannels * this.kernelSize[0] * this.kernelSize[1];
    const rng = new Rng(options.seed ?? 0);
    const W = options.initializer
      ? options.initializer.weights(shape, fanIn, rng)
      : new Tensor(shape, rng.normals(sizeOf(shape), 0, Math.sqrt(2 / fanIn)));
    checkShape(`${where} initializer`, W, shape);
    this.params = { W, b: new Tensor([this.outChannels]) };
    this.grads = { W: new Tensor(shape), b: new Tensor([this.outChannels]) };
  }

  /** x [N, C, H, W] -> [N, M, OH, OW]; keeps what backward needs (the input shape and col). */
  forward(x: Tensor): Tensor {
    const [OH, OW] = checkImages('Conv2d.forward', x, this.kernelSize, this.stride, this.padding, this.inChannels);
    const N = x.shape[0];
    const M = this.outChannels;
    const col = im2col(x, this.kernelSize, this.stride, this.padding);
    const out2d = matmul(col, this.weightMatrix(), { transB: true }); // [R, M]

    const out = new Tensor([N, M, OH, OW]);
    let o = 0; // walks out in NCHW order
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        for (let p = n * OH * OW; p < (n + 1) * OH * OW; p++) {
          out.data[o++] = out2d.data[p * M + m] + this.params.b.data[m]; // p is the row (n, i, j)
        }
      }
    }
    this.saved = { inputShape: [...x.shape], outputShape: [...out.shape], col };
    return out;
  }

  /** dout [N, M, OH, OW] -> dx [N, C, H, W]; fills grads.W and grads.b, leaves params alone. */
  backward(dout: Tensor): Tensor {
    if (this.saved === null) throw new KataInputError('Conv2d.backward: call forward before backward');
    const { inputShape, outputShape, col } = this.saved;
    checkShape('Conv2d.backward', dout, outputShape);
    checkFinite('Conv2d.backward', dout);
    const [N, M, OH, OW] = outputShape;
    const R = N * OH * OW;

    // dA2d[(n, i, j), m] = dout[n, m, i, j], and db[m] = sum of dout over n, i, j
    const dA2d = new Tensor([R, M]);
    const db = this.grads.b.data;
    db.fill(0);
    let o = 0; // walks dout in NCHW order
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        for (let p = n * OH * OW; p < (n + 1) * OH * OW; p++) {
          const d = dout.data[o++];
          dA2d.data[p * M + m] = d; // p is the row (n, i, j)
          db[m] += d;
        }
      }
    }
    this.grads.W.data.set(matmul(dA2d, col, { transA: true }).data); // [M, K]
    const dcol = matmul(dA2d, this.weightMatrix()); // [R, K]
    return col2im(dcol, inputShape, this.kernelSize, this.stride, this.padding);
  }

  /** W [M, C, FH, FW] seen as the matrix [M, C*FH*FW] (same data, no copy). */
  private weightMatrix(): Tensor {
    return this.params.W.reshape([this.outChannels, -1]);
  }
}
