/**
 * The training report in a real browser (Debian's Chromium, headless): a
 * short run of npm run train, its report.html read on a laptop and on a
 * 390-pixel phone screen.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../../playground/chromium';
import { readRunFolder } from '../../playground/server/runs';
import { artifactDir } from './artifacts';
import { boxes, cutOffOnTheRight, tableContainers } from './layout';
import { tsxArgs } from '../../scripts/cli/tsx';
import type { RunHistory } from '../../scripts/report/history';

let browser: Browser;
let runDir: string;
let file: string;

beforeAll(async () => {
  browser = await launchChromium(); // first: without Chromium, say so before any training
  // npm run train itself, small: 550 training images in mini-batches of 32 leave a partial last batch of 6.
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-report-run-'));
  const root = path.join(__dirname, '..', '..');
  const train = spawnSync(process.execPath, tsxArgs('scripts/train.ts', ['--epochs', '2', '--limit', '600', '--out', runDir]), {
    cwd: root,
    encoding: 'utf8',
  });
  if (train.status !== 0) throw new Error(`npm run train failed (exit ${train.status}):\n${train.stderr.slice(-2000)}`);
  file = path.join(runDir, 'report.html');
  fs.copyFileSync(file, path.join(artifactDir(), 'report-test.html'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
});

async function open(width: number, html = file): Promise<Page> {
  const page = await browser.newPage(width, 900);
  await page.goto(`file://${html}`);
  return page;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

describe('training report page', () => {
  test('shows feature maps, top-3 bars, the learning-rate and accuracy charts', async () => {
    const page = await open(1280);
    // The sheet's network: conv 8, relu 8, pool 8, conv 16, relu 16, pool 16 channels.
    expect(await page.locator('#feature-maps .map-grid').count()).toBe(6);
    expect(await page.locator('#feature-maps .map-grid img').count()).toBe(8 + 8 + 8 + 16 + 16 + 16);
    const tiles = await page.locator('#mistakes figure.digit').count();
    expect(tiles).toBeGreaterThan(0);
    expect(await page.locator('#mistakes .top3 .top').count()).toBe(3 * tiles);
    const titles = await page.locator('#training svg').allTextContents();
    expect(titles.join(' ')).toContain('Learning rate per epoch');
    expect(titles.join(' ')).toContain('Training and validation accuracy per epoch');
    await page.screenshot({ path: path.join(artifactDir(), 'report-desktop.png'), fullPage: true });
    await page.close();
  });

  test('the top says whose network it is, then a human title (the network and the date) with the run folder below in small text', async () => {
    const history = JSON.parse(fs.readFileSync(path.join(runDir, 'history.json'), 'utf8')) as RunHistory;
    const started = new Date(history.startedAt);
    const page = await open(1280);
    // npm run train without --tree: the reference's classifier with the engine's layers.
    expect(await page.textContent('header .whose')).toBe('The reference (solutions/ with the engine)');
    const title = (await page.textContent('header h1'))!;
    expect(title).toMatch(/^Sheet network · /);
    expect(title).toContain(`${started.getDate()} ${MONTHS[started.getMonth()]} ${started.getFullYear()}`);
    expect(title).not.toContain(path.basename(runDir));
    const folder = (await boxes(page, 'header .folder'))[0];
    expect(folder.text).toContain(path.basename(runDir));
    expect(folder.lineHeight).toBeLessThan(await page.evaluate('parseFloat(getComputedStyle(document.querySelector("header h1")).fontSize)'));
    await page.close();
  });

  test('a run of the learner\'s own layers says so at the top: "Trained with your layers (exercises/)"', async () => {
    const mine = path.join(runDir, 'other-tree-report.html');
    for (const [tree, whose] of [
      ['exercises', 'Trained with your layers (exercises/)'],
      ['../../my-layers', 'Trained with the layers in my-layers'],
      ['solutions', 'The reference (solutions/)'],
    ]) {
      const rebuild = spawnSync(process.execPath, tsxArgs('tests/browser/rebuild-report.ts', [path.join(runDir, 'history.json'), tree, mine]), {
        cwd: path.join(__dirname, '..', '..'),
        encoding: 'utf8',
      });
      expect(rebuild.stderr).toBe('');
      const page = await open(390, mine);
      expect(await page.textContent('header .whose')).toBe(whose);
      await page.close();
    }
  }, 60_000);

  test('on a 390-pixel phone screen nothing is wider than the screen; every table wraps or scrolls in its own box', async () => {
    const page = await open(390);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await cutOffOnTheRight(page)).toEqual([]);
    const tables = await tableContainers(page);
    expect(tables.length).toBeGreaterThanOrEqual(6); // options, data, time, network, epochs, precision and recall
    for (const table of tables) expect([table.caption, table.overflowX]).toEqual([table.caption, 'auto']);
    // The network table wraps to fit: nothing of it is hidden to the right.
    expect(tables.filter((t) => t.caption === '#').map((t) => t.fits)).toEqual([true]);
    await page.screenshot({ path: path.join(artifactDir(), 'report-phone.png'), fullPage: true });
    await page.close();
  });

  test("the playground reads the run folder as trained with the engine's layers", () => {
    expect(readRunFolder(runDir)).toMatchObject({ tree: 'engine+solutions', engine: true, treeDir: path.join(__dirname, '..', '..', 'solutions') });
  });

  test('no page logged an error', () => {
    expect(browser.errors).toEqual([]);
  });
});
