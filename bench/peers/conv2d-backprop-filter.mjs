/**
 * Conv2DBackpropFilter for TensorFlow.js's WebAssembly backend, which has no
 * such kernel (4.22.0): the gradient of a convolution with respect to its
 * filter, dW, computed as another convolution by the backend's own Conv2D.
 *
 * For NHWC x [N, H, W, Ci], dy [N, OH, OW, Co] and stride 1:
 *
 *   dW[kh, kw, ci, co] = sum_{n, oh, ow} xpad[n, oh + kh, ow + kw, ci] * dy[n, oh, ow, co]
 *
 * which is Conv2D(x', f') with the batch and channel axes of x swapped,
 * x' = x^T [Ci, H, W, N], and dy as the filter, f' [OH, OW, N, Co], with the
 * forward pass's padding; its output [Ci, KH, KW, Co] is transposed back to
 * [KH, KW, Ci, Co]. That padding is TensorFlow.js's own for the forward
 * pass's shapes (top and left, bottom and right, from computeConv2DInfo), so
 * 'valid', 'same' and explicit padding all hold, whatever the filter's size:
 * LeNet-5's 5x5 convolutions ('same' then 'valid') and the sheet network's
 * 3x3 ones ('same', one pixel each side). A stride s > 1 would need the
 * filter dilated by s; neither network uses one, so the kernel refuses it
 * rather than compute it wrongly.
 */
import * as tf from '@tensorflow/tfjs';

export function registerConv2DBackpropFilter() {
  const conv2d = tf.getKernel('Conv2D', 'wasm').kernelFunc;
  const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      if (sh !== 1 || sw !== 1 || dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter (bench): supports stride 1 and NHWC, got strides ${strides}, ${dataFormat}`);
      }
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
      const { top, bottom, left, right } = info.padInfo;
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const product = conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: 1,
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: 1,
        },
      });
      const dW = transpose({ inputs: { x: product }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const t of [xT, dyT, product]) backend.disposeData(t.dataId);
      return dW;
    },
  });
}

/**
 * Checks the kernel against TensorFlow.js's CPU backend on the shapes of the
 * convolutions of LeNet-5 and of the sheet network (two each); returns the
 * largest relative difference.
 */
export async function checkConv2DBackpropFilter() {
  const cases = [
    // LeNet-5: conv 6@5x5 pad 2 on [28, 28, 1], conv 16@5x5 on [14, 14, 6]
    { x: [4, 28, 28, 1], dy: [4, 28, 28, 6], filter: [5, 5, 1, 6], pad: 'same' },
    { x: [4, 14, 14, 6], dy: [4, 10, 10, 16], filter: [5, 5, 6, 16], pad: 'valid' },
    // the sheet network: conv 8@3x3 pad 1 on [28, 28, 1], conv 16@3x3 pad 1 on [14, 14, 8]
    { x: [4, 28, 28, 1], dy: [4, 28, 28, 8], filter: [3, 3, 1, 8], pad: 'same' },
    { x: [4, 14, 14, 8], dy: [4, 14, 14, 16], filter: [3, 3, 8, 16], pad: 'same' },
  ];
  let worst = 0;
  for (const c of cases) {
    const x = tf.randomUniform(c.x, -1, 1, 'float32', 1);
    const dy = tf.randomUniform(c.dy, -1, 1, 'float32', 2);
    const xs = await x.data();
    const dys = await dy.data();
    const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const got = await tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs).data();
    await tf.setBackend('cpu');
    const want = await tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x: tf.tensor(xs, c.x), dy: tf.tensor(dys, c.dy) }, attrs)
      .data();
    await tf.setBackend('wasm');
    let scale = 0;
    for (const v of want) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  }
  return worst;
}
