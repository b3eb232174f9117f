/**
 * node tfjs-net.mjs '{"model": M, "data": DIR, "steps": N, "warmup": W, "inferBatch": B}'
 *
 * LeNet-5 (M "lenet") or the sheet network (M "sheet") in TensorFlow.js
 * 4.x on the WebAssembly backend (SIMD, one thread: the backend runs
 * multi-threaded only in browsers), float32, NHWC. Trains W untimed then N
 * timed steps of batch 64 with Adam (lr 1e-3) on the first MNIST training
 * images in order, then classifies the 10,000 test images in batches of B.
 * Prints the figures as one JSON line (see peers.mjs).
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

/**
 * He-normal weights (as the kata initialises its layers), zero biases. The
 * layers draw with seeds 1, 2, 3, ... in order: TensorFlow.js takes a seed of
 * 0 as none and draws a random one, which made every run start elsewhere.
 */
let seed = 0;
function layer(shape, fanIn) {
  seed += 1;
  return {
    W: tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed)),
    b: tf.variable(tf.zeros([shape[shape.length - 1]])),
  };
}
/** conv + bias + ReLU and matmul + bias + ReLU are TensorFlow.js's fused ops. */
const conv = (x, l, pad) => tf.fused.conv2d({ x, filter: l.W, strides: 1, pad, bias: l.b, activation: 'relu' });
const fc = (x, l, activation) => tf.fused.matMul({ a: x, b: l.W, bias: l.b, activation });
const pool = (x) => tf.maxPool(x, 2, 2, 'valid');

/** Each network: its layers' variables, and the logits [B, 10] of x [B, 28, 28, 1]. */
const MODELS = {
  // LeNet-5: conv 6@5x5 'same' (pad 2), ReLU, max pool 2, conv 16@5x5 'valid', ReLU,
  // max pool 2, fc 120, ReLU, fc 84, ReLU, fc 10
  lenet: () => {
    const [conv1, conv2] = [layer([5, 5, 1, 6], 25), layer([5, 5, 6, 16], 150)];
    const [fc1, fc2, fc3] = [layer([400, 120], 400), layer([120, 84], 120), layer([84, 10], 84)];
    const logits = (x) => {
      let h = pool(conv(x, conv1, 'same'));
      h = tf.reshape(pool(conv(h, conv2, 'valid')), [-1, 400]);
      h = fc(h, fc1, 'relu');
      h = fc(h, fc2, 'relu');
      return fc(h, fc3);
    };
    return { layers: [conv1, conv2, fc1, fc2, fc3], logits };
  },
  // the sheet network: conv 8@3x3 'same' (pad 1), ReLU, max pool 2, conv 16@3x3
  // 'same' (pad 1), ReLU, max pool 2, fc 100, ReLU, fc 10
  sheet: () => {
    const [conv1, conv2] = [layer([3, 3, 1, 8], 9), layer([3, 3, 8, 16], 72)];
    const [fc1, fc2] = [layer([784, 100], 784), layer([100, 10], 100)];
    const logits = (x) => {
      let h = pool(conv(x, conv1, 'same'));
      h = tf.reshape(pool(conv(h, conv2, 'same')), [-1, 784]);
      h = fc(h, fc1, 'relu');
      return fc(h, fc2);
    };
    return { layers: [conv1, conv2, fc1, fc2], logits };
  },
};
if (!Object.hasOwn(MODELS, args.model)) {
  throw new Error(`tfjs-net.mjs: model must be one of ${Object.keys(MODELS).join(', ')}, got ${JSON.stringify(args.model)}`);
}
const { layers, logits } = MODELS[args.model]();
const parameters = layers.reduce((sum, l) => sum + l.W.size + l.b.size, 0);

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
    model: args.model,
    parameters,
    detail: `tfjs ${tf.version_core}${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, float32, the bench's dW kernel`,
    note:
      "TensorFlow.js's wasm backend lacks Conv2DBackpropFilter (dW): the bench's\n" +
      `kernel (conv2d-backprop-filter.mjs) matches its CPU backend's to ${kernelError.toExponential(0)}.`,
    threads: 1,
    train: { images: BATCH * args.steps, ...trainTime },
    infer: { images: test.count, ...inferTime, accuracy: correct / test.count },
  }),
);
