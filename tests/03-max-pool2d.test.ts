/**
 * Exercise 03: MaxPool2D.
 *
 *   a[n, c, i, j] = max over the window (rows i*S_h - P_h .. + FH - 1, columns j*S_w - P_w .. + FW - 1)
 *                   of x[n, c, p, q]; padded cells never win.
 *   backward: dx[where the maximum was] += dout[n, c, i, j], zero elsewhere.
 *
 * Expected values come from hand-worked cases below and from the brute-force
 * oracle in helpers/oracle-pool.ts, never from the code under test.
 */
import fc from 'fast-check';
import { MaxPool2D } from '@kata/03-max-pool2d/max-pool2d';
import { poolConfigArb, seededTensor, type PoolConfig } from './helpers/arbitraries';
import type { Pair } from '../lib/checks';
import { numericGradient, relativeError } from '../lib/gradcheck';
import { Rng } from '../lib/random';
import { Tensor } from '../lib/tensor';
import { maxPoolBackward, maxPoolForward } from './helpers/oracle-pool';

/** "kernel [2, 3], stride default, padding [1, 0], input [1, 2, 5, 6], seed 7": names a case in failure messages. */
function describeConfig(cfg: PoolConfig): string {
  const stride = cfg.stride ? `[${cfg.stride.join(', ')}]` : 'default (= kernel)';
  return `kernel [${cfg.kernel.join(', ')}], stride ${stride}, padding [${cfg.padding.join(', ')}], input [${cfg.batch}, ${cfg.channels}, ${cfg.height}, ${cfg.width}], seed ${cfg.seed}`;
}

function layerFor(cfg: PoolConfig): MaxPool2D {
  return new MaxPool2D({ kernelSize: cfg.kernel, stride: cfg.stride, padding: cfg.padding });
}

function inputFor(cfg: PoolConfig): Tensor {
  return seededTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], cfg.seed);
}

/** Values 0.1, 0.2, ... in a random order: all distinct and far apart compared with the step h = 1e-5. */
function distinctTensor(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const order = new Rng(seed).permutation(size);
  return new Tensor(
    shape,
    Array.from(order, (k) => 0.1 * (k + 1) - 0.05 * size),
  );
}

