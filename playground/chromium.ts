/**
 * Debian's Chromium, driven by playwright-core (the browser tests and the
 * playground's measurements). No browser is ever downloaded: this is the
 * system's executable, headless, with a fresh profile folder each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** One line saying why the browser cannot run, or null when Chromium is there. */
export function chromiumMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `no ${CHROMIUM}; apt-get install chromium`;
}

export interface Browser {
  context: BrowserContext;
  /** Every console error and uncaught page error so far, on every page. */
  errors: string[];
  newPage(width: number, height: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(`the browser tests need Chromium: ${missing}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async newPage(width, height) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
