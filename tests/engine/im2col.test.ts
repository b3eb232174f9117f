/**
 * lib/im2col: the im2col and col2im the reference Conv2d calls. Exact
 * guarantees, checked with Object.is on every element:
 * - im2colInto writes the matrix of the definition (the oracle's loop);
 * - the WebAssembly path (col in kernel memory), on 1 or 2 threads, and the
 *   TypeScript path (col anywhere else) give the same bits, for both functions;
 * and, within rounding, col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { col2imInto, windowGeometry, im2colInto, planesToRows, rowsToPlanes, type WindowGeometry } from '../../engine/kernels/im2col';
import { allocKernelArray, freeKernelArray } from '../../engine/kernel-memory';
import { getEngineConfig, setEngineConfig } from '../../engine/config';
import { closeKernelThreads } from '../../engine/kernel-host';
import { Rng } from '../../lib/random';
import { convConfigArb, seededTensor, type ConvConfig } from '../helpers/arbitraries';
import { Tensor } from '../../lib/tensor';
import { oracleIm2col } from '../helpers/oracle-conv';

/** col2imInto into a new tensor whose elements start as NaN: every one must be written. */
function col2im(col: Float64Array, g: WindowGeometry): Tensor {
  const dx = new Tensor([g.N, g.C, g.H, g.W], new Float64Array(g.N * g.C * g.H * g.W).fill(NaN));
  col2imInto(col, g, dx.data);
  return dx;
}

afterAll(() => closeKernelThreads());

/** The geometry of a conv configuration, its input, and the length of col. */
function setUp(c: ConvConfig): { g: WindowGeometry; x: Tensor; colLength: number } {
  const shape = [c.batch, c.inChannels, c.height, c.width];
  const g = windowGeometry(shape, c.kernel, c.stride, c.padding);
  return { g, x: seededTensor(shape, c.seed), colLength: g.N * g.OH * g.OW * g.C * g.FH * g.FW };
}

const geometry = convConfigArb({ maxBatch: 5, maxSize: 8 });

/** `f` with col in kernel memory (the WebAssembly path), freed afterwards. */
function withKernelArray<T>(length: number, f: (a: Float64Array) => T): T {
  const a = allocKernelArray(length);
  if (a === null) throw new Error('kernel memory is unavailable');
  try {
    return f(a);
  } finally {
    freeKernelArray(a);
  }
}

function expectSameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe.each([1, 2])('im2col and col2im with %i thread(s)', (threads) => {
  let previous: ReturnType<typeof getEngineConfig>;
  beforeAll(() => {
    previous = setEngineConfig({ kernel: 'wasm', threads });
  });
  afterAll(() => setEngineConfig(previous));

  it('im2colInto writes the matrix of the definition, in TypeScript and in WebAssembly alike', () => {
    fc.assert(
      fc.property(geometry, (c) => {
        const { g, x, colLength } = setUp(c);
        const expected = oracleIm2col(x, [g.FH, g.FW], { stride: [g.SH, g.SW], padding: [g.PH, g.PW] }).data;
        const plain = new Float64Array(colLength).fill(7); // stale values must all be overwritten
        im2colInto(x.data, g, plain);
        expectSameBits(plain, expected, 'TypeScript im2col');
        withKernelArray(colLength, (col) => {
          col.fill(7);
          im2colInto(x.data, g, col);
          expectSameBits(col, expected, 'WebAssembly im2col');
        });
      }),
      { numRuns: 150 },
    );
  });

  it('col2imInto gives the same bits in TypeScript and in WebAssembly, and is the adjoint of im2col', () => {
    fc.assert(
      fc.property(geometry, (c) => {
        const { g, x, colLength } = setUp(c);
        const values = new Rng(c.seed + 1).normals(colLength, 0, 1);
        const plain = col2im(values, g);
        const fast = withKernelArray(colLength, (col) => {
          col.set(values);
          return col2im(col, g);
        });
        expect(fast.shape).toEqual([g.N, g.C, g.H, g.W]);
        expectSameBits(fast.data, plain.data, 'WebAssembly col2im');

        // <im2col(x), values> = <x, col2im(values)>
        const col = new Float64Array(colLength);
        im2colInto(x.data, g, col);
        let left = 0;
        let scale = 0;
        for (let i = 0; i < colLength; i++) {
          left += col[i] * values[i];
          scale += Math.abs(col[i] * values[i]);
        }
        let right = 0;
        for (let i = 0; i < x.size; i++) right += x.data[i] * plain.data[i];
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-12 * Math.max(1, scale));
      }),
      { numRuns: 150 },
    );
  });
});

