/**
 * What a comparison case is, and the helpers that build most of them: a
 * case holds seeded inputs and the sequence of calls to make on the
 * learner's code and on the reference.
 *
 * A case builds its steps once per tree (`build(load)`, where `load(file)`
 * requires a file of that exercise from that tree). Steps run in order, so a
 * backward step sees the state its forward left. Parameters are overwritten
 * with the same seeded values in both trees, so a different initializer does
 * not hide (or fake) a difference in forward or backward.
 */
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';

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

export const IMAGE = ['n', 'c', 'h', 'w'];

export interface LayerCaseOptions {
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
  /** A given input instead of seeded values (e.g. with ties). */
  input?: Tensor;
}

/** forward, backward (dx), then each parameter gradient. */
export function layerCase(o: LayerCaseOptions): CompareCase {
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
      const x = o.input ?? seeded(o.inputShape, o.seed);
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

/** A Conv2d case; `s` undefined leaves the stride out of the options (it defaults to 1). */
export function conv2dCase(
  name: string,
  c: { N: number; C: number; H: number; W: number; M: number; k: [number, number]; s?: number; p: number; seed: number },
): CompareCase {
  const stride = c.s ?? 1;
  const oh = Math.floor((c.H + 2 * c.p - c.k[0]) / stride) + 1;
  const ow = Math.floor((c.W + 2 * c.p - c.k[1]) / stride) + 1;
  return layerCase({
    exercise: '01-conv2d',
    name,
    file: 'conv2d.ts',
    make: (m) =>
      new m.Conv2d({ inChannels: c.C, outChannels: c.M, kernelSize: c.k, ...(c.s === undefined ? {} : { stride: c.s }), padding: c.p, seed: 0 }),
    inputShape: [c.N, c.C, c.H, c.W],
    outputShape: [c.N, c.M, oh, ow],
    inputAxes: IMAGE,
    outputAxes: ['n', 'm', 'i', 'j'],
    params: { W: { shape: [c.M, c.C, ...c.k], axes: ['m', 'k', 's', 't'] }, b: { shape: [c.M], axes: ['m'] } },
    seed: c.seed,
  });
}

export interface PoolCase {
  exercise: string;
  cls: string;
  file: string;
  name: string;
  shape: number[];
  kernel: number;
  /** Undefined: left out of the options, so it defaults to the kernel size. */
  stride?: number;
  padding: number;
  seed: number;
  input?: Tensor;
}

export function poolCase(c: PoolCase): CompareCase {
  const stride = c.stride ?? c.kernel;
  const out = (n: number): number => Math.floor((n + 2 * c.padding - c.kernel) / stride) + 1;
  return layerCase({
    exercise: c.exercise,
    name: c.name,
    file: c.file,
    make: (m) => new m[c.cls]({ kernelSize: c.kernel, ...(c.stride === undefined ? {} : { stride: c.stride }), padding: c.padding }),
    inputShape: c.shape,
    outputShape: [c.shape[0], c.shape[1], out(c.shape[2]), out(c.shape[3])],
    inputAxes: IMAGE,
    outputAxes: ['n', 'c', 'i', 'j'],
    seed: c.seed,
    ...(c.input ? { input: c.input } : {}),
  });
}

/** Seeded whole numbers in [0, levels): many ties, as in images with flat regions. */
export function seededLevels(shape: number[], seed: number, levels: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  return new Tensor(
    shape,
    Array.from({ length: size }, () => Math.floor(rng.uniform() * levels)),
  );
}

/** A case of one step that lists numbers the learner's functions return (sizes, counts). */
export function numbersCase(exercise: string, name: string, labels: string[], compute: (load: (file: string) => Module) => number[]): CompareCase {
  return {
    exercise,
    name,
    build: (load) => [
      {
        name: 'values',
        element: 'value',
        timed: true,
        explain: (i) => labels[i] ?? `value ${i}`,
        run: () => {
          const values = compute(load);
          return new Tensor([values.length], values);
        },
      },
    ],
  };
}
