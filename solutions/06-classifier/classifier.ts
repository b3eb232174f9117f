/**
 * Exercise 06: Scratch2dCNNClassifier, a whole convolutional network built
 * from your own layers, trained with mini-batches and used to predict.
 *
 * The network is data: a list of LayerSpec (lib/model-spec.ts), built into
 * layers by lib/network.ts from a layer kit: this tree's own layers by
 * default (treeKit), or others given in the options. The default network is
 * the sheet's,
 *
 *   conv -> relu -> pool -> conv -> relu -> pool -> flatten -> fc -> relu -> fc
 *
 * and the last fc gives one score (logit) per class. The loss sits apart from
 * the layers: softmax + cross-entropy (exercise 00), averaged over the batch.
 *
 * One training iteration on a mini-batch x [B, C, H, W] with labels y [B]:
 *
 *   1. forward:  z = layer_L(... layer_1(x))            logits z [B, classes]
 *   2. loss:     L = (1/B) sum_n -log softmax(z)[n, y[n]]
 *   3. backward: d = dL/dz = (softmax(z) - onehot(y)) / B, then
 *                d = layer_l.backward(d) for l = L, ..., 1 (each stores its grads)
 *   4. update:   the optimizer changes params from grads, layer by layer
 *
 * One epoch visits every training image once, in a new seeded random order,
 * ceil(N / batchSize) iterations.
 */
import { FC } from '../00-prerequisites/fc';
import { GetMiniBatch } from '../00-prerequisites/mini-batch';
import { AdaGrad, SGD } from '../00-prerequisites/optimizers';
import { ReLU } from '../00-prerequisites/relu';
import { softmax, SoftmaxCrossEntropy } from '../00-prerequisites/softmax-cross-entropy';
import { Conv2d } from '../01-conv2d/conv2d';
import { MaxPool2D } from '../03-max-pool2d/max-pool2d';
import { AveragePool2D } from '../04-average-pool2d/average-pool2d';
import { Flatten } from '../05-flatten/flatten';
import { checkAxis, checkFinite, checkLabels, checkPositiveInt, checkPositiveNumber, checkRank, KataInputError } from '../../lib/checks';
import type { Layer, LayerKit, Optimizer, ParametricLayer } from '../../lib/layer';
import { accuracy } from '../../lib/metrics';
import { type ClassifierOptions, type ClassifierSettings, type EpochInfo, type IterationInfo, TrainingDivergedError } from '../../lib/classifier-options';
import type { LayerSpec } from '../../lib/model-spec';
import { buildNetwork } from '../../lib/network';
import { Adam, Momentum } from '../../lib/optimizers';
import { Rng } from '../../lib/random';
import { loadClassifier, saveClassifier } from '../../lib/saved-model';
import { formatShape, sizeOf, Tensor } from '../../lib/tensor';
import { CLASSIFIER_DEFAULTS, DEFAULT_LR, isLrDecay, LR_DECAY_RANGE, OPTIMIZER_NAMES, type OptimizerName } from '../../lib/training-defaults';

/** Given: the classifier's public types (lib/classifier-options.ts) and its default learning rates (lib/training-defaults.ts). */
export type { ClassifierOptions, ClassifierSettings, EpochInfo, IterationInfo, OptimizerName };
export { DEFAULT_LR, TrainingDivergedError };

/** The layers of this tree (exercises 00 to 05): the classifier's default kit. */
export const treeKit: LayerKit = { Conv2d, MaxPool2D, AveragePool2D, Flatten, FC, ReLU };

/**
 * The sheet's network for 28 x 28 grey digits. Shapes per image:
 *
 *   [1, 28, 28] conv 8@3x3 pad 1 -> [8, 28, 28] relu, max pool 2 -> [8, 14, 14]
 *   conv 16@3x3 pad 1 -> [16, 14, 14] relu, max pool 2 -> [16, 7, 7]
 *   flatten -> [784] fc 100 -> relu -> fc `classes` (10 by default)
 *
 * 8*9+8 + 16*72+16 + 784*100+100 + 100*10+10 = 80,758 parameters.
 */
export const sheetNetwork = (classes = CLASSIFIER_DEFAULTS.classes): LayerSpec[] => [
  { type: 'conv2d', outChannels: 8, kernelSize: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'conv2d', outChannels: 16, kernelSize: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'flatten' },
  { type: 'fc', outFeatures: 100 },
  { type: 'relu' },
  { type: 'fc', outFeatures: classes },
];

/**
 * Images per forward pass in predictProba, score and validation: bounds the
 * memory of the im2col buffers. 64 classifies as fast as 256, and the training
 * epochs after a validation at 256 ran 10-20% slower (measured).
 */
