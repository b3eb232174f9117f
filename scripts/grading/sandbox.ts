/**
 * Runs one command of the grader (a jest run, a type check) on untrusted code
 * with limits on the whole process tree.
 *
 * The mechanism, chosen by what the machine allows (README.md, "The trust model"):
 *   bubblewrap   new mount, PID, network, IPC, UTS, user and cgroup namespaces;
 *                the process sees only the system folders, node_modules and its
 *                own workspace (read-only, at /grade) plus /grade/run and /tmp
 *                (writable, /tmp in memory and size-limited); no network;
 *                uid 65534 inside; when the run ends or is killed the PID
 *                namespace ends with it, so no descendant survives.
 *   cgroup       (v1 or v2, when the grader may create one) a memory limit for
 *                the whole tree, counting memory outside the V8 heap, and a
 *                limit on the number of processes.
 * Without bubblewrap the run still has its own process group, the cgroup and
 * the time limit, and the grader says loudly what is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the workspace appears inside the sandbox. */
export const SANDBOX_ROOT = '/grade';

export interface SandboxKind {
  bubblewrap: boolean;
  cgroup: 'v1' | 'v2' | null;
  /** What is missing, for the loud warning (empty when nothing is). */
  missing: string[];
}

let detected: SandboxKind | null = null;

function bubblewrapWorks(): boolean {
  const bwrap = ['bwrap', '--unshare-all', '--unshare-user', '--die-with-parent', '--ro-bind', '/', '/', 'true'];
  const command = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...bwrap] : bwrap;
  const probe = spawnSync(command[0], command.slice(1), { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

/** The cgroup folders this process may create children in, per controller. */
function cgroupParents(): { kind: 'v1' | 'v2'; memory: string; pids: string; cpu: string | null } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return null;
  }
  const v1 = (controller: string): string | null => {
    const line = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
    return line ? path.join('/sys/fs/cgroup', controller, line.split(':')[2]) : null;
  };
  const memory = v1('memory');
  const pids = v1('pids');
  const cpu = v1('cpuacct');
  if (memory && pids && writable(memory) && writable(pids)) return { kind: 'v1', memory, pids, cpu: cpu && writable(cpu) ? cpu : null };
  const unified = lines.find((l) => l.startsWith('0::'));
  if (unified && fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const dir = path.join('/sys/fs/cgroup', unified.slice(3));
    if (writable(dir)) return { kind: 'v2', memory: dir, pids: dir, cpu: dir };
  }
  return null;
}

