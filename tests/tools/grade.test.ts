/**
 * npm run grade on fixture submissions built at test time from copies of
 * solutions/ and exercises/: a correct one, the stubs and every hostile case
 * of tests/fixtures/hostile.ts, graded together in one run of two cheap
 * exercises (02 and 05). Then the parts the batch cannot show from outside:
 * the sandbox itself, the verdict checks, the score arithmetic, the
 * classroom format, shards and the command line.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { SubmissionGrade, writeReports } from '../../scripts/grade';
import { graderFingerprint } from '../../scripts/grading/fingerprint';
import { mergeShards } from '../../scripts/grading/shards';
import { classCsv, csvCell, fenced, reportFileNames, testScores } from '../../scripts/grading/reports';
import { readBounded } from '../../scripts/grading/files';
import { isTamperingMessage } from '../../scripts/grading/frozen';
import { detectSandbox } from '../../scripts/grading/sandbox';
import { judge, runInSandbox } from '../../scripts/grading/verdict';
import { prepareWorkspace } from '../../scripts/grading/workspace';
import { loadManifest } from '../../scripts/manifest';
import { FLATTEN, forgeInitializerRecord, HOSTILE, HOSTILE_CASES, type HostileCase, typeBomb } from '../fixtures/hostile';
import { appendTo, BREAK, copyTree, removeTempDirs, repoRoot, runScript, tempDir } from '../fixtures/submissions';
import { tsxArgs } from '../../scripts/cli/tsx';

afterAll(removeTempDirs);

/** Every file of the repository that git knows or sees (tracked and untracked, not ignored), with a hash of its bytes. */
function repositoryState(): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  const hash = crypto.createHash('sha256');
  for (const f of files.sort()) {
    const full = path.join(repoRoot, f);
    hash
      .update(f)
      .update('\0')
      .update(fs.existsSync(full) ? fs.readFileSync(full) : 'missing')
      .update('\0');
  }
  return hash.digest('hex');
}

/** Processes still in a cgroup of the grader with this pid, and its cgroups still there. */
function leftBehind(graderPid: number): string[] {
  const tag = `/kata-grade-${graderPid}-`;
  const processes = fs.readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return fs.readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(tag);
    } catch {
      return false;
    }
  });
  const roots = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/cpuacct', '/sys/fs/cgroup'].filter((d) => fs.existsSync(d));
  const cgroups = roots.flatMap((root) => fs.readdirSync(root).filter((name) => name.startsWith(tag.slice(1))));
  return [...processes.map((p) => `process ${p}`), ...cgroups.map((c) => `cgroup ${c}`)];
}

interface Graded {
  out: string;
  csv: string;
  json: Record<string, SubmissionGrade>;
  md: Record<string, string>;
  stdout: string;
  stderr: string;
  pid: number;
}

function readGrades(out: string): Omit<Graded, 'stdout' | 'stderr' | 'pid'> {
  const json: Record<string, SubmissionGrade> = {};
  const md: Record<string, string> = {};
  for (const f of fs.readdirSync(out).filter((x) => x.endsWith('.json'))) {
    const g = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as SubmissionGrade;
    json[g.submission] = g;
    md[g.submission] = fs.readFileSync(path.join(out, f.replace(/\.json$/, '.md')), 'utf8');
  }
  return { out, csv: fs.readFileSync(path.join(out, 'class.csv'), 'utf8'), json, md };
}

