/**
 * The playground page: loads the models the server offers (one, or two side
 * by side), then runs every layer on the current input each time it changes:
 * a drawing (preprocessed like MNIST) or a digit of the MNIST test set.
 */
import { parseIdxImages, parseIdxLabels } from '../../lib/mnist';
import { DrawingPad } from './draw';
import { currentLang, setLang, t } from './i18n';
import type { Network } from './network';
import { preprocess, SIDE } from './preprocess';
import { paintBars, paintFilters, paintMaps, paintPlane } from './render';
import { type Lang, runTitle } from '../../scripts/report/run-title';

/** One model as the server describes it (GET /api/models). */
interface ModelInfo {
  /** "reference" or the run folder's name. */
  label: string;
  /** Which code trained it: "engine+solutions", "solutions", "exercises" or a folder's name. */
  tree: string;
  /** Whose network it is, in each language (scripts/trees.ts's whoseNetwork). */
  whose: Record<Lang, string>;
  /** Whether the learner's own code trained it (exercises/ or a folder), not the reference. */
  mine: boolean;
  /** history.json's model name ("sheet", "lenet"), or null. */
  network: string | null;
  /** When the run started (ISO time). */
  startedAt: string;
  /** Whether it trained with the engine's fast layers (and so runs with them). */
  engine: boolean;
  /** URLs of its network bundle, its model.bin and (if there is one) its history.json. */
  net: string;
  model: string;
  history: string | null;
}

interface Loaded {
  info: ModelInfo;
  network: Network;
  /** Indices of the test digits the model got wrong (from history.json). */
  mistakes: number[];
  bars: HTMLElement;
  /** The predicted class in large type, with its probability. */
  verdict: HTMLElement;
  timing: HTMLElement;
  /** Where each layer's output is drawn: one canvas per channel for images, one strip for vectors. */
  maps: { index: number; container: HTMLElement }[];
  strips: { index: number; canvas: HTMLCanvasElement }[];
}

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector(selector) as T;

function element(tag: string, className: string, html = ''): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  el.innerHTML = html;
  return el;
}

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const shapeText = (shape: number[]): string => `[${shape.join(', ')}]`;
const IMAGE_LAYERS = new Set(['conv2d', 'relu', 'maxpool2d', 'avgpool2d']);

async function loadModel(info: ModelInfo): Promise<Loaded> {
  const { loadNetwork } = (await import(info.net)) as typeof import('./network');
  const response = await fetch(info.model);
  if (!response.ok) throw new Error(`${info.label}/model.bin: the server answered ${response.status}`);
  const network = loadNetwork(new Uint8Array(await response.arrayBuffer()), `${info.label}/model.bin`, info.engine);
  const history = info.history === null ? null : await (await fetch(info.history)).json();
  const mistakes = (history?.test?.mistakes ?? []).map((m: { index: number }) => m.index);
  return { info, network, mistakes, bars: element('ol', 'bars'), verdict: element('p', 'verdict'), timing: element('p', 'timing'), maps: [], strips: [] };
}

/**
 * A run's name for people, in the page's language: whose network it is, the
 * network and the date, and the run folder's name below in small text. Each
 * line fits its box (an ellipsis, and the full text in its title attribute).
 */
function runName(m: Loaded): HTMLElement {
  const box = element('div', 'run-name');
  const line = (cls: string, text: string): HTMLElement => {
    const p = box.appendChild(element('p', cls));
    p.textContent = text;
    p.title = text;
    return p;
  };
  const whose = m.info.whose[currentLang()];
  const badge = line('whose', '').appendChild(element('span', m.info.mine ? 'badge yours' : 'badge reference'));
  badge.textContent = whose;
  badge.parentElement!.title = whose;
  line('run-title', runTitle(m.info.network, m.network.summary.rows.length, m.info.startedAt, currentLang()));
  line('run-folder', m.info.label);
  return box;
}

/** Writes every run's name again (after the language changed). */
function renderRunNames(models: Loaded[]): void {
  const boxes = document.querySelectorAll<HTMLElement>('[data-run]');
  for (const box of boxes) {
    const m = models[Number(box.dataset.run)];
    box.dataset.tree = m.info.tree;
    box.replaceChildren(...runName(m).childNodes);
  }
}

/** The prediction card of one model: its name (side by side), the kernel it runs on, and the bars. */
function predictionCard(m: Loaded, i: number): HTMLElement {
  const card = element(
    'section',
    'card prediction',
    `<h2 data-i18n="prediction">${t('prediction')}</h2>` +
      `<div class="run-name" data-run="${i}"></div>` +
      `<p class="meta"><span data-i18n="kernel">${t('kernel')}</span> ${escape(m.network.kernel)}</p>`,
  );
  // Only the verdict is announced: the bars change with every stroke.
  m.verdict.setAttribute('aria-live', 'polite');
  paintBars(m.bars, null);
  card.append(m.verdict, m.bars, m.timing);
  return card;
}

