/**
 * npm run grade on fixture submissions built from copies of solutions/ and
 * exercises/. Only two cheap exercises (02 and 05) are graded, to keep this
 * file quick.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SubmissionGrade, typeCheckSubmission } from '../../scripts/grade';
import { appendTo, BREAK, copyTree, runScript, tempDir, useFolder, removeTempDirs } from '../fixtures/submissions';

afterAll(removeTempDirs);

const OUTPUT = '02-output-size/output-size.ts';
const FLATTEN = '05-flatten/flatten.ts';

interface Graded {
  csv: string;
  json: Record<string, SubmissionGrade>;
  md: Record<string, string>;
  stdout: string;
}

function grade(submissions: string[], args: string[], only = '02,05'): Graded {
  const out = tempDir('kata-grades-');
  const run = runScript('grade', [...submissions, '--only', only, '--jobs', '2', '--out', out, ...args]);
  if (run.status !== 0) throw new Error(`grade exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  const json: Record<string, SubmissionGrade> = {};
  const md: Record<string, string> = {};
  for (const s of submissions) {
    const name = path.basename(s);
    json[name] = JSON.parse(fs.readFileSync(path.join(out, `${name}.json`), 'utf8')) as SubmissionGrade;
    md[name] = fs.readFileSync(path.join(out, `${name}.md`), 'utf8');
  }
  return { csv: fs.readFileSync(path.join(out, 'class.csv'), 'utf8'), json, md, stdout: run.stdout };
}

const exercise = (g: SubmissionGrade, id: string) => g.exercises.find((e) => e.id === id)!;

describe('npm run grade', () => {
  let result: Graded;

  beforeAll(() => {
    const dir = tempDir('kata-submissions-');
    const full = copyTree('solutions', dir, 'full');
    const stubs = copyTree('exercises', dir, 'stubs');

    const partial = copyTree('solutions', dir, 'partial');
    appendTo(partial, FLATTEN, BREAK.wrongFlattenBackward);

    const throwsOnImport = copyTree('solutions', dir, 'throws-on-import');
    appendTo(throwsOnImport, OUTPUT, BREAK.throwOnImport);

    const typeError = copyTree('solutions', dir, 'type-error');
    appendTo(typeError, OUTPUT, BREAK.typeError);

    const callsExit = copyTree('solutions', dir, 'calls-exit');
    appendTo(callsExit, FLATTEN, BREAK.exitInForward);

    const missingFile = copyTree('solutions', dir, 'missing-file');
    useFolder(missingFile, 'exercises', '02-output-size');
    fs.rmSync(path.join(missingFile, FLATTEN));

    result = grade([full, stubs, partial, throwsOnImport, typeError, callsExit, missingFile], []);
  }, 300_000);

  it('writes class.csv with one column per exercise, the total and the maximum, one row per submission', () => {
    const partial = result.json.partial;
    const flattenScore = exercise(partial, '05-flatten').score;
    expect(result.csv).toBe(
      [
        'submission,02-output-size,05-flatten,total,max',
        'calls-exit,5,0,5,10',
        'full,5,5,10,10',
        'missing-file,0,0,0,10',
        `partial,5,${flattenScore},${5 + flattenScore},10`,
        'stubs,0,0,0,10',
        'throws-on-import,0,5,5,10',
        'type-error,0,5,5,10',
        '',
      ].join('\n'),
    );
  });

  it('gives full points to the solutions, every test passing', () => {
    const g = result.json.full;
    expect(g.score).toBe(10);
    expect(g.status).toBe('pass');
    expect(g.exercises.map((e) => e.status)).toEqual(['passed', 'passed']);
    expect(g.tests.length).toBeGreaterThan(2);
    expect(g.tests.every((t) => t.status === 'pass')).toBe(true);
    expect(g.tests.reduce((s, t) => s + t.score, 0)).toBeCloseTo(10, 2);
  });

  it('gives zero to the untouched stubs and calls them not started', () => {
    const g = result.json.stubs;
    expect(g.score).toBe(0);
    expect(g.exercises.map((e) => e.status)).toEqual(['not-started', 'not-started']);
    expect(g.tests.every((t) => t.status === 'fail' && /NotImplementedError/.test(t.message))).toBe(true);
  });

  it('gives per-test points to a partly correct exercise', () => {
    const flatten = exercise(result.json.partial, '05-flatten');
    expect(flatten.status).toBe('failed');
    expect(flatten.passed).toBeGreaterThan(0);
    expect(flatten.passed).toBeLessThan(flatten.total!);
    expect(flatten.score).toBe(Number(((5 * flatten.passed) / flatten.total!).toFixed(2)));
    expect(exercise(result.json.partial, '02-output-size')).toMatchObject({ status: 'passed', score: 5 });
    expect(result.md.partial).toMatch(/## 05-flatten: failed/);
  });

  it('costs only the exercise whose module throws on import', () => {
    const g = result.json['throws-on-import'];
    expect(exercise(g, '02-output-size')).toMatchObject({ status: 'crash', score: 0, total: null });
    expect(exercise(g, '02-output-size').message).toMatch(/boom at import/);
    expect(exercise(g, '05-flatten')).toMatchObject({ status: 'passed', score: 5 });
  });

  it('reports a TypeScript error as a compile error of that exercise only, with the error', () => {
    const g = result.json['type-error'];
    const output = exercise(g, '02-output-size');
    expect(output).toMatchObject({ status: 'compile-error', score: 0 });
    expect(output.message).toMatch(/exercises\/02-output-size\/output-size\.ts:\d+:\d+ TS2322: Type 'string' is not assignable to type 'number'/);
    expect(output.passedIgnoringTypes).toMatch(/^(\d+)\/\1$/);
    expect(exercise(g, '05-flatten')).toMatchObject({ status: 'passed', score: 5 });
  });

  it('reports a process.exit inside a test run as a crash of that exercise only', () => {
    const g = result.json['calls-exit'];
    expect(exercise(g, '05-flatten')).toMatchObject({ status: 'crash', score: 0 });
    expect(exercise(g, '05-flatten').message).toMatch(/process\.exit\(0\)/);
    expect(exercise(g, '02-output-size')).toMatchObject({ status: 'passed', score: 5 });
  });

  it('reports missing files without running the exercise', () => {
    const g = result.json['missing-file'];
    expect(exercise(g, '05-flatten')).toMatchObject({ status: 'missing', score: 0, durationMs: 0 });
    expect(exercise(g, '05-flatten').message).toBe('missing from the submission: 05-flatten/flatten.ts');
    expect(exercise(g, '02-output-size').status).toBe('not-started');
  });

  it('prints a class table with marks for abnormal endings', () => {
    expect(result.stdout).toMatch(/submission\s+02\s+05\s+total\s+max/);
    expect(result.stdout).toMatch(/calls-exit\s+5\s+0 C\s+5\s+10/);
    expect(result.stdout).toMatch(/type-error\s+0 E\s+5\s+5\s+10/);
    expect(result.stdout).toMatch(/missing-file\s+0\s+0 M\s+0\s+10/);
  });

  it('stops an infinite loop at the time limit and names the test that was running', () => {
    const dir = tempDir('kata-submissions-');
    const loop = copyTree('solutions', dir, 'infinite-loop');
    appendTo(loop, FLATTEN, BREAK.loopInForward);
    const started = Date.now();
    const g = grade([loop], ['--time-limit', '8'], '05');
    expect(Date.now() - started).toBeLessThan(90_000);
    expect(g.csv).toBe('submission,05-flatten,total,max\ninfinite-loop,0,0,5\n');
    const flatten = exercise(g.json['infinite-loop'], '05-flatten');
    expect(flatten).toMatchObject({ status: 'timeout', score: 0 });
    expect(flatten.message).toMatch(/^stopped at the time limit of 8 s while running ".+"/);
    expect(g.stdout).toMatch(/infinite-loop\s+0 T\s+0\s+5/);
  }, 180_000);
});

describe('the type check of a submission', () => {
  it('sees one lib/ (no second Tensor type through the workspace link) and blames only the exercise with the error', async () => {
    const dir = tempDir('kata-submissions-');
    const full = copyTree('solutions', dir, 'typed');
    expect([...(await typeCheckSubmission(full, ['00-prerequisites', '01-conv2d'])).entries()]).toEqual([]);
    appendTo(full, '01-conv2d/conv2d.ts', BREAK.typeError);
    const errors = await typeCheckSubmission(full, ['00-prerequisites', '01-conv2d']);
    expect([...errors.keys()]).toEqual(['01-conv2d']);
    expect(errors.get('01-conv2d')![0]).toMatch(/^exercises\/01-conv2d\/conv2d\.ts:\d+:\d+ TS2322/);
  }, 120_000);
});
