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
import { launchChromium, type Browser } from '../../playground/chromium';
import { artifactDir } from './artifacts';
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

describe('playground page', () => {
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
    expect(predicted).not.toBe(await page.getAttribute('#input-status', 'data-label'));
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
    await page.close();
  });

  test('on a 390-pixel phone screen nothing is wider than the screen', async () => {
    const page = await open('?test=0', 390, 844);
    await draw(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(artifactDir(), 'playground-phone.png'), fullPage: true });
    await page.close();
  });

  test("side by side: the readable layers and the engine's on the same input, both with Node's probabilities", async () => {
    // The same weights, marked as trained with the engine's layers: the page runs those for it.
    const engineRun = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-engine-run-'));
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
      expect(await page.textContent('.prediction:nth-child(2) .meta')).toContain('engine+solutions');
      await page.close();
    } finally {
      await both.close();
      fs.rmSync(engineRun, { recursive: true, force: true });
    }
  });

  test('no page logged an error', () => {
    expect(browser.errors).toEqual([]);
  });
});
