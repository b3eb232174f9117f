/**
 * How one exercise's result reads in the terminal: a line per part, then
 * the first unfinished part with its file, its formula and its first
 * failure, and any recognised mistake in one sentence.
 */
import { Exercise } from '../manifest';
import { displayWidth, clip, terminalWidth, wrap } from '../ui/width';
import { KataContext, short } from './context';
import { findPart } from './results';
import { CachedResult, PartResult } from './state';

export function partTitle(e: Exercise, name: string): string {
  return findPart(e, name)?.title.en ?? 'other tests';
}

/** The first part not yet done. */
export function openPart(r: CachedResult): PartResult | undefined {
  return r.parts?.find((p) => p.passed < p.total);
}

/** `✓ naive loops ... 13/13`, one line per part (only when the exercise has several). */
export function partLines(ctx: KataContext, e: Exercise, r: CachedResult): string[] {
  const parts = r.parts ?? [];
  if (parts.length < 2) return [];
  const open = openPart(r);
  const titleWidth = Math.max(...parts.map((p) => displayWidth(partTitle(e, p.name))));
  return parts.map((p) => {
    const done = p.passed === p.total;
    const mark = done ? ctx.colour.green('✓') : p.notStarted ? ctx.colour.dim('·') : ctx.colour.red('✗');
    const title = partTitle(e, p.name);
    const count = `${p.passed}/${p.total}`.padStart(7);
    const pad = ' '.repeat(titleWidth - displayWidth(title));
    const neededBy = findPart(e, p.name)?.neededBy;
    const note = p === open ? '  <- next' : neededBy && !done ? ctx.colour.dim(`  needed from ${neededBy.slice(0, 2)} on`) : '';
    return `  ${mark} ${title}${pad}${count}${note}`;
  });
}

/** A failure message, indented, wrapped to the terminal's width. */
function messageLines(message: string, max: number): string[] {
  const width = terminalWidth() - 4;
  return message
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, max)
    .flatMap((l) => wrap(l.trim(), width).map((part) => `    ${part}`));
}

/** What to do next in this exercise, in a few lines. */
export function focusLines(ctx: KataContext, e: Exercise, r: CachedResult, mistakes: string[]): string[] {
  const lines: string[] = [];
  const width = terminalWidth();
  const open = openPart(r);
  const part = findPart(e, open?.name);
  if (part) {
    lines.push(`${ctx.colour.bold('Next part:')} ${part.title.en} (${part.title.ja})`);
    lines.push(`  file: ${ctx.treeName}${e.id}/${part.file}`);
    lines.push(...wrap(`formula: ${part.formula}`, width - 2).map((l, i) => (i === 0 ? `  ${l}` : `           ${l}`)));
  }
  const f = r.firstFailure;
  if (f) {
    const stub = /Not implemented yet: ([^\n]+?) \(exercise ([\w-]+)\)/.exec(f.message);
    if (stub && open?.notStarted && stub[2] !== e.id) {
      // The part calls an earlier exercise that is still a stub.
      lines.push(`  waits for ${stub[1]} of exercise ${stub[2]} (still a stub): do ${stub[2].slice(0, 2)} first`);
    } else if (stub && open?.notStarted) {
      lines.push(`  not started: ${stub[1]} still throws NotImplementedError`);
    } else {
      const name = f.part && findPart(e, f.part) ? f.name.split(' > ').slice(1).join(' > ') || f.name : f.name;
      lines.push(clip(`  first failure: ${name}`, width));
      lines.push(...messageLines(f.message, 5));
    }
  }
  for (const id of mistakes) {
    const m = e.mistakes.find((x) => x.id === id);
    if (!m) continue;
    lines.push('');
    lines.push(ctx.colour.yellow('Recognised mistake:'));
    lines.push(...wrap(m.en, width - 2).map((l) => `  ${l}`));
    lines.push(...wrap(m.ja, width - 2).map((l) => `  ${l}`));
  }
  lines.push('');
  lines.push(`Hint: npm run kata -- hint ${short(e)}    All details: npm test -- ${short(e)}`);
  return lines;
}
