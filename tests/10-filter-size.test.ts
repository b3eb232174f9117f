/**
 * Exercise 10: receptive fields, stacks of 3x3 filters against one big
 * filter, and 1x1 convolutions.
 *
 * Expected values come from hand calculations in the comments or from the
 * counting oracles of tests/helpers/oracle-sizes.ts (tracing which input
 * pixels reach an output, listing filter taps, sliding windows).
 */
import fc from 'fast-check';
import { pointwiseConv, receptiveField, singleFilterCost, stackedCost } from '@kata/10-filter-size/filter-size';
import { countConvParams, countWindowPositions, traceReceptiveField } from './helpers/oracle-sizes';

const threeByThree = (n: number) => Array.from({ length: n }, () => ({ kernel: 3 }));

describe('10 filter-size: receptive field', () => {
  it('one 3x3 layer sees 3 pixels; two see 5 (like one 5x5); three see 7 (like one 7x7)', () => {
    expect(receptiveField(threeByThree(1))).toBe(3);
    expect(receptiveField(threeByThree(2))).toBe(5);
    expect(receptiveField(threeByThree(3))).toBe(7);
  });

  it('an empty stack sees one pixel, and a 1x1 layer adds nothing', () => {
    expect(receptiveField([])).toBe(1);
    expect(receptiveField([{ kernel: 1 }, { kernel: 1, stride: 2 }])).toBe(1);
  });

  it('strides multiply the step of the layers above: conv 3, pool 2 stride 2, conv 3 -> 8', () => {
    // r: 1 -> 1 + 2*1 = 3 -> 3 + 1*1 = 4 (jump becomes 2) -> 4 + 2*2 = 8.
    expect(receptiveField([{ kernel: 3 }, { kernel: 2, stride: 2 }, { kernel: 3 }])).toBe(8);
  });

  it('LeNet-5 (conv 5, pool 2/2, conv 5, pool 2/2) sees 16 x 16 pixels per feature of the last pool', () => {
    // r: 1 -> 1 + 4*1 = 5 -> 5 + 1*1 = 6 (jump becomes 2) -> 6 + 4*2 = 14 -> 14 + 1*2 = 16 (jump becomes 4).
    expect(receptiveField([{ kernel: 5 }, { kernel: 2, stride: 2 }, { kernel: 5 }, { kernel: 2, stride: 2 }])).toBe(16);
  });

  it('property: n stacked 3x3 layers with stride 1 see (2n + 1) pixels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (n) => {
        expect(receptiveField(threeByThree(n))).toBe(2 * n + 1);
      }),
    );
  });

  it('property: equals the span of input pixels found by tracing the stack back from one output', () => {
    const stackArb = fc.array(fc.record({ kernel: fc.integer({ min: 1, max: 7 }), stride: fc.integer({ min: 1, max: 3 }) }), { maxLength: 5 });
    fc.assert(
      fc.property(stackArb, (layers) => {
        expect(receptiveField(layers)).toBe(traceReceptiveField(layers));
      }),
    );
  });
});

describe('10 filter-size: a stack of 3x3 filters against one big filter', () => {
  it('three 3x3 layers see 7 x 7 with 27 C^2 weights; one 7x7 filter needs 49 C^2 (C = 1 and C = 64)', () => {
    expect(stackedCost(3, 1)).toEqual({ layers: 3, receptiveField: 7, weights: 27, biases: 3, params: 30 });
    expect(singleFilterCost(7, 1)).toEqual({ layers: 1, receptiveField: 7, weights: 49, biases: 1, params: 50 });
    // C = 64: 27 * 4,096 = 110,592 weights against 49 * 4,096 = 200,704.
    expect(stackedCost(3, 64)).toEqual({ layers: 3, receptiveField: 7, weights: 110_592, biases: 192, params: 110_784 });
    expect(singleFilterCost(7, 64)).toEqual({ layers: 1, receptiveField: 7, weights: 200_704, biases: 64, params: 200_768 });
  });

  it('two 3x3 layers see 5 x 5 with 18 C^2 weights; one 5x5 filter needs 25 C^2 (C = 10)', () => {
    expect(stackedCost(2, 10)).toEqual({ layers: 2, receptiveField: 5, weights: 1_800, biases: 20, params: 1_820 });
    expect(singleFilterCost(5, 10)).toEqual({ layers: 1, receptiveField: 5, weights: 2_500, biases: 10, params: 2_510 });
  });

  it('property: the stack costs what its layers cost when their filter taps and biases are counted one by one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), (n, c) => {
        const one = countConvParams(3, 3, c, c);
        const stack = stackedCost(n, c);
        expect(stack).toEqual({
          layers: n,
          receptiveField: traceReceptiveField(threeByThree(n)),
          weights: n * one.weights,
          biases: n * one.biases,
          params: n * (one.weights + one.biases),
        });
      }),
    );
  });

  it('property: one size x size filter costs its counted taps plus one bias per channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 12 }), (size, c) => {
        const { weights, biases } = countConvParams(size, size, c, c);
        expect(singleFilterCost(size, c)).toEqual({ layers: 1, receptiveField: size, weights, biases, params: weights + biases });
      }),
    );
  });

  it('property: for n >= 2 the stack of n 3x3 layers is cheaper than the (2n + 1)x(2n + 1) filter that sees as much', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 512 }), (n, c) => {
        const stack = stackedCost(n, c);
        const single = singleFilterCost(2 * n + 1, c);
        expect(stack.receptiveField).toBe(single.receptiveField);
        expect(stack.weights).toBeLessThan(single.weights);
        expect(stack.params).toBeLessThan(single.params);
      }),
    );
  });

  it('for n = 1 both are the same 3x3 layer', () => {
    expect(stackedCost(1, 5)).toEqual(singleFilterCost(3, 5));
  });
});

