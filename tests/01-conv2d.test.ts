/**
 * Exercise 01: Conv2d. The suite follows the exercise: the naive forward and
 * backward first (the formulas as loops), then im2col / col2im, then the
 * Conv2d layer built on them, then bad input.
 *
 * Expected values come from small cases worked out by hand below and from the
 * brute-force oracle in tests/helpers/oracle-conv.ts, never from the code
 * under test. Gradients are also checked against central differences.
 */
import fc from 'fast-check';
import { Conv2d } from '@kata/01-conv2d/conv2d';
import { conv2dBackwardNaive, conv2dForwardNaive, type ConvGeometry } from '@kata/01-conv2d/conv2d-naive';
import { col2im, im2col } from '@kata/01-conv2d/im2col';
import { convConfigArb, seededTensor, type ConvConfig } from './helpers/arbitraries';
import { numericGradient, relativeError } from '../lib/gradcheck';
import type { Initializer } from '../lib/layer';
import type { Rng } from '../lib/random';
import { Tensor } from '../lib/tensor';
import { countWindows, oracleConvBackward, oracleConvForward, oracleIm2col } from './helpers/oracle-conv';

/** Loose enough for float64 rounding over sums of a few hundred terms, tight enough to catch any wrong term. */
const TOL = { atol: 1e-9, rtol: 1e-9 };
/** Central differences in float64 on a loss that is linear in each input: only rounding remains. */
const GRAD_TOL = 1e-7;

/**
 * The tensors of a case. Every random value comes from the case's seed, so a
 * failing case can be replayed. dout has the output shape [N, M, OH, OW], with
 * OH and OW counted window by window.
 */
function problem(cfg: ConvConfig) {
  const g: ConvGeometry = { stride: cfg.stride, padding: cfg.padding };
  const x = seededTensor([cfg.batch, cfg.inChannels, cfg.height, cfg.width], cfg.seed);
  const W = seededTensor([cfg.outChannels, cfg.inChannels, ...cfg.kernel], cfg.seed + 1);
  const b = seededTensor([cfg.outChannels], cfg.seed + 2);
  const OH = countWindows(cfg.height, cfg.kernel[0], cfg.stride[0], cfg.padding[0]);
  const OW = countWindows(cfg.width, cfg.kernel[1], cfg.stride[1], cfg.padding[1]);
  const dout = seededTensor([cfg.batch, cfg.outChannels, OH, OW], cfg.seed + 3);
  return { g, x, W, b, dout };
}

function describeCase(cfg: ConvConfig): string {
  return (
    `x [${cfg.batch}, ${cfg.inChannels}, ${cfg.height}, ${cfg.width}], kernel [${cfg.kernel}], ` +
    `${cfg.outChannels} filters, stride [${cfg.stride}], padding [${cfg.padding}], seed ${cfg.seed}`
  );
}

/** A Conv2d for a case, with W and b set explicitly to the case's seeded values. */
function layerFor(cfg: ConvConfig, W: Tensor, b: Tensor): Conv2d {
  const layer = new Conv2d({
    inChannels: cfg.inChannels,
    outChannels: cfg.outChannels,
    kernelSize: cfg.kernel,
    stride: cfg.stride,
    padding: cfg.padding,
  });
  layer.params.W.data.set(W.data);
  layer.params.b.data.set(b.data);
  return layer;
}

/** sum(a * r): the scalar loss L whose gradient with respect to a is r. */
function dot(a: Tensor, r: Tensor): number {
  let total = 0;
  for (let i = 0; i < r.data.length; i++) total += a.data[i] * r.data[i];
  return total;
}

/** Analytic gradient vs central differences, with the relative error of lib/gradcheck.ts. */
function expectGradient(analytic: Tensor, numeric: Float64Array, what: string): void {
  expect(analytic.data.length).toBe(numeric.length);
  const error = relativeError(analytic.data, numeric);
  if (!(error < GRAD_TOL)) {
    throw new Error(`${what}: relative error ${error} against central differences, expected < ${GRAD_TOL}`);
  }
}