function writable(dir: string): boolean {
  const probe = path.join(dir, `kata-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Removes empty cgroups left by graders that were killed (named kata-grade-<pid>-..., that pid gone). */
function removeStaleCgroups(): void {
  const parents = cgroupParents();
  if (!parents) return;
  for (const parent of new Set([parents.memory, parents.pids, parents.cpu ?? parents.memory])) {
    for (const name of fs.readdirSync(parent)) {
      const owner = /^kata-grade-(\d+)-/.exec(name);
      if (!owner || fs.existsSync(`/proc/${owner[1]}`)) continue;
      try {
        fs.rmdirSync(path.join(parent, name));
      } catch {
        // not empty yet, or not ours to remove
      }
    }
  }
}

export function detectSandbox(): SandboxKind {
  if (detected) return detected;
  if (process.platform === 'linux') removeStaleCgroups();
  const bubblewrap = process.platform === 'linux' && bubblewrapWorks();
  const cgroup = process.platform === 'linux' ? (cgroupParents()?.kind ?? null) : null;
  const missing: string[] = [];
  if (!bubblewrap) {
    missing.push(
      'bubblewrap (bwrap) is missing or not permitted: submissions run',
      'WITHOUT a private file system or network; they can read and write',
      'what this user can (the repository, other workspaces, the reports).',
      'Install it: apt-get install bubblewrap',
    );
  }
  if (!cgroup) missing.push('no writable cgroup: memory outside the V8 heap and the number', 'of processes are not limited.');
  detected = { bubblewrap, cgroup, missing };
  return detected;
}

/** A group of cgroups (memory and pids) for one run; removed by `release`. */
class RunCgroup {
  readonly dirs: string[];
  readonly cpuDir: string | null;
  constructor(name: string, memoryBytes: number, maxProcesses: number) {
    const parents = cgroupParents()!;
    this.dirs = [...new Set([parents.memory, parents.pids, parents.cpu ?? parents.memory])].map((p) => path.join(p, name));
    this.cpuDir = parents.cpu ? path.join(parents.cpu, name) : null;
    for (const dir of this.dirs) fs.mkdirSync(dir);
    if (parents.kind === 'v1') {
      fs.writeFileSync(path.join(this.dirs[0], 'memory.limit_in_bytes'), String(memoryBytes));
      const swap = path.join(this.dirs[0], 'memory.memsw.limit_in_bytes');
      if (fs.existsSync(swap)) fs.writeFileSync(swap, String(memoryBytes));
      fs.writeFileSync(path.join(parents.pids, name, 'pids.max'), String(maxProcesses));
    } else {
      const dir = this.dirs[0];
      const set = (file: string, value: string): void => {
        if (fs.existsSync(path.join(dir, file))) fs.writeFileSync(path.join(dir, file), value);
      };
      set('memory.max', String(memoryBytes));
      set('memory.swap.max', '0');
      set('pids.max', String(maxProcesses));
    }
  }

  /** The shell line that moves the shell into every cgroup of the run before it execs the command. */
  joinCommand(): string {
    return this.dirs.map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
  }

  /** True when the memory limit was reached during the run. */
  hitMemoryLimit(): boolean {
    const dir = this.dirs[0];
    try {
      const v1 = path.join(dir, 'memory.oom_control');
      if (fs.existsSync(v1)) return /\boom_kill [1-9]/.test(fs.readFileSync(v1, 'utf8'));
      const events = fs.readFileSync(path.join(dir, 'memory.events'), 'utf8');
      return /\boom_kill [1-9]/.test(events) || /\bmax [1-9]/.test(events);
    } catch {
      return false;
    }
  }

  /** The most memory the whole tree used at once, in bytes (0 when unknown). */
  peakMemoryBytes(): number {
    for (const file of ['memory.max_usage_in_bytes', 'memory.peak']) {
      try {
        return Number(fs.readFileSync(path.join(this.dirs[0], file), 'utf8').trim()) || 0;
      } catch {
        // the other cgroup version's file
      }
    }
    return 0;
  }

  /** CPU time used by the whole tree so far, in milliseconds (0 when unknown). */
  cpuMs(): number {
    if (!this.cpuDir) return 0;
    try {
      const v1 = path.join(this.cpuDir, 'cpuacct.usage');
      if (fs.existsSync(v1)) return Number(fs.readFileSync(v1, 'utf8')) / 1e6;
      const m = /usage_usec (\d+)/.exec(fs.readFileSync(path.join(this.cpuDir, 'cpu.stat'), 'utf8'));
      return m ? Number(m[1]) / 1000 : 0;
    } catch {
      return 0;
    }
  }

  /** Kills whatever is still in the cgroups. */
  kill(): void {
    for (let attempt = 0; attempt < 50; attempt++) {
      const pids = this.dirs.flatMap((d) => {
        try {
          return fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
        } catch {
          return [];
        }
      });
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync('sleep', ['0.05']);
    }
  }

  /** Kills whatever is left, then removes the cgroups (a dying process can hold one for a moment). */
  release(): void {
    this.kill();
    for (const dir of this.dirs) {
      for (let attempt = 0; attempt < 40 && fs.existsSync(dir); attempt++) {
        try {
          fs.rmdirSync(dir);
        } catch {
          spawnSync('sleep', ['0.05']);
        }
      }
    }
  }
}

export interface SandboxRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  memoryLimitHit: boolean;
  durationMs: number;
  /** CPU time of the whole process tree (0 without a cgroup). */
  cpuMs: number;
  /** Peak memory of the whole process tree (0 without a cgroup). */
  peakMemoryBytes: number;
  /** The last 64 KiB of stdout and stderr. */
  output: string;
  /** Every byte the run printed, counted (the output itself is capped). */
  outputBytes: number;
  /** What the run wrote on its channel (file descriptor 3), up to CHANNEL_MAX bytes; null without a channel. */
  channel: string | null;
  /** True when the channel held more than CHANNEL_MAX bytes (the rest was dropped). */
  channelOverflow: boolean;
}

/** The most the grader keeps of a run's channel (the verdict with every failure message fits). */
export const CHANNEL_MAX = 16 * 1024 * 1024;

export interface SandboxOptions {
  /** The workspace folder: read-only at SANDBOX_ROOT inside. */
  workspace: string;
  /** The run's own writable folder, mounted at SANDBOX_ROOT/run. */
  runDir: string;
  /** node_modules to mount read-only at SANDBOX_ROOT/node_modules. */
  nodeModules: string;
  /** The command, with paths as seen inside (under SANDBOX_ROOT). */
  command: string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** Count the time limit from the last output on stdout instead of the start (a batch that reports as it goes). */
  idleTimeout?: boolean;
  /** Every chunk of stdout as it arrives (the capped tail is in the result either way). */
  onStdout?: (chunk: string) => void;
  memoryBytes: number;
  /** A unique name for the run's cgroup. */
  name: string;
  /** More files or folders to bind read-write: [outside, inside] (the realm's FIFOs). */
  binds?: [string, string][];
  /** The run folder as a size-limited tmpfs (this many bytes) instead of a bind of runDir. */
  runTmpfsBytes?: number;
  /** Leave out node_modules (the submission's own process needs none). */
  noNodeModules?: boolean;
  /** A channel for the grader's own code in the run: this secret on file descriptor 4, results read from 3. */
  channelNonce?: string;
  /** Receives a function that kills the run. */
  onStart?: (kill: () => void) => void;
}

const OUTPUT_TAIL = 64 * 1024;

/** Inside paths become real ones when there is no bubblewrap to mount them. */
export function outsidePath(workspace: string, inside: string): string {
  return detectSandbox().bubblewrap ? inside : inside.replace(SANDBOX_ROOT, workspace);
}

/** True when every folder from `target` (or, for a file such as a FIFO, its folder) up to the root lets other users through (the sandbox's user is 65534). */
function othersCanReach(target: string): boolean {
  if (!fs.existsSync(target)) return false;
  const passable = (from: string): boolean => {
    for (let d = fs.statSync(from).isDirectory() ? from : path.dirname(from); ; d = path.dirname(d)) {
      if (!fs.existsSync(d) || (fs.statSync(d).mode & 0o001) === 0) return false;
      if (path.dirname(d) === d) return true;
    }
  };
  // Both the folders on its way and, for a link (node_modules in a grader's bundle), the folders it leads through.
  return passable(target) && passable(fs.realpathSync(target));
}

let nodeCopy: string | undefined;

/**
 * Where bubblewrap, started as user 65534, can read the running Node from: its
 * own folder, or, when that lies in a home folder closed to others (root's,
 * many nvm installs), a private copy of the binary made once per grading run
 * in a new temporary folder (removed at exit), mounted at the real path.
 */
function nodeSource(nodeDir: string): string {
  if (othersCanReach(nodeDir)) return nodeDir;
  if (nodeCopy === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-grade-node-'));
    fs.chmodSync(dir, 0o755);
    const binary = path.join(dir, path.basename(process.execPath));
    fs.copyFileSync(fs.realpathSync(process.execPath), binary);
    fs.chmodSync(binary, 0o755);
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    nodeCopy = dir;
  }
  return nodeCopy;
}

let closedPathSaid = false;

/**
 * Whether bubblewrap, started as user 65534, can read every folder it binds.
 * When one lies in a folder closed to others (a home folder of mode 750 or
 * 700), it starts as root instead (its user namespace then maps the sandbox's
 * user to root on the host), and says so once.
 */
function sourcesOpenToOthers(opts: SandboxOptions): boolean {
  const sources = [
    opts.workspace,
    ...(opts.noNodeModules ? [] : [opts.nodeModules]),
    ...(opts.runTmpfsBytes ? [] : [opts.runDir]),
    ...(opts.binds ?? []).map(([outside]) => outside),
  ];
  const closed = sources.find((dir) => !othersCanReach(dir));
  if (closed === undefined) return true;
  if (!closedPathSaid) {
    closedPathSaid = true;
    console.error(
      `grade: ${closed} is in a folder closed to other users, so the sandbox starts as root (files written inside would be root's on the host); let others through its folders (chmod o+x) for an unprivileged sandbox`,
    );
  }
  return false;
}

