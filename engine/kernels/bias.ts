/**
 * The bias gradient of a convolution, for the layer to call (exercise 01):
 *
 *   db[m] = sum of dout[n, m, p] over images n, then output pixels p, in that order
 *
 * As WebAssembly (../wasm/bias-kernel.ts: eight channels' sums at once,
 * groups of channels shared between threads) when dout lies in kernel
 * memory, else the plain loop below; the same bits either way.
 */
import { getEngineConfig } from '../config';
import { runKernel } from '../kernel-host';
import { kernelAddress, type Workspace } from '../kernel-memory';
import { BIAS_GRADIENT, BIAS_GROUP } from '../wasm/bias-kernel';

/** dout [N, M, P] -> db [M], written over every element; `workspace` holds the kernel's result. */
export function biasGradientInto(dout: Float64Array, N: number, M: number, P: number, db: Float64Array, workspace: Workspace): void {
  const { kernel, threads } = getEngineConfig();
  if (kernel === 'wasm' && kernelAddress(dout) >= 0 && N > 0) {
    const result = workspace.array('db', M);
    const groups = Math.ceil(M / BIAS_GROUP);
    if (kernelAddress(result) >= 0 && runKernel(BIAS_GRADIENT, [0, groups, N, M, P, kernelAddress(dout), kernelAddress(result)], threads)) {
      db.set(result);
      return;
    }
  }
  db.fill(0);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const from = (n * M + m) * P;
      let sum = db[m];
      for (let p = 0; p < P; p++) sum += dout[from + p];
      db[m] = sum;
    }
  }
}
