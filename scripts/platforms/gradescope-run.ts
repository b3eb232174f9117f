/**
 * What Gradescope's `run_autograder` runs, as root, in a fresh container for
 * each submission (working directory /autograder):
 *
 *   1. copies /autograder/submission (a copy of the student's repository, or
 *      of its exercises/ folder) into a folder of its own;
 *   2. grades it with this tree's `scripts/grade.ts`, the code of
 *      `npm run grade`, into a folder of its own;
 *   3. converts the grader's report into /autograder/results/results.json
 *      (scripts/platforms/gradescope-results.ts).
 *
 * Isolation: with bubblewrap working, the grader runs as root and sandboxes
 * every run of the student's code (README, "The trust model"). Where
 * bubblewrap cannot start (Docker without user namespaces), the whole grader
 * runs as an unprivileged user (kata-student, made by setup.sh) with no
 * capabilities: it reads this tree (owned by root, not writable), while
 * /autograder/source and /autograder/results are closed to it (mode 700); only
 * this process, as root, writes results.json, after every process of that user
 * has been ended. The output says which isolation was in force.
 *
 * Environment, for trying it outside Gradescope: KATA_AUTOGRADER_ROOT (instead
 * of /autograder), KATA_GRADESCOPE_USER (instead of kata-student),
 * KATA_GRADESCOPE_ISOLATION=user (run as that user even where bubblewrap
 * works, as where it does not), KATA_ONLY (grade only these exercises, e.g. 02,05).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectSandbox } from '../grading/sandbox';
import { repoRoot } from '../manifest';
import { checkReport, gradescopeResults, GradescopeResults } from './gradescope-results';

const MAX_REPORT_BYTES = 20 * 1024 * 1024;

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The folder of the submission that holds the exercise folders (or exercises/), going down one lone folder (a zipped folder). */
function submissionRoot(dir: string): string {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.') && e.name !== '__MACOSX');
  const looksGraded = entries.some((e) => e.isDirectory() && (/^\d{2}-/.test(e.name) || e.name === 'exercises'));
  if (!looksGraded && entries.length === 1 && entries[0].isDirectory()) return path.join(dir, entries[0].name);
  return dir;
}

/** A user name from /etc/passwd, or a number (a uid with no account, used as its own gid). */
function userIds(name: string): { uid: number; gid: number } | null {
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: Number(name) };
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Ends every process of this uid (the grader and anything the student's code left running). */
function killUser(uid: number): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = fs.readdirSync('/proc').filter((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
        return m !== null && (Number(m[1]) === uid || Number(m[2]) === uid);
      } catch {
        return false;
      }
    });
    if (pids.length === 0) return;
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('sleep', ['0.1']);
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else fs.lchownSync(p, uid, gid);
  }
}

