// Finding and downloading the lorax tarball of one arch. By default the one this compose's own build-iso uploaded
// (the key and sha256 in its unit record), so composes sharing a store never take each other's tree; with --newest,
// empanadas' way: the newest under the arch's own prefix by the epoch in the key (not the greatest key across
// prefixes, as empanadas compared them). A download is checked against the sha256 expected; a local copy that
// already has it is kept.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComposePaths } from '../../compose/paths.ts';
import { WorkError } from '../../errors.ts';
import {
  LORAX_BUILD_STEP,
  loraxStorePrefix,
  loraxTarballKeyPattern,
  loraxTarballOfSummary,
} from '../../iso/lorax-tarball.ts';
import { newestUnder, type ArtifactStore, type StoredObject } from '../../store/index.ts';
import { readLedger, type UnitRecord } from '../units.ts';
import { digestFile } from '../../metadata/digest.ts';

/** A stored tarball as a unit carries it: plain data (no listing time), so the unit stays JSON. */
export type TarballObject = Pick<StoredObject, 'key' | 'size' | 'sha256'>;

function plain(o: StoredObject): TarballObject {
  return { key: o.key, size: o.size, ...(o.sha256 !== undefined ? { sha256: o.sha256 } : {}) };
}

/** The newest tarball of `version` under the arch's prefix, or undefined when there is none. */
export async function newestLoraxTarball(
  store: ArtifactStore,
  major: string,
  version: string,
  arch: string,
): Promise<TarballObject | undefined> {
  const match = loraxTarballKeyPattern(major, version, arch);
  const obj = await newestUnder(store, loraxStorePrefix(major, arch), { match });
  return obj && plain(obj);
}

/** What this compose's build-iso uploaded for an arch, as its unit record says. */
export interface RecordedTarball {
  key: string;
  sha256: string;
  size: number;
  /** The store it went to (its URL, for messages). */
  store: string;
  finishedAt: string;
}

/**
 * The tarball of `arch` in this compose's latest build-iso record; undefined when build-iso never finished that arch
 * here. A WorkError when build-iso's latest verdict for the arch is a failure: an older build is not what was asked.
 */
export async function recordedLoraxTarball(
  paths: ComposePaths,
  arch: string,
): Promise<RecordedTarball | undefined> {
  const verdict = (await readLedger(paths, LORAX_BUILD_STEP))[arch];
  if (verdict?.verdict === 'failed')
    throw new WorkError(
      `build-iso failed for ${arch} in this compose (${verdict.error ?? 'no reason recorded'}): no boot tree of its own to pull`,
      'run build-iso again, or pass --newest to take the newest tarball in the store',
    );
  let best: RecordedTarball | undefined;
  const names = await readdir(paths.unitRecords).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const rec = await readRecord(join(paths.unitRecords, name));
    if (rec?.step !== LORAX_BUILD_STEP || rec.key !== arch) continue;
    const s = loraxTarballOfSummary(rec.summary);
    if (!s) continue;
    if (best && rec.finishedAt <= best.finishedAt) continue;
    best = { key: s.key, sha256: s.sha256, size: s.bytes, store: s.store, finishedAt: rec.finishedAt };
  }
  return best;
}

async function readRecord(file: string): Promise<UnitRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UnitRecord;
  } catch {
    return undefined; // written by rename, so a record is whole or missing; anything else is not one of ours
  }
}

/**
 * The stored object behind a recorded tarball. Refused when it is gone or no longer holds the bytes recorded (an
 * upload under the same key replaced it): pulling it would unpack another build's tree.
 */
export async function recordedObject(store: ArtifactStore, rec: RecordedTarball): Promise<TarballObject> {
  const obj = await store.head(rec.key);
  if (!obj)
    throw new WorkError(
      `${store.url}/${rec.key}, which build-iso uploaded for this compose, is not in the store`,
      rec.store === store.url
        ? 'run build-iso again (with --force if its unit is recorded as done)'
        : `build-iso uploaded it to ${rec.store}; point the site's store there, or run build-iso again`,
    );
  if (obj.sha256 !== undefined && obj.sha256 !== rec.sha256)
    throw new WorkError(
      `${store.url}/${rec.key} has sha256 ${obj.sha256}, not the ${rec.sha256} this compose's build-iso uploaded: another upload replaced it`,
      'run build-iso again (with --force if its unit is recorded as done)',
    );
  return { key: obj.key, sha256: rec.sha256, size: rec.size };
}

/** Downloads `obj` to `dest` unless a file there already has its sha256; true when bytes were fetched. */
export async function fetchTarball(
  store: ArtifactStore,
  obj: TarballObject,
  dest: string,
  opts: { force?: boolean; onBytes?: (n: number) => void; signal?: AbortSignal } = {},
): Promise<boolean> {
  if (!obj.sha256)
    throw new WorkError(
      `${store.url}/${obj.key} has no recorded sha256, so its download cannot be verified`,
      'upload it again with build-iso, which records one',
    );
  if (!opts.force && (await stat(dest).catch(() => undefined))?.size === obj.size) {
    if ((await digestFile(dest, 'sha256')) === obj.sha256) return false;
  }
  const got = await store.get(obj.key, dest, { verify: true, onBytes: opts.onBytes, signal: opts.signal });
  if (got.sha256 !== obj.sha256)
    throw new WorkError(
      `${store.url}/${obj.key} is not the tarball expected (sha256 ${got.sha256}, expected ${obj.sha256}): it changed since it was chosen; run again`,
    );
  return true;
}
