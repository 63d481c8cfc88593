// Builds (once, cached) the memory benchmark's upstream: a repo whose primary.xml lists 50,000 packages with
// realistic dependency lists (closed but for one planted break), while its files cost almost nothing: every
// entry is a hardlink, under its own name, of one of a handful of tiny real RPMs. primary.xml.gz and repomd.xml
// are written here, so each entry's checksum and size are those of the file it names.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { ensureCached, generatorHash } from './bench-cache.ts';
import { planPackages } from './sync-repo-plan.ts';
import { buildRpms, createrepo } from './sync-repo-gen.ts';

export const BIG_REPO = 'Big';
export const BIG_ARCH = 'x86_64';

export interface BigRepoManifest {
  packages: number;
  primaryBytes: number;
  primaryGzBytes: number;
  generatedMs: number;
}

/** What a tiny real RPM contributes to every entry that names it. */
interface Template {
  file: string;
  arch: string;
  sha256: string;
  /** The <size>, <time> and <rpm:header-range> elements createrepo_c wrote for it. */
  sizeTag: string;
  timeTag: string;
  rangeTag: string;
}

const PREFIXES = [
  'lib',
  'python3-',
  'perl-',
  'golang-',
  'rust-',
  'texlive-',
  'qt6-',
  'xorg-x11-',
  'ghc-',
  'nodejs-',
];

export async function ensureBigRepo(opts: {
  packages: number;
  log: (m: string) => void;
}): Promise<{ upstream: string; manifest: BigRepoManifest; built: boolean }> {
  const sources = ['./big-repo-gen.ts', './sync-repo-gen.ts', './sync-repo-plan.ts'].map(
    (f) => new URL(f, import.meta.url),
  );
  const hash = await generatorHash(sources, { packages: opts.packages });
  const { dir, manifest, built } = await ensureCached('big', hash, async (tmp) => {
    opts.log(`generating a ${opts.packages}-package primary.xml in ${tmp} ...`);
    return generate(tmp, opts.packages);
  });
  return { upstream: join(dir, 'upstream'), manifest, built };
}

async function generate(root: string, n: number): Promise<BigRepoManifest> {
  const started = performance.now();
  const templates = await tinyRpms(join(root, 'tiny'));
  const tree = join(root, 'upstream', BIG_REPO, BIG_ARCH, 'os');
  const repodata = join(tree, 'repodata');
  await mkdir(repodata, { recursive: true });
  const names = Array.from({ length: n }, (_, i) => `${PREFIXES[i % PREFIXES.length]}big${i}`);
  const made = new Set<string>();
  for (const [i, name] of names.entries()) {
    const t = templates[i % templates.length]!;
    const dir = join(tree, 'Packages', name[0]!);
    if (!made.has(dir)) await mkdir(dir, { recursive: true });
    made.add(dir);
    await link(t.file, join(dir, fileName(name, i, t.arch)));
  }

  const tmpGz = join(repodata, '.primary.xml.gz');
  const open = createHash('sha256');
  const gz = createHash('sha256');
  let openSize = 0;
  await pipeline(
    entries(names, templates),
    new Transform({
      transform(chunk: Buffer | string, _enc, done) {
        const b = Buffer.from(chunk);
        open.update(b);
        openSize += b.length;
        done(null, b);
      },
    }),
    createGzip({ level: 6 }),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        gz.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(tmpGz),
  );
  const gzSum = gz.digest('hex');
  const href = `repodata/${gzSum}-primary.xml.gz`;
  await rename(tmpGz, join(tree, href));
  const gzSize = (await stat(join(tree, href))).size;
  const repomd = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">',
    '  <revision>1700000000</revision>',
    '  <data type="primary">',
    `    <checksum type="sha256">${gzSum}</checksum>`,
    `    <open-checksum type="sha256">${open.digest('hex')}</open-checksum>`,
    `    <location href="${href}"/>`,
    '    <timestamp>1700000000</timestamp>',
    `    <size>${gzSize}</size>`,
    `    <open-size>${openSize}</open-size>`,
    '  </data>',
    '</repomd>',
    '',
  ].join('\n');
  await writeFile(join(repodata, 'repomd.xml'), repomd);
  await rm(join(root, 'tiny'), { recursive: true, force: true });
  return {
    packages: n,
    primaryBytes: openSize,
    primaryGzBytes: gzSize,
    generatedMs: Math.round(performance.now() - started),
  };
}

const version = (i: number) => `${1 + (i % 7)}.${i % 13}.${i % 5}`;
const fileName = (name: string, i: number, arch: string) => `${name}-${version(i)}-1.el9.${arch}.rpm`;

