// finalize-media: one unit per media folder (isos/<arch>, live/<arch>, images/<arch>), once the compose may be
// finalized. It moves the staged images in, hashes the folder's payload on the run's hasher pool, writes each
// file's .CHECKSUM and the folder's CHECKSUM, signs them when a key is given, reads the ISO facts images.json
// needs, and records it all.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checksumRecords,
  createHasher,
  type Hasher,
  hashFolderFiles,
  writeChecksumFiles,
  type WrittenChecksum,
} from '../../metadata/checksum.ts';
import { implantedMd5, inspectIso } from '../../metadata/iso-inspect.ts';
import { detachSign, signaturePath } from '../../metadata/sign.ts';
import type { Step, StepContext, UnitData } from '../step.ts';
import type { UnitOutput } from '../units.ts';
import { cachingHasher, type MediaFileState, readMediaState, writeMediaState } from './media-state.ts';
import { checkFinalizable, FINALIZE_STEPS } from './outcome.ts';
import {
  findMediaFolders,
  folderKey,
  type MediaFolder,
  moveStaged,
  payloadNames,
  plannedPayload,
  removeOrphans,
} from './staging.ts';

export interface MediaOptions {
  /** gpg key to sign CHECKSUM files with; unset: no signatures. */
  signKey?: string;
  gnupgHome?: string;
}

export interface MediaUnit extends UnitData {
  arch: string;
  folder: MediaFolder;
}

/** sha256 always (images.json), plus the release's CHECKSUM algorithm, in one read. */
export function digestAlgorithms(ctx: StepContext): string[] {
  return [...new Set(['sha256', ctx.release.checksum])];
}

export const finalizeMedia: Step<MediaOptions, MediaUnit, Hasher> = {
  name: FINALIZE_STEPS[0],
  version: 1,
  scope: 'compose',
  title: 'the published media folders: images moved in, CHECKSUM files (signed with a key), ISO facts',
  validate: () => [],
  prepare: async (ctx) => createHasher({ concurrency: ctx.site.limits.cpu }),
  dispose: (hasher) => hasher.close(),
  async units(ctx, opts) {
    await checkFinalizable(ctx);
    const folders = await findMediaFolders(ctx.paths);
    return Promise.all(
      folders.map(async (folder) => ({
        key: folderKey(folder),
        arch: folder.arch,
        folder,
        inputs: {
          payload: await plannedPayload(folder),
          checksum: ctx.release.checksum,
          signKey: opts.signKey ?? null,
        },
      })),
    );
  },
  pool: () => ({ name: 'cpu' }),
  async run(unit, ctx, opts, { logFile }, shared) {
    const f = unit.folder;
    const moved = await moveStaged(f);
    const names = await payloadNames(f.dir);
    const orphans = await removeOrphans(f, names);
    const previous = await readMediaState(ctx.paths, f.kind, f.arch);
    const { hasher, hashed } = cachingHasher(shared, previous?.hashed);
    const files = await hashFolderFiles(f.dir, names, digestAlgorithms(ctx), hasher);
    const written = await writeChecksumFiles(f.dir, checksumRecords(files, ctx.release.checksum));
    const signatures = await signOrDropSignatures(written, opts, logFile);
    const states: MediaFileState[] = [];
    for (const file of files) {
      const s: MediaFileState = { ...file };
      if (!file.link && file.name.endsWith('.iso')) {
        const path = join(f.dir, file.name);
        const facts = await inspectIso(path);
        s.iso = {
          volumeId: facts.volumeId,
          bootable: facts.bootable,
          implantMd5: await implantedMd5(path, facts, logFile),
        };
      }
      states.push(s);
    }
    const statePath = await writeMediaState(ctx.paths, { kind: f.kind, arch: f.arch, files: states, hashed });
    const outputs: UnitOutput[] = [];
    for (const p of [...written.map((w) => w.path), ...signatures, statePath]) {
      outputs.push({ path: p, size: (await stat(p)).size });
    }
    return {
      outputs,
      summary: {
        files: files.length,
        moved: moved.length,
        bytes: files.filter((x) => !x.link).reduce((n, x) => n + x.size, 0),
        signed: signatures.length,
        removed: orphans.length,
      },
    };
  },
  describe(s) {
    const mib = ((Number(s?.bytes) || 0) / 1048576).toFixed(1);
    return `${String(s?.files ?? '?')} files ${mib} MiB  ${String(s?.moved ?? 0)} moved`;
  },
};

/**
 * With a key: sign every CHECKSUM file (the unit only runs when its folder or the key changed). Without one:
 * drop the signatures of files whose text changed, which would no longer verify; keep the others (made
 * elsewhere, or by an earlier run with a key).
 */
async function signOrDropSignatures(
  written: WrittenChecksum[],
  opts: MediaOptions,
  logFile: string,
): Promise<string[]> {
  const kept: string[] = [];
  for (const w of written) {
    const sig = signaturePath(w.path);
    const exists = await stat(sig).then(
      () => true,
      () => false,
    );
    if (opts.signKey) {
      kept.push(await detachSign(w.path, { keyId: opts.signKey, gnupgHome: opts.gnupgHome, logFile }));
    } else if (w.changed && exists) {
      await rm(sig, { force: true });
    } else if (exists) {
      kept.push(sig);
    }
  }
  return kept;
}
