// How much of an upstream's metadata horno will hold or unpack: the defaults of the site's `limits` (config reads
// them from here) and the scanner's token bound. Tiny compressed files can claim or unpack to gigabytes; these
// caps turn such a file into a clear error instead of memory, disk and hours.

/** Decompressed ceiling of a parsed metadata file (primary, filelists, other), open-size or not. */
export const METADATA_MAX_BYTES = 4 * 2 ** 30;
/** Decompressed ceiling of comps and modules, which are copied whole into the published repodata. */
export const COMPS_MODULES_MAX_BYTES = 64 * 2 ** 20;
/**
 * The longest tag, attribute or wanted text the XML scanner holds, in characters. rpm-md has none past a few KiB
 * (a long file path, a changelog is in other.xml, which nothing parses); 4 Mi is far beyond that and still small.
 */
export const XML_MAX_TOKEN = 4 * 2 ** 20;
/** Deepest element nesting the XML scanner accepts (rpm-md and comps nest 5 deep). */
export const XML_MAX_DEPTH = 256;

/** "4 GiB", "64 MiB", "1234 bytes": for error messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}
