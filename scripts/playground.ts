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
import { CommandError, type CommandSpec, parseCommandLine, startCommand, UsageError } from './cli/command';
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

const SPEC: CommandSpec = {
  name: 'npm run playground',
  usage: USAGE,
  options: { run: { type: 'string' }, compare: { type: 'string' }, port: { type: 'string' } },
  maxPositionals: 0,
};

/** Parses the command line; throws UsageError (one line) for anything it does not understand. */
export function parsePlaygroundArgs(argv: readonly string[]): PlaygroundArgs | 'help' {
  const { values, help } = parseCommandLine(SPEC, argv);
  if (help) return 'help';
  const port = values.port as string | undefined;
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) {
    throw new UsageError(`--port expects a whole number from 0 to 65535, got "${port}"`);
  }
  return {
    port: port === undefined ? 0 : Number(port),
    ...(values.run === undefined ? {} : { run: values.run as string }),
    ...(values.compare === undefined ? {} : { compare: values.compare as string }),
  };
}

/** Checks the arguments and the run folders, then serves until Ctrl+C. */
async function serve({ run, compare, port }: PlaygroundArgs): Promise<number> {
  let runs: RunFolder[];
  try {
    runs = [readRunFolder(run ?? latestRun())];
    if (compare !== undefined) runs.push(readRunFolder(compare));
  } catch (error) {
    throw error instanceof PlaygroundError ? new CommandError(error.message) : error;
  }
  const playground = await startPlayground(runs, port);
  for (const r of runs) console.log(`model: ${path.relative(process.cwd(), r.dir) || '.'} (trained from ${r.tree})`);
  console.log(`Playground: ${playground.url}\n(open it in a browser; Ctrl+C stops the server)`);
  process.once('SIGINT', () => {
    void playground.close().then(() => process.exit(0));
  });
  return 0;
}

if (require.main === module) {
  startCommand(SPEC, () => {
    const args = parsePlaygroundArgs(process.argv.slice(2));
    return args === 'help' ? 0 : serve(args);
  });
}
