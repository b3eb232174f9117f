/**
 * Builds `report.html` for a training run from its history (the numbers) and
 * a few arrays that are not worth storing in JSON (the pixels of the
 * misclassified digits and the first layer's weights).
 */
import { formatShape } from '../../lib/tensor';
import { chartFigure, escapeHtml, Html, htmlTable, keyValueTable, page, section, statCard } from './html';
import { confusionSpec, epochLossSpec, iterationLossSpec, learningRateSpec, renderSvg, validationAccuracySpec } from './charts';
import { featureMapTiles, filtersGrid, inkPng, mistakesGrid, type MistakeTile } from './digits';
import type { RunHistory } from './history';
import { folderName, runTitle } from './run-title';
import { isReference, whoseNetwork } from '../trees';

export interface ReportInput {
  history: RunHistory;
  /** Misclassified test digits to show (already chosen and ordered). */
  mistakes: MistakeTile[];
  /** Total number of misclassified test images (the grid may show fewer). */
  mistakeCount: number;
  /** Weights of the first layer, W [M, C, kh, kw], if it is a convolution. */
  filters?: { shape: readonly number[]; data: ArrayLike<number> };
  /** One test digit and every layer's output on it. */
  featureMaps?: FeatureMaps;
}

export interface FeatureMaps {
  /** Its index in the test set, its label and the model's prediction. */
  index: number;
  label: number;
  predicted: number;
  /** 28 x 28 pixels in [0, 1]. */
  pixels: ArrayLike<number>;
  /** Each layer's output for this one image (shape without the batch axis). */
  layers: { name: string; shape: number[]; data: ArrayLike<number> }[];
}

const percent = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 75.4 -> "1 min 15 s", 8.2 -> "8.2 s". */
export function humanSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A learning rate for people: 0.00032 rather than 0.0003200000000000001 (lr * lrDecay^k rounds). */
export function formatLr(lr: number): string {
  return String(Number(lr.toPrecision(6)));
}

/** "0.001" or "0.002, x 0.5 after every epoch". */
export function learningRateText(lr: number, lrDecay: number): string {
  return lrDecay === 1 ? String(lr) : `${lr}, x ${lrDecay} after every epoch`;
}

function runSection(h: RunHistory): string {
  const o = h.options;
  const options = keyValueTable('Options', [
    ['model', o.model],
    ['optimizer', o.optimizer],
    ['learning rate', learningRateText(o.lr, o.lrDecay)],
    ['batch size', String(o.batchSize)],
    ['epochs', String(o.epochs)],
    ['seed', String(o.seed)],
    ['training images', o.limit === undefined ? 'all 60,000' : `first ${thousands(o.limit)}`],
  ]);
  const data = keyValueTable('Data', [
    ['train', thousands(h.data.train)],
    ['validation', `${thousands(h.data.validation)} (${percent(h.data.validationFraction, 1)}, seed ${h.data.splitSeed})`],
    ['test', thousands(h.data.test)],
    ['image shape', formatShape(h.model.inputShape)],
  ]);
  const timings = keyValueTable('Time', [
    ['loading data', humanSeconds(h.timings.loadSeconds)],
    ['training', humanSeconds(h.timings.trainSeconds)],
    ['testing', humanSeconds(h.timings.testSeconds)],
    ['total', humanSeconds(h.timings.totalSeconds)],
    ['machine', `${h.environment.cpus} CPU, Node ${h.environment.node}`],
  ]);
  const scroll = (table: string): string => `<div class="scroll">${table}</div>`;
  return section('run', 'Run', `<div class="columns">${scroll(options)}${scroll(data)}${scroll(timings)}</div>`);
}

function networkSection(h: RunHistory): string {
  const rows = [
    ['', 'input', formatShape(h.model.inputShape), ''],
    ...h.model.layers.map((l) => [String(l.index), l.name, formatShape(l.outputShape), l.params === 0 ? '' : thousands(l.params)]),
  ];
  const table = `<div class="scroll">${htmlTable(['#', 'layer', 'output shape (per image)', 'parameters'], rows, { align: ['right', 'left', 'left', 'right'], className: 'data network' })}</div>`;
  return section(
    'network',
    'Network',
    `${table}<p class="muted" style="margin-top:10px">Total: ${thousands(h.model.parameters)} trainable parameters.</p>`,
  );
}