const ONE_TO_NINE = Tensor.from([
  [
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  ],
]); // x [1, 1, 3, 3]

describe('01 conv2d: naive forward (the formula as loops)', () => {
  it('forward: a 3x3 image and a 2x2 filter, worked by hand (no kernel flip)', () => {
    // x = 1 2 3    w = 1 2    b = 0.5, stride 1, padding 0 -> output 2x2:
    //     4 5 6        3 4
    //     7 8 9
    // a[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37   -> 37.5
    // a[0,1] = 2*1 + 3*2 + 5*3 + 6*4 = 47   -> 47.5
    // a[1,0] = 4*1 + 5*2 + 7*3 + 8*4 = 67   -> 67.5
    // a[1,1] = 5*1 + 6*2 + 8*3 + 9*4 = 77   -> 77.5
    // (A flipped kernel, as in the textbook convolution, would give 23 at [0,0].)
    const W = Tensor.from([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    const b = Tensor.from([0.5]);
    const out = conv2dForwardNaive(ONE_TO_NINE, W, b, { stride: [1, 1], padding: [0, 0] });
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [37.5, 47.5],
            [67.5, 77.5],
          ],
        ],
      ]),
      {
        ...TOL,
        what: 'conv2dForwardNaive, 3x3 image, 2x2 filter, stride 1, padding 0',
      },
    );
  });

  it('forward: stride 2 and padding 1, worked by hand (padding counts as zero)', () => {
    // The same x padded with one ring of zeros is 5x5; a 3x3 filter of ones
    // moving 2 pixels at a time fits floor((3 + 2 - 3) / 2) + 1 = 2 times per axis.
    // Window corners in x coordinates: (-1,-1), (-1,1), (1,-1), (1,1):
    //   [0,0] = 1 + 2 + 4 + 5 = 12     [0,1] = 2 + 3 + 5 + 6 = 16
    //   [1,0] = 4 + 5 + 7 + 8 = 24     [1,1] = 5 + 6 + 8 + 9 = 28
    const W = Tensor.full([1, 1, 3, 3], 1);
    const out = conv2dForwardNaive(ONE_TO_NINE, W, Tensor.from([0]), { stride: [2, 2], padding: [1, 1] });
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [12, 16],
            [24, 28],
          ],
        ],
      ]),
      {
        ...TOL,
        what: 'conv2dForwardNaive, 3x3 ones filter, stride 2, padding 1',
      },
    );
  });

  it('forward: channels are summed per filter and each filter has its own bias (1x1 filters, by hand)', () => {
    // x has 2 channels: c0 = [[1, 2], [3, 4]], c1 = [[10, 20], [30, 40]].
    // filter 0 = (1 on c0, 0.1 on c1), bias 0 -> c0 + 0.1 c1 = [[2, 4], [6, 8]]
    // filter 1 = (0 on c0, -1 on c1),  bias 1 -> 1 - c1     = [[-9, -19], [-29, -39]]
    const x = Tensor.from([
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [10, 20],
          [30, 40],
        ],
      ],
    ]);
    const W = Tensor.from([
      [[[1]], [[0.1]]],
      [[[0]], [[-1]]],
    ]);
    const out = conv2dForwardNaive(x, W, Tensor.from([0, 1]), { stride: [1, 1], padding: [0, 0] });
    expect(out).toBeCloseTensor(
      Tensor.from([
        [
          [
            [2, 4],
            [6, 8],
          ],
          [
            [-9, -19],
            [-29, -39],
          ],
        ],
      ]),
      {
        ...TOL,
        what: 'conv2dForwardNaive, 2 channels -> 2 filters of 1x1',
      },
    );
  });

  it('forward: matches the formula for random shapes, strides 1-3 and paddings 0-2 (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { g, x, W, b } = problem(cfg);
        const expected = oracleConvForward(x, W, b, g);
        expect(conv2dForwardNaive(x, W, b, g)).toBeCloseTensor(expected, {
          ...TOL,
          what: `conv2dForwardNaive output (${describeCase(cfg)})`,
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('01 conv2d: naive backward', () => {
  it('backward: dx, dW and db for a 3x3 image and a 2x2 filter, worked by hand', () => {
    // dA = all ones [1, 1, 2, 2], w = [[1, 2], [3, 4]], x = 1..9 as above.
    // db = 1 + 1 + 1 + 1 = 4
    // dW[s,t] = sum of x over the four windows at offset (s, t):
    //   dW[0,0] = 1+2+4+5 = 12, dW[0,1] = 2+3+5+6 = 16, dW[1,0] = 4+5+7+8 = 24, dW[1,1] = 5+6+8+9 = 28
    // dx[h,v] = sum of w[h-i, v-j] over the windows (i, j) that contain (h, v):
    //   1  1+2      2          1  3  2
    //   1+3 1+2+3+4 2+4   =    4 10  6
    //   3  3+4      4          3  7  4
    const W = Tensor.from([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    const dout = Tensor.full([1, 1, 2, 2], 1);
    const { dx, dW, db } = conv2dBackwardNaive(ONE_TO_NINE, W, dout, { stride: [1, 1], padding: [0, 0] });
    const what = 'conv2dBackwardNaive, 3x3 image, 2x2 filter, dA = ones';
    expect(db).toBeCloseTensor(Tensor.from([4]), { ...TOL, what: `db of ${what}` });
    expect(dW).toBeCloseTensor(
      Tensor.from([
        [
          [
            [12, 16],
            [24, 28],
          ],
        ],
      ]),
      { ...TOL, what: `dW of ${what}` },
    );
    expect(dx).toBeCloseTensor(
      Tensor.from([
        [
          [
            [1, 3, 2],
            [4, 10, 6],
            [3, 7, 4],
          ],
        ],
      ]),
      { ...TOL, what: `dx of ${what}` },
    );
  });

  it('backward: dx, dW and db match the formulas for random shapes, strides and paddings (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { g, x, W, dout } = problem(cfg);
        const expected = oracleConvBackward(x, W, dout, g);
        const got = conv2dBackwardNaive(x, W, dout, g);
        const where = describeCase(cfg);
        expect(got.dx).toBeCloseTensor(expected.dx, { ...TOL, what: `dx of conv2dBackwardNaive (${where})` });
        expect(got.dW).toBeCloseTensor(expected.dW, { ...TOL, what: `dW of conv2dBackwardNaive (${where})` });
        expect(got.db).toBeCloseTensor(expected.db, { ...TOL, what: `db of conv2dBackwardNaive (${where})` });
      }),
      { numRuns: 60 },
    );
  });

  const gradientCases: Array<[string, ConvConfig]> = [
    ['stride 1, padding 0', { batch: 2, inChannels: 2, outChannels: 2, height: 4, width: 3, kernel: [2, 2], stride: [1, 1], padding: [0, 0], seed: 11 }],
    ['stride 2, padding 1', { batch: 1, inChannels: 2, outChannels: 2, height: 5, width: 6, kernel: [3, 3], stride: [2, 2], padding: [1, 1], seed: 12 }],
    [
      'stride [2, 1], padding [0, 2]',
      { batch: 1, inChannels: 2, outChannels: 2, height: 5, width: 3, kernel: [2, 3], stride: [2, 1], padding: [0, 2], seed: 13 },
    ],
  ];

  it.each(gradientCases)('backward: dx, dW, db agree with central differences (%s)', (name, cfg) => {
    const { g, x, W, b, dout: R } = problem(cfg);
    const { dx, dW, db } = conv2dBackwardNaive(x, W, R, g);
    const loss = () => dot(conv2dForwardNaive(x, W, b, g), R);
    expectGradient(dx, numericGradient(loss, x.data), `dx of conv2dBackwardNaive (${name})`);
    expectGradient(dW, numericGradient(loss, W.data), `dW of conv2dBackwardNaive (${name})`);
    expectGradient(db, numericGradient(loss, b.data), `db of conv2dBackwardNaive (${name})`);
  });
});

describe('01 conv2d: im2col and col2im', () => {
  it('im2col: the shape is [N*OH*OW, C*FH*FW]', () => {
    // x [2, 3, 5, 4], kernel [2, 3], stride [1, 2], padding [1, 0]:
    // OH = floor((5 + 2 - 2) / 1) + 1 = 6, OW = floor((4 + 0 - 3) / 2) + 1 = 1
    const x = seededTensor([2, 3, 5, 4], 1);
    expect(im2col(x, [2, 3], [1, 2], [1, 0]).shape).toEqual([2 * 6 * 1, 3 * 2 * 3]);
  });

  it('im2col: one row per window, by hand (stride 1, then stride 2 with padding 1)', () => {
    // Windows of 2x2 over 1..9, row by row, each read in (s, t) order.
    expect(im2col(ONE_TO_NINE, [2, 2], [1, 1], [0, 0])).toBeCloseTensor(
      Tensor.from([
        [1, 2, 4, 5],
        [2, 3, 5, 6],
        [4, 5, 7, 8],
        [5, 6, 8, 9],
      ]),
      { ...TOL, what: 'im2col of 1..9, kernel 2, stride 1, padding 0' },
    );
    // Padded to 5x5, 2x2 windows at corners (-1,-1), (-1,1), (1,-1), (1,1).
    expect(im2col(ONE_TO_NINE, [2, 2], [2, 2], [1, 1])).toBeCloseTensor(
      Tensor.from([
        [0, 0, 0, 1],
        [0, 0, 2, 3],
        [0, 4, 0, 7],
        [5, 6, 8, 9],
      ]),
      { ...TOL, what: 'im2col of 1..9, kernel 2, stride 2, padding 1' },
    );
  });

  it('col2im: adds up overlapping windows (col of ones counts the windows over each pixel)', () => {
    // 2x2 windows, stride 1, over a 3x3 image: corners are in 1 window, edges in 2, the centre in 4.
    const counts = col2im(Tensor.full([4, 4], 1), [1, 1, 3, 3], [2, 2], [1, 1], [0, 0]);
    expect(counts).toBeCloseTensor(
      Tensor.from([
        [
          [
            [1, 2, 1],
            [2, 4, 2],
            [1, 2, 1],
          ],
        ],
      ]),
      {
        ...TOL,
        what: 'col2im of ones, 3x3 image, kernel 2, stride 1',
      },
    );
  });

  it('im2col: matches its definition for random shapes, strides and paddings (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { g, x } = problem(cfg);
        expect(im2col(x, cfg.kernel, cfg.stride, cfg.padding)).toBeCloseTensor(oracleIm2col(x, cfg.kernel, g), {
          ...TOL,
          what: `im2col (${describeCase(cfg)})`,
        });
      }),
      { numRuns: 60 },
    );
  });

  it('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)> (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { x } = problem(cfg);
        const col = im2col(x, cfg.kernel, cfg.stride, cfg.padding);
        const c = seededTensor(col.shape, cfg.seed + 5);
        const back = col2im(c, x.shape, cfg.kernel, cfg.stride, cfg.padding);
        expect(back.shape).toEqual(x.shape);
        const left = dot(col, c);
        const right = dot(x, back);
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(left)));
      }),
      { numRuns: 80 },
    );
  });
});

