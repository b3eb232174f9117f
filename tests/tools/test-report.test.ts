import path from 'node:path';
import { SuiteRun, TestCase } from '../../scripts/jest-run';
import { loadManifest, repoRoot } from '../../scripts/manifest';
import { failureLines } from '../../scripts/kata/failure-text';
import { testReport } from '../../scripts/kata/test-report';
import { makeColour } from '../../scripts/ui/colour';
import { displayWidth } from '../../scripts/ui/width';

const testFile = path.join(repoRoot, 'tests', '05-flatten.test.ts');

describe('failureLines', () => {
  it("keeps only the lines of a diff that differ and where it happened, not the matcher's header", () => {
    const message = [
      'Error: expect(received).toEqual(expected) // deep equality',
      '',
      '- Expected  - 2',
      '+ Received  + 1',
      '',
      '  Array [',
      '    3,',
      '-   2,',
      '-   2,',
      '+   4,',
      '  ]',
      '    at Object.<anonymous> (/somewhere/node_modules/expect/build/index.js:10:5)',
      `    at Object.<anonymous> (${testFile}:150:21)`,
    ].join('\n');
    expect(failureLines(message)).toEqual(['- Expected  - 2', '+ Received  + 1', '-   2,', '-   2,', '+   4,', 'at tests/05-flatten.test.ts:150']);
  });

  it("keeps a property's counterexample, error and replay line, not fast-check's bookkeeping or code frames", () => {
    const message = [
      'Error: Property failed after 1 tests',
      '{ seed: 221362792, path: "0:1:1:1", endOnFailure: true }',
      'Counterexample: [[1,1,1],0]',
      'Shrunk 3 time(s)',
      'Got error: shapes differ',
      '  expected shape [1, 1, 1]',
      '',
      '  139 |         const layer = new Flatten();',
      '> 141 |         expect(back).toBeCloseTensor(x);',
      '      |                      ^',
      '    at Property.run (/x/node_modules/fast-check/lib/check/property/Property.generic.js:49:33)',
      'Hint: Enable verbose mode in order to have the list of all failing values encountered during the run',
      'Replay this exact case with: FC_SEED=1 FC_PATH="0" npm test -- 05',
    ].join('\n');
    expect(failureLines(message)).toEqual([
      'Counterexample: [[1,1,1],0]',
      'Got error: shapes differ',
      '  expected shape [1, 1, 1]',
      '',
      'Replay this exact case with: FC_SEED=1 FC_PATH="0" npm test -- 05',
    ]);
  });

  it('says how many lines it left out', () => {
    const lines = failureLines(Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n'), 5);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'line 3', '... (26 more lines: --verbose)']);
  });
});

describe("npm test -- NN's report", () => {
  const manifest = loadManifest();
  const flatten = manifest.exercises.find((e) => e.id === '05-flatten')!;
  const ctx = { manifest, tree: path.join(repoRoot, 'exercises'), treeName: 'exercises/', colour: makeColour(false), say: () => undefined };
  const test = (name: string, status: TestCase['status'], message = ''): TestCase => ({ name, status, durationMs: 1, message });
  const notImplemented = 'NotImplementedError: Not implemented yet: Flatten.forward (exercise 05-flatten). Open exercises/05-flatten/README.md';
  const suite: SuiteRun = {
    file: testFile,
    failedToRun: false,
    error: '',
    durationMs: 420,
    tests: [
      test('05 Flatten bad input > rejects a rank-1 input', 'failed', 'Error: expected an error naming the rank\n    at x (/a/node_modules/b.js:1:1)'),
      test('05 Flatten forward > forward: [N, C, H, W] -> [N, C*H*W]', 'failed', notImplemented),
      test('05 Flatten forward > forward: keeps the row-major order', 'failed', notImplemented),
      test(
        '05 Flatten backward > backward: reshapes dout back to the input shape, with a long title that goes on and on',
        'failed',
        'Error: shapes differ',
      ),
      test('05 Flatten backward > backward: uses the latest forward', 'passed'),
    ],
  };

  it("lists failures in the order of the exercise's parts, a part not started in one line, all within 80 columns", () => {
    const lines = testReport(ctx, flatten, suite, '', 80);
    const text = lines.join('\n');
    expect(lines[0]).toBe('05-flatten: 1 of 5 tests pass (0.4 s)');
    expect(text.indexOf('not started: Flatten.forward still throws NotImplementedError')).toBeGreaterThan(0);
    expect(text.indexOf('shapes differ')).toBeGreaterThan(text.indexOf('not started'));
    expect(text.indexOf('expected an error naming the rank')).toBeGreaterThan(text.indexOf('shapes differ'));
    expect(text).not.toContain('node_modules');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(lines[lines.length - 1]).toBe("Hint: npm run kata -- hint 05    jest's own report: npm test -- 05 --verbose");
  });

  it('says when the tests cannot run, with the reason', () => {
    const broken = { ...suite, failedToRun: true, error: "Cannot find module './flaten' from 'exercises/05-flatten/index.ts'", tests: [] };
    expect(testReport(ctx, flatten, broken, '', 80)).toEqual([
      '05-flatten: the tests cannot run',
      "    Cannot find module './flaten' from 'exercises/05-flatten/index.ts'",
    ]);
  });
});
