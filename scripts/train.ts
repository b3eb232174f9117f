/**
 * npm run train: trains a classifier on the real MNIST digits, tests it, and
 * writes a run folder. By default the reference classifier with the engine's
 * fast layers; `--tree exercises` (or a path, or KATA_TREE) trains the
 * learner's own layers and classifier (scripts/trees.ts).
 *
 *
 *   runs/<date>-<time>-<model>/
 *     model.bin     the trained weights (Scratch2dCNNClassifier.load reads it)
 *     history.json  every loss and accuracy, the options, timings, the test
 *                   accuracy and confusion matrix
 *     report.html   a self-contained page with the charts, the confusion
 *                   matrix, misclassified digits and the learned filters
 *
 * Data: the 60,000 training images are split at random (seeded) into
 * 55,000 for training and 5,000 (1/12) for validation; the 10,000 test
 * images are only used once, at the end.
 *
 * Learning rate: epoch e (from 1) trains with lr * lrDecay^(e-1), the
 * classifier's own schedule (--lr-decay).
 *
 *   npm run train                          # the defaults: >= 99% test accuracy
 *   npm run train -- --epochs 1 --limit 5000
 *   npm run train -- --help
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KataInputError } from '../lib/checks';
import { loadMnist, takeSamples, trainValidationSplit, type LabelledImages } from '../lib/mnist';
import { accuracy, confusionMatrix, precisionRecall } from '../lib/metrics';
import type { LayerSpec } from '../lib/model-spec';
import { formatSummary, layerName, type ModelSummary, summarize } from '../lib/summary';
import { Tensor } from '../lib/tensor';
import { DEFAULT_LR, isLrDecay, LR_DECAY_RANGE, OPTIMIZER_NAMES, TRAIN_DEFAULTS, trainDefaultLr } from '../lib/training-defaults';
import type { EpochRecord, IterationRecord, Mistake, ModelName, RunHistory, TrainOptions } from './report/history';
import { buildReport, formatLr, learningRateText, type FeatureMaps } from './report/report';
import { formatDuration, groupThousands, isInteractive, ProgressBar } from './ui/progress';
import { formatTable } from './ui/table';
import { wrap } from './ui/width';
import { type LoadedTree, loadTree, parseTree, REPO_ROOT, treeFromEnvironment, treeLabel, TreeNotReadyError } from './trees';
import { CommandError, type CommandSpec, parseCommandLine, startCommand, UsageError } from './cli/command';
import { checkSpeedEnv } from './cli/env';
import { prepareOutFolder } from './cli/out-folder';
import { choiceOption, intOption, positiveNumberOption } from './cli/values';

type Classifier = InstanceType<LoadedTree['classifier']['Scratch2dCNNClassifier']>;

const MODELS: readonly ModelName[] = ['sheet', 'lenet'];
const TRAIN_IMAGES = 60000;
/** Share of the training images held out for validation: 5,000 of 60,000. */
export const VALIDATION_FRACTION = 1 / 12;
/** Misclassified test images kept in history.json (the most confident first). */
const MAX_STORED_MISTAKES = 1000;
/** Misclassified test images shown in the report. */
const MAX_SHOWN_MISTAKES = 72;
/** Training images the training accuracy of each epoch is measured on. */
const TRAIN_ACCURACY_SAMPLE = 5000;
/** Test images per predictProba call (the progress bar moves between calls). */
const TEST_CHUNK = 1000;

/**
 * The defaults, described by the validation accuracy (the 5,000 held-out
 * images; the test images are only used once, at the end). With seed 0,
 * Adam at lr 0.002 halved after every epoch (0.002, 0.001, ..., 0.0000625)
 * brings the sheet's network to 97.86, 98.48, 98.50, 98.60, 98.72 and 98.74%
 * validation accuracy after epochs 1 to 6 (validation loss 0.0484 at the
 * end). A constant lr of 0.001 stands at 97.50, 97.90, 98.16 and 98.16%
 * after epochs 1 to 4 (validation loss rising again to 0.0737): steps of a
 * fixed size keep the weights jumping around the minimum, smaller and
 * smaller steps let them settle.
 */
