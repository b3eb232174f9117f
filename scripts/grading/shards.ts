/**
 * Splitting a class across machines: `--shard K/N` grades the submissions
 * whose name hashes to K (of N), and `grade merge` rebuilds the whole class's
 * files from the shards' JSON reports, byte for byte what one run writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Exercise, loadManifest } from '../manifest';
import { readBoundedText } from './files';
import { graderFingerprint } from './fingerprint';
import { reportFileNames, SCORE_UNIT, SubmissionGrade } from './reports';

/** The shard (1..n) a submission belongs to: a hash of its name, the same on every machine. */
export function shardOf(name: string, n: number): number {
  return (crypto.createHash('sha256').update(name).digest().readUInt32BE(0) % n) + 1;
}

type Writer = (out: string, grades: SubmissionGrade[], exercises: Exercise[], excel: boolean) => void;

/** Reads every shard's reports and writes the class; returns the number of submissions. */
export function mergeShards(dirs: string[], out: string, excel: boolean, write: Writer): number {
  const grades: SubmissionGrade[] = [];
  for (const dir of dirs) {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`not a folder: ${dir}`);
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const file = path.join(dir, f);
      let g: SubmissionGrade;
      try {
        g = JSON.parse(readBoundedText(file, 64 * 1024 * 1024)) as SubmissionGrade;
      } catch (err) {
        throw new Error(`${file} is not a grade report: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      }
      const problem = reportProblem(g);
      if (problem) throw new Error(`${file} is not a valid grade report: ${problem}`);
      if (grades.some((x) => x.submission === g.submission)) throw new Error(`"${g.submission}" is in more than one shard`);
      grades.push(g);
    }
  }
  if (grades.length === 0) throw new Error(`no grade reports (*.json) in ${dirs.join(', ')}`);
  const ids = grades[0].exercises.map((e) => e.id).join(',');
  const other = grades.find((g) => g.exercises.map((e) => e.id).join(',') !== ids || g.fcSeed !== grades[0].fcSeed);
  if (other) throw new Error(`the shards were graded differently ("${other.submission}": other exercises or seed)`);
  const testsOf = (g: SubmissionGrade): string => JSON.stringify(g.tests.map((t) => [t.exercise, t.name, t.max_score]));
  const otherTests = grades.find((g) => testsOf(g) !== testsOf(grades[0]));
  if (otherTests) throw new Error(`the shards were graded differently ("${otherTests.submission}" and "${grades[0].submission}" list other tests)`);
  const exercises = loadManifest().exercises.filter((e) => ids.split(',').includes(e.id));
  // File names are made again from the names, never taken from a shard: nothing is written outside `out`.
  const names = reportFileNames(grades.map((g) => g.submission));
  write(
    out,
    grades.map((g) => ({ ...g, file: names.get(g.submission)! })),
    exercises,
    excel,
  );
  return grades.length;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** What is wrong with a shard's report (its shape, its exercises against the manifest, its scores against their maxima), or null. */
export function reportProblem(g: SubmissionGrade): string | null {
  if (!g || typeof g !== 'object' || g.version !== 2) return 'not version 2';
  if (g.grader !== graderFingerprint())
    return `graded by another version of the grader (${typeof g.grader === 'string' ? g.grader.slice(0, 16) : 'none'}; this one is ${graderFingerprint()}): grade every shard with the same copy of the kata`;
  if (typeof g.submission !== 'string' || g.submission.length === 0) return 'no submission name';
  if (!Array.isArray(g.exercises) || !Array.isArray(g.tests) || g.exercises.length === 0) return 'no exercises or tests';
  if (!Number.isInteger(g.fcSeed)) return 'no fast-check seed';
  const manifest = loadManifest().exercises;
  const seen = new Set<string>();
  let max = 0;
  for (const e of g.exercises) {
    const m = manifest.find((x) => x.id === e?.id);
    if (!m) return `an exercise this grader does not have (${String(e?.id)})`;
    if (seen.has(m.id)) return `${m.id} twice`;
    seen.add(m.id);
    if (e.maxScore !== m.points) return `${m.id}: maximum ${String(e.maxScore)}, the manifest says ${m.points}`;
    if (!finite(e.score) || e.score < 0 || e.score > m.points) return `${m.id}: score ${String(e.score)} outside 0..${m.points}`;
    max += m.points;
  }
  if (g.max_score !== max) return `maximum ${String(g.max_score)}, its exercises add up to ${max}`;
  let sum = 0;
  for (const t of g.tests) {
    if (!t || !seen.has(t.exercise)) return `a test of an exercise not in the report (${String(t?.exercise)})`;
    if (!finite(t.score) || !finite(t.max_score) || t.score < 0 || t.score > t.max_score + SCORE_UNIT)
      return `a test score outside its maximum in ${t.exercise}`;
    sum += t.score;
  }
  if (!finite(g.score) || g.score < 0 || g.score > max || Math.abs(g.score - sum) > 1e-6)
    return `score ${String(g.score)} is not the sum of its tests (${sum}) within 0..${max}`;
  return null;
}
