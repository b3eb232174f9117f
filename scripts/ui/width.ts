/**
 * Columns in a terminal, by Unicode's rules: a user-perceived character
 * (grapheme cluster: a base with its combining marks, an emoji sequence
 * joined by ZWJ, a flag) takes 2 columns when it is East Asian Wide or
 * Fullwidth or an emoji shown as a picture, 0 when it is only marks or
 * format characters, 1 otherwise.
 */

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** East Asian Width W and F (UAX #11), as ranges of code points. */
const WIDE: [number, number][] = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed CJK
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x1b000, 0x1b2ff], // kana supplement and extensions
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK Extensions B to F, compatibility supplement
  [0x30000, 0x3fffd], // CJK Extensions G and H
];

function isWide(code: number): boolean {
  return WIDE.some(([lo, hi]) => code >= lo && code <= hi);
}

const ZERO_WIDTH = /^[\p{M}\p{Cf}\p{Cc}]+$/u;
const EMOJI_PICTURE = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}/u;

/** Columns of one grapheme cluster. */
function clusterWidth(cluster: string): number {
  if (ZERO_WIDTH.test(cluster)) return 0;
  if (EMOJI_PICTURE.test(cluster)) return 2;
  return isWide(cluster.codePointAt(0)!) ? 2 : 1;
}

/** The grapheme clusters of `text`, in order. */
function clusters(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/** Columns `text` takes in a terminal (plain text, no colour codes). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const cluster of clusters(text)) width += clusterWidth(cluster);
  return width;
}

/** Terminal width for layout: the terminal's columns, else 80 (pipes, files, CI). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : 80;
}

/** Cuts `text` to `width` columns with an ellipsis, never inside a character (plain text, no colour codes). */
export function clip(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const cluster of clusters(text)) {
    const w = clusterWidth(cluster);
    if (used + w > width - 1) break;
    out += cluster;
    used += w;
  }
  return `${out}…`;
}

// Japanese line breaking (kinsoku): no line starts with closing punctuation, a
// prolonged sound mark or a small kana, and none ends with opening punctuation.
const NO_LINE_START = new Set([...'、。，．,.）」』】〕〉》］｝!?！？：；・ー…‥々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ']);
const NO_LINE_END = new Set([...'（「『【〔〈《［｛']);

/** True when a line may break between `before` and `after` (clusters): at a space, or between CJK characters. */
function mayBreak(before: string, after: string): boolean {
  if (before === ' ' || after === ' ') return true;
  const cjk = isWide(before.codePointAt(0)!) || isWide(after.codePointAt(0)!);
  return cjk && !NO_LINE_START.has(after) && !NO_LINE_END.has(before);
}

/**
 * Wraps text to `width` columns: at spaces (English), between CJK characters
 * (Japanese, keeping closing punctuation off a line's start), anywhere when a
 * word alone is wider than a line.
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line: string[] = [];
  let used = 0;
  for (const cluster of clusters(text)) {
    const w = clusterWidth(cluster);
    if (used + w > width && line.length > 0) {
      if (cluster === ' ') {
        out.push(line.join(''));
        line = [];
        used = 0;
        continue;
      }
      // The last place in the line where it may break (0: nowhere, cut here).
      let cut = line.length;
      while (cut > 0 && !mayBreak(line[cut - 1], cut < line.length ? line[cut] : cluster)) cut--;
      if (cut === 0) cut = line.length;
      out.push(line.slice(0, cut).join(''));
      line = line.slice(cut);
      while (line[0] === ' ') line.shift();
      used = displayWidth(line.join(''));
      // What was carried over may still leave no room (two wide characters that may not part): cut there too.
      if (used + w > width && line.length > 0) {
        out.push(line.join(''));
        line = [];
        used = 0;
      }
    }
    line.push(cluster);
    used += w;
  }
  if (line.length > 0) out.push(line.join(''));
  return out.map((l) => l.trimEnd()).filter((l) => l !== '');
}
