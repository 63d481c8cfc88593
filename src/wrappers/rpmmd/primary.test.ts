import { describe, expect, it } from 'vitest';
import { filelistsByPkgid, parseFilelists } from './filelists.ts';
import { depFlags, detach, Interner } from './intern.ts';
import { parsePrimary } from './primary.ts';
import type { FilelistEntry, Package } from './types.ts';

// trimmed createrepo_c 0.17 output for two packages, with every dependency kind, pre-requires, an epoch and files
const PRIMARY = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>bash</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="5.1.8" rel="9.el9"/>
  <checksum type="sha256" pkgid="YES">7B9942F6EE763187040438086F9F7367CBB5C7BCADEC67746C92327612B98025</checksum>
  <summary>The GNU Bourne Again shell</summary>
  <description>The GNU Bourne Again shell (Bash) is a shell &amp; command language interpreter.</description>
  <packager>Rocky Linux Build System</packager>
  <url>https://www.gnu.org/software/bash</url>
  <time file="1700000000" build="1699999999"/>
  <size package="1771123" installed="7738634" archive="7753452"/>
  <location href="Packages/b/bash-5.1.8-9.el9.x86_64.rpm"/>
  <format>
    <rpm:license>GPLv3+</rpm:license>
    <rpm:vendor>Rocky Enterprise Software Foundation</rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>fixture.example</rpm:buildhost>
    <rpm:sourcerpm>bash-5.1.8-9.el9.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="60081"/>
    <rpm:provides>
      <rpm:entry name="/bin/bash"/>
      <rpm:entry name="bash" flags="EQ" epoch="0" ver="5.1.8" rel="9.el9"/>
      <rpm:entry name="bash(x86-64)" flags="EQ" epoch="0" ver="5.1.8" rel="9.el9"/>
      <rpm:entry name="config(bash)" flags="EQ" epoch="0" ver="5.1.8" rel="9.el9"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="/usr/bin/sh" pre="1"/>
      <rpm:entry name="filesystem" flags="GE" epoch="0" ver="3" pre="1"/>
      <rpm:entry name="libc.so.6(GLIBC_2.34)(64bit)"/>
      <rpm:entry name="libtinfo.so.6()(64bit)"/>
      <rpm:entry name="(glibc-langpack-en if glibc)"/>
    </rpm:requires>
    <rpm:conflicts>
      <rpm:entry name="filesystem" flags="LT" epoch="0" ver="3"/>
    </rpm:conflicts>
    <rpm:obsoletes>
      <rpm:entry name="bash-old" flags="LE" epoch="1" ver="4" rel="1"/>
    </rpm:obsoletes>
    <rpm:recommends><rpm:entry name="bash-completion"/></rpm:recommends>
    <rpm:suggests><rpm:entry name="bash-doc" flags="GT" epoch="0" ver="5"/></rpm:suggests>
    <rpm:supplements><rpm:entry name="(bash and shells)"/></rpm:supplements>
    <rpm:enhances><rpm:entry name="shells"/></rpm:enhances>
    <file>/etc/skel/.bashrc</file>
    <file>/usr/bin/bash</file>
    <file type="dir">/usr/libexec/bin/</file>
    <file type="ghost">/etc/bash.log</file>
  </format>
</package>
<package type="rpm">
  <name>nodejs-docs</name>
  <arch>noarch</arch>
  <version epoch="1" ver="18.19.0" rel="1.module+el9.3.0+1+abc"/>
  <checksum type="sha256" pkgid="YES">0000000000000000000000000000000000000000000000000000000000000001</checksum>
  <summary>docs</summary>
  <description></description>
  <packager></packager>
  <url></url>
  <time file="1700000001" build="1700000002"/>
  <size package="1" installed="2" archive="3"/>
  <location xml:base="http://other.example/repo/" href="Packages/n/nodejs-docs.rpm"/>
  <format>
    <rpm:sourcerpm>nodejs-18.19.0-1.module+el9.3.0+1+abc.src.rpm</rpm:sourcerpm>
    <rpm:provides><rpm:entry name="nodejs-docs" flags="EQ" epoch="1" ver="18.19.0" rel="1.module+el9.3.0+1+abc"/></rpm:provides>
  </format>
