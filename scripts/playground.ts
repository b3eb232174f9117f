/**
 * npm run playground: a page in the browser to draw digits and watch a
 * trained network work, layer by layer (see playground/).
 *
 *   npm run playground                       # the latest run folder under runs/
 *   npm run playground -- --run runs/<folder>
 *   npm run playground -- --run runs/a --compare runs/b
 */
import path from 'node:path';
import { latestRun, PlaygroundError, readRunFolder, type RunFolder } from '../playground/server/runs';
import { startPlayground } from '../playground/server/server';

export const USAGE = `Usage: npm run playground -- [options]

Starts a web server on 127.0.0.1 with a page where you draw a digit (or pick
an MNIST test digit) and watch a trained network classify it: the class
probabilities, every layer's feature maps and the learned filters.

Options:
  --run DIR       the run folder to load (default: the latest under runs/)
  --compare DIR   a second run folder, shown side by side on the same input
  --port N        the port to listen on (default: a free one)
  -h, --help      show this help

Examples:
  npm run playground
  npm run playground -- --run runs/20250101-093000-sheet
  npm run playground -- --run runs/reference --compare runs/mine`;

export interface PlaygroundArgs {
  run?: string;
  compare?: string;
  port: number;
}

/** Parses the command line; throws PlaygroundError for anything it does not understand. */
export function parsePlaygroundArgs(argv: readonly string[]): PlaygroundArgs | 'help' {
  const args: PlaygroundArgs = { port: 0 };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!['--run', '--compare', '--port'].includes(flag)) {
      throw new PlaygroundError(arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}" (options start with --)`);
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new PlaygroundError(`${flag} needs a value`);
    if (seen.has(flag)) throw new PlaygroundError(`${flag} is given twice`);
    seen.add(flag);
    if (flag === '--port') {
      if (!/^\d+$/.test(value) || Number(value) > 65535) throw new PlaygroundError(`--port expects a whole number from 0 to 65535, got "${value}"`);
      args.port = Number(value);
    } else {
      args[flag === '--run' ? 'run' : 'compare'] = value;
    }
  }
  return args;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: PlaygroundArgs | 'help';
  let runs: RunFolder[];
  try {
    args = parsePlaygroundArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    runs = [readRunFolder(args.run ?? latestRun())];
    if (args.compare !== undefined) runs.push(readRunFolder(args.compare));
  } catch (error) {
    if (!(error instanceof PlaygroundError)) throw error;
    process.stderr.write(`error: ${error.message}\n\nRun npm run playground -- --help for the options.\n`);
    return 2;
  }
  const playground = await startPlayground(runs, args.port);
  for (const r of runs) process.stdout.write(`model: ${path.relative(process.cwd(), r.dir) || '.'} (trained from ${r.tree})\n`);
  process.stdout.write(`Playground: ${playground.url}\n(open it in a browser; Ctrl+C stops the server)\n`);
  process.once('SIGINT', () => {
    void playground.close().then(() => process.exit(0));
  });
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
