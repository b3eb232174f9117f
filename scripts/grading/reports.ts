/**
 * What `npm run grade` writes: one JSON and one Markdown report per
 * submission, class.csv, and GitHub Classroom's reporter format.
 * Every function here is pure (the same grades give the same bytes), which is
 * what lets `grade merge` rebuild a sharded class exactly.
 */
import crypto from 'node:crypto';
import { Exercise } from '../manifest';
import { ExerciseStatus } from './verdict';

export interface TestGrade {
  exercise: string;
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  max_score: number;
  message: string;
}

export interface ExerciseGrade {
  id: string;
  status: ExerciseStatus;
  passed: number;
  /** Number of tests, or null when the suite did not run. */
  total: number | null;
  /** points * passed / total, to a multiple of SCORE_UNIT (the sum of the tests' scores). */
  score: number;
  maxScore: number;
  message: string;
  /** For compile errors: the test results when types are ignored. */
  passedIgnoringTypes?: string;
}

export interface Flag {
  file: string;
  line: number;
  what: string;
}

export interface SubmissionGrade {
  version: 2;
  /** The grader's fingerprint (scripts/grading/fingerprint.ts): which tests and points judged. */
  grader: string;
  submission: string;
  /** The report's file name (without extension), unique in the class. */
  file: string;
  status: 'pass' | 'fail';
  score: number;
  max_score: number;
  fcSeed: number;
  /** Why the whole submission was not graded (a refused copy), or null. */
  refused: string | null;
  /** For the instructor to look at, not penalised: code that matches the reference or another submission. */
  similar: string[];
  /** Gate findings: what the submission may not do, with the file and line. */
  gate: Flag[];
  exercises: ExerciseGrade[];
  tests: TestGrade[];
}

/** Scores are whole multiples of this fraction of a point (a power of two, so sums are exact in floating point). */
export const SCORE_UNIT = 2 ** -16;

/**
 * Per-test scores of one exercise. The passed tests share the exercise's
 * score, points * passed / tests rounded to a multiple of SCORE_UNIT (within
 * 0.00002 of the exact ratio, so the two agree at any displayed precision).
 * Being multiples of a power of two, the scores add up exactly in floating
 * point in any order and from any starting sum: GitHub Classroom's reporter,
 * which adds every test of every exercise into one running total, arrives at
 * the grader's total to the last bit, and all passed tests add up to the points.
 */
export function testScores(points: number, passed: boolean[]): number[] {
  const count = passed.filter(Boolean).length;
  if (count === 0) return passed.map(() => 0);
  const units = Math.round(((count / passed.length) * points) / SCORE_UNIT);
  const base = Math.floor(units / count);
  let extra = units - base * count;
  return passed.map((p) => {
    if (!p) return 0;
    const u = base + (extra > 0 ? 1 : 0);
    extra -= 1;
    return u * SCORE_UNIT;
  });
}

/** The class total as the reporter computes it: one running sum over every test in order. */
export function runningTotal(tests: TestGrade[]): number {
  let total = 0;
  for (const t of tests) total += t.score;
  return total;
}

// ---------------------------------------------------------------------------
// File names

/**
 * A report file name for every submission, unique whatever the names: letters
 * and digits of any script are kept; a name that had to change (or that
 * collides once case is ignored) gets a short hash of its exact bytes.
 */
export function reportFileNames(names: string[]): Map<string, string> {
  const clean = (n: string): string =>
    n
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^[.]+/, '_')
      .slice(0, 80) || '_';
  const folded = new Map<string, number>();
  for (const n of names) folded.set(clean(n).toLowerCase(), (folded.get(clean(n).toLowerCase()) ?? 0) + 1);
  const result = new Map<string, string>();
  for (const n of names) {
    const c = clean(n);
    const unique = c === n && folded.get(c.toLowerCase()) === 1;
    result.set(n, unique ? c : `${c}-${crypto.createHash('sha256').update(n).digest('hex').slice(0, 10)}`);
  }
  return result;
}

// ---------------------------------------------------------------------------
// CSV

/** One CSV cell: formulas neutralised (a leading = + - @ tab or CR gets a '), quoted when needed. */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const formatScore = (x: number): string => String(Number(x.toFixed(2)));

