/**
 * lib/pool: the max pooling the reference MaxPool2D calls. The values must
 * be the brute-force oracle's, and each argmax the first cell (row-major) of
 * its window holding the maximum, exactly (Object.is), in TypeScript and in
 * WebAssembly on 1 or 2 threads. Values are drawn from a few integers so that
 * ties are common.
 */
import '../../engine'; // installs the engine's gemm backend
import fc from 'fast-check';
import { poolConfigArb } from '../helpers/arbitraries';
import { windowGeometry, type WindowGeometry } from '../../engine/kernels/im2col';
import { setEngineConfig } from '../../engine/config';
import { closeKernelThreads } from '../../engine/kernel-host';
import { maxPoolInto } from '../../engine/kernels/pool';
import { Rng } from '../../lib/random';
import { Tensor } from '../../lib/tensor';
import { maxPoolForward, maxPoolJacobian } from '../helpers/oracle-pool';

afterAll(() => closeKernelThreads());

const window = poolConfigArb({ maxKernel: 4, maxSize: 7 });

/** Values in {-2, -1, 0, 1, 2} (many ties). */
function smallIntegers(count: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: count }, () => rng.int(5) - 2);
}

function pool(x: Float64Array, g: WindowGeometry): { out: Float64Array; argmax: Int32Array } {
  const length = g.N * g.C * g.OH * g.OW;
  const out = new Float64Array(length).fill(99); // stale values must all be overwritten
  const argmax = new Int32Array(length).fill(-7);
  maxPoolInto(x, g, out, argmax);
  return { out, argmax };
}

describe.each([
  ['TypeScript', 'js', 1],
  ['WebAssembly on 1 thread', 'wasm', 1],
  ['WebAssembly on 2 threads', 'wasm', 2],
] as const)('maxPoolInto in %s', (_, kernel, threads) => {
  let previous: ReturnType<typeof setEngineConfig>;
  beforeAll(() => {
    previous = setEngineConfig({ kernel, threads });
  });
  afterAll(() => setEngineConfig(previous));

  it('gives the oracle maximum of every window, and the first cell holding it', () => {
    fc.assert(
      fc.property(window, (c) => {
        const shape = [c.batch, c.channels, c.height, c.width];
        const geometry = { kernel: c.kernel, stride: c.stride ?? c.kernel, padding: c.padding };
        const g = windowGeometry(shape, geometry.kernel, geometry.stride, geometry.padding);
        const x = new Tensor(
          shape,
          smallIntegers(
            shape.reduce((a, b) => a * b),
            c.seed,
          ),
        );
        const { out, argmax } = pool(x.data, g);
        expect(Array.from(out)).toEqual(Array.from(maxPoolForward(x, geometry).data));
        expect(Array.from(argmax)).toEqual(maxPoolJacobian(x, geometry).map((row) => row.indexOf(1)));
      }),
      { numRuns: 120 },
    );
  });

  it('pools a batch large enough to be split between threads like the TypeScript loops', () => {
    const g = windowGeometry([16, 8, 28, 28], [2, 2], [2, 2], [0, 0]);
    const x = smallIntegers(16 * 8 * 28 * 28, 5);
    const previousKernel = setEngineConfig({ kernel: 'js' });
    const expected = pool(x, g);
    setEngineConfig(previousKernel);
    const actual = pool(x, g);
    expect(actual.out).toEqual(expected.out);
    expect(actual.argmax).toEqual(expected.argmax);
  });
});

it('maxPoolInto rejects arrays of the wrong length, naming the lengths', () => {
  const g = windowGeometry([1, 1, 4, 4], [2, 2], [2, 2], [0, 0]);
  expect(() => maxPoolInto(new Float64Array(16), g, new Float64Array(4), new Int32Array(3))).toThrow(
    'maxPoolInto: expected x of 16 values and out and argmax of 4, got 16, 4 and 3',
  );
});