function bubblewrapArgs(opts: SandboxOptions, unprivileged: boolean): string[] {
  // Not /etc wholesale (it holds /etc/shadow): only the loader's cache and the time zone.
  const system = [
    ...['/usr', '/bin', '/lib', '/lib64'].filter((d) => fs.existsSync(d)).flatMap((d) => ['--ro-bind', d, d]),
    ...['/etc/ld.so.cache', '/etc/localtime'].flatMap((f) => ['--ro-bind-try', f, f]),
  ];
  // The running Node, wherever it is installed (nvm, Volta, an unpacked
  // tarball, even under /tmp): bound after the tmpfs so that none hides it.
  const node = path.dirname(fs.realpathSync(process.execPath));
  const nodeBind = system.some((a) => node.startsWith(a + '/')) ? [] : ['--ro-bind', unprivileged ? nodeSource(node) : node, node];
  return [
    '--unshare-all',
    '--unshare-user',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--uid',
    '65534',
    '--gid',
    '65534',
    ...system,
    '--dev',
    '/dev',
    '--size',
    String(256 * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    ...nodeBind,
    '--ro-bind',
    opts.workspace,
    SANDBOX_ROOT,
    ...(opts.runTmpfsBytes ? ['--size', String(opts.runTmpfsBytes), '--tmpfs', `${SANDBOX_ROOT}/run`] : ['--bind', opts.runDir, `${SANDBOX_ROOT}/run`]),
    ...(opts.noNodeModules ? [] : ['--ro-bind', opts.nodeModules, `${SANDBOX_ROOT}/node_modules`]),
    ...(opts.binds ?? []).flatMap(([outside, inside]) => ['--bind', outside, inside]),
    '--chdir',
    SANDBOX_ROOT,
    '--clearenv',
    ...Object.entries(opts.env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--',
  ];
}

const live = new Set<() => void>();
let hooked = false;
let interruptHandler: ((signal: NodeJS.Signals) => void) | null = null;
let interrupted = false;

/** Kills every run in progress (their promises resolve as killed). */
export function killAllRuns(): void {
  live.forEach((kill) => kill());
}

/**
 * What SIGINT and SIGTERM do: by default kill every run and exit (130);
 * with a handler, kill every run and call it once (the grader then writes
 * the reports of what finished). A second signal exits at once.
 */
export function onInterrupt(handler: ((signal: NodeJS.Signals) => void) | null): void {
  hookExit();
  interruptHandler = handler;
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllRuns);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAllRuns();
      if (interruptHandler && !interrupted) {
        interrupted = true;
        interruptHandler(sig);
      } else {
        process.exit(130);
      }
    });
  }
}