export const DEFAULTS = {
  /** epochs, lrDecay, batchSize, seed, optimizer and lr (with that optimizer; another one gets DEFAULT_LR's). */
  ...TRAIN_DEFAULTS,
  model: 'sheet' as ModelName,
};

export const USAGE = `Usage: npm run train -- [options]

Trains a CNN on MNIST (60,000 training images: 55,000 to train,
5,000 held out for validation), tests it on the 10,000 test images and writes
model.bin, history.json and report.html to a run folder.

Options:
  --epochs N         passes over the training images (default ${DEFAULTS.epochs})
  --batch-size N     images per mini-batch (default ${DEFAULTS.batchSize})
  --lr X             learning rate (default ${DEFAULTS.lr} with ${DEFAULTS.optimizer}; with another
                     optimizer the classifier's default for it: sgd ${DEFAULT_LR.sgd},
                     adagrad ${DEFAULT_LR.adagrad}, momentum ${DEFAULT_LR.momentum})
  --lr-decay X       multiplies the learning rate after every epoch,
                     0 < X <= 1 (default ${DEFAULTS.lrDecay})
  --optimizer NAME   sgd, adagrad, momentum or adam (default ${DEFAULTS.optimizer})
  --model NAME       sheet (the exercise sheet's network) or lenet (LeNet-5)
                     (default ${DEFAULTS.model})
  --limit N          use only the first N training images, 12..60000
                     (default: all)
  --seed N           seeds the weights, the mini-batch order and the
                     validation split (default ${DEFAULTS.seed})
  --out DIR          a new or empty run folder, checked before training
                     (default runs/<date>-<time>-<model>)
  --tree TREE        whose layers and classifier to train: exercises (yours),
                     solutions (the readable reference) or a folder laid out
                     like exercises/ (default: the reference with the
                     engine's fast layers; KATA_TREE sets it too)
  -h, --help         show this help

Examples:
  npm run train
  npm run train -- --epochs 1 --limit 5000
  npm run train -- --tree exercises --epochs 1 --limit 5000
  npm run train -- --model lenet --optimizer sgd --lr 0.05`;

/** The options as parsed: `lr` is left out when not given (its default depends on the optimizer). */
export type TrainArgs = Omit<TrainOptions, 'lr'> & { lr?: number };
export type ParsedArgs = { help: true } | { help: false; options: TrainArgs };

export const spec: CommandSpec = {
  name: 'train',
  usage: USAGE,
  options: Object.fromEntries(
    ['epochs', 'batch-size', 'lr', 'lr-decay', 'optimizer', 'model', 'limit', 'seed', 'out', 'tree'].map((o) => [o, { type: 'string' as const }]),
  ),
  maxPositionals: 0,
};

/** --lr-decay: a factor in (0, 1] (isLrDecay). */
function parseLrDecay(text: string): number {
  const value = positiveNumberOption('lr-decay', text);
  if (!isLrDecay(value)) throw new UsageError(`--lr-decay expects a number in ${LR_DECAY_RANGE}, got "${text}"`);
  return value;
}

/** "runs/20250101-093000-sheet" from the local time, under the repository root. */
export function defaultRunFolder(model: ModelName, now: Date = new Date()): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return path.join(REPO_ROOT, 'runs', `${stamp}-${model}`);
}

/** Parses the command line (without `node script`); throws UsageError with one line. */
export function parseTrainArgs(argv: readonly string[], now: Date = new Date()): ParsedArgs {
  const { values, help } = parseCommandLine(spec, argv);
  if (help) return { help: true };
  const get = (name: string): string | undefined => values[name] as string | undefined;
  const model = get('model') === undefined ? DEFAULTS.model : choiceOption('model', get('model')!, MODELS);
  const options: TrainArgs = {
    epochs: get('epochs') === undefined ? DEFAULTS.epochs : intOption('epochs', get('epochs')!, 1),
    lrDecay: get('lr-decay') === undefined ? DEFAULTS.lrDecay : parseLrDecay(get('lr-decay')!),
    batchSize: get('batch-size') === undefined ? DEFAULTS.batchSize : intOption('batch-size', get('batch-size')!, 1),
    optimizer: get('optimizer') === undefined ? DEFAULTS.optimizer : choiceOption('optimizer', get('optimizer')!, OPTIMIZER_NAMES),
    model,
    seed: get('seed') === undefined ? DEFAULTS.seed : intOption('seed', get('seed')!, 0, 2 ** 31 - 1),
    out: get('out') === undefined ? defaultRunFolder(model, now) : path.resolve(get('out')!),
  };
  if (get('limit') !== undefined) options.limit = intOption('limit', get('limit')!, 12, TRAIN_IMAGES);
  if (get('tree') !== undefined && get('tree') !== '') options.tree = get('tree');
  if (get('lr') !== undefined) options.lr = positiveNumberOption('lr', get('lr')!);
  return { help: false, options };
}

