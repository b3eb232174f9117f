/**
 * A test failure as a learner reads it: what was expected and what came, the
 * lines of a diff that differ, a property's counterexample and replay line,
 * and where it happened; no code frames, no stack frames of the test
 * framework, no fast-check bookkeeping.
 */
import path from 'node:path';
import { stripAnsi } from '../jest-run';
import { repoRoot } from '../manifest';

/** Lines that say nothing to a learner. */
const NOISE = [
  /^\s*>?\s*\d+ \|/, // a code frame's line
  /^\s*\|\s*\^/, // a code frame's caret
  /^\s*Property failed after \d+ tests?/,
  /^\s*\{ seed: .*\}\s*$/,
  /^\s*Shrunk \d+ time/,
  /^\s*Hint: Enable verbose mode/,
  /^\s*Stack trace:/,
  /^\s*expect\(received\)\.\w+\(.*\)( \/\/ .*)?$/, // the matcher's name: its Expected/Received lines follow
];

/** A path inside the repository as the learner sees it there (`tests/05-flatten.test.ts`). */
function shortPath(file: string): string {
  const relative = path.relative(repoRoot, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

const FRAME = /^\s*at (?:.*\()?(.+?):(\d+):\d+\)?\s*$/;

/**
 * The lines of a failure message that matter, at most `max`: the message,
 * only the changed lines of a diff, then the first place outside
 * node_modules where it happened (`at exercises/05-flatten/flatten.ts:47`).
 */
export function failureLines(message: string, max = 12): string[] {
  // jest's report puts "Error: " before an assertion's own message.
  const lines = stripAnsi(message)
    .replace(/^Error: /, '')
    .split('\n');
  const kept: string[] = [];
  let place: string | undefined;
  let inDiff = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    const frame = FRAME.exec(line);
    if (frame || /^\s+at /.test(line)) {
      if (place === undefined && frame && !frame[1].includes('node_modules') && !frame[1].startsWith('node:'))
        place = `at ${shortPath(frame[1])}:${frame[2]}`;
      continue;
    }
    if (NOISE.some((re) => re.test(line))) continue;
    if (/^- Expected/.test(line.trim())) inDiff = true;
    // In a diff, only the lines that differ (and the legend).
    if (inDiff && !/^\s*[-+]/.test(line)) continue;
    if (line.trim() === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line.trim() === '' ? '' : line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const shown = kept.length > max ? [...kept.slice(0, max - 1), `... (${kept.length - max + 1} more lines: --verbose)`] : kept;
  return place === undefined ? shown : [...shown, place];
}
