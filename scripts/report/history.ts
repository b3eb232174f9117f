/**
 * What a training run records in `history.json`, and what the HTML report is
 * drawn from. Everything is plain JSON (numbers, strings, arrays), so the
 * file can be read by any tool.
 */
import type { LayerSpec } from '../../lib/model-spec';
import type { OptimizerName } from '../../lib/training-defaults';

export type ModelName = 'sheet' | 'lenet';

/** The options of `npm run train`, after defaults are applied. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Learning rate of the first epoch. */
  lr: number;
  /** Epoch e (from 1) trains with lr * lrDecay^(e-1). */
  lrDecay: number;
  optimizer: OptimizerName;
  model: ModelName;
  /** First N training images only (undefined: all 60,000). */
  limit?: number;
  seed: number;
  /** Run folder. */
  out: string;
  /** Whose layers and classifier trained: "engine+solutions", "solutions", "exercises" or a path. */
  tree?: string;
}

/** One mini-batch update. `iteration` counts from 1 within the epoch; `step` counts across epochs. */
export interface IterationRecord {
  epoch: number;
  iteration: number;
  step: number;
  loss: number;
  /** Images in the mini-batch (the last one of an epoch may hold fewer); older histories lack it. */
  samples?: number;
}

/** The end of one epoch. */
export interface EpochRecord {
  epoch: number;
  /** Learning rate used in this epoch. */
  lr: number;
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
  /** Accuracy on (up to) the first 5,000 training images after the epoch; older histories lack it. */
  trainAccuracy?: number;
  seconds: number;
  imagesPerSecond: number;
}

/** One layer row of the network table. */
export interface LayerRow {
  index: number;
  name: string;
  outputShape: number[];
  params: number;
}

/** A misclassified test image, by its index in the test set. */
export interface Mistake {
  index: number;
  label: number;
  predicted: number;
  /** Probability the model gave its (wrong) prediction. */
  confidence: number;
}

export interface RunHistory {
  format: 'scratch-cnn-kata/train-history@1';
  startedAt: string;
  finishedAt: string;
  options: TrainOptions;
  model: {
    name: ModelName;
    inputShape: number[];
    specs: LayerSpec[];
    layers: LayerRow[];
    parameters: number;
  };
  data: {
    train: number;
    validation: number;
    test: number;
    validationFraction: number;
    /** Seed of the train/validation split. */
    splitSeed: number;
  };
  iterations: IterationRecord[];
  epochs: EpochRecord[];
  test: {
    accuracy: number;
    /** Number of misclassified test images (`mistakes` keeps at most the 1,000 most confident). */
    misclassified: number;
    /** Rows true class, columns predicted class. */
    confusionMatrix: number[][];
    precision: number[];
    recall: number[];
    mistakes: Mistake[];
  };
  timings: {
    loadSeconds: number;
    trainSeconds: number;
    testSeconds: number;
    totalSeconds: number;
  };
  environment: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
  };
}
