/**
 * `npm test -- NN` as a learner reads it: a line per part, then every
 * failing test in the order of the exercise's parts with the lines of its
 * failure that matter; parts not started yet in one line each. Fits the
 * terminal's width. (`--verbose` gives jest's own report instead.)
 */
import { isNotImplemented, seconds, SuiteRun } from '../jest-run';
import { Exercise } from '../manifest';
import { clip, wrap } from '../ui/width';
import { KataContext, short } from './context';
import { failureLines } from './failure-text';
import { partOf, partResults } from './results';
import { partLines, partTitle } from './report';

/** Failing tests shown per part: the first few say what is wrong; --verbose shows all. */
const SHOWN_PER_PART = 5;

/** What a run of one suite has to say, line by line, at most `width` columns. */
export function testReport(ctx: KataContext, e: Exercise, suite: SuiteRun | undefined, output: string, width: number): string[] {
  const { colour } = ctx;
  const lines: string[] = [];
  const indented = (text: string, indent: string): string[] => wrap(text, width - indent.length).map((l) => indent + l);
  if (!suite || suite.failedToRun) {
    lines.push(`${e.id}: ${colour.red('the tests cannot run')}`);
    for (const l of failureLines(suite?.error ?? output, 14)) lines.push(...indented(l, '    '));
    return lines;
  }
  const parts = partResults(e, suite.tests);
  const passed = suite.tests.filter((t) => t.status === 'passed').length;
  const total = suite.tests.length;
  const verdict = passed === total ? colour.green(`all ${total} tests pass`) : `${passed} of ${total} tests pass`;
  lines.push(`${e.id}: ${verdict} (${seconds(suite.durationMs)})`);
  lines.push(...partLines(ctx, e, { key: '', progress: 'failing', passed, total, parts }));
  for (const part of parts) {
    const failing = suite.tests.filter((t) => t.status === 'failed' && partOf(e, t.name) === part.name);
    if (failing.length === 0) continue;
    lines.push('');
    lines.push(colour.bold(`${partTitle(e, part.name)}: ${failing.length} failing`));
    if (part.notStarted) {
      const stub = /Not implemented yet: ([^\n]+?) \(exercise/.exec(failing[0].message)?.[1] ?? 'a function';
      lines.push(`  not started: ${stub} still throws NotImplementedError`);
      continue;
    }
    for (const t of failing.slice(0, SHOWN_PER_PART)) {
      lines.push(clip(`  ${colour.red('✕')} ${t.name.split(' > ').slice(1).join(' > ') || t.name}`, width + colour.red('').length));
      const body = isNotImplemented(t.message) ? [t.message.split('\n')[0]] : failureLines(t.message, 10);
      for (const l of body) lines.push(...indented(l, '      '));
    }
    if (failing.length > SHOWN_PER_PART) lines.push(`  ... and ${failing.length - SHOWN_PER_PART} more failing in this part`);
  }
  if (passed < total) {
    lines.push('');
    lines.push(`Hint: npm run kata -- hint ${short(e)}    jest's own report: npm test -- ${short(e)} --verbose`);
  }
  return lines;
}
