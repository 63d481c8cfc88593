// finalize-metadata: one unit that writes compose/metadata (composeinfo.json, images.json, rpms.json,
// modules.json when the compose has modules, COMPOSE_ID, README) from the compose's own repodata and the media
// states. Its id covers every repomd.xml and media state, so an unchanged compose is not read again. Its close
// hook writes STATUS and moves the latest link (outcome.ts).
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../compose/atomic.ts';
import { parseComposeId } from '../../compose/compose-id.ts';
import { type ComposePaths, type MetadataFile } from '../../compose/paths.ts';
import { templateFile } from '../../install.ts';
import { renderTemplate } from '../../config/templates.ts';
import { WorkError } from '../../errors.ts';
import { checksumTag } from '../../metadata/checksum-format.ts';
import { serializeComposeInfo } from '../../metadata/composeinfo.ts';
import { serializeImages } from '../../metadata/images.ts';
import { serializeModules } from '../../metadata/modules.ts';
import type { ComposeHead } from '../../metadata/productmd-json.ts';
import { serializeRpms } from '../../metadata/rpms.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import type { Step, StepContext, UnitData } from '../step.ts';
import type { UnitOutput } from '../units.ts';
import { collectImages } from './collect-images.ts';
import { collectModules } from './collect-modules.ts';
import { collectRpms, hasRepodata } from './collect-rpms.ts';
import { composeVariants } from './compose-variants.ts';
import { type MediaState, readMediaState } from './media-state.ts';
import { checkFinalizable, closeCompose, FINALIZE_STEPS } from './outcome.ts';
import { findMediaFolders } from './staging.ts';

/** finalize-metadata takes no options: what it writes follows from the compose and the clock. */
export type MetadataOptions = Record<string, never>;

export interface MetadataUnit extends UnitData {
  states: MediaState[];
}

/** The compose README's template. */
export const README_TEMPLATE = templateFile('README.compose');

/** compose id, date and respin from the folder's name; type production (horno makes no nightly ids). */
export function composeHeadOf(paths: ComposePaths): ComposeHead {
  const id = parseComposeId(paths.id);
  if (!id) throw new WorkError(`${paths.id} is not a compose id (<Short>-<version>-<YYYYMMDD>.<n>)`);
  return { id: paths.id, date: id.date, type: 'production', respin: id.respin };
}

async function treeDigests(ctx: StepContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const repo of ctx.release.repos) {
    const trees = [
      ...repo.arches.flatMap((a) => [
        ctx.paths.tree(repo.name, a, 'os'),
        ctx.paths.tree(repo.name, a, 'debug'),
      ]),
      ctx.paths.tree(repo.name, 'source', 'source'),
    ];
    for (const t of trees) {
      if (!(await hasRepodata(t))) continue;
      out[ctx.paths.relativeToCompose(t)] = sha256Hex(await readFile(join(t, 'repodata', 'repomd.xml')));
    }
  }
  return out;
}

export const finalizeMetadata: Step<MetadataOptions, MetadataUnit> = {
  name: FINALIZE_STEPS[1],
  version: 1,
  scope: 'compose',
  title: 'the productmd metadata (composeinfo, images, rpms, modules), then STATUS and the latest link',
  validate: () => [],
  async units(ctx) {
    // finalize-media refused already when the compose must not be finalized; this phase may run on its own
    await checkFinalizable(ctx);
    const states: MediaState[] = [];
    for (const f of await findMediaFolders(ctx.paths)) {
      const s = await readMediaState(ctx.paths, f.kind, f.arch);
      if (s) states.push(s);
    }
    const r = ctx.release;
    const inputs = {
      compose: ctx.paths.id,
      release: [r.name, r.short, r.version, r.major, r.type, r.checksum],
      repos: r.repos.map((x) => [x.name, x.arches]),
      names: [r.iso ?? null, r.live ?? null],
      trees: await treeDigests(ctx),
      media: states.map((s) => sha256Hex(Buffer.from(JSON.stringify(s.files)))),
      readme: sha256Hex(await readFile(README_TEMPLATE)),
      sourceDateEpoch: ctx.clock.sourceDateEpoch ?? null,
    };
    return [{ key: 'metadata', states, inputs }];
  },
  pool: () => ({ name: 'cpu' }),
  async run(unit, ctx) {
    const { paths, release } = ctx;
    const head = composeHeadOf(paths);
    const id = parseComposeId(paths.id)!;
    const images = collectImages(paths, release, id, unit.states, ctx.clock.sourceDateEpoch);
    const rel = { name: release.name, version: release.version, short: release.short, type: release.type };
    const files: [MetadataFile, string | undefined][] = [
      [
        'composeinfo.json',
        serializeComposeInfo({
          compose: head,
          release: { ...rel, internal: false },
          variants: await composeVariants(paths, release, images),
        }),
      ],
      ['images.json', serializeImages({ compose: head, images })],
      [
        'rpms.json',
        serializeRpms({ compose: head, rpms: await collectRpms(paths, release, ioConcurrency(ctx)) }),
      ],
    ];
    const modules = await collectModules(paths, release);
    files.push([
      'modules.json',
      Object.keys(modules).length ? serializeModules({ compose: head, modules }) : undefined,
    ]);
    files.push(['COMPOSE_ID', `${paths.id}\n`]);
    files.push(['README', await readme(ctx)]);
    const outputs: UnitOutput[] = [];
    for (const [name, text] of files) {
      const p = paths.metadataFile(name);
      if (text === undefined) {
        await rm(p, { force: true }); // modules gone since the last run: no stale file
        continue;
      }
      await writeFileAtomic(p, text);
      outputs.push({ path: p, size: (await stat(p)).size });
    }
    const count = (m: Record<string, Record<string, unknown[]>>) =>
      Object.values(m).reduce((n, a) => n + Object.values(a).reduce((k, l) => k + l.length, 0), 0);
    return { outputs, summary: { images: count(images), modules: count(modules), files: outputs.length } };
  },
  describe(s) {
    return `${String(s?.images ?? '?')} images, ${String(s?.modules ?? '?')} modules, ${String(s?.files ?? '?')} files`;
  },
  close: (ctx, _opts, run) => closeCompose(ctx, run),
};

/** Signature headers are read with small random reads: more in flight than cores. */
function ioConcurrency(ctx: StepContext): number {
  return Math.max(4, ctx.site.limits.cpu * 4);
}

async function readme(ctx: StepContext): Promise<string> {
  const r = ctx.release;
  return renderTemplate(await readFile(README_TEMPLATE, 'utf8'), {
    name: r.name,
    version: r.version,
    compose: ctx.paths.id,
    checksum: checksumTag(r.checksum),
    tool: `${r.checksum}sum`,
  });
}