describe('10 filter-size: 1x1 convolution', () => {
  it('mixes 256 channels down to 64 on a 56x56 image: 16,448 parameters, 51,380,224 multiply-adds, size unchanged', () => {
    // weights 256 * 64 = 16,384, biases 64; multiply-adds 56 * 56 * 16,384 = 51,380,224.
    expect(pointwiseConv({ inChannels: 256, outChannels: 64, height: 56, width: 56 })).toEqual({
      outputShape: [64, 56, 56],
      weights: 16_384,
      biases: 64,
      params: 16_448,
      multiplyAdds: 51_380_224,
    });
  });

  it('property: keeps H and W, and its parameters are the counted taps of a 1x1 filter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (inChannels, outChannels, height, width) => {
          const stats = pointwiseConv({ inChannels, outChannels, height, width });
          expect(stats.outputShape).toEqual([outChannels, countWindowPositions(height, 1, 1, 0), countWindowPositions(width, 1, 1, 0)]);
          const { weights, biases } = countConvParams(1, 1, inChannels, outChannels);
          expect({ weights: stats.weights, biases: stats.biases, params: stats.params }).toEqual({ weights, biases, params: weights + biases });
          expect(stats.multiplyAdds).toBe(height * width * weights);
        },
      ),
    );
  });
});

describe('10 filter-size: bad input', () => {
  it('receptiveField rejects a kernel or stride that is not a whole number >= 1, naming the layer', () => {
    expect(() => receptiveField([{ kernel: 3 }, { kernel: 0 }])).toThrow(/receptiveField: layers\[1\]\.kernel must be a whole number >= 1, got 0/);
    expect(() => receptiveField([{ kernel: 3, stride: 1.5 }])).toThrow(/receptiveField: layers\[0\]\.stride must be a whole number >= 1, got 1.5/);
  });

  it('stackedCost and singleFilterCost reject zero, fractional and NaN sizes', () => {
    expect(() => stackedCost(0, 8)).toThrow(/stackedCost: n \(number of 3x3 layers\) must be a whole number >= 1, got 0/);
    expect(() => stackedCost(2, 2.5)).toThrow(/stackedCost: channels must be a whole number >= 1, got 2.5/);
    expect(() => singleFilterCost(Number.NaN, 8)).toThrow(/singleFilterCost: size must be a whole number >= 1, got NaN/);
    expect(() => singleFilterCost(5, -3)).toThrow(/singleFilterCost: channels must be a whole number >= 1, got -3/);
  });

  it('pointwiseConv rejects channel counts and sizes that are not whole numbers >= 1', () => {
    expect(() => pointwiseConv({ inChannels: 0, outChannels: 4, height: 8, width: 8 })).toThrow(
      /pointwiseConv: inChannels must be a whole number >= 1, got 0/,
    );
    expect(() => pointwiseConv({ inChannels: 4, outChannels: 4, height: 8, width: Number.POSITIVE_INFINITY })).toThrow(
      /pointwiseConv: width must be a whole number >= 1, got Infinity/,
    );
    expect(() => pointwiseConv({ inChannels: 4, outChannels: -2, height: 8, width: 8 })).toThrow(
      /pointwiseConv: outChannels must be a whole number >= 1, got -2/,
    );
    expect(() => pointwiseConv({ inChannels: 4, outChannels: 4, height: 1.5, width: 8 })).toThrow(
      /pointwiseConv: height must be a whole number >= 1, got 1.5/,
    );
  });
});
