/**
 * Exercise 06: Scratch2dCNNClassifier, a whole convolutional network built
 * from your own layers, trained with mini-batches and used to predict.
 *
 * The network is data: a list of LayerSpec (lib/model-spec.ts). The default
 * is the sheet's network,
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
 *                d = layer_l.backward(d) for l = L, ..., 1 (each stores its grads;
 *                layer 1 only needs its grads: backwardParams when it has one)
 *   4. update:   the optimizer changes params from grads, layer by layer
 *
 * One epoch visits every training image once, in a new seeded random order,
 * ceil(N / batchSize) iterations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FC } from '../00-prerequisites/fc';
import { HeInitializer } from '../00-prerequisites/initializers';
import { GetMiniBatch } from '../00-prerequisites/mini-batch';
import { AdaGrad, SGD } from '../00-prerequisites/optimizers';
import { ReLU } from '../00-prerequisites/relu';
import { softmax, SoftmaxCrossEntropy } from '../00-prerequisites/softmax-cross-entropy';
import { Conv2d } from '../01-conv2d/conv2d';
import { convOutputShape } from '../02-output-size/output-size';
import { MaxPool2D } from '../03-max-pool2d/max-pool2d';
import { AveragePool2D } from '../04-average-pool2d/average-pool2d';
import { Flatten } from '../05-flatten/flatten';
import { checkAxis, checkFinite, checkLabels, checkPositiveInt, checkPositiveNumber, checkRank, KataInputError } from '../../lib/checks';
import type { Layer, Optimizer, ParametricLayer } from '../../lib/layer';
import { accuracy } from '../../lib/metrics';
import type { LayerSpec } from '../../lib/model-spec';
import { Adam, Momentum } from '../../lib/optimizers';
import { Rng } from '../../lib/random';
import { formatShape, sizeOf, Tensor } from '../../lib/tensor';

/**
 * The sheet's network for 28 x 28 grey digits. Shapes per image:
 *
 *   [1, 28, 28] conv 8@3x3 pad 1 -> [8, 28, 28] relu, max pool 2 -> [8, 14, 14]
 *   conv 16@3x3 pad 1 -> [16, 14, 14] relu, max pool 2 -> [16, 7, 7]
 *   flatten -> [784] fc 100 -> relu -> fc `classes` (10 by default)
 *
 * 8*9+8 + 16*72+16 + 784*100+100 + 100*10+10 = 80,758 parameters.
 */
