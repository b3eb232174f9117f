/**
 * lib/matmul: every kernel (plain TypeScript, WebAssembly SIMD on one or
 * several threads, and `gemm` which picks one) must give exactly the numbers
 * of `gemmReference`, the triple loop that defines the product.
 *
 * Exactness is the stated guarantee, not a tolerance: every kernel computes
 * each element as s = (accumulate ? C : 0), then s = s + A[i,p] * B[p,j] for
 * p = 0..k-1, one rounded multiply and one rounded add per step, in the same
 * order. Blocking, register tiles and threads only change which thread
 * computes which element and when, so results agree bit for bit, NaN and
 * infinities included. The comparisons below are therefore Object.is on
 * every element.
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { gemm, gemmJs, gemmReference, matmul, startGemmProfile, stopGemmProfile, type GemmOptions } from '../../lib/matmul';
import { getEngineConfig, setEngineConfig } from '../../engine/config';
import { closeKernelThreads, kernelThreadStats, wasmKernelStatus } from '../../engine/kernel-host';
import { gemmWasm } from '../../engine/kernels/gemm';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { s32, u32 } from '../../engine/wasm/assembler';
import { FAMILIES } from '../../engine/wasm/gemm-kernel';
import { buildKernelModule } from '../../engine/wasm/kernel-module';
import { WASM_KERNELS } from '../../engine/wasm/registry';
import { wasmApi } from '../../engine/wasm/webassembly';

type Kernel = (m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, o: GemmOptions) => void;

const KERNELS: [string, Kernel][] = [
  ['gemmJs', gemmJs],
  ['gemmWasm on 1 thread', (m, n, k, a, b, c, o) => gemmWasm(m, n, k, a, b, c, { ...o, threads: 1 })],
  ['gemmWasm on 2 threads', (m, n, k, a, b, c, o) => gemmWasm(m, n, k, a, b, c, { ...o, threads: 2 })],
  ['gemmWasm on 3 threads', (m, n, k, a, b, c, o) => gemmWasm(m, n, k, a, b, c, { ...o, threads: 3 })],
  ...FAMILIES.map((f): [string, Kernel] => [
    `gemmWasm with the ${f.mr}x${f.nr} tile`,
    (m, n, k, a, b, c, o) => gemmWasm(m, n, k, a, b, c, { ...o, threads: 1, family: f }),
  ]),
  ['gemm', gemm],
];

afterAll(() => closeKernelThreads());

/** Values that stress rounding and IEEE special cases. */
const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e300, -1e300, 1e-300, 0.1, 3];

/** Random matrix entries from a seed; with `special`, about 1 in 8 is taken from SPECIAL. */
function values(count: number, seed: number, special: boolean): Float64Array {
  const rng = new Rng(seed);
  const out = rng.uniforms(count, -1, 1);
  if (special) for (let i = 0; i < count; i++) if (rng.int(8) === 0) out[i] = SPECIAL[rng.int(SPECIAL.length)];
  return out;
}

function describeCase(m: number, n: number, k: number, o: GemmOptions): string {
  const flags = [o.transA && 'transA', o.transB && 'transB', o.accumulate && 'accumulate'].filter(Boolean).join(', ');
  return `m=${m}, n=${n}, k=${k}${flags ? `, ${flags}` : ''}`;
}

