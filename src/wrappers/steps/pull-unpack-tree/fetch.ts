// Finding and downloading the lorax tarball of one arch: the newest under the arch's own prefix by the epoch the
// uploader put in the key (not the greatest key across prefixes, as empanadas compared them), and a download
// checked against the sha256 recorded at upload. A local copy that already matches that sha256 is kept.
import { stat } from 'node:fs/promises';
import { WorkError } from '../../errors.ts';
import { newestUnder, type ArtifactStore, type StoredObject } from '../../store/index.ts';
import { loraxStorePrefix, tarballName } from '../build-iso/index.ts';
import { digestFile } from './tree-files.ts';

/** The newest `buildiso-<major>-<arch>/<epoch>/lorax-<version>-<arch>.tar.gz`, or undefined when there is none. */
export async function newestLoraxTarball(
  store: ArtifactStore,
  major: string,
  version: string,
  arch: string,
): Promise<StoredObject | undefined> {
  const prefix = loraxStorePrefix(major, arch);
  const name = tarballName(version, arch);
  const shape = new RegExp(`^${escapeRe(prefix)}\\d+/${escapeRe(name)}$`);
  return newestUnder(store, prefix, { match: shape });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Downloads `obj` to `dest` unless a file there already has its sha256; true when bytes were fetched. */
export async function fetchTarball(
  store: ArtifactStore,
  obj: StoredObject,
  dest: string,
  force: boolean,
): Promise<boolean> {
  if (!obj.sha256)
    throw new WorkError(
      `${store.url}/${obj.key} has no recorded sha256, so its download cannot be verified`,
      'upload it again with build-iso, which records one',
    );
  if (!force && (await stat(dest).catch(() => undefined))?.size === obj.size) {
    if ((await digestFile(dest, 'sha256')) === obj.sha256) return false;
  }
  const got = await store.get(obj.key, dest, { verify: true });
  if (got.sha256 !== obj.sha256)
    throw new WorkError(`${store.url}/${obj.key} changed while it was being downloaded; run again`);
  return true;
}
