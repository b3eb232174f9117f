/**
 * Independent reference implementations for exercise 00, written straight
 * from the formulas and deliberately in a different shape from the
 * solutions: element access by multi-index, and the convolution as a scatter
 * over input positions instead of a gather over output positions.
 */
import { Tensor } from '../../lib/tensor';

/** A[n, j] = b[j] + sum_i X[n, i] W[i, j], one output element at a time. */
export function fcOracle(x: Tensor, W: Tensor, b: Tensor): Tensor {
  const [batch, inFeatures] = x.shape;
  const outFeatures = W.shape[1];
  const out = new Tensor([batch, outFeatures]);
  for (let j = 0; j < outFeatures; j++) {
    for (let n = 0; n < batch; n++) {
      let s = 0;
      for (let i = inFeatures - 1; i >= 0; i--) s += x.get(n, i) * W.get(i, j);
      out.set(s + b.get(j), n, j);
    }
  }
  return out;
}

/** max(x, 0) element-wise. */
export function reluOracle(x: Tensor): Tensor {
  return x.map((v) => Math.max(v, 0));
}

/**
 * Softmax straight from the definition, exp(z_k) / sum_j exp(z_j), without
 * the max shift: only valid for moderate logits (|z| < ~700).
 */
export function naiveSoftmax(z: Tensor): Tensor {
  const [rows, k] = z.shape;
  const p = new Tensor([rows, k]);
  for (let n = 0; n < rows; n++) {
    let denominator = 0;
    for (let j = 0; j < k; j++) denominator += Math.exp(z.get(n, j));
    for (let j = 0; j < k; j++) p.set(Math.exp(z.get(n, j)) / denominator, n, j);
  }
  return p;
}

/** Mean over rows of -log p[n, y[n]] with the naive softmax (moderate logits only). */
export function naiveCrossEntropy(z: Tensor, labels: ArrayLike<number>): number {
  const p = naiveSoftmax(z);
  let total = 0;
  for (let n = 0; n < z.shape[0]; n++) total -= Math.log(p.get(n, labels[n]));
  return total / z.shape[0];
}

/** Output length of a 1-D convolution, counted by sliding the window rather than by the formula. */
export function conv1dOutputLength(length: number, kernel: number, stride: number, padding: number): number {
  let count = 0;
  for (let start = 0; start + kernel <= length + 2 * padding; start += stride) count++;
  return count;
}

/**
 * a[n, m, i] = b[m] + sum_k sum_s x[n, k, i*S + s - P] w[m, k, s], computed as a
 * scatter: every input element x[n, k, p] adds x * w[m, k, s] to each output
 * i whose window covers it (i*S + s - P = p).
 */
export function conv1dOracle(x: Tensor, W: Tensor, b: Tensor, stride: number, padding: number): Tensor {
  const [batch, cIn, length] = x.shape;
  const [cOut, , kernel] = W.shape;
  const outLength = conv1dOutputLength(length, kernel, stride, padding);
  const out = new Tensor([batch, cOut, outLength]);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < cOut; m++) {
      for (let i = 0; i < outLength; i++) out.set(b.get(m), n, m, i);
    }
    for (let k = 0; k < cIn; k++) {
      for (let p = 0; p < length; p++) {
        const value = x.get(n, k, p);
        for (let s = 0; s < kernel; s++) {
          const shifted = p + padding - s; // = i * stride
          if (shifted < 0 || shifted % stride !== 0) continue;
          const i = shifted / stride;
          if (i >= outLength) continue;
          for (let m = 0; m < cOut; m++) out.set(out.get(n, m, i) + value * W.get(m, k, s), n, m, i);
        }
      }
    }
  }
  return out;
}
