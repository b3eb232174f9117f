/**
 * The playground in a real browser (Debian's Chromium, headless): the page
 * loads a small trained model, classifies a digit drawn with mouse events,
 * gives the same probabilities as Node's predictProba on test digits, shows
 * every feature map with its layer's shape, and logs no error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { loadMnist } from '../../lib/mnist';
import { summarize } from '../../lib/summary';
import { Tensor } from '../../lib/tensor';
import { readRunFolder } from '../../playground/server/runs';
import { startPlayground, type Playground } from '../../playground/server/server';
import { isReference, whoseNetwork } from '../../scripts/trees';
import { launchChromium, type Browser } from '../../playground/chromium';
import { artifactDir } from './artifacts';
import { boxes, cutOffOnTheRight, tableContainers } from './layout';
import { TINY_NETWORK, trainTinyRun, type TinyRun } from './tiny-run';

let run: TinyRun;
let server: Playground;
let browser: Browser;
const testSet = loadMnist({ split: 'test', limit: 500 });

beforeAll(async () => {
  browser = await launchChromium(); // first: without Chromium, say so before any training
  run = trainTinyRun();
  server = await startPlayground([readRunFolder(run.dir)]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (run) fs.rmSync(run.dir, { recursive: true, force: true });
});

async function open(query = '', width = 1280, height = 900): Promise<Page> {
  const page = await browser.newPage(width, height);
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector('body[data-ready]');
  expect(await page.getAttribute('body', 'data-ready')).toBe('true');
  return page;
}

/** Draws a polyline on the pad with mouse events; points are fractions of the pad's size. */
async function draw(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 10 });
  await page.mouse.up();
}

/** An attribute of every element a locator finds (the tests compile without the DOM's types, so no evaluate on elements). */
async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((one) => one.getAttribute(name)));
}

/** The exact probabilities the page shows, from the bars' data-p. */
async function pageProba(page: Page, panel = 0): Promise<number[]> {
  return (await attributes(page.locator('.bars').nth(panel).locator('li'), 'data-p')).map(Number);
}

function nodeProba(index: number): number[] {
  const image = new Tensor([1, 1, 28, 28], testSet.images.data.slice(index * 784, (index + 1) * 784));
  return [...run.model.predictProba(image).data];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** What the server says of a run trained from `tree`: its name, whose network it is in both languages, and whether it is the learner's. */
const trainedFrom = (tree: string): Record<string, unknown> => ({
  tree,
  whose: { en: whoseNetwork(tree, 'en'), ja: whoseNetwork(tree, 'ja') },
  mine: !isReference(tree),
});

/** Opens the page with /api/models changed by `change` (the page's texts for a tree this machine cannot run, for one). */
async function openWith(change: (models: Record<string, unknown>[]) => void, width = 1280): Promise<Page> {
  const page = await browser.newPage(width, 900);
  await page.route('**/api/models', async (route) => {
    const response = await route.fetch();
    const models = (await response.json()) as Record<string, unknown>[];
    change(models);
    await route.fulfill({ response, json: models });
  });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready]');
  expect(await page.getAttribute('body', 'data-ready')).toBe('true');
  return page;
}