/** What a run that never started reports (the grader was interrupted first). */
const NOT_STARTED: SandboxRun = {
  exitCode: null,
  signal: 'SIGKILL',
  timedOut: false,
  memoryLimitHit: false,
  durationMs: 0,
  cpuMs: 0,
  peakMemoryBytes: 0,
  output: '',
  outputBytes: 0,
  channel: null,
  channelOverflow: false,
};

/** The shell script that joins the run's cgroup and starts the command in bubblewrap (as uid 65534 when the grader is root and it can). */
function sandboxScript(opts: SandboxOptions, cgroup: RunCgroup | null): string {
  const kind = detectSandbox();
  // As root, bubblewrap is started as uid/gid 65534 so that its user namespace maps the sandbox's uid to an
  // unprivileged one on the host (files written inside are nobody's, not root's).
  const unprivileged = kind.bubblewrap && process.getuid?.() === 0 && sourcesOpenToOthers(opts);
  const inner = kind.bubblewrap
    ? [
        ...(unprivileged ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : []),
        'bwrap',
        ...bubblewrapArgs(opts, unprivileged),
        ...opts.command,
      ]
    : opts.command.map((a) => outsidePath(opts.workspace, a));
  const quoted = inner.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return cgroup ? `${cgroup.joinCommand()} && exec ${quoted}` : `exec ${quoted}`;
}

