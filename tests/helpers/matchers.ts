/**
 * `expect(actual).toBeCloseTensor(expected, { atol, rtol, what })`: the one
 * matcher every suite uses to compare tensors. On failure it tells a learner
 * what went wrong and where:
 *
 *   dx of Conv2d (stride 2, padding 1): values differ
 *     shape     [2, 3, 5, 5]
 *     worst at  [1, 0, 4, 2]: expected 0.7312, got 0.3656 (|diff| 0.3656)
 *     tolerance |diff| <= 1e-9 + 1e-9 * |expected|   (37 of 150 elements outside)
 *
 * Element i passes when |actual_i - expected_i| <= atol + rtol * |expected_i|
 * (NumPy's allclose rule).
 */
import { KataInputError } from '../../lib/checks';
import { formatShape, Tensor } from '../../lib/tensor';

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** What is being compared, e.g. "forward output of MaxPool2D (kernel 2)". */
  what?: string;
}

/** Anything tensor-like: the tree under test may hand back its own object. */
interface TensorLike {
  shape: number[];
  data: ArrayLike<number>;
}

function isTensorLike(x: unknown): x is TensorLike {
  return typeof x === 'object' && x !== null && Array.isArray((x as TensorLike).shape) && (x as TensorLike).data !== undefined;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(8);
}

export function compareTensors(actual: unknown, expected: Tensor, options: CloseOptions = {}): { pass: boolean; message: string } {
  const { atol = 1e-9, rtol = 1e-9, what = 'tensor' } = options;
  if (!isTensorLike(actual)) {
    return { pass: false, message: `${what}: expected a Tensor of shape ${formatShape(expected.shape)}, got ${String(actual)}` };
  }
  const sameShape = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  if (!sameShape) {
    return {
      pass: false,
      message: `${what}: shapes differ\n  expected shape ${formatShape(expected.shape)}\n  got shape      ${formatShape(actual.shape)}`,
    };
  }
  if (actual.data.length !== expected.data.length) {
    return {
      pass: false,
      message: `${what}: data holds ${actual.data.length} values, shape ${formatShape(expected.shape)} needs ${expected.data.length}`,
    };
  }
  let worst = -1;
  let worstExcess = -Infinity;
  let outside = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const a = actual.data[i];
    const allowed = atol + rtol * Math.abs(e);
    const diff = Math.abs(a - e);
    // A finite expected value allows the tolerance (NaN in actual fails); an infinite or NaN one
    // must be matched exactly (otherwise |diff| = Infinity <= allowed = Infinity would let anything pass).
    const bad = Number.isFinite(e) ? !(diff <= allowed) : !Object.is(a, e);
    if (!bad) continue; // only a failing element can be reported as the worst one
    outside++;
    const excess = Number.isFinite(diff - allowed) ? diff - allowed : Infinity;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (outside === 0) {
    return { pass: true, message: `${what}: all ${expected.data.length} values within ${atol} + ${rtol} * |expected|` };
  }
  const index = expected.unravel(worst);
  const e = expected.data[worst];
  const a = actual.data[worst];
  const message = [
    `${what}: values differ`,
    `  shape     ${formatShape(expected.shape)}`,
    `  worst at  [${index.join(', ')}]: expected ${fmt(e)}, got ${fmt(a)} (|diff| ${fmt(Math.abs(a - e))})`,
    `  tolerance |diff| <= ${atol} + ${rtol} * |expected|   (${outside} of ${expected.data.length} elements outside)`,
  ].join('\n');
  return { pass: false, message };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeCloseTensor(expected: Tensor, options?: CloseOptions): R;
      /** The call throws a KataInputError whose message matches `message` (not any error: a stub's NotImplementedError fails it). */
      toThrowKataError(message: RegExp): R;
    }
  }
}

/** What a call threw, in a line: "NotImplementedError: ...", or that it threw nothing. */
function thrownText(thrown: unknown, threw: boolean): string {
  if (!threw) return 'no error';
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : `a thrown ${typeof thrown} (${String(thrown)})`;
}

export const tensorMatchers = {
  toBeCloseTensor(actual: unknown, expected: Tensor, options?: CloseOptions) {
    const { pass, message } = compareTensors(actual, expected, options);
    return { pass, message: () => message };
  },

  toThrowKataError(call: () => unknown, message: RegExp) {
    let thrown: unknown;
    let threw = false;
    try {
      call();
    } catch (error) {
      thrown = error;
      threw = true;
    }
    const pass = thrown instanceof KataInputError && message.test(thrown.message);
    return {
      pass,
      message: () =>
        pass
          ? `expected no KataInputError matching ${message}, got ${thrownText(thrown, threw)}`
          : `expected a KataInputError matching ${message}\ngot ${thrownText(thrown, threw)}`,
    };
  },
};