const INFERENCE_BATCH = 64;

/** Index of the first non-finite value of `t`, or -1. */
function firstNonFinite(t: Tensor): number {
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Index of the largest value of each row of p [N, K] (the first one on ties). */
function argmaxRows(p: Tensor): Int32Array {
  const [n, k] = p.shape;
  const best = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 1; j < k; j++) if (p.data[i * k + j] > p.data[i * k + best[i]]) best[i] = j;
  }
  return best;
}

/** Images first..first+count-1 of x [N, ...] as a tensor sharing x's memory (no copy). */
function sliceBatch(x: Tensor, first: number, count: number): Tensor {
  const perImage = sizeOf(x.shape.slice(1));
  return new Tensor([count, ...x.shape.slice(1)], x.data.subarray(first * perImage, (first + count) * perImage));
}

export class Scratch2dCNNClassifier {
  readonly settings: Readonly<ClassifierSettings>;
  /** The network as data, as given (or the sheet's network). */
  readonly specs: LayerSpec[];
  /** The real layers built from `specs`, in forward order. */
  readonly layers: Layer[];

  /** Loss of every training iteration of the last fit, in order. */
  lossHistory: number[] = [];
  /** Mean training loss of each epoch: the per-iteration losses weighted by mini-batch size. */
  epochLoss: number[] = [];
  /** Mean cross-entropy on the validation data after each epoch (when fit got validation data). */
  valLoss: number[] = [];
  /** Accuracy on the validation data after each epoch (when fit got validation data). */
  valAccuracy: number[] = [];

  private readonly rng: Rng;
  private readonly optimizer: Optimizer;
  private readonly loss = new SoftmaxCrossEntropy();
  private readonly verbose: boolean;
  private readonly onIteration?: (info: IterationInfo) => void;
  private readonly onEpoch?: (info: EpochInfo) => void;

  /**
   * Checks the options and fills in the defaults (`settings`), then builds
   * one layer per spec, following the shape of one image through the network
   * so each conv knows its input channels and each fc its input features.
   * Weights: He initialisation, each layer seeded from `seed`.
   *
   * @throws KataInputError for bad options (the lib/checks.ts messages, and
   *   "optimizer must be one of sgd, adagrad, momentum, adam, got ...") and
   *   for a list it cannot build, naming the entry:
   *     "layers[1] (dropout) is a layer type the classifier cannot build; ..."
   *     "layers[0] (fc) needs a flat input [F], got [1, 28, 28]: ..."
   *     "layers[5] (conv2d) needs an image input [C, H, W], got [784]"
   *     "layers[0] (conv2d) on input [1, 8, 8]: <the error of the layer or of its sizes>"
   *     "the network must end with one score per class, shape [10], but its last layer gives [84]"
   */
  constructor(options: ClassifierOptions = {}) {
    const where = 'Scratch2dCNNClassifier';
    const inputShape = options.inputShape ?? [...CLASSIFIER_DEFAULTS.inputShape];
    if (!Array.isArray(inputShape) || inputShape.length !== 3) {
      throw new KataInputError(`${where}: inputShape must be [C, H, W], got ${JSON.stringify(inputShape)}`);
    }
    inputShape.forEach((d, i) => checkPositiveInt(where, `inputShape[${i}]`, d));
    const classes = options.classes ?? CLASSIFIER_DEFAULTS.classes;
    checkPositiveInt(where, 'classes', classes);
    const optimizer = options.optimizer ?? CLASSIFIER_DEFAULTS.optimizer;
    if (!OPTIMIZER_NAMES.includes(optimizer)) {
      throw new KataInputError(`${where}: optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${JSON.stringify(optimizer)}`);
    }
    const lr = options.lr ?? DEFAULT_LR[optimizer];
    checkPositiveNumber(where, 'lr', lr);
    const batchSize = options.batchSize ?? CLASSIFIER_DEFAULTS.batchSize;
    checkPositiveInt(where, 'batchSize', batchSize);
    const epochs = options.epochs ?? CLASSIFIER_DEFAULTS.epochs;
    checkPositiveInt(where, 'epochs', epochs);
    const lrDecay = options.lrDecay ?? CLASSIFIER_DEFAULTS.lrDecay;
    if (!isLrDecay(lrDecay)) throw new KataInputError(`${where}: lrDecay must be a number in ${LR_DECAY_RANGE}, got ${lrDecay}`);
    const seed = options.seed ?? CLASSIFIER_DEFAULTS.seed;
    if (!Number.isInteger(seed)) throw new KataInputError(`${where}: seed must be a whole number, got ${seed}`);

    this.settings = { inputShape: [...inputShape], classes, optimizer, lr, batchSize, epochs, lrDecay, seed };
    this.specs = (options.layers ?? sheetNetwork(classes)).map((spec) => ({ ...spec }));
    this.rng = new Rng(seed);
    const kit = { ...treeKit, ...options.kit };
    const network = buildNetwork(this.specs, inputShape, kit, () => this.rng.int(2 ** 31), where);
    if (network.outputShape.length !== 1 || network.outputShape[0] !== classes) {
      throw new KataInputError(
        `${where}: the network must end with one score per class, shape [${classes}], but its last layer gives ${formatShape(network.outputShape)}`,
      );
    }
    this.layers = network.layers;
    this.optimizer = makeOptimizer(optimizer, lr);
    this.verbose = options.verbose ?? false;
    this.onIteration = options.onIteration;
    this.onEpoch = options.onEpoch;
  }

