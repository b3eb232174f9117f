import { displayWidth } from './table';

/** Terminal width for layout: the terminal's columns, else 80 (pipes, files, CI). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : 80;
}

/** Cuts `text` to `width` columns with an ellipsis (plain text, no colour codes). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Wraps text at spaces (or anywhere, for text without spaces) to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  const push = (): void => {
    if (line) out.push(line);
    line = '';
  };
  for (const ch of text) {
    if (displayWidth(line + ch) > width) {
      // Break at the last space when there is one (English), anywhere otherwise (Japanese).
      const cut = line.lastIndexOf(' ');
      const rest = cut > 0 && ch !== ' ' ? line.slice(cut + 1) : '';
      if (cut > 0 && ch !== ' ') line = line.slice(0, cut);
      push();
      line = rest;
      if (ch === ' ') continue;
    }
    line += ch;
  }
  push();
  return out.map((l) => l.trimEnd());
}
