/**
 * The engine's direct Conv2d kernels (no im2col matrix): on 1 and 2 threads
 * they give, with Object.is on every element, the numbers of the im2col path,
 * whose order of operations is the readable reference's:
 *   forward  out = (0 + sum over k of col * W) + b   (im2col, gemm, rowsToPlanes)
 *   dW       0 + sum over r of dA2d * col            (planesToRows, im2col, gemm)
 * Signed zeros in the input, dout and padding included. Also: the padded
 * input the forward keeps has the same im2col matrix as the input with its padding.
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { getEngineConfig, setEngineConfig } from '../../engine/config';
import { closeKernelThreads } from '../../engine/kernel-host';
import { Workspace } from '../../engine/kernel-memory';
import { convForwardFast, convWeightGradientFast } from '../../engine/kernels/conv-direct';
import { Conv2d } from '../../engine/layers/conv2d';
import { im2colInto, planesToRows, rowsToPlanes, windowGeometry } from '../../engine/kernels/im2col';
import { gemm } from '../../lib/matmul';
import { Tensor } from '../../lib/tensor';
import { convConfigArb, seededTensor, type ConvConfig } from '../helpers/arbitraries';

afterAll(() => closeKernelThreads());

function expectSameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Input, weights and bias of a configuration; every 5th input value a zero of alternating sign. */
function problem(c: ConvConfig) {
  const shape = [c.batch, c.inChannels, c.height, c.width];
  const g = windowGeometry(shape, c.kernel, c.stride, c.padding);
  const x = seededTensor(shape, c.seed).data;
  for (let i = 0; i < x.length; i += 5) x[i] = i % 2 === 0 ? 0 : -0;
  const K = c.inChannels * c.kernel[0] * c.kernel[1];
  const W = seededTensor([c.outChannels, K], c.seed + 1).data;
  const b = seededTensor([c.outChannels], c.seed + 2).data;
  const dout = seededTensor([c.batch, c.outChannels, g.OH, g.OW], c.seed + 3).data;
  for (let i = 0; i < dout.length; i += 3) dout[i] = i % 2 === 0 ? 0 : -0;
  return { g, x, W, b, K, dout };
}

/** The im2col path in plain TypeScript (arrays outside kernel memory, lib's TypeScript gemm). */
function im2colPath(p: ReturnType<typeof problem>): { out: Float64Array; col: Float64Array; dW: Float64Array } {
  const { g, x, W, b, K, dout } = p;
  const R = g.N * g.OH * g.OW;
  const M = b.length;
  const previous = setEngineConfig({ kernel: 'js', threads: 1 });
  try {
    const col = new Float64Array(R * K);
    im2colInto(x, g, col);
    const rows = new Float64Array(R * M);
    gemm(R, M, K, col, W, rows, { transB: true });
    const out = new Float64Array(R * M);
    rowsToPlanes(rows, g.N, g.OH * g.OW, b, out);
    const dA2d = new Float64Array(R * M);
    planesToRows(dout, g.N, M, g.OH * g.OW, dA2d);
    const dW = new Float64Array(M * K);
    gemm(M, K, R, dA2d, col, dW, { transA: true });
    return { out, col, dW };
  } finally {
    setEngineConfig(previous);
  }
}

// up to 20 output channels: more than two blocks of 8, and blocks left partly empty
const configs = convConfigArb({ maxBatch: 4, maxSize: 9 }).chain((c) => fc.integer({ min: 1, max: 20 }).map((outChannels) => ({ ...c, outChannels })));

describe.each([1, 2])('direct Conv2d kernels on %i thread(s)', (threads) => {
  let previous: ReturnType<typeof getEngineConfig>;
  beforeAll(() => {
    previous = setEngineConfig({ kernel: 'wasm', threads });
  });
  afterAll(() => setEngineConfig(previous));

  it("give the im2col path's output and dW bit for bit; the padded input has the same im2col matrix", () => {
    fc.assert(
      fc.property(configs, (c) => {
        const p = problem(c);
        const expected = im2colPath(p);
        const workspace = new Workspace();
        const fast = convForwardFast(p.x, p.g, p.W, p.b, workspace);
        if (fast === null || fast === 'not finite') throw new Error(`the fast path gave ${fast}`);
        expectSameBits(fast.out, expected.out, 'out');
        const dW = new Float64Array(expected.dW.length).fill(7);
        expect(convWeightGradientFast(p.dout, fast.padded, dW, workspace)).toBe(true);
        expectSameBits(dW, expected.dW, 'dW');
        const col = new Float64Array(expected.col.length).fill(7);
        im2colInto(fast.padded.xpad, fast.padded.geometry, col);
        expectSameBits(col, expected.col, 'im2col of the padded input');
      }),
      { numRuns: 150 },
    );
  });

  it("give the same bits on a batch large enough to be shared between threads (LeNet-5's first layer)", () => {
    const p = problem({ batch: 16, inChannels: 1, outChannels: 6, height: 28, width: 28, kernel: [5, 5], stride: [1, 1], padding: [2, 2], seed: 3 });
    const expected = im2colPath(p);
    const workspace = new Workspace();
    const fast = convForwardFast(p.x, p.g, p.W, p.b, workspace);
    if (fast === null || fast === 'not finite') throw new Error(`the fast path gave ${fast}`);
    expectSameBits(fast.out, expected.out, 'out');
    const dW = new Float64Array(expected.dW.length);
    expect(convWeightGradientFast(p.dout, fast.padded, dW, workspace)).toBe(true);
    expectSameBits(dW, expected.dW, 'dW');
  });

  it('are not used with the TypeScript kernels (the caller takes the im2col path)', () => {
    const p = problem({ batch: 1, inChannels: 1, outChannels: 2, height: 4, width: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1], seed: 1 });
    const before = setEngineConfig({ kernel: 'js' });
    try {
      expect(convForwardFast(p.x, p.g, p.W, p.b, new Workspace())).toBeNull();
      const padded = { xpad: new Float64Array(36), geometry: windowGeometry([1, 1, 6, 6], [3, 3], [1, 1], [0, 0]) };
      expect(convWeightGradientFast(p.dout, padded, new Float64Array(18), new Workspace())).toBe(false);
    } finally {
      setEngineConfig(before);
    }
  });
});

describe('the engine Conv2d when the kernels change between forward and backward', () => {
  afterAll(() => setEngineConfig({ kernel: 'wasm' }));

  it('builds the im2col matrix from the padded input it kept: the same dx and gradients', () => {
    const c: ConvConfig = { batch: 3, inChannels: 2, outChannels: 5, height: 9, width: 7, kernel: [3, 2], stride: [2, 1], padding: [1, 1], seed: 11 };
    const x = new Tensor([c.batch, c.inChannels, c.height, c.width], problem(c).x);
    const run = (backwardKernel: 'wasm' | 'js') => {
      setEngineConfig({ kernel: 'wasm', threads: 1 });
      const layer = new Conv2d({ ...c, kernelSize: c.kernel, seed: 4 });
      const out = layer.forward(x);
      setEngineConfig({ kernel: backwardKernel });
      const dx = layer.backward(seededTensor(out.shape, 5));
      return { dx: dx.data, dW: layer.grads.W.data, db: layer.grads.b.data };
    };
    const direct = run('wasm');
    const switched = run('js');
    expectSameBits(switched.dx, direct.dx, 'dx');
    expectSameBits(switched.dW, direct.dW, 'dW');
    expectSameBits(switched.db, direct.db, 'db');
  });
});
