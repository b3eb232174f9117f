/**
 * fast-check arbitraries for property-based tests: tensors and valid
 * convolution / pooling configurations. Sizes are kept small so that a
 * property can run a brute-force oracle a hundred times in well under a second.
 */
import fc from 'fast-check';
import { Rng } from '../../lib/random';
import { sizeOf, Tensor } from '../../lib/tensor';

/** A tensor of the given shape with values in [min, max] (no NaN, no Infinity). */
export function tensorArb(shape: readonly number[], min = -1, max = 1): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((values) => new Tensor(shape, values));
}

/** A tensor filled from a seeded generator: cheaper than `tensorArb` for large shapes, replayable by seed. */
export function seededTensor(shape: readonly number[], seed: number, min = -1, max = 1): Tensor {
  return new Tensor(shape, new Rng(seed).uniforms(sizeOf(shape), min, max));
}

/** A convolution problem that is always valid: the kernel fits in the padded input. */
export interface ConvConfig {
  batch: number;
  inChannels: number;
  outChannels: number;
  height: number;
  width: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  /** Seed for the input, weight and gradient values. */
  seed: number;
}

export interface ConvConfigLimits {
  maxBatch?: number;
  maxChannels?: number;
  maxKernel?: number;
  maxStride?: number;
  maxPadding?: number;
  maxSize?: number;
}

/** Valid conv configurations: stride 1..3, padding 0..2, non-square kernels and inputs. */
export function convConfigArb(limits: ConvConfigLimits = {}): fc.Arbitrary<ConvConfig> {
  const { maxBatch = 2, maxChannels = 3, maxKernel = 4, maxStride = 3, maxPadding = 2, maxSize = 7 } = limits;
  return fc
    .record({
      batch: fc.integer({ min: 1, max: maxBatch }),
      inChannels: fc.integer({ min: 1, max: maxChannels }),
      outChannels: fc.integer({ min: 1, max: maxChannels }),
      kh: fc.integer({ min: 1, max: maxKernel }),
      kw: fc.integer({ min: 1, max: maxKernel }),
      sh: fc.integer({ min: 1, max: maxStride }),
      sw: fc.integer({ min: 1, max: maxStride }),
      ph: fc.integer({ min: 0, max: maxPadding }),
      pw: fc.integer({ min: 0, max: maxPadding }),
      extraH: fc.integer({ min: 0, max: maxSize }),
      extraW: fc.integer({ min: 0, max: maxSize }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => ({
      batch: r.batch,
      inChannels: r.inChannels,
      outChannels: r.outChannels,
      // The padded input must hold the kernel: H + 2P >= F, and H >= 1.
      height: Math.max(1, r.kh - 2 * r.ph) + r.extraH,
      width: Math.max(1, r.kw - 2 * r.pw) + r.extraW,
      kernel: [r.kh, r.kw] as [number, number],
      stride: [r.sh, r.sw] as [number, number],
      padding: [r.ph, r.pw] as [number, number],
      seed: r.seed,
    }));
}

/** A pooling problem that is always valid. `stride` undefined means "the default" (= kernel). */
export interface PoolConfig {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernel: [number, number];
  stride: [number, number] | undefined;
  padding: [number, number];
  seed: number;
}

/** Valid pooling configurations, overlapping windows (stride < kernel) included; padding <= floor(kernel / 2) as frameworks require. */
export function poolConfigArb(limits: { maxKernel?: number; maxSize?: number; padding?: boolean } = {}): fc.Arbitrary<PoolConfig> {
  const { maxKernel = 3, maxSize = 6, padding = true } = limits;
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      channels: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: maxKernel }),
      kw: fc.integer({ min: 1, max: maxKernel }),
      stride: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
      ph: fc.integer({ min: 0, max: padding ? 1 : 0 }),
      pw: fc.integer({ min: 0, max: padding ? 1 : 0 }),
      extraH: fc.integer({ min: 0, max: maxSize }),
      extraW: fc.integer({ min: 0, max: maxSize }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => {
      const ph = Math.min(r.ph, Math.floor(r.kh / 2));
      const pw = Math.min(r.pw, Math.floor(r.kw / 2));
      return {
        batch: r.batch,
        channels: r.channels,
        height: Math.max(1, r.kh - 2 * ph) + r.extraH,
        width: Math.max(1, r.kw - 2 * pw) + r.extraW,
        kernel: [r.kh, r.kw] as [number, number],
        stride: r.stride as [number, number] | undefined,
        padding: [ph, pw] as [number, number],
        seed: r.seed,
      };
    });
}
