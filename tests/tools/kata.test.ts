import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { firstLines, parseJestJson, progressOf, SuiteRun, TestCase } from '../../scripts/jest-run';
import { Exercise, loadManifest, repoRoot } from '../../scripts/manifest';
import { KataContext } from '../../scripts/kata/context';
import { waitingLines, waitingParts } from '../../scripts/kata/pacing';
import { dependencyKey } from '../../scripts/kata/results';
import { CachedResult, KataState } from '../../scripts/kata/state';
import { currentExercise, nextAfter, waitingExercises } from '../../scripts/kata/status';
import { makeColour } from '../../scripts/ui/colour';
import { tsxArgs } from '../../scripts/cli/tsx';
import { runScript, tempDir, removeTempDirs } from '../fixtures/submissions';

afterAll(removeTempDirs);

const NOT_IMPLEMENTED = 'NotImplementedError: Not implemented yet: Conv2d.forward (exercise 01-conv2d). Open exercises/01-conv2d/README.md';

function suite(tests: Partial<TestCase>[], failedToRun = false, error = ''): SuiteRun {
  return {
    file: '/repo/tests/01-conv2d.test.ts',
    failedToRun,
    error,
    durationMs: 1,
    tests: tests.map((t, i) => ({ name: `test ${i}`, status: 'failed', durationMs: 1, message: '', ...t })),
  };
}

describe('progress of an exercise', () => {
  it('is "done" when every test passes', () => {
    expect(progressOf(suite([{ status: 'passed' }, { status: 'passed' }]))).toBe('done');
  });
  it('is "not-started" when every test fails with the stub\'s NotImplementedError', () => {
    expect(progressOf(suite([{ message: NOT_IMPLEMENTED }, { message: `Property failed after 1 tests\nGot error: ${NOT_IMPLEMENTED}` }]))).toBe(
      'not-started',
    );
  });
  it('is "failing" as soon as one failure is something else, or one test passes', () => {
    expect(progressOf(suite([{ message: NOT_IMPLEMENTED }, { message: 'expect(received).toBe(expected)' }]))).toBe('failing');
    expect(progressOf(suite([{ message: NOT_IMPLEMENTED }, { status: 'passed' }]))).toBe('failing');
  });
  it('is "cannot-run" when the file does not run for another reason', () => {
    expect(progressOf(suite([], true, 'Test suite failed to run\n  SyntaxError: Unexpected token'))).toBe('cannot-run');
    expect(progressOf(suite([], true, `Test suite failed to run\n  ${NOT_IMPLEMENTED}`))).toBe('not-started');
  });
});

describe('reading jest output', () => {
  it('turns the --json report into suites and tests with plain messages', () => {
    const suites = parseJestJson({
      testResults: [
        {
          name: '/repo/tests/05-flatten.test.ts',
          status: 'failed',
          startTime: 1000,
          endTime: 1500,
          assertionResults: [
            { ancestorTitles: ['Flatten', 'forward'], title: 'keeps the data', status: 'passed', duration: 3, failureMessages: [] },
            {
              ancestorTitles: ['Flatten'],
              title: 'backward',
              status: 'failed',
              duration: null,
              failureMessages: ['\u001b[31mError: wrong\u001b[39m\n    at Object.<anonymous> (x.ts:1:1)'],
            },
          ],
        },
      ],
    });
    expect(suites).toEqual([
      {
        file: '/repo/tests/05-flatten.test.ts',
        failedToRun: false,
        error: '',
        durationMs: 500,
        tests: [
          { name: 'Flatten > forward > keeps the data', status: 'passed', durationMs: 3, message: '' },
          { name: 'Flatten > backward', status: 'failed', durationMs: 0, message: 'Error: wrong\n    at Object.<anonymous> (x.ts:1:1)' },
        ],
      },
    ]);
  });
  it('keeps the first lines of a failure and drops stack frames', () => {
    const message = 'Error: expected [2, 3]\n\n\n  received [3, 2]\n    at foo (a.ts:1:1)\n    at bar (b.ts:2:2)\nline 3\nline 4';
    expect(firstLines(message, 3)).toBe('Error: expected [2, 3]\n\n  received [3, 2]\nline 3');
  });
});

