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
export type Align = 'left' | 'right';

export interface TableOptions {
  /** Alignment per column; missing entries are 'left'. */
  align?: Align[];
  /** Spaces between columns (default 2). */
  gap?: number;
}

/** Display width of a string: East Asian wide characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6)
  );
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
