import { colourEnabled, makeColour } from '../../scripts/ui/colour';
import { formatTable } from '../../scripts/ui/table';
import { displayWidth } from '../../scripts/ui/width';

describe('formatTable', () => {
  it('pads columns to the widest cell and puts a rule under the header', () => {
    const text = formatTable(
      ['id', 'points'],
      [
        ['01-conv2d', 20],
        ['02-output-size', 5],
      ],
      { align: ['left', 'right'] },
    );
    expect(text.split('\n')).toEqual(['id              points', '--------------  ------', '01-conv2d           20', '02-output-size       5']);
  });

  it('counts Japanese characters as two columns', () => {
    expect(displayWidth('準備')).toBe(4);
    const text = formatTable(
      ['title', 'n'],
      [
        ['準備', 1],
        ['ab', 2],
      ],
    );
    expect(text.split('\n')).toEqual(['title  n', '-----  -', '準備   1', 'ab     2']);
  });

  it('leaves no trailing spaces and fills missing cells with blanks', () => {
    const text = formatTable(['a', 'b', 'c'], [['x'], ['y', 'long value', '']]);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
    expect(text.split('\n')[2]).toBe('x');
  });
});

describe('colour', () => {
  it('follows the terminal, NO_COLOR turns it off and FORCE_COLOR on', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
  it('wraps text in codes only when enabled', () => {
    expect(makeColour(true).green('ok')).toBe('\u001b[32mok\u001b[39m');
    expect(makeColour(false).green('ok')).toBe('ok');
  });
});
