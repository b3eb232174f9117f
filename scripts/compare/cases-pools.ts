/** Comparison cases of exercises 02 to 05: the output-size formula, the two poolings and Flatten. */
import { CompareCase, IMAGE, layerCase, numbersCase, poolCase, seededLevels } from './kit';

/** Output-size configurations [input, kernel, stride, padding], all valid; some strides do not divide. */
const SIZE_CASES: [number, number, number, number][] = [
  [28, 5, 1, 0],
  [28, 5, 1, 2],
  [28, 3, 2, 1],
  [7, 3, 2, 1],
  [6, 3, 2, 0],
  [144, 3, 1, 1],
  [227, 11, 4, 0],
  [224, 11, 4, 2],
  [5, 5, 1, 0],
  [8, 3, 3, 0],
  [10, 4, 3, 1],
  [1, 1, 1, 0],
];

const max = { exercise: '03-max-pool2d', cls: 'MaxPool2D', file: 'max-pool2d.ts' };
const avg = { exercise: '04-average-pool2d', cls: 'AveragePool2D', file: 'average-pool2d.ts' };

export const poolCases: CompareCase[] = [
  numbersCase(
    '02-output-size',
    `convOutputSize on ${SIZE_CASES.length} configurations (input, kernel, stride, padding)`,
    SIZE_CASES.map(([n, f, s, p], i) => `configuration ${i}: input ${n}, kernel ${f}, stride ${s}, padding ${p}`),
    (load) => SIZE_CASES.map(([n, f, s, p]) => load('output-size.ts').convOutputSize(n, f, s, p) as number),
  ),
  numbersCase(
    '02-output-size',
    'convOutputShape(28, 20, [5, 3], [1, 2], [2, 0]) and with stride and padding left out',
    ['[5, 3], [1, 2], [2, 0]: OH', '[5, 3], [1, 2], [2, 0]: OW', 'defaults: OH', 'defaults: OW'],
    (load) => {
      const m = load('output-size.ts');
      return [...(m.convOutputShape(28, 20, [5, 3], [1, 2], [2, 0]) as number[]), ...(m.convOutputShape(28, 20, 3) as number[])];
    },
  ),
  poolCase({ ...max, name: 'MaxPool2D kernel 2, stride 2, x [2, 3, 6, 6] (seed 8)', shape: [2, 3, 6, 6], kernel: 2, stride: 2, padding: 0, seed: 8 }),
  poolCase({ ...max, name: 'MaxPool2D kernel 2, stride left out (2), x [1, 2, 6, 6] (seed 30)', shape: [1, 2, 6, 6], kernel: 2, padding: 0, seed: 30 }),
  poolCase({
    ...max,
    name: 'MaxPool2D kernel 3, stride 2, padding 1 (overlapping), x [2, 2, 7, 7] (seed 9)',
    shape: [2, 2, 7, 7],
    kernel: 3,
    stride: 2,
    padding: 1,
    seed: 9,
  }),
  poolCase({
    ...max,
    name: 'MaxPool2D kernel 2, stride 2, ties (values 0, 1, 2), x [2, 2, 6, 6] (seed 31)',
    shape: [2, 2, 6, 6],
    kernel: 2,
    stride: 2,
    padding: 0,
    seed: 31,
    input: seededLevels([2, 2, 6, 6], 31, 3),
  }),
  poolCase({
    ...max,
    name: 'MaxPool2D kernel 3, stride 1, ties, overlapping, x [1, 2, 6, 6] (seed 32)',
    shape: [1, 2, 6, 6],
    kernel: 3,
    stride: 1,
    padding: 0,
    seed: 32,
    input: seededLevels([1, 2, 6, 6], 32, 2),
  }),
  poolCase({
    ...avg,
    name: 'AveragePool2D kernel 2, stride 2, x [2, 3, 6, 6] (seed 10)',
    shape: [2, 3, 6, 6],
    kernel: 2,
    stride: 2,
    padding: 0,
    seed: 10,
  }),
  poolCase({
    ...avg,
    name: 'AveragePool2D kernel 3, stride left out (3), x [1, 2, 6, 6] (seed 33)',
    shape: [1, 2, 6, 6],
    kernel: 3,
    padding: 0,
    seed: 33,
  }),
  poolCase({
    ...avg,
    name: 'AveragePool2D kernel 3, stride 2, padding 1, x [2, 2, 7, 7] (seed 11)',
    shape: [2, 2, 7, 7],
    kernel: 3,
    stride: 2,
    padding: 1,
    seed: 11,
  }),
  layerCase({
    exercise: '05-flatten',
    name: 'Flatten, x [2, 3, 4, 5] (seed 12)',
    file: 'flatten.ts',
    make: (m) => new m.Flatten(),
    inputShape: [2, 3, 4, 5],
    outputShape: [2, 60],
    inputAxes: IMAGE,
    outputAxes: ['n', 'f'],
    seed: 12,
  }),
  layerCase({
    exercise: '05-flatten',
    name: 'Flatten, x [3, 2, 5] (rank 3, seed 34)',
    file: 'flatten.ts',
    make: (m) => new m.Flatten(),
    inputShape: [3, 2, 5],
    outputShape: [3, 10],
    inputAxes: ['n', 'c', 'l'],
    outputAxes: ['n', 'f'],
    seed: 34,
  }),
];
