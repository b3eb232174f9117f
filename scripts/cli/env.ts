/**
 * The environment variables that choose the engine's matrix-product kernel
 * (KATA_GEMM, KATA_THREADS), checked once when a command starts: a value
 * that means nothing is one clear line before any work, not a stack trace
 * in the middle of it. The rules are the engine's own.
 */
import { configFromEnvironment } from '../../engine/config';
import { CommandError } from './command';

export function checkSpeedEnv(env: Record<string, string | undefined> = process.env): void {
  try {
    configFromEnvironment(env);
  } catch (err) {
    throw new CommandError((err as Error).message);
  }
}
