/** How a learner replays one failing fast-check case. */

/** The command that replays one failing case, in the shell of this system, for the suite running now. */
export function replayLine(
  seed: number,
  counterexample: string,
  testPath = expect.getState().testPath ?? '',
  platform: NodeJS.Platform = process.platform,
): string {
  const exercise = /(\d{2})-[^\\/]*\.test\.ts$/.exec(testPath)?.[1];
  const command = exercise === undefined ? `npx jest ${testPath}` : `npm test -- ${exercise}`;
  return platform === 'win32'
    ? `Replay this exact case with (PowerShell): $env:FC_SEED=${seed}; $env:FC_PATH="${counterexample}"; ${command}`
    : `Replay this exact case with: FC_SEED=${seed} FC_PATH="${counterexample}" ${command}`;
}
