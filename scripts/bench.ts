/**
 * npm run bench [-- --quick] [--only matmul,train,infer] [--threads N] [--write-figures FILE]
 *
 * Speed figures for the kata's hot path, printed as tables:
 *   1. matmul: GFLOP/s of each gemm kernel (reference, plain TypeScript,
 *      WebAssembly SIMD on 1 and on N threads) on the shapes the networks
 *      produce (im2col products are tall and skinny), and the fraction of the
 *      machine's stated float64 peak;
 *   2. training: images/s of the sheet's network and of LeNet-5 (batch 64,
 *      Adam) with each kernel, time per layer for forward and backward, per
 *      phase (forward, loss, backward, update) and the share spent in matmul;
 *   3. inference: time to classify 10,000 MNIST test images.
 * --quick runs shorter measurements and fewer configurations.
 * --write-figures FILE also writes the tables, with the date, the machine and
 * the calibration lines, into a Markdown file (docs/speed-figures.md is the
 * one the documentation links to), so figures are never copied by hand.
 *
 * Timings are the best of repeated runs (the least disturbed by other work
 * on the machine); every figure is for float64.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Layer, ParametricLayer } from '../lib/layer';
import { gemmJs, gemmReference, startGemmProfile, stopGemmProfile, type GemmOptions } from '../lib/matmul';
import { closeEngineThreads, engineKit, getEngineConfig, setEngineConfig, type EngineConfig } from '../engine';
import { THREAD_MIN_WORK, wasmKernelStatus } from '../engine/kernel-host';
import { availableThreads } from '../engine/kernel-pool';
import { gemmWasm } from '../engine/kernels/gemm';
import { loadMnist } from '../lib/mnist';
import { Adam } from '../lib/optimizers';
import { Rng } from '../lib/random';
import { Tensor } from '../lib/tensor';
import { SoftmaxCrossEntropy } from '../solutions/00-prerequisites/softmax-cross-entropy';
import * as reference from '../solutions/06-classifier/classifier';
import { sheetNetwork } from '../solutions/06-classifier/classifier';
import { lenet5 } from '../solutions/07-lenet/lenet';
import type { LayerSpec } from '../lib/model-spec';
import { layerName } from '../lib/summary';
import { formatTable } from './ui/table';
import { type LoadedTree, loadTree, TreeNotReadyError, TREES } from './trees';
import { CommandError, type CommandSpec, type ParsedCommand, startCommand } from './cli/command';
import { checkSpeedEnv } from './cli/env';
import { calibration } from './calibration';
import { intOption, listOption } from './cli/values';

// ---------------------------------------------------------------- options

interface Args {
  quick: boolean;
  only: Set<string>;
  threads: number;
  /** The Markdown file that receives the figures, if any. */
  figuresFile: string | undefined;
}

const SECTIONS = ['matmul', 'train', 'infer'] as const;

const USAGE = `usage: npm run bench -- [--quick] [--only SECTIONS] [--threads N] [--write-figures FILE]

  --quick               shorter measurements, fewer configurations
  --only SECTIONS       a comma-separated list of ${SECTIONS.join(', ')} (default: all)
  --threads N           threads of the WebAssembly kernel (default: every core)
  --write-figures FILE  also write the figures, date, machine and calibration
                        into FILE as Markdown (e.g. docs/speed-figures.md)`;

const spec: CommandSpec = {
  name: 'bench',
  usage: USAGE,
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, threads: { type: 'string' }, 'write-figures': { type: 'string' } },
  maxPositionals: 0,
};

function benchArgs({ values }: ParsedCommand): Args {
  return {
    quick: values.quick === true,
    only: new Set(values.only === undefined ? SECTIONS : listOption('only', values.only as string, SECTIONS)),
    threads: values.threads === undefined ? availableThreads() : intOption('threads', values.threads as string, 1, 256),
    figuresFile: values['write-figures'] as string | undefined,
  };
}

