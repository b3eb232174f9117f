import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { firstLines, parseJestJson, progressOf, SuiteRun, TestCase } from '../../scripts/jest-run';
import { loadManifest, repoRoot } from '../../scripts/manifest';
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
