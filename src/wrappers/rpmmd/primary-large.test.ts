import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamPrimary } from './repo.ts';
import { fetchRepomd } from './repomd.ts';
import { entryXml } from './test-repo.ts';
import type { Package } from './types.ts';

// A primary.xml.gz the size of a big EL AppStream (50k packages, ~15 dependencies each), written and read back to
// check throughput and that memory stays bounded while streaming.
const N = 50_000;
const SHARED = Array.from({ length: 4000 }, (_, i) => `libshared${i}.so.${i % 7}()(64bit)`);

function pkgXml(i: number): string {
  const name = `pkg${i}`;
  const req = [
    'pre:/bin/sh',
    'rpmlib(CompressedFileNames) <= 3.0.4-1',
    `pkg${(i * 7919) % N} >= 1.0`,
    '(glibc-langpack-en or glibc-all-langpacks)',
  ];
  for (let k = 0; k < 10; k++) req.push(SHARED[(i * 31 + k * 17) % SHARED.length]!);
  const prov = [
    `${name} = 0:1.${i % 97}-1.el9`,
    `${name}(x86-64) = 0:1.${i % 97}-1.el9`,
    SHARED[i % SHARED.length]!,
  ];
  return `<package type="rpm"><name>${name}</name><arch>x86_64</arch><version epoch="0" ver="1.${i % 97}" rel="1.el9"/>
<checksum type="sha256" pkgid="YES">${i.toString(16).padStart(64, '0')}</checksum><summary>Package number ${i}</summary>
<description>A synthetic package used to measure how fast and how lean horno reads primary.xml; this sentence pads the description to a realistic length of a couple hundred bytes.</description>
<packager>Rocky Linux Build System (Peridot) &lt;releng@rockylinux.org&gt;</packager><url>https://example.org/${name}</url>
<time file="1700000000" build="1699999999"/><size package="123456" installed="456789" archive="460000"/>
<location href="Packages/p/${name}-1.${i % 97}-1.el9.x86_64.rpm"/><format><rpm:license>MIT</rpm:license>
<rpm:vendor>Rocky Enterprise Software Foundation</rpm:vendor><rpm:group>Unspecified</rpm:group><rpm:buildhost>build.example</rpm:buildhost>
<rpm:sourcerpm>${name}-1.${i % 97}-1.el9.src.rpm</rpm:sourcerpm><rpm:header-range start="4504" end="20000"/>
<rpm:provides>${prov.map(entryXml).join('')}</rpm:provides><rpm:requires>${req.map(entryXml).join('')}</rpm:requires>
<file>/usr/bin/${name}</file><file>/etc/${name}.conf</file><file type="dir">/etc/${name}.d</file></format></package>
`;
}

async function* document(): AsyncGenerator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${N}">\n`;
  let buf = '';
  for (let i = 0; i < N; i++) {
    buf += pkgXml(i);
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}</metadata>\n`;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe(`primary.xml with ${N} packages`, () => {
  let dir: string;
  let bytes = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'horno-rpmmd-large-'));
    const rd = join(dir, 'repodata');
    await import('node:fs/promises').then((fs) => fs.mkdir(rd));
    await pipeline(document(), createGzip({ level: 1 }), createWriteStream(join(rd, 'primary.xml.gz')));
    bytes = (await stat(join(rd, 'primary.xml.gz')).then((s) => s.size)) as number;
    // no checksum in repomd: this test is about parsing, repo.test.ts covers verification
    const fs = await import('node:fs/promises');
    await fs.writeFile(
      join(rd, 'repomd.xml'),
      `<repomd><data type="primary"><location href="repodata/primary.xml.gz"/><size>${bytes}</size></data></repomd>`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams and holds all packages in well under 300 MB', async () => {
    gc();
    const base = process.memoryUsage();
    let peak = base.rss;
    const kept: Package[] = [];
    let deps = 0;
    const t0 = performance.now();
    const repomd = await fetchRepomd(dir);
    // keep every package, as repoclosure does: memory must follow what is kept, never the document size
    for await (const p of streamPrimary(dir, repomd)) {
      kept.push(p);
      deps += p.requires.length;
      if (kept.length % 2000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
    const secs = (performance.now() - t0) / 1000;
    gc();
    const after = process.memoryUsage();
    peak = Math.max(peak, after.rss);
    const perPkg = (after.heapUsed - base.heapUsed) / N;
    console.log(
      `parsed ${kept.length} packages (${(bytes / 1e6).toFixed(1)} MB gz) in ${secs.toFixed(2)} s = ` +
        `${Math.round(kept.length / secs)} pkg/s; rss ${(base.rss / 1e6).toFixed(0)} -> peak ${(peak / 1e6).toFixed(0)} MB; ` +
        `${Math.round(perPkg)} B heap per kept package`,
    );
    expect(kept).toHaveLength(N);
    expect(deps).toBe(N * 14);
    expect(kept[N - 1]!.nevra).toBe(`pkg${N - 1}-1.${(N - 1) % 97}-1.el9.x86_64`);
    expect(peak).toBeLessThan(300e6);
    expect(perPkg).toBeLessThan(3000);
    // no wall-clock bound here: speed is the sync bench's to measure (a loaded CI box took 18.6 s once, idle ~3 s)
  });
});