// ---------------------------------------------------------------- machine

/** Clock in GHz: the "cpu MHz" of /proc/cpuinfo where it exists, else what os.cpus() says. */
function clockGHz(): number {
  try {
    const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (mhz) return Number(mhz[1]) / 1000;
  } catch {
    // not Linux
  }
  return (os.cpus()[0]?.speed ?? 0) / 1000;
}

/**
 * The stated float64 peak: cores x clock x 16 FLOP per cycle, i.e. two 4-wide
 * (256-bit AVX2) fused multiply-adds per cycle and core, what current x86
 * cores can issue. WebAssembly SIMD is 2 wide and has no fused multiply-add,
 * so a WebAssembly kernel can reach at most half of it.
 */
const FLOP_PER_CYCLE = 16;

const loadText = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function machine(threads: number): { peak: number; lines: string[] } {
  const cores = availableThreads();
  const ghz = clockGHz();
  const peak = cores * ghz * FLOP_PER_CYCLE;
  const wasm = wasmKernelStatus();
  const cfg = getEngineConfig();
  return {
    peak,
    lines: [
      `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores at ${ghz.toFixed(2)} GHz, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
      `node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}; load average ${loadText()} (other work on the machine slows every figure)`,
      `calibration: a fixed plain loop takes ${calibration().toFixed(2)} ns per element (independent of the kata's code: if it is slower than in another run, so is the machine)`,
      `WebAssembly SIMD kernel: ${wasm.available ? 'available' : `unavailable (${wasm.reason})`}; the engine uses ${cfg.kernel} on up to ${cfg.threads} thread(s); the bench uses ${threads}`,
      `stated peak: ${cores} cores x ${ghz.toFixed(2)} GHz x ${FLOP_PER_CYCLE} FLOP/cycle (two 4-wide float64 FMA) = ${peak.toFixed(1)} GFLOP/s` +
        ` (WebAssembly's 2-wide SIMD without FMA tops out at half: ${(peak / 2).toFixed(1)})`,
    ],
  };
}

// ---------------------------------------------------------------- timing

/** Best time in ms of `run` over repeated calls lasting about `budgetMs` (after one warm-up call). */
function bestMs(run: () => void, budgetMs: number, maxRuns = 1000): number {
  run();
  let best = Infinity;
  const start = performance.now();
  for (let i = 0; i < maxRuns; i++) {
    const t0 = performance.now();
    run();
    const t = performance.now() - t0;
    if (t < best) best = t;
    if (performance.now() - start > budgetMs) break;
  }
  return best;
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

// ---------------------------------------------------------------- 1. matmul

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  options: GemmOptions;
}

/** The products of one training step at batch 64 (from im2col and the FC layers), and a square one. */
const SHAPES: Shape[] = [
  { name: 'LeNet conv1 forward  col W^T', m: 64 * 784, n: 6, k: 25, options: { transB: true } },
  { name: 'LeNet conv1 dW       dA^T col', m: 6, n: 25, k: 64 * 784, options: { transA: true } },
  { name: 'LeNet conv1 dcol     dA W', m: 64 * 784, n: 25, k: 6, options: {} },
  { name: 'LeNet conv2 forward', m: 64 * 100, n: 16, k: 150, options: { transB: true } },
  { name: 'LeNet conv2 dW', m: 16, n: 150, k: 64 * 100, options: { transA: true } },
  { name: 'LeNet conv2 dcol', m: 64 * 100, n: 150, k: 16, options: {} },
  { name: 'LeNet fc1 forward    X W', m: 64, n: 120, k: 400, options: {} },
  { name: 'LeNet fc1 dW         X^T dA', m: 400, n: 120, k: 64, options: { transA: true } },
  { name: 'LeNet fc1 dX         dA W^T', m: 64, n: 400, k: 120, options: { transB: true } },
  { name: 'sheet conv1 forward', m: 64 * 784, n: 8, k: 9, options: { transB: true } },
  { name: 'sheet conv2 forward', m: 64 * 196, n: 16, k: 72, options: { transB: true } },
  { name: 'sheet conv2 dW', m: 16, n: 72, k: 64 * 196, options: { transA: true } },
  { name: 'sheet fc1 forward', m: 64, n: 100, k: 784, options: {} },
  { name: 'square 512', m: 512, n: 512, k: 512, options: {} },
];

