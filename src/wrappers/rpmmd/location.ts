// Where an upstream location may point. Every href and xml:base that repomd.xml or primary.xml carries resolves,
// after URL normalisation and percent-decoding, under the URL of the tree that published it: same scheme, host,
// port and path prefix, so a hostile upstream can neither name a local file (file:///etc/shadow, file:/x.rpm) nor
// climb out of its tree (%2e%2e/, ..%2f, backslashes) nor send us to another host. The one resolver for both.
import { getHashes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RepoMetadataError } from './errors.ts';
import type { Checksum } from './types.ts';

export class LocationError extends RepoMetadataError {
  override readonly code = 'E_RPMMD_LOCATION';
}

export interface TreeLocation {
  /** Where to fetch it: a URL, or a plain path when the tree was given as one. */
  url: string;
  /** Its path inside the tree, decoded ("Packages/b/bash-5.1.8-1.el9.x86_64.rpm"): where a mirror puts it. */
  rel: string;
}

const isUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
// C0 controls and DEL: no real file name has them, and parsers disagree on where they end a URL
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The tree's root as a URL whose path ends in '/' (a plain path becomes a file: URL). Not to be modified. */
function treeRoot(tree: string): URL {
  // a mirror resolves every package of a tree against the same root: parse it once per tree
  const known = roots.get(tree);
  if (known) return known;
  const u = isUrl(tree) ? new URL(tree) : pathToFileURL(resolve(tree));
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  if (roots.size >= 256) roots.clear();
  roots.set(tree, u);
  return u;
}
const roots = new Map<string, URL>();

/**
 * Resolves `href` (with its record's `xmlBase`, if any) against the tree at `tree` (an http(s)/file URL or a plain
 * path) and checks that it stays inside it. `what` names the record in the error ("repomd.xml record \"group\"").
 */
export function treeLocation(
  tree: string,
  href: string,
  xmlBase: string | undefined,
  what: string,
): TreeLocation {
  const root = treeRoot(tree);
  const refuse = (why: string): never => {
    const base = xmlBase !== undefined ? ` (xml:base "${xmlBase}")` : '';
    throw new LocationError(
      `${what}: refusing location "${href}"${base}: ${why}`,
      `every location must lie under the tree's own URL ${root.href}; the upstream metadata is broken or hostile`,
    );
  };
  for (const [name, s] of [
    ['href', href],
    ['xml:base', xmlBase ?? ''],
  ] as const) {
    // URL parsers read '\' as '/' for http and file URLs: a textual check on '/' would miss a climb out
    if (s.includes('\\')) refuse(`its ${name} has a backslash`);
    if (CONTROL.test(s)) refuse(`its ${name} has a control character`);
  }
  if (href === '') refuse('it is empty');
  let target: URL;
  try {
    let base = root;
    if (xmlBase !== undefined) {
      base = new URL(xmlBase, root);
      if (!base.pathname.endsWith('/')) base.pathname += '/'; // librepo joins xml:base and href as folders
    }
    target = new URL(href, base);
  } catch {
    return refuse('not a valid URL');
  }
  if (target.protocol !== root.protocol)
    refuse(`scheme ${target.protocol} is not the tree's ${root.protocol}`);
  if (target.host !== root.host) refuse(`host "${target.host}" is not the tree's "${root.host}"`);
  if (target.username !== root.username || target.password !== root.password)
    refuse('it carries other credentials than the tree');
  if (target.search || target.hash) refuse('it has a query or fragment');
  if (!target.pathname.startsWith(root.pathname))
    refuse(`it resolves to ${target.pathname}, outside the tree`);
  const segments: string[] = [];
  for (const raw of target.pathname.slice(root.pathname.length).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return refuse('it has a broken percent-encoding');
    }
    // what a server or the file system sees after decoding: %2e%2e, %2f and %5c must not become a path step
    if (seg === '' || seg === '.' || seg === '..') refuse('it has an empty, "." or ".." path segment');
    if (/[/\\]/.test(seg) || CONTROL.test(seg)) refuse('it has an encoded "/", "\\" or control character');
    segments.push(seg);
  }
  const rel = segments.join('/');
  return { url: isUrl(tree) ? target.href : fileURLToPath(target), rel };
}

/** The URL or path of `href` inside the tree; throws LocationError when it would lie outside. */
export function resolveLocation(tree: string, href: string, xmlBase?: string, what = tree): string {
  return treeLocation(tree, href, xmlBase, what).url;
}

/** A checksum we can verify: an algorithm node's crypto knows and a hex digest of that algorithm's length. */
export function checksumProblem(sum: Checksum | undefined): string | undefined {
  if (!sum || !sum.type || !sum.value) return 'has no checksum';
  const type = sum.type.toLowerCase() === 'sha' ? 'sha1' : sum.type.toLowerCase();
  const len = DIGEST_HEX[type];
  if (len === undefined || !HASHES.has(type)) return `has a checksum of unknown type "${sum.type}"`;
  if (sum.value.length !== len || !/^[0-9a-f]+$/.test(sum.value))
    return `has a malformed ${sum.type} checksum "${sum.value.slice(0, 80)}"`;
  return undefined;
}

const HASHES = new Set(getHashes());
const DIGEST_HEX: Record<string, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};
