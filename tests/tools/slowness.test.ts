/**
 * `kata check` says, in one sentence, when an exercise's tests pass but run
 * far slower than the reference's (scripts/kata/slowness.ts): the rule on
 * fake durations, then a planted slow copy of the reference checked for real.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SuiteRun, TestCase } from '../../scripts/jest-run';
import { loadManifest, repoRoot } from '../../scripts/manifest';
import {
  readReferenceTimes,
  ReferenceTimes,
  referenceTimesOf,
  SLOW_FACTOR,
  SLOW_MARGIN_SECONDS,
  slownessSentence,
  suiteSeconds,
} from '../../scripts/kata/slowness';
import { removeTempDirs, runScript, tempDir } from '../fixtures/submissions';
import { plantEdits } from './plants';

afterAll(removeTempDirs);

/** Text as a person reads it: wrapped lines joined, colour codes gone. */
// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ');

const reference: ReferenceTimes = { calibrationNs: 0.5, seconds: { '06-classifier': 10 } };

describe('slownessSentence (fake durations)', () => {
  it('says nothing at up to SLOW_FACTOR times the reference, and names the time and the likely causes above it', () => {
    expect(SLOW_FACTOR).toBe(3);
    expect(slownessSentence('06-classifier', 29.9, reference, 0.5)).toBeNull();
    const slow = slownessSentence('06-classifier', 52, reference, 0.5);
    expect(slow?.en).toBe(
      'The tests of 06-classifier took 52.0 s, about 5 times the 10.0 s the reference needs on this machine: ' +
        'likely per-element work outside lib’s helpers (a Number.isFinite or Math.* call for every value), ' +
        'an allocation in an inner loop (a new array or Tensor per value or per window), or a debug log in a loop.',
    );
    expect(slow?.ja).toMatch(/^06-classifier のテストに 52\.0 秒かかりました。この環境で模範解答にかかる 10\.0 秒の約 5 倍です。/);
    expect(slow?.ja).toContain('ループ内のデバッグ出力');
  });

  it('scales the reference by this machine’s calibration: a machine twice as slow expects twice the time', () => {
    // 10 s measured at 0.5 ns per element; here 1 ns per element: 20 s expected, so 52 s is 2.6 times (quiet), 61 s 3.05 times.
    expect(slownessSentence('06-classifier', 52, reference, 1)).toBeNull();
    expect(slownessSentence('06-classifier', 61, reference, 1)?.en).toContain('took 61.0 s, about 3 times the 20.0 s');
  });

  it(`says nothing when the difference is under SLOW_MARGIN_SECONDS (${SLOW_MARGIN_SECONDS} s), whatever the ratio`, () => {
    const quick: ReferenceTimes = { calibrationNs: 0.5, seconds: { '02-output-size': 0.1 } };
    expect(slownessSentence('02-output-size', 0.1 + SLOW_MARGIN_SECONDS - 0.01, quick, 0.5)).toBeNull();
    expect(slownessSentence('02-output-size', 0.1 + SLOW_MARGIN_SECONDS + 0.01, quick, 0.5)?.en).toContain('took 5.1 s, about 51 times the 0.1 s');
  });

  it('says nothing without a figure for the exercise or without a usable calibration', () => {
    expect(slownessSentence('07-lenet', 500, reference, 0.5)).toBeNull();
    expect(slownessSentence('06-classifier', 500, null, 0.5)).toBeNull();
    expect(slownessSentence('06-classifier', 500, reference, NaN)).toBeNull();
  });
});

describe('reference times', () => {
  const manifest = loadManifest();
  const e06 = manifest.exercises.find((e) => e.id === '06-classifier')!;
  const e07 = manifest.exercises.find((e) => e.id === '07-lenet')!;
  const suite = (file: string, durationMs: number, tests: Partial<TestCase>[]): SuiteRun => ({
    file: path.join(repoRoot, file),
    failedToRun: false,
    error: '',
    durationMs,
    tests: tests.map((t, i) => ({ name: `t${i}`, status: 'passed', durationMs: 0, message: '', ...t })),
  });

  it('are the seconds jest took for each test file (hooks included, the per-test durations alone leave out a beforeAll), for suites whose every test passed', () => {
    const suites = [
      suite(e06.test, 3750, [{ durationMs: 1500 }, { durationMs: 250 }]),
      suite(e07.test, 900, [{ durationMs: 100 }, { status: 'failed', durationMs: 1 }]),
    ];
    expect(suiteSeconds(suites[0])).toBe(3.75);
    expect(referenceTimesOf([e06, e07], suites, 0.51234567)).toEqual({ calibrationNs: 0.5123, seconds: { '06-classifier': 3.75 } });
  });

  it('the shipped file has a figure for every exercise and a calibration', () => {
    const shipped = readReferenceTimes();
    expect(shipped).not.toBeNull();
    expect(Object.keys(shipped!.seconds).sort()).toEqual(manifest.exercises.map((e) => e.id).sort());
  });

  it('a file of the wrong shape reads as no figures', () => {
    const dir = tempDir('kata-reference-times-');
    const file = path.join(dir, 'reference-times.json');
    fs.writeFileSync(file, JSON.stringify({ calibrationNs: 0.5, seconds: { '06-classifier': 'ten' } }));
    expect(readReferenceTimes(file)).toBeNull();
    expect(readReferenceTimes(path.join(dir, 'missing.json'))).toBeNull();
  });
});

describe('kata check on a planted slow copy of the reference', () => {
  const check = (tree: string): string =>
    plain(
      runScript('kata', ['check', '02'], { KATA_TREE: tree, KATA_STATE_FILE: path.join(tempDir('kata-state-'), 'state.json'), NO_COLOR: '1' }, 120_000)
        .stdout,
    );

  it('02 with a wait of 8 s on its first call: every test passes, and the sentence names the time in both languages', () => {
    const tree = plantEdits('slow-output-size', [
      {
        file: '02-output-size/output-size.ts',
        from: 'function outputSizeOnAxis(',
        to: 'let waited = false;\nfunction outputSizeOnAxis(',
      },
      {
        file: '02-output-size/output-size.ts',
        from: "  const along = axis === 'size' ? '' : ` ${axis}`;\n",
        to: "  const along = axis === 'size' ? '' : ` ${axis}`;\n  if (!waited) {\n    waited = true;\n    const until = Date.now() + 8000;\n    while (Date.now() < until);\n  }\n",
      },
    ]);
    const out = check(tree);
    expect(out).toMatch(/02-output-size: all \d+ tests pass\./);
    expect(out).toMatch(
      /The tests of 02-output-size took \d+\.\d s, about \d+ times the \d+\.\d s the reference needs on this machine: likely per-element work/,
    );
    expect(out.replace(/ /g, '')).toMatch(/02-output-sizeのテストに\d+\.\d秒かかりました。/);
  });

  it('the untouched reference of 02 gets no such sentence', () => {
    const out = check(path.join(repoRoot, 'solutions'));
    expect(out).toMatch(/02-output-size: all \d+ tests pass\./);
    expect(out).not.toContain('the reference needs on this machine');
  });
});
