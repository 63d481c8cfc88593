// argv for remastering an existing ISO the way mkksiso does: extract files (osirrox), write a new image that
// replays the input's boot records with edited and added files (`-boot_image any replay`), and re-implant the
// md5 that any rewrite invalidates. Pure builders, asserted exactly in the tests.

export interface IsoUpdate {
  /** File on disk. */
  src: string;
  /** Absolute path in the ISO; added when absent, replaced when present. */
  isoPath: string;
}

export interface AppendedPartition {
  number: number;
  /** MBR type byte (0xef) or GPT type GUID, as the input's boot report gave it. */
  type: string;
  src: string;
}

export interface ReplayEdit {
  indev: string;
  outdev: string;
  /** Set only when the volume id changes; replay keeps the old one otherwise. */
  volid?: string;
  /** The input had a Joliet tree: modify mode drops it unless asked to keep one. */
  joliet: boolean;
  updates: IsoUpdate[];
  partitions?: AppendedPartition[];
}

export function xorrisoExtractArgv(iso: string, files: { isoPath: string; dest: string }[]): string[] {
  return [
    'xorriso',
    '-osirrox',
    'on',
    '-indev',
    iso,
    ...files.flatMap((f) => ['-extract', f.isoPath, f.dest]),
  ];
}

export function xorrisoReplayArgv(e: ReplayEdit): string[] {
  return [
    'xorriso',
    '-indev',
    e.indev,
    '-outdev',
    e.outdev,
    '-boot_image',
    'any',
    'replay',
    ...(e.joliet ? ['-joliet', 'on', '-compliance', 'joliet_long_names'] : []),
    ...(e.volid !== undefined ? ['-volid', e.volid] : []),
    // after the replay, so the edited image replaces the one replay copied from the input
    ...(e.partitions ?? []).flatMap((p) => ['-append_partition', String(p.number), p.type, p.src]),
    ...e.updates.flatMap((u) => ['-update', u.src, u.isoPath]),
  ];
}

/** --force: the input's implanted md5 leaves the application-use area "used", and implantisomd5 would refuse. */
export function implantIsoMd5Argv(iso: string): string[] {
  return ['implantisomd5', '--force', iso];
}
