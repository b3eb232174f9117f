/**
 * An output folder checked before any long work: it is created now (one
 * level at a time: node's recursive mkdir never returns under /proc) and a
 * file is written and removed in it, so a run cannot fail at its very end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from './command';

/** Creates `dir` (empty or new) and proves it writable; throws a one-line CommandError naming `option`. */
export function prepareOutFolder(dir: string, option = '--out'): void {
  const shown = dir;
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new CommandError(`${option}: ${shown} exists and is not a folder`);
    if (fs.readdirSync(dir).length > 0) throw new CommandError(`${option}: ${shown} already holds files; give a new or empty folder`);
  } else {
    const missing: string[] = [];
    let at = path.resolve(dir);
    while (!fs.existsSync(at)) {
      missing.unshift(at);
      at = path.dirname(at);
    }
    if (!fs.statSync(at).isDirectory()) throw new CommandError(`${option}: cannot create ${shown}: ${at} is not a folder`);
    for (const folder of missing) {
      try {
        fs.mkdirSync(folder);
      } catch (err) {
        throw new CommandError(`${option}: cannot create ${shown} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
  }
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new CommandError(`${option}: cannot write in ${shown} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
