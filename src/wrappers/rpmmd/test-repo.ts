// Test support only: writes small rpm-md repositories (primary, filelists, repomd.xml with real checksums) in any
// compression, from compact package descriptions, so parser and client tests need no createrepo_c.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../run/runner.ts';
import type { Compression } from './decompress.ts';

export interface FakePackage {
  name: string;
  epoch?: string;
  version?: string;
  release?: string;
  arch?: string;
  requires?: string[];
  provides?: string[];
  /** All files; those primary carries (/etc/, *bin/) are picked out as createrepo_c does. */
  files?: string[];
  dirs?: string[];
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const OPS: Record<string, string> = {
  '=': 'EQ',
  '<': 'LT',
  '<=': 'LE',
  '>': 'GT',
  '>=': 'GE',
};

export function pkgid(p: FakePackage): string {
  return createHash('sha256')
    .update(`${p.name}-${p.epoch ?? 0}:${p.version ?? '1.0'}-${p.release ?? '1'}.${p.arch}`)
    .digest('hex');
}

/** "foo >= 1:2-3" or "foo" or "(a or b)" -> an rpm:entry element. */
export function entryXml(spec: string): string {
  if (spec.startsWith('(')) return `<rpm:entry name="${esc(spec)}"/>`;
  const pre = spec.startsWith('pre:');
  const s = pre ? spec.slice(4) : spec;
  const [name, op, evr] = s.split(' ');
  const preAttr = pre ? ' pre="1"' : '';
  if (!op || !evr) return `<rpm:entry name="${esc(name!)}"${preAttr}/>`;
  const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(evr)!;
  const rel = m[3] !== undefined ? ` rel="${esc(m[3])}"` : '';
  return `<rpm:entry name="${esc(name!)}" flags="${OPS[op]}" epoch="${m[1] ?? '0'}" ver="${esc(m[2]!)}"${rel}${preAttr}/>`;
}

const isPrimaryFile = (f: string) => f.startsWith('/etc/') || f.includes('bin/') || f === '/usr/lib/sendmail';

export function primaryXml(pkgs: FakePackage[]): string {
  const body = pkgs.map((p) => {
    const arch = p.arch ?? 'noarch';
    const v = `epoch="${p.epoch ?? '0'}" ver="${p.version ?? '1.0'}" rel="${p.release ?? '1'}"`;
    const id = pkgid(p);
    const provides = [
      `${p.name} = ${p.epoch ?? '0'}:${p.version ?? '1.0'}-${p.release ?? '1'}`,
      ...(p.provides ?? []),
    ];
    const files = [
      ...(p.files ?? []).filter(isPrimaryFile).map((f) => `<file>${esc(f)}</file>`),
      ...(p.dirs ?? []).filter(isPrimaryFile).map((f) => `<file type="dir">${esc(f)}</file>`),
    ];
    return `<package type="rpm">
  <name>${esc(p.name)}</name>
  <arch>${arch}</arch>
  <version ${v}/>
  <checksum type="sha256" pkgid="YES">${id}</checksum>
  <summary>The ${esc(p.name)} package &amp; friends</summary>
  <description>Long text that we do not keep.</description>
  <packager></packager>
  <url></url>
  <time file="1700000000" build="1699999999"/>
  <size package="6199" installed="3" archive="404"/>
  <location href="Packages/${p.name[0]}/${esc(p.name)}-${p.version ?? '1.0'}-${p.release ?? '1'}.${arch}.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:vendor></rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>fixture.example</rpm:buildhost>
    <rpm:sourcerpm>${esc(p.name)}-${p.version ?? '1.0'}-${p.release ?? '1'}.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="6081"/>
    <rpm:provides>${provides.map(entryXml).join('')}</rpm:provides>
    ${p.requires?.length ? `<rpm:requires>${p.requires.map(entryXml).join('')}</rpm:requires>` : ''}
    ${files.join('\n    ')}
  </format>
</package>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${pkgs.length}">
${body.join('\n')}
</metadata>
`;
}

export function filelistsXml(pkgs: FakePackage[]): string {
  const body = pkgs.map((p) => {
    const files = [
      ...(p.files ?? []).map((f) => `<file>${esc(f)}</file>`),
      ...(p.dirs ?? []).map((f) => `<file type="dir">${esc(f)}</file>`),
    ];
    return `<package pkgid="${pkgid(p)}" name="${esc(p.name)}" arch="${p.arch ?? 'noarch'}">
  <version epoch="${p.epoch ?? '0'}" ver="${p.version ?? '1.0'}" rel="${p.release ?? '1'}"/>
  ${files.join('\n  ')}
</package>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="${pkgs.length}">
${body.join('\n')}
</filelists>
`;
}

const EXT: Record<Compression, string> = {
  none: '',
  gz: '.gz',
  xz: '.xz',
  bz2: '.bz2',
  zst: '.zst',
};

async function compress(path: string, c: Compression): Promise<string> {
  if (c === 'none') return path;
  if (c === 'gz') {
    await writeFile(`${path}.gz`, gzipSync(await readFile(path)));
  } else if (c === 'xz') await run(['xz', '-z', '-k', '-f', path]);
  else if (c === 'bz2') await run(['bzip2', '-z', '-k', '-f', path]);
  else await run(['zstd', '-q', '-f', '-k', path, '-o', `${path}.zst`]);
  await rm(path);
  return path + EXT[c];
}

/** Writes `dir/repodata/{primary,filelists}.xml[.ext]` and a matching repomd.xml; returns the repodata file names. */
export async function writeRepo(
  dir: string,
  content: { primary: string; filelists?: string },
  compression: Compression = 'gz',
): Promise<string[]> {
  const rd = join(dir, 'repodata');
  await mkdir(rd, { recursive: true });
  const records: string[] = [];
  const names: string[] = [];
  for (const [type, xml] of Object.entries(content)) {
    if (xml === undefined) continue;
    const plain = Buffer.from(xml, 'utf8');
    const base = join(rd, `${type}.xml`);
    await writeFile(base, plain);
    const file = await compress(base, compression);
    const stored = await readFile(file);
    const name = file.slice(rd.length + 1);
    names.push(name);
    records.push(`  <data type="${type}">
    <checksum type="sha256">${sha256(stored)}</checksum>
    <open-checksum type="sha256">${sha256(plain)}</open-checksum>
    <location href="repodata/${name}"/>
    <timestamp>1700000000</timestamp>
    <size>${stored.length}</size>
    <open-size>${plain.length}</open-size>
  </data>`);
  }
  await writeFile(
    join(rd, 'repomd.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <tags>
    <content>binary-x86_64</content>
    <distro cpeid="cpe:/o:rocky:rocky:9">Rocky Linux 9</distro>
  </tags>
${records.join('\n')}
</repomd>
`,
  );
  return names;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