export function classCsv(grades: SubmissionGrade[], exercises: Exercise[], excel = false): string {
  const header = ['submission', ...exercises.map((e) => e.id), 'total', 'max', 'flags'];
  const rows = grades.map((g) => [
    csvCell(g.submission),
    ...exercises.map((e) => formatScore(g.exercises.find((x) => x.id === e.id)?.score ?? 0)),
    formatScore(g.score),
    String(g.max_score),
    csvCell([g.refused ? 'refused' : '', g.gate.length ? 'gate' : '', g.similar.length ? 'similar' : ''].filter(Boolean).join(' ')),
  ]);
  const text = [header.join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n';
  return excel ? `\uFEFF${text}` : text;
}

// ---------------------------------------------------------------------------
// Markdown

/** A fenced block no message can close: the fence is longer than any run of backticks inside. */
export function fenced(text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [fence + 'text', text, fence];
}

/** Text for a Markdown line: no HTML, no table cell breaks, no emphasis or links. */
export function inline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#!~])/g, '\\$1');
}

const passedText = (e: ExerciseGrade): string => (e.total === null ? '-' : `${e.passed}/${e.total}`);

export function submissionMarkdown(g: SubmissionGrade): string {
  const lines = [`# ${inline(g.submission)}`, '', `Score: **${formatScore(g.score)} / ${g.max_score}**`, ''];
  if (g.refused) lines.push('This submission was not graded:', '', ...fenced(g.refused), '');
  lines.push('| exercise | status | tests passed | score |', '| --- | --- | --- | --- |');
  for (const e of g.exercises) lines.push(`| ${e.id} | ${e.status} | ${passedText(e)} | ${formatScore(e.score)} / ${e.maxScore} |`);
  if (g.gate.length > 0) {
    lines.push('', '## Not allowed in a submission', '');
    for (const f of g.gate) lines.push(`- ${inline(`${f.file}:${f.line}: ${f.what}`)}`);
  }
  if (g.similar.length > 0) {
    lines.push('', '## For the instructor: similar code (flagged, not penalised)', '');
    for (const s of g.similar) lines.push(`- ${inline(s)}`);
  }
  for (const e of g.exercises.filter((x) => x.status !== 'passed')) {
    lines.push('', `## ${e.id}: ${e.status}`, '');
    if (e.passedIgnoringTypes) lines.push(`With the type errors ignored, the tests give: ${inline(e.passedIgnoringTypes)}.`, '');
    const failing = g.tests.filter((t) => t.exercise === e.id && t.status !== 'pass' && t.message);
    if (e.status === 'failed') {
      for (const t of failing.slice(0, 10)) lines.push(`- ${inline(t.name)}`, '', ...fenced(t.message).map((l) => `  ${l.split('\n').join('\n  ')}`), '');
      if (failing.length > 10) lines.push(`- and ${failing.length - 10} more failing tests (see the JSON report)`);
    } else if (e.message) {
      lines.push(...fenced(e.message));
    }
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

/** JSON for people and tools: also escapes < > & so a message pasted into HTML stays text. */
export function submissionJson(g: SubmissionGrade): string {
  return JSON.stringify(g, null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') + '\n';
}

// ---------------------------------------------------------------------------
// GitHub Classroom

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

/**
 * One exercise in the format of GitHub Classroom's autograding reporter (the
 * `result` output of a grading step, base64-encoded by the workflow).
 * `lineOf` finds a test's line in the grader's copy of the test file.
 */
export function classroomResult(g: SubmissionGrade, e: Exercise, lineOf: (name: string) => number): ClassroomResult {
  const grade = g.exercises.find((x) => x.id === e.id)!;
  const tests = g.tests.filter((t) => t.exercise === e.id);
  const ran = grade.total !== null;
  return {
    version: 1,
    status: grade.status === 'passed' ? 'pass' : ran ? 'fail' : 'error',
    max_score: e.points,
    tests: tests.map((t) => ({
      name: t.name,
      status: t.status,
      score: t.score,
      message: t.message,
      test_code: `npm test -- ${e.id.slice(0, 2)}`,
      filename: e.test,
      line_no: lineOf(t.name),
      duration: 0,
    })),
  };
}