/** One card per layer of one model: its summary line, its feature maps and, for a convolution, its filters. */
function layerCards(m: Loaded, i: number): HTMLElement {
  const column = element('div', 'layer-column', `<div class="column-title run-name" data-run="${i}"></div>`);
  const last = m.network.summary.rows.length - 1;
  for (const row of m.network.summary.rows) {
    const card = element(
      'section',
      'card layer',
      `<h3>${row.index + 1}. ${escape(row.name)}</h3>` +
        `<p class="meta"><span data-i18n="output">${t('output')}</span> ${shapeText(row.outputShape)} · ` +
        `<span data-i18n="parameters">${t('parameters')}</span> ${row.params.toLocaleString('en')}</p>`,
    );
    const body = card.appendChild(element('div', 'layer-body'));
    if (IMAGE_LAYERS.has(row.spec.type) && row.outputShape.length === 3) {
      const maps = body.appendChild(element('div', 'maps'));
      maps.dataset.layer = String(row.index);
      maps.dataset.shape = row.outputShape.join(',');
      m.maps.push({ index: row.index, container: maps });
    } else if (row.outputShape.length === 1) {
      const strip = body.appendChild(element('canvas', 'strip')) as HTMLCanvasElement;
      strip.setAttribute('role', 'img');
      strip.setAttribute('aria-label', `${row.name}: ${row.outputShape[0]} values`);
      m.strips.push({ index: row.index, canvas: strip });
      if (row.index === last && row.outputShape[0] === 10) {
        // The classes' scores: each cell of the strip under its class.
        const labels = body.appendChild(element('ol', 'strip-labels'));
        labels.setAttribute('aria-label', t('classes'));
        for (let k = 0; k < 10; k++) labels.appendChild(element('li', '', String(k)));
        strip.classList.add('classes');
      }
    }
    const W = m.network.params[row.index].W;
    if (row.spec.type === 'conv2d' && W !== undefined) {
      const block = body.appendChild(element('div', 'filter-block', `<h4><span data-i18n="filters">${t('filters')}</span> ${shapeText(W.shape)}</h4>`));
      const filters = block.appendChild(element('div', 'filters'));
      filters.dataset.shape = W.shape.join(',');
      paintFilters(filters, W.shape, W.data, row.name);
    }
    column.append(card);
  }
  return column;
}

/** MNIST's test digits, fetched on first use. */
let testSet: Promise<{ pixels: Uint8Array; labels: Int32Array }> | null = null;
function testDigits(): Promise<{ pixels: Uint8Array; labels: Int32Array }> {
  testSet ??= Promise.all([fetch('/data/test-images'), fetch('/data/test-labels')]).then(async ([images, labels]) => ({
    pixels: parseIdxImages(new Uint8Array(await images.arrayBuffer()), 'test images').pixels,
    labels: parseIdxLabels(new Uint8Array(await labels.arrayBuffer()), 'test labels'),
  }));
  return testSet;
}

/** What is shown: the pixels, their label (a test digit's, or null for a drawing) and what they are, for the status line. */
type Input = [input: Float64Array, label: number | null, what: string];

async function main(): Promise<void> {
  setLang(localStorage.getItem('playground-lang') === 'ja' ? 'ja' : 'en');
  const models = await loadModels();

  let last: Input = [new Float64Array(SIDE * SIDE), null, ''];
  const run = (...input: Input): void => {
    last = input;
    showInput(models, input);
  };
  $('#lang').addEventListener('click', () => {
    setLang(currentLang() === 'en' ? 'ja' : 'en');
    localStorage.setItem('playground-lang', currentLang());
    renderRunNames(models);
    run(...last); // the texts written at each run, in the new language
  });

  const pad = new DrawingPad($<HTMLCanvasElement>('#pad'), (ink, w, h) => run(preprocess(ink, w, h), null, ''));
  const clear = (): void => {
    pad.clear();
    run(new Float64Array(SIDE * SIDE), null, '');
  };
  $('#clear').addEventListener('click', clear);
  const showTest = testDigitControls(models[0].mistakes, pad, run);

  const asked = new URLSearchParams(location.search).get('test');
  if (asked !== null) await showTest(Number(asked));
  else clear();
  document.body.dataset.ready = 'true';
}

/** Loads the models the server offers and lays out their cards: the run names, the predictions and the layers. */
async function loadModels(): Promise<Loaded[]> {
  const infos = (await (await fetch('/api/models')).json()) as ModelInfo[];
  const models = await Promise.all(infos.map(loadModel));
  document.body.classList.toggle('compare', models.length > 1);
  for (const i of models.keys()) $('#runs').appendChild(element('div', 'run-name')).dataset.run = String(i);
  $('#predictions').append(...models.map(predictionCard));
  $('#layers').append(...models.map(layerCards));
  renderRunNames(models);
  return models;
}

