import fc from 'fast-check';
import { formatShape, type Nested, sizeOf, Tensor } from '../../lib/tensor';

/** Small shapes of rank 0..4 (rank 0 is a scalar); sizes 0..3 include empty axes. */
const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 4 });

/** Nested arrays of the given shape filled with 0, 1, 2, ... in row-major order. */
function nestedCounting(shape: readonly number[]): Nested {
  let next = 0;
  const build = (axis: number): Nested => (axis === shape.length ? next++ : Array.from({ length: shape[axis] }, () => build(axis + 1)));
  return build(0);
}

describe('Tensor: construction', () => {
  it('validates data length against the shape', () => {
    expect(() => new Tensor([2, 3], [1, 2, 3])).toThrow('Tensor: shape [2, 3] needs 6 values, got 3');
  });

  it('rejects sizes that are negative or fractional', () => {
    expect(() => new Tensor([2, -1])).toThrow('Tensor: shape must hold whole numbers >= 0, got [2, -1]');
    expect(() => new Tensor([1.5])).toThrow('Tensor: shape must hold whole numbers >= 0, got [1.5]');
  });

  it('starts at zeros; keeps a given Float64Array (no copy) but copies a number[]', () => {
    expect(Array.from(new Tensor([2, 2]).data)).toEqual([0, 0, 0, 0]);
    const buffer = new Float64Array([1, 2, 3]);
    const shared = new Tensor([3], buffer);
    buffer[0] = 10;
    expect(shared.get(0)).toBe(10);
    const values = [1, 2, 3];
    const copied = new Tensor([3], values);
    values[0] = 10;
    expect(copied.get(0)).toBe(1);
  });

  it('keeps its own copy of the shape', () => {
    const shape = [2, 3];
    const t = new Tensor(shape);
    shape[0] = 5;
    expect(t.shape).toEqual([2, 3]);
  });

  it('zeros, full and zerosLike', () => {
    expect(Tensor.zeros([2, 3])).toBeCloseTensor(new Tensor([2, 3], [0, 0, 0, 0, 0, 0]), { atol: 0, rtol: 0 });
    expect(Tensor.full([3], 2.5)).toBeCloseTensor(new Tensor([3], [2.5, 2.5, 2.5]), { atol: 0, rtol: 0 });
    const like = Tensor.zerosLike(Tensor.full([2, 1, 2], 7));
    expect(like).toBeCloseTensor(new Tensor([2, 1, 2]), { atol: 0, rtol: 0 });
  });

  it('size, rank, strides and toString', () => {
    const t = new Tensor([2, 3, 4]);
    expect(t.size).toBe(24);
    expect(t.rank).toBe(3);
    expect(t.strides).toEqual([12, 4, 1]);
    expect(t.toString()).toBe('Tensor[2, 3, 4]');
    expect(new Tensor([]).size).toBe(1);
    expect(new Tensor([3, 0]).size).toBe(0);
  });
});

describe('Tensor: from / toNested', () => {
  it('round-trips nested arrays', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.get(1, 2)).toBe(6);
    expect(t).toBeCloseTensor(new Tensor([2, 3], [1, 2, 3, 4, 5, 6]));
  });

  it('a number is a rank-0 tensor (a scalar)', () => {
    const t = Tensor.from(7);
    expect(t.shape).toEqual([]);
    expect(t.toNested()).toBe(7);
  });

  it('from(nested).toNested() gives the nested arrays back, for any small shape', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const nested = nestedCounting(shape);
        const t = Tensor.from(nested);
        expect(t.toNested()).toEqual(nested);
        // An axis of size 0 hides the sizes after it: from() cannot see inside an empty array.
        const visible = shape.indexOf(0) === -1 ? shape : shape.slice(0, shape.indexOf(0) + 1);
        expect(t.shape).toEqual(visible);
      }),
    );
  });

  it('Tensor.from(t.toNested()) gives the same tensor back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer(), (shape, seed) => {
        const t = new Tensor(
          shape,
          Array.from({ length: sizeOf(shape) }, (_, k) => (k * 7919 + seed) % 101),
        );
        expect(Tensor.from(t.toNested())).toBeCloseTensor(t, { atol: 0, rtol: 0, what: `round trip of ${formatShape(shape)}` });
      }),
    );
  });

  it('rejects ragged arrays, saying where', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow('Tensor.from: ragged array: expected length 2 at root[1], got length 1');
    expect(() => Tensor.from([[1, 2], 3] as Nested)).toThrow('Tensor.from: ragged array: expected length 2 at root[1], got a number');
    expect(() => Tensor.from([1, [2]] as Nested)).toThrow('Tensor.from: expected a number at root[1], got an array');
  });
});

