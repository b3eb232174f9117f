/**
 * Exercise 06: Scratch2dCNNClassifier, a whole convolutional network built
 * from your own layers, trained with mini-batches and used to predict.
 *
 * The network is data: a list of LayerSpec (lib/model-spec.ts). The given
 * buildNetwork (lib/network.ts) turns it into layers from a layer kit: this
 * tree's own layers (treeKit, below) unless the options give others. The
 * default network is the sheet's,
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
 *
 * What you build on: softmax, SoftmaxCrossEntropy, SGD, AdaGrad,
 * GetMiniBatch (../00-prerequisites/*), and from lib: buildNetwork (network),
 * Momentum and Adam (optimizers), accuracy (metrics), the checks (checks),
 * the defaults CLASSIFIER_DEFAULTS and DEFAULT_LR and the range test
 * isLrDecay (training-defaults). Given: the options, the settings and
 * TrainingDivergedError (lib/classifier-options.ts), saving and loading
 * (lib/saved-model.ts).
 */
import { FC } from '../00-prerequisites/fc';
import { ReLU } from '../00-prerequisites/relu';
import { Conv2d } from '../01-conv2d/conv2d';
import { MaxPool2D } from '../03-max-pool2d/max-pool2d';
import { AveragePool2D } from '../04-average-pool2d/average-pool2d';
import { Flatten } from '../05-flatten/flatten';
import type { Layer, LayerKit } from '../../lib/layer';
import { type ClassifierOptions, type ClassifierSettings, type EpochInfo, type IterationInfo, TrainingDivergedError } from '../../lib/classifier-options';
import type { LayerSpec } from '../../lib/model-spec';
import { NotImplementedError } from '../../lib/not-implemented';
import { loadClassifier, saveClassifier } from '../../lib/saved-model';
import type { Tensor } from '../../lib/tensor';
import { CLASSIFIER_DEFAULTS, DEFAULT_LR, type OptimizerName } from '../../lib/training-defaults';

/** Given: the classifier's public types (lib/classifier-options.ts) and its default learning rates (lib/training-defaults.ts). */
export type { ClassifierOptions, ClassifierSettings, EpochInfo, IterationInfo, OptimizerName };
export { DEFAULT_LR, TrainingDivergedError };

const EXERCISE = '06-classifier';

/** Given: the layers of this tree (exercises 00 to 05), the classifier's default kit. */
export const treeKit: LayerKit = { Conv2d, MaxPool2D, AveragePool2D, Flatten, FC, ReLU };

/**
 * The sheet's network for 28 x 28 grey digits, in this order:
 *
 *   conv2d, relu, maxpool2d, conv2d, relu, maxpool2d, flatten, fc, relu, fc
 *
 * You choose the sizes (channels, kernels, padding, hidden features); the last
 * fc must give `classes` outputs. Follow the shape of one image [1, 28, 28]
 * through the list to see what the first fc receives.
 */
export const sheetNetwork = (classes = CLASSIFIER_DEFAULTS.classes): LayerSpec[] => {
  throw new NotImplementedError(EXERCISE, `sheetNetwork(${classes})`);
};

export class Scratch2dCNNClassifier {
  readonly settings!: Readonly<ClassifierSettings>;
  /** The network as data, as given (or the sheet's network). */
  readonly specs!: LayerSpec[];
  /** The real layers built from `specs`, in forward order. */
  readonly layers!: Layer[];

  /** Loss of every training iteration of the last fit, in order. */
  lossHistory: number[] = [];
  /** Mean training loss of each epoch: the per-iteration losses weighted by mini-batch size. */
  epochLoss: number[] = [];
  /** Mean cross-entropy on the validation data after each epoch (when fit got validation data). */
  valLoss: number[] = [];
  /** Accuracy on the validation data after each epoch (when fit got validation data). */
  valAccuracy: number[] = [];

  /**
   * Checks the options and fills in the defaults (`settings`; the options not
   * given take CLASSIFIER_DEFAULTS, lr takes DEFAULT_LR[optimizer]), then builds
   * the layers with lib's buildNetwork(specs, inputShape, { ...treeKit,
   * ...options.kit }, () => rng.int(2 ** 31), 'Scratch2dCNNClassifier'),
   * where rng = new Rng(seed) also seeds the mini-batches, and checks that
   * the last layer gives [classes].
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
    throw new NotImplementedError(EXERCISE, `Scratch2dCNNClassifier constructor (${Object.keys(options).length} options given)`);
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
    throw new NotImplementedError(EXERCISE, `Scratch2dCNNClassifier.fit(${X}, ${y.length} labels${validation ? ', validation' : ''})`);
  }

  /**
   * Class probabilities: softmax of the logits, row by row.
   * X [N, C, H, W] -> [N, classes], each row >= 0 and summing to 1.
   * Runs a few hundred images at a time, so the im2col buffers stay small.
   */
  predictProba(X: Tensor): Tensor {
    throw new NotImplementedError(EXERCISE, `Scratch2dCNNClassifier.predictProba(${X})`);
  }

  /** The most probable class of each image: argmax over each row of predictProba. X [N, C, H, W] -> [N]. */
  predict(X: Tensor): Int32Array {
    throw new NotImplementedError(EXERCISE, `Scratch2dCNNClassifier.predict(${X})`);
  }

  /** Accuracy of predict(X) against y: the fraction of images classified correctly. */
  score(X: Tensor, y: ArrayLike<number>): number {
    throw new NotImplementedError(EXERCISE, `Scratch2dCNNClassifier.score(${X}, ${y.length} labels)`);
  }

  /** Given: writes the model to `file` (lib/saved-model.ts): settings, specs, weights, histories. */
  save(file: string): void {
    saveClassifier(file, this);
  }

  /** Given: reads a model written by `save`; throws KataInputError naming the file and the problem. */
  static load(file: string): Scratch2dCNNClassifier {
    return loadClassifier(file, 'Scratch2dCNNClassifier.load', (settings, specs) => new Scratch2dCNNClassifier({ ...settings, layers: specs }));
  }
}
