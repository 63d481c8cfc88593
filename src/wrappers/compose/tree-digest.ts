// The digest that stands for a repo tree in unit ids: sha256 of its repodata/repomd.xml, which names every other
// metadata file by checksum. A tree that is not there yet digests to 'missing' (a unit whose input is missing
// must not match a record made when it was there).
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../metadata/digest.ts';
import { repoTreeAt, type RepoTree } from './paths.ts';

export async function treeDigest(tree: RepoTree | string): Promise<string> {
  const t = typeof tree === 'string' ? repoTreeAt(tree) : tree;
  return readFile(t.repomd).then(sha256Hex, () => 'missing');
}
