/**
 * Exercise 09: output size and parameter count of a convolution layer.
 *
 * Expected values are derived by hand in the comments, or counted by the
 * oracles of tests/helpers/oracle-sizes.ts (sliding a window, listing taps).
 */
import fc from 'fast-check';
import { convLayerStats } from '@kata/09-param-count/param-count';
import { countConvParams, countWindowPositions } from './helpers/oracle-sizes';

describe('09 param-count: the three layers of the exercise sheet', () => {
  it('layer 1: 144x144, 3 channels, 6 filters of 3x3, stride 1, no padding -> 142x142 and 168 parameters', () => {
    // (144 + 0 - 3) / 1 + 1 = 142; weights 3 * 3 * 3 * 6 = 162, biases 6 -> 168.
    expect(convLayerStats({ inputSize: [144, 144], inChannels: 3, outChannels: 6, kernelSize: 3, stride: 1, padding: 0 })).toEqual({
      outputSize: [142, 142],
      weights: 162,
      biases: 6,
      params: 168,
    });
  });

  it('layer 2: 60x60, 24 channels, 48 filters of 3x3, stride 1, no padding -> 58x58 and 10,416 parameters', () => {
    // (60 - 3) / 1 + 1 = 58; weights 3 * 3 * 24 * 48 = 10,368, biases 48 -> 10,416.
    expect(convLayerStats({ inputSize: 60, inChannels: 24, outChannels: 48, kernelSize: [3, 3] })).toEqual({
      outputSize: [58, 58],
      weights: 10_368,
      biases: 48,
      params: 10_416,
    });
  });

  it('layer 3: 20x20, 10 channels, 20 filters of 3x3, stride 2 -> 9x9 (floored) and 1,820 parameters', () => {
    // (20 - 3) / 2 + 1 = 9.5 -> floor -> 9: the window never reaches the last column and row.
    // weights 3 * 3 * 10 * 20 = 1,800, biases 20 -> 1,820.
    expect(convLayerStats({ inputSize: [20, 20], inChannels: 10, outChannels: 20, kernelSize: 3, stride: 2, padding: 0 })).toEqual({
      outputSize: [9, 9],
      weights: 1_800,
      biases: 20,
      params: 1_820,
    });
  });
});

describe('09 param-count: more hand-checked layers', () => {
  it('padding 1 with a 3x3 kernel keeps the size ("same" convolution): 28x28 -> 28x28', () => {
    // (28 + 2 - 3) / 1 + 1 = 28; weights 3 * 3 * 1 * 8 = 72, biases 8.
    expect(convLayerStats({ inputSize: 28, inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1 })).toEqual({
      outputSize: [28, 28],
      weights: 72,
      biases: 8,
      params: 80,
    });
  });

  it('height and width are computed separately: input 10x6, kernel 3x1, stride [2, 1], padding [1, 0]', () => {
    // height: (10 + 2 - 3) / 2 + 1 = 5.5 -> 5; width: (6 + 0 - 1) / 1 + 1 = 6.
    // weights 3 * 1 * 4 * 5 = 60, biases 5.
    expect(convLayerStats({ inputSize: [10, 6], inChannels: 4, outChannels: 5, kernelSize: [3, 1], stride: [2, 1], padding: [1, 0] })).toEqual({
      outputSize: [5, 6],
      weights: 60,
      biases: 5,
      params: 65,
    });
  });

  it('a kernel as large as the padded input gives a 1x1 output (AlexNet-sized first layer on 11x11)', () => {
    // (11 - 11) / 4 + 1 = 1; weights 11 * 11 * 3 * 96 = 34,848, biases 96 -> 34,944.
    expect(convLayerStats({ inputSize: 11, inChannels: 3, outChannels: 96, kernelSize: 11, stride: 4 })).toEqual({
      outputSize: [1, 1],
      weights: 34_848,
      biases: 96,
      params: 34_944,
    });
  });
});

/** Any valid layer: the kernel always fits in the padded input. */
const layerArb = fc
  .record({
    kh: fc.integer({ min: 1, max: 7 }),
    kw: fc.integer({ min: 1, max: 7 }),
    sh: fc.integer({ min: 1, max: 4 }),
    sw: fc.integer({ min: 1, max: 4 }),
    ph: fc.integer({ min: 0, max: 3 }),
    pw: fc.integer({ min: 0, max: 3 }),
    extraH: fc.integer({ min: 0, max: 40 }),
    extraW: fc.integer({ min: 0, max: 40 }),
    inChannels: fc.integer({ min: 1, max: 16 }),
    outChannels: fc.integer({ min: 1, max: 16 }),
  })
  .map((r) => ({
    inputSize: [Math.max(1, r.kh - 2 * r.ph) + r.extraH, Math.max(1, r.kw - 2 * r.pw) + r.extraW] as [number, number],
    inChannels: r.inChannels,
    outChannels: r.outChannels,
    kernelSize: [r.kh, r.kw] as [number, number],
    stride: [r.sh, r.sw] as [number, number],
    padding: [r.ph, r.pw] as [number, number],
  }));

