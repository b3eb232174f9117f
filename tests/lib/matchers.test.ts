import { compareTensors, tensorMatchers } from '../helpers/matchers';
import { KataInputError } from '../../lib/checks';
import { NotImplementedError } from '../../lib/not-implemented';
import { Tensor } from '../../lib/tensor';

describe('toBeCloseTensor / compareTensors', () => {
  it('passes for equal tensors and within atol + rtol * |expected|', () => {
    const expected = new Tensor([2, 2], [1, -2, 100, 0]);
    expect(compareTensors(expected.clone(), expected).pass).toBe(true);
    // |diff| <= 1e-3 + 1e-2 * |expected|: 100 may move by 1.001, 0 by 0.001.
    const near = new Tensor([2, 2], [1.005, -2.01, 101, 0.0009]);
    expect(compareTensors(near, expected, { atol: 1e-3, rtol: 1e-2 }).pass).toBe(true);
    expect(near).toBeCloseTensor(expected, { atol: 1e-3, rtol: 1e-2 });
  });

  it('fails just outside the tolerance', () => {
    const expected = new Tensor([2], [0, 100]);
    expect(compareTensors(new Tensor([2], [0.0011, 100]), expected, { atol: 1e-3, rtol: 0 }).pass).toBe(false);
    expect(compareTensors(new Tensor([2], [0, 101.1]), expected, { atol: 0, rtol: 1e-2 }).pass).toBe(false);
    expect(new Tensor([2], [0, 101.1])).not.toBeCloseTensor(expected, { atol: 0, rtol: 1e-2 });
  });

  it('the failure message names the case, the shape, the worst index, expected vs actual and the tolerance', () => {
    const expected = new Tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const actual = new Tensor([2, 3], [1, 2.5, 3, 4, 5, 9]);
    const { pass, message } = compareTensors(actual, expected, { atol: 1e-6, rtol: 0, what: 'dx of MyLayer (stride 2)' });
    expect(pass).toBe(false);
    expect(message).toContain('dx of MyLayer (stride 2): values differ');
    expect(message).toContain('shape     [2, 3]');
    expect(message).toContain('worst at  [1, 2]: expected 6, got 9 (|diff| 3)');
    expect(message).toContain('tolerance |diff| <= 0.000001 + 0 * |expected|');
    expect(message).toContain('(2 of 6 elements outside)');
  });

  it('jest shows that message when the assertion fails', () => {
    const expected = new Tensor([1, 2], [0.25, 0.5]);
    expect(() => expect(new Tensor([1, 2], [0.25, 0.75])).toBeCloseTensor(expected, { what: 'forward of X' })).toThrow(
      /forward of X: values differ[\s\S]*worst at {2}\[0, 1\]: expected 0\.50000000, got 0\.75000000/,
    );
  });

  it('reports a shape mismatch with both shapes, even when the sizes agree', () => {
    const { pass, message } = compareTensors(new Tensor([3, 2]), new Tensor([2, 3]), { what: 'out' });
    expect(pass).toBe(false);
    expect(message).toBe('out: shapes differ\n  expected shape [2, 3]\n  got shape      [3, 2]');
  });

  it('reports something that is not a tensor', () => {
    const { pass, message } = compareTensors(undefined, new Tensor([2]), { what: 'dx' });
    expect(pass).toBe(false);
    expect(message).toBe('dx: expected a Tensor of shape [2], got undefined');
  });

  it('reports a data length that does not match the shape', () => {
    const fake = { shape: [2], data: [1, 2, 3] };
    expect(compareTensors(fake, new Tensor([2], [1, 2])).message).toBe('tensor: data holds 3 values, shape [2] needs 2');
  });

  it('accepts tensor-like objects with a plain array as data', () => {
    expect(compareTensors({ shape: [2], data: [1, 2] }, new Tensor([2], [1, 2])).pass).toBe(true);
  });

  it('NaN in actual fails (unless NaN is expected there too); equal infinities pass', () => {
    expect(compareTensors(new Tensor([2], [1, NaN]), new Tensor([2], [1, 2])).pass).toBe(false);
    expect(compareTensors(new Tensor([2], [1, NaN]), new Tensor([2], [1, NaN])).pass).toBe(true);
    expect(compareTensors(new Tensor([2], [Infinity, -Infinity]), new Tensor([2], [Infinity, -Infinity])).pass).toBe(true);
    expect(compareTensors(new Tensor([1], [Infinity]), new Tensor([1], [-Infinity])).pass).toBe(false);
  });

  it('an infinite expected value is matched only by the same infinity, whatever the tolerance', () => {
    const { pass, message } = compareTensors(new Tensor([2], [1, 5]), new Tensor([2], [1, Infinity]), { atol: 1e-3, rtol: 1e-3 });
    expect(pass).toBe(false);
    expect(message).toContain('worst at  [1]: expected Infinity, got 5');
    expect(compareTensors(new Tensor([1], [NaN]), new Tensor([1], [-Infinity])).pass).toBe(false);
    expect(compareTensors(new Tensor([1], [0]), new Tensor([1], [NaN])).pass).toBe(false);
  });

  it('the worst index is always an element that fails (an equal infinity elsewhere is not "worst")', () => {
    const { message } = compareTensors(new Tensor([3], [Infinity, 1, 2.5]), new Tensor([3], [Infinity, 1, 2]));
    expect(message).toContain('worst at  [2]: expected 2, got 2.5');
    expect(message).toContain('(1 of 3 elements outside)');
  });

  it('the worst index is the largest excess over the tolerance, not the first failure', () => {
    const { message } = compareTensors(new Tensor([3], [1.1, 2, 3.9]), new Tensor([3], [1, 2, 3]), { atol: 0.01, rtol: 0 });
    expect(message).toContain('worst at  [2]: expected 3, got 3.9000000');
  });

  it('the default tolerance is 1e-9 + 1e-9 * |expected|', () => {
    expect(compareTensors(new Tensor([1], [1 + 1.5e-9]), new Tensor([1], [1])).pass).toBe(true);
    expect(compareTensors(new Tensor([1], [1 + 3e-9]), new Tensor([1], [1])).pass).toBe(false);
  });
});

describe('toThrowKataError', () => {
  const { toThrowKataError } = tensorMatchers;

  it('passes only for a KataInputError whose message matches', () => {
    expect(
      toThrowKataError(() => {
        throw new KataInputError('f: expected 2, got 3');
      }, /expected 2, got 3/).pass,
    ).toBe(true);
  });

  it("fails for another error (a stub's NotImplementedError), a message that does not match, or no error, and says what it got", () => {
    const stub = toThrowKataError(() => {
      throw new NotImplementedError('01-conv2d', 'Conv2d.forward');
    }, /expected 2/);
    expect(stub.pass).toBe(false);
    expect(stub.message()).toMatch(/expected a KataInputError matching \/expected 2\/\ngot NotImplementedError: Not implemented yet: Conv2d\.forward/);
    expect(
      toThrowKataError(() => {
        throw new KataInputError('f: other');
      }, /expected 2/).pass,
    ).toBe(false);
    const none = toThrowKataError(() => 1, /expected 2/);
    expect(none.pass).toBe(false);
    expect(none.message()).toMatch(/got no error/);
  });
});
