import {
  checkAxis,
  checkFinite,
  checkKernelFits,
  checkLabels,
  checkNonNegativeInt,
  checkPositiveInt,
  checkPositiveNumber,
  checkRank,
  checkShape,
  KataInputError,
  toPair,
} from '../../lib/checks';
import { Tensor } from '../../lib/tensor';

/** Runs fn, expects a KataInputError, returns its message. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KataInputError);
    expect((error as Error).name).toBe('KataInputError');
    return (error as Error).message;
  }
  throw new Error('expected a KataInputError, nothing was thrown');
}

describe('lib/checks: the standard messages', () => {
  it('KataInputError is an Error named KataInputError', () => {
    const e = new KataInputError('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('KataInputError');
    expect(e.message).toBe('x');
  });

  it('checkRank names the expected rank, the layout and what was given', () => {
    expect(messageOf(() => checkRank('Conv2d.forward', Tensor.zeros([2, 3, 4]), 4, '[N, C, H, W]'))).toBe(
      'Conv2d.forward: expected a rank-4 tensor [N, C, H, W], got rank 3 with shape [2, 3, 4]',
    );
    expect(messageOf(() => checkRank('FC.forward', Tensor.zeros([5]), 2))).toBe('FC.forward: expected a rank-2 tensor, got rank 1 with shape [5]');
    expect(() => checkRank('ok', Tensor.zeros([1, 1]), 2)).not.toThrow();
  });

  it('checkAxis names the axis, the expected and the given size', () => {
    expect(messageOf(() => checkAxis('Conv2d.forward', Tensor.zeros([2, 3, 4, 4]), 1, 1, 'channels'))).toBe(
      'Conv2d.forward: expected channels = 1 (axis 1), got 3 in shape [2, 3, 4, 4]',
    );
    expect(() => checkAxis('ok', Tensor.zeros([2, 3]), 1, 3, 'features')).not.toThrow();
  });

  it('checkShape names both shapes, also for a different rank', () => {
    expect(messageOf(() => checkShape('ReLU.backward', Tensor.zeros([2, 3]), [3, 2]))).toBe('ReLU.backward: expected shape [3, 2], got [2, 3]');
    expect(messageOf(() => checkShape('ReLU.backward', Tensor.zeros([6]), [2, 3]))).toBe('ReLU.backward: expected shape [2, 3], got [6]');
    expect(() => checkShape('ok', Tensor.zeros([2, 3]), [2, 3])).not.toThrow();
  });

  it('checkFinite names the bad value and its multi-index', () => {
    const x = Tensor.zeros([2, 2, 3]);
    x.set(NaN, 1, 0, 2);
    expect(messageOf(() => checkFinite('Layer.forward', x))).toBe('Layer.forward: expected finite values, got NaN at index [1, 0, 2] of shape [2, 2, 3]');
    x.set(0, 1, 0, 2);
    x.set(Infinity, 0, 1, 0);
    expect(messageOf(() => checkFinite('Layer.forward', x))).toBe(
      'Layer.forward: expected finite values, got Infinity at index [0, 1, 0] of shape [2, 2, 3]',
    );
    x.set(0, 0, 1, 0);
    expect(() => checkFinite('ok', x)).not.toThrow();
  });

  it('checkPositiveInt rejects 0, negatives, fractions and NaN', () => {
    expect(messageOf(() => checkPositiveInt('Conv2d', 'outChannels', 0))).toBe('Conv2d: outChannels must be a whole number >= 1, got 0');
    expect(messageOf(() => checkPositiveInt('Conv2d', 'stride', 1.5))).toBe('Conv2d: stride must be a whole number >= 1, got 1.5');
    expect(messageOf(() => checkPositiveInt('Conv2d', 'stride', -2))).toBe('Conv2d: stride must be a whole number >= 1, got -2');
    expect(messageOf(() => checkPositiveInt('Conv2d', 'stride', NaN))).toBe('Conv2d: stride must be a whole number >= 1, got NaN');
    expect(() => checkPositiveInt('ok', 'n', 1)).not.toThrow();
  });

  it('checkNonNegativeInt accepts 0 and rejects negatives and fractions', () => {
    expect(() => checkNonNegativeInt('ok', 'padding', 0)).not.toThrow();
    expect(messageOf(() => checkNonNegativeInt('Conv2d', 'padding', -1))).toBe('Conv2d: padding must be a whole number >= 0, got -1');
    expect(messageOf(() => checkNonNegativeInt('Conv2d', 'padding', 0.5))).toBe('Conv2d: padding must be a whole number >= 0, got 0.5');
  });

  it('checkPositiveNumber accepts finite numbers > 0 only', () => {
    expect(() => checkPositiveNumber('ok', 'lr', 1e-3)).not.toThrow();
    expect(messageOf(() => checkPositiveNumber('SGD', 'lr', 0))).toBe('SGD: lr must be a finite number > 0, got 0');
    expect(messageOf(() => checkPositiveNumber('SGD', 'lr', -0.1))).toBe('SGD: lr must be a finite number > 0, got -0.1');
    expect(messageOf(() => checkPositiveNumber('SGD', 'lr', Infinity))).toBe('SGD: lr must be a finite number > 0, got Infinity');
    expect(messageOf(() => checkPositiveNumber('SGD', 'lr', NaN))).toBe('SGD: lr must be a finite number > 0, got NaN');
  });

  it('checkKernelFits compares the kernel with the padded input and says how the padded size was made', () => {
    expect(() => checkKernelFits('ok', 'height', 3, 5, 1)).not.toThrow();
    expect(() => checkKernelFits('ok', 'width', 4, 4, 0)).not.toThrow();
    expect(messageOf(() => checkKernelFits('Conv2d.forward', 'height', 3, 7, 1))).toBe(
      'Conv2d.forward: expected a kernel height <= the padded input height 5 (input 3 + 2 * padding 1), got kernel height 7',
    );
  });

  it('toPair expands a number and passes a pair through', () => {
    expect(toPair('Conv2d', 'kernelSize', 3)).toEqual([3, 3]);
    expect(toPair('Conv2d', 'kernelSize', [2, 5])).toEqual([2, 5]);
    const bad = [1, 2, 3] as unknown as [number, number];
    expect(messageOf(() => toPair('Conv2d', 'kernelSize', bad))).toBe('Conv2d: kernelSize must be a number or a pair [h, w], got [1,2,3]');
    expect(messageOf(() => toPair('Conv2d', 'stride', 'two' as unknown as number))).toBe('Conv2d: stride must be a number or a pair [h, w], got "two"');
  });

  it('checkLabels names the range and the first bad label with its position', () => {
    expect(() => checkLabels('ok', [0, 9, 3], 10)).not.toThrow();
    expect(messageOf(() => checkLabels('Softmax', [0, 10, 3], 10))).toBe('Softmax: expected labels that are whole numbers in 0..9, got 10 at index 1');
    expect(messageOf(() => checkLabels('Softmax', new Float64Array([1, 2.5]), 3))).toBe(
      'Softmax: expected labels that are whole numbers in 0..2, got 2.5 at index 1',
    );
    expect(messageOf(() => checkLabels('Softmax', [-1], 3))).toBe('Softmax: expected labels that are whole numbers in 0..2, got -1 at index 0');
  });
});
