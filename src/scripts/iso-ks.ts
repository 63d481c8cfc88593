// `horno iso-ks load <iso>` prints the kickstart an installer ISO boots with; `horno iso-ks edit <iso> --ks f.ks -o
// out.iso [--volid V]` writes a copy that boots with another (mkksiso's job), and `--batch variants.yaml [-o dir]`
// writes one per variant. The action is a positional rather than a yargs subcommand: cli.ts runs a command's own
// handler, and a nested command's would bypass its logging and exit-code mapping.
import type { Argv } from 'yargs';
import { UsageError } from '../wrappers/errors.ts';
import { runBatch } from '../wrappers/steps/iso-ks/batch.ts';
import { editIso, type EditOutcome } from '../wrappers/steps/iso-ks/edit.ts';
import { loadKickstart } from '../wrappers/steps/iso-ks/load.ts';
import { defineCommand, type CommandContext, type GlobalArgs } from './command.ts';

interface Args {
  action: 'load' | 'edit';
  iso: string;
  ks?: string;
  batch?: string;
  output?: string;
  volid?: string;
}

export default defineCommand<Args>({
  options: (y) =>
    (y as Argv<GlobalArgs>)
      .positional('action', {
        choices: ['load', 'edit'] as const,
        describe: 'load: print it; edit: write a new ISO',
      })
      .positional('iso', { type: 'string', describe: 'installer ISO (boot.iso or DVD)' })
      .option('ks', { type: 'string', describe: 'edit: kickstart to embed as /ks.cfg' })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'edit: the new ISO; with --batch, its folder',
      })
      .option('volid', { type: 'string', describe: 'edit: new volume id (<= 32 characters)' })
      .option('batch', { type: 'string', describe: 'edit: variants.yaml, one ISO per variant' })
      .example('$0 iso-ks load boot.iso', 'print the embedded kickstart')
      .example('$0 iso-ks edit boot.iso --ks dept-a.ks -o dept-a.iso', 'one kickstart ISO')
      .example(
        '$0 iso-ks edit boot.iso --batch variants.yaml -o out/',
        'one ISO per variant',
      ) as unknown as Argv<GlobalArgs & Args>,
  async run(args, ctx) {
    if (args.action === 'load') return load(args, ctx);
    return args.batch ? batch(args, args.batch, ctx) : single(args, ctx);
  },
});

async function load(args: Args, ctx: CommandContext): Promise<number> {
  const extra = (['ks', 'batch', 'output', 'volid'] as const).filter((k) => args[k] !== undefined);
  if (extra.length) throw new UsageError(`iso-ks load takes only the ISO (drop --${extra.join(', --')})`);
  const ks = await loadKickstart(args.iso, { log: ctx.log });
  ctx.print(ks.text);
  ctx.summary({
    ok: true,
    iso: ks.iso,
    volid: ks.volid,
    inst_ks: ks.instKs,
    from: ks.from,
    path: ks.path,
    text: ks.text,
  });
  return 0;
}

async function single(args: Args, ctx: CommandContext): Promise<number> {
  if (!args.ks) throw new UsageError('iso-ks edit needs --ks <kickstart> (or --batch <variants.yaml>)');
  if (!args.output) throw new UsageError('iso-ks edit --ks needs -o <new ISO>');
  const out = await editIso(
    { iso: args.iso, ks: args.ks, output: args.output, volid: args.volid },
    { log: ctx.log },
  );
  ctx.print(describe(out));
  ctx.summary({ ok: true, outputs: [summarize(out)] });
  return 0;
}

async function batch(args: Args, file: string, ctx: CommandContext): Promise<number> {
  if (args.ks || args.volid)
    throw new UsageError('with --batch, each variant names its kickstart and volume id in the variants file');
  const outcome = await runBatch(
    { iso: args.iso, variantsFile: file, outdir: args.output },
    { log: ctx.log },
  );
  for (const w of outcome.written) ctx.print(`${w.name}: ${describe(w)}`);
  for (const f of outcome.failed) ctx.log.error({ variant: f.name }, f.error.message);
  ctx.summary({
    ok: outcome.failed.length === 0,
    outputs: outcome.written.map((w) => ({ name: w.name, ...summarize(w) })),
    failed: outcome.failed.map((f) => ({ name: f.name, error: f.error.message })),
  });
  return outcome.failed.length ? 1 : 0;
}

function describe(o: EditOutcome): string {
  const entries = o.configs.reduce((n, c) => n + c.entries, 0);
  const relabel = o.volid === o.previousVolid ? '' : ` (was ${o.previousVolid})`;
  return (
    `wrote ${o.output}: volume id ${o.volid}${relabel}, inst.ks=${o.instKs} on ${entries} boot entries in ` +
    `${o.configs.length} configs, md5 implanted, ${(o.ms / 1000).toFixed(1)} s`
  );
}

function summarize(o: EditOutcome) {
  return {
    output: o.output,
    volid: o.volid,
    previous_volid: o.previousVolid,
    inst_ks: o.instKs,
    configs: o.configs,
    bytes: o.bytes,
    ms: o.ms,
  };
}
