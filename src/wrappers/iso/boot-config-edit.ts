// Rewrites installer boot menus for a kickstart: every kernel command line in isolinux.cfg (`append`) and in GRUB
// configs (`linux`, `linuxefi`, `linux16`) gets exactly one inst.ks=, and a relabelled volume takes every LABEL= and
// GRUB `search -l` with it. Pure text in, text out: mkksiso's substring replace of the old label also hits menu
// titles and longer labels, and it appends a second inst.ks= to menus that already have one; this does neither.

export type BootConfigKind = 'isolinux' | 'grub';

export interface KickstartEdit {
  /** The new inst.ks= value, e.g. `hd:LABEL=Rocky-9-x86_64-dvd:/ks.cfg`. */
  ks: string;
  /** Volume id of the input ISO (raw, not escaped). */
  oldVolid: string;
  /** Volume id of the output ISO; equal to oldVolid when it is kept. */
  newVolid: string;
}

export interface ConfigEditResult {
  text: string;
  /** Kernel command lines that now carry the new inst.ks=. */
  entries: number;
}

// udev's allow-list (libudev-util.c is_whitelisted), as lorax's udev_escape uses it for LABEL= arguments
const UDEV_SAFE = /[A-Za-z0-9#+.:=@_-]/;

/** lorax's udev_escape: every character outside udev's allow-list becomes `\xNN`, so `Rocky 9` -> `Rocky\x209`. */
export function udevEscape(label: string): string {
  let out = '';
  for (const ch of label) {
    out += UDEV_SAFE.test(ch) ? ch : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function udevUnescape(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** One kernel command line found in a config: the line number (0-based) and its arguments. */
export interface KernelLine {
  line: number;
  args: string;
}

interface SplitLine {
  head: string;
  args: string;
}

// isolinux: `append <args>` (any case, any indent). GRUB: `linux|linuxefi|linux16 <kernel> <args>`.
const ISOLINUX_APPEND = /^(\s*append)(?=\s|$)(.*)$/i;
const GRUB_LINUX = /^(\s*(?:linux|linuxefi|linux16)\s+\S+)(.*)$/;
const GRUB_SEARCH = /^\s*search(?:\.fs_label)?\s/;

function splitKernelLine(kind: BootConfigKind, line: string): SplitLine | undefined {
  const m = (kind === 'isolinux' ? ISOLINUX_APPEND : GRUB_LINUX).exec(line);
  return m ? { head: m[1]!, args: m[2]! } : undefined;
}

/** Every kernel command line of a config, in file order. */
export function kernelLines(kind: BootConfigKind, text: string): KernelLine[] {
  const out: KernelLine[] = [];
  text.split('\n').forEach((raw, line) => {
    const split = splitKernelLine(kind, raw.replace(/\r$/, ''));
    if (split) out.push({ line, args: split.args });
  });
  return out;
}

const isKsToken = (t: string) => /^(?:inst\.)?ks(?:=|$)/.test(t);

/** Values of every inst.ks= (and legacy ks=) argument, in order; a bare `inst.ks` gives ''. */
export function kickstartArgs(args: string): string[] {
  return args
    .split(/\s+/)
    .filter(isKsToken)
    .map((t) => (t.includes('=') ? t.slice(t.indexOf('=') + 1) : ''));
}

/**
 * Sets inst.ks in one argument string: the first existing inst.ks=/ks= is replaced where it stands, any further
 * ones are dropped, and when there was none the new one is appended. Whitespace elsewhere is kept as it was.
 */
export function setKickstartArg(args: string, ks: string): string {
  const parts = args.split(/(\s+)/);
  const token = `inst.ks=${ks}`;
  let placed = false;
  const kept: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i]!;
    const space = parts[i - 1] ?? '';
    if (isKsToken(word)) {
      if (placed) continue;
      placed = true;
      kept.push(space, token);
    } else {
      kept.push(space, word);
    }
  }
  const joined = kept.join('');
  return placed ? joined : `${joined.trimEnd()} ${token}`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Moves `LABEL=old` (and CDLABEL=, written raw or udev-escaped) to the new label in kernel arguments. */
export function relabelArgs(args: string, oldVolid: string, newVolid: string): string {
  if (oldVolid === newVolid) return args;
  const forms = [...new Set([udevEscape(oldVolid), oldVolid])].map(escapeRe).join('|');
  const re = new RegExp(`(LABEL=)(?:${forms})(?=[:\\s]|$)`, 'g');
  return args.replace(re, (_, key: string) => `${key}${udevEscape(newVolid)}`);
}

/** Moves the label a GRUB `search -l` / `search --label` / `search.fs_label` line looks for. */
export function relabelSearch(line: string, oldVolid: string, newVolid: string): string {
  if (oldVolid === newVolid || !GRUB_SEARCH.test(line)) return line;
  if (!/\s(?:-[a-z]*l[a-z]*|--label)(?=\s)/.test(line) && !/^\s*search\.fs_label\s/.test(line)) return line;
  const old = escapeRe(oldVolid);
  const re = new RegExp(`(\\s)(?:'${old}'|"${old}"|${old})(?=\\s|$)`, 'g');
  return line.replace(re, (match, space: string) => {
    const was = match.trim()[0];
    const quote = was === '"' || was === "'" ? was : /^[\w.+-]+$/.test(newVolid) ? '' : "'";
    return `${space}${quote}${newVolid}${quote}`;
  });
}

/** Rewrites one isolinux.cfg or GRUB config for the kickstart; line endings (LF or CRLF) are kept. */
export function rewriteBootConfig(kind: BootConfigKind, text: string, edit: KickstartEdit): ConfigEditResult {
  let entries = 0;
  const lines = text.split('\n').map((raw) => {
    const cr = raw.endsWith('\r') ? '\r' : '';
    const line = cr ? raw.slice(0, -1) : raw;
    const split = splitKernelLine(kind, line);
    if (!split) return (kind === 'grub' ? relabelSearch(line, edit.oldVolid, edit.newVolid) : line) + cr;
    entries++;
    const args = setKickstartArg(relabelArgs(split.args, edit.oldVolid, edit.newVolid), edit.ks);
    return split.head + args + cr;
  });
  return { text: lines.join('\n'), entries };
}
