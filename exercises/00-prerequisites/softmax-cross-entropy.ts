/**
 * Softmax and the cross-entropy loss, the last step of a classifier.
 *
 * Softmax turns the scores (logits) z of each row into probabilities:
 *
 *   p[n, k] = exp(z[n, k]) / sum_j exp(z[n, j])        z, p: [N, K]
 *
 * Adding a constant to a row does not change p, so subtract the row maximum
 * first: then every exponent is <= 0 and exp never overflows.
 *
 * Cross-entropy with class labels y[n] in 0..K-1, averaged over the batch:
 *
 *   L = (1/N) sum_n -log p[n, y[n]] = (1/N) sum_n ( logsumexp(z[n, :]) - z[n, y[n]] )
 *   logsumexp(z) = max(z) + log sum_j exp(z[j] - max(z))
 *
 * Use the second form: it never takes the log of a probability that rounded
 * to 0, so the loss stays finite even for logits such as +-1000.
 *
 * Gradient of L with respect to the logits (softmax and loss together):
 *
 *   dL/dz[n, k] = (p[n, k] - onehot(y[n])[k]) / N
 *
 * Bad input (KataInputError from lib/checks.ts):
 *   logits       checkRank(where, logits, 2, '[N, K]'), checkFinite(where, logits)
 *   labels       "SoftmaxCrossEntropy.forward: expected N labels (one per row of logits [N, K]), got M"
 *                when the count is wrong, then checkLabels(where, labels, K)
 *   no rows      "SoftmaxCrossEntropy.forward: expected at least one row of logits (the mean
 *                of no losses is undefined), got shape [0, K]"
 *   no rows      "SoftmaxCrossEntropy.forward: expected at least one row of logits (the mean
 *                of no losses is undefined), got shape [0, K]"
 *   backward     before any forward: "SoftmaxCrossEntropy.backward: call forward before backward"
 */
import { checkFinite, checkLabels, checkPositiveInt, checkRank, KataInputError } from '../../lib/checks';
import { NotImplementedError } from '../../lib/not-implemented';
import { formatShape, Tensor } from '../../lib/tensor';

/** logits [N, K] -> probabilities [N, K]; each row is positive and sums to 1. */
export function softmax(logits: Tensor): Tensor {
  throw new NotImplementedError('00-prerequisites', 'softmax');
}

/** Softmax followed by the mean cross-entropy loss against class labels. */
export class SoftmaxCrossEntropy {
  /**
   * logits [N, K], labels: N class indices in 0..K-1 -> the mean loss L (a number).
   * Keep the probabilities and labels for backward.
   */
  forward(logits: Tensor, labels: ArrayLike<number>): number {
    throw new NotImplementedError('00-prerequisites', 'SoftmaxCrossEntropy.forward');
  }

  /** The probabilities [N, K] computed by the last forward. */
  get probabilities(): Tensor {
    throw new NotImplementedError('00-prerequisites', 'SoftmaxCrossEntropy.probabilities');
  }

  /** dL/dlogits [N, K] = (p - onehot(labels)) / N, for the last forward. */
  backward(): Tensor {
    throw new NotImplementedError('00-prerequisites', 'SoftmaxCrossEntropy.backward');
  }
}
