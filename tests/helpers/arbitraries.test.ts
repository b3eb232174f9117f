import fc from 'fast-check';
import { convConfigArb, poolConfigArb, seededTensor, tensorArb } from './arbitraries';

/** Windows along one axis, counted by sliding (not by the formula). */
function windowCount(input: number, kernel: number, stride: number, padding: number): number {
  let count = 0;
  for (let start = -padding; start + kernel <= input + padding; start += stride) count++;
  return count;
}

describe('tensorArb and seededTensor', () => {
  it('tensorArb gives the asked shape with finite values in [min, max]', () => {
    fc.assert(
      fc.property(tensorArb([2, 3, 2], -0.5, 2), (t) => {
        expect(t.shape).toEqual([2, 3, 2]);
        expect(t.size).toBe(12);
        for (const v of t.data) expect(Number.isFinite(v) && v >= -0.5 && v <= 2).toBe(true);
      }),
    );
  });

  it('seededTensor is replayable by its seed and stays in [min, max)', () => {
    const a = seededTensor([3, 4], 9, -2, 2);
    expect(seededTensor([3, 4], 9, -2, 2)).toBeCloseTensor(a, { atol: 0, rtol: 0, what: 'seededTensor with seed 9' });
    expect(Array.from(seededTensor([3, 4], 10, -2, 2).data)).not.toEqual(Array.from(a.data));
    for (const v of a.data) expect(v >= -2 && v < 2).toBe(true);
  });
});

describe('convConfigArb: always a valid convolution', () => {
  it('sizes are whole numbers in range and the kernel fits in the padded input on both axes', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        for (const v of [cfg.batch, cfg.inChannels, cfg.outChannels, cfg.height, cfg.width, ...cfg.kernel, ...cfg.stride]) {
          expect(Number.isInteger(v) && v >= 1).toBe(true);
        }
        for (const p of cfg.padding) expect(Number.isInteger(p) && p >= 0 && p <= 2).toBe(true);
        expect(cfg.kernel[0]).toBeLessThanOrEqual(cfg.height + 2 * cfg.padding[0]);
        expect(cfg.kernel[1]).toBeLessThanOrEqual(cfg.width + 2 * cfg.padding[1]);
        expect(cfg.batch).toBeLessThanOrEqual(2);
        expect(Math.max(cfg.inChannels, cfg.outChannels)).toBeLessThanOrEqual(3);
        expect(Math.max(...cfg.kernel)).toBeLessThanOrEqual(4);
        expect(Math.max(...cfg.stride)).toBeLessThanOrEqual(3);
        expect(windowCount(cfg.height, cfg.kernel[0], cfg.stride[0], cfg.padding[0])).toBeGreaterThanOrEqual(1);
        expect(windowCount(cfg.width, cfg.kernel[1], cfg.stride[1], cfg.padding[1])).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('respects the given limits', () => {
    const limits = { maxBatch: 1, maxChannels: 1, maxKernel: 2, maxStride: 1, maxPadding: 0, maxSize: 1 };
    fc.assert(
      fc.property(convConfigArb(limits), (cfg) => {
        expect([cfg.batch, cfg.inChannels, cfg.outChannels]).toEqual([1, 1, 1]);
        expect(Math.max(...cfg.kernel)).toBeLessThanOrEqual(2);
        expect(cfg.stride).toEqual([1, 1]);
        expect(cfg.padding).toEqual([0, 0]);
        expect(cfg.height).toBeLessThanOrEqual(cfg.kernel[0] + 1);
        expect(cfg.kernel[0]).toBeLessThanOrEqual(cfg.height);
      }),
    );
  });

  it('reaches the interesting cases: stride > 1, padding > 0, non-square kernels', () => {
    const samples = fc.sample(convConfigArb(), { numRuns: 300, seed: 1 });
    expect(samples.some((c) => c.stride[0] > 1 || c.stride[1] > 1)).toBe(true);
    expect(samples.some((c) => c.padding[0] > 0 || c.padding[1] > 0)).toBe(true);
    expect(samples.some((c) => c.kernel[0] !== c.kernel[1])).toBe(true);
  });
});

describe('poolConfigArb: always a valid pooling', () => {
  it('the kernel fits in the padded input, padding <= floor(kernel / 2), stride default or 1..3', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        for (const v of [cfg.batch, cfg.channels, cfg.height, cfg.width, ...cfg.kernel]) expect(Number.isInteger(v) && v >= 1).toBe(true);
        for (let axis = 0; axis < 2; axis++) {
          const padding = cfg.padding[axis];
          expect(Number.isInteger(padding) && padding >= 0 && padding <= Math.floor(cfg.kernel[axis] / 2)).toBe(true);
          const size = axis === 0 ? cfg.height : cfg.width;
          expect(cfg.kernel[axis]).toBeLessThanOrEqual(size + 2 * padding);
          const stride = (cfg.stride ?? cfg.kernel)[axis];
          expect(Number.isInteger(stride) && stride >= 1).toBe(true);
          expect(windowCount(size, cfg.kernel[axis], stride, padding)).toBeGreaterThanOrEqual(1);
        }
        if (cfg.stride !== undefined) for (const s of cfg.stride) expect(s).toBeLessThanOrEqual(3);
        expect(Math.max(...cfg.kernel)).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('every window holds at least one real (unpadded) cell', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        for (let axis = 0; axis < 2; axis++) {
          const size = axis === 0 ? cfg.height : cfg.width;
          const [k, s, p] = [cfg.kernel[axis], (cfg.stride ?? cfg.kernel)[axis], cfg.padding[axis]];
          for (let start = -p; start + k <= size + p; start += s) {
            // The window covers start .. start + k - 1; it must meet 0 .. size - 1.
            expect(start + k - 1 >= 0 && start <= size - 1).toBe(true);
          }
        }
      }),
    );
  });

  it('padding: false gives no padding; maxKernel limits the kernel', () => {
    fc.assert(
      fc.property(poolConfigArb({ padding: false, maxKernel: 2 }), (cfg) => {
        expect(cfg.padding).toEqual([0, 0]);
        expect(Math.max(...cfg.kernel)).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('reaches the interesting cases: default stride, overlapping windows, a stride that does not divide, padding', () => {
    const samples = fc.sample(poolConfigArb(), { numRuns: 300, seed: 1 });
    expect(samples.some((c) => c.stride === undefined)).toBe(true);
    expect(samples.some((c) => c.stride !== undefined && c.stride[0] < c.kernel[0])).toBe(true);
    expect(samples.some((c) => c.stride !== undefined && (c.height + 2 * c.padding[0] - c.kernel[0]) % c.stride[0] !== 0)).toBe(true);
    expect(samples.some((c) => c.padding[0] > 0 || c.padding[1] > 0)).toBe(true);
  });
});
