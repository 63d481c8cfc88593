// horno finalize-compose: publish the staged media with checksums (optionally signed), write the productmd
// metadata, mark the compose FINISHED (or FINISHED_INCOMPLETE) and point the latest link at it.
import { finalizeCompose } from '../wrappers/steps/finalize-compose/index.ts';
import type { UnitFailure, UnitRecord } from '../wrappers/steps/units.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, withCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    composeOption(releaseOption(y))
      .option('sign-key', {
        type: 'string',
        describe: 'gpg key (id, fingerprint or user id) to sign CHECKSUM files with; keyring from $GNUPGHOME',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'redo units even when recorded as done',
      }),
  async run(args, ctx) {
    return withCompose(args, ctx, 'finalize-compose', async (sctx) => {
      const sde = process.env.SOURCE_DATE_EPOCH;
      const { short, version, profile } = sctx.release;
      const r = await finalizeCompose(
        sctx,
        { short, version, profile },
        {
          signKey: args['sign-key'],
          gnupgHome: process.env.GNUPGHOME,
          sourceDateEpoch: sde && /^\d+$/.test(sde) ? Number(sde) : undefined,
          force: args.force,
        },
      );
      for (const rec of [...(r.media?.ran ?? []), ...(r.media?.skipped ?? [])]) ctx.print(row(rec));
      for (const f of [...(r.media?.failed ?? []), ...(r.metadata?.failed ?? [])]) ctx.print(failure(f));
      for (const f of r.earlier)
        ctx.print(`${f.step}/${f.unit}: failed earlier${f.failable ? ' (failable)' : ''}`);
      if (r.refused) ctx.print(`not finalized: ${r.refused}`);
      else ctx.print(`${sctx.paths.id}: ${r.status}`);
      const ok = r.status === 'FINISHED' || r.status === 'FINISHED_INCOMPLETE';
      ctx.summary({ ok, compose: sctx.paths.id, ...r });
      return { status: r.status, exitCode: ok ? 0 : 1 };
    });
  },
});

function row(r: UnitRecord): string {
  const s = r.summary ?? {};
  const mb = ((Number(s.bytes) || 0) / 1048576).toFixed(1);
  return `${r.key.padEnd(20)} ${String(s.files ?? '?').padStart(4)} files ${mb.padStart(9)} MiB  ${String(s.moved ?? 0).padStart(3)} moved  ${(r.durationMs / 1000).toFixed(1).padStart(6)} s`;
}

function failure(f: UnitFailure): string {
  return `${f.key}: FAILED${f.failable ? ' (failable)' : ''}: ${f.error}`;
}