async function trainingSection(h: RunHistory): Promise<string> {
  const iterationCaption =
    'Loss of each mini-batch (log scale, cut at 0.001) and its moving average, weighted by the images of each mini-batch ' +
    '(an epoch\u2019s last, smaller mini-batch has no point of its own); dashed lines mark the end of each epoch.';
  const perEpoch: [object, string][] = [
    [epochLossSpec(h.epochs), 'Training loss is the mean over the epoch\u2019s mini-batches; validation loss is measured after the epoch.'],
    [
      validationAccuracySpec(h.epochs),
      `Measured after each epoch on the ${thousands(h.data.validation)} held-out validation images` +
        (h.epochs.some((e) => e.trainAccuracy !== undefined) ? ' and on the first 5,000 training images.' : '.'),
    ],
    [learningRateSpec(h.epochs), 'The learning rate each epoch trained with (log scale).'],
  ];
  // One epoch gives one point per epoch chart: the table says the same, more plainly.
  const specs: [object, string][] = [[iterationLossSpec(h.iterations), iterationCaption], ...(h.epochs.length > 1 ? perEpoch : [])];
  const charts = await Promise.all(specs.map(([spec]) => renderSvg(spec as Record<string, unknown>)));
  const hasTrainAccuracy = h.epochs.some((e) => e.trainAccuracy !== undefined);
  const table = htmlTable(
    [
      'epoch',
      'learning rate',
      'train loss',
      'validation loss',
      ...(hasTrainAccuracy ? ['train accuracy'] : []),
      'validation accuracy',
      'time',
      'images/s',
    ],
    h.epochs.map((e) => [
      e.epoch,
      formatLr(e.lr),
      e.trainLoss.toFixed(4),
      e.valLoss.toFixed(4),
      ...(hasTrainAccuracy ? [e.trainAccuracy === undefined ? '–' : percent(e.trainAccuracy)] : []),
      percent(e.valAccuracy),
      `${Math.round(e.seconds)} s`,
      thousands(Math.round(e.imagesPerSecond)),
    ]),
    { align: Array(hasTrainAccuracy ? 8 : 7).fill('right') },
  );
  const figures = charts.map((svg, i) => chartFigure(svg, specs[i][1])).join('');
  const note =
    h.epochs.length > 1
      ? ''
      : '<p class="muted">One epoch: the charts per epoch (loss, accuracy, learning rate) need two epochs or more; the table holds its figures.</p>';
  return section('training', 'Training', `<div class="charts">${figures}<div class="epochs"><div class="scroll">${table}</div>${note}</div></div>`);
}

function featureMapsSection(maps: FeatureMaps | undefined): string {
  if (!maps) return '';
  const verdict = maps.predicted === maps.label ? 'classified correctly' : `classified as ${maps.predicted}`;
  const rows = maps.layers
    .filter((l) => l.shape.length === 3)
    .map(
      (l) =>
        `<div class="layer-maps"><h3>${escapeHtml(l.name)} <span class="muted">${escapeHtml(formatShape(l.shape))}</span></h3>${featureMapTiles(l.shape, l.data, l.name)}</div>`,
    );
  const input =
    `<figure class="digit input-digit"><img src="${inkPng(maps.pixels, 28, 28)}" width="84" height="84" alt="test image ${maps.index}">` +
    `<figcaption>#${maps.index}: ${maps.label}, ${verdict}</figcaption></figure>`;
  return section(
    'feature-maps',
    'Feature maps of one test digit',
    `<div class="feature-maps">${input}<div>${rows.join('')}</div></div>`,
    'The output of every convolution, ReLU and pooling layer for this digit, one tile per channel, each layer on its own scale: white 0, red positive, blue negative. Try others in the playground: npm run playground.',
  );
}