  /**
   * Trains on X [N, C, H, W] with labels y [N] (0..classes-1) for `epochs`
   * epochs of mini-batches, continuing from the current weights. Clears the
   * histories first, then records them. With `validation`, measures its loss
   * and accuracy after every epoch.
   *
   * @throws KataInputError before any training for bad data, checked in the
   *   README's order (rank 4, channels C, height H, width W, finite values of
   *   X as given, one label per image, labels in 0..classes-1), then the
   *   same for the validation data.
   * @throws TrainingDivergedError when the loss, an activation or a weight
   *   becomes NaN or infinite.
   */
  fit(X: Tensor, y: ArrayLike<number>, validation?: { X: Tensor; y: ArrayLike<number> }): this {
    this.checkData('Scratch2dCNNClassifier.fit', X, y);
    if (validation !== undefined) this.checkData('Scratch2dCNNClassifier.fit (validation)', validation.X, validation.y);
    const labels = Int32Array.from(y);
    const { epochs, batchSize, lr, lrDecay } = this.settings;
    this.lossHistory = [];
    this.epochLoss = [];
    this.valLoss = [];
    this.valAccuracy = [];

    for (let epoch = 1; epoch <= epochs; epoch++) {
      this.optimizer.lr = lr * lrDecay ** (epoch - 1);
      const batches = new GetMiniBatch(X, labels, { batchSize, seed: this.rng.int(2 ** 31) });
      let lossSum = 0;
      let iteration = 0;
      for (const batch of batches) {
        iteration++;
        const loss = this.trainStep(batch.x, batch.y, (what) => new TrainingDivergedError(epoch, iteration, batches.length, what, this.optimizer.lr));
        this.lossHistory.push(loss);
        lossSum += loss * batch.y.length;
        this.onIteration?.({ epoch, iteration, iterations: batches.length, loss, samples: batch.y.length });
      }
      const info: EpochInfo = { epoch, lr: this.optimizer.lr, trainLoss: lossSum / labels.length };
      this.epochLoss.push(info.trainLoss);
      if (validation !== undefined) {
        const { loss, accuracy: acc } = this.evaluate(validation.X, validation.y);
        this.valLoss.push(loss);
        this.valAccuracy.push(acc);
        info.valLoss = loss;
        info.valAccuracy = acc;
      }
      if (this.verbose) {
        const val = info.valLoss === undefined ? '' : `, validation loss ${info.valLoss.toFixed(4)}, accuracy ${(100 * info.valAccuracy!).toFixed(2)}%`;
        console.log(`epoch ${epoch}/${epochs}: training loss ${info.trainLoss.toFixed(4)}${val}`);
      }
      this.onEpoch?.(info);
    }
    return this;
  }

  /** Steps 1 to 4 of the file comment on one mini-batch; returns the loss before the update. */
  private trainStep(x: Tensor, y: Int32Array, diverged: (what: string) => TrainingDivergedError): number {
    // Every layer, and the loss, refuses a non-finite input (checkFinite), so a NaN or an
    // infinity stops the forward pass at the next layer. Only then are the outputs scanned,
    // to name the layer that produced it: each activation is read once per step, not twice.
    const outputs: Tensor[] = [];
    let loss: number;
    try {
      let out = x;
      for (const layer of this.layers) {
        out = layer.forward(out);
        outputs.push(out);
      }
      loss = this.loss.forward(out, y);
    } catch (error) {
      for (const [i, out] of outputs.entries()) {
        const bad = firstNonFinite(out);
        if (bad >= 0) throw diverged(`the output of layers[${i}] (${this.specs[i].type}) holds ${out.data[bad]}`);
      }
      throw error;
    }
    if (!Number.isFinite(loss)) throw diverged(`the loss became ${loss}`);

    let dout = this.loss.backward();
    for (let i = this.layers.length - 1; i >= 0; i--) dout = this.layers[i].backward(dout);

    for (const [i, layer] of this.layers.entries()) {
      if (layer.params === undefined) continue;
      this.optimizer.update(layer as ParametricLayer);
      for (const [name, param] of Object.entries(layer.params)) {
        const bad = firstNonFinite(param);
        if (bad >= 0) throw diverged(`the update made layers[${i}].${name} ${param.data[bad]}`);
      }
    }
    return loss;
  }

