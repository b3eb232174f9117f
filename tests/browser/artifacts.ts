import fs from 'node:fs';
import path from 'node:path';

/** Where the browser tests leave their screenshots: KATA_ARTIFACTS, else runs/browser-tests. */
export function artifactDir(): string {
  const dir = process.env.KATA_ARTIFACTS ?? path.join(__dirname, '..', '..', 'runs', 'browser-tests');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
