/**
 * How a tool or a test starts another of the scripts: Node with tsx's loader,
 * as the npm scripts do (`node --import tsx scripts/NAME.ts`), from any folder.
 */
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../trees';

/** Node's arguments that run `script` (a .ts file) with `args`. */
export function tsxArgs(script: string, args: string[] = []): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx', { paths: [REPO_ROOT] })).href, script, ...args];
}
