/**
 * The two tiers' contract, layer by layer: every engine layer gives the
 * readable reference's numbers bit for bit (Object.is on every element of
 * the output, dx and each gradient), on the TypeScript kernel and on
 * WebAssembly with 1 and 2 threads. Small random problems from fast-check,
 * plus the real shapes of the networks (large enough for threads and the
 * WebAssembly loops to take over).
 */
import fc from 'fast-check';
import { closeEngineThreads, engineKit, setEngineConfig, type EngineConfig } from '../../engine';
import type { Layer, LayerKit } from '../../lib/layer';
import { Tensor } from '../../lib/tensor';
import { treeKit as reference } from '../../solutions/06-classifier/classifier';
import { convConfigArb, poolConfigArb, seededTensor, type ConvConfig } from '../helpers/arbitraries';

afterAll(() => closeEngineThreads());

const engine = engineKit as Pick<LayerKit, 'Conv2d' | 'MaxPool2D' | 'ReLU'>;

const SETTINGS: [string, EngineConfig][] = [
  ['TypeScript', { kernel: 'js', threads: 1 }],
  ['wasm, 1 thread', { kernel: 'wasm', threads: 1 }],
  ['wasm, 2 threads', { kernel: 'wasm', threads: 2 }],
];

function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.size; i++) {
    if (!Object.is(actual.data[i], expected.data[i])) {
      throw new Error(`${what}: element ${i} is ${actual.data[i]}, the reference gives ${expected.data[i]}`);
    }
  }
}

/** Forward and backward through both layers on the same x and dout; every result compared. */
function compare(fast: Layer, slow: Layer, x: Tensor, seed: number): void {
  const yFast = fast.forward(x);
  const ySlow = slow.forward(x);
  expectSameBits(yFast, ySlow, 'forward');
  const dout = seededTensor(ySlow.shape, seed + 1);
  expectSameBits(fast.backward(dout), slow.backward(dout), 'dx');
  for (const name of Object.keys(slow.grads ?? {})) expectSameBits(fast.grads![name], slow.grads![name], `grads.${name}`);
}

function convPair(c: ConvConfig): [Layer, Layer] {
  const options = { inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride, padding: c.padding, seed: c.seed };
  const fast = new engine.Conv2d(options);
  const slow = new reference.Conv2d(options);
  // A nonzero bias, the same in both, so the forward's addition is checked too.
  const b = seededTensor([c.outChannels], c.seed + 2);
  fast.params.b.data.set(b.data);
  slow.params.b.data.set(b.data);
  return [fast, slow];
}

/** Real shapes: the sheet network's and LeNet-5's layers on a batch of 16. */
const REAL_CONVS: ConvConfig[] = [
  { batch: 16, inChannels: 1, outChannels: 8, height: 28, width: 28, kernel: [3, 3], stride: [1, 1], padding: [1, 1], seed: 1 },
  { batch: 16, inChannels: 8, outChannels: 16, height: 14, width: 14, kernel: [3, 3], stride: [1, 1], padding: [1, 1], seed: 2 },
  { batch: 16, inChannels: 1, outChannels: 6, height: 28, width: 28, kernel: [5, 5], stride: [1, 1], padding: [2, 2], seed: 3 },
  { batch: 16, inChannels: 6, outChannels: 16, height: 14, width: 14, kernel: [5, 5], stride: [2, 1], padding: [0, 1], seed: 4 },
];

