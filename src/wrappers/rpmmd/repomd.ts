// repomd.xml: the index of a repository's metadata files (primary, filelists, other, comps, modules, ...), each
// with its location, checksums, sizes and timestamp. Small, so parsed in one go; everything else is found from it.
import { normaliseChecksumType } from './decompress.ts';
import { RepoMetadataError } from './errors.ts';
import { checksumProblem, LocationError, treeLocation } from './location.ts';
import { readLocation, resolveLocation, type SourceOptions } from './source.ts';
import type { Checksum, RepoMd, RepoMdRecord } from './types.ts';
import { scanXml, type XmlTag } from './xml-scan.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Parses the text of a repomd.xml. `what` names the file in error messages. */
export function parseRepomd(xml: string, what = 'repomd.xml'): RepoMd {
  const records: RepoMdRecord[] = [];
  const content: string[] = [];
  const repo: string[] = [];
  const distro: { cpeid?: string; name: string }[] = [];
  let revision: string | undefined;
  let rec: Mutable<RepoMdRecord> | undefined;
  let checksumType = '';
  let cpeid: string | undefined;
  let sawRoot = false;

  const open = (tag: XmlTag): boolean => {
    const a = tag.attributes;
    switch (tag.name) {
      case 'repomd':
        sawRoot = true;
        break;
      case 'data':
        rec = { type: a.type ?? '', location: { href: '' } };
        break;
      case 'location':
        if (rec)
          rec.location = a['xml:base'] ? { href: a.href ?? '', base: a['xml:base'] } : { href: a.href ?? '' };
        break;
      case 'checksum':
      case 'open-checksum':
      case 'header-checksum':
        checksumType = normaliseChecksumType(a.type ?? '');
        break;
      case 'distro':
        cpeid = a.cpeid;
        break;
    }
    return true;
  };
  const close = (name: string, text: string): void => {
    const v = text.trim();
    if (name === 'data') {
      if (rec) records.push(rec);
      rec = undefined;
      return;
    }
    if (!rec) {
      if (name === 'revision') revision = v;
      else if (name === 'content') content.push(v);
      else if (name === 'repo') repo.push(v);
      else if (name === 'distro') distro.push(cpeid !== undefined ? { cpeid, name: v } : { name: v });
      return;
    }
    const sum = (): Checksum => ({
      type: checksumType,
      value: v.toLowerCase(),
    });
    switch (name) {
      case 'checksum':
        rec.checksum = sum();
        break;
      case 'open-checksum':
        rec.openChecksum = sum();
        break;
      case 'header-checksum':
        rec.headerChecksum = sum();
        break;
      case 'size':
        rec.size = int(v);
        break;
      case 'open-size':
        rec.openSize = int(v);
        break;
      case 'header-size':
        rec.headerSize = int(v);
        break;
      case 'timestamp':
        rec.timestamp = int(v);
        break;
      case 'database_version':
        rec.databaseVersion = int(v);
        break;
    }
  };
  try {
    scanXml(xml, { open, close });
  } catch (err) {
    throw new RepoMetadataError(`${what}: not valid XML: ${(err as Error).message}`);
  }
  if (!sawRoot) throw new RepoMetadataError(`${what}: no <repomd> element`);
  const out: Mutable<RepoMd> = { tags: { content, repo, distro }, records };
  if (revision !== undefined) out.revision = revision;
  return out;
}

function int(v: string): number {
  // timestamps in old repos can be floats ("1700000000.12")
  return Math.trunc(Number(v));
}

/** Fetches and parses `<baseUrl>/repodata/repomd.xml`. */
export async function fetchRepomd(baseUrl: string, opts: SourceOptions = {}): Promise<RepoMd> {
  const loc = resolveLocation(baseUrl, 'repodata/repomd.xml');
  const buf = await readLocation(loc, opts);
  return parseRepomd(buf.toString('utf8'), loc);
}

/** The record of one metadata type, e.g. "primary"; undefined when the repo has none. */
export function findRecord(repomd: RepoMd, type: string): RepoMdRecord | undefined {
  return repomd.records.find((r) => r.type === type);
}

/** Every file repomd.xml points to (repodata/...), for mirroring: location, checksum and size of each. */
export function metadataFiles(repomd: RepoMd): RepoMdRecord[] {
  return [...repomd.records].sort((a, b) => (a.location.href < b.location.href ? -1 : 1));
}

export interface ConfinedRepomd {
  /** The same records, each location rewritten to its path inside the tree (no xml:base): a local copy's view. */
  local: RepoMd;
  /** Where to fetch each record, in the order of `records`. */
  urls: string[];
}

/**
 * Checks every record of an upstream repomd.xml, fetched or not, at once: each location lies inside the tree at
 * `tree` and each record has a checksum we can verify. Throws one error naming every bad record.
 */
export function confineRepomd(repomd: RepoMd, tree: string, what: string): ConfinedRepomd {
  const problems: string[] = [];
  const urls: string[] = [];
  const records = repomd.records.map((r): RepoMdRecord => {
    const name = `record "${r.type}"`;
    const sum = checksumProblem(r.checksum);
    if (sum) problems.push(`${name} (${r.location.href}) ${sum}`);
    try {
      const loc = treeLocation(tree, r.location.href, r.location.base, name);
      urls.push(loc.url);
      return { ...r, location: { href: loc.rel } };
    } catch (err) {
      if (!(err instanceof LocationError)) throw err;
      problems.push(err.message);
      return r;
    }
  });
  if (problems.length)
    throw new LocationError(
      `${what}: ${problems.length} unsafe record(s):\n${problems.map((p) => `  ${p}`).join('\n')}`,
      'every record must lie inside the tree and carry a checksum; nothing was copied from this upstream',
    );
  return { local: { ...repomd, records }, urls };
}
