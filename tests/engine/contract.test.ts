/**
 * The two tiers' contract, layer by layer: every engine layer gives the
 * readable reference's numbers bit for bit (Object.is on every element of
 * the output, dx and each gradient), on the TypeScript kernel and on
 * WebAssembly with 1 and 2 threads. Small random problems from fast-check,
 * plus the real shapes of the networks (large enough for threads and the
 * WebAssembly loops to take over). Each runs twice: with x and dout in
 * ordinary arrays (what a caller gives), and in kernel memory (what one
 * engine layer hands the next, read there without a copy).
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { closeEngineThreads, engineKit, setEngineConfig, type EngineConfig } from '../../engine';
import type { Layer, LayerKit } from '../../lib/layer';
import { ELEMENT_THREAD_MIN } from '../../engine/kernels/finite';
import { allocKernelArray, freeKernelArray } from '../../engine/kernel-memory';
import { Tensor } from '../../lib/tensor';
import { treeKit as reference } from '../../solutions/06-classifier/classifier';
import { convConfigArb, poolConfigArb, seededTensor, type ConvConfig } from '../helpers/arbitraries';

afterAll(() => closeEngineThreads());

const engine = engineKit as Pick<LayerKit, 'Conv2d' | 'MaxPool2D' | 'ReLU' | 'FC'>;

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

/** Where the engine layer's inputs live. */
type Place = (t: Tensor) => Tensor;
const ordinary: Place = (t) => t;
/** A copy in kernel memory (freed by the next test's copies: each is read only within its test). */
const kernelCopies: Float64Array[] = [];
const inKernelMemory: Place = (t) => {
  const data = allocKernelArray(t.size);
  if (data === null) throw new Error('kernel memory is unavailable');
  kernelCopies.push(data);
  data.set(t.data);
  return new Tensor(t.shape, data);
};
afterEach(() => kernelCopies.splice(0).forEach(freeKernelArray));
const PLACES: [string, Place][] = [
  ['inputs in ordinary arrays', ordinary],
  ['inputs in kernel memory', inKernelMemory],
];

/** Forward and backward through both layers on the same x and dout; every result compared. */
function compare(fast: Layer, slow: Layer, x: Tensor, seed: number, place: Place): void {
  const ySlow = slow.forward(x);
  expectSameBits(fast.forward(place(x)), ySlow, 'forward');
  const dout = seededTensor(ySlow.shape, seed + 1).map((v, i) => (i % 13 === 0 ? -0 : v));
  expectSameBits(fast.backward(place(dout)), slow.backward(dout), 'dx');
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

const CASES = SETTINGS.flatMap(([name, config]) => PLACES.map(([where, place]) => [`${name}, ${where}`, config, place] as const));

describe.each(CASES)('engine layers against the readable reference, %s', (_name, config, place) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  it('Conv2d: the same output, dx, dW and db on random problems', () => {
    fc.assert(
      fc.property(convConfigArb(), (c) => {
        const [fast, slow] = convPair(c);
        compare(fast, slow, seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed), c.seed, place);
      }),
      { numRuns: 40 },
    );
  });

  it.each(REAL_CONVS.map((c) => [`${c.inChannels}->${c.outChannels} ${c.kernel.join('x')} on ${c.height}x${c.width}`, c] as const))(
    "Conv2d: the same bits on the networks' shape %s",
    (_label, c) => {
      const [fast, slow] = convPair(c);
      compare(fast, slow, seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed), c.seed, place);
    },
  );

  it('MaxPool2D: the same maxima and routed gradients, ties included, default stride included', () => {
    fc.assert(
      fc.property(poolConfigArb(), (c) => {
        const options = { kernelSize: c.kernel, stride: c.stride, padding: c.padding };
        // values from {-1, 0, 1}: many ties, which must go to the same cell
        const x = seededTensor([c.batch, c.channels, c.height, c.width], c.seed).map((v) => Math.round(v));
        compare(new engine.MaxPool2D(options), new reference.MaxPool2D(options), x, c.seed, place);
      }),
      { numRuns: 60 },
    );
    const x = seededTensor([16, 8, 28, 28], 5);
    compare(new engine.MaxPool2D({ kernelSize: 2 }), new reference.MaxPool2D({ kernelSize: 2 }), x, 5, place);
    // overlapping windows on a batch large enough for threads: one input can win several windows
    const ties = seededTensor([16, 8, 28, 28], 6).map((v) => Math.round(v));
    compare(
      new engine.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1 }),
      new reference.MaxPool2D({ kernelSize: 3, stride: 2, padding: 1 }),
      ties,
      6,
      place,
    );
  });

  it("FC: the same output, dx, dW and db on random problems and on the networks' shapes", () => {
    const fcPair = (inFeatures: number, outFeatures: number, seed: number): [Layer, Layer] => {
      const fast = new engine.FC({ inFeatures, outFeatures, seed });
      const slow = new reference.FC({ inFeatures, outFeatures, seed });
      const b = seededTensor([outFeatures], seed + 2);
      fast.params.b.data.set(b.data);
      slow.params.b.data.set(b.data);
      return [fast, slow];
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(1000),
        (batch, inF, outF, seed) => {
          const [fast, slow] = fcPair(inF, outF, seed);
          compare(fast, slow, seededTensor([batch, inF], seed), seed, place);
        },
      ),
      { numRuns: 40 },
    );
    for (const [inF, outF] of [
      [400, 120],
      [120, 84],
      [784, 100],
    ]) {
      const [fast, slow] = fcPair(inF, outF, inF);
      compare(fast, slow, seededTensor([64, inF], inF), inF, place);
    }
  });

  it('ReLU: the same output and dx, zeros of both signs included', () => {
    // sizes up to 300, and around the size from which both threads share the loop (odd ones included)
    const sizes = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: ELEMENT_THREAD_MIN - 3, max: ELEMENT_THREAD_MIN + 40 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), sizes, (seed, size) => {
        const x = seededTensor([size], seed).map((v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : v));
        const fast = new engine.ReLU();
        const slow = new reference.ReLU();
        expectSameBits(fast.forward(place(x)), slow.forward(x), 'forward');
        const dout = seededTensor([size], seed + 1).map((v, i) => (i % 5 === 0 ? -0 : v));
        expectSameBits(fast.backward(place(dout)), slow.backward(dout), 'dx');
      }),
      { numRuns: 40 },
    );
  });
});

