/**
 * The engine's Conv2d: exercise 01's layer (the same formulas, the same
 * numbers bit for bit) computed with the engine's kernels:
 *
 *   x    [N, C, H, W]      col = im2col(x)  [R, K]      K = C*FH*FW, R = N*OH*OW
 *   W    [M, C, FH, FW]    seen as a matrix [M, K]
 *   out2d [R, M] = col W^T, out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
 *   dW [M, K] = dA2d^T col,  db[m] = sum of dA over n, i, j,  dx = col2im(dA2d W)
 *
 * col, out2d, dA2d and dcol live in a Workspace (kernel memory, reused from
 * batch to batch, read by gemm in place); im2col, col2im and the two
 * rearrangements between out2d / dA2d and NCHW run as WebAssembly on the
 * engine's threads. out and dx are new tensors every call: a caller may keep
 * them.
 */
import { checkPositiveInt, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { ConvLayerOptions, ParametricLayer } from '../../lib/layer';
import { gemm } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';
import { col2imTensor, im2colInto, planesToRows, rowsToPlanes, windowGeometry } from '../kernels/im2col';
import { Workspace } from '../kernel-memory';
import { checkImages, checkWindow } from './checks';

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
  constructor(options: ConvLayerOptions) {
    const where = 'Conv2d';
    checkPositiveInt(where, 'inChannels', options.inChannels);
    checkPositiveInt(where, 'outChannels', options.outChannels);
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernelSize = toPair(where, 'kernelSize', options.kernelSize);
    this.stride = toPair(where, 'stride', options.stride ?? 1);
    this.padding = toPair(where, 'padding', options.padding ?? 0);
    checkWindow(where, this);

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
    const g = checkImages('Conv2d.forward', x, this, this.inChannels);
    const { OH, OW } = g;
    const N = x.shape[0];
    const M = this.outChannels;
    const P = OH * OW; // output pixels per image
    const R = N * P;
    const K = this.inChannels * this.kernelSize[0] * this.kernelSize[1];
    const col = this.workspace.array('col', R * K);
    im2colInto(x.data, g, col);

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
    const { dA2d, R, K, inputShape } = this.parameterGradients(dout);
    const M = this.outChannels;

    // dcol [R, K] = dA2d [R, M] W [M, K], then back to the pixels.
    const dcol = this.workspace.array('dcol', R * K);
    gemm(R, K, M, dA2d, this.params.W.data, dcol);
    return col2imTensor(dcol, windowGeometry(inputShape, this.kernelSize, this.stride, this.padding));
  }

  /** Checks dout, fills grads.b and grads.W; returns dA2d [R, M] and the sizes dx needs. */
  private parameterGradients(dout: Tensor): { dA2d: Float64Array; R: number; K: number; inputShape: number[] } {
    const where = 'Conv2d.backward';
    if (this.saved === null) throw new KataInputError(`${where}: call forward before backward`);
    const { inputShape, col, OH, OW } = this.saved;
    const N = inputShape[0];
    const M = this.outChannels;
    checkShape(where, dout, [N, M, OH, OW]);
    const P = OH * OW;
    const R = N * P;
    const K = this.inChannels * this.kernelSize[0] * this.kernelSize[1];

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
