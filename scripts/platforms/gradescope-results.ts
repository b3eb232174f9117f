/**
 * Gradescope's results.json from the grader's own report of one submission
 * (scripts/grading/reports.ts, version 2), per Gradescope's autograder
 * specification: top-level `score`, `execution_time` (seconds), `output`,
 * `visibility`, `stdout_visibility` and `tests[]`, each with `name`, `score`,
 * `max_score`, `status` ("passed" or "failed"), `output` (why it failed) and
 * `visibility`. The scores are the grader's, unchanged: multiples of 2^-16 of
 * a point, so Gradescope's sum of the tests equals the grader's total exactly.
 */
import { SCORE_UNIT, type SubmissionGrade } from '../grading/reports';

export type Visibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: Visibility;
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  visibility: Visibility;
  stdout_visibility: Visibility;
  tests: GradescopeTest[];
}

/** Gradescope shows at most this much of one test's output; longer text is cut with a note. */
const MAX_OUTPUT = 8000;

function cut(text: string): string {
  return text.length <= MAX_OUTPUT ? text : `${text.slice(0, MAX_OUTPUT)}\n... (${text.length - MAX_OUTPUT} more characters)`;
}

/** Checks that a grader report is one this converter understands, with scores within their maxima. */
export function checkReport(g: unknown): SubmissionGrade {
  const r = g as SubmissionGrade;
  const fail = (why: string): never => {
    throw new Error(`the grader's report is not valid: ${why}`);
  };
  if (typeof r !== 'object' || r === null || r.version !== 2) fail('not a version 2 report');
  if (!Array.isArray(r.exercises) || !Array.isArray(r.tests)) fail('no exercises or tests');
  for (const e of r.exercises) {
    if (typeof e.score !== 'number' || !(e.score >= 0 && e.score <= e.maxScore)) fail(`${String(e.id)}: score ${e.score} outside 0..${e.maxScore}`);
  }
  for (const t of r.tests) {
    // A passed test's share is rounded to a multiple of SCORE_UNIT, so it may exceed points / tests by one unit.
    if (typeof t.score !== 'number' || !(t.score >= 0 && t.score <= t.max_score + SCORE_UNIT)) fail(`test "${String(t.name)}": score outside 0..max`);
    if (!r.exercises.some((e) => e.id === t.exercise)) fail(`test "${String(t.name)}" of an exercise not in the report`);
  }
  const max = r.exercises.reduce((s, e) => s + e.maxScore, 0);
  if (r.max_score !== max || !(r.score >= 0 && r.score <= max)) fail(`total ${r.score} / ${r.max_score} does not fit the exercises (max ${max})`);
  return r;
}

export function gradescopeResults(g: SubmissionGrade, opts: { executionTimeSeconds: number; isolation: string }): GradescopeResults {
  const lines = [`Score: ${Number(g.score.toFixed(2))} / ${g.max_score}`, `Isolation: ${opts.isolation}`, ''];
  for (const e of g.exercises) {
    const passed = e.total === null ? '-' : `${e.passed}/${e.total}`;
    lines.push(`${e.id}: ${e.status}, ${passed} tests, ${Number(e.score.toFixed(2))} / ${e.maxScore}`);
  }
  if (g.refused) lines.push('', `Not graded: ${g.refused}`);
  if (g.gate.length > 0) lines.push('', 'Not allowed in a submission:', ...g.gate.map((f) => `  ${f.file}:${f.line}: ${f.what}`));
  return {
    score: g.score,
    execution_time: Math.round(opts.executionTimeSeconds),
    output: lines.join('\n'),
    visibility: 'visible',
    // stdout is the grader's log, for the instructor.
    stdout_visibility: 'hidden',
    tests: g.tests.map((t) => {
      const exercise = g.exercises.find((e) => e.id === t.exercise)!;
      const why = t.status === 'pass' ? '' : t.message || exercise.message || `${exercise.status}`;
      return {
        name: `${t.exercise}: ${t.name}`,
        score: t.score,
        max_score: t.max_score,
        status: t.status === 'pass' ? 'passed' : 'failed',
        output: cut(why),
        visibility: 'visible',
      };
    }),
  };
}