describe.each(CASES)('a NaN or an infinity in the input, %s', (_name, config, place) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  it.each([NaN, Infinity, -Infinity])("%s: each engine layer refuses it with the reference's message", (bad) => {
    // large enough for the finite scan to run on both threads; the bad value near the end
    const x = seededTensor([8, 8, 28, 28], 7);
    x.data[x.size - 3] = bad;
    const flat = new Tensor([8, 8 * 28 * 28], x.data);
    const cases: [Layer, Layer, Tensor][] = [
      [new engine.ReLU(), new reference.ReLU(), x],
      [new engine.MaxPool2D({ kernelSize: 2 }), new reference.MaxPool2D({ kernelSize: 2 }), x],
      [new engine.Conv2d({ inChannels: 8, outChannels: 2, kernelSize: 3 }), new reference.Conv2d({ inChannels: 8, outChannels: 2, kernelSize: 3 }), x],
      [new engine.FC({ inFeatures: flat.shape[1], outFeatures: 3 }), new reference.FC({ inFeatures: flat.shape[1], outFeatures: 3 }), flat],
    ];
    for (const [fast, slow, input] of cases) {
      const message = (() => {
        try {
          slow.forward(input);
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error('the reference accepted a non-finite input');
      })();
      expect(() => fast.forward(place(input))).toThrowKataError(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });
});

describe.each(CASES)('a NaN or an infinity in dout, %s', (_name, config, place) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  // The engine has its own Conv2d, MaxPool2D, ReLU and FC; its networks use the reference's AveragePool2D and Flatten.
  const kits: [string, Partial<LayerKit>][] = [
    ['engine', engine],
    ['reference', reference],
  ];
  const layers: [keyof LayerKit, (kit: Partial<LayerKit>) => Layer, number[]][] = [
    ['ReLU', (kit) => new kit.ReLU!(), [8, 8, 28, 28]],
    ['MaxPool2D', (kit) => new kit.MaxPool2D!({ kernelSize: 2 }), [8, 8, 28, 28]],
    ['AveragePool2D', (kit) => new kit.AveragePool2D!({ kernelSize: 2 }), [8, 8, 28, 28]],
    ['Conv2d', (kit) => new kit.Conv2d!({ inChannels: 8, outChannels: 2, kernelSize: 3 }), [8, 8, 28, 28]],
    ['Flatten', (kit) => new kit.Flatten!(), [8, 8, 28, 28]],
    ['FC', (kit) => new kit.FC!({ inFeatures: 64, outFeatures: 3 }), [8, 64]],
  ];

  // lib/layer.ts: every backward refuses a non-finite dout, naming the layer, the value and where it is.
  it.each([NaN, Infinity, -Infinity])('%s: every layer of both tiers refuses it, naming the layer, the value and its index', (bad) => {
    for (const [layerName, make, inputShape] of layers) {
      for (const [tier, kit] of kits.filter(([, k]) => k[layerName] !== undefined)) {
        const layer = make(kit);
        const out = layer.forward(place(seededTensor(inputShape, 7)));
        const dout = seededTensor([...out.shape], 8);
        const at = dout.size - 3;
        dout.data[at] = bad;
        const index = dout.unravel(at).join(', ');
        const expected = `${layerName}.backward: expected finite values, got ${bad} at index [${index}] of shape [${out.shape.join(', ')}]`;
        let got = 'no error';
        try {
          layer.backward(tier === 'engine' ? place(dout) : dout);
        } catch (error) {
          got = `${(error as Error).name}: ${(error as Error).message}`;
        }
        expect({ tier, got }).toEqual({ tier, got: `KataInputError: ${expected}` });
      }
    }
  });
});

describe('what a caller may keep (lib/layer.ts)', () => {
  it("an engine layer's output stays intact while it is held, even after the layer itself was garbage-collected", async () => {
    // A collected workspace gives its blocks back; the output it handed out must keep it alive.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const out = new engine.ReLU().forward(inKernelMemory(seededTensor([4096], 8)));
    const expected = Array.from(out.data);
    for (let round = 0; round < 3; round++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve)); // finalizers run after the collection
      for (let i = 0; i < 20; i++) new engine.ReLU().forward(inKernelMemory(seededTensor([4096], 10 * round + i)));
    }
    expect(Array.from(out.data)).toEqual(expected);
  });
});

