/**
 * A model summary: each layer's output shape and parameter count, computed
 * from the layer descriptions alone (`LayerSpec[]`), like the table a
 * framework prints for a model. No weights are allocated, so a model with 138
 * million parameters (VGG16) is summarized in microseconds.
 *
 * Shapes are per sample: [C, H, W] for images, [F] after flatten.
 *
 *   conv2d, maxpool2d, avgpool2d   H_out = floor((H + 2P - F) / S) + 1 (same for W)
 *                                  (a stride that does not divide H + 2P - F: the
 *                                  leftover rows and columns are never seen, the
 *                                  output is floored as frameworks do)
 *   conv2d parameters              weights FH * FW * (C_in / groups) * C_out, biases C_out
 *   fc parameters                  weights F_in * F_out, biases F_out
 *   flatten                        [C, H, W] -> [C * H * W]
 *   relu, lrn, dropout             shape unchanged, no parameters
 *
 * An fc layer needs a flat input: the summary does NOT flatten implicitly
 * (the kata's FC layer takes [N, F]), so a missing flatten is reported as an
 * error that says where to add it.
 */
import { checkKernelFits, checkNonNegativeInt, checkPositiveInt, KataInputError, toPair, type Pair } from './checks';
import type { LayerSpec } from './model-spec';
import { formatShape, sizeOf, type Tensor } from './tensor';

/** One line of the summary: layer `index` of the spec list. */
export interface SummaryRow {
  /** Position in the spec list (0-based, the same index as `specs[index]` and a classifier's `layers[index]`). */
  index: number;
  /** A short description, e.g. "conv2d 6@5x5, pad 2" or "fc 120". */
  name: string;
  spec: LayerSpec;
  /** Per-sample shape entering the layer. */
  inputShape: number[];
  /** Per-sample shape leaving the layer. */
  outputShape: number[];
  weights: number;
  biases: number;
  /** weights + biases */
  params: number;
}

export interface ModelSummary {
  inputShape: number[];
  /** Shape of the last layer's output (the input shape for an empty model). */
  outputShape: number[];
  rows: SummaryRow[];
  totalWeights: number;
  totalBiases: number;
  totalParams: number;
}

const WHERE = 'summarize';

/** Computes every layer's output shape and parameter count. Throws KataInputError on a spec that cannot apply. */
export function summarize(specs: readonly LayerSpec[], inputShape: readonly number[]): ModelSummary {
  if (!Array.isArray(inputShape) || inputShape.length === 0) {
    throw new KataInputError(`${WHERE}: expected a per-sample input shape such as [C, H, W], got ${JSON.stringify(inputShape)}`);
  }
  inputShape.forEach((d, axis) => checkPositiveInt(WHERE, `inputShape[${axis}]`, d));

  const rows: SummaryRow[] = [];
  let shape = [...inputShape];
  specs.forEach((spec, index) => {
    const { outputShape, weights, biases } = applyLayer(spec, shape, `${WHERE}: specs[${index}] (${spec?.type})`);
    rows.push({ index, name: layerName(spec), spec, inputShape: shape, outputShape, weights, biases, params: weights + biases });
    shape = outputShape;
  });

  const totalWeights = rows.reduce((s, r) => s + r.weights, 0);
  const totalBiases = rows.reduce((s, r) => s + r.biases, 0);
  return { inputShape: [...inputShape], outputShape: shape, rows, totalWeights, totalBiases, totalParams: totalWeights + totalBiases };
}

/**
 * Summarizes a built classifier (exercise 06) from its layer descriptions
 * `specs`. `inputShape` defaults to the classifier's `settings.inputShape`
 * ([C, H, W]). Compare with `allocatedParams(clf.layers)` to check the layers
 * really hold what the summary counts.
 */
export function summarizeClassifier(
  clf: { readonly specs: readonly LayerSpec[]; readonly settings?: { readonly inputShape?: readonly number[] } },
  inputShape: readonly number[] | undefined = clf.settings?.inputShape,
): ModelSummary {
  if (inputShape === undefined) {
    throw new KataInputError(`${WHERE}: expected an input shape [C, H, W] (the classifier has no settings.inputShape), got undefined`);
  }
  return summarize(clf.specs, inputShape);
}

