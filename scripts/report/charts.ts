/**
 * The report's charts: Vega-Lite specifications built from a run's history,
 * rendered to SVG strings in Node (vega-lite compiles to Vega, a headless
 * Vega View draws SVG). No browser, no network, no script in the page.
 *
 * The spec builders are plain functions of the data (testable without
 * rendering); `renderSvg` loads vega and vega-lite, which are ES modules, with
 * a dynamic import.
 */
import type { EpochRecord, IterationRecord } from './history';

/** A Vega-Lite specification, kept as plain JSON here. */
export type VegaLiteSpec = Record<string, unknown>;

const COLORS = { raw: '#c9d3df', smooth: '#1f5fa8', train: '#1f5fa8', validation: '#e07b00', accuracy: '#2f8f46' };
const WIDTH = 440;
const HEIGHT = 230;

/** Shared look: system font, light grid, no chart border. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelColor: '#4a5563', titleColor: '#2b3440', gridColor: '#e8ecf1', domainColor: '#9aa5b1', tickColor: '#9aa5b1', titleFontWeight: 600 },
  legend: { labelColor: '#2b3440', titleColor: '#2b3440', orient: 'top', title: null, labelLimit: 320 },
  title: { anchor: 'start', color: '#1c2530', fontSize: 14, fontWeight: 600 },
};

/**
 * Trailing moving average: out[i] is the mean of values[max(0, i-window+1) .. i],
 * so the first points average over what is available. With `weights` (each
 * value's images), the mean is weighted: a last mini-batch of a few images
 * counts for those few, so it cannot pull the curve down on its own.
 */
export function movingAverage(values: readonly number[], window: number, weights?: readonly number[]): number[] {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`movingAverage: window must be a whole number >= 1, got ${window}`);
  const weight = (i: number): number => weights?.[i] ?? 1;
  const out: number[] = [];
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i] * weight(i);
    total += weight(i);
    if (i >= window) {
      sum -= values[i - window] * weight(i - window);
      total -= weight(i - window);
    }
    out.push(sum / total);
  }
  return out;
}

/** A window of about 1/20 of the run, between 1 and 200 iterations. */
export function smoothingWindow(iterations: number): number {
  return Math.max(1, Math.min(200, Math.round(iterations / 20)));
}

/** Indices of at most `max` evenly spaced points (always keeping the last), to keep long series light. */
export function thin(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const stride = count / max;
  const picked = Array.from({ length: max }, (_, i) => Math.floor(i * stride));
  if (picked[picked.length - 1] !== count - 1) picked.push(count - 1);
  return picked;
}

/**
 * Loss of every iteration (light) and its moving average (dark), with a rule
 * at each epoch's end. The average weighs each mini-batch by its images, and
 * a partial mini-batch (an epoch's last, with fewer images) gets no point of
 * its own: its loss, on a handful of images, says little.
 */
export function iterationLossSpec(iterations: readonly IterationRecord[], maxPoints = 2500): VegaLiteSpec {
  const window = smoothingWindow(iterations.length);
  const samples = iterations.map((r) => r.samples ?? 1);
  const full = Math.max(...samples);
  const smooth = movingAverage(
    iterations.map((r) => r.loss),
    window,
    samples,
  );
  const smoothLabel = `moving average (${window} iterations)`;
  const values = thin(iterations.length, maxPoints).flatMap((i) => [
    ...(samples[i] === full ? [{ step: iterations[i].step, loss: iterations[i].loss, series: 'per iteration' }] : []),
    { step: iterations[i].step, loss: smooth[i], series: smoothLabel },
  ]);
  // Single mini-batches can reach a loss of 1e-5; the axis stops at 1e-3 so the moving average keeps the room.
  const losses = values.map((v) => v.loss);
  const yDomain = [Math.max(1e-3, Math.min(...losses)), Math.max(...losses)];
  const epochEnds: { step: number }[] = [];
  for (let i = 0; i + 1 < iterations.length; i++) {
    if (iterations[i + 1].epoch !== iterations[i].epoch) epochEnds.push({ step: iterations[i].step });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training loss per iteration',
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values: epochEnds },
        mark: { type: 'rule', color: '#9aa5b1', strokeDash: [3, 3] },
        encoding: { x: { field: 'step', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'iteration' },
          y: { field: 'loss', type: 'quantitative', title: 'cross-entropy loss', scale: { type: 'log', domain: yDomain } },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: ['per iteration', smoothLabel], range: [COLORS.raw, COLORS.smooth] },
          },
        },
      },
    ],
  };
}

/** Mean training loss and validation loss per epoch. */
/** The epoch axis: ordinal, so one epoch is a centred point and every epoch gets a tick. */
const EPOCH_X = { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelAngle: 0 } };

/** A y domain around the values with a margin, so a flat series (or a single epoch) still reads well. */
export function paddedDomain(values: readonly number[], minMargin: number, upper = Infinity): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = Math.max((hi - lo) * 0.15, minMargin);
  return [Math.max(0, lo - margin), Math.min(upper, hi + margin)];
}

