/**
 * Adam's element loop in WebAssembly (engine/kernels/adam.ts) against lib's
 * TypeScript loop: the same theta, m and v bit for bit after several steps,
 * for odd and even lengths, one thread and two, zeros of both signs.
 */
import fc from 'fast-check';
import { closeEngineThreads, setEngineConfig, type EngineConfig } from '../../engine';
import { wasmAdamLoop } from '../../engine/kernels/adam';
import { allocKernelArray } from '../../engine/kernel-memory';
import type { ParametricLayer } from '../../lib/layer';
import { Adam, useAdamLoop } from '../../lib/optimizers';
import { Tensor } from '../../lib/tensor';
import { seededTensor } from '../helpers/arbitraries';

afterAll(() => closeEngineThreads());

/** A layer whose W and its gradient live in kernel memory (as the engine's layers keep them), or in ordinary arrays. */
function layerWith(values: Tensor, inKernel: boolean): ParametricLayer {
  const place = (t: Tensor): Tensor => {
    if (!inKernel) return new Tensor(t.shape, Float64Array.from(t.data));
    const data = allocKernelArray(t.size)!;
    data.set(t.data);
    return new Tensor(t.shape, data);
  };
  return { forward: (x) => x, backward: (d) => d, params: { W: place(values) }, grads: { W: place(values.map(() => 0)) } };
}

/** Runs `steps` Adam updates with the given loop (null: lib's TypeScript loop), each with its own gradient. */
function train(loop: typeof wasmAdamLoop | null, size: number, seed: number, steps: number): Float64Array {
  const previous = useAdamLoop(loop);
  try {
    const layer = layerWith(seededTensor([size], seed), loop !== null);
    const adam = new Adam({ lr: 0.01 });
    for (let t = 0; t < steps; t++) {
      // gradients with zeros of both signs among them
      layer.grads.W.data.set(seededTensor([size], seed + 1 + t).map((v, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? 0 : v)).data);
      adam.update(layer);
    }
    return Float64Array.from(layer.params.W.data);
  } finally {
    useAdamLoop(previous);
  }
}

describe.each([
  ['wasm, 1 thread', { kernel: 'wasm', threads: 1 }],
  ['wasm, 2 threads', { kernel: 'wasm', threads: 2 }],
] as [string, EngineConfig][])('the WebAssembly Adam loop, %s', (_name, config) => {
  let previous: EngineConfig;
  beforeAll(() => (previous = setEngineConfig(config)));
  afterAll(() => setEngineConfig(previous));

  it("gives the TypeScript loop's theta bit for bit after 5 steps, small sizes and sizes shared between threads", () => {
    const sizes = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 8190, max: 8200 }));
    fc.assert(
      fc.property(sizes, fc.nat(1000), (size, seed) => {
        const fast = train(wasmAdamLoop, size, seed, 5);
        const slow = train(null, size, seed, 5);
        for (let i = 0; i < size; i++) {
          if (!Object.is(fast[i], slow[i])) throw new Error(`theta[${i}] is ${fast[i]}, the TypeScript loop gives ${slow[i]}`);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('runs only when theta, g, m and v all lie in kernel memory, and leaves the others to the TypeScript loop', () => {
    const step = { beta1: 0.9, beta2: 0.999, lr: 0.01, eps: 1e-8, correction1: 0.1, correction2: 0.001 };
    const inKernel = () => wasmAdamLoop.moments(4);
    expect(wasmAdamLoop.run(inKernel(), inKernel(), inKernel(), inKernel(), step)).toBe(true);
    expect(wasmAdamLoop.run(new Float64Array(4), inKernel(), inKernel(), inKernel(), step)).toBe(false);
    expect(Array.from(wasmAdamLoop.moments(5))).toEqual([0, 0, 0, 0, 0]);
  });
});
