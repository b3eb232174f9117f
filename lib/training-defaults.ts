/**
 * The training settings' defaults, each written once. The classifier
 * (exercise 06) fills in the options it is not given from CLASSIFIER_DEFAULTS
 * and DEFAULT_LR; `npm run train` starts from TRAIN_DEFAULTS, a schedule
 * chosen on the validation images (docs/training.md, whose option table a
 * test checks against these values). Adam's own default learning rate is
 * DEFAULT_LR.adam.
 */

/** The optimizers the classifier knows, by name. */
export const OPTIMIZER_NAMES = ['sgd', 'adagrad', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Learning rates used when `lr` is not given, per optimizer. */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = { sgd: 0.05, adagrad: 0.01, momentum: 0.01, adam: 1e-3 };

/** What the classifier uses for an option it is not given (the learning rate: DEFAULT_LR[optimizer]). */
export const CLASSIFIER_DEFAULTS: {
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  readonly epochs: number;
  readonly lrDecay: number;
  readonly seed: number;
} = { inputShape: [1, 28, 28], classes: 10, optimizer: 'adam', batchSize: 32, epochs: 3, lrDecay: 1, seed: 0 };

/**
 * The schedule `npm run train` uses when no option says otherwise: Adam at
 * lr 0.002, halved after every epoch, for 6 epochs (scripts/train.ts says
 * what the validation images showed). Another optimizer given without a
 * learning rate gets DEFAULT_LR's.
 */
export const TRAIN_DEFAULTS: {
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly lrDecay: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
} = { optimizer: 'adam', lr: 0.002, lrDecay: 0.5, epochs: 6, batchSize: CLASSIFIER_DEFAULTS.batchSize, seed: CLASSIFIER_DEFAULTS.seed };

/** The learning rate when none is given: TRAIN_DEFAULTS.lr for its optimizer, DEFAULT_LR for the others. */
export function trainDefaultLr(optimizer: OptimizerName): number {
  return optimizer === TRAIN_DEFAULTS.optimizer ? TRAIN_DEFAULTS.lr : DEFAULT_LR[optimizer];
}

/** The range of lrDecay, as messages write it. */
export const LR_DECAY_RANGE = '(0, 1]';

/** Whether `value` is a valid lrDecay: a number in (0, 1] (1: a constant learning rate). */
export function isLrDecay(value: number): boolean {
  return value > 0 && value <= 1;
}