/** The grader's channel of a run: the nonce written on fd 4, what comes back on fd 3 kept up to CHANNEL_MAX bytes. */
function openChannel(child: ChildProcess, nonce: string): () => { channel: string | null; channelOverflow: boolean } {
  let channel: string | null = '';
  let bytes = 0;
  let overflow = false;
  const chunks: Buffer[] = [];
  const results = child.stdio[3] as NodeJS.ReadableStream;
  results.on('data', (chunk: Buffer) => {
    if (bytes + chunk.length > CHANNEL_MAX) overflow = true;
    else chunks.push(chunk);
    bytes += chunk.length;
  });
  results.on('end', () => (channel = Buffer.concat(chunks).toString('utf8')));
  results.on('error', () => undefined);
  const secret = child.stdio[4] as NodeJS.WritableStream;
  secret.on('error', () => undefined);
  secret.end(nonce);
  return () => ({ channel, channelOverflow: overflow });
}

/** Runs the command under the sandbox; resolves (never rejects) with what happened. */
export function runSandboxed(opts: SandboxOptions): Promise<SandboxRun> {
  hookExit();
  if (interrupted) return Promise.resolve({ ...NOT_STARTED });
  const kind = detectSandbox();
  const cgroup = kind.cgroup ? new RunCgroup(opts.name, opts.memoryBytes, 256) : null;
  const script = sandboxScript(opts, cgroup);
  const env = kind.bubblewrap ? { PATH: process.env.PATH ?? '/usr/bin:/bin' } : { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: kind.bubblewrap ? '/' : opts.workspace,
      env,
      detached: true,
      stdio: opts.channelNonce === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const channelOf = opts.channelNonce === undefined ? () => ({ channel: null, channelOverflow: false }) : openChannel(child, opts.channelNonce);
    const killAll = (): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      cgroup?.kill();
    };
    const releaseAll = (): void => {
      killAll();
      cgroup?.release();
    };
    live.add(releaseAll);
    opts.onStart?.(killAll);
    const output = collectOutput(child, opts, killAll);
    child.on('close', (exitCode, signal) => {
      output.stop();
      const measured = { memoryLimitHit: cgroup?.hitMemoryLimit() ?? false, cpuMs: cgroup?.cpuMs() ?? 0, peakMemoryBytes: cgroup?.peakMemoryBytes() ?? 0 };
      killAll();
      cgroup?.release();
      live.delete(releaseAll);
      resolve({ exitCode, signal, ...measured, durationMs: Date.now() - started, ...output.result(), ...channelOf() });
    });
  });
}

/** Keeps the last OUTPUT_TAIL of stdout and stderr, counts every byte, and kills the run at its time limit (from the start, or from the last output with idleTimeout). */
function collectOutput(
  child: ChildProcess,
  opts: SandboxOptions,
  killAll: () => void,
): { stop: () => void; result: () => { output: string; outputBytes: number; timedOut: boolean } } {
  let output = '';
  let outputBytes = 0;
  const collect = (chunk: Buffer): void => {
    outputBytes += chunk.length;
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  let timedOut = false;
  const expire = (): void => {
    timedOut = true;
    killAll();
  };
  let timer = setTimeout(expire, opts.timeoutMs);
  child.stdout!.on('data', (chunk: Buffer) => {
    collect(chunk);
    opts.onStdout?.(chunk.toString());
    if (opts.idleTimeout) {
      clearTimeout(timer);
      timer = setTimeout(expire, opts.timeoutMs);
    }
  });
  child.stderr!.on('data', collect);
  return { stop: () => clearTimeout(timer), result: () => ({ output, outputBytes, timedOut }) };
}