describe.each([
  ['TypeScript', 'js', 1],
  ['WebAssembly on 1 thread', 'wasm', 1],
  ['WebAssembly on 2 threads', 'wasm', 2],
] as const)('rowsToPlanes and planesToRows in %s', (_, kernel, threads) => {
  let previous: ReturnType<typeof getEngineConfig>;
  beforeAll(() => {
    previous = setEngineConfig({ kernel, threads });
  });
  afterAll(() => setEngineConfig(previous));

  const sizes = fc.record({
    N: fc.integer({ min: 1, max: 70 }),
    P: fc.integer({ min: 1, max: 40 }),
    M: fc.integer({ min: 1, max: 17 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });

  it('rearrange by their definitions, the rows array in kernel memory or not', () => {
    fc.assert(
      fc.property(sizes, fc.boolean(), ({ N, P, M, seed }, inKernel) => {
        const rng = new Rng(seed);
        const length = N * P * M;
        const values = rng.normals(length, 0, 1);
        const bias = rng.normals(M, 0, 1);
        const run = (rows: Float64Array): void => {
          rows.set(values);
          const out = new Float64Array(length).fill(7);
          rowsToPlanes(rows, N, P, bias, out);
          for (let n = 0; n < N; n++)
            for (let m = 0; m < M; m++)
              for (let p = 0; p < P; p++) {
                const expected = values[(n * P + p) * M + m] + bias[m];
                if (!Object.is(out[(n * M + m) * P + p], expected)) throw new Error(`rowsToPlanes at n=${n}, m=${m}, p=${p}`);
              }
          rows.fill(7);
          planesToRows(values, N, M, P, rows);
          for (let n = 0; n < N; n++)
            for (let m = 0; m < M; m++)
              for (let p = 0; p < P; p++) {
                if (!Object.is(rows[(n * P + p) * M + m], values[(n * M + m) * P + p])) throw new Error(`planesToRows at n=${n}, m=${m}, p=${p}`);
              }
        };
        if (inKernel) withKernelArray(length, run);
        else run(new Float64Array(length));
      }),
      { numRuns: 100 },
    );
  });
});

describe('a batch large enough to be split between threads', () => {
  it('gives the bits of the TypeScript loops on 2 threads', () => {
    const previous = setEngineConfig({ kernel: 'wasm', threads: 2 });
    try {
      const g = windowGeometry([9, 3, 28, 28], [5, 5], [1, 1], [2, 2]);
      const x = new Rng(3).normals(9 * 3 * 28 * 28, 0, 1);
      const length = 9 * 28 * 28 * 75;
      const plain = new Float64Array(length);
      im2colInto(x, g, plain);
      withKernelArray(length, (col) => {
        im2colInto(x, g, col);
        expectSameBits(col, plain, 'im2col on 2 threads');
        const values = new Rng(4).normals(length, 0, 1);
        col.set(values);
        expectSameBits(col2im(col, g).data, col2im(values, g).data, 'col2im on 2 threads');
      });
    } finally {
      setEngineConfig(previous);
    }
  });
});

describe('bad input', () => {
  it('windowGeometry rejects a window that does not fit', () => {
    expect(() => windowGeometry([1, 1, 2, 2], [3, 3], [1, 1], [0, 0])).toThrow(
      'windowGeometry: no window of 3x3 fits input [1, 1, 2, 2] with padding [0, 0]',
    );
  });

  it('im2colInto and col2imInto reject arrays of the wrong length, naming both lengths', () => {
    const g = windowGeometry([1, 1, 4, 4], [3, 3], [1, 1], [0, 0]);
    expect(() => im2colInto(new Float64Array(16), g, new Float64Array(35))).toThrow('im2colInto: expected x of 16 values and col of 36, got 16 and 35');
    expect(() => col2imInto(new Float64Array(37), g, new Float64Array(16))).toThrow('col2imInto: expected x of 16 values and col of 36, got 16 and 37');
    expect(() => rowsToPlanes(new Float64Array(12), 2, 3, new Float64Array(2), new Float64Array(11))).toThrow(
      'rowsToPlanes: expected arrays of N*P*M = 12 values, got 12 (rows) and 11 (planes)',
    );
  });
});
