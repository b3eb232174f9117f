/**
 * Given code: the public types of exercise 06's Scratch2dCNNClassifier, the
 * same in every tree (the learner's, the reference), so the commands and the
 * later exercises read one description: its options, the settings it keeps
 * (the options with every default filled in, lib/training-defaults.ts), and
 * what it reports while it trains.
 */
import type { LayerKit } from './layer';
import type { LayerSpec } from './model-spec';
import type { OptimizerName } from './training-defaults';

export type { OptimizerName };

/** What onIteration receives after every training iteration. */
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

/** What onEpoch receives after every epoch. */
export interface EpochInfo {
  epoch: number;
  /** The learning rate this epoch trained with. */
  lr: number;
  trainLoss: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** The classifier's options. The defaults named below are lib/training-defaults.ts's. */
export interface ClassifierOptions {
  /** The network; default `sheetNetwork(classes)`. Its output must be [classes]. */
  layers?: LayerSpec[];
  /** The layer classes to build it with; those not given are treeKit's. */
  kit?: Partial<LayerKit>;
  /** One image, [C, H, W]; default CLASSIFIER_DEFAULTS.inputShape. */
  inputShape?: [number, number, number];
  /** Number of classes; default CLASSIFIER_DEFAULTS.classes. */
  classes?: number;
  /** Default CLASSIFIER_DEFAULTS.optimizer. */
  optimizer?: OptimizerName;
  /** Learning rate; default DEFAULT_LR[optimizer]. */
  lr?: number;
  /** Images per mini-batch; default CLASSIFIER_DEFAULTS.batchSize. */
  batchSize?: number;
  /** Passes over the training data; default CLASSIFIER_DEFAULTS.epochs. */
  epochs?: number;
  /**
   * Multiplies the learning rate after every epoch: epoch e (1-based) trains
   * with lr * lrDecay^(e-1). A number in (0, 1] (isLrDecay; 1 keeps the
   * learning rate constant); default CLASSIFIER_DEFAULTS.lrDecay.
   */
  lrDecay?: number;
  /** Seeds the weights and the order of the mini-batches; default CLASSIFIER_DEFAULTS.seed. */
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
  constructor(
    readonly epoch: number,
    readonly iteration: number,
    iterations: number,
    what: string,
    lr: number,
  ) {
    super(
      `Scratch2dCNNClassifier.fit: training diverged at epoch ${epoch}, iteration ${iteration} of ${iterations}: ${what}. ` +
        `The learning rate (lr = ${lr}) is probably too high: try a lower learning rate.`,
    );
  }
}
