/**
 * Softmax and the cross-entropy loss, the last step of a classifier.
 *
 * Softmax turns the scores (logits) z of each row into probabilities:
 *
 *   p[n, k] = exp(z[n, k]) / sum_j exp(z[n, j])        z, p: [N, K]
 *
 * Adding a constant to a row does not change p, so we subtract the row maximum
 * first: then every exponent is <= 0 and exp never overflows.
 *
 * Cross-entropy with class labels y[n] in 0..K-1, averaged over the batch:
 *
 *   L = (1/N) sum_n -log p[n, y[n]] = (1/N) sum_n ( logsumexp(z[n, :]) - z[n, y[n]] )
 *   logsumexp(z) = max(z) + log sum_j exp(z[j] - max(z))
 *
 * The second form never takes the log of a probability that rounded to 0, so
 * the loss stays finite even for logits such as +-1000.
 *
 * Gradient of L with respect to the logits (softmax and loss together):
 *
 *   dL/dz[n, k] = (p[n, k] - onehot(y[n])[k]) / N
 */
import { checkFinite, checkLabels, checkPositiveInt, checkRank, KataInputError } from '../../lib/checks';
import { formatShape, Tensor } from '../../lib/tensor';

/** Checks shared by softmax and the loss: logits must be a finite [N, K] with K >= 1. */
function checkLogits(where: string, logits: Tensor): void {
  checkRank(where, logits, 2, '[N, K]');
  checkPositiveInt(where, 'the number of classes K', logits.shape[1]);
  checkFinite(where, logits);
}

/** Largest value of row n of an [N, K] tensor. */
function rowMax(z: Tensor, n: number): number {
  const k = z.shape[1];
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, z.data[n * k + j]);
  return max;
}

/** logits [N, K] -> probabilities [N, K]; each row is positive and sums to 1. */
export function softmax(logits: Tensor): Tensor {
  checkLogits('softmax', logits);
  const [rows, k] = logits.shape;
  const p = new Tensor([rows, k]);
  for (let n = 0; n < rows; n++) {
    const max = rowMax(logits, n);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits.data[n * k + j] - max);
      p.data[n * k + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) p.data[n * k + j] /= sum;
  }
  return p;
}

/** Softmax followed by the mean cross-entropy loss against class labels. */
export class SoftmaxCrossEntropy {
  private p: Tensor | null = null;
  private labels: Int32Array | null = null;

  /**
   * logits [N, K], labels: N class indices in 0..K-1 -> the mean loss L (a number).
   * Keeps the probabilities and labels for backward.
   */
  forward(logits: Tensor, labels: ArrayLike<number>): number {
    checkLogits('SoftmaxCrossEntropy.forward', logits);
    const [rows, k] = logits.shape;
    if (labels.length !== rows) {
      throw new KataInputError(
        `SoftmaxCrossEntropy.forward: expected ${rows} labels (one per row of logits ${formatShape(logits.shape)}), got ${labels.length}`,
      );
    }
    checkLabels('SoftmaxCrossEntropy.forward', labels, k);
    if (rows === 0) {
      throw new KataInputError(
        `SoftmaxCrossEntropy.forward: expected at least one row of logits (the mean of no losses is undefined), got shape ${formatShape(logits.shape)}`,
      );
    }

    let total = 0;
    for (let n = 0; n < rows; n++) {
      const max = rowMax(logits, n);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(logits.data[n * k + j] - max);
      const logSumExp = max + Math.log(sum);
      total += logSumExp - logits.data[n * k + labels[n]];
    }
    this.p = softmax(logits);
    this.labels = Int32Array.from(labels);
    return total / rows;
  }

  /** The probabilities [N, K] computed by the last forward. */
  get probabilities(): Tensor {
    if (this.p === null) throw new KataInputError('SoftmaxCrossEntropy.probabilities: call forward first');
    return this.p;
  }

  /** dL/dlogits [N, K] = (p - onehot(labels)) / N, for the last forward. */
  backward(): Tensor {
    const p = this.p;
    const labels = this.labels;
    if (p === null || labels === null) {
      throw new KataInputError('SoftmaxCrossEntropy.backward: call forward before backward (no probabilities stored)');
    }
    const [rows, k] = p.shape;
    const d = p.clone();
    for (let n = 0; n < rows; n++) d.data[n * k + labels[n]] -= 1;
    for (let i = 0; i < d.size; i++) d.data[i] /= rows;
    return d;
  }
}
