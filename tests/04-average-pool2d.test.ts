/**
 * Exercise 04: AveragePool2D.
 *
 *   a[n, c, i, j] = (1 / (FH * FW)) * sum over the window of x[n, c, p, q]
 *   (padded cells count as 0 and the divisor stays FH * FW: count_include_pad)
 *   backward: every input of a window receives dout[n, c, i, j] / (FH * FW), added up over windows.
 *
 * Expected values come from hand-worked cases below and from the brute-force
 * oracle in helpers/oracle-pool.ts, never from the code under test.
 */
import fc from 'fast-check';
import { AveragePool2D } from '@kata/04-average-pool2d/average-pool2d';
import { poolConfigArb, seededTensor, type PoolConfig } from './helpers/arbitraries';
import type { Pair } from '../lib/checks';
import { numericGradient, relativeError } from '../lib/gradcheck';
import { Tensor } from '../lib/tensor';
import { avgPoolBackward, avgPoolForward } from './helpers/oracle-pool';

function describeConfig(cfg: PoolConfig): string {
  const stride = cfg.stride ? `[${cfg.stride.join(', ')}]` : 'default (= kernel)';
  return `kernel [${cfg.kernel.join(', ')}], stride ${stride}, padding [${cfg.padding.join(', ')}], input [${cfg.batch}, ${cfg.channels}, ${cfg.height}, ${cfg.width}], seed ${cfg.seed}`;
}

function layerFor(cfg: PoolConfig): AveragePool2D {
  return new AveragePool2D({ kernelSize: cfg.kernel, stride: cfg.stride, padding: cfg.padding });
}

function inputFor(cfg: PoolConfig, seed = cfg.seed): Tensor {
  return seededTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], seed);
}

function counting(shape: number[]): Tensor {
  return new Tensor(
    shape,
    Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, k) => k + 1),
  );
}

describe('04 AveragePool2D forward', () => {
  it('forward: 4x4 input counting 1..16, kernel 2 -> the mean of each 2x2 block', () => {
    // [[ 1,  2,  3,  4],   (1 + 2 + 5 + 6) / 4 = 3.5      (3 + 4 + 7 + 8) / 4 = 5.5
    //  [ 5,  6,  7,  8],
    //  [ 9, 10, 11, 12],   (9 + 10 + 13 + 14) / 4 = 11.5  (11 + 12 + 15 + 16) / 4 = 13.5
    //  [13, 14, 15, 16]]
    const out = new AveragePool2D({ kernelSize: 2 }).forward(counting([1, 1, 4, 4]));
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [3.5, 5.5],
            [11.5, 13.5],
          ],
        ],
      ]),
      { what: 'AveragePool2D forward, 4x4, kernel 2' },
    );
  });

  it('forward: channels are pooled separately', () => {
    // Channel 0 counts 1..16 (as above), channel 1 counts 17..32: every mean is 16 larger.
    const out = new AveragePool2D({ kernelSize: 2 }).forward(counting([1, 2, 4, 4]));
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [3.5, 5.5],
            [11.5, 13.5],
          ],
          [
            [19.5, 21.5],
            [27.5, 29.5],
          ],
        ],
      ]),
      {
        what: 'AveragePool2D forward, input [1, 2, 4, 4], kernel 2',
      },
    );
  });

  it('forward: the stride defaults to the kernel size; a stride that does not divide floors the output', () => {
    // 5x5 counting 1..25, kernel 2: windows at rows/columns 0 and 2, row and column 4 unused.
    // (1 + 2 + 6 + 7) / 4 = 4, (3 + 4 + 8 + 9) / 4 = 6, (11 + 12 + 16 + 17) / 4 = 14, (13 + 14 + 18 + 19) / 4 = 16
    const x = counting([1, 1, 5, 5]);
    const expected = Tensor.from([
      [
        [
          [4, 6],
          [14, 16],
        ],
      ],
    ]);
    expect(new AveragePool2D({ kernelSize: 2 }).forward(x)).toBeCloseTensor(expected, { what: 'AveragePool2D forward, 5x5, kernel 2, default stride' });
    expect(new AveragePool2D({ kernelSize: 2, stride: 2 }).forward(x)).toBeCloseTensor(expected, {
      what: 'AveragePool2D forward, 5x5, kernel 2, stride 2',
    });
  });

  it('forward: padding counts as zeros and the divisor stays FH * FW (3x3 of ones, kernel 3, stride 1, padding 1)', () => {
    // A corner window holds 4 ones and 5 padded zeros -> 4/9; an edge window 6 ones -> 6/9; the centre 9 ones -> 1.
    const out = new AveragePool2D({ kernelSize: 3, stride: 1, padding: 1 }).forward(Tensor.full([1, 1, 3, 3], 1));
    const expected = Tensor.from([
      [
        [
          [4 / 9, 6 / 9, 4 / 9],
          [6 / 9, 1, 6 / 9],
          [4 / 9, 6 / 9, 4 / 9],
        ],
      ],
    ]);
    expect(out).toBeCloseTensor(expected, { what: 'AveragePool2D forward, 3x3 ones, kernel 3, stride 1, padding 1' });
  });

  it('forward: non-square kernel [1, 3], stride [2, 1] on a 3x4 input', () => {
    // Rows 0 and 2; column windows {0, 1, 2} and {1, 2, 3}: row 0 = [1, 2, 3, 4] -> [2, 3], row 2 = [9, 10, 11, 12] -> [10, 11].
    const out = new AveragePool2D({ kernelSize: [1, 3], stride: [2, 1] }).forward(counting([1, 1, 3, 4]));
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [2, 3],
            [10, 11],
          ],
        ],
      ]),
      { what: 'AveragePool2D forward, 3x4, kernel [1, 3], stride [2, 1]' },
    );
  });

  it('forward: matches the brute-force oracle for random shapes, kernels, strides and paddings', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const x = inputFor(cfg);
        const expected = avgPoolForward(x, { kernel: cfg.kernel, stride: cfg.stride, padding: cfg.padding });
        expect(layerFor(cfg).forward(x)).toBeCloseTensor(expected, { atol: 1e-12, what: `AveragePool2D forward (${describeConfig(cfg)})` });
      }),
    );
  });

  it('forward: is linear, pool(a x + b y) = a pool(x) + b pool(y)', () => {
    fc.assert(
      fc.property(poolConfigArb(), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (cfg, a, b) => {
        const x = inputFor(cfg);
        const y = inputFor(cfg, cfg.seed + 1);
        const layer = layerFor(cfg);
        const combined = layer.forward(x.map((v, k) => a * v + b * y.data[k]));
        const px = layer.forward(x);
        const py = layer.forward(y);
        expect(combined).toBeCloseTensor(
          px.map((v, k) => a * v + b * py.data[k]),
          {
            atol: 1e-12,
            what: `AveragePool2D linearity, a = ${a}, b = ${b} (${describeConfig(cfg)})`,
          },
        );
      }),
    );
  });
});

