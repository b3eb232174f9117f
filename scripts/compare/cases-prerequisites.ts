/** Comparison cases of exercise 00: FC, ReLU, softmax with cross-entropy, initializers, optimizers, mini-batches, Conv1d. */
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { CompareCase, layerCase, Module, numbersCase, seeded, Step } from './kit';

const EX = '00-prerequisites';

/** A stand-in for a layer: what an optimizer reads (params and grads) and nothing else. */
function fakeLayer(seed: number): { params: { W: Tensor; b: Tensor }; grads: { W: Tensor; b: Tensor } } {
  return { params: { W: seeded([3, 4], seed), b: seeded([4], seed + 1) }, grads: { W: seeded([3, 4], seed + 2), b: seeded([4], seed + 3) } };
}

/** Two updates with the same grads; the steps are the parameters after each. */
function optimizerCase(name: string, make: (m: Module) => Module, seed: number): CompareCase {
  return {
    exercise: EX,
    name,
    build: (load) => {
      const optimizer = make(load('optimizers.ts'));
      const layer = fakeLayer(seed);
      const step = (label: string, key: 'W' | 'b', update: boolean): Step => ({
        name: label,
        element: key,
        axes: key === 'W' ? ['i', 'j'] : ['j'],
        timed: update,
        run: () => {
          if (update) optimizer.update(layer);
          return layer.params[key].clone();
        },
      });
      return [step('update 1: W', 'W', true), step('update 1: b', 'b', false), step('update 2: W', 'W', true), step('update 2: b', 'b', false)];
    },
  };
}

const FAN_INS = [1, 4, 50, 784];

export const prerequisiteCases: CompareCase[] = [
  layerCase({
    exercise: EX,
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
    exercise: EX,
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
    exercise: EX,
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
  numbersCase(
    EX,
    `initializers: sigma for fanIn ${FAN_INS.join(', ')}`,
    ['Simple(0.05)', 'Xavier', 'He'].flatMap((init) => FAN_INS.map((f) => `${init}.sigma(${f})`)),
    (load) => {
      const m = load('initializers.ts');
      const inits = [new m.SimpleInitializer(0.05), new m.XavierInitializer(), new m.HeInitializer()];
      return inits.flatMap((init) => FAN_INS.map((f) => init.sigma(f) as number));
    },
  ),
  {
    exercise: EX,
    name: 'HeInitializer.weights([3, 4], fanIn 3) from the same Rng (seed 13)',
    build: (load) => [
      {
        name: 'weights',
        element: 'W',
        axes: ['i', 'j'],
        timed: true,
        run: () => new (load('initializers.ts').HeInitializer)().weights([3, 4], 3, new Rng(13)),
      },
    ],
  },
  optimizerCase('SGD lr 0.1, two updates of W [3, 4] and b [4] (seed 14)', (m) => new m.SGD({ lr: 0.1 }), 14),
  optimizerCase('AdaGrad lr 0.1, two updates of W [3, 4] and b [4] (seed 15)', (m) => new m.AdaGrad({ lr: 0.1 }), 15),
  {
    exercise: EX,
    name: 'GetMiniBatch of 7 samples, batch size 3, seed 5',
    build: (load) => {
      const x = new Tensor(
        [7, 2],
        Array.from({ length: 14 }, (_, i) => i),
      );
      const y = [0, 1, 2, 3, 4, 5, 6];
      const batches = new (load('mini-batch.ts').GetMiniBatch)(x, y, { batchSize: 3, seed: 5 });
      const labels = (i: number): Tensor => {
        const b = batches.batch(i);
        return new Tensor([b.y.length], Array.from(b.y as ArrayLike<number>));
      };
      return [
        { name: 'number of batches', element: 'length', timed: false, run: () => new Tensor([1], [batches.length]) },
        { name: 'batch 0: y', element: 'y', timed: true, run: () => labels(0) },
        { name: 'batch 0: x', element: 'x', axes: ['n', 'f'], timed: false, run: () => batches.batch(0).x },
        { name: 'batch 2 (the last, shorter): y', element: 'y', timed: false, run: () => labels(2) },
      ];
    },
  },
  layerCase({
    exercise: EX,
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
];