export const sheetNetwork = (classes = 10): LayerSpec[] => [
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

export type OptimizerName = 'sgd' | 'adagrad' | 'momentum' | 'adam';

/** Learning rates used when `lr` is not given, per optimizer. */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = { sgd: 0.05, adagrad: 0.01, momentum: 0.01, adam: 1e-3 };

export interface IterationInfo {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based iteration within the epoch. */
  iteration: number;
  /** Iterations per epoch: ceil(N / batchSize). */
  iterations: number;
  /** Mean loss of this mini-batch (before the update). */
  loss: number;
  /** Images in this mini-batch (the last one may be smaller). */
  samples: number;
}

export interface EpochInfo {
  epoch: number;
  /** The learning rate this epoch trained with. */
  lr: number;
  trainLoss: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface ClassifierOptions {
  /** The network; default `sheetNetwork(classes)`. Its output must be [classes]. */
  layers?: LayerSpec[];
  /** One image, [C, H, W]; default [1, 28, 28]. */
  inputShape?: [number, number, number];
  /** Number of classes; default 10. */
  classes?: number;
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** Learning rate; default DEFAULT_LR[optimizer]. */
  lr?: number;
  /** Images per mini-batch; default 32. */
  batchSize?: number;
  /** Passes over the training data; default 3. */
  epochs?: number;
  /**
   * Multiplies the learning rate after every epoch: epoch e (1-based) trains
   * with lr * lrDecay^(e-1). Default 1 (a constant learning rate).
   */
  lrDecay?: number;
  /** Seeds the weights and the order of the mini-batches; default 0. */
  seed?: number;
  /** Print one line per epoch; default false. */
  verbose?: boolean;
  /** Called after every training iteration. */
  onIteration?: (info: IterationInfo) => void;
  /** Called after every epoch (with the validation figures when fit got validation data). */
  onEpoch?: (info: EpochInfo) => void;
}

/** The options with every default filled in (what `save` writes). */
export interface ClassifierSettings {
  inputShape: [number, number, number];
  classes: number;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  epochs: number;
  lrDecay: number;
  seed: number;
}

/** Thrown when the loss, an activation or a weight stops being a finite number during fit. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  constructor(readonly epoch: number, readonly iteration: number, iterations: number, what: string, lr: number) {
    super(
      `Scratch2dCNNClassifier.fit: training diverged at epoch ${epoch}, iteration ${iteration} of ${iterations}: ${what}. ` +
        `The learning rate (lr = ${lr}) is probably too high: try a lower learning rate.`,
    );
  }
}

/**
 * Images per forward pass in predictProba, score and validation: bounds the
 * memory of the im2col buffers. 64 classifies as fast as 256, and the training
 * epochs after a validation at 256 ran 10-20% slower (measured).
 */
const INFERENCE_BATCH = 64;

/** First line of a saved model; the number is the format version. */
const FILE_MAGIC = 'scratch-cnn-classifier 1';

const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adagrad', 'momentum', 'adam'];

/** A module-level alias: under jest's sandbox, looking up the global `Number` in a hot loop is ~100x slower. */
const isFiniteNumber = Number.isFinite;

/** Index of the first non-finite value of `t`, or -1. */
function firstNonFinite(t: Tensor): number {
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (!isFiniteNumber(data[i])) return i;
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
   *     "layers[0] (conv2d) on input [1, 8, 8]: <the error of the layer or of convOutputShape>"
   *     "the network must end with one score per class, shape [10], but its last layer gives [84]"
   */
  constructor(options: ClassifierOptions = {}) {
    const where = 'Scratch2dCNNClassifier';
    const inputShape = options.inputShape ?? [1, 28, 28];
    if (!Array.isArray(inputShape) || inputShape.length !== 3) {
      throw new KataInputError(`${where}: inputShape must be [C, H, W], got ${JSON.stringify(inputShape)}`);
    }
    inputShape.forEach((d, i) => checkPositiveInt(where, `inputShape[${i}]`, d));
    const classes = options.classes ?? 10;
    checkPositiveInt(where, 'classes', classes);
    const optimizer = options.optimizer ?? 'adam';
    if (!OPTIMIZERS.includes(optimizer)) {
      throw new KataInputError(`${where}: optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(optimizer)}`);
    }
    const lr = options.lr ?? DEFAULT_LR[optimizer];
    checkPositiveNumber(where, 'lr', lr);
    const batchSize = options.batchSize ?? 32;
    checkPositiveInt(where, 'batchSize', batchSize);
    const epochs = options.epochs ?? 3;
    checkPositiveInt(where, 'epochs', epochs);
    const lrDecay = options.lrDecay ?? 1;
    if (!(lrDecay > 0 && lrDecay <= 1)) throw new KataInputError(`${where}: lrDecay must be a number in (0, 1], got ${lrDecay}`);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new KataInputError(`${where}: seed must be a whole number, got ${seed}`);

    this.settings = { inputShape: [...inputShape], classes, optimizer, lr, batchSize, epochs, lrDecay, seed };
    this.specs = (options.layers ?? sheetNetwork(classes)).map((spec) => ({ ...spec }));
    this.rng = new Rng(seed);
    this.layers = this.buildLayers();
    this.optimizer = makeOptimizer(optimizer, lr);
    this.verbose = options.verbose ?? false;
    this.onIteration = options.onIteration;
    this.onEpoch = options.onEpoch;
  }

  /**
   * Builds one layer per spec, following the shape of one image through the
   * network ([C, H, W], then [F] after flatten) so each conv knows its input
   * channels and each fc its input features. Each layer with weights gets its
   * own seed, drawn from the classifier's generator.
   */
  private buildLayers(): Layer[] {
    const where = 'Scratch2dCNNClassifier';
    let shape: number[] = [...this.settings.inputShape];
    const layers = this.specs.map((spec, i) => {
      const name = `${where}: layers[${i}] (${String(spec.type)})`;
      try {
        const built = buildLayer(spec, shape, name, this.rng);
        shape = built.shape;
        return built.layer;
      } catch (error) {
        // A size the layer itself rejects: say which spec, and on which input.
        if (error instanceof KataInputError && !error.message.startsWith(name)) {
          throw new KataInputError(`${name} on input ${formatShape(shape)}: ${error.message}`);
        }
        throw error;
      }
    });
    if (shape.length !== 1 || shape[0] !== this.settings.classes) {
      throw new KataInputError(
        `${where}: the network must end with one score per class, shape [${this.settings.classes}], but its last layer gives ${formatShape(shape)}`,
      );
    }
    return layers;
  }

  /**
   * Trains on X [N, C, H, W] with labels y [N] (0..classes-1) for `epochs`
   * epochs of mini-batches, continuing from the current weights. Clears the
   * histories first, then records them. With `validation`, measures its loss
   * and accuracy after every epoch.
   *
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
    for (let i = this.layers.length - 1; i > 0; i--) dout = this.layers[i].backward(dout);
    // The first layer's dx would be the gradient of the images, which nothing uses:
    // a layer that can fill its grads without it (backwardParams, lib/layer.ts) skips that work.
    const first = this.layers[0];
    if (first.backwardParams !== undefined) first.backwardParams(dout);
    else first.backward(dout);

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

  /**
   * Writes the model to `file` (parent folders are created). Format:
   *
   *   line 1   "scratch-cnn-classifier 1" (the format name and version)
   *   line 2   a JSON header: settings, specs, the tensors in order
   *            ({ layer, name, shape }) and the histories
   *   the rest every tensor's values as little-endian float64, in the
   *            header's order, nothing after them
   *
   * Callbacks and the optimizer's state are not saved.
   */
  save(file: string): void {
    const tensors = this.parameterTensors();
    const header = {
      settings: this.settings,
      specs: this.specs,
      tensors: tensors.map(({ layer, name, tensor }) => ({ layer, name, shape: tensor.shape })),
      history: { lossHistory: this.lossHistory, epochLoss: this.epochLoss, valLoss: this.valLoss, valAccuracy: this.valAccuracy },
    };
    const text = Buffer.from(`${FILE_MAGIC}\n${JSON.stringify(header)}\n`, 'utf8');
    const values = Buffer.alloc(8 * tensors.reduce((n, { tensor }) => n + tensor.size, 0));
    let at = 0;
    for (const { tensor } of tensors) {
      for (let i = 0; i < tensor.size; i++, at += 8) values.writeDoubleLE(tensor.data[i], at);
    }
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, Buffer.concat([text, values]));
  }

  /**
   * Reads a model written by `save`: rebuilds the layers from the saved specs
   * and settings, then copies the weights in.
   *
   * @throws KataInputError naming the file and the problem:
   *     "<file>" cannot be read (ENOENT)
   *     "<file>" is not a saved classifier: expected the first line "scratch-cnn-classifier 1"
   *     "<file>" is corrupt: its header is not valid JSON (...)
   *     "<file>" is truncated: its header needs 646000 bytes of weights, the file holds 5000
   */
  static load(file: string): Scratch2dCNNClassifier {
    const where = `Scratch2dCNNClassifier.load: "${file}"`;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw new KataInputError(`${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const firstEnd = bytes.indexOf(0x0a);
    if (firstEnd < 0 || bytes.toString('utf8', 0, firstEnd) !== FILE_MAGIC) {
      throw new KataInputError(`${where} is not a saved classifier: expected the first line "${FILE_MAGIC}"`);
    }
    const headerEnd = bytes.indexOf(0x0a, firstEnd + 1);
    if (headerEnd < 0) throw new KataInputError(`${where} is truncated: the JSON header has no end of line`);
    let header: {
      settings: ClassifierSettings;
      specs: LayerSpec[];
      tensors: { layer: number; name: string; shape: number[] }[];
      history: { lossHistory: number[]; epochLoss: number[]; valLoss: number[]; valAccuracy: number[] };
    };
    try {
      header = JSON.parse(bytes.toString('utf8', firstEnd + 1, headerEnd));
    } catch (error) {
      throw new KataInputError(`${where} is corrupt: its header is not valid JSON (${(error as Error).message})`);
    }
    for (const key of ['settings', 'specs', 'tensors', 'history'] as const) {
      if (typeof header?.[key] !== 'object' || header[key] === null) throw new KataInputError(`${where} is corrupt: its header has no "${key}"`);
    }

    let model: Scratch2dCNNClassifier;
    try {
      model = new Scratch2dCNNClassifier({ ...header.settings, layers: header.specs });
    } catch (error) {
      throw new KataInputError(`${where} is corrupt: its settings and specs do not build a classifier (${(error as Error).message})`);
    }
    const tensors = model.parameterTensors();
    const listed = header.tensors.map((t) => `layers[${t?.layer}].${t?.name} ${JSON.stringify(t?.shape)}`).join(', ');
    const built = tensors.map((t) => `layers[${t.layer}].${t.name} ${JSON.stringify(t.tensor.shape)}`).join(', ');
    if (listed !== built) {
      throw new KataInputError(`${where} is corrupt: its header lists the tensors ${listed}, but its specs build ${built}`);
    }
    const expectedBytes = 8 * tensors.reduce((n, { tensor }) => n + tensor.size, 0);
    const dataBytes = bytes.length - (headerEnd + 1);
    if (dataBytes !== expectedBytes) {
      const problem = dataBytes < expectedBytes ? 'is truncated' : 'has extra bytes at the end';
      throw new KataInputError(`${where} ${problem}: its header needs ${expectedBytes} bytes of weights, the file holds ${dataBytes}`);
    }
    let at = headerEnd + 1;
    for (const { layer, name, tensor } of tensors) {
      for (let i = 0; i < tensor.size; i++, at += 8) tensor.data[i] = bytes.readDoubleLE(at);
      const bad = firstNonFinite(tensor);
      if (bad >= 0) throw new KataInputError(`${where} is corrupt: layers[${layer}].${name} holds ${tensor.data[bad]}`);
    }
    for (const key of ['lossHistory', 'epochLoss', 'valLoss', 'valAccuracy'] as const) {
      const values: unknown = header.history[key];
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
        throw new KataInputError(`${where} is corrupt: its header's history.${key} is not a list of numbers`);
      }
      model[key] = values;
    }
    return model;
  }

  /** Every parameter tensor, layer by layer, in the order of each layer's params. */
  private parameterTensors(): { layer: number; name: string; tensor: Tensor }[] {
    return this.layers.flatMap((layer, i) => Object.entries(layer.params ?? {}).map(([name, tensor]) => ({ layer: i, name, tensor })));
  }
}

