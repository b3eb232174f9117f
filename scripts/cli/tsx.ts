/**
 * How a tool or a test starts another of the scripts: Node with tsx's loader,
 * as the npm scripts do (`node --import tsx scripts/NAME.ts`), from any folder.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Node's arguments that run `script` (a .ts file) with `args`. */
export function tsxArgs(script: string, args: string[] = []): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx', { paths: [repoRoot] })).href, script, ...args];
}
