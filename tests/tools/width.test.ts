import fc from 'fast-check';
import { displayWidth, clip, wrap } from '../../scripts/ui/width';

describe('displayWidth', () => {
  it.each([
    ['plain ASCII', 'conv2d', 6],
    ['Japanese', '準備', 4],
    ['half-width katakana', 'ｶﾀ', 2],
    ['an emoji', '🚀', 2],
    ['a text symbol made an emoji by VS16', '✔️', 2],
    ['a ZWJ family', '👩‍👩‍👧', 2],
    ['a flag (two regional indicators)', '🇯🇵', 2],
    ['a combining accent', 'e\u0301', 1],
    ['a zero-width space', 'a\u200bb', 2],
    ['fullwidth digits', '１２', 4],
  ])('%s: %j takes %i columns', (_, text, columns) => {
    expect(displayWidth(text)).toBe(columns);
  });
});

describe('clip', () => {
  it('cuts to the width without splitting a character', () => {
    expect(clip('勾配を足し合わせます', 7)).toBe('勾配を…');
    expect(displayWidth(clip('勾配を足し合わせます', 7))).toBeLessThanOrEqual(7);
    expect(clip('🚀🚀🚀', 4)).toBe('🚀…');
    expect(clip('short', 10)).toBe('short');
  });
});

describe('wrap', () => {
  it('breaks English at spaces and Japanese between characters, within the width', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('勾配を足し合わせます', 8)).toEqual(['勾配を足', 'し合わせ', 'ます']);
  });

  it('breaks Japanese with spaces between characters too, not only at the spaces', () => {
    // Breaking only at the space would leave "を計算します" (12 columns) for the second line.
    expect(wrap('出力サイズ を計算します', 12)).toEqual(['出力サイズ', 'を計算します']);
    expect(wrap('畳み込み層の出力サイズを計算します。', 12)).toEqual(['畳み込み層の', '出力サイズを', '計算します。']);
  });

  it('keeps closing punctuation and small kana off the start of a line', () => {
    // A plain cut at 10 columns would start the second line with 。
    expect(wrap('あいうえお。かきく', 10)).toEqual(['あいうえ', 'お。かきく']);
    expect(wrap('ちょっと', 2)).toEqual(['ち', 'ょ', 'っ', 'と']);
  });

  it('cuts again when what a break carries over leaves no room for the next character', () => {
    // A space, then two full stops of width 2 at width 3: the break after the space carries one over.
    for (const line of wrap(' 。。', 3)) expect(displayWidth(line)).toBeLessThanOrEqual(3);
    expect(wrap(' 。。', 3).join('')).toBe('。。');
  });

  it('keeps every line within the width and loses no character but spaces at breaks', () => {
    const piece = fc.constantFrom('a', 'bc', ' ', '勾配', 'を', '。', '🚀', 'e\u0301', 'word');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 2, max: 20 }), (pieces, width) => {
        const text = pieces.join('');
        const lines = wrap(text, width);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
    );
  });
});
