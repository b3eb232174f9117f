/**
 * Input checks with the kata's standard error messages. Every message names
 * what was expected and what was given, so a learner (or a user of a layer)
 * can fix the call without reading the code.
 *
 * The tests match these messages, so layers should use these helpers rather
 * than writing their own wording.
 */
import { KataInputError } from './kata-input-error';
import { formatShape, Tensor } from './tensor';

export { KataInputError };

/** `x` must have `rank` axes. Message: "<where>: expected a rank-4 tensor [N, C, H, W], got rank 3 with shape [2, 3, 4]". */
export function checkRank(where: string, x: Tensor, rank: number, axes?: string): void {
  if (x.rank !== rank) {
    const layout = axes ? ` ${axes}` : '';
    throw new KataInputError(`${where}: expected a rank-${rank} tensor${layout}, got rank ${x.rank} with shape ${formatShape(x.shape)}`);
  }
}

/** One axis of `x` must have a given size (for example the channel axis). */
export function checkAxis(where: string, x: Tensor, axis: number, expected: number, what: string): void {
  if (x.shape[axis] !== expected) {
    throw new KataInputError(`${where}: expected ${what} = ${expected} (axis ${axis}), got ${x.shape[axis]} in shape ${formatShape(x.shape)}`);
  }
}

/** `x` must have exactly this shape (used for gradients flowing back). */
export function checkShape(where: string, x: Tensor, expected: readonly number[]): void {
  if (x.rank !== expected.length || x.shape.some((d, i) => d !== expected[i])) {
    throw new KataInputError(`${where}: expected shape ${formatShape(expected)}, got ${formatShape(x.shape)}`);
  }
}

/** Every element of `x` must be a finite number (no NaN, no Infinity). */
export function checkFinite(where: string, x: Tensor): void {
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new KataInputError(
        `${where}: expected finite values, got ${x.data[i]} at index [${x.unravel(i).join(', ')}] of shape ${formatShape(x.shape)}`,
      );
    }
  }
}

/** A size such as a channel count or a kernel size: a whole number >= 1. */
export function checkPositiveInt(where: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new KataInputError(`${where}: ${name} must be a whole number >= 1, got ${value}`);
  }
}

/** A real number that must be positive, such as a learning rate, an epsilon or a standard deviation. */
export function checkPositiveNumber(where: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new KataInputError(`${where}: ${name} must be a finite number > 0, got ${value}`);
  }
}

/** A padding: a whole number >= 0. */
export function checkNonNegativeInt(where: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new KataInputError(`${where}: ${name} must be a whole number >= 0, got ${value}`);
  }
}

/**
 * A sliding window must fit in the padded input along one axis: kernel <= input + 2 * padding.
 * Message: "<where>: expected a kernel height <= the padded input height 5 (input 3 + 2 * padding 1), got kernel height 7".
 * `axis` names the axis ("height", "width", or "size" for one dimension).
 */
export function checkKernelFits(where: string, axis: string, input: number, kernel: number, padding: number): void {
  const padded = input + 2 * padding;
  if (kernel > padded) {
    throw new KataInputError(
      `${where}: expected a kernel ${axis} <= the padded input ${axis} ${padded} (input ${input} + 2 * padding ${padding}), got kernel ${axis} ${kernel}`,
    );
  }
}

/** A value that is a number for both axes or a pair [h, w]. */
export type Pair = number | readonly [number, number];

/** Expands `3` to `[3, 3]` and checks a given pair has two entries. */
export function toPair(where: string, name: string, value: Pair): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (!Array.isArray(value) || value.length !== 2) {
    throw new KataInputError(`${where}: ${name} must be a number or a pair [h, w], got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/** Class labels: whole numbers in [0, classes). */
export function checkLabels(where: string, labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new KataInputError(`${where}: expected labels that are whole numbers in 0..${classes - 1}, got ${y} at index ${i}`);
    }
  }
}
