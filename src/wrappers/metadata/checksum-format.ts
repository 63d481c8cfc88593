// The CHECKSUM text format pungi and Rocky publish: per file a size comment and a BSD tag line
// (`# <file>: <size> bytes`, `SHA256 (<file>) = <hex>`), entries sorted by name. Writer, strict parser, and the
// conversion to the `<hex>  <file>` lines that `sha256sum -c` reads.
import type { ChecksumAlgorithm } from '../config/release-schema.ts';

export interface ChecksumRecord {
  /** A plain file name (the record sits beside the file). */
  file: string;
  size: number;
  algorithm: ChecksumAlgorithm;
  hex: string;
}

/** A parsed line pair; `size` is missing in older files that carry no `#` comment. */
export interface ParsedChecksum {
  file: string;
  algorithm: ChecksumAlgorithm;
  hex: string;
  size?: number;
}

const TAGS: Record<ChecksumAlgorithm, string> = {
  sha1: 'SHA1',
  sha224: 'SHA224',
  sha256: 'SHA256',
  sha384: 'SHA384',
  sha512: 'SHA512',
};
const HEX_LENGTH: Record<ChecksumAlgorithm, number> = {
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};
const BY_TAG = new Map(Object.entries(TAGS).map(([alg, tag]) => [tag, alg as ChecksumAlgorithm]));

export function checksumTag(algorithm: ChecksumAlgorithm): string {
  return TAGS[algorithm];
}

/**
 * coreutils escapes names holding a backslash or a newline with a leading `\` on the line; a published image
 * name never needs that, so such names are refused instead of half-supported.
 */
export function assertPlainName(file: string): void {
  if (file === '' || /[\\/\n\r\0]/.test(file)) {
    throw new Error(`cannot write a CHECKSUM record for ${JSON.stringify(file)}: not a plain file name`);
  }
}

export function formatChecksumRecord(r: ChecksumRecord): string {
  assertPlainName(r.file);
  if (!Number.isSafeInteger(r.size) || r.size < 0) throw new Error(`${r.file}: bad size ${r.size}`);
  if (r.hex.length !== HEX_LENGTH[r.algorithm] || !/^[0-9a-f]+$/.test(r.hex)) {
    throw new Error(`${r.file}: not a ${r.algorithm} digest: ${r.hex}`);
  }
  return `# ${r.file}: ${r.size} bytes\n${TAGS[r.algorithm]} (${r.file}) = ${r.hex}\n`;
}

/** A whole CHECKSUM file: every record, sorted by file name (code unit order, so the output never varies). */
export function formatChecksumFile(records: readonly ChecksumRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.file === sorted[i - 1]!.file)
      throw new Error(`two CHECKSUM records for ${sorted[i]!.file}`);
  }
  return sorted.map(formatChecksumRecord).join('');
}

const SIZE_LINE = /^# (.+): (\d+) bytes$/;
const TAG_LINE = /^([A-Z0-9]+) \((.+)\) = ([0-9a-fA-F]+)$/;

export class ChecksumParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ChecksumParseError';
  }
}

/**
 * Parses a CHECKSUM (or .CHECKSUM) file. Strict: unknown lines, unknown algorithms, digests of the wrong length
 * and a size comment that names another file than the line after it are errors, because a mirror script that
 * silently skips lines verifies nothing.
 */
export function parseChecksumFile(text: string): ParsedChecksum[] {
  const out: ParsedChecksum[] = [];
  let pending: { file: string; size: number; line: number } | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const size = SIZE_LINE.exec(line);
    if (size) {
      if (pending)
        throw new ChecksumParseError(pending.line, `size comment for ${pending.file} has no digest line`);
      pending = { file: size[1]!, size: Number(size[2]), line: n };
      continue;
    }
    const tag = TAG_LINE.exec(line);
    if (!tag) throw new ChecksumParseError(n, `not a CHECKSUM line: ${JSON.stringify(line)}`);
    const algorithm = BY_TAG.get(tag[1]!);
    if (!algorithm) throw new ChecksumParseError(n, `unknown algorithm ${tag[1]}`);
    const file = tag[2]!;
    const hex = tag[3]!.toLowerCase();
    if (hex.length !== HEX_LENGTH[algorithm]) {
      throw new ChecksumParseError(n, `${algorithm} digest of ${file} has ${hex.length} hex digits`);
    }
    const rec: ParsedChecksum = { file, algorithm, hex };
    if (pending) {
      if (pending.file !== file) {
        throw new ChecksumParseError(
          n,
          `size comment names ${pending.file} but the digest line names ${file}`,
        );
      }
      rec.size = pending.size;
      pending = undefined;
    }
    out.push(rec);
  }
  if (pending)
    throw new ChecksumParseError(pending.line, `size comment for ${pending.file} has no digest line`);
  return out;
}

/** The same entries as `sha256sum`/`sha512sum` print them (`<hex>  <file>`), for `-c`. Nothing is recomputed. */
export function toCoreutilsFormat(entries: readonly ParsedChecksum[]): string {
  return entries.map((e) => `${e.hex}  ${e.file}\n`).join('');
}