/** A path relative to `base` when it lies inside it, otherwise absolute. */
export function displayPath(file: string, base = process.cwd()): string {
  const relative = path.relative(base, file);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
}

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
const seconds = (ms: number): number => ms / 1000;

/** The per-epoch table's column headers and widths. */
const EPOCH_HEADERS = ['epoch', 'lr', 'train loss', 'val loss', 'val acc', 'time', 'img/s'];
const EPOCH_WIDTHS = [7, 10, 10, 8, 7, 7, 7];

/** One line of the per-epoch table (the first column left-aligned, numbers right-aligned): about 66 columns. */
function epochRow(cells: string[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(EPOCH_WIDTHS[i]) : c.padStart(EPOCH_WIDTHS[i])))
    .join('  ')
    .trimEnd();
}

/** `  key    value` lines; a long value wraps under itself to fit 80 columns. */
function keyValues(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  const indent = ' '.repeat(width + 4);
  return pairs
    .flatMap(([k, v]) => wrap(v, 80 - indent.length).map((line, i) => (i === 0 ? `  ${k.padEnd(width)}  ${line}` : `${indent}${line}`)))
    .join('\n');
}

/** The confusion matrix with recall per row and precision per column, as aligned text. */
export function confusionTable(matrix: number[][], precision: number[], recall: number[]): string {
  const classes = matrix.map((_, c) => String(c));
  const rows: string[][] = matrix.map((row, t) => [String(t), ...row.map(String), percent(recall[t])]);
  rows.push(['precision', ...precision.map((p) => (100 * p).toFixed(1)), '']);
  return formatTable(['true\\pred', ...classes, 'recall'], rows, { align: ['left', ...classes.map(() => 'right' as const), 'right'] });
}

/** Sorts mistakes by the probability given to the wrong class, highest first. */
function findMistakes(labels: Int32Array, proba: Tensor): Mistake[] {
  const classes = proba.shape[1];
  const mistakes: Mistake[] = [];
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (proba.data[i * classes + c] > proba.data[i * classes + best]) best = c;
    if (best !== labels[i]) mistakes.push({ index: i, label: labels[i], predicted: best, confidence: proba.data[i * classes + best] });
  }
  return mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
}

/** Class probabilities of the test images, a chunk at a time with a progress bar. */
function predictWithProgress(clf: Classifier, test: LabelledImages): Tensor {
  const [n, ...image] = test.images.shape;
  const perImage = image.reduce((a, b) => a * b, 1);
  const bar = new ProgressBar({ total: n, label: 'test', unit: 'img' });
  const parts: Tensor[] = [];
  for (let first = 0; first < n; first += TEST_CHUNK) {
    const count = Math.min(TEST_CHUNK, n - first);
    parts.push(clf.predictProba(new Tensor([count, ...image], test.images.data.subarray(first * perImage, (first + count) * perImage))));
    bar.update(first + count);
  }
  bar.finish();
  const classes = parts[0].shape[1];
  const proba = new Tensor([n, classes]);
  parts.forEach((p, i) => proba.data.set(p.data, i * TEST_CHUNK * classes));
  return proba;
}

