import { CommandError, CommandSpec, parseCommandLine, runCommand, UsageError } from '../../scripts/cli/command';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSpeedEnv } from '../../scripts/cli/env';
import { prepareOutFolder } from '../../scripts/cli/out-folder';
import { choiceOption, intOption, listOption, positiveNumberOption } from '../../scripts/cli/values';

const spec: CommandSpec = {
  name: 'demo',
  usage: 'usage: demo [--epochs N] [--quick] <thing>',
  options: { epochs: { type: 'string' }, quick: { type: 'boolean' } },
  maxPositionals: 1,
};

function captured(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return run().then((code) => {
    log.mockRestore();
    error.mockRestore();
    return { code, out: out.join('\n'), err: err.join('\n') };
  });
}

describe('parseCommandLine', () => {
  it('reads --x=v and --x v alike, and booleans', () => {
    expect(parseCommandLine(spec, ['--epochs=3', 'a']).values.epochs).toBe('3');
    expect(parseCommandLine(spec, ['--epochs', '3', 'a']).values.epochs).toBe('3');
    expect(parseCommandLine(spec, ['--quick']).values.quick).toBe(true);
  });
  it('takes help, -h and --help as a request for the usage', () => {
    for (const argv of [['help'], ['-h'], ['--help'], ['x', '--help']]) expect(parseCommandLine(spec, argv).help).toBe(true);
  });
  it('says in one line what is wrong with the command line', () => {
    expect(() => parseCommandLine(spec, ['--nope'])).toThrow(new UsageError('unknown option --nope'));
    expect(() => parseCommandLine(spec, ['--epochs'])).toThrow(new UsageError('--epochs needs a value'));
    expect(() => parseCommandLine(spec, ['--quick=yes'])).toThrow(new UsageError('--quick takes no value'));
    expect(() => parseCommandLine(spec, ['a', 'b'])).toThrow(new UsageError('unexpected argument "b"'));
    expect(() => parseCommandLine(spec, ['--epochs', '1', '--epochs=2'])).toThrow(new UsageError('--epochs is given twice'));
  });
  it('gives every value of an option that may be given more than once, in order', () => {
    const grading: CommandSpec = {
      name: 'grade',
      usage: 'usage: grade [--only EX]... <folder>...',
      options: { only: { type: 'string', multiple: true } },
    };
    expect(parseCommandLine(grading, ['--only', '02', 'a', '--only=05']).values.only).toEqual(['02', '05']);
    expect(parseCommandLine(grading, ['--only', '02']).values.only).toEqual(['02']);
    expect(parseCommandLine(grading, ['a']).values.only).toBeUndefined();
    expect(() => parseCommandLine(grading, ['--only='])).toThrow(new UsageError('--only needs a value'));
  });
});

describe('option values', () => {
  it('accept what they expect', () => {
    expect(intOption('epochs', '3')).toBe(3);
    expect(positiveNumberOption('lr', '0.01')).toBe(0.01);
    expect(choiceOption('only', 'train', ['matmul', 'train'] as const)).toBe('train');
    expect(listOption('only', 'matmul,train', ['matmul', 'train', 'infer'] as const)).toEqual(['matmul', 'train']);
  });
  it('name the option, what it expects and what was given', () => {
    expect(() => intOption('epochs', '0')).toThrow(new UsageError('--epochs expects a whole number >= 1, got "0"'));
    expect(() => intOption('threads', '99', 1, 8)).toThrow(new UsageError('--threads expects a whole number from 1 to 8, got "99"'));
    expect(() => intOption('epochs', '1.5')).toThrow(new UsageError('--epochs expects a whole number >= 1, got "1.5"'));
    expect(() => positiveNumberOption('lr', 'fast')).toThrow(new UsageError('--lr expects a number > 0, got "fast"'));
    expect(() => choiceOption('only', 'x', ['a', 'b'] as const)).toThrow(new UsageError('--only expects one of a, b, got "x"'));
    expect(() => listOption('only', 'a,zz', ['a', 'b'] as const)).toThrow(new UsageError('--only: unknown "zz"; expected a, b'));
  });
});

describe('runCommand', () => {
  it('prints the usage for help and exits 0', async () => {
    const r = await captured(() => runCommand(spec, ['--help'], () => 5));
    expect(r).toEqual({ code: 0, out: spec.usage, err: '' });
  });
  it('prints one line and the usage for a usage error, exit 2', async () => {
    const r = await captured(() => runCommand(spec, ['--bogus'], () => 0));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`demo: unknown option --bogus\n\n${spec.usage}`);
  });
  it('prints one line without the usage for a usage error that says so, exit 2', async () => {
    const r = await captured(() =>
      runCommand(spec, [], () => {
        throw new UsageError('--out grades cannot be written (EACCES)', false);
      }),
    );
    expect(r).toEqual({ code: 2, out: '', err: 'demo: --out grades cannot be written (EACCES)' });
  });
  it('prints only the first line of any other error, no stack trace, exit 1', async () => {
    const r = await captured(() =>
      runCommand(spec, [], () => {
        throw new Error('cannot open x.json\n    at something (file.ts:1:1)');
      }),
    );
    expect(r).toEqual({ code: 1, out: '', err: 'demo: cannot open x.json' });
  });
});

describe('checkSpeedEnv', () => {
  it('accepts the kernels and thread counts that mean something, and unset variables', () => {
    for (const env of [{}, { KATA_GEMM: 'js' }, { KATA_GEMM: 'js', KATA_THREADS: '1' }, { KATA_GEMM: '', KATA_THREADS: '' }]) {
      expect(() => checkSpeedEnv(env)).not.toThrow();
    }
  });
  it('names the variable, what it takes and what it holds, as one line', () => {
    expect(() => checkSpeedEnv({ KATA_GEMM: 'gpu' })).toThrow(new CommandError('KATA_GEMM must be "js" or "wasm", got "gpu"'));
    for (const bad of ['0', 'two', '1.5', '-1', '1000']) {
      expect(() => checkSpeedEnv({ KATA_THREADS: bad })).toThrow(CommandError);
      expect(() => checkSpeedEnv({ KATA_THREADS: bad })).toThrow(
        new RegExp(`^KATA_THREADS must be a whole number from 1 to \\d+, got "${bad.replace('.', '\\.')}"$`),
      );
    }
  });
});

describe('prepareOutFolder', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'out-folder-'));
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('creates a new folder, nested, and accepts an empty one', () => {
    prepareOutFolder(path.join(base, 'a', 'b'));
    expect(fs.readdirSync(path.join(base, 'a', 'b'))).toEqual([]);
    prepareOutFolder(path.join(base, 'a', 'b'));
  });
  it('refuses a file, a folder that holds files, and a place where nothing can be created', () => {
    fs.writeFileSync(path.join(base, 'file'), 'x');
    expect(() => prepareOutFolder(path.join(base, 'file'))).toThrow(new CommandError(`--out: ${path.join(base, 'file')} exists and is not a folder`));
    expect(() => prepareOutFolder(base)).toThrow(new CommandError(`--out: ${base} already holds files; give a new or empty folder`));
    expect(() => prepareOutFolder(path.join(base, 'file', 'x'))).toThrow(
      new CommandError(`--out: cannot create ${path.join(base, 'file', 'x')}: ${path.join(base, 'file')} is not a folder`),
    );
  });
  it('fails at once under /proc instead of hanging', () => {
    expect(() => prepareOutFolder('/proc/kata-run/x')).toThrow(/^--out: cannot create \/proc\/kata-run\/x \(/);
  });
});
