/**
 * The engine's Conv2d: exercise 01's layer (the same formulas, the same
 * numbers bit for bit) computed with the engine's kernels:
 *
 *   x    [N, C, H, W]      col = im2col(x)  [R, K]      K = C*FH*FW, R = N*OH*OW
 *   W    [M, C, FH, FW]    seen as a matrix [M, K]
 *   out2d [R, M] = col W^T, out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
 *   dW [M, K] = dA2d^T col,  db[m] = sum of dA over n, i, j,  dx = col2im(dA2d W)
 *
 * With the WebAssembly kernels, forward and dW never build col: both read
 * the windows from the input with its padding written out (xpad), forward
 * writing NCHW with the bias added and dW reading dout as it comes
 * (../kernels/conv-direct.ts), in the same order of operations as the
 * products on col. Only dx still goes through products and col2im. With the
 * TypeScript kernels, everything goes through col, as above.
 *
 * xpad, col, out2d, dA2d and dcol live in a Workspace (kernel memory, reused
 * from batch to batch, read by gemm in place); im2col, col2im and the
 * rearrangements run as WebAssembly on the engine's threads. The output
 * and dx live there too: the next forward overwrites the output and the
 * next backward dx (lib/layer.ts: what a caller may keep).
 */
import { checkFinite, checkPositiveInt, checkShape, KataInputError, toPair } from '../../lib/checks';
import type { ConvLayerOptions, ParametricLayer } from '../../lib/layer';
import { gemm } from '../../lib/matmul';
import { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';
import { biasGradientInto } from '../kernels/bias';
import { checkFiniteFast } from '../kernels/finite';
import { convForwardFast, convInputGradientFast, convWeightGradientFast, type PaddedInput } from '../kernels/conv-direct';
import { col2imInto, im2colInto, planesToRows, rowsToPlanes, windowGeometry } from '../kernels/im2col';
import { apart, Workspace } from '../kernel-memory';
import { checkImages, checkWindow } from './checks';

export class Conv2d implements ParametricLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  /** Whether backward computes dx (see ConvLayerOptions.inputGradient). */
  readonly inputGradient: boolean;
  /** W [outChannels, inChannels, FH, FW], b [outChannels]. */
  readonly params: { W: Tensor; b: Tensor };
  /** dL/dW and dL/db from the last backward, same shapes as params. */
  readonly grads: { W: Tensor; b: Tensor };
  /** What backward needs from the last forward: col, or the padded input (direct kernels). */
  private saved: { inputShape: number[]; col: Float64Array | null; padded: PaddedInput | null; OH: number; OW: number } | null = null;
  /** xpad, col, out2d, dA2d and dcol, reused from one call to the next. */
  private readonly workspace = new Workspace();

  /**
   * Checks the options (sizes whole numbers >= 1, padding >= 0: lib's toPair
   * and ./checks.ts's checkWindow, with exercise 01's messages), then draws W
   * with the initializer, or He with `new Rng(seed ?? 0)`, and sets b and both
   * grads to zeros.
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
    this.inputGradient = options.inputGradient ?? true;
    checkWindow(where, this);

    const shape = [this.outChannels, this.inChannels, ...this.kernelSize];
    const fanIn = this.inChannels * this.kernelSize[0] * this.kernelSize[1];
    const rng = new Rng(options.seed ?? 0);
    const W = options.initializer
      ? options.initializer.weights(shape, fanIn, rng)
      : new Tensor(shape, rng.normals(sizeOf(shape), 0, Math.sqrt(2 / fanIn)));
    checkShape(`${where} initializer`, W, shape);
    const ws = this.workspace;
    this.params = { W: ws.tensor('params.W', shape, W.data), b: ws.tensor('params.b', [this.outChannels]) };
    this.grads = { W: ws.tensor('grads.W', shape), b: ws.tensor('grads.b', [this.outChannels]) };
  }

  /** x [N, C, H, W] -> [N, M, OH, OW]; keeps what backward needs (the input shape and xpad or col). */
  forward(input: Tensor): Tensor {
    const x = apart(input, this.workspace);
    const where = 'Conv2d.forward';
    // the values are checked once x is padded (in WebAssembly), or before the im2col path
    const g = checkImages(where, x, this, this.inChannels, false);
    const { OH, OW } = g;
    const N = x.shape[0];
    const M = this.outChannels;
    const P = OH * OW; // output pixels per image
    const R = N * P;
    const K = this.inChannels * this.kernelSize[0] * this.kernelSize[1];
    const fast = convForwardFast(x.data, g, this.params.W.data, this.params.b.data, this.workspace);
    if (fast !== 'not finite' && fast !== null) {
      this.saved = { inputShape: [...x.shape], col: null, padded: fast.padded, OH, OW };
      return new Tensor([N, M, OH, OW], fast.out);
    }
    checkFinite(where, x);
    const out = new Tensor([N, M, OH, OW], this.workspace.array('convOut', N * M * P));
    const col = this.workspace.array('col', R * K);
    im2colInto(x.data, g, col);

    // out2d [R, M] = col [R, K] W^T [K, M]; W is stored [M, K], so transB.
    const out2d = this.workspace.array('out2d', R * M);
    gemm(R, M, K, col, this.params.W.data, out2d, { transB: true });

    // Rows are (n, i, j) and columns m; NCHW wants (n, m, i, j). Add the bias on the way:
    // out[n, m, i, j] = out2d[(n, i, j), m] + b[m]
    rowsToPlanes(out2d, N, P, this.params.b.data, out.data);
    this.saved = { inputShape: [...x.shape], col, padded: null, OH, OW };
    return out;
  }

  /**
   * dout [N, M, OH, OW] -> dx [N, C, H, W]; fills grads.W and grads.b, leaves
   * params alone. Built with `inputGradient: false`, returns zeros for dx
   * (the larger half of backward is not computed: nothing reads it).
   */
  backward(doutGiven: Tensor): Tensor {
    const dout = apart(doutGiven, this.workspace);
    const { R, P, K, inputShape, dA2d: made } = this.parameterGradients(dout);
    if (!this.inputGradient) return new Tensor(inputShape);
    const M = this.outChannels;
    const g = windowGeometry(inputShape, this.kernelSize, this.stride, this.padding);
    const dx = new Tensor(inputShape, this.workspace.array('dx', sizeOf(inputShape)));
    // straight from dout and W when the kernel can (stride 1 along the width), else through dcol
    if (convInputGradientFast(dout.data, this.params.W.data, g, dx.data, this.workspace)) return dx;

    // dcol [R, K] = dA2d [R, M] W [M, K], then back to the pixels.
    const dA2d = made ?? this.dA2d(dout, P);
    const dcol = this.workspace.array('dcol', R * K);
    gemm(R, K, M, dA2d, this.params.W.data, dcol);
    col2imInto(dcol, g, dx.data);
    return dx;
  }

  /** dA2d [R, M], the transpose of the rearrangement in forward: dA2d[(n, i, j), m] = dout[n, m, i, j]. */
  private dA2d(dout: Tensor, P: number): Float64Array {
    const [N, M] = dout.shape;
    const dA2d = this.workspace.array('dA2d', N * P * M);
    planesToRows(dout.data, N, M, P, dA2d);
    return dA2d;
  }

  /** Checks dout, fills grads.b and grads.W; returns the sizes dx needs, and dA2d when it made it. */
  private parameterGradients(dout: Tensor): { R: number; P: number; K: number; inputShape: number[]; dA2d: Float64Array | null } {
    const where = 'Conv2d.backward';
    if (this.saved === null) throw new KataInputError(`${where}: call forward before backward`);
    const { inputShape, padded, OH, OW } = this.saved;
    const N = inputShape[0];
    const M = this.outChannels;
    checkShape(where, dout, [N, M, OH, OW]);
    checkFiniteFast(where, dout);
    const P = OH * OW;
    const R = N * P;
    const K = this.inChannels * this.kernelSize[0] * this.kernelSize[1];

    // db[m] = sum of dout over n, i, j (each plane of dout is contiguous)
    biasGradientInto(dout.data, N, M, P, this.grads.b.data, this.workspace);

    // dW [M, K] = dA2d^T [M, R] col [R, K]: straight from dout and xpad when forward kept xpad
    // (and the kernels have not been switched to TypeScript since), else a product on col
    if (padded !== null && convWeightGradientFast(dout.data, padded, this.grads.W.data, this.workspace)) {
      return { R, P, K, inputShape, dA2d: null };
    }
    let col = this.saved.col;
    if (col === null) {
      // im2col of x with its padding is im2col of xpad without
      col = this.workspace.array('col', R * K);
      im2colInto(padded!.xpad, padded!.geometry, col);
    }
    const dA2d = this.dA2d(dout, P);
    gemm(M, K, R, dA2d, col, this.grads.W.data, { transA: true });
    return { R, P, K, inputShape, dA2d };
  }
}
