/**
 * Exercise 02: the output size of a convolution, out = floor((N + 2P - F) / S) + 1.
 *
 * Expected values are worked out by hand in the comments, and the properties
 * compare with a brute-force count of the window positions
 * (tests/helpers/oracle-conv.ts: countWindows), never with the code under test.
 */
import fc from 'fast-check';
import { convOutputShape, convOutputSize } from '@kata/02-output-size/output-size';
import type { Pair } from '../lib/checks';
import { countWindows } from './helpers/oracle-conv';

/** A valid axis: sizes >= 1, padding >= 0, and the kernel fits in the padded input. */
const axisArb = fc
  .record({
    kernel: fc.integer({ min: 1, max: 15 }),
    stride: fc.integer({ min: 1, max: 6 }),
    padding: fc.integer({ min: 0, max: 5 }),
    extra: fc.integer({ min: 0, max: 60 }),
  })
  .map(({ kernel, stride, padding, extra }) => ({
    input: Math.max(1, kernel - 2 * padding) + extra,
    kernel,
    stride,
    padding,
  }));

describe('02 output size: the exercise sheet cases', () => {
  it('144 x 144, 3x3 filter, stride 1, no padding -> 142 x 142', () => {
    // (144 + 2*0 - 3) / 1 + 1 = 141 + 1 = 142
    expect(convOutputSize(144, 3, 1, 0)).toBe(142);
    expect(convOutputShape(144, 144, 3, 1, 0)).toEqual([142, 142]);
  });

  it('60 x 60, 3x3 filter, stride 1, no padding -> 58 x 58', () => {
    // (60 - 3) / 1 + 1 = 58
    expect(convOutputSize(60, 3, 1, 0)).toBe(58);
    expect(convOutputShape(60, 60, 3, 1, 0)).toEqual([58, 58]);
  });

  it('20 x 20, 3x3 filter, stride 2, no padding -> 9 x 9 (floored: the last pixel is never seen)', () => {
    // (20 - 3) / 2 = 8.5 -> floor 8, + 1 = 9. Windows start at 0, 2, ..., 16 and
    // end at 18; the one that would start at 18 needs pixels 18..20 and 20 does not exist.
    expect(convOutputSize(20, 3, 2, 0)).toBe(9);
    expect(convOutputShape(20, 20, 3, 2, 0)).toEqual([9, 9]);
  });
});

describe('02 output size: worked cases with padding and stride', () => {
  it('"same" padding keeps the size: 28, F = 5, P = 2, S = 1 -> 28', () => {
    // (28 + 4 - 5) / 1 + 1 = 28
    expect(convOutputSize(28, 5, 1, 2)).toBe(28);
  });

  it('stride 2 with padding 1 halves an even size: 32, F = 3, P = 1, S = 2 -> 16', () => {
    // (32 + 2 - 3) / 2 = 15.5 -> 15, + 1 = 16
    expect(convOutputSize(32, 3, 2, 1)).toBe(16);
  });

  it('AlexNet first layer: 227, F = 11, S = 4, P = 0 -> 55, and 224 with P = 2 -> 55 (floored)', () => {
    // (227 - 11) / 4 + 1 = 54 + 1 = 55;  (224 + 4 - 11) / 4 = 54.25 -> 54, + 1 = 55
    expect(convOutputSize(227, 11, 4, 0)).toBe(55);
    expect(convOutputSize(224, 11, 4, 2)).toBe(55);
  });

  it('a kernel as large as the padded input gives 1: 5, F = 5 -> 1 and 1, F = 3, P = 1 -> 1', () => {
    expect(convOutputSize(5, 5)).toBe(1);
    expect(convOutputSize(1, 3, 1, 1)).toBe(1);
  });

  it('stride and padding default to 1 and 0: 10, F = 3 -> 8; 28 x 28 with a 5x5 kernel -> 24 x 24', () => {
    expect(convOutputSize(10, 3)).toBe(8);
    expect(convOutputShape(28, 28, 5)).toEqual([24, 24]);
  });

  it('height and width use their own kernel, stride and padding: 28 x 20, [5, 3], [1, 2], [2, 0] -> [28, 9]', () => {
    // height: (28 + 4 - 5) / 1 + 1 = 28;  width: (20 + 0 - 3) / 2 = 8.5 -> 8, + 1 = 9
    expect(convOutputShape(28, 20, [5, 3], [1, 2], [2, 0])).toEqual([28, 9]);
  });
});