/** Runs every model on the input (an empty pad clears them instead) and shows the input and its status line. */
function showInput(models: Loaded[], [input, label, what]: Input): void {
  paintPlane($<HTMLCanvasElement>('#processed'), input, 0, SIDE, SIDE, 1);
  // An empty pad: no prediction (a blank image is no digit), blank layers, no timing.
  const empty = input.every((v) => v === 0);
  for (const m of models) {
    if (empty) paintEmpty(m);
    else paintPrediction(m, input, label);
  }
  const status = $('#input-status');
  status.textContent = label === null ? what : `${what} · ${t('label')} ${label}`;
  status.dataset.label = label === null ? '' : String(label);
}

/** One model's cards for an empty pad: a hint instead of the verdict, no bars, no timing, blank layers. */
function paintEmpty(m: Loaded): void {
  paintBars(m.bars, null);
  m.verdict.innerHTML = `<span class="hint">${t('drawADigit')}</span>`;
  m.verdict.dataset.state = 'empty';
  m.timing.textContent = '';
  delete m.timing.dataset.ms;
  for (const { index, container } of m.maps) {
    const shape = m.network.summary.rows[index].outputShape;
    paintMaps(container, shape, new Float64Array(shape[0] * shape[1] * shape[2]), m.network.summary.rows[index].name);
  }
  for (const { index, canvas } of m.strips) {
    const n = m.network.summary.rows[index].outputShape[0];
    paintPlane(canvas, new Float64Array(n), 0, 1, n, 0);
  }
}

/** Runs one model on the input: its bars, its verdict (checked against the label, if any), its time and every layer's output. */
function paintPrediction(m: Loaded, input: Float64Array, label: number | null): void {
  const started = performance.now();
  const { outputs, proba } = m.network.run(input);
  const ms = performance.now() - started;
  paintBars(m.bars, proba, label);
  const best = Number(m.bars.dataset.predicted);
  const check =
    label === null
      ? ''
      : label === best
        ? `<span class="check good">✓ ${t('correct')}</span>`
        : `<span class="check bad">✗ ${t('wrongLabel')} <b>${label}</b></span>`;
  m.verdict.innerHTML = `<span class="big">${best}</span><span class="sure">${(100 * proba[best]).toFixed(1)}%</span>${check}`;
  m.verdict.dataset.state = 'predicted';
  m.timing.dataset.ms = String(ms);
  m.timing.textContent = `${ms.toFixed(1)} ${t('millis')}`;
  for (const { index, container } of m.maps) {
    paintMaps(container, outputs[index].shape.slice(1), outputs[index].data, m.network.summary.rows[index].name);
  }
  for (const { index, canvas } of m.strips) {
    const { data } = outputs[index];
    paintPlane(
      canvas,
      data,
      0,
      1,
      data.length,
      data.reduce((a, v) => Math.max(a, Math.abs(v)), 0),
    );
  }
}

/**
 * The test-digit buttons (random, a mistake of the first model, a random
 * digit of a class) and the index field; returns what shows test digit `index`.
 */
function testDigitControls(mistakes: number[], pad: DrawingPad, run: (...input: Input) => void): (index: number) => Promise<void> {
  const indexField = $<HTMLInputElement>('#test-index');
  const showTest = async (index: number): Promise<void> => {
    const { pixels, labels } = await testDigits();
    if (!(Number.isInteger(index) && index >= 0 && index < labels.length)) return;
    indexField.value = String(index);
    const input = Float64Array.from(pixels.subarray(index * SIDE * SIDE, (index + 1) * SIDE * SIDE), (v) => v / 255);
    pad.show(input, SIDE);
    run(input, labels[index], `#${index}`);
  };
  const randomOf = (indices: number[]): number => indices[Math.floor(Math.random() * indices.length)];
  $('#random').addEventListener('click', async () => showTest(Math.floor(Math.random() * (await testDigits()).labels.length)));
  $<HTMLButtonElement>('#mistake').disabled = mistakes.length === 0;
  $('#mistake').addEventListener('click', () => showTest(randomOf(mistakes)));
  $('#by-class').addEventListener('click', async () => {
    const wanted = Number($<HTMLSelectElement>('#class').value);
    const { labels } = await testDigits();
    showTest(randomOf([...labels.keys()].filter((i) => labels[i] === wanted)));
  });
  $('#test-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showTest(Number(indexField.value));
  });
  return showTest;
}

main().catch((error: unknown) => {
  const box = $('#error');
  box.hidden = false;
  box.textContent = error instanceof Error ? error.message : String(error);
  document.body.dataset.ready = 'error';
});