/** The `count` most probable classes, most probable first. */
function topClasses(proba: ArrayLike<number>, count: number): { cls: number; p: number }[] {
  return Array.from(proba, (p, cls) => ({ cls, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, count);
}

/** Test digit `index` and the output of every layer on it, for the report's feature maps. */
function featureMapsOf(clf: Classifier, specs: LayerSpec[], test: LabelledImages, index: number): FeatureMaps {
  const pixels = test.images.data.slice(index * 784, (index + 1) * 784);
  let out = new Tensor([1, 1, 28, 28], pixels);
  const layers = clf.layers.map((layer, i) => {
    out = layer.forward(out);
    return { name: layerName(specs[i]), shape: out.shape.slice(1), data: Float64Array.from(out.data) };
  });
  const logits = out.data;
  const predicted = logits.indexOf(Math.max(...logits));
  return { index, label: test.labels[index], predicted, pixels, layers };
}

/** Accuracy below this, twice chance (10 classes: chance is 10 %), means the network learned nothing. */
const NOTHING_LEARNED = 0.2;

/**
 * Why a finished run is not a result, or null: a loss that grew past
 * guessing (ln 10 per image for 10 classes) or an accuracy near chance.
 */
export function runWarning(epochs: readonly { trainLoss: number; valAccuracy: number }[], lr: number): string | null {
  const last = epochs[epochs.length - 1];
  if (!last) return null;
  const hint = `the learning rate ${lr} is probably too large for this optimizer: try a smaller --lr`;
  if (!Number.isFinite(last.trainLoss) || last.trainLoss > 2 * Math.log(10)) {
    const loss = Math.abs(last.trainLoss) < 1e4 ? last.trainLoss.toFixed(4) : last.trainLoss.toExponential(2);
    return `warning: the training loss ended at ${loss}, worse than guessing (${Math.log(10).toFixed(4)}); ${hint}`;
  }
  if (!(last.valAccuracy >= NOTHING_LEARNED)) {
    return `warning: the validation accuracy ended at ${percent(last.valAccuracy)}, below twice chance (chance is 10% for 10 classes); the network learned nothing; ${hint}`;
  }
  return null;
}

/** The run as set up before any training: the tree, the options with every default filled in, and the network. */
interface RunSetup {
  tree: LoadedTree;
  options: TrainOptions;
  specs: LayerSpec[];
  inputShape: [number, number, number];
  summary: ModelSummary;
}

/** The images of a run: train and validation (split from the training images) and the test images. */
interface RunData {
  train: LabelledImages;
  validation: LabelledImages;
  test: LabelledImages;
}

/** A trained classifier and what training recorded. */
interface Trained {
  clf: Classifier;
  iterations: IterationRecord[];
  epochs: EpochRecord[];
  trainSeconds: number;
}

/** The test's results: every image's class probabilities, the mistakes (most confident first) and the figures. */
interface Tested {
  proba: Tensor;
  mistakes: Mistake[];
  accuracy: number;
  matrix: number[][];
  precision: number[];
  recall: number[];
  seconds: number;
}

/** A finished run, ready to be written: when it started (`t0`: performance.now() then) and how long loading took. */
interface FinishedRun {
  setup: RunSetup;
  data: RunData;
  trained: Trained;
  tested: Tested;
  startedAt: Date;
  t0: number;
  loadSeconds: number;
}

type ClassifierOptions = NonNullable<ConstructorParameters<LoadedTree['classifier']['Scratch2dCNNClassifier']>[0]>;
type IterationInfo = Parameters<NonNullable<ClassifierOptions['onIteration']>>[0];
type EpochInfo = Parameters<NonNullable<ClassifierOptions['onEpoch']>>[0];

/** A line on stdout. */
function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** The command: set up, load the data, train, test, write the run folder; 0, or 3 when the run learned nothing. */
async function train(parsedOptions: TrainArgs): Promise<number> {
  checkSpeedEnv();
  const startedAt = new Date();
  const t0 = performance.now();

  const { lr, tree: treeChoice, ...rest } = parsedOptions;
  let tree: LoadedTree;
  try {
    tree = loadTree(treeChoice === undefined ? treeFromEnvironment('training') : parseTree(treeChoice), rest.model);
  } catch (error) {
    if (!(error instanceof TreeNotReadyError || error instanceof KataInputError)) throw error;
    throw new CommandError(error.message);
  }
  // Before any long work: a run folder that cannot be written fails now, not after the training.
  prepareOutFolder(rest.out);
  const options: TrainOptions = {
    ...rest,
    tree: tree.tree.name,
    lr: lr ?? trainDefaultLr(rest.optimizer),
  };
  const specs = tree.specs;
  const inputShape: [number, number, number] = [1, 28, 28];
  const summary = summarize(specs, inputShape);
  const setup: RunSetup = { tree, options, specs, inputShape, summary };

  const data = loadData(options);
  const loadSeconds = seconds(performance.now() - t0);
  printRunHeader(setup, data, loadSeconds);
  const trained = trainClassifier(setup, data);
  const tested = testClassifier(trained.clf, data.test);
  printTestResult(tested, data.test.labels.length);
  const history = await writeRunFolder({ setup, data, trained, tested, startedAt, t0, loadSeconds });
  printRunEnd(options.out, history.timings);
  const warning = runWarning(trained.epochs, options.lr);
  if (warning) {
    process.stderr.write(`\n${wrap(warning, 80).join('\n')}\n`);
    return 3;
  }
  return 0;
}

/**
 * The training images (all or the first --limit), split into train and
 * validation (copies: the loaded set is garbage once this returns, 376 MB
 * less held during training).
 */
function loadTrainingSplit(options: TrainOptions): { train: LabelledImages; validation: LabelledImages } {
  const all = loadMnist({ split: 'train', ...(options.limit === undefined ? {} : { limit: options.limit }) });
  return trainValidationSplit(all.images, all.labels, { validationFraction: VALIDATION_FRACTION, seed: options.seed });
}

function loadData(options: TrainOptions): RunData {
  const { train, validation } = loadTrainingSplit(options);
  return { train, validation, test: loadMnist({ split: 'test' }) };
}

/** What is about to train, on what data, and the network's layer table. */
function printRunHeader({ tree, options, specs, summary }: RunSetup, { train, validation, test }: RunData, loadSeconds: number): void {
  say(`Training the ${options.model} network on MNIST`);
  say(
    keyValues([
      ['model', `${options.model} (${specs.length} layers, ${groupThousands(summary.totalParams)} parameters)`],
      ['layers', treeLabel(tree.tree)],
      [
        'data',
        `${groupThousands(train.labels.length)} train + ${groupThousands(validation.labels.length)} validation ` +
          `(${options.limit === undefined ? 'the 60,000 training images' : `the first ${groupThousands(options.limit)} training images`}, ` +
          `1/12 held out, seed ${options.seed}), ${groupThousands(test.labels.length)} test`,
      ],
      [
        'training',
        `${options.optimizer}, lr ${learningRateText(options.lr, options.lrDecay)}, batch size ${options.batchSize}, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}, seed ${options.seed}`,
      ],
      ['run folder', displayPath(options.out)],
      ['machine', `${os.cpus().length} CPUs, Node ${process.version}, data loaded in ${loadSeconds.toFixed(1)} s`],
    ]),
  );
  say();
  say(formatSummary(summary));
  say();
}

/**
 * What the terminal shows while a classifier trains, and the records kept
 * for history.json: a progress bar per epoch, then one line of the epoch table.
 */
class TrainingProgress {
  readonly iterations: IterationRecord[] = [];
  readonly epochs: EpochRecord[] = [];
  private readonly interactive = isInteractive(process.stderr);
  private readonly epochDigits: number;
  private bar: ProgressBar | undefined;
  private seen = 0;
  private lossSum = 0;
  private epochStart = performance.now();
  private trainEnd = this.epochStart;

  /** `trainAccuracy` measures the classifier after an epoch. */
  constructor(
    private readonly epochCount: number,
    private readonly data: RunData,
    private readonly trainAccuracy: () => number,
  ) {
    this.epochDigits = String(epochCount).length;
    this.bar = this.epochBar(1);
  }

  private epochBar(epoch: number): ProgressBar {
    const label = `epoch ${String(epoch).padStart(this.epochDigits)}/${this.epochCount}`;
    return new ProgressBar({ total: this.data.train.labels.length, label, unit: 'img' });
  }

  /** After each mini-batch: the bar moves, with the epoch's mean loss so far. */
  iteration({ epoch, iteration, iterations: perEpoch, loss, samples }: IterationInfo): void {
    if (iteration === 1) {
      this.seen = 0;
      this.lossSum = 0;
    }
    this.seen += samples;
    this.lossSum += loss * samples;
    this.iterations.push({ epoch, iteration, step: this.iterations.length + 1, loss, samples });
    this.bar?.update(this.seen, { loss: (this.lossSum / this.seen).toFixed(4) });
    if (iteration === perEpoch) {
      this.trainEnd = performance.now();
      this.bar?.finish();
      if (this.interactive) process.stderr.write(`validating on ${groupThousands(this.data.validation.labels.length)} images...`);
    }
  }

  /** After each epoch (validation included): its record and its line of the table, then the next epoch's bar. */
  epoch({ epoch, lr, trainLoss, valLoss, valAccuracy }: EpochInfo): void {
    if (this.interactive) process.stderr.write('\r\x1b[2K');
    const record: EpochRecord = {
      epoch,
      lr,
      trainLoss,
      valLoss: valLoss ?? NaN,
      valAccuracy: valAccuracy ?? NaN,
      seconds: seconds(performance.now() - this.epochStart),
      imagesPerSecond: this.data.train.labels.length / seconds(this.trainEnd - this.epochStart),
      trainAccuracy: this.trainAccuracy(),
    };
    this.epochs.push(record);
    if (epoch === 1) say(epochRow(EPOCH_HEADERS));
    say(
      epochRow([
        `${String(epoch).padStart(this.epochDigits)}/${this.epochCount}`,
        formatLr(lr),
        trainLoss.toFixed(4),
        record.valLoss.toFixed(4),
        percent(record.valAccuracy),
        formatDuration(record.seconds),
        groupThousands(Math.round(record.imagesPerSecond)),
      ]),
    );
    this.epochStart = performance.now();
    if (epoch < this.epochCount) this.bar = this.epochBar(epoch + 1);
  }

  /** Ends the bar of a training that stopped early. */
  stop(): void {
    this.bar?.finish();
  }
}

/** Trains a new classifier of the tree on the training images, validating after every epoch. */
function trainClassifier({ tree, options, specs, inputShape }: RunSetup, data: RunData): Trained {
  // Training accuracy after each epoch, on a fixed sample: the whole set would cost a pass per epoch.
  const trainSample = takeSamples(
    data.train.images,
    data.train.labels,
    Array.from({ length: Math.min(TRAIN_ACCURACY_SAMPLE, data.train.labels.length) }, (_, i) => i),
  );
  const trainStart = performance.now();
  const progress = new TrainingProgress(options.epochs, data, () => clf.score(trainSample.images, trainSample.labels));
  const clf: Classifier = new tree.classifier.Scratch2dCNNClassifier({
    layers: specs,
    kit: tree.kit,
    inputShape,
    classes: 10,
    optimizer: options.optimizer,
    lr: options.lr,
    lrDecay: options.lrDecay,
    batchSize: options.batchSize,
    epochs: options.epochs,
    seed: options.seed,
    onIteration: (info) => progress.iteration(info),
    onEpoch: (info) => progress.epoch(info),
  });
  try {
    clf.fit(data.train.images, data.train.labels, { X: data.validation.images, y: data.validation.labels });
  } catch (error) {
    progress.stop();
    if (error instanceof tree.classifier.TrainingDivergedError) {
      throw new CommandError(error.message.split('\n')[0]);
    }
    throw error;
  }
  return { clf, iterations: progress.iterations, epochs: progress.epochs, trainSeconds: seconds(performance.now() - trainStart) };
}

/** Tests the classifier once, at the end, on the test images. */
function testClassifier(clf: Classifier, test: LabelledImages): Tested {
  const testStart = performance.now();
  const proba = predictWithProgress(clf, test);
  const mistakes = findMistakes(test.labels, proba);
  const predicted = Int32Array.from(test.labels);
  for (const m of mistakes) predicted[m.index] = m.predicted;
  const testAccuracy = accuracy(test.labels, predicted);
  const matrix = confusionMatrix(test.labels, predicted, 10);
  const { precision, recall } = precisionRecall(matrix);
  return { proba, mistakes, accuracy: testAccuracy, matrix, precision, recall, seconds: seconds(performance.now() - testStart) };
}

/** The test accuracy and the confusion matrix. */
function printTestResult({ accuracy: testAccuracy, mistakes, matrix, precision, recall }: Tested, testImages: number): void {
  say();
  say(`Test accuracy: ${percent(testAccuracy)} (${groupThousands(testImages - mistakes.length)} of ${groupThousands(testImages)} test images)`);
  say();
  say('Confusion matrix (rows: true class, columns: predicted class),');
  say('recall per class and precision in %:');
  say(confusionTable(matrix, precision, recall));
  say();
}

/** Writes model.bin, history.json and report.html into the run folder; returns the history written. */
async function writeRunFolder(run: FinishedRun): Promise<RunHistory> {
  const { out } = run.setup.options;
  fs.mkdirSync(out, { recursive: true });
  run.trained.clf.save(path.join(out, 'model.bin'));
  const history = runHistory(run);
  history.timings.totalSeconds = seconds(performance.now() - run.t0);
  const html = await reportPage(run, history);
  history.timings.totalSeconds = seconds(performance.now() - run.t0);
  fs.writeFileSync(path.join(out, 'history.json'), `${JSON.stringify(history, null, 1)}\n`);
  fs.writeFileSync(path.join(out, 'report.html'), html);
  return history;
}

/** history.json: the options, the model, the data, every loss and accuracy, the test's results, timings and machine. */
function runHistory({ setup, data, trained, tested, startedAt, loadSeconds }: FinishedRun): RunHistory {
  const { options, inputShape, specs, summary } = setup;
  return {
    format: 'scratch-cnn-kata/train-history@1',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...options, out: displayPath(options.out, REPO_ROOT) },
    model: {
      name: options.model,
      inputShape,
      specs,
      layers: summary.rows.map((r) => ({ index: r.index, name: r.name, outputShape: r.outputShape, params: r.params })),
      parameters: summary.totalParams,
    },
    data: {
      train: data.train.labels.length,
      validation: data.validation.labels.length,
      test: data.test.labels.length,
      validationFraction: VALIDATION_FRACTION,
      splitSeed: options.seed,
    },
    iterations: trained.iterations,
    epochs: trained.epochs,
    test: {
      accuracy: tested.accuracy,
      misclassified: tested.mistakes.length,
      confusionMatrix: tested.matrix,
      precision: tested.precision,
      recall: tested.recall,
      mistakes: tested.mistakes.slice(0, MAX_STORED_MISTAKES),
    },
    timings: { loadSeconds, trainSeconds: trained.trainSeconds, testSeconds: tested.seconds, totalSeconds: 0 },
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
    },
  };
}

