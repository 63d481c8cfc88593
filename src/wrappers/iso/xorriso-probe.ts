// One xorriso run that tells what a remaster needs to know: the boot equipment as replayable mkisofs options
// (`-report_el_torito as_mkisofs`) and every file in the tree (`-find / -type f`), split by a marker line. A missing
// path aborts `-extract`, so callers extract only what this listing holds.

/** Printed between the boot report and the file list; no report line or quoted path can look like it. */
export const PROBE_MARK = '@@horno-iso-files@@';

export function xorrisoProbeArgv(iso: string): string[] {
  return [
    'xorriso',
    '-indev',
    iso,
    '-report_el_torito',
    'as_mkisofs',
    '-print',
    PROBE_MARK,
    '-find',
    '/',
    '-type',
    'f',
  ];
}

/** The UEFI El Torito image: a file in the tree, or a partition appended after it (lorax >= 37.3, EL 10). */
export type EfiImage =
  | { kind: 'file'; isoPath: string }
  | { kind: 'partition'; number: number; type: string; offset: number; length: number };

export interface IsoProbe {
  /** Absolute paths of the regular files in the tree. */
  files: Set<string>;
  /** The BIOS El Torito image path (`-b`), when the ISO has one. */
  bios?: string;
  efi: EfiImage[];
  /** The report lines themselves, for messages. */
  report: string[];
}

/** Undoes xorriso's quoting: `'it'"'"'s'` is `it's`. */
export function unquoteXorriso(text: string): string {
  const t = text.trim();
  if (!t.startsWith("'")) return t;
  return t.slice(1, t.endsWith("'") ? -1 : undefined).replaceAll(`'"'"'`, "'");
}

const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, d: 512, s: 2048, k: 1024, m: 1024 * 1024 };

/** `40960d-44399d` (inclusive ends, xorriso's interval syntax) as a byte offset and length. */
export function parseInterval(text: string): { offset: number; length: number } | undefined {
  const m = /^(\d+)([bdskm]?)-(\d+)([bdskm]?)$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]) * UNIT_BYTES[m[2]!]!;
  const endUnit = UNIT_BYTES[m[4]!]!;
  const end = (Number(m[3]) + 1) * endUnit;
  return end > start ? { offset: start, length: end - start } : undefined;
}

export function parseProbe(stdout: string): IsoProbe {
  const lines = stdout.split('\n');
  const mark = lines.indexOf(PROBE_MARK);
  const report = mark >= 0 ? lines.slice(0, mark) : [];
  const files = new Set(
    (mark >= 0 ? lines.slice(mark + 1) : []).filter((l) => l.startsWith("'")).map(unquoteXorriso),
  );
  const partitions = new Map<number, { type: string; interval: string }>();
  for (const l of report) {
    const m = /^-append_partition (\d+) (\S+) --interval:local_fs:([^:]+):/.exec(l);
    if (m) partitions.set(Number(m[1]), { type: m[2]!, interval: m[3]! });
  }
  const efi: EfiImage[] = [];
  let bios: string | undefined;
  for (const l of report) {
    const b = /^-b (.+)$/.exec(l);
    if (b) bios = unquoteXorriso(b[1]!);
    const e = /^-e (.+)$/.exec(l);
    if (!e) continue;
    const target = unquoteXorriso(e[1]!);
    const part = /^--interval:appended_partition_(\d+)/.exec(target);
    if (!part) {
      efi.push({ kind: 'file', isoPath: target });
      continue;
    }
    const n = Number(part[1]);
    const p = partitions.get(n);
    const range = p && parseInterval(p.interval);
    if (p && range) efi.push({ kind: 'partition', number: n, type: p.type, ...range });
  }
  return { files, bios, efi, report };
}
