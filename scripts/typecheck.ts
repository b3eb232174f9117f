/**
 * Type-checks several TypeScript projects in one process, sharing the parsed
 * and bound declaration files (lib.d.ts, @types/node, @types/jest, the
 * repository's lib/ and tests) between them. grade uses it for every
 * submission: after the first project, each one costs about a second
 * instead of a whole `tsc` run.
 *
 *   node --import tsx scripts/typecheck.ts <tsconfig.json>...
 *
 * prints one JSON line per project: {"config": ..., "output": ...} where
 * output is what `tsc --noEmit --pretty false -p <config>` would print
 * (paths relative to the config's folder).
 *
 * Only files under a node_modules folder (the same paths for every project)
 * are kept between projects: a project's own files (its workspace's copies
 * of lib/, the tests and the submission) are dropped with its program, so
 * the process's memory does not grow with the number of projects, and a
 * huge file costs only the project that holds it.
 */
import path from 'node:path';
import ts from 'typescript';

const cache = new Map<string, ts.SourceFile>();

function cacheKey(fileName: string, version: ts.ScriptTarget | ts.CreateSourceFileOptions): string {
  return typeof version === 'object' ? `${fileName}|${version.languageVersion}|${version.impliedNodeFormat ?? ''}` : `${fileName}|${version}`;
}

/** The diagnostics of one project, formatted like tsc (empty when it type-checks). */
export function typeCheckProject(configPath: string): string {
  const dir = path.dirname(path.resolve(configPath));
  const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.resolve(configPath),
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.formatDiagnostics([d], formatHost));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  if (parsed.errors.length > 0) return ts.formatDiagnostics(parsed.errors, formatHost);
  const host = ts.createCompilerHost(parsed.options);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, version, onError, shouldCreateNew) => {
    const key = cacheKey(fileName, version);
    const cached = shouldCreateNew ? undefined : cache.get(key);
    if (cached) return cached;
    const file = readSourceFile(fileName, version, onError, shouldCreateNew);
    if (file && fileName.split(/[\\/]/).includes('node_modules')) cache.set(key, file);
    return file;
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), formatHost);
}

if (require.main === module) {
  for (const config of process.argv.slice(2)) {
    let output: string;
    try {
      output = typeCheckProject(config);
    } catch (err) {
      output = `${config}(1,1): error TS0: ${(err as Error).message}`;
    }
    process.stdout.write(`${JSON.stringify({ config, output })}\n`);
  }
}