describe.each(SETTINGS)('a layer given its own result back as its next input, %s', (_name, config) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  const copy = (t: Tensor): Tensor => new Tensor(t.shape, Float64Array.from(t.data));
  const sameShape = (a: Tensor, b: Tensor): boolean => a.shape.join() === b.shape.join();
  const conv = { inChannels: 3, outChannels: 3, kernelSize: 3, padding: 1, seed: 4 };
  it.each([
    ['ReLU', () => [new engine.ReLU(), new reference.ReLU()], [4, 3, 9, 9]],
    ['MaxPool2D 1x1', () => [new engine.MaxPool2D({ kernelSize: 1 }), new reference.MaxPool2D({ kernelSize: 1 })], [4, 3, 9, 9]],
    [
      'MaxPool2D 2x2 (a smaller output each time)',
      () => [new engine.MaxPool2D({ kernelSize: 2 }), new reference.MaxPool2D({ kernelSize: 2 })],
      [4, 3, 16, 16],
    ],
    ['Conv2d 3 -> 3 channels, 3x3, padding 1', () => [new engine.Conv2d(conv), new reference.Conv2d(conv)], [4, 3, 9, 9]],
    [
      'Conv2d 3 -> 3 channels, 1x1',
      () => [new engine.Conv2d({ ...conv, kernelSize: 1, padding: 0 }), new reference.Conv2d({ ...conv, kernelSize: 1, padding: 0 })],
      [4, 3, 9, 9],
    ],
    [
      'FC 20 -> 20',
      () => [new engine.FC({ inFeatures: 20, outFeatures: 20, seed: 5 }), new reference.FC({ inFeatures: 20, outFeatures: 20, seed: 5 })],
      [6, 20],
    ],
  ] as [string, () => [Layer, Layer], number[]][])('%s: the bits of the reference given a copy', (_layer, make, shape) => {
    const [fast, slow] = make();
    const x = seededTensor(shape, 6).map((v, i) => (i % 9 === 0 ? -0 : v));
    const first = fast.forward(x);
    const firstSlow = slow.forward(x);
    expectSameBits(first, firstSlow, 'forward');
    // forward of its own output, then backward, then backward of its own dx where the shapes allow
    expectSameBits(fast.forward(first), slow.forward(copy(firstSlow)), 'forward of its own output');
    const dout = seededTensor(slow.forward(copy(firstSlow)).shape, 7);
    const dx = fast.backward(dout);
    const dxSlow = slow.backward(dout);
    expectSameBits(dx, dxSlow, 'dx');
    if (sameShape(dx, dout)) {
      expectSameBits(fast.backward(dx), slow.backward(copy(dxSlow)), 'backward of its own dx');
      for (const name of Object.keys(slow.grads ?? {})) expectSameBits(fast.grads![name], slow.grads![name], `grads.${name}`);
    }
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
