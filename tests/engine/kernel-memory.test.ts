/**
 * lib/kernel-memory: arrays in the kernels' memory, the allocator behind
 * them, Workspace, and gemm using such arrays in place (no copy) with
 * exactly the numbers of gemmReference (Object.is on every element).
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { allocKernelArray, freeKernelArray, kernelAddress, kernelMemoryStats, Workspace } from '../../engine/kernel-memory';
import { gemmReference, type GemmOptions } from '../../lib/matmul';
import { closeKernelThreads } from '../../engine/kernel-host';
import { gemmWasm } from '../../engine/kernels/gemm';
import { Rng } from '../../lib/random';

afterAll(() => closeKernelThreads());

function kernelArray(length: number): Float64Array {
  const a = allocKernelArray(length);
  if (a === null) throw new Error('kernel memory is unavailable');
  return a;
}

describe('the allocator', () => {
  it('hands out 16-byte aligned blocks that do not overlap, and knows its own arrays', () => {
    const arrays = [3, 1, 100, 7, 4096].map((n) => kernelArray(n));
    const ranges = arrays.map((a) => [kernelAddress(a), kernelAddress(a) + 8 * a.length]).sort((p, q) => p[0] - q[0]);
    for (const [start] of ranges) expect(start % 16).toBe(0);
    for (let r = 1; r < ranges.length; r++) expect(ranges[r][0]).toBeGreaterThanOrEqual(ranges[r - 1][1]);
    expect(kernelAddress(new Float64Array(8))).toBe(-1);
    arrays.forEach(freeKernelArray);
  });

  it('reuses freed blocks, merging neighbours, and returns to its starting size', () => {
    const before = kernelMemoryStats();
    const a = kernelArray(1000);
    const b = kernelArray(1000);
    const c = kernelArray(1000);
    const bAt = kernelAddress(b);
    freeKernelArray(a);
    freeKernelArray(b);
    // a and b merged: a block of 2000 doubles fits where they were
    const d = kernelArray(2000);
    expect(kernelAddress(d)).toBeLessThan(bAt);
    freeKernelArray(c);
    freeKernelArray(d);
    expect(kernelMemoryStats().liveBytes).toBe(before.liveBytes);
    expect(kernelMemoryStats().blocks).toBe(before.blocks);
  });

  it('keeps arrays valid while the memory grows', () => {
    const small = kernelArray(10);
    small.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const big = kernelArray(4 * 1024 * 1024); // 32 MiB: the memory has to grow
    big.fill(-1);
    expect(Array.from(small)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(kernelAddress(small)).toBeGreaterThanOrEqual(0);
    expect(kernelAddress(big)).toBeGreaterThanOrEqual(0);
    freeKernelArray(big);
    freeKernelArray(small);
  });

  it('refuses to free an array it did not hand out', () => {
    expect(() => freeKernelArray(new Float64Array(4))).toThrow('freeKernelArray: the array is not in kernel memory');
  });
});

describe('Workspace', () => {
  it('gives the same array for the same name and length, and a new one when the length changes', () => {
    const w = new Workspace();
    const col = w.array('col', 50);
    expect(kernelAddress(col)).toBeGreaterThanOrEqual(0);
    expect(w.array('col', 50)).toBe(col);
    expect(w.array('other', 50)).not.toBe(col);
    const bigger = w.array('col', 60);
    expect(bigger).not.toBe(col);
    expect(bigger.length).toBe(60);
  });
});

describe('gemm on arrays in kernel memory', () => {
  const flags = fc.record({ transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean() });
  const shape = fc.record({ m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 20 }), k: fc.integer({ min: 1, max: 90 }) });
  const where = fc.record({ a: fc.boolean(), b: fc.boolean(), c: fc.boolean() });

  it('uses them in place and gives the bits of gemmReference, on 1 and 2 threads', () => {
    fc.assert(
      fc.property(shape, flags, where, fc.integer({ min: 1, max: 2 }), fc.nat(), ({ m, n, k }, o: GemmOptions, inKernel, threads, seed) => {
        const rng = new Rng(seed);
        const place = (resident: boolean, values: Float64Array): Float64Array => {
          const a = resident ? kernelArray(values.length) : new Float64Array(values.length);
          a.set(values);
          return a;
        };
        const a = place(inKernel.a, rng.uniforms(m * k, -1, 1));
        const b = place(inKernel.b, rng.uniforms(k * n, -1, 1));
        const c0 = rng.uniforms(m * n, -1, 1);
        const c = place(inKernel.c, c0);
        const expected = Float64Array.from(c0);
        gemmReference(m, n, k, a, b, expected, o);
        gemmWasm(m, n, k, a, b, c, { ...o, threads });
        for (let i = 0; i < m * n; i++) if (!Object.is(c[i], expected[i])) throw new Error(`element ${i}: ${c[i]} != ${expected[i]}`);
        for (const x of [a, b, c]) if (kernelAddress(x) >= 0) freeKernelArray(x);
      }),
      { numRuns: 200 },
    );
  });

  it('computes C correctly when C is the same array as A (it writes elsewhere first)', () => {
    const a = kernelArray(16);
    a.set(Array.from({ length: 16 }, (_, i) => i - 5));
    const b = Float64Array.from(Array.from({ length: 16 }, (_, i) => (i % 3) - 1));
    const expected = new Float64Array(16);
    gemmReference(4, 4, 4, Float64Array.from(a), b, expected);
    gemmWasm(4, 4, 4, a, b, a);
    expect(Array.from(a)).toEqual(Array.from(expected));
    freeKernelArray(a);
  });
});