describe('04 AveragePool2D backward', () => {
  it('backward: each input of a window receives dout / (FH * FW) (4x4, kernel 2)', () => {
    const layer = new AveragePool2D({ kernelSize: 2 });
    layer.forward(counting([1, 1, 4, 4]));
    const dx = layer.backward(
      Tensor.from([
        [
          [
            [4, 8],
            [12, 16],
          ],
        ],
      ]),
    );
    const expected = Tensor.from([
      [
        [
          [1, 1, 2, 2],
          [1, 1, 2, 2],
          [3, 3, 4, 4],
          [3, 3, 4, 4],
        ],
      ],
    ]);
    expect(dx).toBeCloseTensor(expected, { what: 'AveragePool2D dx, 4x4, kernel 2' });
  });

  it('backward: overlapping windows add up (3x3, kernel 2, stride 1, dout of ones)', () => {
    // The centre is in 4 windows, an edge cell in 2, a corner in 1; each window gives 1/4.
    const layer = new AveragePool2D({ kernelSize: 2, stride: 1 });
    layer.forward(Tensor.zeros([1, 1, 3, 3]));
    const dx = layer.backward(Tensor.full([1, 1, 2, 2], 1));
    expect(dx).toBeCloseTensor(
      Tensor.from([
        [
          [
            [0.25, 0.5, 0.25],
            [0.5, 1, 0.5],
            [0.25, 0.5, 0.25],
          ],
        ],
      ]),
      {
        what: 'AveragePool2D dx, 3x3, kernel 2, stride 1',
      },
    );
  });

  it('backward: padded cells take their share of the gradient away (3x3, kernel 3, stride 1, padding 1)', () => {
    // dout of ones: each input receives 1/9 per window that holds it. A corner is in 4 windows -> 4/9,
    // an edge cell in 6 -> 6/9, the centre in 9 -> 1. The 81 - 49 = 32 missing ninths went to padding.
    const layer = new AveragePool2D({ kernelSize: 3, stride: 1, padding: 1 });
    layer.forward(Tensor.zeros([1, 1, 3, 3]));
    const dx = layer.backward(Tensor.full([1, 1, 3, 3], 1));
    const expected = Tensor.from([
      [
        [
          [4 / 9, 6 / 9, 4 / 9],
          [6 / 9, 1, 6 / 9],
          [4 / 9, 6 / 9, 4 / 9],
        ],
      ],
    ]);
    expect(dx).toBeCloseTensor(expected, { what: 'AveragePool2D dx, 3x3, kernel 3, stride 1, padding 1' });
  });

  it('backward: matches the oracle (J^T dout) for random configurations', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const x = inputFor(cfg);
        const layer = layerFor(cfg);
        const out = layer.forward(x);
        const dout = seededTensor(out.shape, cfg.seed + 1);
        const expected = avgPoolBackward(x, { kernel: cfg.kernel, stride: cfg.stride, padding: cfg.padding }, dout);
        expect(layer.backward(dout)).toBeCloseTensor(expected, { atol: 1e-12, what: `AveragePool2D dx (${describeConfig(cfg)})` });
      }),
    );
  });

  it('backward: without padding, each window hands out exactly its dout, so sum(dx) = sum(dout)', () => {
    fc.assert(
      fc.property(poolConfigArb({ padding: false }), (cfg) => {
        const layer = layerFor(cfg);
        const out = layer.forward(inputFor(cfg));
        const dout = seededTensor(out.shape, cfg.seed + 1);
        expect(layer.backward(dout).sum()).toBeCloseTo(dout.sum(), 10);
      }),
    );
  });

  it('backward: windows that tile the input (stride = kernel, sizes multiples of it) give every input dout / (FH * FW) of its own window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (kh, kw, rows, cols, seed) => {
          const layer = new AveragePool2D({ kernelSize: [kh, kw] });
          layer.forward(Tensor.zeros([1, 2, kh * rows, kw * cols]));
          const dout = seededTensor([1, 2, rows, cols], seed);
          const dx = layer.backward(dout);
          const expected = new Tensor([1, 2, kh * rows, kw * cols]);
          for (let c = 0; c < 2; c++) {
            for (let h = 0; h < kh * rows; h++) {
              for (let w = 0; w < kw * cols; w++) expected.set(dout.get(0, c, Math.floor(h / kh), Math.floor(w / kw)) / (kh * kw), 0, c, h, w);
            }
          }
          expect(dx).toBeCloseTensor(expected, { what: `AveragePool2D dx, tiling kernel [${kh}, ${kw}], ${rows}x${cols} windows, seed ${seed}` });
          expect(dx.sum()).toBeCloseTo(dout.sum(), 10);
        },
      ),
    );
  });

  it('backward: does not change dout and gives the same dx when called twice', () => {
    const layer = new AveragePool2D({ kernelSize: 2, stride: 1 });
    const out = layer.forward(seededTensor([1, 2, 4, 4], 5));
    const dout = seededTensor(out.shape, 6);
    const before = dout.clone();
    const first = layer.backward(dout);
    const second = layer.backward(dout);
    expect(dout).toBeCloseTensor(before, { atol: 0, rtol: 0, what: 'dout after AveragePool2D backward' });
    expect(second).toBeCloseTensor(first, { atol: 0, rtol: 0, what: 'AveragePool2D dx, second call (gradients must not pile up between calls)' });
  });

  // L = sum(forward(x) * R) with fixed random R, so dL/dout = R. Average pooling is linear, so central
  // differences are exact up to rounding.
  const gradientCases: Array<{ name: string; shape: number[]; kernel: Pair; stride?: Pair; padding?: Pair }> = [
    { name: 'input [2, 2, 4, 4], kernel 2, default stride, no padding', shape: [2, 2, 4, 4], kernel: 2 },
    { name: 'input [1, 2, 5, 5], kernel 3, stride 2, padding 1', shape: [1, 2, 5, 5], kernel: 3, stride: 2, padding: 1 },
    { name: 'input [2, 1, 5, 6], kernel 2, stride 2, padding 1', shape: [2, 1, 5, 6], kernel: 2, stride: 2, padding: 1 },
    { name: 'input [1, 1, 4, 5], kernel 2, stride 1 (overlapping), no padding', shape: [1, 1, 4, 5], kernel: 2, stride: 1 },
    { name: 'input [1, 2, 6, 7], kernel 3, stride 2 (does not divide), no padding', shape: [1, 2, 6, 7], kernel: 3, stride: 2 },
    { name: 'input [2, 1, 5, 6], kernel [2, 3], stride [1, 2], padding [1, 1]', shape: [2, 1, 5, 6], kernel: [2, 3], stride: [1, 2], padding: [1, 1] },
  ];
  it.each(gradientCases)('backward: dx matches the numeric gradient, relative error < 1e-7 ($name)', (c) => {
    const x = seededTensor(c.shape, 42);
    const layer = new AveragePool2D({ kernelSize: c.kernel, stride: c.stride, padding: c.padding });
    const R = seededTensor(layer.forward(x).shape, 43);
    const dx = layer.backward(R);
    const loss = (): number => {
      const y = layer.forward(x);
      let s = 0;
      for (let k = 0; k < y.size; k++) s += y.data[k] * R.data[k];
      return s;
    };
    expect(relativeError(dx.data, numericGradient(loss, x.data))).toBeLessThan(1e-7);
  });
});