describe('03 MaxPool2D forward', () => {
  it('forward: 4x4 input, kernel 2 -> the maximum of each 2x2 block', () => {
    // x = [[1, 3, 2, 1],      windows (stride defaults to 2):
    //      [4, 2, 0, 1],      top-left {1, 3, 4, 2} -> 4   top-right {2, 1, 0, 1} -> 2
    //      [5, 1, 7, 3],      bottom-left {5, 1, 2, 6} -> 6   bottom-right {7, 3, 0, 8} -> 8
    //      [2, 6, 0, 8]]
    const x = Tensor.from([
      [
        [
          [1, 3, 2, 1],
          [4, 2, 0, 1],
          [5, 1, 7, 3],
          [2, 6, 0, 8],
        ],
      ],
    ]);
    const out = new MaxPool2D({ kernelSize: 2 }).forward(x);
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [4, 2],
            [6, 8],
          ],
        ],
      ]),
      { what: 'MaxPool2D forward, 4x4 input, kernel 2' },
    );
  });

  it('forward: channels and samples are pooled separately; an all-negative window gives a negative maximum', () => {
    // Sample 0: channel 0 is the 4x4 case above, channel 1 is its negative.
    // max of {-1, -3, -4, -2} is -1, of {-2, -1, 0, -1} is 0, of {-5, -1, -2, -6} is -1, of {-7, -3, 0, -8} is 0.
    // Sample 1: a constant 9 plane and a plane counting 1..16 (max of a block is its bottom-right value).
    const a = [
      [1, 3, 2, 1],
      [4, 2, 0, 1],
      [5, 1, 7, 3],
      [2, 6, 0, 8],
    ];
    const counting = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ];
    const x = Tensor.from([
      [a, a.map((row) => row.map((v) => -v))],
      [a.map((row) => row.map(() => 9)), counting],
    ]);
    const out = new MaxPool2D({ kernelSize: 2 }).forward(x);
    const expected = Tensor.from([
      [
        [
          [4, 2],
          [6, 8],
        ],
        [
          [-1, 0],
          [-1, 0],
        ],
      ],
      [
        [
          [9, 9],
          [9, 9],
        ],
        [
          [6, 8],
          [14, 16],
        ],
      ],
    ]);
    expect(out).toBeCloseTensor(expected, { what: 'MaxPool2D forward, input [2, 2, 4, 4], kernel 2' });
  });

  it('forward: the stride defaults to the kernel size (and a stride that does not divide floors the output)', () => {
    // 5x5 input counting 1..25, kernel 2: windows start at rows/columns 0 and 2; row and column 4 are never seen.
    const x = new Tensor(
      [1, 1, 5, 5],
      Array.from({ length: 25 }, (_, k) => k + 1),
    );
    const byDefault = new MaxPool2D({ kernelSize: 2 }).forward(x);
    const explicit = new MaxPool2D({ kernelSize: 2, stride: 2 }).forward(x);
    const expected = Tensor.from([
      [
        [
          [7, 9],
          [17, 19],
        ],
      ],
    ]);
    expect(byDefault).toBeCloseTensor(expected, { what: 'MaxPool2D forward, 5x5, kernel 2, default stride' });
    expect(explicit).toBeCloseTensor(expected, { what: 'MaxPool2D forward, 5x5, kernel 2, stride 2' });
  });

  it('forward: overlapping windows (kernel 3, stride 1) on a 4x4 input', () => {
    // Counting 1..16: the 3x3 window at (i, j) has its maximum at its bottom-right cell (i + 2, j + 2).
    const x = new Tensor(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, k) => k + 1),
    );
    const out = new MaxPool2D({ kernelSize: 3, stride: 1 }).forward(x);
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [11, 12],
            [15, 16],
          ],
        ],
      ]),
      { what: 'MaxPool2D forward, 4x4, kernel 3, stride 1' },
    );
  });

  it('forward: padded cells never win (kernel 2, stride 2, padding 1, all values negative)', () => {
    // x = [[-1, -2, -3],    padded by one cell; windows cover rows {-1, 0} / {1, 2} and the same columns:
    //      [-4, -5, -6],    (0, 0): {x00} = -1      (0, 1): {x01, x02} = -2
    //      [-7, -8, -9]]    (1, 0): {x10, x20} = -4  (1, 1): {x11, x12, x21, x22} = -5
    // Had the padding counted as 0, every output would be 0.
    const x = Tensor.from([
      [
        [
          [-1, -2, -3],
          [-4, -5, -6],
          [-7, -8, -9],
        ],
      ],
    ]);
    const out = new MaxPool2D({ kernelSize: 2, stride: 2, padding: 1 }).forward(x);
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [-1, -2],
            [-4, -5],
          ],
        ],
      ]),
      { what: 'MaxPool2D forward, 3x3, kernel 2, stride 2, padding 1' },
    );
  });

  it('forward: non-square kernel, stride and padding given as pairs [h, w]', () => {
    // Counting 1..12 in a 3x4 plane, kernel [1, 2], stride [2, 1], padding [0, 1]:
    // rows 0 and 2; column windows {-1, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 4} -> OW = floor((4 + 2 - 2) / 1) + 1 = 5.
    // row 0 = [1, 2, 3, 4] -> [1, 2, 3, 4, 4]; row 2 = [9, 10, 11, 12] -> [9, 10, 11, 12, 12]
    const x = new Tensor(
      [1, 1, 3, 4],
      Array.from({ length: 12 }, (_, k) => k + 1),
    );
    const out = new MaxPool2D({ kernelSize: [1, 2], stride: [2, 1], padding: [0, 1] }).forward(x);
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [1, 2, 3, 4, 4],
            [9, 10, 11, 12, 12],
          ],
        ],
      ]),
      {
        what: 'MaxPool2D forward, 3x4, kernel [1, 2], stride [2, 1], padding [0, 1]',
      },
    );
  });

  it('forward: output shape is [N, C, floor((H + 2P - FH) / S) + 1, floor((W + 2P - FW) / S) + 1]', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const [sh, sw] = cfg.stride ?? cfg.kernel;
        const expected = [
          cfg.batch,
          cfg.channels,
          Math.floor((cfg.height + 2 * cfg.padding[0] - cfg.kernel[0]) / sh) + 1,
          Math.floor((cfg.width + 2 * cfg.padding[1] - cfg.kernel[1]) / sw) + 1,
        ];
        expect(layerFor(cfg).forward(inputFor(cfg)).shape).toEqual(expected);
      }),
    );
  });

  it('forward: matches the brute-force oracle for random shapes, kernels, strides (overlapping, non-dividing) and paddings', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const x = inputFor(cfg);
        const expected = maxPoolForward(x, { kernel: cfg.kernel, stride: cfg.stride, padding: cfg.padding });
        expect(layerFor(cfg).forward(x)).toBeCloseTensor(expected, { what: `MaxPool2D forward (${describeConfig(cfg)})` });
      }),
    );
  });

  it('forward: does not change its input', () => {
    const x = seededTensor([2, 3, 5, 5], 11);
    const before = x.clone();
    new MaxPool2D({ kernelSize: 3, stride: 2, padding: 1 }).forward(x);
    expect(x).toBeCloseTensor(before, { atol: 0, rtol: 0, what: 'MaxPool2D forward input after the call' });
  });
});

