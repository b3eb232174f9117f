/**
 * Writes a run's report again as if another tree had trained it (for the
 * browser tests: the report's charts load ES modules, which jest's module
 * system does not, so this runs in its own Node process):
 *
 *   node --import tsx tests/browser/rebuild-report.ts HISTORY_JSON TREE OUT_HTML
 */
import fs from 'node:fs';
import type { RunHistory } from '../../scripts/report/history';
import { buildReport } from '../../scripts/report/report';

async function main(): Promise<void> {
  const [historyFile, tree, out] = process.argv.slice(2);
  const history = JSON.parse(fs.readFileSync(historyFile, 'utf8')) as RunHistory;
  fs.writeFileSync(out, await buildReport({ history: { ...history, options: { ...history.options, tree } }, mistakes: [], mistakeCount: 0 }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
