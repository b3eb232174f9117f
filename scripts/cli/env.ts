/**
 * The environment variables that choose the matrix-product kernel, checked
 * once when a command starts: a value that means nothing is one clear line,
 * not a silent fallback to the default.
 */
import { CommandError } from './command';

export const GEMM_KERNELS = ['js', 'wasm'] as const;

/** Throws a CommandError naming the variable, what it takes and what it holds. */
export function checkSpeedEnv(env: NodeJS.ProcessEnv = process.env): void {
  const gemm = env.KATA_GEMM;
  if (gemm !== undefined && gemm !== '' && !(GEMM_KERNELS as readonly string[]).includes(gemm)) {
    throw new CommandError(`KATA_GEMM must be ${GEMM_KERNELS.join(' or ')} (or unset), got "${gemm}"`);
  }
  const threads = env.KATA_THREADS;
  if (threads !== undefined && threads !== '' && !(/^\d+$/.test(threads.trim()) && Number(threads) >= 1 && Number(threads) <= 256)) {
    throw new CommandError(`KATA_THREADS must be a whole number from 1 to 256 (or unset), got "${threads}"`);
  }
}