describe('04 AveragePool2D bad input', () => {
  it('rejects kernel sizes and strides that are not whole numbers >= 1', () => {
    expect(() => new AveragePool2D({ kernelSize: 0 })).toThrowKataError(/AveragePool2D.*kernelSize.*whole number >= 1, got 0/);
    expect(() => new AveragePool2D({ kernelSize: [1.5, 2] })).toThrowKataError(/AveragePool2D.*kernelSize.*whole number >= 1, got 1\.5/);
    expect(() => new AveragePool2D({ kernelSize: 2, stride: [2, -1] })).toThrowKataError(/AveragePool2D.*stride.*whole number >= 1, got -1/);
  });

  it('rejects paddings that are negative, fractional or larger than floor(kernel / 2)', () => {
    expect(() => new AveragePool2D({ kernelSize: 2, padding: -1 })).toThrowKataError(/AveragePool2D.*padding.*whole number >= 0, got -1/);
    expect(() => new AveragePool2D({ kernelSize: 2, padding: 0.5 })).toThrowKataError(/AveragePool2D.*padding.*whole number >= 0, got 0\.5/);
    expect(() => new AveragePool2D({ kernelSize: [2, 5], padding: [0, 3] })).toThrowKataError(/AveragePool2D.*padding.*at most.*2.*got 3/);
  });

  it('rejects an input that is not rank 4 [N, C, H, W]', () => {
    const layer = new AveragePool2D({ kernelSize: 2 });
    expect(() => layer.forward(Tensor.zeros([4, 4]))).toThrowKataError(
      /AveragePool2D\.forward: expected a rank-4 tensor \[N, C, H, W\], got rank 2 with shape \[4, 4\]/,
    );
  });

  it('rejects a kernel larger than the padded input', () => {
    expect(() => new AveragePool2D({ kernelSize: [2, 4] }).forward(Tensor.zeros([1, 1, 4, 3]))).toThrowKataError(
      /^AveragePool2D\.forward: expected a kernel width <= the padded input width 3 \(input 3 \+ 2 \* padding 0\), got kernel width 4/,
    );
    expect(() => new AveragePool2D({ kernelSize: [3, 1] }).forward(Tensor.zeros([1, 1, 2, 5]))).toThrowKataError(
      /^AveragePool2D\.forward: expected a kernel height <= the padded input height 2 \(input 2 \+ 2 \* padding 0\), got kernel height 3/,
    );
  });

  it('rejects NaN and infinite input values, naming where they are', () => {
    const layer = new AveragePool2D({ kernelSize: 2 });
    const x = Tensor.zeros([2, 1, 2, 2]);
    x.set(Infinity, 1, 0, 0, 1);
    expect(() => layer.forward(x)).toThrowKataError(/AveragePool2D\.forward: expected finite values, got Infinity at index \[1, 0, 0, 1\]/);
    x.set(NaN, 0, 0, 1, 1);
    expect(() => layer.forward(x)).toThrowKataError(/AveragePool2D\.forward: expected finite values, got NaN at index \[0, 0, 1, 1\]/);
  });

  it('rejects a dout whose shape is not the output shape', () => {
    const layer = new AveragePool2D({ kernelSize: 2, stride: 1 });
    layer.forward(Tensor.zeros([1, 2, 3, 3]));
    expect(() => layer.backward(Tensor.zeros([1, 2, 3, 3]))).toThrowKataError(
      /AveragePool2D\.backward: expected shape \[1, 2, 2, 2\], got \[1, 2, 3, 3\]/,
    );
  });

  it('rejects NaN and Infinity in dout, naming the value and its index (lib/layer.ts)', () => {
    const layer = new AveragePool2D({ kernelSize: 2, stride: 1 });
    layer.forward(Tensor.zeros([1, 2, 3, 3])); // output [1, 2, 2, 2]
    const dout = Tensor.zeros([1, 2, 2, 2]);
    dout.data[6] = -Infinity; // [0, 1, 1, 0]
    expect(() => layer.backward(dout)).toThrowKataError(/^AveragePool2D\.backward: expected finite values, got -Infinity at index \[0, 1, 1, 0\]/);
    dout.data[6] = NaN;
    expect(() => layer.backward(dout)).toThrowKataError(/^AveragePool2D\.backward: expected finite values, got NaN at index \[0, 1, 1, 0\]/);
  });

  it('rejects backward before any forward', () => {
    expect(() => new AveragePool2D({ kernelSize: 2 }).backward(Tensor.zeros([1, 1, 1, 1]))).toThrowKataError(/AveragePool2D\.backward.*forward first/);
  });
});