/** Reads the one report the grader wrote (a regular file of bounded size, not followed through a link). */
function readReport(out: string): unknown {
  const reports = fs.readdirSync(out).filter((f) => f.endsWith('.json'));
  if (reports.length !== 1) throw new Error(`expected one report in the grader's output, found ${reports.length}`);
  const file = path.join(out, reports[0]);
  const stat = fs.lstatSync(file);
  if (!stat.isFile() || stat.size > MAX_REPORT_BYTES) throw new Error(`${reports[0]} is not a regular file of at most ${MAX_REPORT_BYTES} bytes`);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    return JSON.parse(fs.readFileSync(fd, 'utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

interface Work {
  ag: string;
  results: string;
  work: string;
  sub: string;
  out: string;
  tmp: string;
}

/** A private copy of the submission, and the grader's output and temporary folders, in a new folder. */
function prepareWork(): Work {
  const ag = path.resolve(process.env.KATA_AUTOGRADER_ROOT ?? '/autograder');
  const results = path.join(ag, 'results');
  fs.mkdirSync(results, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-gradescope-'));
  fs.chmodSync(work, 0o755);
  const w = { ag, results, work, sub: path.join(work, 'submission'), out: path.join(work, 'out'), tmp: path.join(work, 'tmp') };
  fs.mkdirSync(w.out, { mode: 0o700 });
  // The grader's temporary root lives here: the sandbox's user (65534) must pass through it.
  fs.mkdirSync(w.tmp, { mode: 0o755 });
  // Links are copied as links: the grader refuses a submission that holds one, naming it.
  fs.cpSync(submissionRoot(path.join(ag, 'submission')), w.sub, { recursive: true, verbatimSymlinks: true });
  return w;
}

/** How the grader is started: as root with bubblewrap per run, or as an unprivileged user when bubblewrap cannot start (or is asked not to). */
function chooseIsolation(w: Work): { isolation: string; command: string[]; user: ReturnType<typeof userIds> } {
  const sandbox = detectSandbox();
  const asUser = !sandbox.bubblewrap || process.env.KATA_GRADESCOPE_ISOLATION === 'user';
  const userName = process.env.KATA_GRADESCOPE_USER ?? 'kata-student';
  const user = asUser ? userIds(userName) : null;
  // tsx runs the TypeScript tools (this file is copied alone into the grader's tree: bundle.ts's TS_RUNNER).
  const runner = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const only = process.env.KATA_ONLY ? ['--only', process.env.KATA_ONLY] : [];
  const grade = [process.execPath, runner, path.join(repoRoot, 'scripts', 'grade.ts'), w.sub, '--out', w.out, ...only];
  if (!asUser) {
    return {
      isolation: `bubblewrap sandbox for every run of the submission's code${sandbox.cgroup ? `, cgroup ${sandbox.cgroup} limits` : ', no cgroup limits'}`,
      command: grade,
      user,
    };
  }
  if (user && process.getuid?.() === 0) {
    const isolation =
      `${sandbox.bubblewrap ? 'unprivileged user asked for' : 'bubblewrap could not start here'}: the grader and the submission's code ` +
      `ran as the unprivileged user ${userName} (uid ${user.uid}, no capabilities), who cannot write ${w.results} or read ${path.join(w.ag, 'source')}`;
    for (const d of [path.join(w.ag, 'source'), w.results]) if (fs.existsSync(d)) fs.chmodSync(d, 0o700);
    chownTree(w.sub, user.uid, user.gid);
    for (const d of [w.out, w.tmp]) fs.chownSync(d, user.uid, user.gid);
    const drop = ['--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs'];
    return { isolation, command: ['/usr/bin/setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, ...drop, '--', ...grade], user };
  }
  const weak = `WEAK: bubblewrap could not start and there is no user ${userName} to run as (or this is not root): the submission's code ran as ${os.userInfo().username}`;
  return { isolation: weak, command: grade, user };
}

/** Runs the grader; the isolation line gains what the grader said about its own sandbox (no bubblewrap for that user, no cgroup). */
function runGrader(w: Work, chosen: ReturnType<typeof chooseIsolation>): { run: ReturnType<typeof spawnSync>; isolation: string } {
  const { command, user } = chosen;
  let { isolation } = chosen;
  log(`isolation: ${isolation}`);
  const run = spawnSync(command[0], command.slice(1), {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: w.tmp, TMPDIR: w.tmp, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (user) {
    killUser(user.uid);
    const said = String(run.stderr ?? '');
    isolation += /bubblewrap \(bwrap\) is missing/.test(said) ? '; no bubblewrap sandbox per run' : '; and a bubblewrap sandbox per run';
    if (/no writable cgroup/.test(said)) isolation += ' (no cgroup: memory limited by the container only)';
  }
  log(String(run.stdout ?? ''));
  if (run.stderr) log(String(run.stderr));
  return { run, isolation };
}

/** results.json from the grader's report, or a zero with the reason and the output's tail when it could not grade. */
function resultsOf(w: Work, run: ReturnType<typeof spawnSync>, isolation: string, seconds: number): GradescopeResults {
  try {
    if (run.status !== 0) throw new Error(`the grader ended with ${run.signal ?? `exit code ${run.status}`}`);
    return gradescopeResults(checkReport(readReport(w.out)), { executionTimeSeconds: seconds, isolation });
  } catch (err) {
    const tail = `${String(run.stdout ?? '')}\n${String(run.stderr ?? '')}`.trim().split('\n').slice(-15).join('\n');
    return {
      score: 0,
      execution_time: Math.round(seconds),
      output: `The autograder could not grade this submission (${(err as Error).message}). Please tell your instructor.\nIsolation: ${isolation}\n\n${tail}`,
      visibility: 'visible',
      stdout_visibility: 'hidden',
      tests: [],
    };
  }
}

function main(): void {
  const started = Date.now();
  const w = prepareWork();
  const { run, isolation } = runGrader(w, chooseIsolation(w));
  const seconds = (Date.now() - started) / 1000;
  const result = resultsOf(w, run, isolation, seconds);
  fs.writeFileSync(path.join(w.results, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  fs.rmSync(w.work, { recursive: true, force: true });
  log(`results.json: ${result.score} points, ${result.tests.length} tests, ${seconds.toFixed(1)} s`);
}

main();