/** Four tiny real RPMs (noarch and x86_64) and what createrepo_c says about each. */
async function tinyRpms(work: string): Promise<Template[]> {
  const { files } = await buildRpms(work, planPackages(4, 3), 512);
  const repo = join(work, 'repo');
  await mkdir(repo, { recursive: true });
  for (const f of files) await rename(f, join(repo, basename(f)));
  await createrepo(repo, work);
  const primaryGz = (await readdir(join(repo, 'repodata'))).find((f) => f.endsWith('primary.xml.gz'))!;
  const xml = gunzipSync(await readFile(join(repo, 'repodata', primaryGz))).toString('utf8');
  const out: Template[] = [];
  for (const block of xml.split('<package ').slice(1)) {
    const tag = (re: RegExp) => re.exec(block)?.[0] ?? '';
    const href = /<location href="([^"]+)"/.exec(block)![1]!;
    const file = join(repo, href);
    out.push({
      file,
      arch: /<arch>([^<]+)<\/arch>/.exec(block)![1]!,
      sha256: createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
      sizeTag: tag(/<size [^>]*\/>/),
      timeTag: tag(/<time [^>]*\/>/),
      rangeTag: tag(/<rpm:header-range [^>]*\/>/),
    });
  }
  return out;
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function entry(name: string, flags?: string, evr?: [string, string, string], pre = false): string {
  const v = evr && flags ? ` flags="${flags}" epoch="${evr[0]}" ver="${evr[1]}" rel="${evr[2]}"` : '';
  return `      <rpm:entry name="${esc(name)}"${v}${pre ? ' pre="1"' : ''}/>`;
}

/** What every package requires from the system; the first package provides it. */
const SYSTEM_PROVIDES = [
  'libc.so.6()(64bit)',
  'libc.so.6(GLIBC_2.34)(64bit)',
  'libm.so.6()(64bit)',
  'rtld(GNU_HASH)',
];
/** The one dependency nothing provides (the last package has it), for both closures to report. */
const BIG_PLANTED = 'libbig-missing.so.9()(64bit)';

/** primary.xml, one package at a time: ~2.5 KB each, like a real EL9 repo's. */
async function* entries(names: readonly string[], templates: readonly Template[]): AsyncGenerator<string> {
  const n = names.length;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${n}">\n`;
  for (const [i, name] of names.entries()) {
    const t = templates[i % templates.length]!;
    const ver = version(i);
    const evr: [string, string, string] = ['0', ver, '1.el9'];
    const other = (k: number) => names[(i * 7919 + k * 104729) % n]!;
    const otherVer = (k: number) => version((i * 7919 + k * 104729) % n);
    const provides = [
      entry(name, 'EQ', evr),
      ...(t.arch === 'noarch' ? [] : [entry(`${name}(x86-64)`, 'EQ', evr)]),
      entry(`lib${name}.so.1()(64bit)`),
      entry(`lib${name}.so.1(V_${ver})(64bit)`),
      entry(`config(${name})`, 'EQ', evr),
      entry(`bundled(${name}-core)`, 'EQ', ['0', ver, '']),
      // the first package stands in for glibc and bash, so the closure holds but for the planted break
      ...(i === 0 ? SYSTEM_PROVIDES.map((p) => entry(p)) : []),
    ];
    const requires = [
      entry('/bin/sh', undefined, undefined, true),
      entry('libc.so.6()(64bit)'),
      entry('libc.so.6(GLIBC_2.34)(64bit)'),
      entry('libm.so.6()(64bit)'),
      entry('rtld(GNU_HASH)'),
      ...[1, 2, 3, 4].map((k) => entry(`lib${other(k)}.so.1()(64bit)`)),
      ...[5, 6, 7].map((k) => entry(other(k), 'GE', ['0', otherVer(k), ''])),
      entry(`(${other(8)} if ${other(9)})`),
      entry(`config(${name})`, 'EQ', evr),
      ...(i === n - 1 ? [entry(BIG_PLANTED)] : []),
    ];
    yield `<package type="rpm">
  <name>${name}</name>
  <arch>${t.arch}</arch>
  <version epoch="0" ver="${ver}" rel="1.el9"/>
  <checksum type="sha256" pkgid="YES">${t.sha256}</checksum>
  <summary>The ${name} package of the horno memory benchmark</summary>
  <description>${name} is one of ${n} synthetic packages whose only purpose is to make primary.xml as long as a real distribution's. Its dependency lists look like those of a compiled library with a few scripts.</description>
  <packager>horno bench</packager>
  <url>https://bench.example.invalid/${name}</url>
  ${t.timeTag}
  ${t.sizeTag}
  <location href="Packages/${name[0]}/${fileName(name, i, t.arch)}"/>
  <format>
    <rpm:license>MIT AND (BSD-3-Clause OR GPL-2.0-or-later)</rpm:license>
    <rpm:vendor>horno bench</rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>bench.example</rpm:buildhost>
    <rpm:sourcerpm>${name}-${ver}-1.el9.src.rpm</rpm:sourcerpm>
    ${t.rangeTag}
    <rpm:provides>
${provides.join('\n')}
    </rpm:provides>
    <rpm:requires>
${requires.join('\n')}
    </rpm:requires>
${i === 0 ? '    <file>/bin/sh</file>\n' : ''}    <file>/usr/bin/${name}</file>
    <file>/usr/sbin/${name}d</file>
    <file>/etc/${name}.conf</file>
    <file type="dir">/etc/${name}</file>
  </format>
</package>
`;
  }
  yield '</metadata>\n';
}
