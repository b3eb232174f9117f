/**
 * Detectors of the mistakes listed in the manifest: each calls the learner's
 * code on a tiny input made for that one mistake and compares with the
 * reference (solutions/) given the mistaken input or output. A detector that
 * throws (a stub, a crash) finds nothing.
 */
import type { LayerSpec } from '../../lib/model-spec';
import { summarize } from '../../lib/summary';
import { Tensor } from '../../lib/tensor';

// The code under test is loaded at run time from either tree, so its type is open.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Module = Record<string, any>;
/** Requires a file of the exercise from one tree: load('conv2d-naive.ts'). */
export type Loader = (file: string) => Module;

type Detector = (you: Loader, ref: Loader) => boolean;

const TOL = 1e-9;

function close(a: Tensor | undefined, b: Tensor): boolean {
  if (!a || !Array.isArray(a.shape) || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const scale = Math.max(1, ...Array.from(b.data, Math.abs));
  return Array.from(b.data).every((v, i) => Math.abs(a.data[i] - v) <= TOL * scale);
}

/** Deterministic, distinct, non-round values (no ties, no zeros). */
function ramp(shape: number[], seed: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return new Tensor(
    shape,
    Array.from({ length: size }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) + 0.05 * i),
  );
}

function geometry(stride: number, padding = 0): { stride: [number, number]; padding: [number, number] } {
  return { stride: [stride, stride], padding: [padding, padding] };
}

function flipKernel(W: Tensor): Tensor {
  const [M, C, FH, FW] = W.shape;
  const out = new Tensor(W.shape);
  for (let m = 0; m < M; m++)
    for (let k = 0; k < C; k++) for (let s = 0; s < FH; s++) for (let t = 0; t < FW; t++) out.set(W.get(m, k, FH - 1 - s, FW - 1 - t), m, k, s, t);
  return out;
}

/** Trains a tiny network of 06 on 12 seeded images; what the epochs reported. */
function tinyFit(load: Loader, options: { epochs: number; lrDecay: number }): { lossHistory: number[]; epochLoss: number[]; lrs: number[] } {
  const lrs: number[] = [];
  const model = new (load('classifier.ts').Scratch2dCNNClassifier)({
    layers: [{ type: 'conv2d', outChannels: 2, kernelSize: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'fc', outFeatures: 3 }],
    inputShape: [1, 6, 6],
    classes: 3,
    batchSize: 4,
    optimizer: 'sgd',
    lr: 0.1,
    seed: 3,
    onEpoch: (info: { lr: number }) => lrs.push(info.lr),
    ...options,
  });
  const x = ramp([12, 1, 6, 6], 9);
  const labels = Array.from({ length: 12 }, (_, i) => i % 3);
  model.fit(x, labels);
  return { lossHistory: Array.from(model.lossHistory as number[]), epochLoss: Array.from(model.epochLoss as number[]), lrs };
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= TOL * Math.max(1, Math.abs(b[i])));
}

interface ConvCase {
  x: Tensor;
  W: Tensor;
  b: Tensor;
  g: ReturnType<typeof geometry>;
}

function convCase(xShape: number[], wShape: number[], stride: number, padding = 0): ConvCase {
  return { x: ramp(xShape, 1), W: ramp(wShape, 2), b: ramp([wShape[0]], 3), g: geometry(stride, padding) };
}

/** Whether the learner's naive backward matches the reference on a case (forward first, as a layer would). */
function backwardMatches(you: Loader, ref: Loader, c: ConvCase): boolean {
  const out = ref('conv2d-naive.ts').conv2dForwardNaive(c.x, c.W, c.b, c.g) as Tensor;
  const dA = ramp(out.shape, 4);
  const r = ref('conv2d-naive.ts').conv2dBackwardNaive(c.x, c.W, dA, c.g);
  const y = you('conv2d-naive.ts').conv2dBackwardNaive(c.x, c.W, dA, c.g);
  return close(y.dx, r.dx) && close(y.dW, r.dW) && close(y.db, r.db);
}

function forwardMatches(you: Loader, ref: Loader, c: ConvCase): boolean {
  return close(you('conv2d-naive.ts').conv2dForwardNaive(c.x, c.W, c.b, c.g), ref('conv2d-naive.ts').conv2dForwardNaive(c.x, c.W, c.b, c.g));
}