export function epochLossSpec(epochs: readonly EpochRecord[]): VegaLiteSpec {
  const values = epochs.flatMap((e) => [
    { epoch: e.epoch, loss: e.trainLoss, series: 'train' },
    { epoch: e.epoch, loss: e.valLoss, series: 'validation' },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Loss per epoch',
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2 },
    encoding: {
      x: EPOCH_X,
      y: {
        field: 'loss',
        type: 'quantitative',
        title: 'mean cross-entropy loss',
        scale: {
          domain: paddedDomain(
            values.map((v) => v.loss),
            0.01,
          ),
        },
        axis: { format: '.3~f' },
      },
      color: { field: 'series', type: 'nominal', scale: { domain: ['train', 'validation'], range: [COLORS.train, COLORS.validation] } },
      tooltip: [{ field: 'series' }, { field: 'epoch' }, { field: 'loss', format: '.4f' }],
    },
  };
}

/** Validation accuracy (percent) per epoch, labelled, and the training accuracy when the history has it. */
export function validationAccuracySpec(epochs: readonly EpochRecord[]): VegaLiteSpec {
  const values = epochs.flatMap((e) => [
    { epoch: e.epoch, accuracy: 100 * e.valAccuracy, series: 'validation' },
    ...(e.trainAccuracy === undefined ? [] : [{ epoch: e.epoch, accuracy: 100 * e.trainAccuracy, series: 'train (5,000 images)' }]),
  ]);
  const series = [...new Set(values.map((v) => v.series))];
  const encoding = {
    x: EPOCH_X,
    y: {
      field: 'accuracy',
      type: 'quantitative',
      title: 'accuracy (%)',
      scale: {
        domain: paddedDomain(
          values.map((v) => v.accuracy),
          0.1,
          100,
        ),
      },
      axis: { format: '.2~f' },
    },
    color: { field: 'series', type: 'nominal', scale: { domain: series, range: [COLORS.accuracy, COLORS.train] } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: series.length > 1 ? 'Training and validation accuracy per epoch' : 'Validation accuracy per epoch',
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    encoding,
    layer: [
      { mark: { type: 'line', strokeWidth: 2, point: { size: 50, filled: true } } },
      {
        transform: [{ filter: "datum.series === 'validation'" }],
        mark: { type: 'text', dy: -12, color: '#1c2530', fontSize: 11 },
        encoding: { text: { field: 'accuracy', type: 'quantitative', format: '.2f' } },
      },
    ],
  };
}

/** The learning rate of each epoch, on a log scale (it is multiplied by lrDecay after every epoch). */
export function learningRateSpec(epochs: readonly EpochRecord[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Learning rate per epoch',
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: epochs.map((e) => ({ epoch: e.epoch, lr: e.lr })) },
    mark: { type: 'line', interpolate: 'step', strokeWidth: 2, color: COLORS.smooth, point: { size: 50, filled: true, color: COLORS.smooth } },
    encoding: {
      x: EPOCH_X,
      y: { field: 'lr', type: 'quantitative', title: 'learning rate', scale: { type: 'log' }, axis: { format: '~g' } },
      tooltip: [{ field: 'epoch' }, { field: 'lr', format: '~g' }],
    },
  };
}

/**
 * The confusion matrix as a heat map: rows true class, columns predicted.
 * The diagonal (correct) and the off-diagonal cells (mistakes) have their own
 * colour scales, otherwise the few mistakes would vanish next to ~1,000
 * correct answers per class.
 */
export function confusionSpec(matrix: readonly (readonly number[])[]): VegaLiteSpec {
  const values = matrix.flatMap((row, t) =>
    row.map((count, p) => ({ true: String(t), predicted: String(p), count, kind: t === p ? 'correct' : 'mistake' })),
  );
  const classes = matrix.map((_, c) => String(c));
  const cell = 38;
  const axis = (title: string) => ({
    field: title,
    type: 'ordinal',
    sort: classes,
    title: `${title} class`,
    axis: { labelAngle: 0, ticks: false, domain: false },
  });
  const maxMistake = Math.max(1, ...values.filter((v) => v.kind === 'mistake').map((v) => v.count));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Confusion matrix (test set)',
    width: cell * classes.length,
    height: cell * classes.length,
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'right' } },
    data: { values },
    encoding: { x: { ...axis('predicted'), axis: { ...axis('predicted').axis, orient: 'top' } }, y: axis('true') },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'correct'" }],
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'greens', domainMin: 0 }, legend: { title: 'correct', gradientLength: 120 } },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'mistake'" }],
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            scale: { domain: [0, maxMistake], range: ['#fbfbfb', '#d9480f'] },
            legend: { title: 'mistakes', gradientLength: 120 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: "datum.kind === 'correct'", value: 'white' }, value: '#1c2530' },
          opacity: { condition: { test: 'datum.count === 0', value: 0.35 }, value: 1 },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/** The little of vega and vega-lite used here. */
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

/**
 * Both packages are ES modules only: a dynamic import() loads them from this
 * CommonJS file. The names are variables so that the type checker (and the
 * tests, which never render) do not need to resolve them.
 */
const VEGA = 'vega';
const VEGA_LITE = 'vega-lite';
let modules: Promise<[VegaModule, VegaLiteModule]> | undefined;

/** Compiles a Vega-Lite spec and renders it to an SVG string (headless, in Node). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  modules ??= Promise.all([import(VEGA) as Promise<VegaModule>, import(VEGA_LITE) as Promise<VegaLiteModule>]);
  const [vega, vegaLite] = await modules;
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
