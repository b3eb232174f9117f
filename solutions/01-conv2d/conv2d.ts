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
 *
 * The im2col and col2im used here are lib's (lib/im2col.ts): the same
 * matrices as yours in im2col.ts, bit for bit, but written into arrays this
 * layer keeps from batch to batch in a Workspace (lib/kernel-memory.ts), in
 * the memory where gemm reads them without copying. The two rearrangements
 * between out2d / dA2d and NCHW are lib's too (rowsToPlanes, planesToRows). Only col, the matrices
 * of the products and dcol are kept that way; out and dx are new tensors
 * every call (a caller may keep them).
 */
import {
  checkPositiveInt,
  checkShape,
  KataInputError,
  toPair,
  type Pair,
} from '../../lib/checks';
import type { Initializer, ParametricLayer } from '../../lib/layer';
import { col2imTensor, convGeometry, im2colInto, planesToRows, rowsToPlanes } from '../../lib/im2col';
import { Workspace } from '../../lib/kernel-memory';
import { gemm } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';
import { checkImages, checkWindow } from './geometry';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  /** FH and FW: a number for both, or [FH, FW]. */
  kernelSize: Pair;
  /** Default 1. */
  stride?: Pair;
  /** Zeros added on each side; default 0. */
  padding?: Pair;
  /** Draws W; default He: W ~ N(0, 2 / (C*FH*FW)). b always starts at zero. */
  initializer?: Initializer;
  /** Seed of the generator handed to the initializer; default 0. */
  seed?: number;
}

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
  /** What backward needs from the last forward. */
  private saved: { inputShape: number[]; col: Float64Array; OH: number; OW: number } | null = null;
  /** col, out2d, dA2d and dcol, reused from one call to the next. */
  private readonly workspace = new Workspace();

  /**
   * Checks the options (sizes whole numbers >= 1, padding >= 0; toPair and
   * checkWindow of geometry.ts), then draws W with the initializer, or He
   * with `new Rng(seed ?? 0)`, and sets b and both grads to zeros.
   */
  constructor(options: Conv2dOptions) {
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
    const P = OH * OW; // output pixels per image
    const R = N * P;
    const K = this.inChannels * this.kernelSize[0] * this.kernelSize[1];
    const col = this.workspace.array('col', R * K);
    im2colInto(x.data, convGeometry(x.shape, this.kernelSize, this.stride, this.padding), col);

    // out2d [R, M] = col [R, K] W^T [K, M]; W is stored [M, K], so transB.
    const out2d = this.workspace.array('out2d', R * M);
    gemm(R, M, K, col, this.params.W.data, out2d, { transB: true });

    // Rows are (n, i, j) and columns m; NCHW wants (n, m, i, j). Add the bias on the way:
    // out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
    const out = new Tensor([N, M, OH, OW]);
    rowsToPlanes(out2d, N, P, this.params.b.data, out.data);
    this.saved = { inputShape: [...x.shape], col, OH, OW };
    return out;
  }

  /** dout [N, M, OH, OW] -> dx [N, C, H, W]; fills grads.W and grads.b, leaves params alone. */
  backward(dout: Tensor): Tensor {
    const { dA2d, R, K, inputShape } = this.parameterGradients('Conv2d.backward', dout);
    const M = this.outChannels;

    // dcol [R, K] = dA2d [R, M] W [M, K], then back to the pixels.
    const dcol = this.workspace.array('dcol', R * K);
    gemm(R, K, M, dA2d, this.params.W.data, dcol);
    return col2imTensor(dcol, convGeometry(inputShape, this.kernelSize, this.stride, this.padding));
  }

  /**
   * grads.W and grads.b exactly as backward computes them, without dx: for a
   * first layer, whose input needs no gradient (it saves the product dcol
   * and col2im, the larger half of backward).
   */
  backwardParams(dout: Tensor): void {
    this.parameterGradients('Conv2d.backwardParams', dout);
  }

  /** Checks dout, fills grads.b and grads.W; returns dA2d [R, M] and the sizes dx needs. */
  private parameterGradients(where: string, dout: Tensor): { dA2d: Float64Array; R: number; K: number; inputShape: number[] } {
    if (this.saved === null) throw new KataInputError(`${where}: call forward before backward`);
    const { inputShape, col, OH, OW } = this.saved;
    const N = inputShape[0];
    const M = this.outChannels;
    checkShape(where, dout, [N, M, OH, OW]);
    const P = OH * OW;
    const R = N * P;
    const K = col.length / R;

    // dA2d [R, M]: the transpose of the rearrangement in forward, dA2d[(n, i, j), m] = dout[n, m, i, j].
    const dA2d = this.workspace.array('dA2d', R * M);
    planesToRows(dout.data, N, M, P, dA2d);
    // db[m] = sum of dout over n, i, j (each plane of dout is contiguous)
    const dA = dout.data;
    const db = this.grads.b.data;
    db.fill(0);
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const from = (n * M + m) * P;
        let sum = db[m];
        for (let p = 0; p < P; p++) sum += dA[from + p];
        db[m] = sum;
      }
    }

    // dW [M, K] = dA2d^T [M, R] col [R, K]
    gemm(M, K, R, dA2d, col, this.grads.W.data, { transA: true });
    return { dA2d, R, K, inputShape };
  }
}
