/**
 * Classification metrics: accuracy, the confusion matrix, and per-class
 * precision and recall.
 *
 * Labels are class indices 0..classes-1, given as any array-like of numbers
 * (number[], Int32Array, ...). `yTrue` holds the correct classes, `yPred` the
 * predicted ones, one entry per sample.
 */
import { checkLabels, checkPositiveInt, KataInputError } from './checks';

function checkSameLength(where: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length) {
    throw new KataInputError(`${where}: yTrue and yPred must have the same length, got ${yTrue.length} and ${yPred.length}`);
  }
}

/**
 * Fraction of samples whose prediction equals the true class:
 *
 *   accuracy = (1 / N) * #{ i : yTrue[i] = yPred[i] }
 *
 * Needs at least one sample (the accuracy of nothing is undefined).
 */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength('accuracy', yTrue, yPred);
  if (yTrue.length === 0) throw new KataInputError('accuracy: expected at least one sample, got 0');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * The confusion matrix M, a `classes` x `classes` table of counts:
 *
 *   M[t][p] = #{ i : yTrue[i] = t and yPred[i] = p }
 *
 * Rows are true classes, columns predicted classes; the diagonal counts the
 * correct predictions, so trace(M) / N is the accuracy and the sum of all
 * entries is N.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes = 10): number[][] {
  const where = 'confusionMatrix';
  checkPositiveInt(where, 'classes', classes);
  checkSameLength(where, yTrue, yPred);
  checkLabels(`${where} (yTrue)`, yTrue, classes);
  checkLabels(`${where} (yPred)`, yPred, classes);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]][yPred[i]]++;
  return matrix;
}

/**
 * Per-class precision and recall from a confusion matrix M (rows true,
 * columns predicted):
 *
 *   precision[c] = M[c][c] / sum_t M[t][c]   (of the samples predicted c, how many are c)
 *   recall[c]    = M[c][c] / sum_p M[c][p]   (of the samples that are c, how many were found)
 *
 * Convention: when the denominator is 0 (class c never predicted, or never
 * present) the value is defined as 0, as scikit-learn does by default.
 */
export function precisionRecall(matrix: readonly (readonly number[])[]): { precision: number[]; recall: number[] } {
  const where = 'precisionRecall';
  const k = matrix.length;
  if (k === 0) throw new KataInputError(`${where}: expected a non-empty square matrix, got 0 rows`);
  matrix.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== k) {
      const got = Array.isArray(row) ? `${row.length} columns` : typeof row;
      throw new KataInputError(`${where}: expected a square ${k}x${k} matrix, got ${got} in row ${r}`);
    }
    row.forEach((v, c) => {
      if (!Number.isFinite(v) || v < 0) {
        throw new KataInputError(`${where}: expected counts >= 0, got ${v} at [${r}][${c}]`);
      }
    });
  });
  const precision: number[] = [];
  const recall: number[] = [];
  for (let c = 0; c < k; c++) {
    let predictedC = 0;
    let actualC = 0;
    for (let other = 0; other < k; other++) {
      predictedC += matrix[other][c];
      actualC += matrix[c][other];
    }
    precision.push(predictedC === 0 ? 0 : matrix[c][c] / predictedC);
    recall.push(actualC === 0 ? 0 : matrix[c][c] / actualC);
  }
  return { precision, recall };
}
