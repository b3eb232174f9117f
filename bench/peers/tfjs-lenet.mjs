/**
 * node tfjs-lenet.mjs '{"data": DIR, "steps": N, "warmup": W, "inferBatch": B}'
 *
 * LeNet-5 in TensorFlow.js 4.x on the WebAssembly backend (SIMD, one thread:
 * the backend runs multi-threaded only in browsers), float32, NHWC. Trains
 * W untimed then N timed steps of batch 64 with Adam (lr 1e-3) on the first
 * MNIST training images in order, then classifies the 10,000 test images in
 * batches of B. Prints the figures as one JSON line (see peers.mjs).
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { checkConv2DBackpropFilter, registerConv2DBackpropFilter } from './conv2d-backprop-filter.mjs';
import { loadMnist } from './mnist-idx.mjs';

const BATCH = 64;
const args = JSON.parse(process.argv[2]);

/** Wall and CPU (all threads of the process) milliseconds of run(). */
function timed(run) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

await tf.setBackend('wasm');
registerConv2DBackpropFilter();
const kernelError = await checkConv2DBackpropFilter();
if (!(kernelError < 1e-4)) throw new Error(`Conv2DBackpropFilter (bench) differs from the CPU backend: relative error ${kernelError}`);

/** He-normal weights (as the kata initialises its layers), zero biases. */
function layer(shape, fanIn) {
  return {
    W: tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', 0)),
    b: tf.variable(tf.zeros([shape[shape.length - 1]])),
  };
}
const conv1 = layer([5, 5, 1, 6], 25);
const conv2 = layer([5, 5, 6, 16], 150);
const fc1 = layer([400, 120], 400);
const fc2 = layer([120, 84], 120);
const fc3 = layer([84, 10], 84);

/** Logits [B, 10] of x [B, 28, 28, 1]; conv + bias + ReLU and matmul + bias + ReLU are TensorFlow.js's fused ops. */
function logits(x) {
  let h = tf.fused.conv2d({ x, filter: conv1.W, strides: 1, pad: 'same', bias: conv1.b, activation: 'relu' });
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.fused.conv2d({ x: h, filter: conv2.W, strides: 1, pad: 'valid', bias: conv2.b, activation: 'relu' });
  h = tf.reshape(tf.maxPool(h, 2, 2, 'valid'), [-1, 400]);
  h = tf.fused.matMul({ a: h, b: fc1.W, bias: fc1.b, activation: 'relu' });
  h = tf.fused.matMul({ a: h, b: fc2.W, bias: fc2.b, activation: 'relu' });
  return tf.fused.matMul({ a: h, b: fc3.W, bias: fc3.b });
}

const train = loadMnist(args.data, 'train', BATCH * (args.warmup + args.steps));
const test = loadMnist(args.data, 'test', 10000);
const adam = tf.train.adam(1e-3);

function step(s) {
  const first = (s * BATCH) % (train.count - BATCH + 1);
  tf.tidy(() => {
    const x = tf.tensor4d(train.images.subarray(first * 784, (first + BATCH) * 784), [BATCH, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(train.labels.subarray(first, first + BATCH), 'int32'), 10);
    adam.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)));
  });
}

for (let s = 0; s < args.warmup; s++) step(s);
const trainTime = timed(() => {
  for (let s = 0; s < args.steps; s++) step(args.warmup + s);
});

let correct = 0;
const inferTime = timed(() => {
  for (let first = 0; first < test.count; first += args.inferBatch) {
    const count = Math.min(args.inferBatch, test.count - first);
    const predicted = tf.tidy(() =>
      tf.argMax(logits(tf.tensor4d(test.images.subarray(first * 784, (first + count) * 784), [count, 28, 28, 1])), 1).dataSync(),
    );
    for (let i = 0; i < count; i++) if (predicted[i] === test.labels[first + i]) correct++;
  }
});

console.log(
  JSON.stringify({
    system: 'TensorFlow.js wasm',
    detail: `tfjs ${tf.version_core}${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, float32, the bench's dW kernel`,
    note:
      "TensorFlow.js's wasm backend lacks Conv2DBackpropFilter (dW): the bench's\n" +
      `kernel (conv2d-backprop-filter.mjs) matches its CPU backend's to ${kernelError.toExponential(0)}.`,
    threads: 1,
    train: { images: BATCH * args.steps, ...trainTime },
    infer: { images: test.count, ...inferTime, accuracy: correct / test.count },
  }),
);