/** The number of values each real layer holds in `params` (0 for a layer without any): what was actually allocated. */
export function allocatedParams(layers: readonly { readonly params?: Readonly<Record<string, Tensor>> }[]): number[] {
  return layers.map((layer) => Object.values(layer.params ?? {}).reduce((s, t) => s + sizeOf(t.shape), 0));
}

/** The output shape and parameter counts of one layer given its per-sample input shape. */
function applyLayer(spec: LayerSpec, input: number[], where: string): { outputShape: number[]; weights: number; biases: number } {
  switch (spec?.type) {
    case 'conv2d': {
      const [channels] = expectImage(where, input);
      checkPositiveInt(where, 'outChannels', spec.outChannels);
      const groups = spec.groups ?? 1;
      checkPositiveInt(where, 'groups', groups);
      if (channels % groups !== 0 || spec.outChannels % groups !== 0) {
        throw new KataInputError(
          `${where}: expected groups to divide both the input channels (${channels}) and outChannels (${spec.outChannels}), got groups = ${groups}`,
        );
      }
      const [oh, ow] = windowOutput(where, input, spec.kernelSize, spec.stride ?? 1, spec.padding ?? 0);
      const [kh, kw] = toPair(where, 'kernelSize', spec.kernelSize);
      return { outputShape: [spec.outChannels, oh, ow], weights: kh * kw * (channels / groups) * spec.outChannels, biases: spec.outChannels };
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const [channels] = expectImage(where, input);
      // The stride of a pooling layer defaults to its kernel size (windows side by side).
      const [oh, ow] = windowOutput(where, input, spec.kernelSize, spec.stride ?? spec.kernelSize, spec.padding ?? 0);
      return { outputShape: [channels, oh, ow], weights: 0, biases: 0 };
    }
    case 'flatten':
      return { outputShape: [sizeOf(input)], weights: 0, biases: 0 };
    case 'fc': {
      if (input.length !== 1) {
        throw new KataInputError(`${where}: expected a flat input [F], got ${formatShape(input)}; add { type: 'flatten' } before this layer`);
      }
      checkPositiveInt(where, 'outFeatures', spec.outFeatures);
      return { outputShape: [spec.outFeatures], weights: input[0] * spec.outFeatures, biases: spec.outFeatures };
    }
    case 'lrn':
      if (spec.size !== undefined) checkPositiveInt(where, 'size', spec.size);
      return { outputShape: [...input], weights: 0, biases: 0 };
    case 'dropout':
      if (!(spec.rate >= 0 && spec.rate < 1)) {
        throw new KataInputError(`${where}: expected a dropout rate in [0, 1), got ${spec.rate}`);
      }
      return { outputShape: [...input], weights: 0, biases: 0 };
    case 'relu':
      return { outputShape: [...input], weights: 0, biases: 0 };
    default:
      throw new KataInputError(
        `${where}: expected a layer type conv2d, maxpool2d, avgpool2d, flatten, fc, relu, lrn or dropout, got ${JSON.stringify(spec)}`,
      );
  }
}

/** A conv or pooling layer needs an image [C, H, W]. */
function expectImage(where: string, input: number[]): [number, number, number] {
  if (input.length !== 3) {
    throw new KataInputError(`${where}: expected a per-sample image [C, H, W], got ${formatShape(input)}`);
  }
  return [input[0], input[1], input[2]];
}

const AXES = ['height', 'width'];

/**
 * Output height and width of a sliding window on an image [C, H, W]:
 * floor((N + 2P - F) / S) + 1 on each axis, after checking the sizes.
 */
