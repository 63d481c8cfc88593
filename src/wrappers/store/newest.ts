// "The latest artifact" done right (empanadas sorted keys as strings across prefixes, so "999" beat "1000"): among
// the objects under a prefix that match, the newest by recorded time, which is the epoch path segment the uploader
// put in the key (buildiso-9-x86_64/<compose-id>/<epoch>/...) or else the object's last-modified time.
import type { ArtifactStore, StoredObject } from './store.ts';

export interface NewestOptions {
  /** Keep only keys that match (a RegExp, or a predicate on the key). Default: every object. */
  match?: RegExp | ((key: string) => boolean);
}

/** A path segment of 9 to 11 digits: seconds since 1970 between 2001 and 5138. */
const EPOCH_SEGMENT = /^\d{9,11}$/;

/** Milliseconds since 1970: the last epoch segment of the key, else lastModified. */
export function recordedTime(obj: StoredObject): number {
  const epoch = obj.key
    .split('/')
    .filter((s) => EPOCH_SEGMENT.test(s))
    .at(-1);
  return epoch !== undefined ? Number(epoch) * 1000 : obj.lastModified.getTime();
}

export async function newestUnder(
  store: ArtifactStore,
  prefix: string,
  opts: NewestOptions = {},
): Promise<StoredObject | undefined> {
  const match = opts.match;
  const keep =
    match === undefined ? () => true : match instanceof RegExp ? (k: string) => match.test(k) : match;
  let best: { obj: StoredObject; t: number } | undefined;
  for await (const obj of store.list(prefix)) {
    if (!keep(obj.key)) continue;
    const t = recordedTime(obj);
    // equal times: the greater key wins, so the answer does not depend on listing order
    if (!best || t > best.t || (t === best.t && obj.key > best.obj.key)) best = { obj, t };
  }
  if (!best) return undefined;
  // S3 listings carry no user metadata: the recorded sha256 comes with a HEAD of the one object chosen
  if (best.obj.sha256 !== undefined) return best.obj;
  return (await store.head(best.obj.key)) ?? best.obj;
}
