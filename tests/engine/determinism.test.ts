/**
 * The two tiers' contract, end to end: training the reference classifier
 * with the same seed gives the same weights and losses bit for bit
 * (Object.is) with the readable layers and lib's plain gemm, and with the
 * engine's layers on either kernel (plain TypeScript, or WebAssembly on 1
 * or 2 threads).
 *
 * Why it holds: every gemm kernel adds the products of each element in the
 * same order (tests/lib/matmul.test.ts), im2col only copies and col2im adds
 * each pixel's entries in the same order on any thread (tests/lib/im2col.test.ts),
 * and threads only decide which thread computes which rows or images.
 */
import { closeEngineThreads, engineKit, setEngineConfig, wasmGemmStatus, type EngineConfig } from '../../engine';
import { useGemmBackend } from '../../lib/matmul';
import { loadMnist } from '../../lib/mnist';
import { Scratch2dCNNClassifier } from '../../solutions/06-classifier/classifier';
import { lenet5 } from '../../solutions/07-lenet/lenet';

afterAll(() => closeEngineThreads());

const data = loadMnist({ split: 'train', limit: 320 });

/** Every weight after one epoch of 5 batches of 64, and the loss of every iteration. */
/**
 * Every weight after one epoch of 5 batches of 64, and the loss of every
 * iteration: with the engine's layers on `config`, or (config null) with the
 * readable layers and no gemm backend at all.
 */
function train(config: EngineConfig | null, network: 'sheet' | 'lenet'): { weights: Float64Array[]; losses: number[] } {
  const previous = config === null ? null : setEngineConfig(config);
  const backend = config === null ? useGemmBackend(null) : null;
  try {
    const model = new Scratch2dCNNClassifier({
      layers: network === 'lenet' ? lenet5() : undefined,
      kit: config === null ? {} : engineKit,
      batchSize: 64,
      epochs: 1,
      seed: 7,
    });
    model.fit(data.images, data.labels);
    const weights = model.layers.flatMap((layer) => Object.values(layer.params ?? {}).map((t) => Float64Array.from(t.data)));
    return { weights, losses: model.lossHistory };
  } finally {
    if (previous !== null) setEngineConfig(previous);
    if (backend !== null) useGemmBackend(backend);
  }
}

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe.each(['sheet', 'lenet'] as const)('training the %s network with seed 7', (network) => {
  it('gives the same bits with the readable layers as with the engine on TypeScript and on WebAssembly with 1 and 2 threads', () => {
    expect(wasmGemmStatus()).toEqual({ available: true, reason: '' }); // the comparison needs both kernels
    const reference = train(null, network);
    const runs: [string, EngineConfig][] = [
      ['engine on TypeScript', { kernel: 'js', threads: 1 }],
      ['engine on wasm, 1 thread', { kernel: 'wasm', threads: 1 }],
      ['engine on wasm, 2 threads', { kernel: 'wasm', threads: 2 }],
    ];
    for (const [name, config] of runs) {
      const run = train(config, network);
      expectSameBits(run.losses, reference.losses, `loss history, ${name}`);
      expect(run.weights.length).toBe(reference.weights.length);
      run.weights.forEach((w, i) => expectSameBits(w, reference.weights[i], `parameter tensor ${i}, ${name}`));
    }
  });
});
