import { Tensor } from '../../lib/tensor';

describe('Tensor', () => {
  it('validates data length against the shape', () => {
    expect(() => new Tensor([2, 3], [1, 2, 3])).toThrow('Tensor: shape [2, 3] needs 6 values, got 3');
  });
  it('round-trips nested arrays', () => {
    const t = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.get(1, 2)).toBe(6);
    expect(t).toBeCloseTensor(new Tensor([2, 3], [1, 2, 3, 4, 5, 6]));
  });
});
