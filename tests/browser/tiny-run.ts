/**
 * A small trained model for the browser tests, made in a few seconds: a
 * two-conv network trained on the first 2,000 MNIST training images, saved
 * as a run folder (model.bin, and a history.json listing the misclassified
 * digits among the first 500 test images, as npm run train would).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMnist } from '../../lib/mnist';
import type { LayerSpec } from '../../lib/model-spec';
import { Scratch2dCNNClassifier } from '../../solutions/06-classifier/classifier';

export const TINY_NETWORK: LayerSpec[] = [
  { type: 'conv2d', outChannels: 4, kernelSize: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'conv2d', outChannels: 8, kernelSize: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernelSize: 2 },
  { type: 'flatten' },
  { type: 'fc', outFeatures: 10 },
];

export interface TinyRun {
  dir: string;
  model: Scratch2dCNNClassifier;
  /** Test indices (among the first 500) the model gets wrong. */
  mistakes: number[];
}

export function trainTinyRun(): TinyRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-tiny-run-'));
  const train = loadMnist({ split: 'train', limit: 2000 });
  const model = new Scratch2dCNNClassifier({ layers: TINY_NETWORK, epochs: 3, lr: 0.003, seed: 1 });
  model.fit(train.images, train.labels);
  model.save(path.join(dir, 'model.bin'));
  const test = loadMnist({ split: 'test', limit: 500 });
  const predicted = model.predict(test.images);
  const mistakes = [...predicted.keys()].filter((i) => predicted[i] !== test.labels[i]);
  // As npm run train --tree solutions would say; no model name (this network is neither the sheet's nor LeNet-5) and no
  // start time (the page then dates the run by its model.bin).
  const history = {
    options: { tree: 'solutions' },
    test: { mistakes: mistakes.map((index) => ({ index, label: test.labels[index], predicted: predicted[index] })) },
  };
  fs.writeFileSync(path.join(dir, 'history.json'), JSON.stringify(history));
  return { dir, model, mistakes };
}