describe('playground page', () => {
  test('the top says whose network it is, then a human title (the network and the date) with the run folder below in small text', async () => {
    const page = await open();
    expect(await page.textContent('#runs .whose')).toBe('The reference (solutions/)');
    // No history.json date: the run is dated by its model.bin.
    const written = fs.statSync(path.join(run.dir, 'model.bin')).mtime;
    const [title] = await boxes(page, '#runs .run-title');
    expect(title.text).toMatch(/^Network of 8 layers · /);
    expect(title.text).toContain(`${written.getDate()} ${MONTHS[written.getMonth()]} ${written.getFullYear()}`);
    expect(title.text).not.toContain(path.basename(run.dir));
    const [folder] = await boxes(page, '#runs .run-folder');
    expect(folder.text).toBe(path.basename(run.dir));
    expect(folder.lineHeight).toBeLessThan(title.lineHeight);
    await page.close();
  });

  test('a run of the learner\'s layers says "Trained with your layers (exercises/)", in Japanese too; a folder by its name', async () => {
    const page = await openWith((models) =>
      Object.assign(models[0], { ...trainedFrom('exercises'), network: 'lenet', startedAt: '2026-12-04T18:46:56.000Z' }),
    );
    expect(await page.textContent('#runs .whose')).toBe('Trained with your layers (exercises/)');
    expect(await page.getAttribute('#runs .whose .badge', 'class')).toBe('badge yours');
    const started = new Date('2026-12-04T18:46:56.000Z');
    expect(await page.textContent('#runs .run-title')).toContain(`LeNet-5 · ${started.getDate()} December 2026`);
    await page.click('#lang');
    expect(await page.textContent('#runs .whose')).toBe('あなたの層で学習（exercises/）');
    expect(await page.textContent('#runs .run-title')).toContain(`LeNet-5 · 2026年12月${started.getDate()}日`);
    await page.click('#lang');
    await page.close();
    const other = await openWith((models) => Object.assign(models[0], trainedFrom('my-layers')));
    expect(await other.textContent('#runs .whose')).toBe('Trained with the layers in my-layers');
    await other.close();
  });

  test('an empty pad shows "draw a digit" (in Japanese too), no prediction and no timing; a stroke brings both', async () => {
    const page = await open();
    expect(await page.textContent('.verdict')).toBe('Draw a digit');
    expect(await page.getAttribute('.bars', 'data-predicted')).toBe('');
    expect(await page.locator('.bars li.best').count()).toBe(0);
    expect(await page.locator('.bars .value').allTextContents()).toEqual(Array(10).fill('–'));
    expect(await page.textContent('.timing')).toBe('');
    expect(await page.locator('.timing').isVisible()).toBe(false);
    await page.click('#lang');
    expect(await page.textContent('.verdict')).toBe('数字を描いてください');
    await page.click('#lang');
    await draw(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    expect(await page.textContent('.verdict .big')).toMatch(/^\d$/);
    expect(await page.textContent('.timing')).toMatch(/^\d+\.\d ms per digit$/);
    await page.click('#clear');
    expect(await page.textContent('.verdict')).toBe('Draw a digit');
    expect(await page.textContent('.timing')).toBe('');
    await page.close();
  });

  test("the last layer's strip has the class labels 0 to 9, each under its own cell", async () => {
    const page = await open('?test=0');
    const strip = (await boxes(page, '.strip.classes'))[0];
    const labels = await boxes(page, '.strip-labels li');
    expect(labels.map((l) => l.text)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    labels.forEach((label, k) => {
      const centre = label.x + label.width / 2;
      expect(centre).toBeGreaterThan(strip.x + (k * strip.width) / 10);
      expect(centre).toBeLessThan(strip.x + ((k + 1) * strip.width) / 10);
    });
    await page.close();
  });

  test('a 1 drawn with the mouse is classified as 1; a 7 as 7', async () => {
    const page = await open();
    await draw(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    expect(await page.getAttribute('.bars', 'data-predicted')).toBe('1');
    await page.click('#clear');
    await draw(page, [
      [0.3, 0.2],
      [0.7, 0.2],
      [0.45, 0.85],
    ]);
    expect(await page.getAttribute('.bars', 'data-predicted')).toBe('7');
    await page.screenshot({ path: path.join(artifactDir(), 'playground-desktop.png'), fullPage: true });
    await page.close();
  });

  test('test digits get the probabilities of Node-side predictProba, within 1e-9', async () => {
    const indices = [0, 1, 2, ...run.mistakes.slice(0, 2)];
    const page = await open(`?test=${indices[0]}`);
    for (const index of indices) {
      await page.fill('#test-index', String(index));
      await page.click('#test-form button');
      // Locators, not waitForFunction: the page's Content-Security-Policy forbids evaluating strings.
      await page.locator('#input-status', { hasText: new RegExp(`^#${index} `) }).waitFor();
      const browserP = await pageProba(page);
      const nodeP = nodeProba(index);
      expect(browserP).toHaveLength(10);
      browserP.forEach((p, k) => expect(Math.abs(p - nodeP[k])).toBeLessThanOrEqual(1e-9));
      expect(await page.getAttribute('#input-status', 'data-label')).toBe(String(testSet.labels[index]));
    }
    await page.close();
  });

  test('"A misclassified one" shows a digit from history.json that the model gets wrong', async () => {
    const page = await open();
    await page.click('#mistake');
    await page.locator('#input-status:not([data-label=""])').waitFor();
    const index = Number(await page.inputValue('#test-index'));
    expect(run.mistakes).toContain(index);
    const predicted = await page.getAttribute('.bars', 'data-predicted');
    const label = await page.getAttribute('#input-status', 'data-label');
    expect(predicted).not.toBe(label);
    // The true class is on the bars: its bar marked and labelled, apart from the predicted one.
    const truth = page.locator('.bars li.truth');
    expect(await truth.count()).toBe(1);
    expect(await truth.locator('.digit').textContent()).toBe(label);
    expect(await truth.locator('.tag').textContent()).toBe('true label');
    expect(await truth.getAttribute('class')).not.toContain('best');
    expect(await page.textContent('.verdict .check')).toBe(`✗ wrong: the true label is ${label}`);
    await page.screenshot({ path: path.join(artifactDir(), 'playground-mistake-desktop.png'), fullPage: true });
    await page.close();
  });

  test("every conv, relu and pool layer shows one canvas per channel, of the layer's height and width; filters have W's shape", async () => {
    const page = await open('?test=3');
    const rows = summarize(TINY_NETWORK, [1, 28, 28]).rows.filter((r) => ['conv2d', 'relu', 'maxpool2d'].includes(r.spec.type));
    expect((await attributes(page.locator('.maps'), 'data-layer')).map(Number)).toEqual(rows.map((r) => r.index));
    for (const [i, row] of rows.entries()) {
      const [c, h, w] = row.outputShape;
      const canvases = page.locator('.maps').nth(i).locator('canvas');
      expect(await canvases.count()).toBe(c);
      expect(await attributes(canvases, 'height')).toEqual(Array(c).fill(String(h)));
      expect(await attributes(canvases, 'width')).toEqual(Array(c).fill(String(w)));
    }
    const filters = page.locator('.filters');
    expect(await attributes(filters, 'data-shape')).toEqual(['4,1,3,3', '8,4,3,3']);
    expect([await filters.nth(0).locator('canvas').count(), await filters.nth(1).locator('canvas').count()]).toEqual([4, 32]);
    await page.close();
  });

  test('keyboard: the arrow keys draw on the focused pad; the language switch relabels the page in Japanese', async () => {
    const page = await open();
    await page.focus('#pad');
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown'])
      await page.keyboard.press(key);
    expect(await page.getAttribute('.bars', 'data-predicted')).toMatch(/^\d$/);
    await page.click('#lang');
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await page.textContent('h1')).toBe('数字を描いて、ネットワークの中を見る');
    expect(await page.getAttribute('#pad', 'aria-label')).toContain('描画エリア');
    await page.click('#lang'); // back to English for the pages after this one (the choice is kept)
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });

  test('on a 390-pixel phone screen nothing is wider than the screen or cut off on the right', async () => {
    const page = await open('', 390, 844);
    await draw(page, [
      [0.3, 0.2],
      [0.7, 0.2],
      [0.45, 0.85],
    ]);
    expect(await page.getAttribute('.bars', 'data-predicted')).toBe('7');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await cutOffOnTheRight(page)).toEqual([]);
    for (const table of await tableContainers(page)) expect(table.overflowX).toBe('auto');
    await page.screenshot({ path: path.join(artifactDir(), 'playground-phone.png'), fullPage: true });
    await page.close();
  });

  test("side by side: the readable layers and the engine's on the same input, both with Node's probabilities", async () => {
    // The same weights, marked as trained with the engine's layers: the page runs those for it.
    // A long run folder name: side by side, each name keeps to one line, cut with an ellipsis, whole in its title.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-engine-run-'));
    const engineRun = path.join(parent, '20261204-184656-sheet-adam-lr0.002-batch16-with-a-much-longer-name-than-usual');
    fs.mkdirSync(engineRun);
    fs.copyFileSync(path.join(run.dir, 'model.bin'), path.join(engineRun, 'model.bin'));
    fs.writeFileSync(path.join(engineRun, 'history.json'), JSON.stringify({ options: { tree: 'engine+solutions' } }));
    const both = await startPlayground([readRunFolder(run.dir), readRunFolder(engineRun)]);
    try {
      const page = await browser.newPage(1280, 900);
      await page.goto(`${both.url}?test=4`);
      await page.waitForSelector('body[data-ready]');
      expect(await page.locator('.prediction').count()).toBe(2);
      expect(await page.locator('.layer-column').count()).toBe(2);
      const nodeP = nodeProba(4);
      for (const panel of [0, 1]) (await pageProba(page, panel)).forEach((p, k) => expect(Math.abs(p - nodeP[k])).toBeLessThanOrEqual(1e-9));
      expect(await page.locator('.prediction').nth(1).locator('.whose').textContent()).toBe('The reference (solutions/ with the engine)');
      expect(await page.locator('.prediction').nth(0).locator('.whose').textContent()).toBe('The reference (solutions/)');
      const names = await boxes(page, '.compare .prediction .run-name p, .compare .column-title p, .compare #runs p');
      expect(names).toHaveLength(3 * 2 * 3);
      for (const name of names) {
        expect([name.text, name.ellipsis, name.title]).toEqual([name.text, true, name.text]);
        expect(name.height).toBeLessThan(1.5 * name.lineHeight);
      }
      expect(names.filter((n) => n.text === path.basename(engineRun) && n.truncated).length).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(artifactDir(), 'playground-compare-desktop.png'), fullPage: true });
      await page.close();
    } finally {
      await both.close();
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  test('no page logged an error', () => {
    expect(browser.errors).toEqual([]);
  });
});