describe('09 param-count: properties over random layers', () => {
  it('the output size equals the number of window positions counted by sliding the window', () => {
    fc.assert(
      fc.property(layerArb, (layer) => {
        const expected = [0, 1].map((a) => countWindowPositions(layer.inputSize[a], layer.kernelSize[a], layer.stride[a], layer.padding[a]));
        expect(convLayerStats(layer).outputSize).toEqual(expected);
      }),
    );
  });

  it('weights and biases equal the filter taps and biases counted one by one; params is their sum', () => {
    fc.assert(
      fc.property(layerArb, (layer) => {
        const { weights, biases } = countConvParams(layer.kernelSize[0], layer.kernelSize[1], layer.inChannels, layer.outChannels);
        const stats = convLayerStats(layer);
        expect({ weights: stats.weights, biases: stats.biases, params: stats.params }).toEqual({ weights, biases, params: weights + biases });
      }),
    );
  });

  it('the parameter count does not depend on the input size, stride or padding', () => {
    fc.assert(
      fc.property(layerArb, (layer) => {
        const bare = convLayerStats({ ...layer, inputSize: layer.kernelSize, stride: 1, padding: 0 });
        expect(convLayerStats(layer).params).toBe(bare.params);
      }),
    );
  });

  it('a number means the same value for height and width', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 30 }),
        (k, s, p, extra) => {
          const n = Math.max(1, k - 2 * p) + extra;
          const square = convLayerStats({ inputSize: n, inChannels: 2, outChannels: 3, kernelSize: k, stride: s, padding: p });
          const pairs = convLayerStats({ inputSize: [n, n], inChannels: 2, outChannels: 3, kernelSize: [k, k], stride: [s, s], padding: [p, p] });
          expect(square).toEqual(pairs);
          expect(square.outputSize[0]).toBe(countWindowPositions(n, k, s, p));
        },
      ),
    );
  });
});

describe('09 param-count: bad input', () => {
  const good = { inputSize: 8, inChannels: 3, outChannels: 4, kernelSize: 3 };

  it('rejects a kernel larger than the padded input', () => {
    expect(() => convLayerStats({ ...good, inputSize: [3, 8], kernelSize: 7, padding: 1 })).toThrow(
      /expected a kernel height <= the padded input height 5 .*got kernel height 7/,
    );
    expect(() => convLayerStats({ ...good, inputSize: [8, 2], kernelSize: [1, 3] })).toThrow(
      /kernel width <= the padded input width 2 .*got kernel width 3/,
    );
  });

  it('rejects zero, negative and fractional sizes and channel counts', () => {
    expect(() => convLayerStats({ ...good, inChannels: 0 })).toThrow(/convLayerStats: inChannels must be a whole number >= 1, got 0/);
    expect(() => convLayerStats({ ...good, outChannels: 2.5 })).toThrow(/outChannels must be a whole number >= 1, got 2.5/);
    expect(() => convLayerStats({ ...good, inputSize: [0, 8] })).toThrow(/input height must be a whole number >= 1, got 0/);
    expect(() => convLayerStats({ ...good, kernelSize: [3, -1] })).toThrow(/kernel width must be a whole number >= 1, got -1/);
    expect(() => convLayerStats({ ...good, stride: 0 })).toThrow(/stride height must be a whole number >= 1, got 0/);
  });

  it('rejects a negative or fractional padding', () => {
    expect(() => convLayerStats({ ...good, padding: -1 })).toThrow(/padding height must be a whole number >= 0, got -1/);
    expect(() => convLayerStats({ ...good, padding: [0, 0.5] })).toThrow(/padding width must be a whole number >= 0, got 0.5/);
  });

  it('rejects NaN and Infinity', () => {
    expect(() => convLayerStats({ ...good, inputSize: [Number.NaN, 8] })).toThrow(/input height must be a whole number >= 1, got NaN/);
    expect(() => convLayerStats({ ...good, outChannels: Number.POSITIVE_INFINITY })).toThrow(/outChannels must be a whole number >= 1, got Infinity/);
  });

  it('rejects a pair that does not have two entries', () => {
    const bad = [3, 3, 3] as unknown as [number, number];
    expect(() => convLayerStats({ ...good, kernelSize: bad })).toThrow(/kernelSize must be a number or a pair \[h, w\], got \[3,3,3\]/);
  });

  // Each message names the very value that is wrong, whichever it is.
  it.each([
    ['inputSize', { inputSize: [8, 8, 8] }, /convLayerStats: inputSize must be a number or a pair \[h, w\], got \[8,8,8\]/],
    ['stride', { stride: [1, 1, 1] }, /convLayerStats: stride must be a number or a pair \[h, w\], got \[1,1,1\]/],
    ['padding', { padding: [0, 0, 0] }, /convLayerStats: padding must be a number or a pair \[h, w\], got \[0,0,0\]/],
    ['input width', { inputSize: [8, 0] }, /convLayerStats: input width must be a whole number >= 1, got 0/],
    ['kernel height', { kernelSize: [0, 3] }, /convLayerStats: kernel height must be a whole number >= 1, got 0/],
    ['stride width', { stride: [1, 0] }, /convLayerStats: stride width must be a whole number >= 1, got 0/],
  ])('names %s when it is wrong', (_, change, message) => {
    expect(() => convLayerStats({ ...good, ...(change as object) })).toThrow(message);
  });
});