export function windowOutput(where: string, input: number[], kernelSize: Pair, stride: Pair, padding: Pair): [number, number] {
  const kernel = toPair(where, 'kernelSize', kernelSize);
  const strides = toPair(where, 'stride', stride);
  const pads = toPair(where, 'padding', padding);
  kernel.forEach((f, axis) => checkPositiveInt(where, `kernel ${AXES[axis]}`, f));
  strides.forEach((s, axis) => checkPositiveInt(where, `stride ${AXES[axis]}`, s));
  pads.forEach((p, axis) => checkNonNegativeInt(where, `padding ${AXES[axis]}`, p));
  checkKernelFits(where, 'height', input[1], kernel[0], pads[0]);
  checkKernelFits(where, 'width', input[2], kernel[1], pads[1]);
  const size = (axis: 0 | 1): number => Math.floor((input[axis + 1] + 2 * pads[axis] - kernel[axis]) / strides[axis]) + 1;
  return [size(0), size(1)];
}

/** "5x5" for a kernel. */
function kernelText(value: Pair): string {
  const [h, w] = typeof value === 'number' ? [value, value] : value;
  return `${h}x${w}`;
}

/** "2" for a square stride or padding, "2x1" otherwise. */
function pairText(value: Pair): string {
  return typeof value === 'number' || value[0] === value[1] ? String(typeof value === 'number' ? value : value[0]) : kernelText(value);
}

function isZero(value: Pair | undefined): boolean {
  return value === undefined || pairText(value) === '0';
}

/** A short description of a layer for the summary table. */
export function layerName(spec: LayerSpec): string {
  switch (spec.type) {
    case 'conv2d': {
      const parts = [`conv2d ${spec.outChannels}@${kernelText(spec.kernelSize)}`];
      if (spec.stride !== undefined && pairText(spec.stride) !== '1') parts.push(`stride ${pairText(spec.stride)}`);
      if (!isZero(spec.padding)) parts.push(`pad ${pairText(spec.padding!)}`);
      if (spec.groups !== undefined && spec.groups !== 1) parts.push(`groups ${spec.groups}`);
      return parts.join(', ');
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const parts = [`${spec.type} ${kernelText(spec.kernelSize)}`];
      if (spec.stride !== undefined && pairText(spec.stride) !== pairText(spec.kernelSize)) parts.push(`stride ${pairText(spec.stride)}`);
      if (!isZero(spec.padding)) parts.push(`pad ${pairText(spec.padding!)}`);
      return parts.join(', ');
    }
    case 'fc':
      return `fc ${spec.outFeatures}`;
    case 'lrn':
      return spec.size === undefined ? 'lrn' : `lrn ${spec.size}`;
    case 'dropout':
      return `dropout ${spec.rate}`;
    default:
      return spec.type;
  }
}

/** 138357544 -> "138,357,544" (independent of the machine's locale). */
export function withThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes as "482.1 KiB", "527.8 MiB", "1.03 GiB". */
function bytesText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value >= 100 ? 1 : 2)} ${units[unit]}`;
}

/**
 * The summary as an aligned text table, like frameworks print:
 *
 *   #   Layer                 Output shape   Params
 *   -   input                 [1, 28, 28]         0
 *   0   conv2d 6@5x5, pad 2   [6, 28, 28]       156
 *   ...
 *   Total params: 61,706 (weights 61,496, biases 210)
 */
export function formatSummary(summary: ModelSummary, title?: string): string {
  const header = ['#', 'Layer', 'Output shape', 'Params'];
  const body = [
    ['', 'input', formatShape(summary.inputShape), ''],
    ...summary.rows.map((r) => [String(r.index), r.name, formatShape(r.outputShape), withThousands(r.params)]),
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  // Text columns align left, numbers right.
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 || c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('   ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((s, w) => s + w, 0) + 3 * (widths.length - 1));
  const lines = [
    ...(title ? [title] : []),
    rule,
    line(header),
    rule,
    ...body.map(line),
    rule,
    `Total params: ${withThousands(summary.totalParams)} (weights ${withThousands(summary.totalWeights)}, biases ${withThousands(summary.totalBiases)})`,
    `Parameter memory: ${bytesText(summary.totalParams * 4)} as float32, ${bytesText(summary.totalParams * 8)} as float64`,
  ];
  return lines.join('\n');
}