describe('Tensor: offset, unravel, get and set', () => {
  it('offset follows the row-major formula ((n*C + c)*H + h)*W + w', () => {
    const t = new Tensor([2, 3, 4, 5]);
    expect(t.offset([1, 2, 3, 4])).toBe(((1 * 3 + 2) * 4 + 3) * 5 + 4);
    expect(t.offset([0, 0, 0, 0])).toBe(0);
    expect(t.offset([1, 0, 2, 1])).toBe(((1 * 3 + 0) * 4 + 2) * 5 + 1);
  });

  it('unravel is the inverse of offset, and offset of unravel', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 })
          .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: sizeOf(shape) - 1 }))),
        ([shape, flat]) => {
          const t = new Tensor(shape);
          const index = t.unravel(flat);
          index.forEach((i, axis) => {
            expect(Number.isInteger(i) && i >= 0 && i < shape[axis]).toBe(true);
          });
          expect(t.offset(index)).toBe(flat);
          expect(t.unravel(t.offset(index))).toEqual(index);
        },
      ),
    );
  });

  it('offset uses the strides: flat = sum index[axis] * strides[axis]', () => {
    const t = new Tensor([3, 1, 4, 2]);
    for (let flat = 0; flat < t.size; flat++) {
      const index = t.unravel(flat);
      expect(index.reduce((s, i, axis) => s + i * t.strides[axis], 0)).toBe(flat);
    }
  });

  it('get and set read and write the element at a multi-index', () => {
    const t = new Tensor([2, 3]);
    t.set(5, 1, 2);
    t.set(-1, 0, 1);
    expect(t.get(1, 2)).toBe(5);
    expect(Array.from(t.data)).toEqual([0, -1, 0, 0, 0, 5]);
  });

  it('rejects an index with the wrong number of axes, out of range or fractional', () => {
    const t = new Tensor([2, 3]);
    expect(() => t.get(1)).toThrow('Tensor: index [1] has 1 axes, the tensor has 2');
    expect(() => t.get(2, 0)).toThrow('Tensor: index [2, 0] is outside shape [2, 3]');
    expect(() => t.get(0, -1)).toThrow('Tensor: index [0, -1] is outside shape [2, 3]');
    expect(() => t.set(1, 0, 0.5)).toThrow('Tensor: index [0, 0.5] is outside shape [2, 3]');
  });
});

describe('Tensor: reshape and the other operations', () => {
  it('reshape is a view: same data, new shape', () => {
    const t = new Tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const r = t.reshape([3, 2]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.get(2, 0)).toBe(5);
    r.set(60, 2, 1);
    expect(t.get(1, 2)).toBe(60);
  });

  it('reshape infers one -1 axis', () => {
    const t = new Tensor([2, 3, 4]);
    expect(t.reshape([-1]).shape).toEqual([24]);
    expect(t.reshape([2, -1]).shape).toEqual([2, 12]);
    expect(t.reshape([-1, 3, 2]).shape).toEqual([4, 3, 2]);
    expect(new Tensor([0, 5]).reshape([0, 5]).shape).toEqual([0, 5]);
  });

  it('reshape to any shape with the same size keeps the row-major order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (shape) => {
        const size = sizeOf(shape);
        const t = new Tensor(
          [size],
          Array.from({ length: size }, (_, k) => k),
        );
        const r = t.reshape(shape);
        expect(r.shape).toEqual(shape);
        expect(r.get(...r.unravel(size - 1))).toBe(size - 1);
        expect(Array.from(r.data)).toEqual(Array.from(t.data));
      }),
    );
  });

  it('reshape rejects sizes that do not match, saying both', () => {
    const t = new Tensor([2, 3]);
    expect(() => t.reshape([4, 2])).toThrow('Tensor.reshape: [2, 3] has 6 elements, [4, 2] needs 8');
    expect(() => t.reshape([4, -1])).toThrow('Tensor.reshape: cannot reshape [2, 3] to [4, -1]');
    expect(() => t.reshape([0, -1])).toThrow('Tensor.reshape: cannot reshape [2, 3] to [0, -1]');
  });

  it('clone is a deep copy', () => {
    const t = new Tensor([2], [1, 2]);
    const c = t.clone();
    c.data[0] = 9;
    expect(t.get(0)).toBe(1);
    expect(c.shape).toEqual([2]);
  });

  it('map applies a function to every element (with its flat index) into a new tensor', () => {
    const t = new Tensor([2, 2], [1, 2, 3, 4]);
    const m = t.map((v, i) => v * 10 + i);
    expect(m).toBeCloseTensor(new Tensor([2, 2], [10, 21, 32, 43]), { atol: 0, rtol: 0 });
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it('sum adds every element', () => {
    expect(new Tensor([2, 2], [1, 2, 3, -4.5]).sum()).toBe(1.5);
    expect(new Tensor([0]).sum()).toBe(0);
  });

  it('sizeOf and formatShape', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(formatShape([2, 3])).toBe('[2, 3]');
    expect(formatShape([])).toBe('[]');
  });
});

describe('Tensor invariants', () => {
  it('keeps its shape: a shape changed after construction would no longer describe data', () => {
    const t = new Tensor([2, 3]);
    expect(() => (t.shape[0] = 3)).toThrow(TypeError);
    expect(() => t.shape.push(1)).toThrow(TypeError);
    expect(t.shape).toEqual([2, 3]);
  });

  it('refuses more values than a tensor may hold, naming the shape and the limit, before allocating', () => {
    expect(() => new Tensor([8, 2 ** 31, 3, 3])).toThrowKataError(
      /Tensor: shape \[8, 2147483648, 3, 3\] holds 154618822656 values, more than the 268435456/,
    );
  });
});
