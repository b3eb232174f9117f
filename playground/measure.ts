/**
 * Measures the playground in Chromium (a benchmark script, not a test) and
 * takes its screenshots:
 *
 *   npx tsx playground/measure.ts [--run DIR]
 *
 * prints the page's load time (median of 5 fresh loads, from the request to
 * the model ready to draw on) and the inference time per drawn digit (median
 * of 100 strokes: every layer and the softmax, as the page times them), next
 * to a calibration line, and saves playground-desktop.png (1280 px wide) and
 * playground-phone.png (390 px) of a drawn digit into the run folder.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { latestRun, readRunFolder } from './server/runs';
import { startPlayground } from './server/server';

/**
 * Nanoseconds per element of a fixed plain loop (best of 30), run in the
 * page: it does not depend on the kata's code, so it tells a slow machine
 * from a slow page. Compare runs by it.
 */
const CALIBRATION = `(() => {
  const n = 1 << 18, from = new Float64Array(n).map((_, i) => i), to = new Float64Array(n);
  let best = Infinity;
  for (let run = 0; run < 30; run++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) to[i] = from[i] * 1.5;
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1e6) / n;
})()`;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Draws a 7 on the pad, in strokes of small mouse moves; returns the page's inference time of each move. */
async function drawSeven(page: Page, moves: number): Promise<number[]> {
  const box = (await page.locator('#pad').boundingBox())!;
  const path: [number, number][] = [
    [0.3, 0.2],
    [0.7, 0.2],
    [0.45, 0.85],
  ];
  const at = (t: number): [number, number] => {
    const [a, b] = t < 0.4 ? [path[0], path[1]] : [path[1], path[2]];
    const u = t < 0.4 ? t / 0.4 : (t - 0.4) / 0.6;
    return [box.x + box.width * (a[0] + u * (b[0] - a[0])), box.y + box.height * (a[1] + u * (b[1] - a[1]))];
  };
  await page.mouse.move(...at(0));
  await page.mouse.down();
  const times: number[] = [];
  for (let i = 1; i <= moves; i++) {
    await page.mouse.move(...at(i / moves));
    times.push(Number(await page.getAttribute('.timing', 'data-ms')));
  }
  await page.mouse.up();
  return times;
}

async function main(argv: string[]): Promise<void> {
  const runAt = argv.indexOf('--run');
  const run = readRunFolder(runAt >= 0 ? argv[runAt + 1] : latestRun());
  const server = await startPlayground([run]);
  const browser = await launchChromium();
  try {
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage(1280, 900);
      const started = performance.now();
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      loads.push(performance.now() - started);
      await page.close();
    }
    const page = await browser.newPage(1280, 900);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    const calibration = (await page.evaluate(CALIBRATION)) as number;
    const times = await drawSeven(page, 100);
    const kernel = `${await page.textContent('#runs .whose')} · ${await page.textContent('.prediction .meta')}`;
    console.log(`run folder: ${path.relative(process.cwd(), run.dir)}`);
    console.log(`calibration: a fixed plain loop takes ${calibration.toFixed(2)} ns per element in the page`);
    console.log(`model: ${kernel?.replace(/\s+/g, ' ').trim()}`);
    console.log(`page load, request to model ready (median of 5): ${median(loads).toFixed(0)} ms`);
    console.log(`  (${loads.map((t) => t.toFixed(0)).join(', ')} ms)`);
    console.log(`inference per drawn digit (median of ${times.length}): ${median(times).toFixed(2)} ms`);
    await page.screenshot({ path: path.join(run.dir, 'playground-desktop.png'), fullPage: true });
    const phone = await browser.newPage(390, 844);
    await phone.goto(server.url);
    await phone.waitForSelector('body[data-ready="true"]');
    await drawSeven(phone, 30);
    await phone.screenshot({ path: path.join(run.dir, 'playground-phone.png'), fullPage: true });
    console.log(`screenshots: ${path.relative(process.cwd(), path.join(run.dir, 'playground-{desktop,phone}.png'))}`);
    if (browser.errors.length > 0) console.log(`page errors:\n${browser.errors.join('\n')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