describe('01 conv2d: the Conv2d layer', () => {
  it('init: W is [outChannels, inChannels, kh, kw], b is zeros [outChannels], grads have the same shapes', () => {
    const layer = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: [2, 5] });
    expect(layer.params.W.shape).toEqual([4, 3, 2, 5]);
    expect(layer.params.b).toBeCloseTensor(Tensor.zeros([4]), { atol: 0, rtol: 0, what: 'initial b of Conv2d' });
    expect(layer.grads.W.shape).toEqual([4, 3, 2, 5]);
    expect(layer.grads.b.shape).toEqual([4]);
  });

  it('init: the default is He, W ~ N(0, 2 / (C*FH*FW)), and the seed decides the draw', () => {
    const options = { inChannels: 8, outChannels: 32, kernelSize: 3 };
    const W = new Conv2d({ ...options, seed: 5 }).params.W;
    const n = W.size; // 2304 draws
    const mean = W.sum() / n;
    const std = Math.sqrt(W.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const heStd = Math.sqrt(2 / (8 * 3 * 3));
    expect(Math.abs(mean)).toBeLessThan((4 * heStd) / Math.sqrt(n)); // a 4-sigma band around 0
    expect(std / heStd).toBeGreaterThan(0.92);
    expect(std / heStd).toBeLessThan(1.08);
    expect(new Conv2d({ ...options, seed: 5 }).params.W).toBeCloseTensor(W, { atol: 0, rtol: 0, what: 'W drawn twice with seed 5' });
    expect(new Conv2d({ ...options, seed: 6 }).params.W.data).not.toEqual(W.data);
  });

  it('init: a given initializer draws W, with fanIn = C*FH*FW', () => {
    const calls: Array<{ shape: number[]; fanIn: number }> = [];
    const initializer: Initializer = {
      weights(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
        calls.push({ shape: [...shape], fanIn });
        void rng;
        return Tensor.full(shape, 0.25);
      },
    };
    const layer = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: [3, 4], initializer, seed: 1 });
    expect(calls).toEqual([{ shape: [3, 2, 3, 4], fanIn: 2 * 3 * 4 }]);
    expect(layer.params.W).toBeCloseTensor(Tensor.full([3, 2, 3, 4], 0.25), { atol: 0, rtol: 0, what: 'W from the initializer' });
  });

  it('forward: equals the formula for random shapes, strides and paddings (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { g, x, W, b } = problem(cfg);
        const expected = oracleConvForward(x, W, b, g);
        expect(layerFor(cfg, W, b).forward(x)).toBeCloseTensor(expected, { ...TOL, what: `Conv2d.forward (${describeCase(cfg)})` });
      }),
      { numRuns: 60 },
    );
  });

  it('backward: dx, grads.W and grads.b equal the formulas for random shapes, strides and paddings (property)', () => {
    fc.assert(
      fc.property(convConfigArb(), (cfg) => {
        const { g, x, W, b, dout } = problem(cfg);
        const expected = oracleConvBackward(x, W, dout, g);
        const layer = layerFor(cfg, W, b);
        layer.forward(x);
        const dx = layer.backward(dout);
        const where = describeCase(cfg);
        expect(dx).toBeCloseTensor(expected.dx, { ...TOL, what: `dx of Conv2d (${where})` });
        expect(layer.grads.W).toBeCloseTensor(expected.dW, { ...TOL, what: `grads.W of Conv2d (${where})` });
        expect(layer.grads.b).toBeCloseTensor(expected.db, { ...TOL, what: `grads.b of Conv2d (${where})` });
      }),
      { numRuns: 60 },
    );
  });

  const layerCases: Array<[string, ConvConfig]> = [
    ['stride 1, padding 0', { batch: 2, inChannels: 2, outChannels: 3, height: 5, width: 5, kernel: [3, 3], stride: [1, 1], padding: [0, 0], seed: 21 }],
    ['stride 2, padding 1', { batch: 2, inChannels: 3, outChannels: 2, height: 7, width: 6, kernel: [3, 3], stride: [2, 2], padding: [1, 1], seed: 22 }],
    [
      'kernel [2, 3], stride [1, 3], padding [2, 1]',
      { batch: 1, inChannels: 2, outChannels: 2, height: 4, width: 8, kernel: [2, 3], stride: [1, 3], padding: [2, 1], seed: 23 },
    ],
  ];

  it.each(layerCases)('backward: dx, grads.W, grads.b agree with central differences (%s)', (name, cfg) => {
    const { x, W, b, dout: R } = problem(cfg);
    const layer = layerFor(cfg, W, b);
    layer.forward(x);
    const dx = layer.backward(R).clone();
    const dW = layer.grads.W.clone();
    const db = layer.grads.b.clone();
    const loss = () => dot(layer.forward(x), R);
    expectGradient(dx, numericGradient(loss, x.data), `dx of Conv2d (${name})`);
    expectGradient(dW, numericGradient(loss, layer.params.W.data), `grads.W of Conv2d (${name})`);
    expectGradient(db, numericGradient(loss, layer.params.b.data), `grads.b of Conv2d (${name})`);
  });

  it('forward: with zero bias it is linear in x, f(a x + c y) = a f(x) + c f(y) (property)', () => {
    const scale = fc.double({ min: -2, max: 2, noNaN: true });
    fc.assert(
      fc.property(convConfigArb(), scale, scale, (cfg, a, c) => {
        const { x, W } = problem(cfg);
        const y = seededTensor(x.shape, cfg.seed + 7);
        const layer = layerFor(cfg, W, Tensor.zeros([cfg.outChannels]));
        const fx = layer.forward(x).clone();
        const fy = layer.forward(y).clone();
        const mixed = layer.forward(x.map((v, i) => a * v + c * y.data[i]));
        expect(mixed).toBeCloseTensor(
          fx.map((v, i) => a * v + c * fy.data[i]),
          {
            ...TOL,
            what: `Conv2d.forward(a x + c y) with a = ${a}, c = ${c} (${describeCase(cfg)})`,
          },
        );
      }),
      { numRuns: 40 },
    );
  });

  it('backward: does not change params, and grads keep the shapes of params', () => {
    const cfg = layerCases[1][1];
    const { x, W, b, dout } = problem(cfg);
    const layer = layerFor(cfg, W, b);
    layer.forward(x);
    layer.backward(dout);
    expect(layer.params.W).toBeCloseTensor(W, { atol: 0, rtol: 0, what: 'params.W after backward' });
    expect(layer.params.b).toBeCloseTensor(b, { atol: 0, rtol: 0, what: 'params.b after backward' });
    expect(layer.grads.W.shape).toEqual(layer.params.W.shape);
    expect(layer.grads.b.shape).toEqual(layer.params.b.shape);
  });

  it('backward: grads are replaced by each backward, not added up', () => {
    const cfg = layerCases[0][1];
    const { g, x, W, b, dout } = problem(cfg);
    const expected = oracleConvBackward(x, W, dout, g);
    const layer = layerFor(cfg, W, b);
    layer.forward(x);
    layer.backward(dout);
    layer.backward(dout);
    expect(layer.grads.W).toBeCloseTensor(expected.dW, { ...TOL, what: 'grads.W after two backward calls with the same dout' });
    expect(layer.grads.b).toBeCloseTensor(expected.db, { ...TOL, what: 'grads.b after two backward calls with the same dout' });
  });

  it('options: kernelSize, stride and padding as [h, w] pairs, and a number meaning both', () => {
    // x [2, 2, 5, 6], kernel [2, 3], stride [2, 1], padding [1, 0]:
    // OH = floor((5 + 2 - 2) / 2) + 1 = 3, OW = floor((6 + 0 - 3) / 1) + 1 = 4
    const cfg: ConvConfig = { batch: 2, inChannels: 2, outChannels: 3, height: 5, width: 6, kernel: [2, 3], stride: [2, 1], padding: [1, 0], seed: 31 };
    const { g, x, W, b } = problem(cfg);
    const expected = oracleConvForward(x, W, b, g);
    const out = layerFor(cfg, W, b).forward(x);
    expect(out.shape).toEqual([2, 3, 3, 4]);
    expect(out).toBeCloseTensor(expected, { ...TOL, what: 'Conv2d.forward with kernel [2, 3], stride [2, 1], padding [1, 0]' });

    const square = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2, padding: 1 });
    expect(square.params.W.shape).toEqual([2, 1, 3, 3]);
    // 7x7 padded by 1 is 9x9; a 3x3 window with stride 2 fits floor((9 - 3) / 2) + 1 = 4 times.
    expect(square.forward(seededTensor([1, 1, 7, 7], 3)).shape).toEqual([1, 2, 4, 4]);
  });
});

