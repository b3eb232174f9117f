/** Terminal width for layout: the terminal's columns, else 80 (pipes, files, CI). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : 80;
}

/** Cuts `text` to `width` columns with an ellipsis (plain text, no colour codes). */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
