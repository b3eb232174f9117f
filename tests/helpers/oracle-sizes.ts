/**
 * Oracles for sizes and counts, written by counting rather than by formula,
 * so a test that compares a formula with them checks something:
 *
 *   - the output size of a sliding window: slide it and count the positions;
 *   - the parameters of a convolution: list every filter tap and every bias;
 *   - the receptive field of a stack: follow which input pixels reach one output.
 */

/**
 * How many windows of size `kernel` fit along an axis of `input` pixels with
 * `padding` zeros on each side, the window starting at the first padded pixel
 * and moving `stride` pixels at a time. A window that would stick out past
 * the last padded pixel is not counted.
 */
export function countWindowPositions(input: number, kernel: number, stride: number, padding: number): number {
  let count = 0;
  for (let start = -padding; start + kernel - 1 <= input - 1 + padding; start += stride) count++;
  return count;
}

/**
 * Counts the weights and biases of a convolution by listing them: for every
 * output channel m, every input channel k it is connected to and every tap
 * (s, t) of its kernel, one weight; then one bias per output channel. With
 * `groups` > 1, channels are split into that many consecutive blocks and
 * output channel m only sees the input channels of its own block.
 */
export function countConvParams(
  kernelH: number,
  kernelW: number,
  inChannels: number,
  outChannels: number,
  groups = 1,
): { weights: number; biases: number } {
  const outPerGroup = outChannels / groups;
  const inPerGroup = inChannels / groups;
  let weights = 0;
  let biases = 0;
  for (let m = 0; m < outChannels; m++) {
    const group = Math.floor(m / outPerGroup);
    for (let k = 0; k < inChannels; k++) {
      if (Math.floor(k / inPerGroup) !== group) continue;
      for (let s = 0; s < kernelH; s++) {
        for (let t = 0; t < kernelW; t++) weights++;
      }
    }
    biases++;
  }
  return { weights, biases };
}

/**
 * The receptive field of one output pixel of a stack of 1-D sliding windows
 * (stride and no padding), found by tracing: start from output position 0 of
 * the last layer and, going back layer by layer, collect every input position
 * that one of the collected positions reads (positions i*S + 0 .. i*S + F - 1).
 * Returns the width of the span of input pixels reached.
 */
export function traceReceptiveField(layers: readonly { kernel: number; stride?: number }[]): number {
  let positions = new Set<number>([0]);
  for (let l = layers.length - 1; l >= 0; l--) {
    const { kernel, stride = 1 } = layers[l];
    const reached = new Set<number>();
    for (const i of positions) {
      for (let t = 0; t < kernel; t++) reached.add(i * stride + t);
    }
    positions = reached;
  }
  return Math.max(...positions) - Math.min(...positions) + 1;
}