function grade(submissions: string[], args: string[], only = '02,05'): Graded {
  const out = tempDir('kata-grades-');
  const run = runScript('grade', [...submissions, '--only', only, '--jobs', '2', '--out', out, ...args]);
  if (run.status !== 0) throw new Error(`grade exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return { ...readGrades(out), stdout: run.stdout, stderr: run.stderr, pid: run.pid };
}

const exercise = (g: SubmissionGrade, id: string) => g.exercises.find((e) => e.id === id)!;

interface HostileRun {
  result: Graded;
  dirs: Record<string, string>;
  before: string;
  after: string;
  left: string[];
}

/** Grades every hostile case in one run and records the repository before and after, and what was left behind. */
function gradeHostileClass(args: string[]): HostileRun {
  const dir = tempDir('kata-submissions-');
  const dirs = Object.fromEntries(HOSTILE_CASES.map((c) => [c.name, c.build(dir)]));
  const before = repositoryState();
  const result = grade(Object.values(dirs), ['--memory', '1024', ...args]);
  return { result, dirs, before, after: repositoryState(), left: leftBehind(result.pid) };
}

/** The status-and-points test of every case, and the repository and process test, for one mode. */
function expectVerdicts(run: () => HostileRun, verdictsOf: (c: HostileCase) => HostileCase['expect']): void {
  it.each(HOSTILE_CASES.map((c) => [JSON.stringify(c.name), c] as const))('gives %s its stated status and points', (_name, c) => {
    const g = run().result.json[c.name];
    expect(g).toBeDefined();
    for (const [id, want] of Object.entries(verdictsOf(c))) {
      const got = exercise(g, id);
      const score = want.score === 'partial' && got.score > 0 && got.score < got.maxScore ? 'partial' : got.score;
      expect({ id, status: got.status, score }).toEqual({ id, ...want });
    }
  });

  it('leaves the repository byte for byte unchanged and no process behind', () => {
    expect(run().after).toBe(run().before);
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).stdout).toBe('');
    expect(run().left).toEqual([]);
  });
}

describe('npm run grade --in-process on a class with hostile submissions: the gate and the frozen built-ins as the defence', () => {
  let run: HostileRun;
  let result: Graded;
  let dirs: Record<string, string>;

  beforeAll(() => {
    run = gradeHostileClass(['--in-process']);
    ({ result, dirs } = run);
  }, 600_000);

  expectVerdicts(
    () => run,
    (c) => c.inProcess,
  );

  it('writes one report per submission, unicode names kept, no two names on one file', () => {
    const files = fs.readdirSync(result.out).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(HOSTILE_CASES.length);
    expect(Object.keys(result.json).sort()).toEqual(HOSTILE_CASES.map((c) => c.name).sort());
    expect(files).toContain('田中.json');
    expect(files).toContain('鈴木.json');
  });

  it('escapes formulas, commas and line breaks in class.csv', () => {
    const lines = result.csv.split('\r\n');
    expect(lines[0]).toBe('submission,02-output-size,05-flatten,total,max,flags');
    expect(lines).toContain(`'=1+2,0,5,5,10,gate similar`);
    expect(result.csv).toContain('"line\nbreak",0,5,5,10,');
    expect(lines.some((l) => l.startsWith('"ann,lee",5,'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('=') || l.startsWith('+') || l.startsWith('-') || l.startsWith('@'))).toEqual([]);
  });

  it('keeps a message that tries to end the code block inside it (no fake score, no HTML)', () => {
    const md = result.md['ann,lee'];
    let fence: string | null = null;
    const outside: string[] = [];
    for (const line of md.split('\n')) {
      const m = /^\s*(`{3,})/.exec(line);
      if (fence === null && m) fence = m[1];
      else if (fence !== null && m && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
      else if (fence === null) outside.push(line);
    }
    // 02 in full, and of 05's 15 tests only the one that never calls the broken forward: 5 + 5 / 15.
    expect(outside.filter((l) => /Score:/.test(l))).toEqual(['Score: **5.33 / 10**']);
    expect(outside.filter((l) => /<img/.test(l))).toEqual([]);
  });

  it('names what a submission may not do, with the file and line', () => {
    expect(exercise(result.json.ann_lee, '02-output-size').message).toMatch(
      /exercises\/02-output-size\/output-size\.ts:\d+: imports ".*solutions\/02-output-size\/output-size", which leaves the submission's tree/,
    );
    expect(exercise(result.json['=1+2'], '02-output-size').message).toMatch(/output-size\.ts:\d+: imports "node:fs"/);
  });

  it('reports a patched built-in as tampering, naming it', () => {
    expect(exercise(result.json['田中'], '05-flatten').message).toMatch(/read only property 'abs'/);
    expect(exercise(result.json['鈴木'], '02-output-size').message).toMatch(/read only property 'is'/);
    expect(exercise(result.json['鈴木'], '05-flatten').message).toMatch(/expect\.extend is closed/);
    expect(exercise(result.json.ann_lee, '05-flatten').message).toMatch(/read only property 'every'/);
  });

  it('says why a submission was refused, and how much a flood printed', () => {
    expect(exercise(result.json.fifo, '05-flatten').message).toBe(
      'the submission was not graded: 05-flatten/pipe is a FIFO (only regular files and folders are accepted)',
    );
    expect(exercise(result.json.symlink, '02-output-size').message).toMatch(/05-flatten\/flatten\.ts is a symbolic link/);
    expect(exercise(result.json['=1+2'], '05-flatten').message).toMatch(/printed [5-6]\.\d MB to the console/);
    expect(exercise(result.json.deep, '02-output-size').message).toMatch(/the type checker failed on this submission: Maximum call stack size exceeded/);
    if (detectSandbox().cgroup) expect(exercise(result.json['line\nbreak'], '02-output-size').message).toBe('stopped at the memory limit of 1024.0 MB');
  });

  it('flags code equal to the reference for the instructor, without penalty', () => {
    expect(result.json.full.similar).toContain('02-output-size/output-size.ts matches the reference solution');
    expect(result.json.full.score).toBe(10);
    expect(result.json.stubs.similar).toEqual([]);
  });

  it("prints GitHub Classroom results whose totals, read the way its reporter reads them, equal the grader's", () => {
    const run = runScript('grade', [dirs['ann,lee'], '--only', '02,05', '--format', 'classroom']);
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[0])).toEqual(['02-output-size', '05-flatten']);
    // The reporter: each runner's table score is passed / tests * max_score; the total sent is the running sum of every test's score.
    const results = lines.map((l) => JSON.parse(Buffer.from(Buffer.from(l[1]).toString('base64'), 'base64').toString('utf8')));
    let sent = 0;
    let max = 0;
    const table: number[] = [];
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(['max_score', 'status', 'tests', 'version']);
      for (const t of r.tests)
        expect(Object.keys(t).sort()).toEqual(['duration', 'filename', 'line_no', 'message', 'name', 'score', 'status', 'test_code']);
      expect(r.tests.every((t: { line_no: unknown }) => Number.isInteger(t.line_no) && (t.line_no as number) > 0)).toBe(true);
      max += r.max_score;
      const passed = r.tests.filter((t: { status: string }) => t.status === 'pass').length;
      table.push((passed / r.tests.length) * r.max_score);
      for (const t of r.tests) sent += t.score;
    }
    const g = result.json['ann,lee'];
    // The table shows the exact ratio; the grader's score is within 0.00002 of it, the same at any shown precision.
    table.forEach((t, i) => expect(Math.abs(t - g.exercises[i].score)).toBeLessThanOrEqual(2e-5));
    expect(sent).toBe(g.score);
    expect(g.exercises.map((e) => e.score.toFixed(2))).toEqual(table.map((t) => t.toFixed(2)));
    expect(max).toBe(g.max_score);
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail']);
  }, 300_000);
});

describe('the sandbox of one run', () => {
  it('reads nothing from the run folder: FIFOs and a file filling it change nothing and reach no disk', async () => {
    const dir = tempDir('kata-submissions-');
    const s = copyTree('exercises', dir, 'fifo-verdict');
    // Straight Node, no gate: FIFOs where the verdict and the progress once were, and 1 GiB of writes into the run folder.
    appendTo(
      s,
      FLATTEN,
      [
        `const cp = require('node:child_process');`,
        `const runFs = require('node:fs');`,
        `const run = process.cwd() + '/run';`,
        `cp.execFileSync('mkfifo', [run + '/verdict.json', run + '/progress.json']);`,
        `try { for (let i = 0; i < 16; i++) runFs.appendFileSync(run + '/big', Buffer.alloc(64 * 1024 * 1024)); } catch { /* the run folder is full */ }`,
      ].join('\n'),
    );
    const root = tempDir('kata-grade-test-');
    fs.chmodSync(root, 0o755);
    const e = loadManifest().exercises.find((x) => x.id === '05-flatten')!;
    const ws = prepareWorkspace(root, 's0001', 'fifo-verdict', s, [e]);
    const limits = { timeLimitSeconds: 60, memoryBytes: 1024 * 1024 * 1024, seed: 42 };
    const runDir = path.join(root, 'run-05');
    const outcome = await runInSandbox({ wsDir: ws.dir, runDir, exercise: e, limits, name: `kata-grade-${process.pid}-fifo-test` });
    // The stubs' tests ran and the grader read their report from its pipe, not from the folder.
    expect(outcome.forged).toBe(false);
    expect(outcome.suites?.[0].tests.length).toBe(15);
    expect(outcome.run.timedOut).toBe(false);
    if (detectSandbox().bubblewrap) expect(fs.readdirSync(runDir)).toEqual([]);
  }, 120_000);

  it('keeps a submission from writing outside, forging its verdict or outliving the run', async () => {
    const kind = detectSandbox();
    if (!kind.bubblewrap) {
      // Without bubblewrap the grader can only promise to say so.
      expect(kind.missing.join('\n')).toMatch(/bubblewrap \(bwrap\) is missing or not permitted/);
      return;
    }
    const dir = tempDir('kata-submissions-');
    const marker = `escaped-${crypto.randomBytes(6).toString('hex')}`;
    const victim = path.join(repoRoot, 'tests', '05-flatten.test.ts');
    const outside = path.join(dir, `${marker}.txt`);
    const s = copyTree('exercises', dir, 'attacker');
    // Straight Node, no gate: what the sandbox alone must stop.
    appendTo(
      s,
      FLATTEN,
      [
        `const nodeFs = require('node:fs');`,
        `const tryIt = (f: () => void) => { try { f(); } catch { /* refused */ } };`,
        `tryIt(() => nodeFs.appendFileSync(${JSON.stringify(victim)}, '// changed'));`,
        `tryIt(() => nodeFs.writeFileSync(${JSON.stringify(outside)}, 'x'));`,
        `require('node:child_process').spawn('/bin/sh', ['-c', 'sleep 60 # ${marker}'], { detached: true, stdio: 'ignore' }).unref();`,
        `const fake = (title: string) => ({ ancestorTitles: [], title, status: 'passed', duration: 1, failureMessages: [] });`,
        `nodeFs.writeSync(3, 'verdict ' + JSON.stringify({ nonce: '', testResults: [{ name: '/grade/tests/05-flatten.test.ts', status: 'passed', message: '', assertionResults: [fake('a')] }] }) + '\\n');`,
        `process.kill(process.pid, 'SIGKILL');`,
      ].join('\n'),
    );
    const before = repositoryState();
    const root = tempDir('kata-grade-test-');
    // Readable by the sandbox's unprivileged uid, as the grader's own root is.
    fs.chmodSync(root, 0o755);
    const e = loadManifest().exercises.find((x) => x.id === '05-flatten')!;
    const ws = prepareWorkspace(root, 's0001', 'attacker', s, [e]);
    const limits = { timeLimitSeconds: 60, memoryBytes: 1024 * 1024 * 1024, seed: 42 };
    const outcome = await runInSandbox({
      wsDir: ws.dir,
      runDir: path.join(root, 'run-05'),
      exercise: e,
      limits,
      name: `kata-grade-${process.pid}-sandbox-test`,
    });
    const run = judge(e, ['x'], '/grade/tests/05-flatten.test.ts', outcome, limits);
    expect(run.status).toBe('tampering');
    expect(run.tests.every((t) => !t.passed)).toBe(true);
    expect(repositoryState()).toBe(before);
    expect(fs.existsSync(outside)).toBe(false);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(marker);
    expect(leftBehind(process.pid)).toEqual([]);
  }, 120_000);
});

describe('reading what a sandbox left', () => {
  it('refuses a FIFO, a link and a file too large at once, without waiting, and reads a regular file', () => {
    const dir = tempDir('kata-read-');
    const fifo = path.join(dir, 'verdict.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    fs.symlinkSync(fifo, path.join(dir, 'link.json'));
    fs.writeFileSync(path.join(dir, 'big.json'), 'x'.repeat(100));
    fs.writeFileSync(path.join(dir, 'ok.json'), '{}');
    expect(readBounded(fifo, 64)).toEqual({ ok: false, missing: false, why: 'a FIFO' });
    expect(readBounded(path.join(dir, 'link.json'), 64)).toEqual({ ok: false, missing: false, why: 'a symbolic link' });
    expect(readBounded(path.join(dir, 'big.json'), 64)).toEqual({ ok: false, missing: false, why: 'larger than 64 bytes (100)' });
    expect(readBounded(path.join(dir, 'none.json'), 64)).toEqual({ ok: false, missing: true, why: 'missing' });
    const ok = readBounded(path.join(dir, 'ok.json'), 64);
    expect(ok.ok && ok.bytes.toString()).toBe('{}');
  });

  it('counts a refused write as tampering only when it targets a frozen built-in', () => {
    expect(isTamperingMessage("TypeError: Cannot assign to read only property 'abs' of object '#<Object>'")).toBe(true);
    expect(isTamperingMessage("TypeError: Cannot assign to read only property 'every' of object '[object Array]'")).toBe(true);
    expect(isTamperingMessage("TypeError: Cannot assign to read only property '0' of object '[object Array]'")).toBe(false);
    expect(isTamperingMessage('TypeError: Cannot add property 4, object is not extensible')).toBe(false);
    expect(isTamperingMessage("TypeError: Cannot assign to read only property 'length' of object '[object Array]'")).toBe(false);
  });
});

describe('the verdict of a run', () => {
  const e = loadManifest().exercises.find((x) => x.id === '05-flatten')!;
  const limits = { timeLimitSeconds: 60, memoryBytes: 1 << 30, seed: 42 };
  const run = {
    exitCode: 0,
    signal: null,
    timedOut: false,
    memoryLimitHit: false,
    durationMs: 1,
    cpuMs: 1,
    peakMemoryBytes: 0,
    output: '',
    outputBytes: 0,
    channel: null,
    channelOverflow: false,
  };
  const suite = (names: string[]) => [
    {
      file: '/grade/tests/05-flatten.test.ts',
      failedToRun: false,
      error: '',
      durationMs: 1,
      tests: names.map((name) => ({ name, status: 'passed' as const, durationMs: 1, message: '' })),
    },
  ];
  const progress = { test: '', consoleBytes: 0 };

  it('passes only the tests the grader listed, by name and count', () => {
    expect(judge(e, ['a', 'b'], '/grade/tests/05-flatten.test.ts', { run, suites: suite(['a', 'b']), forged: false, progress }, limits).status).toBe(
      'passed',
    );
    expect(judge(e, ['a', 'b'], '/grade/tests/05-flatten.test.ts', { run, suites: suite(['a']), forged: false, progress }, limits).status).toBe(
      'tampering',
    );
    expect(judge(e, ['a', 'b'], '/grade/tests/05-flatten.test.ts', { run, suites: suite(['a', 'c']), forged: false, progress }, limits).status).toBe(
      'tampering',
    );
    expect(judge(e, ['a'], '/grade/tests/other.test.ts', { run, suites: suite(['a']), forged: false, progress }, limits).status).toBe('tampering');
  });

  it('never passes a run that was killed or ended abnormally, whatever it left', () => {
    const all = suite(['a']);
    expect(
      judge(
        e,
        ['a'],
        '/grade/tests/05-flatten.test.ts',
        { run: { ...run, signal: 'SIGKILL', exitCode: null }, suites: all, forged: false, progress },
        limits,
      ).status,
    ).toBe('crash');
    expect(judge(e, ['a'], '/grade/tests/05-flatten.test.ts', { run: { ...run, exitCode: 3 }, suites: all, forged: false, progress }, limits).status).toBe(
      'crash',
    );
    expect(
      judge(e, ['a'], '/grade/tests/05-flatten.test.ts', { run: { ...run, timedOut: true }, suites: all, forged: false, progress }, limits).status,
    ).toBe('timeout');
    expect(
      judge(
        e,
        ['a'],
        '/grade/tests/05-flatten.test.ts',
        { run, suites: null, forged: 'a test report not written by the grader was found', progress },
        limits,
      ).status,
    ).toBe('tampering');
  });
});

describe('scores and report names', () => {
  it('gives per-test scores that add up exactly, from any running total, to points * passed / tests within 0.00002', () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 10, 20, 3, 7), fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), fc.nat(2000), (points, passed, before) => {
        const scores = testScores(points, passed);
        const count = passed.filter(Boolean).length;
        const exercise = scores.reduce((a, b) => a + b, 0);
        // The reporter's loop: one running total over every test, starting from the earlier exercises' scores.
        const offset = testScores(before % 50, [true, false, true]).reduce((a, b) => a + b, 0) + before;
        let total = offset;
        for (const s of scores) total += s;
        return (
          total - offset === exercise &&
          total === offset + exercise &&
          Math.abs(exercise - (count / passed.length) * points) <= 2e-5 &&
          (count < passed.length || exercise === points) &&
          scores.every((s, i) => (passed[i] ? s > 0 : s === 0))
        );
      }),
    );
  });

  it('gives every name its own report file', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string(), fc.fullUnicodeString(), fc.constantFrom('田中', '鈴木', 'ann,lee', 'ann_lee', 'Ann_Lee', '..', '.')), {
          minLength: 1,
          maxLength: 30,
        }),
        (names) => {
          const files = [...reportFileNames(names).values()];
          return (
            new Set(files.map((f) => f.toLowerCase())).size === names.length && files.every((f) => f.length > 0 && !f.includes('/') && !f.startsWith('.'))
          );
        },
      ),
    );
  });

  it('neutralises spreadsheet formulas and ends no code block early', () => {
    expect(['=1+2', '+1', '-1', '@SUM(A1)', 'a"b', 'x\ry'].map(csvCell)).toEqual([`'=1+2`, `'+1`, `'-1`, `'@SUM(A1)`, '"a""b"', '"x\ry"']);
    expect(fenced('a ```` b')[0]).toBe('`````text');
    const e = loadManifest().exercises.filter((x) => x.id === '02-output-size');
    expect(classCsv([], e, true).startsWith('\uFEFFsubmission,')).toBe(true);
  });
});

describe('the type check of a class', () => {
  it('blames a type bomb on its own submission and checks the others after it', () => {
    const dir = tempDir('kata-submissions-');
    const bomb = copyTree('solutions', dir, 'bomb');
    fs.writeFileSync(path.join(bomb, 'bomb.ts'), typeBomb());
    const typeError = copyTree('solutions', dir, 'type-error');
    appendTo(typeError, '02-output-size/output-size.ts', BREAK.typeError);
    const full = copyTree('solutions', dir, 'full');
    const g = grade([bomb, typeError, full], ['--memory', '1024'], '02');
    const output = (name: string) => exercise(g.json[name], '02-output-size');
    expect(output('bomb').status).toBe('compile-error');
    expect(output('bomb').message).toMatch(/the type checker crashed|reached the memory limit/);
    expect(output('type-error').status).toBe('compile-error');
    expect(output('type-error').message).toMatch(/exercises\/02-output-size\/output-size\.ts:\d+:\d+ TS2322/);
    expect(output('type-error').passedIgnoringTypes).toMatch(/^(\d+)\/\1$/);
    expect(output('full')).toMatchObject({ status: 'passed', score: 5 });
  }, 300_000);
});

describe('sharding a class', () => {
  it('merges shards into the same bytes as one run', () => {
    const dir = tempDir('kata-submissions-');
    const subs = [copyTree('solutions', dir, 'full'), copyTree('exercises', dir, 'stubs'), copyTree('solutions', dir, 'ann,lee')];
    appendTo(subs[2], '02-output-size/output-size.ts', BREAK.typeError);
    const whole = grade(subs, [], '02');
    const shards = [1, 2].map((k) => grade(subs, ['--shard', `${k}/2`], '02').out);
    const merged = tempDir('kata-grades-');
    const run = runScript('grade', ['merge', ...shards, '--out', merged]);
    expect(run.status).toBe(0);
    const files = (d: string): Record<string, string> =>
      Object.fromEntries(
        fs
          .readdirSync(d)
          .sort()
          .map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]),
      );
    expect(files(merged)).toEqual(files(whole.out));
    expect(Object.keys(files(merged))).toHaveLength(7);
  }, 300_000);
});

