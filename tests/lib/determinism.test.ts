/**
 * The determinism guarantee of the fast path, end to end: training the
 * reference classifier with the same seed gives the same weights and losses
 * bit for bit (Object.is), whichever kernel runs the products and the
 * im2col loops (plain TypeScript, or WebAssembly on 1 or 2 threads).
 *
 * Why it holds: every gemm kernel adds the products of each element in the
 * same order (tests/lib/matmul.test.ts), im2col only copies and col2im adds
 * each pixel's entries in the same order on any thread (tests/lib/im2col.test.ts),
 * and threads only decide which thread computes which rows or images.
 */
import { setGemmConfig, type GemmConfig } from '../../lib/matmul';
import { closeGemmThreads, wasmGemmStatus } from '../../lib/matmul-wasm';
import { loadMnist } from '../../lib/mnist';
import { Scratch2dCNNClassifier } from '../../solutions/06-classifier/classifier';
import { lenet5 } from '../../solutions/07-lenet/lenet';

afterAll(() => closeGemmThreads());

const data = loadMnist({ split: 'train', limit: 320 });

/** Every weight after one epoch of 5 batches of 64, and the loss of every iteration. */
function train(config: GemmConfig, network: 'sheet' | 'lenet'): { weights: Float64Array[]; losses: number[] } {
  const previous = setGemmConfig(config);
  try {
    const model = new Scratch2dCNNClassifier({ layers: network === 'lenet' ? lenet5() : undefined, batchSize: 64, epochs: 1, seed: 7 });
    model.fit(data.images, data.labels);
    const weights = model.layers.flatMap((layer) => Object.values(layer.params ?? {}).map((t) => Float64Array.from(t.data)));
    return { weights, losses: model.lossHistory };
  } finally {
    setGemmConfig(previous);
  }
}

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe.each(['sheet', 'lenet'] as const)('training the %s network with seed 7', (network) => {
  it('gives the same bits with the TypeScript kernel and with WebAssembly on 1 and 2 threads', () => {
    expect(wasmGemmStatus()).toEqual({ available: true, reason: '' }); // the comparison needs both kernels
    const reference = train({ kernel: 'js', threads: 1 }, network);
    for (const threads of [1, 2]) {
      const run = train({ kernel: 'wasm', threads }, network);
      expectSameBits(run.losses, reference.losses, `loss history, wasm on ${threads} thread(s)`);
      expect(run.weights.length).toBe(reference.weights.length);
      run.weights.forEach((w, i) => expectSameBits(w, reference.weights[i], `parameter tensor ${i}, wasm on ${threads} thread(s)`));
    }
  });
});
