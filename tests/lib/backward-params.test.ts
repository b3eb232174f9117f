/**
 * The optional backwardParams of the layer contract (lib/layer.ts), as the
 * reference Conv2d implements it: the same grads as backward, bit for bit,
 * without computing dx (the classifier calls it for its first layer).
 */
import fc from 'fast-check';
import { convConfigArb, seededTensor } from '../../lib/arbitraries';
import { Tensor } from '../../lib/tensor';
import { Conv2d } from '../../solutions/01-conv2d/conv2d';
import { convOutputShape } from '../../solutions/02-output-size/output-size';

it('Conv2d.backwardParams fills exactly the grads that backward fills', () => {
  fc.assert(
    fc.property(convConfigArb({ maxBatch: 3 }), (c) => {
      const layer = new Conv2d({ inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride, padding: c.padding, seed: c.seed });
      const x = seededTensor([c.batch, c.inChannels, c.height, c.width], c.seed);
      const [OH, OW] = convOutputShape(c.height, c.width, c.kernel, c.stride, c.padding);
      const dout = seededTensor([c.batch, c.outChannels, OH, OW], c.seed + 1);
      layer.forward(x);
      layer.backward(dout);
      const W = Float64Array.from(layer.grads.W.data);
      const b = Float64Array.from(layer.grads.b.data);
      layer.grads.W.data.fill(NaN);
      layer.grads.b.data.fill(NaN);
      layer.forward(x);
      layer.backwardParams(dout);
      expect(Array.from(layer.grads.W.data)).toEqual(Array.from(W));
      expect(Array.from(layer.grads.b.data)).toEqual(Array.from(b));
    }),
    { numRuns: 60 },
  );
});

it('Conv2d.backwardParams checks like backward, naming itself', () => {
  const layer = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
  expect(() => layer.backwardParams(Tensor.zeros([1, 2, 2, 2]))).toThrow('Conv2d.backwardParams: call forward before backward');
  layer.forward(Tensor.zeros([1, 1, 4, 4]));
  expect(() => layer.backwardParams(Tensor.zeros([1, 2, 3, 3]))).toThrow(/^Conv2d\.backwardParams: .*\[1, 2, 2, 2\].*\[1, 2, 3, 3\]/);
});