describe('the command line', () => {
  it('refuses --out at a file before grading anything, in one line and the usage', () => {
    const file = path.join(tempDir('kata-grades-'), 'taken.txt');
    fs.writeFileSync(file, 'x');
    const run = runScript('grade', [path.join(repoRoot, 'solutions'), '--out', file]);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`grade: --out must be a folder, but ${file} is a file or a special file`);
    expect(run.stdout).toBe('');
  });

  it('takes --x=v and --x v alike, and names a bad option', () => {
    const run = runScript('grade', ['--jobs=two', os.tmpdir()]);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('grade: --jobs must be a whole number >= 1, got "two"');
    const unknown = runScript('grade', ['--colour', os.tmpdir()]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toMatch(/^grade: Unknown option '--colour'/);
    expect(unknown.stderr).toMatch(/usage: npm run grade/);
  });
});

describe('npm run grade on a class with hostile submissions, each in a realm of its own (the default)', () => {
  let run: HostileRun;
  let result: Graded;

  beforeAll(() => {
    run = gradeHostileClass([]);
    result = run.result;
  }, 600_000);

  expectVerdicts(
    () => run,
    (c) => c.expect,
  );

  it('shows what the gate found as a flag for the instructor, not as a refusal', () => {
    expect(exercise(result.json['=1+2'], '02-output-size').status).toBe('passed');
    expect(result.json['=1+2'].gate.map((f) => `${f.file}: ${f.what}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^exercises\/02-output-size\/output-size\.ts: imports "node:fs"/)]),
    );
  });
});

describe('npm run grade: the submission computes in its own process, the tests judge', () => {
  const brokenAverageBackward = [
    `const averageBackward = AveragePool2D.prototype.backward;`,
    `AveragePool2D.prototype.backward = function (this: AveragePool2D, dout: Tensor): Tensor {`,
    `  const dx = averageBackward.call(this, dout);`,
    `  for (let i = 0; i < dx.data.length; i++) dx.data[i] *= 2;`,
    `  return dx;`,
    `};`,
  ].join('\n');
  // The submission's own lib/ is patched: with a shared lib this turned failures into passes.
  const patchLib = [
    `import * as gradcheck from '../../lib/gradcheck';`,
    `(gradcheck as unknown as { relativeError: () => number }).relativeError = () => 0;`,
  ].join('\n');
  const AVERAGE = '04-average-pool2d/average-pool2d.ts';
  let g: Graded;
  let prerequisites: Graded;

  beforeAll(() => {
    const dir = tempDir('kata-submissions-');
    const full = copyTree('solutions', dir, 'full');
    const stubs = copyTree('exercises', dir, 'stubs');
    const broken = copyTree('solutions', dir, 'broken');
    appendTo(broken, AVERAGE, brokenAverageBackward);
    const patched = copyTree('solutions', dir, 'patched');
    appendTo(patched, AVERAGE, `${brokenAverageBackward}\n${patchLib}`);
    const honest = copyTree('solutions', dir, 'honest-shape');
    appendTo(honest, FLATTEN, HOSTILE.writeDoutShape);
    g = grade([full, stubs, broken, patched, honest], ['--memory', '1024'], '02,04,05');
    const forged = copyTree('solutions', dir, 'forged');
    forgeInitializerRecord(forged);
    prerequisites = grade([copyTree('solutions', dir, 'full-00'), forged], ['--memory', '1024'], '00');
  }, 600_000);

  it('gives the reference full marks and the stubs not-started, through the channel', () => {
    expect(g.json.full.exercises.map((e) => [e.id, e.status, e.score])).toEqual([
      ['02-output-size', 'passed', 5],
      ['04-average-pool2d', 'passed', 5],
      ['05-flatten', 'passed', 5],
    ]);
    expect(g.json.stubs.exercises.map((e) => [e.status, e.score])).toEqual([
      ['not-started', 0],
      ['not-started', 0],
      ['not-started', 0],
    ]);
  });

  it('scores a wrong layer the same whatever the submission does to its own lib/', () => {
    const broken = exercise(g.json.broken, '04-average-pool2d');
    expect(broken.status).toBe('failed');
    expect(broken.score).toBeLessThan(5);
    expect(exercise(g.json.patched, '04-average-pool2d')).toMatchObject({ status: 'failed', score: broken.score, passed: broken.passed });
  });

  it("calls the tests' own objects back (an initializer, an Rng, a layer handed to an optimizer) and keeps them the tests'", () => {
    const points = loadManifest().exercises.find((e) => e.id === '00-prerequisites')!.points;
    expect(exercise(prerequisites.json['full-00'], '00-prerequisites')).toMatchObject({ status: 'passed', score: points });
    // The forged record stays in the submission's process: the test still sees the wrong fanIn, and only that test fails.
    const forged = exercise(prerequisites.json.forged, '00-prerequisites');
    expect(forged).toMatchObject({ status: 'failed', passed: forged.total! - 1 });
    expect(prerequisites.json.forged.tests.filter((t) => t.status !== 'pass').map((t) => t.name)).toEqual([
      expect.stringMatching(/initialization: W \[in, out\] comes from the initializer with fanIn = in_features/),
    ]);
  });

  it('grades a write into a frozen shape as the failed tests it causes, with partial credit', () => {
    const flatten = exercise(g.json['honest-shape'], '05-flatten');
    expect(flatten.status).toBe('failed');
    expect(flatten.score).toBeGreaterThan(0);
    expect(flatten.score).toBeLessThan(5);
    expect(flatten.message).toMatch(/Cannot assign to read only property '0'/);
  });
});

describe('merging forged shards', () => {
  const report = (over: Record<string, unknown>) => ({
    version: 2,
    grader: graderFingerprint(),
    submission: 'x',
    file: 'x',
    status: 'pass',
    score: 5,
    max_score: 5,
    fcSeed: 42,
    refused: null,
    similar: [],
    gate: [],
    exercises: [{ id: '02-output-size', status: 'passed', passed: 1, total: 1, score: 5, maxScore: 5, message: '' }],
    tests: [{ exercise: '02-output-size', name: 't', status: 'pass', score: 5, max_score: 5, message: '' }],
    ...over,
  });
  const points = loadManifest().exercises.find((e) => e.id === '02-output-size')!.points;

  it('refuses a score above its maximum, naming the file', () => {
    const shard = tempDir('kata-shard-');
    fs.writeFileSync(path.join(shard, 'x.json'), JSON.stringify(report({ score: 999 })));
    expect(() => mergeShards([shard], tempDir('kata-grades-'), false, writeReports)).toThrow(
      `${path.join(shard, 'x.json')} is not a valid grade report: score 999 is not the sum of its tests (5) within 0..${points}`,
    );
  });

  it('refuses a report of another version of the grader, naming the file and both versions', () => {
    const shard = tempDir('kata-shard-');
    fs.writeFileSync(path.join(shard, 'x.json'), JSON.stringify(report({ grader: '0123456789abcdef' })));
    expect(() => mergeShards([shard], tempDir('kata-grades-'), false, writeReports)).toThrow(
      `${path.join(shard, 'x.json')} is not a valid grade report: graded by another version of the grader (0123456789abcdef; this one is ${graderFingerprint()})`,
    );
  });

  it('refuses shards whose reports list other tests for the same exercise', () => {
    const [one, two] = [tempDir('kata-shard-'), tempDir('kata-shard-')];
    fs.writeFileSync(path.join(one, 'x.json'), JSON.stringify(report({})));
    const renamed = [{ exercise: '02-output-size', name: 'another test', status: 'pass', score: 5, max_score: 5, message: '' }];
    fs.writeFileSync(path.join(two, 'y.json'), JSON.stringify(report({ submission: 'y', file: 'y', tests: renamed })));
    expect(() => mergeShards([one, two], tempDir('kata-grades-'), false, writeReports)).toThrow(
      'the shards were graded differently ("y" and "x" list other tests)',
    );
  });

  it('writes only inside --out, whatever file name a shard claims', () => {
    const shard = tempDir('kata-shard-');
    const out = path.join(tempDir('kata-grades-'), 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(shard, 'x.json'), JSON.stringify(report({ file: '../escaped' })));
    mergeShards([shard], out, false, writeReports);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['out']);
    expect(fs.readdirSync(out).sort()).toEqual(['class.csv', 'x.json', 'x.md']);
  });
});

describe('stopping a class run', () => {
  it('on SIGTERM, kills the runs, writes the reports of the submissions that finished and exits with 130', async () => {
    const dir = tempDir('kata-submissions-');
    const full = copyTree('solutions', dir, 'full');
    // A second submission that never finishes by itself: its 02 spins until the signal.
    const slow = copyTree('solutions', dir, 'slow');
    appendTo(slow, '02-output-size/output-size.ts', 'for (;;) {\n  // spins until the run is stopped\n}');
    const out = tempDir('kata-grades-');
    const child = spawn(process.execPath, tsxArgs(path.join(repoRoot, 'scripts', 'grade.ts'), [full, slow, '--only', '02', '--jobs', '2', '--out', out]), {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (/full 02-output-size: passed/.test(stdout) && /full: type check clean/.test(stdout) && /slow: type check/.test(stdout)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/grade: interrupted \(SIGTERM\); 1 of 2 submission\(s\) graded and written to /);
    expect(stderr).toMatch(/not graded: slow/);
    expect(fs.readdirSync(out).sort()).toEqual(['class.csv', 'full.json', 'full.md']);
    expect(exercise(JSON.parse(fs.readFileSync(path.join(out, 'full.json'), 'utf8')) as SubmissionGrade, '02-output-size').status).toBe('passed');
    expect(leftBehind(child.pid!)).toEqual([]);
  }, 300_000);
});