describe.each(SETTINGS)('engine layers against the readable reference, %s', (_name, config) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  it('Conv2d: the same output, dx, dW and db on random problems', () => {
    fc.assert(
      fc.property(convConfigArb(), (c) => {
        const [fast, slow] = convPair(c);
        compare(fast, slow, seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed), c.seed);
      }),
      { numRuns: 60 },
    );
  });

  it.each(REAL_CONVS.map((c) => [`${c.inChannels}->${c.outChannels} ${c.kernel.join('x')} on ${c.height}x${c.width}`, c] as const))(
    "Conv2d: the same bits on the networks' shape %s",
    (_label, c) => {
      const [fast, slow] = convPair(c);
      compare(fast, slow, seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed), c.seed);
    },
  );

  it('MaxPool2D: the same maxima and routed gradients, ties included, default stride included', () => {
    fc.assert(
      fc.property(poolConfigArb(), (c) => {
        const options = { kernelSize: c.kernel, stride: c.stride, padding: c.padding };
        // values from {-1, 0, 1}: many ties, which must go to the same cell
        const x = seededTensor([c.batch, c.channels, c.height, c.width], c.seed).map((v) => Math.round(v));
        compare(new engine.MaxPool2D(options), new reference.MaxPool2D(options), x, c.seed);
      }),
      { numRuns: 80 },
    );
    const x = seededTensor([16, 8, 28, 28], 5);
    compare(new engine.MaxPool2D({ kernelSize: 2 }), new reference.MaxPool2D({ kernelSize: 2 }), x, 5);
  });

  it('ReLU: the same output and dx, zeros of both signs included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 300 }), (seed, size) => {
        const x = seededTensor([size], seed).map((v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : v));
        const fast = new engine.ReLU();
        const slow = new reference.ReLU();
        expectSameBits(fast.forward(x), slow.forward(x), 'forward');
        const dout = seededTensor([size], seed + 1).map((v, i) => (i % 5 === 0 ? -0 : v));
        expectSameBits(fast.backward(dout), slow.backward(dout), 'dx');
      }),
    );
  });
});

describe('a first layer (inputGradient: false)', () => {
  it("the engine's Conv2d gives the reference's output and gradients, and zeros for the dx nobody reads", () => {
    const c = REAL_CONVS[0];
    const options = { inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride, padding: c.padding, seed: c.seed };
    const fast = new engine.Conv2d({ ...options, inputGradient: false });
    const slow = new reference.Conv2d(options);
    const x = seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed);
    expectSameBits(fast.forward(x), slow.forward(x), 'forward');
    const dout = seededTensor([c.batch, c.outChannels, c.height, c.width], c.seed + 1);
    slow.backward(dout);
    const dx = fast.backward(dout);
    expectSameBits(fast.grads.W, slow.grads.W, 'grads.W');
    expectSameBits(fast.grads.b, slow.grads.b, 'grads.b');
    expect(dx.shape).toEqual(x.shape);
    expect(dx.data.every((v) => v === 0)).toBe(true);
  });
});

describe('an empty batch (N = 0)', () => {
  it.each([
    ['the engine', { ...reference, ...engine }],
    ['the reference', reference],
  ] as const)("%s's pooling, ReLU and Flatten give empty outputs and an empty dx", (_name, kit) => {
    for (const layer of [new kit.MaxPool2D({ kernelSize: 2 }), new kit.AveragePool2D({ kernelSize: 2 }), new kit.ReLU(), new kit.Flatten()]) {
      const out = layer.forward(new Tensor([0, 3, 4, 4]));
      expect(out.size).toBe(0);
      expect(layer.backward(new Tensor(out.shape)).shape).toEqual([0, 3, 4, 4]);
    }
  });

  it.each([
    ['the engine', engine.Conv2d],
    ['the reference', reference.Conv2d],
  ] as const)("%s's Conv2d gives an empty output, an empty dx and zero gradients", (_name, Conv2d) => {
    const layer = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 });
    const out = layer.forward(new Tensor([0, 2, 5, 5]));
    expect(out.shape).toEqual([0, 3, 5, 5]);
    const dx = layer.backward(new Tensor([0, 3, 5, 5]));
    expect(dx.shape).toEqual([0, 2, 5, 5]);
    expect(Array.from(layer.grads.W.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(layer.grads.b.data)).toEqual([0, 0, 0]);
  });
});