/**
 * The layer for one spec, given the shape of one image coming in, and the
 * shape going out. Weights: He initialisation (the network uses ReLU).
 * `name` starts every message ("Scratch2dCNNClassifier: layers[3] (fc)").
 */
function buildLayer(spec: LayerSpec, shape: number[], name: string, rng: Rng): { layer: Layer; shape: number[] } {
  const image = (): [number, number, number] => {
    if (shape.length !== 3) throw new KataInputError(`${name} needs an image input [C, H, W], got ${formatShape(shape)}`);
    return [shape[0], shape[1], shape[2]];
  };
  switch (spec.type) {
    case 'conv2d': {
      const [c, h, w] = image();
      if (spec.groups !== undefined && spec.groups !== 1) {
        throw new KataInputError(`${name} has groups = ${spec.groups}; the kata's Conv2d only supports groups = 1`);
      }
      const { outChannels, kernelSize, stride = 1, padding = 0 } = spec;
      const layer = new Conv2d({ inChannels: c, outChannels, kernelSize, stride, padding, initializer: new HeInitializer(), seed: rng.int(2 ** 31) });
      return { layer, shape: [outChannels, ...convOutputShape(h, w, kernelSize, stride, padding)] };
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const [c, h, w] = image();
      const { kernelSize, stride = kernelSize, padding = 0 } = spec;
      const layer = spec.type === 'maxpool2d' ? new MaxPool2D({ kernelSize, stride, padding }) : new AveragePool2D({ kernelSize, stride, padding });
      return { layer, shape: [c, ...convOutputShape(h, w, kernelSize, stride, padding)] };
    }
    case 'flatten':
      return { layer: new Flatten(), shape: [sizeOf(shape)] };
    case 'fc': {
      if (shape.length !== 1) {
        throw new KataInputError(`${name} needs a flat input [F], got ${formatShape(shape)}: add { type: 'flatten' } before it`);
      }
      const layer = new FC({ inFeatures: shape[0], outFeatures: spec.outFeatures, initializer: new HeInitializer(), seed: rng.int(2 ** 31) });
      return { layer, shape: [spec.outFeatures] };
    }
    case 'relu':
      return { layer: new ReLU(), shape };
    default:
      throw new KataInputError(`${name} is a layer type the classifier cannot build; supported types: conv2d, maxpool2d, avgpool2d, flatten, fc, relu`);
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
