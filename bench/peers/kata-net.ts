/**
 * tsx kata-net.ts '{"model": M, "data": DIR, "steps": N, "warmup": W, "inferBatch": B, "threads": T}'
 *
 * Network M, "lenet" (LeNet-5 of exercise 07) or "sheet" (the sheet network:
 * the default layers of exercise 06's classifier), in the kata's reference
 * classifier with the engine's fast layers (float64, NCHW), as
 * `npm run train -- --model M` runs it, trained by the classifier's own fit
 * (shuffled mini-batches, the divergence checks): W untimed then N timed
 * steps of batch 64 with Adam (lr 1e-3) on the first MNIST training images,
 * then predict on the 10,000 test images. The classifier predicts in its own
 * batches of 64, so B is not used here. The thread count comes from
 * KATA_THREADS (peers.mjs sets it). Prints the figures as one JSON line (see
 * peers.mjs).
 */
import { performance } from 'node:perf_hooks';
import { engineKit } from '../../engine';
import { loadMnist } from '../../lib/mnist';
import { sizeOf, Tensor } from '../../lib/tensor';
import { type ClassifierOptions, Scratch2dCNNClassifier } from '../../solutions/06-classifier/classifier';
import { lenetClassifier } from '../../solutions/07-lenet/lenet';

const BATCH = 64;
const args = JSON.parse(process.argv[2]) as { model: string; steps: number; warmup: number; threads: number };

if (args.model !== 'lenet' && args.model !== 'sheet') throw new Error(`kata-net.ts: model must be lenet or sheet, got ${JSON.stringify(args.model)}`);

/** Wall and CPU (all threads of the process) milliseconds of run(). */
function timed(run: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** Images first..first+count-1 of x, sharing its memory. */
function slice(x: Tensor, first: number, count: number): Tensor {
  return new Tensor([count, 1, 28, 28], x.data.subarray(first * 784, (first + count) * 784));
}

const train = loadMnist({ split: 'train', limit: BATCH * (args.warmup + args.steps) });
const test = loadMnist({ split: 'test' });
const options: ClassifierOptions = { kit: engineKit, optimizer: 'adam', lr: 1e-3, batchSize: BATCH, epochs: 1, seed: 0 };
// the classifier's default layers are the sheet network
const clf = args.model === 'lenet' ? lenetClassifier(options) : new Scratch2dCNNClassifier(options);
const parameters = clf.layers.flatMap((layer) => Object.values(layer.params ?? {})).reduce((n, p) => n + sizeOf(p.shape), 0);
const warm = BATCH * args.warmup;
clf.fit(slice(train.images, 0, warm), train.labels.subarray(0, warm));
const trainTime = timed(() => clf.fit(slice(train.images, warm, BATCH * args.steps), train.labels.subarray(warm)));

let correct = 0;
const inferTime = timed(() => {
  const predicted = clf.predict(test.images);
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === test.labels[i]) correct++;
});

console.log(
  JSON.stringify({
    system: 'kata reference',
    model: args.model,
    parameters,
    detail: 'solutions/ classifier, engine kit, float64',
    threads: args.threads,
    train: { images: BATCH * args.steps, ...trainTime },
    infer: { images: test.labels.length, ...inferTime, accuracy: correct / test.labels.length },
  }),
);