describe('npm run kata -- hint', () => {
  const manifest = loadManifest();
  const flatten = manifest.exercises.find((e) => e.id === '05-flatten')!;
  const conv = manifest.exercises.find((e) => e.id === '01-conv2d')!;

  it('shows the next hint level in English and Japanese each time, and remembers it per exercise', () => {
    const state = path.join(tempDir('kata-state-'), 'state.json');
    const env = { KATA_STATE_FILE: state };
    const outputs: string[] = [];
    for (let i = 0; i < flatten.hints.length + 1; i++) {
      const run = runScript('kata', ['hint', i % 2 === 0 ? 'flatten' : '5'], env, 60_000);
      expect(run.status).toBe(0);
      outputs.push(run.stdout.replace(/\n {2}/g, ' '));
    }
    flatten.hints.forEach((h, i) => {
      expect(outputs[i]).toContain(`Hint ${i + 1} of ${flatten.hints.length} for 05-flatten:`);
      expect(outputs[i]).toContain(h.en);
    });
    // After the last level it stays there and says so.
    expect(outputs[flatten.hints.length]).toContain(`Hint ${flatten.hints.length} of ${flatten.hints.length}`);
    expect(outputs[flatten.hints.length]).toContain('that was the last hint');
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).hints).toEqual({ '05-flatten': flatten.hints.length });

    const reset = runScript('kata', ['hint', '05', '--reset'], env, 60_000);
    expect(reset.stdout).toContain('start again from the first one');
    expect(runScript('kata', ['hint', '05-flatten'], env, 60_000).stdout).toContain('Hint 1 of');
  });

  it('gives the hints of the first part before a check, remembered per part', () => {
    const state = path.join(tempDir('kata-state-'), 'state.json');
    const naive = conv.parts[0];
    const run = runScript('kata', ['hint', '01'], { KATA_STATE_FILE: state }, 60_000);
    expect(run.stdout).toContain(`Hint 1 of ${naive.hints!.length} for 01-conv2d, ${naive.title.en}:`);
    expect(run.stdout.replace(/\n {2}/g, ' ')).toContain(naive.hints![0].en);
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).hints).toEqual({ '01-conv2d/naive': 1 });
  });

  it('explains a wrong exercise argument', () => {
    const run = runScript('kata', ['hint', 'nope'], { KATA_STATE_FILE: path.join(tempDir('kata-state-'), 's.json') }, 60_000);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no exercise matches "nope"/);
  });
});

describe('npm run kata -- reset', () => {
  it("puts the stub back from git and keeps the learner's files in a dated backup", () => {
    // A clone of this repository, with this working tree's scripts, so the real repository is never touched.
    const clone = path.join(tempDir('kata-reset-'), 'kata');
    execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
    fs.cpSync(path.join(repoRoot, 'scripts'), path.join(clone, 'scripts'), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'));
    const file = path.join(clone, 'exercises', '05-flatten', 'flatten.ts');
    const stub = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '// my attempt\n');
    fs.writeFileSync(path.join(clone, 'exercises', '05-flatten', 'notes.txt'), 'mine');

    const run = spawnSync(process.execPath, tsxArgs(path.join(clone, 'scripts', 'kata.ts'), ['reset', '05']), {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, KATA_STATE_FILE: path.join(clone, 'state.json') },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(stub);
    expect(fs.existsSync(path.join(clone, 'exercises', '05-flatten', 'notes.txt'))).toBe(false);
    const [backup] = fs.readdirSync(path.join(clone, '.kata-backups'));
    expect(backup).toMatch(/^05-flatten-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/);
    expect(fs.readFileSync(path.join(clone, '.kata-backups', backup, 'flatten.ts'), 'utf8')).toBe('// my attempt\n');
    expect(fs.readFileSync(path.join(clone, '.kata-backups', backup, 'notes.txt'), 'utf8')).toBe('mine');
    expect(run.stdout).toContain(`Your 3 file(s) are in .kata-backups/${backup}/`);

    // Again, now that the folder holds the stub as shipped: nothing to do, no backup.
    const again = spawnSync(process.execPath, tsxArgs(path.join(clone, 'scripts', 'kata.ts'), ['reset', '05']), {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, KATA_STATE_FILE: path.join(clone, 'state.json') },
    });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already holds the stub as shipped; nothing to reset');
    expect(fs.readdirSync(path.join(clone, '.kata-backups'))).toEqual([backup]);
  }, 120_000);
});

