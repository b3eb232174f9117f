/** Comparison cases of exercise 01: the naive functions, im2col and col2im, and the Conv2d layer. */
import type { Tensor } from '../../lib/tensor';
import { CompareCase, conv2dCase, IMAGE, seeded } from './kit';

const EX = '01-conv2d';

interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  k: [number, number];
  s: number;
  p: number;
}

const outSize = (g: Geometry): [number, number] => [Math.floor((g.H + 2 * g.p - g.k[0]) / g.s) + 1, Math.floor((g.W + 2 * g.p - g.k[1]) / g.s) + 1];
const describe = (g: Geometry): string => `x [${g.N}, ${g.C}, ${g.H}, ${g.W}], W [${g.M}, ${g.C}, ${g.k.join(', ')}], stride ${g.s}, padding ${g.p}`;

function naiveCase(g: Geometry, seed: number): CompareCase {
  return {
    exercise: EX,
    name: `conv2dForwardNaive and conv2dBackwardNaive, ${describe(g)} (seed ${seed})`,
    build: (load) => {
      const m = load('conv2d-naive.ts');
      const [OH, OW] = outSize(g);
      const x = seeded([g.N, g.C, g.H, g.W], seed);
      const W = seeded([g.M, g.C, ...g.k], seed + 1);
      const b = seeded([g.M], seed + 2);
      const dout = seeded([g.N, g.M, OH, OW], seed + 3);
      const geometry = { stride: [g.s, g.s], padding: [g.p, g.p] };
      // The backward step computes all three gradients; the next two steps read what it returned.
      let grads: Record<'dx' | 'dW' | 'db', Tensor> | undefined;
      const stored = (key: 'dW' | 'db'): Tensor => {
        if (!grads) throw new Error('conv2dBackwardNaive returned nothing');
        return grads[key];
      };
      return [
        { name: 'forward', element: 'output', axes: ['n', 'm', 'i', 'j'], timed: true, run: () => m.conv2dForwardNaive(x, W, b, geometry) },
        {
          name: 'backward dx',
          element: 'dL/dx',
          axes: IMAGE,
          timed: true,
          run: () => {
            grads = m.conv2dBackwardNaive(x, W, dout, geometry);
            return grads!.dx;
          },
        },
        { name: 'backward dW', element: 'dL/dW', axes: ['m', 'k', 's', 't'], timed: false, run: () => stored('dW') },
        { name: 'backward db', element: 'dL/db', axes: ['m'], timed: false, run: () => stored('db') },
      ];
    },
  };
}

function im2colCase(g: Geometry, seed: number): CompareCase {
  return {
    exercise: EX,
    name: `im2col and col2im, ${describe(g)} (seed ${seed})`,
    build: (load) => {
      const m = load('im2col.ts');
      const [OH, OW] = outSize(g);
      const shape = [g.N, g.C, g.H, g.W];
      const x = seeded(shape, seed);
      const col = seeded([g.N * OH * OW, g.C * g.k[0] * g.k[1]], seed + 1);
      const args = [g.k, [g.s, g.s], [g.p, g.p]];
      return [
        { name: 'im2col', element: 'col', axes: ['(n, i, j)', '(k, s, t)'], timed: true, run: () => m.im2col(x, ...args) },
        { name: 'col2im', element: 'x', axes: IMAGE, timed: true, run: () => m.col2im(col, shape, ...args) },
      ];
    },
  };
}

const STRIDE1: Geometry = { N: 2, C: 2, H: 5, W: 5, M: 3, k: [3, 3], s: 1, p: 0 };
const STRIDE2: Geometry = { N: 2, C: 3, H: 7, W: 7, M: 2, k: [3, 3], s: 2, p: 1 };
const OBLONG: Geometry = { N: 1, C: 2, H: 5, W: 8, M: 2, k: [2, 3], s: 2, p: 1 };

export const conv2dCases: CompareCase[] = [
  naiveCase(STRIDE1, 20),
  naiveCase(STRIDE2, 21),
  naiveCase(OBLONG, 22),
  im2colCase(STRIDE1, 23),
  im2colCase(STRIDE2, 24),
  im2colCase({ ...OBLONG, k: [3, 3], s: 1 }, 25),
  conv2dCase('Conv2d 3 -> 4 channels, kernel 3, stride 1, padding 0, x [2, 3, 6, 6] (seed 5)', {
    N: 2,
    C: 3,
    H: 6,
    W: 6,
    M: 4,
    k: [3, 3],
    s: 1,
    p: 0,
    seed: 5,
  }),
  conv2dCase('Conv2d 3 -> 4 channels, kernel 3, stride 2, padding 1, x [2, 3, 7, 7] (seed 6)', {
    N: 2,
    C: 3,
    H: 7,
    W: 7,
    M: 4,
    k: [3, 3],
    s: 2,
    p: 1,
    seed: 6,
  }),
  conv2dCase('Conv2d 2 -> 3 channels, kernel [2, 3], stride 2, padding 1, x [1, 2, 5, 8] (seed 7)', {
    N: 1,
    C: 2,
    H: 5,
    W: 8,
    M: 3,
    k: [2, 3],
    s: 2,
    p: 1,
    seed: 7,
  }),
  conv2dCase('Conv2d 2 -> 2 channels, kernel 3, stride left out (1), padding 1, x [2, 2, 5, 5] (seed 26)', {
    N: 2,
    C: 2,
    H: 5,
    W: 5,
    M: 2,
    k: [3, 3],
    p: 1,
    seed: 26,
  }),
];
