// The release files the sync benchmark writes into its labs: one repo, x86_64 only, no debug or source trees,
// an unsigned upstream at the lab's $HORNO_UPSTREAM; closure on or off. And where horno puts the synced tree.
import { join } from 'node:path';
import type { Lab } from '../helpers/horno.ts';

export function benchRelease(short: string, repo: string, closure: boolean): string {
  return `# written by test/bench: one repo, x86_64 only, unsigned upstream
name: Horno ${short} Linux
short: ${short}
version: '9.9'
profile: '9'
type: ga
disttag: el9
module_platform_id: platform:el9
bugurl: https://example.invalid/horno-bench/bugs
is_final: true
arches: [x86_64]
checksum: sha256
upstream:
  baseurl: \${HORNO_UPSTREAM}
  paths: { os: '{repo}/{arch}/os/', debug: '{repo}/{arch}/debug/tree/', source: '{repo}/source/tree/' }
  enforce_signatures: false
repos:
  - { name: ${repo}, debug_tree: false, source_tree: false }
repoclosure:
  repos: ${closure ? `{ ${repo}: [] }` : '{}'}
`;
}

/** The compose tree horno synced a repo into (through the release's latest link). */
export function composeTree(lab: Lab, short: string, repo: string, arch: string): string {
  return join(lab.composeRoot, '9', `latest-${short}-9`, 'compose', repo, arch, 'os');
}