function flagText(o: GemmOptions): string {
  return [o.transA ? 'A^T' : '', o.transB ? 'B^T' : ''].filter(Boolean).join(' ') || '-';
}

function benchMatmul(args: Args, peak: number): void {
  const rng = new Rng(1);
  const budget = args.quick ? 60 : 250;
  const wasm = wasmKernelStatus().available;
  const headers = ['product', 'm x n x k', 'op', 'MFLOP', 'reference', 'js', 'wasm x1', `wasm x${args.threads}`, 'best/peak'];
  const rows: (string | number)[][] = [];
  for (const s of SHAPES) {
    const { m, n, k, options } = s;
    const a = rng.uniforms(m * k, -1, 1);
    const b = rng.uniforms(k * n, -1, 1);
    const c = new Float64Array(m * n);
    const flops = 2 * m * n * k;
    const rate = (run: () => void, maxRuns?: number): number => flops / bestMs(run, budget, maxRuns) / 1e6;
    // the triple loop needs seconds for the square case; one run is enough to show it
    const ref = rate(() => gemmReference(m, n, k, a, b, c, options), flops > 1e8 ? 1 : 1000);
    const js = rate(() => gemmJs(m, n, k, a, b, c, options));
    const w1 = wasm ? rate(() => gemmWasm(m, n, k, a, b, c, { ...options, threads: 1 })) : NaN;
    const wn = wasm ? rate(() => gemmWasm(m, n, k, a, b, c, { ...options, threads: args.threads })) : NaN;
    const best = Math.max(js, Number.isNaN(w1) ? 0 : w1, Number.isNaN(wn) ? 0 : wn);
    rows.push([
      s.name,
      `${m} x ${n} x ${k}`,
      flagText(options),
      fmt(flops / 1e6, 1),
      fmt(ref),
      fmt(js),
      fmt(w1),
      fmt(wn),
      `${fmt((100 * best) / peak, 1)}%`,
    ]);
  }
  const title = 'matmul: GFLOP/s (best of repeated runs, operands copied in and out included)';
  console.log(`\n${title}\n`);
  console.log(formatTable(headers, rows, { align: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'] }));
  keepFigures(title, headers, rows);
}

/**
 * What threads cost and from which size they pay: m x 64 x 64 products on 1
 * and on N threads (gemm itself only uses threads from THREAD_MIN_WORK on).
 */
function benchThreadOverhead(args: Args): void {
  if (!wasmKernelStatus().available || args.threads < 1) return;
  const budget = args.quick ? 40 : 150;
  const rng = new Rng(2);
  const a = rng.uniforms(4096 * 64, -1, 1);
  const b = rng.uniforms(64 * 64, -1, 1);
  const c = new Float64Array(4096 * 64);
  const rows: (string | number)[][] = [];
  for (const m of [1, 4, 16, 64, 128, 256, 512, 1024, 4096]) {
    const us = (threads: number): number => 1000 * bestMs(() => gemmWasm(m, 64, 64, a, b, c, { threads }), budget);
    const one = us(1);
    const many = us(args.threads);
    rows.push([`${m} x 64 x 64`, m * 64 * 64, fmt(one, 1), fmt(many, 1), fmt(one / many, 2)]);
  }
  const title = `threads: microseconds per product on 1 and ${args.threads} threads (gemm uses threads from ${THREAD_MIN_WORK} multiply-adds on)`;
  const headers = ['product', 'multiply-adds', 'x1 us', `x${args.threads} us`, 'speed-up'];
  console.log(`\n${title}\n`);
  console.log(formatTable(headers, rows, { align: ['left', 'right', 'right', 'right', 'right'] }));
  keepFigures(title, headers, rows);
}

// ---------------------------------------------------------------- 2. training

interface Data {
  images: Tensor;
  labels: Int32Array;
  source: string;
}

function trainingData(count: number): Data {
  try {
    const { images, labels } = loadMnist({ split: 'train', limit: count });
    return { images, labels, source: 'MNIST training images' };
  } catch (error) {
    const rng = new Rng(7);
    const images = new Tensor([count, 1, 28, 28], rng.uniforms(count * 784, 0, 1));
    const labels = Int32Array.from({ length: count }, () => rng.int(10));
    return { images, labels, source: `synthetic images (MNIST unavailable: ${error instanceof Error ? error.message : error})` };
  }
}

function slice(x: Tensor, first: number, count: number): Tensor {
  const per = x.size / x.shape[0];
  return new Tensor([count, ...x.shape.slice(1)], x.data.subarray(first * per, (first + count) * per));
}

interface StepProfile {
  forward: number[];
  backward: number[];
  /** CPU time (all threads of the process) inside each layer's forward and backward, ms. */
  cpuForward: number[];
  cpuBackward: number[];
  gemmForward: number[];
  gemmBackward: number[];
  loss: number;
  update: number;
  total: number;
  /** CPU time of the process (all threads), ms. */
  cpu: number;
  gemm: number;
  steps: number;
}

/**
 * Runs `steps` training steps of batch `batch` by hand (forward through every
 * layer, loss, backward, Adam update), timing each layer and phase.
 */
function profileTraining(layers: Layer[], data: Data, batch: number, steps: number): StepProfile {
  const loss = new SoftmaxCrossEntropy();
  const adam = new Adam({ lr: 1e-3 });
  const L = layers.length;
  const p: StepProfile = {
    forward: new Array(L).fill(0),
    backward: new Array(L).fill(0),
    cpuForward: new Array(L).fill(0),
    cpuBackward: new Array(L).fill(0),
    gemmForward: new Array(L).fill(0),
    gemmBackward: new Array(L).fill(0),
    loss: 0,
    update: 0,
    total: 0,
    cpu: 0,
    gemm: 0,
    steps,
  };
  const batches = Math.floor(data.labels.length / batch);
  const counters = startGemmProfile();
  const cpuBegin = process.cpuUsage();
  const begin = performance.now();
  /** CPU ms of the process since `from` (a process.cpuUsage() reading). */
  const cpuSince = (from: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000;
  };
  for (let s = 0; s < steps; s++) {
    const first = (s % batches) * batch;
    let x = slice(data.images, first, batch);
    const y = data.labels.subarray(first, first + batch);
    for (let i = 0; i < L; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const g0 = counters.ms;
      x = layers[i].forward(x);
      p.forward[i] += performance.now() - t0;
      p.cpuForward[i] += cpuSince(c0);
      p.gemmForward[i] += counters.ms - g0;
    }
    let t0 = performance.now();
    loss.forward(x, y);
    let dout = loss.backward();
    p.loss += performance.now() - t0;
    for (let i = L - 1; i >= 0; i--) {
      t0 = performance.now();
      const c0 = process.cpuUsage();
      const g0 = counters.ms;
      dout = layers[i].backward(dout);
      p.backward[i] += performance.now() - t0;
      p.cpuBackward[i] += cpuSince(c0);
      p.gemmBackward[i] += counters.ms - g0;
    }
    t0 = performance.now();
    for (const layer of layers) if (layer.params !== undefined) adam.update(layer as ParametricLayer);
    p.update += performance.now() - t0;
  }
  p.total = performance.now() - begin;
  const cpu = process.cpuUsage(cpuBegin);
  p.cpu = (cpu.user + cpu.system) / 1000;
  p.gemm = counters.ms;
  stopGemmProfile();
  return p;
}

interface Network {
  name: string;
  specs: LayerSpec[];
}

const NETWORKS: Network[] = [
  { name: 'sheet network', specs: sheetNetwork() },
  { name: 'LeNet-5', specs: lenet5() },
];

function withConfig<T>(cfg: EngineConfig, run: () => T): T {
  const previous = setEngineConfig(cfg);
  try {
    return run();
  } finally {
    setEngineConfig(previous);
  }
}

type ClassifierModule = LoadedTree['classifier'];

/** What trains: a tree's classifier with a layer kit, on an engine setting. */
interface Variant {
  label: string;
  classifier: ClassifierModule;
  kit: ClassifierModule['treeKit'] extends infer K ? Partial<K> : never;
  cfg: EngineConfig;
}

/**
 * The engine (on each kernel), the readable reference and, when it can
 * train, the learner's own tree (exercises/), side by side.
 */
function variants(args: Args): Variant[] {
  const wasm = wasmKernelStatus().available;
  const best: EngineConfig = wasm ? { kernel: 'wasm', threads: args.threads } : { kernel: 'js', threads: 1 };
  const list: Variant[] = [];
  if (!args.quick && wasm) list.push({ label: 'engine, js x1', classifier: reference, kit: engineKit, cfg: { kernel: 'js', threads: 1 } });
  if (!args.quick && wasm) list.push({ label: 'engine, wasm x1', classifier: reference, kit: engineKit, cfg: { kernel: 'wasm', threads: 1 } });
  list.push({ label: `engine, ${best.kernel} x${best.threads}`, classifier: reference, kit: engineKit, cfg: best });
  list.push({ label: `reference, ${best.kernel} x${best.threads}`, classifier: reference, kit: {}, cfg: best });
  try {
    const mine = loadTree(TREES.exercises, 'sheet');
    list.push({ label: `exercises, ${best.kernel} x${best.threads}`, classifier: mine.classifier, kit: {}, cfg: best });
  } catch (error) {
    if (!(error instanceof TreeNotReadyError)) throw error;
    console.log(`(your tree, exercises/, is left out: ${error.message.split('\n')[0]})`);
  }
  return list;
}

/** One network trained by one variant: its line of the summary, and its profile. */
interface TrainingFigures {
  net: Network;
  label: string;
  p: StepProfile;
  row: (string | number)[];
}

function benchTraining(args: Args): void {
  const batch = 64;
  const steps = args.quick ? 8 : 40;
  const data = trainingData(batch * Math.max(steps, 50));
  console.log(`\ntraining: batch ${batch}, Adam, ${data.source}; ${steps} timed steps after 2 warm-up steps\n`);
  const configs = variants(args);
  const measured = NETWORKS.flatMap((net) => configs.map((variant) => measureTraining(net, variant, data, batch, steps)));
  const summaryHeaders = ['network', 'layers, kernel', 'images/s (layers)', 'images/s (fit)', 'ms/step', 'CPU ms/step', 'in matmul'];
  const summaryNote = "layers: the loop below, timed per layer; fit: the classifier's own fit on the same images; CPU: all threads of the process";
  const summary = measured.map((m) => m.row);
  console.log(formatTable(summaryHeaders, summary, { align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'] }));
  console.log(`(${summaryNote})`);
  keepFigures(`training: batch ${batch}, Adam, ${data.source}; ${steps} timed steps after 2 warm-up steps`, summaryHeaders, summary, summaryNote);

  // per layer, for the engine's fastest configuration of each network
  for (const net of NETWORKS) {
    const mine = measured.filter((d) => d.net === net && d.label.startsWith('engine'));
    const { label, p } = mine[mine.length - 1];
    printLayerProfile(net, label, p, batch);
  }
}

/** Times `steps` training steps of one network on one variant, layer by layer and through the classifier's own fit. */
function measureTraining(net: Network, { label, classifier, kit, cfg }: Variant, data: Data, batch: number, steps: number): TrainingFigures {
  const clf = new classifier.Scratch2dCNNClassifier({ layers: net.specs, kit, optimizer: 'adam', batchSize: batch, epochs: 1, seed: 0 });
  const p = withConfig(cfg, () => {
    profileTraining(clf.layers, data, batch, 2);
    return profileTraining(clf.layers, data, batch, steps);
  });
  // end to end through the classifier's own fit (shuffling and divergence checks included)
  const fitImages = batch * steps;
  const fitMs = withConfig(cfg, () => {
    const fit = new classifier.Scratch2dCNNClassifier({ layers: net.specs, kit, optimizer: 'adam', batchSize: batch, epochs: 1, seed: 0 });
    fit.fit(slice(data.images, 0, 2 * batch), data.labels.subarray(0, 2 * batch)); // warm-up
    const x = slice(data.images, 0, fitImages);
    const y = data.labels.subarray(0, fitImages);
    const t0 = performance.now();
    fit.fit(x, y);
    return performance.now() - t0;
  });
  const perStep = p.total / p.steps;
  const row = [
    net.name,
    label,
    fmt((batch * 1000) / perStep, 0),
    fmt((fitImages * 1000) / fitMs, 0),
    fmt(perStep, 1),
    fmt(p.cpu / p.steps, 1),
    `${fmt((100 * p.gemm) / p.total, 0)}%`,
  ];
  return { net, label, p, row };
}

/** The time per layer (wall clock, CPU, in gemm) of one profile, and the share of each phase. */
function printLayerProfile(net: Network, label: string, p: StepProfile, batch: number): void {
  const ms = (x: number): string => fmt(x / p.steps, 2);
  const rows: (string | number)[][] = net.specs.map((spec, i) => [
    `${i} ${layerName(spec)}`,
    ms(p.forward[i]),
    ms(p.cpuForward[i]),
    ms(p.gemmForward[i]),
    ms(p.backward[i]),
    ms(p.cpuBackward[i]),
    ms(p.gemmBackward[i]),
  ]);
  const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
  rows.push(['loss (softmax, cross-entropy)', ms(p.loss), '', '', '', '', '']);
  rows.push(['update (Adam)', '', '', '', ms(p.update), '', '']);
  rows.push([
    'total',
    ms(sum(p.forward) + p.loss),
    ms(sum(p.cpuForward)),
    ms(sum(p.gemmForward)),
    ms(sum(p.backward) + p.update),
    ms(sum(p.cpuBackward)),
    ms(sum(p.gemmBackward)),
  ]);
  const layerTitle = `${net.name}, ${label}: ms per step of ${batch} images, forward and backward`;
  const layerHeaders = ['layer', 'fwd ms', 'CPU ms', 'gemm', 'bwd ms', 'CPU ms', 'gemm'];
  console.log(`\n${layerTitle}:`);
  console.log('wall clock, CPU time of all threads (steadier on a busy host), and in gemm\n');
  console.log(formatTable(layerHeaders, rows, { align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] }));
  const phases = [
    ['forward', sum(p.forward)],
    ['loss', p.loss],
    ['backward', sum(p.backward)],
    ['update', p.update],
  ] as const;
  const phaseLine = `phases: ${phases.map(([n, t]) => `${n} ${ms(t)} ms (${fmt((100 * t) / p.total, 0)}%)`).join(', ')}; matmul ${fmt((100 * p.gemm) / p.total, 0)}% of the step`;
  console.log(phaseLine);
  keepFigures(layerTitle, layerHeaders, rows, phaseLine);
}

// ---------------------------------------------------------------- 3. inference

function benchInference(args: Args): void {
  const count = args.quick ? 2000 : 10000;
  let images: Tensor;
  let source: string;
  try {
    images = loadMnist({ split: 'test', limit: count }).images;
    source = 'MNIST test images';
  } catch {
    images = new Tensor([count, 1, 28, 28], new Rng(3).uniforms(count * 784, 0, 1));
    source = 'synthetic images';
  }
  const rows: (string | number)[][] = [];
  const list = variants({ ...args, quick: true });
  for (const net of NETWORKS) {
    for (const { label, classifier, kit, cfg } of list) {
      const clf = new classifier.Scratch2dCNNClassifier({ layers: net.specs, kit, seed: 0 });
      clf.predict(slice(images, 0, 100)); // warm-up
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      withConfig(cfg, () => clf.predict(images));
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const per10k = (x: number): string => (count === 10000 ? fmt(x, 2) : `${fmt((x * 10000) / count, 2)} (scaled)`);
      rows.push([net.name, label, count, fmt(s, 2), fmt(count / s, 0), per10k(s), per10k(cpuS)]);
    }
  }
  const title = `inference: predict() on ${source}`;
  const headers = ['network', 'layers, kernel', 'images', 'seconds', 'images/s', 's per 10,000', 'CPU s per 10,000'];
  console.log(`\n${title}\n`);
  console.log(formatTable(headers, rows, { align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'] }));
  keepFigures(title, headers, rows);
}

// ---------------------------------------------------------------- figures file

/** The tables of this run, in order, for --write-figures. */
const figures: { title: string; headers: string[]; rows: (string | number)[][]; note?: string }[] = [];

function keepFigures(title: string, headers: string[], rows: (string | number)[][], note?: string): void {
  figures.push({ title, headers, rows, note });
}

/** A Markdown table; `|` inside a cell is escaped. */
function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Fails before any measurement when FILE's folder cannot take the file. */
function checkFiguresFile(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new CommandError(`--write-figures: cannot write into ${dir} (${(err as Error).message})`);
  }
}

/** Writes the kept tables with the date, the machine, the calibration lines and how busy the machine was. */
function writeFigures(file: string, machineLines: string[], endLine: string): void {
  const cores = availableThreads();
  const load = os.loadavg()[0];
  const busy =
    load >= cores / 2
      ? `The machine was busy while it ran (load average ${load.toFixed(2)} on ${cores} cores at the end): other work slows every figure, so a quiet machine gives higher ones.`
      : `The machine was fairly quiet at the end (load average ${load.toFixed(2)} on ${cores} cores).`;
  const text = [
    '# Speed figures',
    '',
    `Written by \`npm run bench -- ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    'Do not edit this file by hand: run the bench again to renew it ([speed.md](speed.md) explains what each figure measures).',
    busy,
    "Compare runs by their calibration lines: the same loop, independent of the kata's code, slower when the machine is.",
    '',
    ...machineLines.map((l) => `- ${l}`),
    `- ${endLine}`,
    ...figures.flatMap(({ title, headers, rows, note }) => [
      '',
      `## ${title}`,
      '',
      markdownTable(headers, rows),
      ...(note === undefined ? [] : ['', note]),
    ]),
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  console.log(`figures written to ${file}`);
}

// ---------------------------------------------------------------- main

function main(cmd: ParsedCommand): number {
  checkSpeedEnv();
  const args = benchArgs(cmd);
  if (args.figuresFile !== undefined) checkFiguresFile(args.figuresFile);
  const { peak, lines } = machine(args.threads);
  console.log(lines.join('\n'));
  setEngineConfig({ threads: args.threads });
  if (args.only.has('matmul')) {
    benchMatmul(args, peak);
    benchThreadOverhead(args);
  }
  if (args.only.has('train')) benchTraining(args);
  if (args.only.has('infer')) benchInference(args);
  const endLine = `load average at the end: ${loadText()}; calibration loop at the end: ${calibration().toFixed(2)} ns per element`;
  console.log(`\n${endLine}`);
  if (args.figuresFile !== undefined) writeFigures(args.figuresFile, lines, endLine);
  void closeEngineThreads();
  return 0;
}

startCommand(spec, main);