</package>
</metadata>
`;

const FILELISTS = `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="7b9942f6ee763187040438086f9f7367cbb5c7bcadec67746c92327612b98025" name="bash" arch="x86_64">
  <version epoch="0" ver="5.1.8" rel="9.el9"/>
  <file>/etc/skel/.bashrc</file>
  <file>/usr/bin/bash</file>
  <file type="dir">/usr/share/doc/bash</file>
  <file>/usr/share/doc/bash/a&amp;b.txt</file>
  <file type="ghost">/etc/bash.log</file>
</package>
<package pkgid="0000000000000000000000000000000000000000000000000000000000000001" name="nodejs-docs" arch="noarch">
  <version epoch="1" ver="18.19.0" rel="1.module+el9.3.0+1+abc"/>
</package>
</filelists>
`;

/** Feeds text in small pieces so every element and attribute straddles chunk boundaries somewhere. */
async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('parsePrimary', () => {
  it('reads every field of a package', async () => {
    const [bash, docs] = await collect(parsePrimary(chunked(PRIMARY, 65536)));
    expect(bash).toEqual({
      name: 'bash',
      epoch: '0',
      version: '5.1.8',
      release: '9.el9',
      arch: 'x86_64',
      nevra: 'bash-5.1.8-9.el9.x86_64',
      checksum: {
        type: 'sha256',
        value: '7b9942f6ee763187040438086f9f7367cbb5c7bcadec67746c92327612b98025',
      },
      pkgid: '7b9942f6ee763187040438086f9f7367cbb5c7bcadec67746c92327612b98025',
      size: { package: 1771123, installed: 7738634, archive: 7753452 },
      location: { href: 'Packages/b/bash-5.1.8-9.el9.x86_64.rpm' },
      time: { file: 1700000000, build: 1699999999 },
      sourcerpm: 'bash-5.1.8-9.el9.src.rpm',
      provides: [
        { name: '/bin/bash' },
        { name: 'bash', flags: 'EQ', epoch: '0', ver: '5.1.8', rel: '9.el9' },
        {
          name: 'bash(x86-64)',
          flags: 'EQ',
          epoch: '0',
          ver: '5.1.8',
          rel: '9.el9',
        },
        {
          name: 'config(bash)',
          flags: 'EQ',
          epoch: '0',
          ver: '5.1.8',
          rel: '9.el9',
        },
      ],
      requires: [
        { name: '/usr/bin/sh', pre: true },
        { name: 'filesystem', flags: 'GE', epoch: '0', ver: '3', pre: true },
        { name: 'libc.so.6(GLIBC_2.34)(64bit)' },
        { name: 'libtinfo.so.6()(64bit)' },
        { name: '(glibc-langpack-en if glibc)' },
      ],
      conflicts: [{ name: 'filesystem', flags: 'LT', epoch: '0', ver: '3' }],
      obsoletes: [{ name: 'bash-old', flags: 'LE', epoch: '1', ver: '4', rel: '1' }],
      recommends: [{ name: 'bash-completion' }],
      suggests: [{ name: 'bash-doc', flags: 'GT', epoch: '0', ver: '5' }],
      supplements: [{ name: '(bash and shells)' }],
      enhances: [{ name: 'shells' }],
      files: [
        { path: '/etc/skel/.bashrc' },
        { path: '/usr/bin/bash' },
        { path: '/usr/libexec/bin/', type: 'dir' },
        { path: '/etc/bash.log', type: 'ghost' },
      ],
    } satisfies Package);
    expect(docs).toMatchObject({
      nevra: 'nodejs-docs-1:18.19.0-1.module+el9.3.0+1+abc.noarch',
      epoch: '1',
      location: {
        href: 'Packages/n/nodejs-docs.rpm',
        base: 'http://other.example/repo/',
      },
      requires: [],
      files: [],
    });
  });

  it('gives the same result whatever the chunking', async () => {
    const whole = await collect(parsePrimary(chunked(PRIMARY, 1 << 20)));
    for (const size of [1, 7, 64, 333]) {
      expect(await collect(parsePrimary(chunked(PRIMARY, size)))).toEqual(whole);
    }
  });

  it('shares identical strings and dependency objects through the interner', async () => {
    const it = new Interner();
    const a = await collect(parsePrimary(chunked(PRIMARY, 100), { interner: it }));
    const b = await collect(parsePrimary(chunked(PRIMARY, 100), { interner: it }));
    expect(a[0]!.requires[2]).toBe(b[0]!.requires[2]);
    expect(a[0]!.provides[1]).not.toBe(a[0]!.requires[1]);
  });

  it('with deps: false keeps everything but dependency lists and files', async () => {
    const full = await collect(parsePrimary(chunked(PRIMARY, 64)));
    const bare = await collect(parsePrimary(chunked(PRIMARY, 64), { deps: false }));
    const lists = [
      'requires',
      'provides',
      'conflicts',
      'obsoletes',
      'recommends',
      'suggests',
      'supplements',
      'enhances',
      'files',
    ] as const;
    expect(bare).toEqual(full.map((p) => ({ ...p, ...Object.fromEntries(lists.map((k) => [k, []])) })));
    expect(full[0]!.requires.length).toBeGreaterThan(0);
  });

  it('maps flags to the five DepFlags and copies strings out intact', async () => {
    const it = new Interner();
    const a = await collect(parsePrimary(chunked(PRIMARY, 7), { interner: it }));
    const flagged = a.flatMap((p) => [...p.requires, ...p.provides]).filter((d) => d.flags);
    expect(flagged.length).toBeGreaterThan(0);
    for (const d of flagged) expect(['EQ', 'LT', 'LE', 'GT', 'GE']).toContain(d.flags);
    expect(detach(`${'x'.repeat(40)}/usr/lib/libfoo.so.1`.slice(40))).toBe('/usr/lib/libfoo.so.1');
    expect(depFlags('EQ')).toBe('EQ');
    expect(depFlags('eq')).toBeUndefined();
  });

  it('fails on malformed XML with the file name', async () => {
    await expect(
      collect(
        parsePrimary(chunked('<metadata><package><name>x</nam', 5), {
          what: 'p.xml',
        }),
      ),
    ).rejects.toThrow(/p\.xml: not valid XML/);
  });
});

describe('parseFilelists', () => {
  it('reads every file with its type, joined by pkgid', async () => {
    const entries = await collect(parseFilelists(chunked(FILELISTS, 13)));
    expect(entries).toEqual([
      {
        pkgid: '7b9942f6ee763187040438086f9f7367cbb5c7bcadec67746c92327612b98025',
        name: 'bash',
        arch: 'x86_64',
        epoch: '0',
        version: '5.1.8',
        release: '9.el9',
        files: [
          { path: '/etc/skel/.bashrc' },
          { path: '/usr/bin/bash' },
          { path: '/usr/share/doc/bash', type: 'dir' },
          { path: '/usr/share/doc/bash/a&b.txt' },
          { path: '/etc/bash.log', type: 'ghost' },
        ],
      },
      {
        pkgid: '0000000000000000000000000000000000000000000000000000000000000001',
        name: 'nodejs-docs',
        arch: 'noarch',
        epoch: '1',
        version: '18.19.0',
        release: '1.module+el9.3.0+1+abc',
        files: [],
      },
    ] satisfies FilelistEntry[]);
  });

  it('joins to packages by pkgid, optionally only the ones asked for', async () => {
    const [bash] = await collect(parsePrimary(chunked(PRIMARY, 4096)));
    const all = await filelistsByPkgid(parseFilelists(chunked(FILELISTS, 4096)));
    expect(all.get(bash!.pkgid)?.map((f) => f.path)).toContain('/usr/share/doc/bash/a&b.txt');
    const some = await filelistsByPkgid(parseFilelists(chunked(FILELISTS, 4096)), new Set([bash!.pkgid]));
    expect([...some.keys()]).toEqual([bash!.pkgid]);
  });
});
