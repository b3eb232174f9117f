/**
 * npm run bench:loop -- --before <git revision> [--runs N]
 *
 * Wall-clock time of the learner's loop, the old revision and this one side
 * by side in one run: the first `npm run kata` of a fresh clone (no remembered
 * results, nothing edited), `npm test -- 05`, `npm test -- 01`, `kata check 05`,
 * and `kata watch` until it first waits for a change (with no remembered
 * results, as on a first start). The old revision is checked out in a
 * temporary git worktree (sharing node_modules when its package-lock.json is
 * the same, else with its own `npm ci`). Before every run but the fresh
 * clone's, the exercise's file gets a new comment line, as a learner's save
 * would, so no cache hides the work of an edit; it is put back afterwards.
 * The median of --runs runs is shown, next to a calibration line and the
 * load average (this machine may be shared).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CommandError, CommandSpec, startCommand } from './cli/command';
import { killTree, linkFolder, ownProcessGroup } from './cli/platform';
import { intOption } from './cli/values';
import { repoRoot } from './manifest';
import { calibration } from './calibration';
import { formatTable } from './ui/table';

const USAGE = `usage: npm run bench:loop -- --before <git revision> [--runs N]

  --before REV   the revision to compare with (e.g. main, a commit)
  --runs N       runs per measurement, the median is shown (default 3)`;

const spec: CommandSpec = { name: 'bench:loop', usage: USAGE, options: { before: { type: 'string' }, runs: { type: 'string' } }, maxPositionals: 0 };

interface Measure {
  name: string;
  /** The file a learner would have just saved (none: a fresh clone, as shipped). */
  edit?: string;
  args: string[];
  /** For watch: stop at the first line matching this. */
  until?: RegExp;
}

const MEASURES: Measure[] = [
  { name: 'first npm run kata (fresh clone)', args: ['npm', 'run', 'kata'] },
  { name: 'npm test -- 05', edit: 'exercises/05-flatten/flatten.ts', args: ['npm', 'test', '--', '05'] },
  { name: 'npm test -- 01', edit: 'exercises/01-conv2d/conv2d-naive.ts', args: ['npm', 'test', '--', '01'] },
  { name: 'kata check 05', edit: 'exercises/05-flatten/flatten.ts', args: ['npm', 'run', 'kata', '--', 'check', '05'] },
  {
    name: 'kata watch (to first wait)',
    edit: 'exercises/05-flatten/flatten.ts',
    args: ['npm', 'run', 'kata', '--', 'watch', '--poll'],
    until: /waiting for changes/,
  },
];

/** Runs one command in `cwd` (its own process group); resolves with the seconds it took. */
async function timed(cwd: string, m: Measure, stateFile: string): Promise<number> {
  const edited = m.edit === undefined ? undefined : path.join(cwd, m.edit);
  const original = edited === undefined ? '' : fs.readFileSync(edited, 'utf8');
  if (edited !== undefined) fs.appendFileSync(edited, `// edited ${Date.now()}\n`);
  try {
    return await run(cwd, m, stateFile);
  } finally {
    if (edited !== undefined) fs.writeFileSync(edited, original);
  }
}

function run(cwd: string, m: Measure, stateFile: string): Promise<number> {
  fs.rmSync(stateFile, { force: true });
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(m.args[0], m.args.slice(1), {
      cwd,
      // npm is npm.cmd on Windows, which Node starts only through a shell.
      shell: process.platform === 'win32',
      detached: ownProcessGroup(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KATA_STATE_FILE: stateFile, NO_COLOR: '1', CI: '' },
    });
    let seen = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const s = (performance.now() - started) / 1000;
      if (child.pid !== undefined) killTree(child.pid);
      resolve(s);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (m.until?.test(seen)) finish();
    });
    child.stderr.resume();
    child.on('close', finish);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

startCommand(spec, async ({ values }) => {
  if (typeof values.before !== 'string') throw new CommandError('--before <git revision> is required (e.g. --before main)');
  const runs = values.runs === undefined ? 3 : intOption('runs', values.runs as string, 1, 20);
  const git = (args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let before: string;
  try {
    before = git(['rev-parse', '--verify', `${values.before}^{commit}`]);
  } catch {
    throw new CommandError(`--before: "${values.before}" is not a git revision of this repository`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-loop-'));
  const trees = { before: path.join(tmp, 'before'), after: path.join(tmp, 'after') };
  git(['worktree', 'add', '--detach', trees.before, before]);
  // "after" is this working tree as it is (uncommitted changes included): a copy.
  fs.cpSync(repoRoot, trees.after, { recursive: true, filter: (src) => !/[\\/](node_modules|\.git|runs|grades)$/.test(src) });
  // The old revision shares node_modules only when it pins the same packages.
  const sameLock =
    fs.readFileSync(path.join(trees.before, 'package-lock.json'), 'utf8') === fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8');
  if (sameLock) linkFolder(path.join(repoRoot, 'node_modules'), path.join(trees.before, 'node_modules'));
  else
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--engine-strict=false'], {
      cwd: trees.before,
      stdio: 'ignore',
      shell: process.platform === 'win32',
    });
  linkFolder(path.join(repoRoot, 'node_modules'), path.join(trees.after, 'node_modules'));
  const state = path.join(tmp, 'state.json');
  try {
    console.log(`before: ${before.slice(0, 10)} (${values.before})    after: this working tree`);
    console.log(
      `calibration: a fixed plain loop takes ${calibration().toFixed(2)} ns per element; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const rows: string[][] = [];
    for (const m of MEASURES) {
      const times: Record<'before' | 'after', number[]> = { before: [], after: [] };
      // Alternate, so that a change in the machine's load hits both sides alike.
      for (let r = 0; r < runs; r++) {
        for (const side of ['before', 'after'] as const) times[side].push(await timed(trees[side], m, state));
      }
      const b = median(times.before);
      const a = median(times.after);
      rows.push([m.name, `${b.toFixed(1)} s`, `${a.toFixed(1)} s`, `${(b / a).toFixed(1)}x`]);
      console.log(`  ${m.name}: before ${times.before.map((t) => t.toFixed(1)).join(', ')}  after ${times.after.map((t) => t.toFixed(1)).join(', ')}`);
    }
    console.log(`\n${formatTable(['command (median wall time)', 'before', 'after', 'speed-up'], rows, { align: ['left', 'right', 'right', 'right'] })}`);
    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; calibration at the end: ${calibration().toFixed(2)} ns per element`,
    );
  } finally {
    git(['worktree', 'remove', '--force', trees.before]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
});
