/**
 * Runs the mistake detectors of one exercise in a worker thread, so that
 * learner code that loops forever cannot hang the runner: the worker ends
 * after a time limit.
 */
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { repoRoot } from '../manifest';
import { Exercise } from '../manifest';
import { TREES } from '../trees';
import { detectMistakes } from './mistakes';
import { CachedResult } from './state';

interface Job {
  exercise: string;
  tree: string;
  ids: string[];
}

/** Starts the detectors; resolves with the ids that fire ([] on a timeout or crash). */
export function detectInWorker(job: Job, timeoutMs = 20_000): Promise<string[]> {
  if (job.ids.length === 0) return Promise.resolve([]);
  // An eval'd worker does not inherit tsx's require hook: register it again inside.
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs/api', { paths: [repoRoot] }))}).register();
require(${JSON.stringify(__filename)});`;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: job, stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve([]);
    }, timeoutMs);
    worker.once('message', (ids: string[]) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(ids);
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve([]);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve([]);
    });
  });
}

/**
 * The recognised mistakes in a result: the detectors (in a worker, with a
 * time limit) run only for the parts that are started and still failing,
 * since there is nothing to recognise elsewhere. Stored in the result.
 */
export async function recogniseMistakes(e: Exercise, tree: string, r: CachedResult): Promise<string[]> {
  const inProgress = new Set((r.parts ?? []).filter((p) => p.passed < p.total && !p.notStarted).map((p) => p.name));
  const candidates = e.mistakes.filter((m) => inProgress.has(m.part)).map((m) => m.id);
  r.mistakes = await detectInWorker({ exercise: e.id, tree, ids: candidates });
  return r.mistakes;
}

if (!isMainThread && parentPort && (workerData as Job | undefined)?.ids) {
  const job = workerData as Job;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the tree is chosen at run time
  const loader = (tree: string) => (file: string) => require(path.join(tree, job.exercise, file)) as Record<string, unknown>;
  parentPort.postMessage(detectMistakes(job.ids, loader(job.tree), loader(TREES.solutions.dir)));
}
