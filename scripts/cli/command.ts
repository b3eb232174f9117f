/**
 * One way to read a command line, shared by every command (kata, test,
 * compare, train, bench): node:util's parseArgs underneath, so `--x=v` and
 * `--x v` both work; `help`, `-h` and `--help` print the usage; a bad option
 * or value prints one line and the usage, never a stack trace.
 *
 *   const spec: CommandSpec = { name: 'compare', usage: '...', options: { submission: { type: 'string' } } };
 *   runCommand(spec, process.argv.slice(2), async ({ values, positionals }) => 0);
 */
import { parseArgs } from 'node:util';

/** A mistake in how the command was called: printed as one line, then the usage (unless `showUsage` is false). */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** A clear failure of the command itself: printed as one line, no usage. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** A string option that may be given more than once: its value is the array of every one, in order. */
  multiple?: boolean;
}

export interface CommandSpec {
  /** How the command is called, for messages: `npm run kata`. */
  name: string;
  /** The usage text printed by help and after a usage error. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** What the positional argument is, for messages: `an exercise (01, conv2d, ...)`. */
  argument?: string;
  /** Allowed number of positionals (default 0..Infinity). */
  minPositionals?: number;
  maxPositionals?: number;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses argv against the spec; throws UsageError with one readable line. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const options = { ...spec.options, help: { type: 'boolean' as const, short: 'h' } };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(plainParseError(err as Error));
  }
  const seen = new Set<string>();
  for (const token of (parsed.tokens ?? []) as { kind: string; name?: string; value?: string }[]) {
    if (token.kind !== 'option' || token.name === undefined || token.name === 'help') continue;
    if (seen.has(token.name) && spec.options[token.name]?.multiple !== true) throw new UsageError(`--${token.name} is given twice`);
    seen.add(token.name);
    if (token.value === '') throw new UsageError(`--${token.name} needs a value`);
  }
  const positionals = parsed.positionals;
  const help = parsed.values.help === true || positionals[0] === 'help';
  if (!help) {
    const min = spec.minPositionals ?? 0;
    const max = spec.maxPositionals ?? Infinity;
    if (positionals.length < min) throw new UsageError(`expected ${spec.argument ?? (min === 1 ? 'an argument' : `${min} arguments`)}, got none`);
    if (positionals.length > max) {
      const extra = positionals
        .slice(max)
        .map((p) => JSON.stringify(p))
        .join(' ');
      throw new UsageError(`unexpected argument${positionals.length - max > 1 ? 's' : ''} ${extra}`);
    }
  }
  return { values: parsed.values as ParsedCommand['values'], positionals, help };
}

/** node's parseArgs messages, made short: "Unknown option '--x'. To specify..." -> "unknown option --x". */
function plainParseError(err: Error): string {
  const text = err.message.split('\n')[0];
  const unknown = /Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  const needsValue = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(text);
  if (needsValue?.[2] === 'missing') return `${needsValue[1]} needs a value`;
  if (needsValue) return `${needsValue[1]} needs a value (one that starts with "-" is written ${needsValue[1]}=-...)`;
  const noValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(text);
  if (noValue) return `${noValue[1]} takes no value`;
  const positional = /Unexpected argument '([^']+)'/.exec(text);
  if (positional) return `unexpected argument ${positional[1]}`;
  return text.replace(/\.\s*To specify.*$/, '');
}

/**
 * Runs a command: parses argv, prints the usage for help, and turns every
 * error into one line on stderr and an exit code (2 for usage, 1 otherwise).
 */
export async function runCommand(spec: CommandSpec, argv: readonly string[], main: (cmd: ParsedCommand) => Promise<number> | number): Promise<number> {
  try {
    const cmd = parseCommandLine(spec, argv);
    if (cmd.help) {
      console.log(spec.usage);
      return 0;
    }
    return await main(cmd);
  } catch (err) {
    const e = err as Error;
    if (e instanceof UsageError) {
      console.error(e.showUsage ? `${spec.name}: ${e.message}\n\n${spec.usage}` : `${spec.name}: ${e.message}`);
      return 2;
    }
    console.error(`${spec.name}: ${firstLine(e)}`);
    return 1;
  }
}

function firstLine(e: Error): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] || String(e);
}

/** Starts a command from a script's entry point and sets the exit code. */
export function startCommand(spec: CommandSpec, main: (cmd: ParsedCommand) => Promise<number> | number): void {
  void runCommand(spec, process.argv.slice(2), main).then((code) => {
    process.exitCode = code;
  });
}