describe('01 conv2d: bad input', () => {
  it('rejects a kernelSize, stride or padding that is neither a number nor a pair [h, w]', () => {
    const three = [3, 3, 3] as unknown as [number, number];
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: three })).toThrowKataError(
      /^Conv2d: kernelSize must be a number or a pair \[h, w\], got \[3,3,3\]/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: three })).toThrowKataError(
      /^Conv2d: stride must be a number or a pair \[h, w\], got \[3,3,3\]/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: three })).toThrowKataError(
      /^Conv2d: padding must be a number or a pair \[h, w\], got \[3,3,3\]/,
    );
  });

  const layer = () => new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3, padding: 1 });

  it('constructor: rejects non-positive or fractional channels, kernel and stride, negative or fractional padding', () => {
    expect(() => new Conv2d({ inChannels: 0, outChannels: 2, kernelSize: 3 })).toThrowKataError(/Conv2d: inChannels must be a whole number >= 1, got 0/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2.5, kernelSize: 3 })).toThrowKataError(
      /Conv2d: outChannels must be a whole number >= 1, got 2\.5/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 0 })).toThrowKataError(
      /Conv2d: kernel height must be a whole number >= 1, got 0/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: [3, 1.5] })).toThrowKataError(
      /Conv2d: kernel width must be a whole number >= 1, got 1\.5/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 0 })).toThrowKataError(
      /Conv2d: stride height must be a whole number >= 1, got 0/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: [1, 1.5] })).toThrowKataError(
      /Conv2d: stride width must be a whole number >= 1, got 1\.5/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: -1 })).toThrowKataError(
      /Conv2d: padding height must be a whole number >= 0, got -1/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: [0, 0.5] })).toThrowKataError(
      /Conv2d: padding width must be a whole number >= 0, got 0\.5/,
    );
  });

  it('forward: rejects an input that is not rank 4, naming the shape', () => {
    expect(() => layer().forward(seededTensor([3, 5, 5], 1))).toThrowKataError(
      /Conv2d\.forward: expected a rank-4 tensor \[N, C, H, W\], got rank 3 with shape \[3, 5, 5\]/,
    );
  });

  it('forward: rejects a channel count that differs from inChannels', () => {
    expect(() => layer().forward(seededTensor([1, 2, 5, 5], 1))).toThrowKataError(
      /Conv2d\.forward: expected channels C = 3 \(axis 1\), got 2 in shape \[1, 2, 5, 5\]/,
    );
  });

  it('forward: rejects a kernel larger than the padded input', () => {
    // 5x5 kernel, padding 1: a height of 2 pads to 4 < 5.
    const big = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 5, padding: 1 });
    expect(() => big.forward(seededTensor([1, 1, 2, 6], 1))).toThrowKataError(
      /Conv2d\.forward: expected a kernel height <= the padded input height 4 \(input 2 \+ 2 \* padding 1\), got kernel height 5/,
    );
    expect(() => big.forward(seededTensor([1, 1, 6, 1], 1))).toThrowKataError(
      /Conv2d\.forward: expected a kernel width <= the padded input width 3 \(input 1 \+ 2 \* padding 1\), got kernel width 5/,
    );
  });

  it('forward: rejects NaN and Infinity, saying where they are', () => {
    const x = seededTensor([1, 3, 4, 4], 1);
    x.set(Number.NaN, 0, 2, 1, 3);
    expect(() => layer().forward(x)).toThrowKataError(/Conv2d\.forward: expected finite values, got NaN at index \[0, 2, 1, 3\]/);
    x.set(0, 0, 2, 1, 3);
    x.set(-Infinity, 0, 0, 3, 0);
    expect(() => layer().forward(x)).toThrowKataError(/Conv2d\.forward: expected finite values, got -Infinity at index \[0, 0, 3, 0\]/);
  });

  it('backward: rejects a dout whose shape is not the forward output shape', () => {
    const conv = layer();
    conv.forward(seededTensor([1, 3, 4, 4], 1)); // output [1, 2, 4, 4]
    expect(() => conv.backward(seededTensor([1, 2, 4, 3], 2))).toThrowKataError(/Conv2d\.backward: expected shape \[1, 2, 4, 4\], got \[1, 2, 4, 3\]/);
  });

  it('backward: refuses NaN and Infinity in dout, naming the value and its index (lib/layer.ts)', () => {
    const conv = layer();
    conv.forward(seededTensor([1, 3, 4, 4], 1)); // output [1, 2, 4, 4]
    const dout = seededTensor([1, 2, 4, 4], 2);
    dout.data[dout.size - 1] = Infinity;
    expect(() => conv.backward(dout)).toThrowKataError(/^Conv2d\.backward: expected finite values, got Infinity at index \[0, 1, 3, 3\]/);
    dout.data[dout.size - 1] = NaN;
    expect(() => conv.backward(dout)).toThrowKataError(/^Conv2d\.backward: expected finite values, got NaN at index \[0, 1, 3, 3\]/);
  });

  it('backward: says to call forward first when there was no forward', () => {
    expect(() => layer().backward(seededTensor([1, 2, 4, 4], 2))).toThrowKataError(/Conv2d\.backward: call forward before backward/);
  });

  it('naive functions: reject a channel mismatch, a bias of the wrong size, and a wrong dout', () => {
    const x = seededTensor([1, 3, 4, 4], 1);
    const W = seededTensor([2, 2, 3, 3], 2); // expects 2 channels
    const g: ConvGeometry = { stride: [1, 1], padding: [0, 0] };
    expect(() => conv2dForwardNaive(x, W, Tensor.zeros([2]), g)).toThrowKataError(/conv2dForwardNaive: expected channels C = 2 \(axis 1\), got 3/);
    const W3 = seededTensor([2, 3, 3, 3], 3);
    expect(() => conv2dForwardNaive(x, W3, Tensor.zeros([3]), g)).toThrowKataError(/conv2dForwardNaive: expected shape \[2\], got \[3\]/);
    expect(() => conv2dForwardNaive(x, W3, Tensor.zeros([2]), { stride: [0, 1], padding: [0, 0] })).toThrowKataError(
      /conv2dForwardNaive: stride height must be a whole number >= 1, got 0/,
    );
    expect(() => conv2dBackwardNaive(x, W3, Tensor.zeros([1, 2, 3, 3]), g)).toThrowKataError(
      /conv2dBackwardNaive: expected shape \[1, 2, 2, 2\], got \[1, 2, 3, 3\]/,
    );
  });

  it('im2col / col2im: reject a kernel larger than the padded input and a col of the wrong shape', () => {
    expect(() => im2col(ONE_TO_NINE, [2, 4], [1, 1], [0, 0])).toThrowKataError(
      /im2col: expected a kernel width <= the padded input width 3 \(input 3 \+ 2 \* padding 0\), got kernel width 4/,
    );
    expect(() => col2im(Tensor.zeros([4, 5]), [1, 1, 3, 3], [2, 2], [1, 1], [0, 0])).toThrowKataError(/col2im: expected shape \[4, 4\], got \[4, 5\]/);
  });
});