describe('03 MaxPool2D backward', () => {
  it('backward: each gradient goes to the position of its window maximum (4x4, kernel 2)', () => {
    // Maxima from the forward case: 4 at (1, 0), 2 at (0, 2), 6 at (3, 1), 8 at (3, 3).
    const x = Tensor.from([
      [
        [
          [1, 3, 2, 1],
          [4, 2, 0, 1],
          [5, 1, 7, 3],
          [2, 6, 0, 8],
        ],
      ],
    ]);
    const layer = new MaxPool2D({ kernelSize: 2 });
    layer.forward(x);
    const dx = layer.backward(
      Tensor.from([
        [
          [
            [10, 20],
            [30, 40],
          ],
        ],
      ]),
    );
    const expected = Tensor.from([
      [
        [
          [0, 0, 20, 0],
          [10, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 30, 0, 40],
        ],
      ],
    ]);
    expect(dx).toBeCloseTensor(expected, { what: 'MaxPool2D dx, 4x4, kernel 2' });
  });

  it('backward: an input that is the maximum of several overlapping windows receives the sum of their gradients', () => {
    // x = [[1, 2, 1],   kernel 2, stride 1: four windows, 9 is the maximum of all of them,
    //      [2, 9, 2],   so dx[1][1] = 1 + 2 + 3 + 4 = 10 and every other cell gets 0.
    //      [1, 2, 1]]
    const x = Tensor.from([
      [
        [
          [1, 2, 1],
          [2, 9, 2],
          [1, 2, 1],
        ],
      ],
    ]);
    const layer = new MaxPool2D({ kernelSize: 2, stride: 1 });
    expect(layer.forward(x)).toBeCloseTensor(
      Tensor.from([
        [
          [
            [9, 9],
            [9, 9],
          ],
        ],
      ]),
      { what: 'MaxPool2D forward, 3x3, kernel 2, stride 1' },
    );
    const dx = layer.backward(
      Tensor.from([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    );
    expect(dx).toBeCloseTensor(
      Tensor.from([
        [
          [
            [0, 0, 0],
            [0, 10, 0],
            [0, 0, 0],
          ],
        ],
      ]),
      { what: 'MaxPool2D dx, 3x3, kernel 2, stride 1' },
    );
  });

  it('backward: kernel 3, stride 2 on 5x5: the centre is shared by all four windows, the corners by one', () => {
    // Windows start at rows/columns 0 and 2 and overlap on row/column 2. The centre x[2][2] = 50 wins all four;
    // with the centre taken out of the picture the corners would win, so a wrong overlap shows.
    const plane = [
      [5, 0, 0, 0, 6],
      [0, 0, 0, 0, 0],
      [0, 0, 50, 0, 0],
      [0, 0, 0, 0, 0],
      [7, 0, 0, 0, 8],
    ];
    const x = Tensor.from([[plane]]);
    const layer = new MaxPool2D({ kernelSize: 3, stride: 2 });
    expect(layer.forward(x)).toBeCloseTensor(
      Tensor.from([
        [
          [
            [50, 50],
            [50, 50],
          ],
        ],
      ]),
      { what: 'MaxPool2D forward, 5x5, kernel 3, stride 2' },
    );
    const dx = layer.backward(
      Tensor.from([
        [
          [
            [1, 10],
            [100, 1000],
          ],
        ],
      ]),
    );
    const expected = Tensor.zeros([1, 1, 5, 5]);
    expected.set(1111, 0, 0, 2, 2);
    expect(dx).toBeCloseTensor(expected, { what: 'MaxPool2D dx, 5x5, kernel 3, stride 2' });
  });

  it('backward: on a tie the first cell of the window in row-major order gets the gradient', () => {
    // Every value is 5: each 2x2 window sends its gradient to its top-left cell.
    const x = Tensor.full([1, 1, 4, 4], 5);
    const layer = new MaxPool2D({ kernelSize: 2 });
    layer.forward(x);
    const dx = layer.backward(
      Tensor.from([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]),
    );
    expect(dx).toBeCloseTensor(
      Tensor.from([
        [
          [
            [1, 0, 2, 0],
            [0, 0, 0, 0],
            [3, 0, 4, 0],
            [0, 0, 0, 0],
          ],
        ],
      ]),
      {
        what: 'MaxPool2D dx with ties, 4x4 of fives, kernel 2',
      },
    );
  });

  it('backward: matches the oracle for random configurations (overlapping windows and padding included)', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const x = inputFor(cfg);
        const layer = layerFor(cfg);
        const out = layer.forward(x);
        const dout = seededTensor(out.shape, cfg.seed + 1);
        const expected = maxPoolBackward(x, { kernel: cfg.kernel, stride: cfg.stride, padding: cfg.padding }, dout);
        expect(layer.backward(dout)).toBeCloseTensor(expected, { what: `MaxPool2D dx (${describeConfig(cfg)})` });
      }),
    );
  });

  it('backward: with many ties (inputs 0, 1 or 2) the gradient still follows the first-in-window rule', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const rng = new Rng(cfg.seed);
        const shape = [cfg.batch, cfg.channels, cfg.height, cfg.width];
        const x = new Tensor(
          shape,
          Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.int(3)),
        );
        const layer = layerFor(cfg);
        const out = layer.forward(x);
        const dout = seededTensor(out.shape, cfg.seed + 1);
        const expected = maxPoolBackward(x, { kernel: cfg.kernel, stride: cfg.stride, padding: cfg.padding }, dout);
        expect(layer.backward(dout)).toBeCloseTensor(expected, { what: `MaxPool2D dx with ties (${describeConfig(cfg)})` });
      }),
    );
  });

  it('backward: the gradient lands only on window maxima, and sum(dx) = sum(dout)', () => {
    fc.assert(
      fc.property(poolConfigArb(), (cfg) => {
        const x = inputFor(cfg);
        const layer = layerFor(cfg);
        const out = layer.forward(x);
        // Positive gradients, so no contributions can cancel out and hide a misrouted one.
        const dout = seededTensor(out.shape, cfg.seed + 1, 0.5, 1.5);
        const dx = layer.backward(dout);
        expect(dx.shape).toEqual(x.shape);
        const [N, C, H, W] = x.shape;
        for (let n = 0; n < N; n++) {
          for (let c = 0; c < C; c++) {
            // The maxima of this (sample, channel): the only values that may receive a gradient.
            const maxima = new Set<number>();
            for (let i = 0; i < out.shape[2]; i++) for (let j = 0; j < out.shape[3]; j++) maxima.add(out.get(n, c, i, j));
            for (let h = 0; h < H; h++) {
              for (let w = 0; w < W; w++) {
                if (dx.get(n, c, h, w) !== 0 && !maxima.has(x.get(n, c, h, w))) {
                  throw new Error(
                    `MaxPool2D dx (${describeConfig(cfg)}): gradient ${dx.get(n, c, h, w)} at [${n}, ${c}, ${h}, ${w}], which is not the maximum of any window`,
                  );
                }
              }
            }
          }
        }
        expect(dx.sum()).toBeCloseTo(dout.sum(), 10);
      }),
    );
  });

  it('backward: does not change dout and gives the same dx when called twice', () => {
    const x = distinctTensor([1, 2, 4, 4], 5);
    const layer = new MaxPool2D({ kernelSize: 2, stride: 1 });
    const out = layer.forward(x);
    const dout = seededTensor(out.shape, 6);
    const before = dout.clone();
    const first = layer.backward(dout);
    const second = layer.backward(dout);
    expect(dout).toBeCloseTensor(before, { atol: 0, rtol: 0, what: 'dout after MaxPool2D backward' });
    expect(second).toBeCloseTensor(first, { atol: 0, rtol: 0, what: 'MaxPool2D dx, second call (gradients must not pile up between calls)' });
  });

  // L = sum(forward(x) * R) with fixed random R, so dL/dout = R. Distinct inputs far apart compared with
  // h = 1e-5 keep every maximum where it is while probing, so max pooling is differentiable there.
  const gradientCases: Array<{ name: string; shape: number[]; kernel: Pair; stride?: Pair; padding?: Pair }> = [
    { name: 'input [2, 2, 4, 4], kernel 2, default stride, no padding', shape: [2, 2, 4, 4], kernel: 2 },
    { name: 'input [1, 2, 5, 5], kernel 3, stride 2, padding 1', shape: [1, 2, 5, 5], kernel: 3, stride: 2, padding: 1 },
    { name: 'input [2, 1, 5, 6], kernel 2, stride 2, padding 1', shape: [2, 1, 5, 6], kernel: 2, stride: 2, padding: 1 },
    { name: 'input [1, 1, 4, 5], kernel 2, stride 1 (overlapping), no padding', shape: [1, 1, 4, 5], kernel: 2, stride: 1 },
    { name: 'input [1, 2, 6, 7], kernel 3, stride 2 (does not divide), no padding', shape: [1, 2, 6, 7], kernel: 3, stride: 2 },
    { name: 'input [2, 1, 5, 6], kernel [2, 3], stride [1, 2], padding [1, 1]', shape: [2, 1, 5, 6], kernel: [2, 3], stride: [1, 2], padding: [1, 1] },
  ];
  it.each(gradientCases)('backward: dx matches the numeric gradient, relative error < 1e-7 ($name)', (c) => {
    const x = distinctTensor(c.shape, 42);
    const layer = new MaxPool2D({ kernelSize: c.kernel, stride: c.stride, padding: c.padding });
    const R = seededTensor(layer.forward(x).shape, 43);
    const dx = layer.backward(R);
    const loss = (): number => {
      const y = layer.forward(x);
      let s = 0;
      for (let k = 0; k < y.size; k++) s += y.data[k] * R.data[k];
      return s;
    };
    const numeric = numericGradient(loss, x.data);
    expect(relativeError(dx.data, numeric)).toBeLessThan(1e-7);
  });
});

