/**
 * The cases `npm run compare` runs: for each exercise, seeded inputs and the
 * sequence of calls to make on the learner's code and on the reference.
 *
 * A case builds its steps once per tree (`build(load)`, where `load(file)`
 * requires a file of that exercise from that tree). Steps run in order, so a
 * backward step sees the state its forward left. Parameters are overwritten
 * with the same seeded values in both trees, so a different initializer does
 * not hide (or fake) a difference in forward or backward.
 */
import { Rng } from '../lib/random';
import { Tensor } from '../lib/tensor';

// The code under test is loaded at run time from either tree, so its type is open.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Module = Record<string, any>;

export interface Step {
  /** 'forward', 'backward dx', 'grads.W', ... */
  name: string;
  /** How to name one element in an explanation: 'output', 'dL/dx', 'dL/dW'. */
  element: string;
  /** Axis names for explanations, e.g. ['n', 'c', 'h', 'w']. */
  axes?: string[];
  /** Names a flat index when axes are not enough (e.g. the case of a list). */
  explain?: (flat: number) => string;
  /** False for steps that only read what an earlier step stored (no timing). */
  timed: boolean;
  run: () => Tensor;
}

export interface CompareCase {
  exercise: string;
  /** One line: the layer and its inputs. */
  name: string;
  build: (load: (file: string) => Module) => Step[];
}

/** Seeded N(0, 1) values of a shape. */
export function seeded(shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(shape, new Rng(seed).normals(size));
}

const IMAGE = ['n', 'c', 'h', 'w'];

interface LayerCaseOptions {
  exercise: string;
  name: string;
  file: string;
  make: (mod: Module) => Module;
  inputShape: number[];
  outputShape: number[];
  inputAxes?: string[];
  outputAxes?: string[];
  /** Parameter names and axes, overwritten with seeded values in both trees. */
  params?: Record<string, { shape: number[]; axes: string[] }>;
  seed: number;
}

/** forward, backward (dx), then each parameter gradient. */
function layerCase(o: LayerCaseOptions): CompareCase {
  return {
    exercise: o.exercise,
    name: o.name,
    build: (load) => {
      const layer = o.make(load(o.file));
      const names = Object.keys(o.params ?? {});
      names.forEach((key, i) => {
        const spec = o.params![key];
        const target = layer.params?.[key] as Tensor | undefined;
        const values = seeded(spec.shape, o.seed + 100 + i);
        if (!target || target.data?.length !== values.data.length) {
          const got = target ? `shape [${target.shape?.join(', ')}]` : 'nothing';
          throw new Error(`params.${key} should have shape [${spec.shape.join(', ')}], got ${got}`);
        }
        target.data.set(values.data);
      });
      const x = seeded(o.inputShape, o.seed);
      const dout = seeded(o.outputShape, o.seed + 1);
      const steps: Step[] = [
        { name: 'forward', element: 'output', axes: o.outputAxes, timed: true, run: () => layer.forward(x) },
        { name: 'backward dx', element: 'dL/dx', axes: o.inputAxes, timed: true, run: () => layer.backward(dout) },
      ];
      for (const key of names) {
        steps.push({
          name: `grads.${key}`,
          element: `dL/d${key}`,
          axes: o.params![key].axes,
          timed: false,
          run: () => {
            const g = layer.grads?.[key] as Tensor | undefined;
            if (!g) throw new Error(`grads.${key} is missing after backward`);
            return g;
          },
        });
      }
      return steps;
    },
  };
}

function conv2dCase(name: string, c: { N: number; C: number; H: number; W: number; M: number; k: [number, number]; s: number; p: number; seed: number }): CompareCase {
  const oh = Math.floor((c.H + 2 * c.p - c.k[0]) / c.s) + 1;
  const ow = Math.floor((c.W + 2 * c.p - c.k[1]) / c.s) + 1;
  return layerCase({
    exercise: '01-conv2d',
    name,
    file: 'conv2d.ts',
    make: (m) => new m.Conv2d({ inChannels: c.C, outChannels: c.M, kernelSize: c.k, stride: c.s, padding: c.p, seed: 0 }),
    inputShape: [c.N, c.C, c.H, c.W],
    outputShape: [c.N, c.M, oh, ow],
    inputAxes: IMAGE,
    outputAxes: ['n', 'm', 'i', 'j'],
    params: { W: { shape: [c.M, c.C, ...c.k], axes: ['m', 'k', 's', 't'] }, b: { shape: [c.M], axes: ['m'] } },
    seed: c.seed,
  });
}

function poolCase(exercise: string, cls: string, file: string, name: string, shape: number[], kernel: number, stride: number, padding: number, seed: number): CompareCase {
  const out = (n: number): number => Math.floor((n + 2 * padding - kernel) / stride) + 1;
  return layerCase({
    exercise,
    name,
    file,
    make: (m) => new m[cls]({ kernelSize: kernel, stride, padding }),
    inputShape: shape,
    outputShape: [shape[0], shape[1], out(shape[2]), out(shape[3])],
    inputAxes: IMAGE,
    outputAxes: ['n', 'c', 'i', 'j'],
    seed,
  });
}

