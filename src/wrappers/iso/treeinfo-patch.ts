// Keeps a .treeinfo's [checksums] true after one file of the tree changed (an edited efiboot.img), touching that
// one line only: re-serialising would reorder a file written by lorax or pungi, and nothing else changed.

/**
 * Replaces the `[checksums]` entry for `path` (tree-relative, no leading slash) with a digest in the same
 * algorithm; `digest(algo)` computes it, or gives undefined for an algorithm it cannot compute (the line stays).
 */
export function patchTreeinfoChecksum(
  text: string,
  path: string,
  digest: (algorithm: string) => string | undefined,
): { text: string; changed: boolean } {
  let section = '';
  let changed = false;
  const lines = text.split('\n').map((line) => {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = header[1]!.trim();
    if (section !== 'checksums') return line;
    const m = /^(\s*)(\S.*?)(\s*=\s*)([A-Za-z0-9]+):([0-9a-fA-F]+)(\s*)$/.exec(line);
    if (!m || m[2] !== path) return line;
    const hex = digest(m[4]!);
    if (hex === undefined || hex === m[5]) return line;
    changed = true;
    return `${m[1]}${m[2]}${m[3]}${m[4]}:${hex}${m[6]}`;
  });
  return { text: lines.join('\n'), changed };
}
