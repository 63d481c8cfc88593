// The digest that stands for a repo tree in unit ids: sha256 of its repodata/repomd.xml, which names every other
// metadata file by checksum. A tree that is not there yet digests to 'missing' (a unit whose input is missing
// must not match a record made when it was there).
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../metadata/digest.ts';
import type { RepoTree } from './paths.ts';

export function treeDigest(tree: RepoTree): Promise<string> {
  return readFile(tree.repomd).then(sha256Hex, () => 'missing');
}