describe('02 output size: properties', () => {
  it('equals the number of window positions k >= 0 with k*S + F <= N + 2P, counted one by one', () => {
    fc.assert(
      fc.property(axisArb, ({ input, kernel, stride, padding }) => {
        expect(convOutputSize(input, kernel, stride, padding)).toBe(countWindows(input, kernel, stride, padding));
      }),
    );
  });

  it('never decreases when the input grows by one pixel', () => {
    fc.assert(
      fc.property(axisArb, ({ input, kernel, stride, padding }) => {
        expect(convOutputSize(input + 1, kernel, stride, padding)).toBeGreaterThanOrEqual(convOutputSize(input, kernel, stride, padding));
      }),
    );
  });

  it('with stride 1 and no padding it is N - F + 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 50 }), (kernel, extra) => {
        const input = kernel + extra;
        expect(convOutputSize(input, kernel)).toBe(input - kernel + 1);
      }),
    );
  });

  it('convOutputShape counts the windows on each axis with its own kernel, stride and padding', () => {
    fc.assert(
      fc.property(axisArb, axisArb, (h, w) => {
        const pair = (a: number, b: number): Pair => [a, b];
        const got = convOutputShape(h.input, w.input, pair(h.kernel, w.kernel), pair(h.stride, w.stride), pair(h.padding, w.padding));
        expect(got).toEqual([countWindows(h.input, h.kernel, h.stride, h.padding), countWindows(w.input, w.kernel, w.stride, w.padding)]);
      }),
    );
  });

  it('convOutputShape with plain numbers uses them on both axes', () => {
    fc.assert(
      fc.property(axisArb, fc.integer({ min: 0, max: 60 }), ({ input, kernel, stride, padding }, extra) => {
        const width = Math.max(1, kernel - 2 * padding) + extra;
        expect(convOutputShape(input, width, kernel, stride, padding)).toEqual([
          countWindows(input, kernel, stride, padding),
          countWindows(width, kernel, stride, padding),
        ]);
      }),
    );
  });
});

describe('02 output size: bad input', () => {
  it('rejects sizes that are not whole numbers >= 1, naming the value', () => {
    expect(() => convOutputSize(0, 3)).toThrowKataError(/convOutputSize: input size must be a whole number >= 1, got 0/);
    expect(() => convOutputSize(28.5, 3)).toThrowKataError(/convOutputSize: input size must be a whole number >= 1, got 28\.5/);
    expect(() => convOutputSize(Number.NaN, 3)).toThrowKataError(/convOutputSize: input size must be a whole number >= 1, got NaN/);
    expect(() => convOutputSize(28, 0)).toThrowKataError(/convOutputSize: kernel size must be a whole number >= 1, got 0/);
    expect(() => convOutputSize(28, -3)).toThrowKataError(/convOutputSize: kernel size must be a whole number >= 1, got -3/);
    expect(() => convOutputSize(28, 3, 0)).toThrowKataError(/convOutputSize: stride must be a whole number >= 1, got 0/);
    expect(() => convOutputSize(28, 3, 1.5)).toThrowKataError(/convOutputSize: stride must be a whole number >= 1, got 1\.5/);
  });

  it('rejects a negative or fractional padding', () => {
    expect(() => convOutputSize(28, 3, 1, -1)).toThrowKataError(/convOutputSize: padding must be a whole number >= 0, got -1/);
    expect(() => convOutputSize(28, 3, 1, 0.5)).toThrowKataError(/convOutputSize: padding must be a whole number >= 0, got 0\.5/);
  });

  it('rejects a kernel larger than the padded input, giving every number', () => {
    // 3 + 2*1 = 5 < 7
    expect(() => convOutputSize(3, 7, 1, 1)).toThrowKataError(
      /convOutputSize: expected a kernel size <= the padded input size 5 \(input 3 \+ 2 \* padding 1\), got kernel size 7/,
    );
    expect(() => convOutputShape(28, 4, [3, 7])).toThrowKataError(
      /convOutputShape: expected a kernel width <= the padded input width 4 \(input 4 \+ 2 \* padding 0\), got kernel width 7/,
    );
  });

  it('convOutputShape names the axis of a bad value, and rejects a pair that is not [h, w]', () => {
    expect(() => convOutputShape(0, 28, 3)).toThrowKataError(/convOutputShape: input height must be a whole number >= 1, got 0/);
    expect(() => convOutputShape(28, 28, [3, 0])).toThrowKataError(/convOutputShape: kernel width must be a whole number >= 1, got 0/);
    expect(() => convOutputShape(28, 28, 3, [1, 0])).toThrowKataError(/convOutputShape: stride width must be a whole number >= 1, got 0/);
    expect(() => convOutputShape(28, 28, 3, 1, [-2, 0])).toThrowKataError(/convOutputShape: padding height must be a whole number >= 0, got -2/);
    const threeNumbers = [3, 3, 3] as unknown as Pair;
    expect(() => convOutputShape(28, 28, threeNumbers)).toThrowKataError(/convOutputShape: kernelSize must be a number or a pair \[h, w\], got \[3,3,3\]/);
    expect(() => convOutputShape(28, 28, 3, threeNumbers)).toThrowKataError(/convOutputShape: stride must be a number or a pair \[h, w\], got \[3,3,3\]/);
    expect(() => convOutputShape(28, 28, 3, 1, threeNumbers)).toThrowKataError(
      /convOutputShape: padding must be a number or a pair \[h, w\], got \[3,3,3\]/,
    );
  });
});
