/**
 * Whether a learner's suite runs far slower than the reference's, and why it
 * likely does. scripts/kata/reference-times.json holds, per exercise, the
 * seconds the reference's suite takes (jest's time for the test file: its
 * imports, hooks and tests, without jest's own start-up; 06 trains its model
 * in a beforeAll) and the calibration figure of the machine
 * that measured them (scripts/calibration.ts: nanoseconds per element of a
 * fixed loop). `npm run verify -- --write-reference-times` writes it from
 * verify's run of the solutions; that run shares the machine with verify's
 * other runs, so the figures err on the slow side and the sentence comes
 * late rather than wrongly.
 *
 * `kata check` scales the reference's seconds by this machine's calibration
 * against the measuring machine's, and says one sentence when every test
 * passed yet the tests took at least SLOW_FACTOR times that and at least
 * SLOW_MARGIN_SECONDS more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SuiteRun } from '../jest-run';
import { Exercise, repoRoot } from '../manifest';

export interface ReferenceTimes {
  /** scripts/calibration.ts on the machine that measured, in nanoseconds per element. */
  calibrationNs: number;
  /** Per exercise id: the seconds of the reference's suite. */
  seconds: Record<string, number>;
}

export const REFERENCE_TIMES_FILE = path.join(repoRoot, 'scripts', 'kata', 'reference-times.json');

/** How many times slower than the reference counts as far slower. */
export const SLOW_FACTOR = 3;
/** ... and by how many seconds at least (a suite of a second is not worth a sentence). */
export const SLOW_MARGIN_SECONDS = 5;

const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The shipped figures, or null when the file is missing or not of this shape (then nothing is said). */
export function readReferenceTimes(file = REFERENCE_TIMES_FILE): ReferenceTimes | null {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ReferenceTimes>;
    if (!isPositive(raw.calibrationNs) || typeof raw.seconds !== 'object' || raw.seconds === null) return null;
    if (!Object.values(raw.seconds).every(isPositive)) return null;
    return { calibrationNs: raw.calibrationNs, seconds: raw.seconds };
  } catch {
    return null;
  }
}

export function writeReferenceTimes(times: ReferenceTimes, file = REFERENCE_TIMES_FILE): void {
  fs.writeFileSync(file, `${JSON.stringify(times, null, 2)}\n`);
}

/** How long jest ran a test file, in seconds. */
export const suiteSeconds = (suite: SuiteRun): number => suite.durationMs / 1000;

/** The figures of a run of the reference's suites (those of `exercises` that ran with every test passing). */
export function referenceTimesOf(exercises: Exercise[], suites: SuiteRun[], calibrationNs: number): ReferenceTimes {
  const seconds: Record<string, number> = {};
  for (const e of exercises) {
    const suite = suites.find((s) => s.file === path.join(repoRoot, e.test));
    if (!suite || suite.failedToRun || suite.tests.length === 0 || suite.tests.some((t) => t.status !== 'passed')) continue;
    seconds[e.id] = Math.max(0.001, Math.round(suiteSeconds(suite) * 1000) / 1000);
  }
  return { calibrationNs: Math.round(calibrationNs * 1e4) / 1e4, seconds };
}

/**
 * One sentence, English then Japanese, when `tookSeconds` (every test of `id`
 * passed) is far above what the reference takes on this machine; else null.
 */
export function slownessSentence(
  id: string,
  tookSeconds: number,
  reference: ReferenceTimes | null,
  calibrationNs: number,
): { en: string; ja: string } | null {
  const measured = reference?.seconds[id];
  if (reference === null || measured === undefined || !isPositive(calibrationNs)) return null;
  const expected = measured * (calibrationNs / reference.calibrationNs);
  if (tookSeconds < SLOW_FACTOR * expected || tookSeconds - expected < SLOW_MARGIN_SECONDS) return null;
  const times = Math.round(tookSeconds / expected);
  const took = tookSeconds.toFixed(1);
  const ref = expected.toFixed(1);
  return {
    en:
      `The tests of ${id} took ${took} s, about ${times} times the ${ref} s the reference needs on this machine: ` +
      'likely per-element work outside lib’s helpers (a Number.isFinite or Math.* call for every value), ' +
      'an allocation in an inner loop (a new array or Tensor per value or per window), or a debug log in a loop.',
    ja:
      `${id} のテストに ${took} 秒かかりました。この環境で模範解答にかかる ${ref} 秒の約 ${times} 倍です。` +
      'lib のヘルパーを使わない要素ごとの処理（値ごとの Number.isFinite や Math.* の呼び出し）、' +
      '内側のループでのメモリ確保（値やウィンドウごとに新しい配列や Tensor を作る）、ループ内のデバッグ出力が主な原因として考えられます。',
  };
}
