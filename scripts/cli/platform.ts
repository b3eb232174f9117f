/**
 * What differs between Windows and the POSIX systems (Linux, macOS) for the
 * learner's commands: linking a folder without privileges, and ending a
 * process together with every process it started.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * The kind of link `fs.symlinkSync` makes for a folder: a junction on Windows
 * (a symbolic link there needs administrator rights or developer mode), a
 * symbolic link elsewhere.
 */
export function folderLinkType(platform: NodeJS.Platform = process.platform): 'junction' | 'dir' {
  return platform === 'win32' ? 'junction' : 'dir';
}

/** Makes `link` point at the folder `target` (absolute), with no privilege needed. */
export function linkFolder(target: string, link: string, platform: NodeJS.Platform = process.platform): void {
  fs.symlinkSync(target, link, folderLinkType(platform));
}

/**
 * spawn's `detached` for a child whose whole tree `killTree` must reach: its
 * own process group on POSIX; on Windows `detached` would open a new console
 * window, and taskkill /T follows the tree without it.
 */
export function ownProcessGroup(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'win32';
}

export interface KillDeps {
  /** process.kill */
  kill: (pid: number, signal: NodeJS.Signals) => void;
  /** spawnSync, for taskkill */
  run: (command: string, args: string[]) => void;
}

const realDeps: KillDeps = {
  kill: (pid, signal) => process.kill(pid, signal),
  run: (command, args) => {
    spawnSync(command, args, { stdio: 'ignore', windowsHide: true });
  },
};

/**
 * Ends process `pid` and its descendants at once: `taskkill /T /F` on Windows,
 * SIGKILL to its process group elsewhere (the child was spawned with
 * `detached: ownProcessGroup()`). A process already gone is not an error.
 */
export function killTree(pid: number, platform: NodeJS.Platform = process.platform, deps: KillDeps = realDeps): void {
  if (platform === 'win32') {
    deps.run('taskkill', ['/pid', String(pid), '/T', '/F']);
    return;
  }
  try {
    deps.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