/** Output-size configurations [input, kernel, stride, padding], all valid. */
const SIZE_CASES: [number, number, number, number][] = [
  [28, 5, 1, 0], [28, 5, 1, 2], [28, 3, 2, 1], [7, 3, 2, 1], [6, 3, 2, 0], [144, 3, 1, 1],
  [227, 11, 4, 0], [224, 11, 4, 2], [5, 5, 1, 0], [8, 3, 3, 0], [10, 4, 3, 1], [1, 1, 1, 0],
];

export const compareCases: CompareCase[] = [
  layerCase({
    exercise: '00-prerequisites',
    name: 'FC 6 -> 4, x [5, 6] (seed 1)',
    file: 'fc.ts',
    make: (m) => new m.FC({ inFeatures: 6, outFeatures: 4, seed: 0 }),
    inputShape: [5, 6],
    outputShape: [5, 4],
    inputAxes: ['n', 'i'],
    outputAxes: ['n', 'j'],
    params: { W: { shape: [6, 4], axes: ['i', 'j'] }, b: { shape: [4], axes: ['j'] } },
    seed: 1,
  }),
  layerCase({
    exercise: '00-prerequisites',
    name: 'ReLU, x [4, 6] (seed 2)',
    file: 'relu.ts',
    make: (m) => new m.ReLU(),
    inputShape: [4, 6],
    outputShape: [4, 6],
    inputAxes: ['n', 'i'],
    outputAxes: ['n', 'i'],
    seed: 2,
  }),
  {
    exercise: '00-prerequisites',
    name: 'SoftmaxCrossEntropy, logits [6, 10], labels 0..5 (seed 3)',
    build: (load) => {
      const loss = new (load('softmax-cross-entropy.ts').SoftmaxCrossEntropy)();
      const logits = seeded([6, 10], 3);
      const labels = [0, 1, 2, 3, 4, 5];
      return [
        { name: 'forward (loss)', element: 'loss', timed: true, run: () => new Tensor([1], [loss.forward(logits, labels)]) },
        { name: 'backward dlogits', element: 'dL/dlogits', axes: ['n', 'k'], timed: true, run: () => loss.backward() },
      ];
    },
  },
  layerCase({
    exercise: '00-prerequisites',
    name: 'Conv1d 2 -> 3 channels, kernel 3, stride 2, padding 1, x [2, 2, 9] (seed 4)',
    file: 'conv1d.ts',
    make: (m) => new m.Conv1d({ inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, seed: 0 }),
    inputShape: [2, 2, 9],
    outputShape: [2, 3, 5],
    inputAxes: ['n', 'c', 'l'],
    outputAxes: ['n', 'm', 'i'],
    params: { W: { shape: [3, 2, 3], axes: ['m', 'k', 's'] }, b: { shape: [3], axes: ['m'] } },
    seed: 4,
  }),
  conv2dCase('Conv2d 3 -> 4 channels, kernel 3, stride 1, padding 0, x [2, 3, 6, 6] (seed 5)', { N: 2, C: 3, H: 6, W: 6, M: 4, k: [3, 3], s: 1, p: 0, seed: 5 }),
  conv2dCase('Conv2d 3 -> 4 channels, kernel 3, stride 2, padding 1, x [2, 3, 7, 7] (seed 6)', { N: 2, C: 3, H: 7, W: 7, M: 4, k: [3, 3], s: 2, p: 1, seed: 6 }),
  conv2dCase('Conv2d 2 -> 3 channels, kernel [2, 3], stride 2, padding 1, x [1, 2, 5, 8] (seed 7)', { N: 1, C: 2, H: 5, W: 8, M: 3, k: [2, 3], s: 2, p: 1, seed: 7 }),
  {
    exercise: '02-output-size',
    name: `convOutputSize on ${SIZE_CASES.length} configurations (input, kernel, stride, padding)`,
    build: (load) => {
      const m = load('output-size.ts');
      return [
        {
          name: 'convOutputSize',
          element: 'size',
          timed: true,
          explain: (i) => {
            const [n, f, s, p] = SIZE_CASES[i];
            return `configuration ${i}: input ${n}, kernel ${f}, stride ${s}, padding ${p}`;
          },
          run: () => new Tensor([SIZE_CASES.length], SIZE_CASES.map(([n, f, s, p]) => m.convOutputSize(n, f, s, p) as number)),
        },
      ];
    },
  },
  poolCase('03-max-pool2d', 'MaxPool2D', 'max-pool2d.ts', 'MaxPool2D kernel 2, stride 2, x [2, 3, 6, 6] (seed 8)', [2, 3, 6, 6], 2, 2, 0, 8),
  poolCase('03-max-pool2d', 'MaxPool2D', 'max-pool2d.ts', 'MaxPool2D kernel 3, stride 2, padding 1 (overlapping), x [2, 2, 7, 7] (seed 9)', [2, 2, 7, 7], 3, 2, 1, 9),
  poolCase('04-average-pool2d', 'AveragePool2D', 'average-pool2d.ts', 'AveragePool2D kernel 2, stride 2, x [2, 3, 6, 6] (seed 10)', [2, 3, 6, 6], 2, 2, 0, 10),
  poolCase('04-average-pool2d', 'AveragePool2D', 'average-pool2d.ts', 'AveragePool2D kernel 3, stride 2, padding 1, x [2, 2, 7, 7] (seed 11)', [2, 2, 7, 7], 3, 2, 1, 11),
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
];
