/**
 * A minimal n-dimensional array: a shape and a row-major Float64Array.
 *
 * Row-major means the last axis varies fastest. For a shape [N, C, H, W]
 * (images are NCHW throughout the kata) the element (n, c, h, w) lives at
 *
 *   offset = ((n * C + c) * H + h) * W + w
 *
 * This is all the "NumPy" the kata gives you: layers read and write `data`
 * directly with loops, and use `shape` to know the sizes.
 */
import { KataInputError } from './kata-input-error';

export type Nested = number | Nested[];

/** The most values one tensor may hold: 2^28 float64 values, 2 GiB. */
export const MAX_TENSOR_SIZE = 2 ** 28;

export class Tensor {
  readonly shape: number[];
  readonly data: Float64Array;

  /**
   * @param shape sizes of each axis, whole numbers >= 0.
   * @param data  row-major values; its length must equal the product of the
   *              shape. Omitted: a tensor of zeros. A number[] is copied, a
   *              Float64Array is used as it is (no copy).
   */
  constructor(shape: readonly number[], data?: Float64Array | readonly number[]) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new RangeError(`Tensor: shape must hold whole numbers >= 0, got [${shape.join(', ')}]`);
      }
    }
    // Frozen: a shape changed after construction would no longer describe `data`.
    this.shape = Object.freeze([...shape]) as number[];
    const size = sizeOf(shape);
    if (size > MAX_TENSOR_SIZE) {
      throw new KataInputError(
        `Tensor: shape [${shape.join(', ')}] holds ${size} values, more than the ${MAX_TENSOR_SIZE} (2 GiB of float64) a tensor may hold; no network of the kata needs that many`,
      );
    }
    if (data === undefined) {
      this.data = new Float64Array(size);
    } else {
      if (data.length !== size) {
        throw new RangeError(`Tensor: shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
      }
      this.data = data instanceof Float64Array ? data : Float64Array.from(data);
    }
  }

  /** A tensor of zeros. */
  static zeros(shape: readonly number[]): Tensor {
    return new Tensor(shape);
  }

  /** A tensor with every element equal to `value`. */
  static full(shape: readonly number[], value: number): Tensor {
    const t = new Tensor(shape);
    t.data.fill(value);
    return t;
  }

  /** A tensor of the same shape as `other`, filled with zeros. */
  static zerosLike(other: Tensor): Tensor {
    return new Tensor(other.shape);
  }

  /**
   * Builds a tensor from nested arrays, e.g. `[[1, 2], [3, 4]]` -> shape [2, 2].
   * Every sub-array at one depth must have the same length.
   */
  static from(nested: Nested): Tensor {
    const shape: number[] = [];
    let probe: Nested = nested;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      probe = probe[0] ?? 0;
    }
    const values: number[] = [];
    const walk = (node: Nested, depth: number, where: string): void => {
      if (depth === shape.length) {
        if (typeof node !== 'number') throw new RangeError(`Tensor.from: expected a number at ${where}, got an array`);
        values.push(node);
        return;
      }
      if (!Array.isArray(node) || node.length !== shape[depth]) {
        const got = Array.isArray(node) ? `length ${node.length}` : 'a number';
        throw new RangeError(`Tensor.from: ragged array: expected length ${shape[depth]} at ${where}, got ${got}`);
      }
      node.forEach((child, i) => walk(child, depth + 1, `${where}[${i}]`));
    };
    walk(nested, 0, 'root');
    return new Tensor(shape, values);
  }

  /** Number of elements (the product of the shape). */
  get size(): number {
    return this.data.length;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Strides in elements: how far to move in `data` for +1 along each axis. */
  get strides(): number[] {
    const strides = new Array<number>(this.shape.length);
    let step = 1;
    for (let axis = this.shape.length - 1; axis >= 0; axis--) {
      strides[axis] = step;
      step *= this.shape[axis];
    }
    return strides;
  }

  /** Flat offset of a multi-index, checked against the shape. */
  offset(index: readonly number[]): number {
    if (index.length !== this.shape.length) {
      throw new RangeError(`Tensor: index [${index.join(', ')}] has ${index.length} axes, the tensor has ${this.shape.length}`);
    }
    let flat = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[axis]) {
        throw new RangeError(`Tensor: index [${index.join(', ')}] is outside shape [${this.shape.join(', ')}]`);
      }
      flat = flat * this.shape[axis] + i;
    }
    return flat;
  }

  /** Multi-index of a flat offset (the inverse of `offset`). */
  unravel(flat: number): number[] {
    const index = new Array<number>(this.shape.length);
    for (let axis = this.shape.length - 1; axis >= 0; axis--) {
      index[axis] = flat % this.shape[axis];
      flat = Math.floor(flat / this.shape[axis]);
    }
    return index;
  }

  /** The element at a multi-index: `t.get(n, c, h, w)`. */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  /** Writes the element at a multi-index: `t.set(value, n, c, h, w)`. */
  set(value: number, ...index: number[]): void {
    this.data[this.offset(index)] = value;
  }

  /**
   * The same data seen with another shape (no copy). One axis may be -1,
   * meaning "whatever makes the sizes match", as in NumPy.
   */
  reshape(shape: readonly number[]): Tensor {
    const free = shape.indexOf(-1);
    const resolved = [...shape];
    if (free >= 0) {
      const known = shape.reduce((p, d, i) => (i === free ? p : p * d), 1);
      if (known === 0 || this.size % known !== 0) {
        throw new RangeError(`Tensor.reshape: cannot reshape [${this.shape.join(', ')}] to [${shape.join(', ')}]`);
      }
      resolved[free] = this.size / known;
    }
    if (sizeOf(resolved) !== this.size) {
      throw new RangeError(`Tensor.reshape: [${this.shape.join(', ')}] has ${this.size} elements, [${shape.join(', ')}] needs ${sizeOf(resolved)}`);
    }
    return new Tensor(resolved, this.data);
  }

  /** A deep copy. */
  clone(): Tensor {
    return new Tensor(this.shape, this.data.slice());
  }

  /** A new tensor with `fn` applied to every element. */
  map(fn: (value: number, flat: number) => number): Tensor {
    const out = new Tensor(this.shape);
    for (let i = 0; i < this.data.length; i++) out.data[i] = fn(this.data[i], i);
    return out;
  }

  /** Nested arrays, the inverse of `Tensor.from` (handy in tests and prints). */
  toNested(): Nested {
    const build = (axis: number, base: number): Nested => {
      if (axis === this.shape.length) return this.data[base];
      const stride = this.strides[axis];
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, base + i * stride));
    };
    return build(0, 0);
  }

  /** Sum of all elements. */
  sum(): number {
    let s = 0;
    for (let i = 0; i < this.data.length; i++) s += this.data[i];
    return s;
  }

  toString(): string {
    return `Tensor[${this.shape.join(', ')}]`;
  }
}

/** Product of a shape's sizes (1 for the empty shape of a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** "[2, 3, 4]": how shapes are written in every message of the kata. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
