/**
 * Loaded before every suite: registers the tensor matcher, lets lib's gemm
 * run on the engine's kernel (the same numbers, faster: the end-to-end
 * training tests take seconds instead of minutes), and configures
 * fast-check. Every failing property prints its seed and path; to replay one:
 *
 *   FC_SEED=<seed> FC_PATH=<path> npm test -- 01
 *   $env:FC_SEED=<seed>; $env:FC_PATH="<path>"; npm test -- 01    (PowerShell)
 */
import fc from 'fast-check';
import { installGemmBackend } from '../../engine/config';
import { tensorMatchers } from './matchers';
import { replayLine } from './replay';

expect.extend(tensorMatchers);
installGemmBackend();

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const path = process.env.FC_PATH;
fc.configureGlobal({
  numRuns: Number(process.env.FC_RUNS ?? 100),
  ...(seed === undefined ? {} : { seed }),
  ...(path === undefined ? {} : { path }),
  // A failure message should say the seed in words a learner can copy.
  reporter: (details) => {
    if (!details.failed) return;
    const base = fc.defaultReportMessage(details) ?? 'property failed';
    throw new Error(`${base}\n\n${replayLine(details.seed, details.counterexamplePath ?? '')}`);
  },
});