/** Fails with the first element where `actual` and `expected` are not the same double (Object.is). */
function expectIdentical(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, the reference gives ${expected[i]} (results must be bit-identical)`);
    }
  }
}

/**
 * Runs every kernel and gemmReference on the same operands (C starting from
 * the same random values) and checks that each result is identical.
 */
function checkAgainstReference(kernels: [string, Kernel][], m: number, n: number, k: number, o: GemmOptions, seed: number, special = false): void {
  const a = values(m * k, seed, special);
  const b = values(k * n, seed + 1, special);
  const c0 = values(m * n, seed + 2, special);
  const expected = c0.slice();
  gemmReference(m, n, k, a, b, expected, o);
  for (const [name, kernel] of kernels) {
    const actual = c0.slice();
    kernel(m, n, k, a, b, actual, o);
    expectIdentical(actual, expected, `${name}, ${describeCase(m, n, k, o)}, seed ${seed}`);
  }
}

const flags = fc.record({ transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean() });
/** Shapes: small general ones, tall-skinny ones (im2col products), and long-k ones (weight gradients). */
const shape = fc.oneof(
  fc.record({ m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ m: fc.integer({ min: 1, max: 400 }), n: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ m: fc.integer({ min: 1, max: 17 }), n: fc.integer({ min: 1, max: 30 }), k: fc.integer({ min: 1, max: 1200 }) }),
);

describe('gemmReference (the definition the kernels are checked against)', () => {
  it('multiplies a hand-checkable 2x3 by 3x2 product', () => {
    // [1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154]
    const c = new Float64Array(4);
    gemmReference(2, 2, 3, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), c);
    expect([...c]).toEqual([58, 64, 139, 154]);
  });

  it('reads transposed operands and accumulates into C', () => {
    // A^T stored as 3x2, B^T stored as 2x3; C starts at 1
    const c = Float64Array.of(1, 1, 1, 1);
    gemmReference(2, 2, 3, Float64Array.of(1, 4, 2, 5, 3, 6), Float64Array.of(7, 9, 11, 8, 10, 12), c, {
      transA: true,
      transB: true,
      accumulate: true,
    });
    expect([...c]).toEqual([59, 65, 140, 155]);
  });
});

describe('every kernel gives exactly the reference result', () => {
  it('on random shapes (small, tall-skinny, long k), with transposes and accumulate', () => {
    fc.assert(
      fc.property(shape, flags, fc.integer({ min: 0, max: 1e6 }), ({ m, n, k }, o, seed) => {
        checkAgainstReference(KERNELS, m, n, k, o, seed);
      }),
      { numRuns: 60 },
    );
  });

  it('with zeros, -0, infinities, NaN, subnormals and overflow in the data', () => {
    fc.assert(
      fc.property(shape, flags, fc.integer({ min: 0, max: 1e6 }), ({ m, n, k }, o, seed) => {
        checkAgainstReference(KERNELS, m, n, k, o, seed, true);
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    // the kata's products at a batch of 2 instead of 64: the same skinny shapes
    [2 * 784, 6, 25, { transB: true }],
    [6, 25, 2 * 784, { transA: true }],
    [2 * 784, 25, 6, {}],
    [2 * 100, 16, 150, { transB: true }],
    [16, 150, 2 * 100, { transA: true }],
    [2 * 100, 150, 16, {}],
    [16, 120, 400, {}],
    [400, 120, 16, { transA: true }],
    [16, 400, 120, { transB: true }],
    // k = 1, single rows and columns, and k just past the cache block of 256
    [37, 29, 1, {}],
    [1, 1, 1, { accumulate: true }],
    [1, 53, 300, { transA: true, transB: true }],
    [53, 1, 300, { transB: true, accumulate: true }],
    [9, 7, 257, { transA: true }],
    [5, 11, 513, { accumulate: true }],
  ] as [number, number, number, GemmOptions][])('for m=%i, n=%i, k=%i, %j', (m, n, k, o) => {
    checkAgainstReference(KERNELS, m, n, k, o, m * 1000 + n * 10 + k);
  });

  it.each(KERNELS)('%s: k = 0 makes C zero (or leaves it with accumulate); m = 0 or n = 0 leave C alone', (_, kernel) => {
    const c = Float64Array.of(1, 2, 3, 4);
    kernel(2, 2, 0, new Float64Array(0), new Float64Array(0), c, { accumulate: true });
    expect([...c]).toEqual([1, 2, 3, 4]);
    kernel(2, 2, 0, new Float64Array(0), new Float64Array(0), c, {});
    expect([...c]).toEqual([0, 0, 0, 0]);
    const untouched = Float64Array.of(5, 6);
    kernel(0, 2, 3, new Float64Array(0), new Float64Array(6), untouched, {});
    kernel(2, 0, 3, new Float64Array(6), new Float64Array(0), untouched, {});
    expect([...untouched]).toEqual([5, 6]);
  });
});

describe('threads', () => {
  it('worker threads compute parts of products, and the results stay bit-identical to one thread', async () => {
    const m = 2000;
    const n = 16;
    const k = 150;
    const a = values(m * k, 1, false);
    const b = values(k * n, 2, false);
    const expected = new Float64Array(m * n);
    gemmWasm(m, n, k, a, b, expected, { transB: true, threads: 1 });
    const before = kernelThreadStats().workerChunks;
    // a worker starts in the background; give it time to join in (bounded)
    for (let attempt = 0; attempt < 200 && kernelThreadStats().workerChunks === before; attempt++) {
      const c = new Float64Array(m * n);
      gemmWasm(m, n, k, a, b, c, { transB: true, threads: 2 });
      expectIdentical(c, expected, `2 threads, attempt ${attempt}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(kernelThreadStats().workerChunks).toBeGreaterThan(before);
    for (let repeat = 0; repeat < 20; repeat++) {
      const c = new Float64Array(m * n);
      gemmWasm(m, n, k, a, b, c, { transB: true, threads: 2 });
      expectIdentical(c, expected, `2 threads, repeat ${repeat}`);
    }
  });

  it('splits by columns when C has few rows (weight gradients), still exactly', async () => {
    const m = 6;
    const n = 150;
    const k = 3000;
    const a = values(k * m, 3, false);
    const b = values(k * n, 4, false);
    const expected = new Float64Array(m * n);
    gemmReference(m, n, k, a, b, expected, { transA: true });
    for (let repeat = 0; repeat < 10; repeat++) {
      const c = new Float64Array(m * n);
      gemmWasm(m, n, k, a, b, c, { transA: true, threads: 2 });
      expectIdentical(c, expected, `2 threads, repeat ${repeat}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
});

describe('gemm settings and profile', () => {
  it('uses the WebAssembly kernel when this Node has it, and switches kernels and threads on request', () => {
    expect(wasmKernelStatus().available).toBe(true);
    const previous = setEngineConfig({ kernel: 'js', threads: 1 });
    try {
      expect(getEngineConfig()).toEqual({ kernel: 'js', threads: 1 });
      checkAgainstReference([['gemm (js)', gemm]], 100, 20, 60, {}, 5);
      setEngineConfig({ kernel: 'wasm', threads: 2 });
      checkAgainstReference([['gemm (wasm x2)', gemm]], 1000, 20, 60, { transB: true }, 6);
    } finally {
      setEngineConfig(previous);
    }
  });

  it('rejects a thread count that is not a whole number >= 1', () => {
    expect(() => setEngineConfig({ threads: 0 })).toThrow(/threads must be a whole number >= 1, got 0/);
    expect(() => setEngineConfig({ threads: 1.5 })).toThrow(/threads must be a whole number >= 1, got 1.5/);
  });

  it('counts calls and floating-point operations while profiling', () => {
    const counters = startGemmProfile();
    gemm(3, 4, 5, new Float64Array(15), new Float64Array(20), new Float64Array(12));
    gemm(2, 2, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4));
    expect(stopGemmProfile()).toBe(counters);
    expect(counters.calls).toBe(2);
    expect(counters.flops).toBe(2 * 3 * 4 * 5 + 2 * 2 * 2 * 2);
    gemm(2, 2, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4));
    expect(counters.calls).toBe(2);
  });
});

describe('bad input', () => {
  it('gemm rejects arrays shorter than the sizes say', () => {
    expect(() => gemm(2, 2, 2, new Float64Array(3), new Float64Array(4), new Float64Array(4))).toThrow(
      /gemm: arrays too short for m=2, n=2, k=2 \(A 3, B 4, C 4\)/,
    );
  });

  it('gemm rejects negative or fractional sizes', () => {
    expect(() => gemm(-1, 2, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4))).toThrow(/m must be a whole number >= 0, got -1/);
    expect(() => gemmJs(2, 1.5, 2, new Float64Array(4), new Float64Array(4), new Float64Array(4))).toThrow(/n must be a whole number >= 0, got 1.5/);
  });
});

describe('matmul (tensor form)', () => {
  it('multiplies [m, k] by [k, n] and honours the transposes', () => {
    const A = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = Tensor.from([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(matmul(A, B)).toBeCloseTensor(
      Tensor.from([
        [58, 64],
        [139, 154],
      ]),
      { atol: 0, rtol: 0, what: 'A B' },
    );
    // A^T A is [3, 3]; B B^T is [3, 3]
    expect(matmul(A, A, { transA: true })).toBeCloseTensor(
      Tensor.from([
        [17, 22, 27],
        [22, 29, 36],
        [27, 36, 45],
      ]),
      { atol: 0, rtol: 0, what: 'A^T A' },
    );
    expect(matmul(B, B, { transB: true }).shape).toEqual([3, 3]);
  });

  it('rejects tensors that are not matrices and inner sizes that differ', () => {
    expect(() => matmul(new Tensor([2, 3, 1]), new Tensor([3, 2]))).toThrow(/expected two rank-2 tensors, got \[2, 3, 1\] and \[3, 2\]/);
    expect(() => matmul(new Tensor([2, 3]), new Tensor([4, 2]))).toThrow(/inner sizes differ: op\(A\) is \[2, 3\], op\(B\) is \[4, 2\]/);
  });
});

describe('the WebAssembly module and its assembler', () => {
  it('encodes LEB128 integers as the binary format specifies', () => {
    expect(u32(0)).toEqual([0x00]);
    expect(u32(127)).toEqual([0x7f]);
    expect(u32(128)).toEqual([0x80, 0x01]);
    expect(u32(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(s32(-1)).toEqual([0x7f]);
    expect(s32(63)).toEqual([0x3f]);
    expect(s32(64)).toEqual([0xc0, 0x00]);
    expect(s32(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('generates a module that validates, with shared and with ordinary memory', () => {
    expect(wasmApi.validate(buildKernelModule(WASM_KERNELS, { maxPages: 100, shared: true }))).toBe(true);
    expect(wasmApi.validate(buildKernelModule(WASM_KERNELS, { maxPages: 100, shared: false }))).toBe(true);
  });

  it('generates the same bytes every time (the kernel is a pure function of its source)', () => {
    const one = buildKernelModule(WASM_KERNELS, { maxPages: 32767, shared: true });
    const two = buildKernelModule(WASM_KERNELS, { maxPages: 32767, shared: true });
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
  });
});