describe('.kata-state.json', () => {
  it.each([
    ['{ not json', /^kata: \.kata-state\.json is not valid JSON \(/],
    ['[]', /^kata: \.kata-state\.json should hold an object; delete it/],
    ['{"hints": {"01-conv2d": "two"}}', /^kata: \.kata-state\.json has "hints" that are not whole numbers per exercise; delete it/],
    ['{"results": {"01-conv2d": 3}}', /^kata: \.kata-state\.json has "results" of the wrong shape; delete it/],
  ])('a hand-edited file %s is one line, not a stack trace', (text, message) => {
    const state = path.join(tempDir('kata-state-'), '.kata-state.json');
    fs.writeFileSync(state, text);
    const run = runScript('kata', ['hint', '05'], { KATA_STATE_FILE: state }, 60_000);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});

describe('parts left for later (neededBy): 00 before 01, and back before 06', () => {
  const manifest = loadManifest();
  const prereq = manifest.exercises.find((e) => e.id === '00-prerequisites')!;
  const later = prereq.parts.filter((p) => p.neededBy).map((p) => p.name);

  /** A copy of exercises/ whose folders all have the same modification time (no exercise counts as edited). */
  function untouchedTree(): string {
    const tree = path.join(tempDir('kata-pacing-'), 'exercises');
    fs.cpSync(path.join(repoRoot, 'exercises'), tree, { recursive: true });
    const when = new Date('2026-01-01T00:00:00Z');
    const touch = (p: string): void => {
      if (fs.statSync(p).isDirectory()) for (const f of fs.readdirSync(p)) touch(path.join(p, f));
      fs.utimesSync(p, when, when);
    };
    touch(tree);
    return tree;
  }

  /** A result whose parts pass (`passed`) or fail, for the tree's current files. */
  function result(tree: string, e: Exercise, passed: (part: string) => boolean, done = false): CachedResult {
    const parts = e.parts.map((p) => ({ name: p.name, passed: passed(p.name) ? 3 : 0, total: 3, notStarted: !passed(p.name) }));
    const total = parts.length * 3;
    const ok = parts.reduce((s, p) => s + p.passed, 0);
    return { key: dependencyKey(manifest, e, tree), progress: done ? 'done' : ok === 0 ? 'not-started' : 'failing', passed: ok, total, parts };
  }

  const context = (tree: string): KataContext => ({ manifest, tree, treeName: 'exercises/', colour: makeColour(false), say: () => {} });

  it('waitingParts: only when every part needed now passes and a later part does not', () => {
    const tree = untouchedTree();
    const firstOnly = result(tree, prereq, (p) => !later.includes(p));
    expect(waitingParts(manifest, prereq, firstOnly)).toEqual({
      parts: prereq.parts.filter((p) => later.includes(p.name)),
      neededBy: manifest.exercises.find((e) => e.id === '06-classifier'),
    });
    // FC still failing: nothing waits, 00 is simply unfinished.
    expect(
      waitingParts(
        manifest,
        prereq,
        result(tree, prereq, (p) => !later.includes(p) && p !== 'fc'),
      ),
    ).toBeUndefined();
    // Everything passes, or an exercise without such parts.
    expect(
      waitingParts(
        manifest,
        prereq,
        result(tree, prereq, () => true, true),
      ),
    ).toBeUndefined();
    const conv = manifest.exercises.find((e) => e.id === '01-conv2d')!;
    expect(
      waitingParts(
        manifest,
        conv,
        result(tree, conv, (p) => p === 'naive'),
      ),
    ).toBeUndefined();
  });

  it('the current exercise moves on to 01 once 00 waits, and comes back to 00 when 06 is next', () => {
    const tree = untouchedTree();
    const ctx = context(tree);
    const byId = (id: string): Exercise => manifest.exercises.find((e) => e.id === id)!;
    const state: KataState = { hints: {}, results: {} };
    for (const e of manifest.exercises) state.results[e.id] = result(tree, e, () => false);
    state.results[prereq.id] = result(tree, prereq, (p) => !later.includes(p));
    expect(currentExercise(ctx, state)?.id).toBe('01-conv2d');
    expect(nextAfter(ctx, state, prereq)?.id).toBe('01-conv2d');
    expect(waitingExercises(ctx, state).get(prereq)?.neededBy.id).toBe('06-classifier');

    for (const id of ['01-conv2d', '02-output-size', '03-max-pool2d', '04-average-pool2d']) state.results[id] = result(tree, byId(id), () => true, true);
    // 05 still open, before 06: 00 keeps waiting.
    expect(currentExercise(ctx, state)?.id).toBe('05-flatten');
    expect(nextAfter(ctx, state, byId('04-average-pool2d'))?.id).toBe('05-flatten');

    state.results['05-flatten'] = result(tree, byId('05-flatten'), () => true, true);
    // 06 needs 00's training parts: 00 comes first, as the current exercise and as the next after 05.
    expect(currentExercise(ctx, state)?.id).toBe('00-prerequisites');
    expect(nextAfter(ctx, state, byId('05-flatten'))?.id).toBe('00-prerequisites');

    // A result from before the last edit of 00 does not count.
    fs.appendFileSync(path.join(tree, '00-prerequisites', 'initializers.ts'), '\n');
    expect(waitingExercises(ctx, state).size).toBe(0);
  });

  it('the lines say which parts wait for 06 and to go on to 01, English then Japanese', () => {
    const tree = untouchedTree();
    const w = waitingParts(
      manifest,
      prereq,
      result(tree, prereq, (p) => !later.includes(p)),
    )!;
    const conv = manifest.exercises.find((e) => e.id === '01-conv2d')!;
    const text = waitingLines(context(tree), prereq, w, conv).join(' ').replace(/\s+/g, ' ');
    expect(text).toContain(
      '00-prerequisites: FC (affine) layer, ReLU, softmax with cross-entropy and Conv1d pass. Initializers, optimizers and mini-batches are first needed in 06: go on to 01 now and come back to them before 06.',
    );
    // Japanese wraps between any two characters: compare without the spaces.
    const compact = text.replace(/ /g, '');
    expect(compact).toContain('初期化・最適化手法・ミニバッチは06で初めて使います。先に01へ進み、06の前に戻ってきてください。');
    expect(compact.indexOf('goonto01')).toBeLessThan(compact.indexOf('先に01へ進み'));
    expect(waitingLines(context(tree), prereq, w, prereq).join(' ')).toContain('write them now, before 06.');
  });

  it('kata check 00 with the first parts written says to go on to 01', () => {
    const root = tempDir('kata-pacing-check-');
    fs.symlinkSync(path.join(repoRoot, 'lib'), path.join(root, 'lib'));
    const tree = path.join(root, 'exercises');
    fs.cpSync(path.join(repoRoot, 'exercises'), tree, { recursive: true });
    for (const p of prereq.parts.filter((x) => !x.neededBy))
      fs.copyFileSync(path.join(repoRoot, 'solutions', prereq.id, p.file), path.join(tree, prereq.id, p.file));
    const run = runScript(
      'kata',
      ['check', '00'],
      { KATA_TREE: tree, KATA_STATE_FILE: path.join(root, 'state.json'), NO_COLOR: '1', COLUMNS: '80' },
      120_000,
    );
    expect(run.status).toBe(1);
    const out = run.stdout.replace(/\s+/g, ' ');
    expect(out).toContain('✓ Conv1d');
    expect(out).toContain('Initializers, optimizers and mini-batches are first needed in 06: go on to 01 now and come back to them before 06.');
    expect(out).toContain('Next: 01-conv2d (');
    expect(out).toContain('then npm run kata -- check 01');
  }, 120_000);
});