  /** Logits [N, classes] of a batch: the forward pass through every layer. */
  private logits(x: Tensor): Tensor {
    return this.layers.reduce((out, layer) => layer.forward(out), x);
  }

  /**
   * Class probabilities: softmax of the logits, row by row.
   * X [N, C, H, W] -> [N, classes], each row >= 0 and summing to 1.
   * Runs INFERENCE_BATCH images at a time.
   */
  predictProba(X: Tensor): Tensor {
    this.checkData('Scratch2dCNNClassifier.predictProba', X);
    const [n] = X.shape;
    const { classes } = this.settings;
    const proba = new Tensor([n, classes]);
    for (let first = 0; first < n; first += INFERENCE_BATCH) {
      const count = Math.min(INFERENCE_BATCH, n - first);
      proba.data.set(softmax(this.logits(sliceBatch(X, first, count))).data, first * classes);
    }
    return proba;
  }

  /** The most probable class of each image: argmax over each row of predictProba. X [N, C, H, W] -> [N]. */
  predict(X: Tensor): Int32Array {
    return argmaxRows(this.predictProba(X));
  }

  /** Accuracy of predict(X) against y: the fraction of images classified correctly. */
  score(X: Tensor, y: ArrayLike<number>): number {
    this.checkData('Scratch2dCNNClassifier.score', X, y);
    return accuracy(y, this.predict(X));
  }

  /**
   * Mean cross-entropy and accuracy on (X, y), INFERENCE_BATCH images at a
   * time. The loss comes from the logits (as in training), so a probability
   * that rounds to 0 still gives a finite loss.
   */
  private evaluate(X: Tensor, y: ArrayLike<number>): { loss: number; accuracy: number } {
    const labels = Int32Array.from(y);
    const lossLayer = new SoftmaxCrossEntropy();
    const predicted = new Int32Array(labels.length);
    let total = 0;
    for (let first = 0; first < labels.length; first += INFERENCE_BATCH) {
      const count = Math.min(INFERENCE_BATCH, labels.length - first);
      const logits = this.logits(sliceBatch(X, first, count));
      total += count * lossLayer.forward(logits, labels.subarray(first, first + count));
      predicted.set(argmaxRows(softmax(logits)), first);
    }
    return { loss: total / labels.length, accuracy: accuracy(labels, predicted) };
  }

  /** X must be [N, C, H, W] with [C, H, W] = inputShape, N >= 1, finite; y (if given) N labels in 0..classes-1. */
  private checkData(where: string, X: Tensor, y?: ArrayLike<number>): void {
    checkRank(where, X, 4, '[N, C, H, W]');
    const [c, h, w] = this.settings.inputShape;
    checkAxis(where, X, 1, c, 'channels C');
    checkAxis(where, X, 2, h, 'height H');
    checkAxis(where, X, 3, w, 'width W');
    if (X.shape[0] < 1) throw new KataInputError(`${where}: expected at least one image, got shape ${formatShape(X.shape)}`);
    checkFinite(where, X);
    if (y === undefined) return;
    if (y.length !== X.shape[0]) {
      throw new KataInputError(`${where}: expected ${X.shape[0]} labels (one per image of X ${formatShape(X.shape)}), got ${y.length}`);
    }
    checkLabels(where, y, this.settings.classes);
  }

  /** Writes the model to `file` (lib/saved-model.ts): settings, specs, weights, histories. */
  save(file: string): void {
    saveClassifier(file, this);
  }

  /** Reads a model written by `save`; throws KataInputError naming the file and the problem. */
  static load(file: string): Scratch2dCNNClassifier {
    return loadClassifier(file, 'Scratch2dCNNClassifier.load', (settings, specs) => new Scratch2dCNNClassifier({ ...settings, layers: specs }));
  }
}

function makeOptimizer(name: OptimizerName, lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD({ lr });
    case 'adagrad':
      return new AdaGrad({ lr });
    case 'momentum':
      return new Momentum({ lr });
    case 'adam':
      return new Adam({ lr });
  }
}