/** report.html: the history's charts, the most confident mistakes, the first layer's filters and the feature maps of test digit 0. */
function reportPage({ setup, data, trained, tested }: FinishedRun, history: RunHistory): Promise<string> {
  const { clf } = trained;
  const { specs } = setup;
  const test = data.test;
  const firstLayer = clf.layers[0]?.params?.W;
  const shown = tested.mistakes.slice(0, MAX_SHOWN_MISTAKES).map((m) => ({
    ...m,
    pixels: test.images.data.subarray(m.index * 784, (m.index + 1) * 784),
    top3: topClasses(tested.proba.data.subarray(m.index * 10, (m.index + 1) * 10), 3),
  }));
  return buildReport({
    history,
    mistakes: shown,
    mistakeCount: tested.mistakes.length,
    ...(firstLayer && specs[0].type === 'conv2d' ? { filters: firstLayer } : {}),
    featureMaps: featureMapsOf(clf, specs, test, 0),
  });
}

/** Where the time went and where the run folder is. */
function printRunEnd(outFolder: string, timings: RunHistory['timings']): void {
  say(
    `Wall time: ${formatDuration(timings.totalSeconds)} (loading ${timings.loadSeconds.toFixed(1)} s, training ${formatDuration(timings.trainSeconds)}, testing ${timings.testSeconds.toFixed(1)} s)`,
  );
  say(`Run folder: ${displayPath(outFolder)}/  (model.bin, history.json, report.html)`);
  say(`Report: file://${path.join(outFolder, 'report.html')}`);
}

if (require.main === module)
  startCommand(spec, () => {
    const parsed = parseTrainArgs(process.argv.slice(2));
    return parsed.help ? 0 : train(parsed.options);
  });
