// xorriso argv and dialog builders (pure, asserted in tests) and parsers of what xorriso prints: the disc replay
// dialog empanadas' xorriso.tmpl.txt writes (boot records of boot.iso replayed, repos grafted), the reproducible
// dates for SOURCE_DATE_EPOCH, the sorted file manifest, and El Torito reports.

/** One graft: a file or folder on disk put at `isoPath` (absolute in the ISO). */
export interface Graft {
  disk: string;
  isoPath: string;
  /** The path already exists on the replayed ISO: -update (replace if different) instead of -map. */
  replace?: boolean;
}

export interface ReplayOptions {
  /** The ISO whose tree and boot records are the starting point (lorax's boot.iso). */
  indev: string;
  outdev: string;
  volid: string;
  /** `-system_id`: LINUX, or PPC on ppc64le as empanadas does. */
  systemId: string;
  grafts: readonly Graft[];
  /** SOURCE_DATE_EPOCH: fixed volume dates, GPT GUIDs, node times, and these ISO paths' mtimes clamped to it. */
  epoch?: number;
  clamp?: readonly string[];
}

/** How many paths one -alter_date command takes (keeps dialog lines readable). */
const CLAMP_BATCH = 64;

/**
 * The dialog lines (one command per line, as `xorriso -options_from_file` and `-dialog on` read them) that make a
 * disc from boot.iso: its El Torito and hybrid MBR/GPT boot records replayed, Joliet with long names, the volume
 * id, the grafts, and under SOURCE_DATE_EPOCH every date that would otherwise be "now" or random.
 */
export function replayDialog(o: ReplayOptions): string[][] {
  const cmds: string[][] = [
    ['-indev', o.indev],
    ['-outdev', o.outdev],
    ['-boot_image', 'any', 'replay'],
    ['-joliet', 'on'],
    ['-system_id', o.systemId],
    ['-compliance', 'joliet_long_names'],
    ['-volid', o.volid],
  ];
  if (o.epoch !== undefined) {
    // what SOURCE_DATE_EPOCH makes xorriso default to, stated so the dialog alone reproduces the image
    cmds.push(
      ['-volume_date', 'uuid', uuidTimestring(o.epoch)],
      ['-volume_date', 'all_file_dates', 'set_to_mtime'],
      ['-iso_nowtime', `=${o.epoch}`],
      ['-boot_image', 'any', 'gpt_disk_guid=volume_date_uuid'],
    );
  }
  for (const g of o.grafts) cmds.push([g.replace ? '-update' : '-map', g.disk, g.isoPath]);
  if (o.epoch !== undefined && o.clamp?.length) {
    // "m-c": set mtime without touching ctime; all_file_dates then copies mtime into atime and ctime
    for (let i = 0; i < o.clamp.length; i += CLAMP_BATCH)
      cmds.push(['-alter_date', 'm-c', `=${o.epoch}`, ...o.clamp.slice(i, i + CLAMP_BATCH), '--']);
  }
  cmds.push(['-end']);
  return cmds;
}

/** `YYYYMMDDhhmmsscc` in UTC, the form -volume_date uuid wants. */
export function uuidTimestring(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}00`;
}

/**
 * One word as xorriso's dialog parser reads it: quoted with '...' (nothing is special inside), a single quote
 * written as "'" between quoted runs, as in a shell. Newlines cannot be expressed and are refused.
 */
export function quoteWord(word: string): string {
  if (/[\n\r\0]/.test(word)) throw new Error(`xorriso dialog: a newline or NUL in ${JSON.stringify(word)}`);
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

export function dialogText(cmds: readonly (readonly string[])[]): string {
  return cmds.map((c) => c.map(quoteWord).join(' ')).join('\n') + '\n';
}

/** Runs a dialog file: same commands as `xorriso -dialog on < file`, without needing the executor to pipe stdin. */
export function optionsFromFileArgv(file: string): string[] {
  return ['xorriso', '-options_from_file', file];
}

/** Lists every path in the ISO (read only: -indev never writes). */
export function findArgv(iso: string): string[] {
  return ['xorriso', '-indev', iso, '-find', '/'];
}

/**
 * The manifest empanadas publishes beside each ISO (`xorriso --find | tr -d "'" | sort`): every path but the root,
 * one per line, sorted by byte value so it does not depend on the locale.
 */
export function parseFindOutput(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^'(.*)'$/.exec(line.trim());
    if (!m) continue;
    const path = m[1]!.replaceAll(`'"'"'`, "'");
    if (path !== '/') out.push(path);
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) as -1 | 0 | 1);
}

export function manifestText(paths: readonly string[]): string {
  return paths.length ? `${paths.join('\n')}\n` : '';
}

export function reportElToritoArgv(iso: string, mode: 'plain' | 'as_mkisofs'): string[] {
  return ['xorriso', '-indev', iso, '-report_el_torito', mode];
}

export function implantisomd5Argv(iso: string): string[] {
  return ['implantisomd5', '--supported-iso', iso];
}

export interface BootEntry {
  n: number;
  platform: string;
  path?: string;
}

/** The boot images of `-report_el_torito plain` ("El Torito boot img :   1  BIOS  y ..."), with their paths. */
export function parseElToritoPlain(text: string): BootEntry[] {
  const entries = new Map<number, BootEntry>();
  for (const line of text.split('\n')) {
    const img = /^El Torito boot img :\s+(\d+)\s+(\S+)/.exec(line);
    if (img) entries.set(Number(img[1]), { n: Number(img[1]), platform: img[2]! });
    const path = /^El Torito img path :\s+(\d+)\s+(.+)$/.exec(line);
    if (path) {
      const e = entries.get(Number(path[1]));
      if (e) e.path = path[2]!.trim();
    }
  }
  return [...entries.values()].sort((a, b) => a.n - b.n);
}

/** xorriso says SORRY when it cannot describe (so cannot replay) part of the boot equipment. */
export function sorryLines(text: string): string[] {
  return text.split('\n').filter((l) => l.includes('SORRY'));
}
