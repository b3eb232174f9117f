/**
 * The learner's runner. See USAGE below; the pieces live in scripts/kata/.
 *
 * Hint levels, the last results (reused while nothing they depend on
 * changed) and the exercise last checked live in .kata-state.json
 * (git-ignored). KATA_TREE (as for jest) points kata at another copy of
 * exercises/.
 */
import { CommandSpec, startCommand, UsageError } from './cli/command';
import { applyTreeOption, exerciseArgument } from './cli/values';
import { check } from './kata/check';
import { makeContext } from './kata/context';
import { hint } from './kata/hint';
import { reset } from './kata/reset';
import { showStatus } from './kata/status';
import { watch } from './kata/watch';

export const USAGE = `usage: npm run kata -- [command] [exercise] [options]

  (no command)     every exercise's status, then the one you are working on
  check <ex>       run one exercise: its parts, the first failure of the
                   first unfinished part, a recognised mistake
  hint <ex>        the next hint for where you are (English and Japanese)
  watch [<ex>]     check on every save (the exercise whose file you saved),
                   move on when green
                   (keys: h hint, c check, n next exercise, q quit)
  reset <ex>       put the stub back; your files go to .kata-backups/
  help             this text

options:
  --fresh          status: run every exercise again (ignore saved results)
  --reset          hint: start the hints again from the first one
  --poll           watch: check the files every second (no file events)
  --no-clear       watch: keep earlier results on screen (no clearing)
  --from <commit>  reset: the git commit that holds the stubs
  --tree <tree>    exercises (yours, the default), solutions (the reference)
                   or a folder laid out like exercises/ (as KATA_TREE)

<ex> is a number (01 or 1), a name (conv2d) or an id (01-conv2d).`;

export const spec: CommandSpec = {
  name: 'kata',
  usage: USAGE,
  options: {
    fresh: { type: 'boolean' },
    reset: { type: 'boolean' },
    poll: { type: 'boolean' },
    'no-clear': { type: 'boolean' },
    from: { type: 'string' },
    tree: { type: 'string' },
  },
  maxPositionals: 2,
};

if (require.main === module) {
  startCommand(spec, async ({ values, positionals }) => {
    applyTreeOption(values.tree as string | undefined);
    const ctx = makeContext();
    const [command, target] = positionals;
    const exercise = (required: boolean) => {
      if (target === undefined) {
        if (required) throw new UsageError(`"${command}" needs an exercise, e.g. npm run kata -- ${command} 01`);
        return undefined;
      }
      return exerciseArgument(ctx.manifest, target);
    };
    switch (command) {
      case undefined:
      case 'status':
        await showStatus(ctx, values.fresh === true);
        return 0;
      case 'check':
        return (await check(ctx, exercise(true)!)) ? 0 : 1;
      case 'hint':
        await hint(ctx, exercise(true)!, values.reset === true);
        return 0;
      case 'watch':
        await watch(ctx, exercise(false), { poll: values.poll === true, clear: values['no-clear'] !== true });
        return 0;
      case 'reset':
        reset(ctx, exercise(true)!, values.from as string | undefined);
        return 0;
      default:
        // `npm run kata -- 01` reads as "check 01".
        if (positionals.length === 1) return (await check(ctx, exerciseArgument(ctx.manifest, command))) ? 0 : 1;
        throw new UsageError(`unknown command "${command}"`);
    }
  });
}
