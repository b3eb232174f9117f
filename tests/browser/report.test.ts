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
import { tsxArgs } from '../../scripts/cli/tsx';

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

async function open(width: number): Promise<Page> {
  const page = await browser.newPage(width, 900);
  await page.goto(`file://${file}`);
  return page;
}

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

  test('on a 390-pixel phone screen nothing is wider than the screen', async () => {
    const page = await open(390);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
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
