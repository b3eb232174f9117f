/**
 * Plain aligned tables for terminal output: one line per row, columns padded
 * with spaces, a rule of dashes under the header. No box drawing and no
 * Markdown, so the output reads the same in a terminal, a CI log or a file.
 *
 *   formatTable(['id', 'score'], [['01-conv2d', 20], ['02-output-size', 5]], { align: ['left', 'right'] })
 *
 *   id              score
 *   --------------  -----
 *   01-conv2d          20
 *   02-output-size      5
 */
import { displayWidth } from './width';

export type Align = 'left' | 'right';

export interface TableOptions {
  /** Alignment per column; missing entries are 'left'. */
  align?: Align[];
  /** Spaces between columns (default 2). */
  gap?: number;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Formats `rows` under `headers` as aligned columns (no trailing spaces). */
export function formatTable(headers: string[], rows: (string | number)[][], options: TableOptions = {}): string {
  const gap = ' '.repeat(options.gap ?? 2);
  const cells = rows.map((row) => headers.map((_, i) => (row[i] === undefined ? '' : String(row[i]))));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((row) => displayWidth(row[i]))));
  const align = (i: number): Align => options.align?.[i] ?? 'left';
  const line = (values: string[]): string =>
    values
      .map((v, i) => pad(v, widths[i], align(i)))
      .join(gap)
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join(gap), ...cells.map(line)].join('\n');
}
