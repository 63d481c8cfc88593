// horno repoclosure: check that every dependency in the compose's repos resolves, as `dnf repoclosure` would.
import { readFile } from 'node:fs/promises';
import { repoclosureStep } from '../wrappers/steps/repoclosure.ts';
import { runStep, type StepContext } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption, type CommandContext } from './command.ts';
import { composeOption, withCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    composeOption(releaseOption(y))
      .option('repo', { type: 'string', array: true, describe: 'only these checked repos' })
      .option('arch', { type: 'string', array: true, describe: 'only these arches' })
      .option('newest', {
        type: 'boolean',
        default: false,
        describe: 'only the newest version of each name.arch',
      }),
  async run(args, ctx) {
    return withCompose(args, ctx, 'repoclosure', async (sctx) => ({
      status: 'keep',
      exitCode: await runRepoclosureAfterSync(sctx, ctx, {
        repos: args.repo,
        arches: args.arch,
        newest: args.newest,
      }),
    }));
  },
});

/** Runs the closure units and prints dnf-style reports; 0 when closed, 1 when anything is unresolved. */
export async function runRepoclosureAfterSync(
  sctx: StepContext,
  ctx: CommandContext,
  opts: { repos?: string[]; arches?: string[]; newest?: boolean },
): Promise<number> {
  if (Object.keys(sctx.release.repoclosure.repos).length === 0) return 0;
  const outcome = await runStep(repoclosureStep, sctx, opts);
  for (const f of outcome.failed) {
    ctx.print(`== repoclosure ${f.key} ==`);
    ctx.print(f.logFile ? await readFile(f.logFile, 'utf8').catch(() => f.error) : f.error);
  }
  return outcome.failed.some((f) => !f.failable) ? 1 : 0;
}