describe('03 MaxPool2D bad input', () => {
  it('rejects kernel sizes that are not whole numbers >= 1', () => {
    expect(() => new MaxPool2D({ kernelSize: 0 })).toThrowKataError(/MaxPool2D.*kernelSize.*whole number >= 1, got 0/);
    expect(() => new MaxPool2D({ kernelSize: [2, 1.5] })).toThrowKataError(/MaxPool2D.*kernelSize.*whole number >= 1, got 1\.5/);
    expect(() => new MaxPool2D({ kernelSize: -2 })).toThrowKataError(/MaxPool2D.*kernelSize.*whole number >= 1, got -2/);
  });

  it('rejects strides that are not whole numbers >= 1', () => {
    expect(() => new MaxPool2D({ kernelSize: 2, stride: 0 })).toThrowKataError(/MaxPool2D.*stride.*whole number >= 1, got 0/);
    expect(() => new MaxPool2D({ kernelSize: 2, stride: [1, 0.5] })).toThrowKataError(/MaxPool2D.*stride.*whole number >= 1, got 0\.5/);
  });

  it('rejects paddings that are negative or fractional', () => {
    expect(() => new MaxPool2D({ kernelSize: 2, padding: -1 })).toThrowKataError(/MaxPool2D.*padding.*whole number >= 0, got -1/);
    expect(() => new MaxPool2D({ kernelSize: 3, padding: [0.5, 0] })).toThrowKataError(/MaxPool2D.*padding.*whole number >= 0, got 0\.5/);
  });

  it('rejects a padding larger than floor(kernel / 2) on either axis', () => {
    expect(() => new MaxPool2D({ kernelSize: 2, padding: 2 })).toThrowKataError(/MaxPool2D.*padding.*at most.*1.*got 2/);
    expect(() => new MaxPool2D({ kernelSize: [3, 1], padding: [1, 1] })).toThrowKataError(/MaxPool2D.*padding.*at most.*0.*got 1/);
  });

  it('rejects a kernelSize, stride or padding that is neither a number nor a pair', () => {
    const three = [2, 2, 2] as unknown as [number, number];
    expect(() => new MaxPool2D({ kernelSize: three })).toThrowKataError(/MaxPool2D: kernelSize must be a number or a pair \[h, w\], got \[2,2,2\]/);
    expect(() => new MaxPool2D({ kernelSize: 2, stride: three })).toThrowKataError(/MaxPool2D: stride must be a number or a pair \[h, w\], got \[2,2,2\]/);
    expect(() => new MaxPool2D({ kernelSize: 2, padding: three })).toThrowKataError(
      /MaxPool2D: padding must be a number or a pair \[h, w\], got \[2,2,2\]/,
    );
  });

  it('names the axis of a bad value: "kernelSize (height)", "stride (width)", ...', () => {
    expect(() => new MaxPool2D({ kernelSize: [0, 2] })).toThrowKataError(/^MaxPool2D: kernelSize \(height\) must be a whole number >= 1, got 0/);
    expect(() => new MaxPool2D({ kernelSize: [2, 0] })).toThrowKataError(/^MaxPool2D: kernelSize \(width\) must be a whole number >= 1, got 0/);
    expect(() => new MaxPool2D({ kernelSize: 2, stride: [0, 1] })).toThrowKataError(/^MaxPool2D: stride \(height\) must be a whole number >= 1, got 0/);
    expect(() => new MaxPool2D({ kernelSize: 2, padding: [0, -1] })).toThrowKataError(/^MaxPool2D: padding \(width\) must be a whole number >= 0, got -1/);
  });

  it('rejects an input that is not rank 4 [N, C, H, W]', () => {
    const layer = new MaxPool2D({ kernelSize: 2 });
    expect(() => layer.forward(Tensor.zeros([1, 4, 4]))).toThrowKataError(
      /MaxPool2D\.forward: expected a rank-4 tensor \[N, C, H, W\], got rank 3 with shape \[1, 4, 4\]/,
    );
    expect(() => layer.forward(Tensor.zeros([1, 1, 1, 4, 4]))).toThrowKataError(/MaxPool2D\.forward: expected a rank-4 tensor.*got rank 5/);
  });

  it('rejects a kernel larger than the padded input', () => {
    const layer = new MaxPool2D({ kernelSize: 3 });
    expect(() => layer.forward(Tensor.zeros([1, 1, 2, 5]))).toThrowKataError(
      /^MaxPool2D\.forward: expected a kernel height <= the padded input height 2 \(input 2 \+ 2 \* padding 0\), got kernel height 3/,
    );
    expect(() => new MaxPool2D({ kernelSize: [1, 4], padding: [0, 1] }).forward(Tensor.zeros([1, 1, 3, 1]))).toThrowKataError(
      /expected a kernel width <= the padded input width 3 \(input 1 \+ 2 \* padding 1\), got kernel width 4/,
    );
  });

  it('rejects NaN and infinite input values, naming where they are', () => {
    const layer = new MaxPool2D({ kernelSize: 2 });
    const x = Tensor.zeros([1, 1, 4, 4]);
    x.set(NaN, 0, 0, 1, 2);
    expect(() => layer.forward(x)).toThrowKataError(/MaxPool2D\.forward: expected finite values, got NaN at index \[0, 0, 1, 2\]/);
    x.set(0, 0, 0, 1, 2);
    x.set(-Infinity, 0, 0, 3, 0);
    expect(() => layer.forward(x)).toThrowKataError(/MaxPool2D\.forward: expected finite values, got -Infinity at index \[0, 0, 3, 0\]/);
  });

  it('rejects a dout whose shape is not the output shape', () => {
    const layer = new MaxPool2D({ kernelSize: 2 });
    layer.forward(Tensor.zeros([2, 3, 4, 4]));
    expect(() => layer.backward(Tensor.zeros([2, 3, 2, 3]))).toThrowKataError(/MaxPool2D\.backward: expected shape \[2, 3, 2, 2\], got \[2, 3, 2, 3\]/);
    expect(() => layer.backward(Tensor.zeros([2, 3, 4]))).toThrowKataError(/MaxPool2D\.backward: expected shape \[2, 3, 2, 2\], got \[2, 3, 4\]/);
  });

  it('rejects NaN and Infinity in dout, naming the value and its index (lib/layer.ts)', () => {
    const layer = new MaxPool2D({ kernelSize: 2 });
    layer.forward(seededTensor([2, 3, 4, 4], 3)); // output [2, 3, 2, 2]
    const dout = Tensor.zeros([2, 3, 2, 2]);
    dout.data[5] = Infinity; // [0, 1, 0, 1]
    expect(() => layer.backward(dout)).toThrowKataError(/^MaxPool2D\.backward: expected finite values, got Infinity at index \[0, 1, 0, 1\]/);
    dout.data[5] = NaN;
    expect(() => layer.backward(dout)).toThrowKataError(/^MaxPool2D\.backward: expected finite values, got NaN at index \[0, 1, 0, 1\]/);
  });

  it('rejects backward before any forward', () => {
    const layer = new MaxPool2D({ kernelSize: 2 });
    expect(() => layer.backward(Tensor.zeros([1, 1, 2, 2]))).toThrowKataError(/MaxPool2D\.backward.*forward first/);
  });
});