async function testSection(h: RunHistory): Promise<string> {
  const heat = await renderSvg(confusionSpec(h.test.confusionMatrix));
  const support = h.test.confusionMatrix.map((row) => row.reduce((a, b) => a + b, 0));
  const quality = (x: number): Html => new Html(`<span${x < 0.98 ? ' style="color:var(--bad)"' : ''}>${percent(x)}</span>`);
  const table = htmlTable(
    ['class', 'images', 'precision', 'recall'],
    h.test.precision.map((p, c) => [c, thousands(support[c]), quality(p), quality(h.test.recall[c])]),
    { align: ['right', 'right', 'right', 'right'] },
  );
  const note =
    '<p class="muted" style="margin-top:10px">Precision: of the images predicted as the class, the share that are. ' +
    'Recall: of the images of the class, the share found. Below 98% in orange.</p>';
  return section(
    'test',
    `Test set: ${percent(h.test.accuracy)} accuracy`,
    `<div class="confusion"><figure class="chart">${heat}</figure><div><div class="scroll">${table}</div>${note}</div></div>`,
    `The ${thousands(h.data.test)} test images were never used for training or for choosing the model. Rows: true class; columns: predicted class.`,
  );
}

function mistakesSection(input: ReportInput): string {
  const shown = input.mistakes.length;
  const intro =
    shown === input.mistakeCount
      ? `All ${thousands(input.mistakeCount)} misclassified test images: true class in green, prediction in orange, the probability the model gave its prediction, the test index, and the three most probable classes.`
      : `The ${shown} most confident of the ${thousands(input.mistakeCount)} misclassified test images: true class in green, prediction in orange, the probability the model gave its prediction, the test index, and the three most probable classes.`;
  return section('mistakes', 'Misclassified test digits', mistakesGrid(input.mistakes), intro);
}

function filtersSection(input: ReportInput): string {
  if (!input.filters) return '';
  const intro = new Html(
    `The first convolution's filters ${escapeHtml(formatShape(input.filters.shape))} after training, each scaled to its own largest weight: ` +
      `negative<span class="legend-swatch"></span>positive.`,
  );
  return `<section id="filters"><h2>First-layer filters</h2><p class="intro">${intro.html}</p>${filtersGrid(input.filters)}</section>`;
}

/** The complete, self-contained HTML page. */
export async function buildReport(input: ReportInput): Promise<string> {
  const h = input.history;
  const bestVal = h.epochs.reduce((best, e) => Math.max(best, e.valAccuracy), 0);
  const lastEpoch = h.epochs[h.epochs.length - 1];
  const stats = [
    statCard(percent(h.test.accuracy), 'test accuracy', true),
    statCard(lastEpoch ? percent(lastEpoch.valAccuracy) : '–', 'final validation accuracy'),
    statCard(percent(bestVal), 'best validation accuracy'),
    statCard(thousands(input.mistakeCount), 'test mistakes'),
    statCard(thousands(h.model.parameters), 'parameters'),
    statCard(humanSeconds(h.timings.totalSeconds), 'wall time'),
  ].join('');
  const sections = [
    runSection(h),
    networkSection(h),
    await trainingSection(h),
    await testSection(h),
    mistakesSection(input),
    featureMapsSection(input.featureMaps),
    filtersSection(input),
  ];
  const tree = h.options.tree;
  const mine = tree !== undefined && !isReference(tree);
  const folder = h.options.out;
  return page({
    kicker: 'MNIST training report',
    title: runTitle(h.model.name, h.model.layers.length, h.startedAt),
    whose: tree === undefined ? '' : `<span class="${mine ? 'yours' : 'reference'}">${escapeHtml(whoseNetwork(tree))}</span>`,
    folder: `run folder <code title="${escapeHtml(folder)}">${escapeHtml(folderName(folder))}</code>`,
    subtitle:
      `${escapeHtml(h.options.optimizer)} · lr ${escapeHtml(learningRateText(h.options.lr, h.options.lrDecay))} · batch ${h.options.batchSize} · ` +
      `${h.options.epochs} epoch${h.options.epochs === 1 ? '' : 's'}`,
    stats,
    body: sections.join('\n'),
    footer: 'Every number on this page is in <code>history.json</code> next to it; the trained weights are in <code>model.bin</code>.',
  });
}