// One image, one channel, one filter, a 1x1 output: every sum has one term.
const singleTerm = (): ConvCase => convCase([1, 1, 2, 2], [1, 1, 2, 2], 1);
// Two images, overlapping windows, stride 1: sums of many terms.
const manyTerms = (): ConvCase => convCase([2, 2, 4, 4], [2, 2, 2, 2], 1);
const strided = (): ConvCase => convCase([1, 1, 5, 5], [1, 1, 3, 3], 2);

function maxPoolBackward(you: Loader, x: Tensor): Tensor {
  const layer = new (you('max-pool2d.ts').MaxPool2D)({ kernelSize: 2 });
  const y = layer.forward(x) as Tensor;
  return layer.backward(Tensor.full(y.shape, 1)) as Tensor;
}

/** The [C, H, W] a layer list's first layer gives on one input shape. */
function firstOutput(specs: LayerSpec[], input: number[]): number[] {
  return summarize(specs.slice(0, 1), input).outputShape;
}

const countType = (specs: LayerSpec[], type: string): number => specs.filter((s) => s.type === type).length;

export const detectors: Record<string, Detector> = {
  'output-size-ceil': (you) => {
    const f = you('output-size.ts').convOutputSize;
    return f(6, 3, 2, 0) === 3 && f(5, 3, 1, 0) === 3 && f(7, 2, 2, 1) === 5;
  },
  'output-size-no-plus-one': (you) => {
    const f = you('output-size.ts').convOutputSize;
    return f(6, 3, 2, 0) === 1 && f(5, 3, 1, 0) === 2;
  },
  'conv-flipped-kernel': (you, ref) => {
    const c = convCase([1, 2, 4, 4], [2, 2, 3, 3], 1);
    const y = you('conv2d-naive.ts').conv2dForwardNaive(c.x, c.W, c.b, c.g);
    return !forwardMatches(you, ref, c) && close(y, ref('conv2d-naive.ts').conv2dForwardNaive(c.x, flipKernel(c.W), c.b, c.g));
  },
  'conv-grads-divided-by-batch': (you, ref) => {
    const c = manyTerms();
    const out = ref('conv2d-naive.ts').conv2dForwardNaive(c.x, c.W, c.b, c.g) as Tensor;
    const dA = ramp(out.shape, 4);
    const r = ref('conv2d-naive.ts').conv2dBackwardNaive(c.x, c.W, dA, c.g);
    const y = you('conv2d-naive.ts').conv2dBackwardNaive(c.x, c.W, dA, c.g);
    const N = c.x.shape[0];
    return (
      close(
        y.dW,
        r.dW.map((v: number) => v / N),
      ) && !close(y.dW, r.dW)
    );
  },
  'conv-backward-ignores-stride': (you, ref) =>
    forwardMatches(you, ref, strided()) && backwardMatches(you, ref, manyTerms()) && !backwardMatches(you, ref, strided()),
  'conv-backward-assign': (you, ref) =>
    forwardMatches(you, ref, manyTerms()) &&
    backwardMatches(you, ref, singleTerm()) &&
    !backwardMatches(you, ref, manyTerms()) &&
    // Dividing by N also leaves the one-image case right: that is the other mistake.
    !detectors['conv-grads-divided-by-batch'](you, ref),
  'col2im-assign': (you, ref) => {
    const args = [
      [1, 1, 3, 3],
      [2, 2],
      [1, 1],
      [0, 0],
    ] as const;
    const col = Tensor.full([4, 4], 1);
    const y = you('im2col.ts').col2im(col, ...args) as Tensor;
    const r = ref('im2col.ts').col2im(col, ...args) as Tensor;
    // The centre cell is in all four windows: 4 when added, 1 when overwritten.
    return !close(y, r) && y.data.length === r.data.length && Math.max(...Array.from(y.data)) === 1;
  },
  'pool-stride-default': (you) => {
    const layer = new (you('max-pool2d.ts').MaxPool2D)({ kernelSize: 2 });
    const y = layer.forward(ramp([1, 1, 4, 4], 5)) as Tensor;
    return y.shape[2] === 3 && y.shape[3] === 3;
  },
  'pool-grad-to-every-cell': (you) => {
    const dx = maxPoolBackward(you, new Tensor([1, 1, 2, 2], [1, 4, 2, 3]));
    return Array.from(dx.data).every((v) => v === 1);
  },
  'pool-tie-last-max': (you) => {
    const dx = maxPoolBackward(you, new Tensor([1, 1, 2, 2], [5, 5, 5, 5]));
    return Array.from(dx.data).join(',') === '0,0,0,1';
  },
  'softmax-ce-grad-not-averaged': (you, ref) => {
    const logits = ramp([3, 4], 10);
    const labels = [2, 0, 3];
    const backward = (load: Loader): Tensor => {
      const loss = new (load('softmax-cross-entropy.ts').SoftmaxCrossEntropy)();
      loss.forward(logits, labels);
      return loss.backward() as Tensor;
    };
    return close(
      backward(you),
      backward(ref).map((v: number) => v * 3),
    );
  },
  'avg-pool-backward-not-divided': (you, ref) => {
    const x = ramp([1, 1, 4, 4], 7);
    const dout = ramp([1, 1, 2, 2], 8);
    const backward = (load: Loader): Tensor => {
      const layer = new (load('average-pool2d.ts').AveragePool2D)({ kernelSize: 2 });
      layer.forward(x);
      return layer.backward(dout) as Tensor;
    };
    const r = backward(ref);
    return close(
      backward(you),
      r.map((v: number) => v * 4),
    );
  },
  'param-count-no-in-channels': (you) => {
    const stats = you('param-count.ts').convLayerStats({ inputSize: 8, inChannels: 3, outChannels: 5, kernelSize: 3 });
    return stats.weights === 3 * 3 * 5 && stats.biases === 5;
  },
  'epoch-loss-not-averaged': (you, ref) => {
    const [mine, theirs] = [you, ref].map((load) => tinyFit(load, { epochs: 1, lrDecay: 1 }));
    // Same steps (the batch losses agree), but an epoch's loss k > 1 times the mean.
    const ratio = mine.epochLoss[0] / theirs.epochLoss[0];
    return sameNumbers(mine.lossHistory, theirs.lossHistory) && ratio > 1.5 && Math.abs(ratio - Math.round(ratio)) < 1e-6;
  },
  'lr-decay-off-by-one': (you, ref) => {
    const [mine, theirs] = [you, ref].map((load) => tinyFit(load, { epochs: 2, lrDecay: 0.5 }));
    // Epoch e trained with lr * decay^e, one decay too many: epoch 1 already decayed.
    return sameNumbers(mine.lrs, [0.5 * theirs.lrs[0], 0.5 * theirs.lrs[1]]) && !sameNumbers(mine.lrs, theirs.lrs);
  },
  'lenet-first-conv-no-padding': (you) => {
    // conv 6@5x5 without padding: (28 - 5) / 1 + 1 = 24 instead of 28.
    const specs = you('lenet.ts').lenet5() as LayerSpec[];
    return specs[0]?.type === 'conv2d' && firstOutput(specs, [1, 28, 28]).join(',') === '6,24,24';
  },
  'alexnet-first-conv-stride-1': (you) => {
    // conv 11x11 moving 1 pixel at a time: 227 - 11 + 1 = 217 (224 + 2*2 - 11 + 1 = 218 for torchvision's), instead of 55.
    const inputs: [string, number[]][] = [
      ['single-tower', [3, 227, 227]],
      ['two-gpu', [3, 227, 227]],
      ['torchvision', [3, 224, 224]],
    ];
    return inputs.some(([variant, input]) => {
      const specs = you('models.ts').alexnet(variant) as LayerSpec[];
      const first = specs[0];
      if (first?.type !== 'conv2d') return false;
      return firstOutput(specs, input)[1] === firstOutput([{ ...first, stride: 1 }], input)[1];
    });
  },
  'vgg-missing-pool': (you) => {
    const specs = you('models.ts').vgg16() as LayerSpec[];
    return countType(specs, 'conv2d') === 13 && countType(specs, 'maxpool2d') < 5;
  },
  'stack-receptive-field-3n': (you) => {
    const r = (n: number): number => you('filter-size.ts').stackedCost(n, 1).receptiveField;
    return r(2) === 6 && r(3) === 9;
  },
  'pointwise-no-in-channels': (you) => {
    const stats = you('filter-size.ts').pointwiseConv({ inChannels: 3, outChannels: 5, height: 4, width: 4 });
    return stats.weights === 5 && stats.biases === 5;
  },
  'flatten-backward-not-reshaped': (you) => {
    const layer = new (you('flatten.ts').Flatten)();
    const y = layer.forward(ramp([2, 3, 2, 2], 6)) as Tensor;
    const dx = layer.backward(y) as Tensor;
    return dx.shape.length === 2 && dx.shape[1] === 12;
  },
};

/** The ids of the detectors that fire, in the order given. */
export function detectMistakes(ids: string[], you: Loader, ref: Loader): string[] {
  return ids.filter((id) => {
    const detect = detectors[id];
    if (!detect) return false;
    try {
      return detect(you, ref);
    } catch {
      return false;
    }
  });
}
