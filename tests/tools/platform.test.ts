import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { folderLinkType, killTree, linkFolder, ownProcessGroup } from '../../scripts/cli/platform';
import { kataTreeFolder } from '../../jest.config';
import { chromiumCandidates, chromiumMissing, findChromium } from '../../playground/chromium';
import { replayLine } from '../helpers/replay';

describe('links without privileges', () => {
  it('makes a junction on Windows and a symbolic link elsewhere', () => {
    expect(folderLinkType('win32')).toBe('junction');
    expect(folderLinkType('darwin')).toBe('dir');
    expect(folderLinkType('linux')).toBe('dir');
  });

  it('links a folder so that its files are read through the link', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-link-'));
    try {
      fs.mkdirSync(path.join(dir, 'target'));
      fs.writeFileSync(path.join(dir, 'target', 'a.txt'), 'through the link');
      linkFolder(path.join(dir, 'target'), path.join(dir, 'link'));
      expect(fs.readFileSync(path.join(dir, 'link', 'a.txt'), 'utf8')).toBe('through the link');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('killTree', () => {
  const record = (): { calls: string[]; deps: Parameters<typeof killTree>[2] } => {
    const calls: string[] = [];
    return {
      calls,
      deps: {
        kill: (pid, signal) => calls.push(`kill ${pid} ${signal}`),
        run: (command, args) => calls.push([command, ...args].join(' ')),
      },
    };
  };

  it('uses taskkill /T /F on Windows (a process group does not exist there)', () => {
    const { calls, deps } = record();
    killTree(4242, 'win32', deps);
    expect(calls).toEqual(['taskkill /pid 4242 /T /F']);
    expect(ownProcessGroup('win32')).toBe(false);
  });

  it.each(['linux', 'darwin'] as const)('kills the process group on %s', (platform) => {
    const { calls, deps } = record();
    killTree(4242, platform, deps);
    expect(calls).toEqual(['kill -4242 SIGKILL']);
    expect(ownProcessGroup(platform)).toBe(true);
  });

  it('takes a process already gone in its stride', () => {
    const gone = () => {
      throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    };
    expect(() => killTree(4242, 'linux', { kill: gone, run: () => undefined })).not.toThrow();
  });
});

describe('Chromium, found on every platform', () => {
  const winEnv = { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' };

  it('looks in the usual Windows folders with Windows paths', () => {
    const list = chromiumCandidates('win32', winEnv);
    expect(list).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    expect(list).toContain('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe');
    expect(list.every((file) => path.win32.isAbsolute(file))).toBe(true);
  });

  it('finds the first one present, in order', () => {
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    expect(findChromium('win32', winEnv, (f) => f === edge)).toBe(edge);
    expect(findChromium('darwin', {}, (f) => f.includes('Google Chrome'))).toBe('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    expect(findChromium('linux', {}, (f) => f === '/usr/bin/chromium')).toBe('/usr/bin/chromium');
  });

  it('takes KATA_CHROMIUM first, and says when it names nothing', () => {
    expect(findChromium('linux', { KATA_CHROMIUM: '/opt/c/chrome' }, (f) => f === '/opt/c/chrome')).toBe('/opt/c/chrome');
    expect(chromiumMissing('linux', { KATA_CHROMIUM: '/opt/none' }, () => false)).toMatch(/KATA_CHROMIUM names \/opt\/none, which does not exist/);
  });

  it('says how to get one, in the shell of the platform, when there is none', () => {
    expect(chromiumMissing('win32', winEnv, () => false)).toMatch(/\$env:KATA_CHROMIUM = .*\(PowerShell\) or set KATA_CHROMIUM=\.\.\. \(cmd\)/);
    expect(chromiumMissing('linux', {}, () => false)).toMatch(/apt-get install chromium/);
    expect(chromiumMissing('darwin', {}, () => true)).toBeNull();
  });
});

describe("KATA_TREE's folders", () => {
  it('names the two trees under the root and any other value as a folder', () => {
    expect(kataTreeFolder(undefined, '/repo')).toBe(path.join('/repo', 'exercises'));
    expect(kataTreeFolder('', '/repo')).toBe(path.join('/repo', 'exercises'));
    expect(kataTreeFolder('solutions', '/repo')).toBe(path.join('/repo', 'solutions'));
    expect(kataTreeFolder('/class/ada', '/repo')).toBe(path.resolve('/class/ada'));
  });
});

describe("a failing property's replay line", () => {
  it('names the exercise and the POSIX form on Linux and macOS', () => {
    expect(replayLine(7, '3:1', '/home/ada/kata/tests/05-flatten.test.ts', 'darwin')).toBe(
      'Replay this exact case with: FC_SEED=7 FC_PATH="3:1" npm test -- 05',
    );
  });

  it('gives the PowerShell form on Windows, with a Windows test path', () => {
    expect(replayLine(7, '3:1', 'C:\\Users\\ada\\kata\\tests\\01-conv2d.test.ts', 'win32')).toBe(
      'Replay this exact case with (PowerShell): $env:FC_SEED=7; $env:FC_PATH="3:1"; npm test -- 01',
    );
  });
});
