/**
 * The system's Chromium (Debian's in CI; Chrome or Edge will do), driven by
 * playwright-core (the browser tests and the playground's measurements). No
 * browser is ever downloaded: KATA_CHROMIUM names the executable, or the usual
 * install places are tried; headless, with a fresh profile folder each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where a Chromium-family browser usually lives, in the order tried, per platform. */
export function chromiumCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (env.KATA_CHROMIUM) return [env.KATA_CHROMIUM];
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => Boolean(r));
    const apps = ['Chromium\\Application\\chrome.exe', 'Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
    return apps.flatMap((app) => roots.map((root) => path.win32.join(root, app)));
  }
  if (platform === 'darwin') {
    return [
      'Chromium.app/Contents/MacOS/Chromium',
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ].map((app) => path.posix.join('/Applications', app));
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
  ];
}

/** The first browser found, or null. */
export function findChromium(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = fs.existsSync,
): string | null {
  return chromiumCandidates(platform, env).find((file) => exists(file)) ?? null;
}

/** One line saying why the browser cannot run, or null when one is there. */
export function chromiumMissing(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  exists = fs.existsSync,
): string | null {
  if (findChromium(platform, env, exists) !== null) return null;
  if (env.KATA_CHROMIUM)
    return `KATA_CHROMIUM names ${env.KATA_CHROMIUM}, which does not exist: expected the path of a Chromium, Chrome or Edge executable`;
  const install =
    platform === 'linux'
      ? 'apt-get install chromium (Debian, Ubuntu, WSL)'
      : platform === 'darwin'
        ? 'install Chromium or Google Chrome'
        : 'install Chrome or Edge';
  const setVar =
    platform === 'win32'
      ? '$env:KATA_CHROMIUM = "C:\\path\\to\\chrome.exe" (PowerShell) or set KATA_CHROMIUM=... (cmd)'
      : 'KATA_CHROMIUM=/path/to/chromium';
  return `no Chromium found (looked for ${chromiumCandidates(platform, env).length} usual places); ${install}, or name its executable: ${setVar}`;
}

export interface Browser {
  context: BrowserContext;
  /** Every console error and uncaught page error so far, on every page. */
  errors: string[];
  newPage(width: number, height: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(`the browser tests need Chromium: ${chromiumMissing()}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
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
