/** Comparison case of exercise 06: one training step of the classifier from the same weights and batch. */
import { Tensor } from '../../lib/tensor';
import { CompareCase, Module, seeded } from './kit';

const SPECS = [
  { type: 'conv2d', outChannels: 2, kernelSize: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'flatten' },
  { type: 'fc', outFeatures: 3 },
];

/** Every parameter of the classifier's layers in order, and what each element is. */
function allParams(clf: Module): { tensors: Tensor[]; names: string[] } {
  const tensors: Tensor[] = [];
  const names: string[] = [];
  (clf.layers as Module[]).forEach((layer, i) => {
    for (const [key, t] of Object.entries((layer.params ?? {}) as Record<string, Tensor>)) {
      tensors.push(t);
      for (let j = 0; j < t.data.length; j++) names.push(`layer ${i} ${key}[${j}]`);
    }
  });
  return { tensors, names };
}

export const classifierCases: CompareCase[] = [
  {
    exercise: '06-classifier',
    name: 'one SGD step (lr 0.1) of conv 2@3x3 pad 1, relu, max pool 2, flatten, fc 3 on x [4, 1, 6, 6], same weights',
    build: (load) => {
      const { Scratch2dCNNClassifier } = load('classifier.ts');
      const options = { layers: SPECS, inputShape: [1, 6, 6], classes: 3, optimizer: 'sgd', lr: 0.1, batchSize: 4, epochs: 1, seed: 0 };
      const clf = new Scratch2dCNNClassifier(options);
      const { tensors, names } = allParams(clf);
      // The same seeded weights in both trees, whatever the initializer did.
      tensors.forEach((t, i) => t.data.set(seeded(t.shape, 40 + i).data.map((v) => v * 0.5)));
      const X = seeded([4, 1, 6, 6], 41);
      const y = [0, 1, 2, 1];
      const flat = (): Tensor => {
        const values = allParams(clf).tensors.flatMap((t) => Array.from(t.data));
        return new Tensor([values.length], values);
      };
      return [
        { name: 'predictProba before', element: 'p', axes: ['n', 'k'], timed: true, run: () => clf.predictProba(X) },
        { name: 'parameters before', element: 'param', explain: (i) => names[i], timed: false, run: flat },
        {
          name: 'parameters after fit (one step)',
          element: 'param',
          explain: (i) => names[i],
          timed: false,
          run: () => {
            clf.fit(X, y);
            return flat();
          },
        },
        { name: 'predictProba after', element: 'p', axes: ['n', 'k'], timed: false, run: () => clf.predictProba(X) },
      ];
    },
  },
  {
    exercise: '06-classifier',
    name: 'two epochs of fit (SGD, lr 0.1, lrDecay 0.5) on x [8, 1, 6, 6] in mini-batches of 4: what each epoch reports',
    build: (load) => {
      const { Scratch2dCNNClassifier } = load('classifier.ts');
      const epochs: { lr: number; trainLoss: number }[] = [];
      const options = { layers: SPECS, inputShape: [1, 6, 6], classes: 3, optimizer: 'sgd', lr: 0.1, lrDecay: 0.5, batchSize: 4, epochs: 2, seed: 0 };
      const clf = new Scratch2dCNNClassifier({ ...options, onEpoch: (info: { lr: number; trainLoss: number }) => epochs.push(info) });
      allParams(clf).tensors.forEach((t, i) => t.data.set(seeded(t.shape, 50 + i).data.map((v) => v * 0.5)));
      const X = seeded([8, 1, 6, 6], 51);
      const y = [0, 1, 2, 1, 0, 2, 2, 1];
      return [
        {
          name: 'learning rate of each epoch',
          element: 'lr',
          axes: ['epoch'],
          timed: true,
          run: () => {
            clf.fit(X, y);
            return new Tensor(
              [epochs.length],
              epochs.map((e) => e.lr),
            );
          },
        },
        {
          name: 'training loss of each epoch',
          element: 'loss',
          axes: ['epoch'],
          timed: false,
          run: () =>
            new Tensor(
              [epochs.length],
              epochs.map((e) => e.trainLoss),
            ),
        },
      ];
    },
  },
];
