// finalize-compose on a real synced demo compose plus small real ISOs mastered with xorriso, judged by the real
// consumers: sha256sum -c on the CHECKSUM files, dnf on the repos rpms.json describes, xorriso and checkisomd5
// on the ISOs images.json describes, and gpg on the key the packages were signed with.
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChecksumFile, toCoreutilsFormat } from '../../src/wrappers/metadata/checksum.ts';
import { streamPrimary, fetchRepomd } from '../../src/wrappers/rpmmd/index.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro, type FixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { createDnfSandbox, type DnfSandbox } from '../helpers/dnf.ts';
import { createLab, type Lab } from '../helpers/horno.ts';

const SDE = '1700000000';
let distro: FixtureDistro;
let served: Served;
let dnf: DnfSandbox;
let lab: Lab;
/** <root>/9/<id>: the compose, synced once and finalized by the first test. */
let dir: string;
let pristine: string;

interface Summary {
  ok: boolean;
  status: string;
  refused?: string;
  media?: { ran: { key: string }[]; skipped: { key: string }[]; failed: unknown[] };
  metadata?: { ran: { key: string }[]; skipped: { key: string }[] };
}
type PhaseRow = NonNullable<Summary['media']> & { phase: string };
/** The --json summary, its finalize-media and finalize-metadata phases as `media` and `metadata`. */
const summaryOf = (stdout: string): Summary => {
  const s = JSON.parse(stdout) as Summary & { phases?: PhaseRow[] };
  const of = (name: string) => s.phases?.find((p) => p.phase === name);
  return { ...s, media: of('finalize-media'), metadata: of('finalize-metadata') };
};
const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

/** A small real ISO; `boot` adds an El Torito entry, `implant` runs implantisomd5 on it. */
async function masterIso(path: string, volid: string, opts: { boot?: boolean; implant?: boolean } = {}) {
  const tree = await mkdtemp(join(tmpdir(), 'horno-isotree-'));
  await mkdir(join(tree, 'images'));
  await writeFile(join(tree, 'images', 'boot.img'), Buffer.alloc(8192, 1));
  await writeFile(join(tree, '.discinfo'), `${SDE}\nHorno Demo Linux 9.9\nx86_64\nALL\n`);
  const boot = opts.boot ? ['-b', 'images/boot.img', '-no-emul-boot', '-c', 'boot.cat'] : [];
  await run(['xorriso', '-as', 'mkisofs', '-quiet', '-o', path, '-R', '-J', '-V', volid, ...boot, tree], {
    env: { SOURCE_DATE_EPOCH: SDE },
  });
  if (opts.implant) await run(['implantisomd5', path]);
  await rm(tree, { recursive: true });
}

const DVD = 'Demo-9.9-RC1-x86_64-dvd.iso';
const MINIMAL = 'Demo-9.9-x86_64-minimal.iso';

beforeAll(async () => {
  distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  dnf = await createDnfSandbox({ keyFile: distro.keyFile });
  lab = await createLab({ upstream: served.url });
  lab.env.SOURCE_DATE_EPOCH = SDE;
  await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure']);
  const root = join(lab.composeRoot, '9');
  dir = join(root, await readlink(join(root, 'latest-Demo-9')));
  const staging = join(dir, 'work', 'isos', 'x86_64');
  await mkdir(staging, { recursive: true });
  await masterIso(join(staging, DVD), 'Demo-9-9-RC1-x86_64-dvd', { boot: true, implant: true });
  await masterIso(join(staging, MINIMAL), 'Demo-9-9-x86_64-minimal');
  await symlink(DVD, join(staging, 'Demo-x86_64-dvd.iso'));
  await symlink(join(staging, DVD), join(staging, 'Demo-9-latest-x86_64-dvd.iso'));
  // the same inputs, untouched, for the reproducibility check
  pristine = await mkdtemp(join(tmpdir(), 'horno-pristine-'));
  await cp(dir, join(pristine, 'compose'), {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
  });
}, 300_000);
afterAll(async () => {
  await served?.close();
  await dnf?.cleanup();
});

async function repoquery(arch: string, tree: string, extra: string[] = []): Promise<string[]> {
  const r = await dnf.dnf(
    arch,
    [
      'repoquery',
      '-q',
      `--repofrompath=q,${tree}`,
      '--repo=q',
      '--nogpgcheck',
      ...extra,
      '--qf',
      '%{name}-%{epoch}:%{version}-%{release}.%{arch}',
    ],
    { captureStdout: true },
  );
  return r.stdout.trim().split('\n').filter(Boolean).sort();
}

describe('finalize-compose', () => {
  it('publishes the ISOs with CHECKSUM files that sha256sum -c accepts, and marks the compose FINISHED', async () => {
    const r = summaryOf((await lab.horno(['finalize-compose', '--release', 'demo', '--json'])).stdout);
    expect(r).toMatchObject({ ok: true, status: 'FINISHED' });
    expect(r.media!.ran.map((u) => u.key)).toEqual(['isos-x86_64']);
    expect((await readFile(join(dir, 'STATUS'), 'utf8')).trim()).toBe('FINISHED');
    expect(await readlink(join(lab.composeRoot, '9', 'latest-Demo-9'))).toBe(dir.split('/').at(-1));

    const isos = join(dir, 'compose', 'isos', 'x86_64');
    expect(await readdir(join(dir, 'work', 'isos', 'x86_64'))).toEqual([]);
    expect((await lstat(join(isos, 'Demo-9-latest-x86_64-dvd.iso'))).isSymbolicLink()).toBe(true);
    const entries = parseChecksumFile(await readFile(join(isos, 'CHECKSUM'), 'utf8'));
    expect(entries.map((e) => e.file)).toEqual([
      'Demo-9-latest-x86_64-dvd.iso',
      DVD,
      MINIMAL,
      'Demo-x86_64-dvd.iso',
    ]);
    for (const e of entries) {
      expect(await readFile(join(isos, `${e.file}.CHECKSUM`), 'utf8')).toMatch(
        `SHA256 (${e.file}) = ${e.hex}`,
      );
      expect(e.size).toBe((await stat(join(isos, e.file))).size);
    }
    await writeFile(join(lab.dir, 'SHA256SUMS'), toCoreutilsFormat(entries));
    const ok = await run(['sha256sum', '--strict', '-c', join(lab.dir, 'SHA256SUMS')], {
      cwd: isos,
      captureStdout: true,
    });
    expect(ok.stdout.match(/: OK$/gm)).toHaveLength(4);
  });

  it('writes rpms.json with exactly the packages dnf sees in each tree, signed with the fixture key', async () => {
    const rpms = await readJson(join(dir, 'compose', 'metadata', 'rpms.json'));
    expect(rpms.header).toEqual({ type: 'productmd.rpms', version: '1.2' });
    expect(rpms.payload.compose).toEqual({
      id: dir.split('/').at(-1),
      date: '20231114',
      type: 'production',
      respin: 0,
    });
    const keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m
      .exec(
        (
          await run(['gpg', '--batch', '--with-colons', '--show-keys', distro.keyFile], {
            captureStdout: true,
            env: { GNUPGHOME: lab.dir },
          })
        ).stdout,
      )![1]!
      .toLowerCase();
    const listed = (variant: string, arch: string, category: string) =>
      Object.values(rpms.payload.rpms[variant][arch] as Record<string, Record<string, { category: string }>>)
        .flatMap((group) =>
          Object.entries(group)
            .filter(([, v]) => v.category === category)
            .map(([n]) => n),
        )
        .sort();
    for (const repo of distro.repos.filter((r) => r !== 'plus')) {
      for (const arch of distro.arches) {
        const os = join(dir, 'compose', repo, arch, 'os');
        expect(listed(repo, arch, 'binary'), `${repo} ${arch}`).toEqual(await repoquery(arch, os));
        const debug = join(dir, 'compose', repo, arch, 'debug', 'tree');
        expect(listed(repo, arch, 'debug'), `${repo} ${arch} debug`).toEqual(await repoquery(arch, debug));
        for (const group of Object.values(rpms.payload.rpms[repo][arch]) as Record<
          string,
          { path: string; sigkey: string }
        >[]) {
          for (const e of Object.values(group)) {
            expect(e.sigkey).toBe(keyId.slice(-8));
            await stat(join(dir, 'compose', e.path));
          }
        }
      }
      // every source package is listed (under the arches it built for, or all of them)
      const src = join(dir, 'compose', repo, 'source', 'tree');
      const sources: string[] = [];
      for await (const p of streamPrimary(src, await fetchRepomd(src))) {
        sources.push(`${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}`);
      }
      const listedSources = new Set(
        distro.arches.flatMap((a) => (rpms.payload.rpms[repo]?.[a] ? listed(repo, a, 'source') : [])),
      );
      expect([...listedSources].sort(), `${repo} sources`).toEqual(sources.sort());
    }
  });

  it('writes images.json from the ISOs themselves, composeinfo.json and modules.json from the compose', async () => {
    const images = await readJson(join(dir, 'compose', 'metadata', 'images.json'));
    const all = Object.values(
      images.payload.images as Record<string, Record<string, Record<string, unknown>[]>>,
    ).flatMap((byArch) => Object.values(byArch).flat());
    expect(all.map((i) => i.path).sort()).toEqual([`isos/x86_64/${DVD}`, `isos/x86_64/${MINIMAL}`]);
    for (const img of all) {
      const iso = join(dir, 'compose', img.path as string);
      const pvd = (await run(['xorriso', '-indev', iso, '-pvd_info'], { captureStdout: true })).stdout;
      expect(pvd).toContain(`Volume Id    : ${img.volume_id}`);
      expect(img.size).toBe((await stat(iso)).size);
      expect(img.mtime).toBe(Number(SDE));
    }
    const dvd = images.payload.images.AppStream.x86_64[0];
    expect(dvd).toMatchObject({
      type: 'dvd',
      format: 'iso',
      bootable: true,
      subvariant: 'AppStream',
      arch: 'x86_64',
    });
    const md5 = (
      await run(['checkisomd5', '--md5sumonly', join(dir, 'compose', dvd.path)], { captureStdout: true })
    ).stdout;
    expect(md5).toContain(dvd.implant_md5);
    expect(images.payload.images.BaseOS.x86_64[0]).toMatchObject({
      type: 'dvd',
      subvariant: 'minimal',
      bootable: false,
      implant_md5: null,
    });

    const ci = await readJson(join(dir, 'compose', 'metadata', 'composeinfo.json'));
    expect(Object.keys(ci.payload.variants)).toEqual(['AppStream', 'BaseOS', 'CRB']);
    expect(ci.payload.release).toEqual({
      internal: false,
      name: 'Horno Demo Linux',
      short: 'Demo',
      type: 'ga',
      version: '9.9',
    });
    expect(ci.payload.variants.AppStream.paths.isos).toEqual({ x86_64: 'isos/x86_64' });
    expect(ci.payload.variants.BaseOS.paths.os_tree).toEqual({
      aarch64: 'BaseOS/aarch64/os',
      x86_64: 'BaseOS/x86_64/os',
    });

    const mods = await readJson(join(dir, 'compose', 'metadata', 'modules.json'));
    for (const arch of distro.arches) {
      const streams = mods.payload.modules.AppStream[arch];
      expect(Object.keys(streams).length).toBeGreaterThan(0);
      for (const m of Object.values(streams) as { modulemd_path: { binary: string }; rpms: string[] }[]) {
        await stat(join(dir, 'compose', m.modulemd_path.binary));
        expect(m.rpms.length).toBeGreaterThan(0);
      }
    }
    expect(await readFile(join(dir, 'compose', 'metadata', 'COMPOSE_ID'), 'utf8')).toBe(
      `${dir.split('/').at(-1)}\n`,
    );
  });

  it('does nothing on a rerun, and a FINISHED compose refuses to become DOOMED', async () => {
    const ci = join(dir, 'compose', 'metadata', 'composeinfo.json');
    const sums = join(dir, 'compose', 'isos', 'x86_64', 'CHECKSUM');
    const before = [(await stat(ci)).mtimeMs, (await stat(sums)).mtimeMs];
    const again = summaryOf((await lab.horno(['finalize-compose', '--release', 'demo', '--json'])).stdout);
    expect(again.status).toBe('FINISHED');
    expect(again.media!.ran).toEqual([]);
    expect(again.metadata!.ran).toEqual([]);
    expect([(await stat(ci)).mtimeMs, (await stat(sums)).mtimeMs]).toEqual(before);

    // a failing run (signing with a key nobody has) on a FINISHED compose: exit 1, STATUS stays FINISHED
    const home = await mkdtemp(join(tmpdir(), 'horno-gnupg-'));
    lab.env.GNUPGHOME = home;
    const bad = await lab.horno(
      ['finalize-compose', '--release', 'demo', '--sign-key', 'nobody@example.invalid'],
      {
        okExitCodes: [1],
      },
    );
    delete lab.env.GNUPGHOME;
    // the real cause is what the user sees; STATUS is left alone, with a warning saying so
    expect(bad.stderrTail).toMatch(/gpg/);
    expect(bad.stderrTail).toMatch(/compose is FINISHED; its STATUS is left as it is/);
    expect((await readFile(join(dir, 'STATUS'), 'utf8')).trim()).toBe('FINISHED');
  });

  it('signs every CHECKSUM file with --sign-key, leaving the checksums and metadata as they were', async () => {
    const home = await mkdtemp(join(tmpdir(), 'horno-gnupg-'));
    const env = { GNUPGHOME: home };
    await writeFile(
      join(home, 'params'),
      '%no-protection\nKey-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\nName-Real: Demo Release\n' +
        'Name-Email: release@example.invalid\nExpire-Date: 0\n%commit\n',
    );
    try {
      await run(['gpg', '--batch', '--gen-key', join(home, 'params')], { env });
      const isos = join(dir, 'compose', 'isos', 'x86_64');
      const before = await readFile(join(isos, 'CHECKSUM'));
      lab.env.GNUPGHOME = home;
      const r = summaryOf(
        (
          await lab.horno([
            'finalize-compose',
            '--release',
            'demo',
            '--sign-key',
            'release@example.invalid',
            '--json',
          ])
        ).stdout,
      );
      expect(r.status).toBe('FINISHED');
      expect(r.metadata!.ran).toEqual([]);
      expect(await readFile(join(isos, 'CHECKSUM'))).toEqual(before);
      const sigs = (await readdir(isos)).filter((n) => n.endsWith('.asc')).sort();
      expect(sigs).toEqual(
        ['CHECKSUM', 'Demo-9-latest-x86_64-dvd.iso', DVD, MINIMAL, 'Demo-x86_64-dvd.iso']
          .map((n) => (n === 'CHECKSUM' ? 'CHECKSUM.asc' : `${n}.CHECKSUM.asc`))
          .sort(),
      );
      for (const s of sigs)
        await run(['gpg', '--batch', '--verify', join(isos, s), join(isos, s.slice(0, -4))], { env });
    } finally {
      delete lab.env.GNUPGHOME;
      await run(['gpgconf', '--kill', 'gpg-agent'], { env });
    }
  });

  it('gives byte-identical metadata and CHECKSUM files for the same inputs under SOURCE_DATE_EPOCH', async () => {
    const other = await createLab({ upstream: served.url });
    other.env.SOURCE_DATE_EPOCH = SDE;
    const id = dir.split('/').at(-1)!;
    await mkdir(join(other.composeRoot, '9'), { recursive: true });
    await cp(join(pristine, 'compose'), join(other.composeRoot, '9', id), {
      recursive: true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
    });
    const copy = join(other.composeRoot, '9', id);
    // the staged absolute link names the first compose's staging: point it at the copy's, as a builder would
    const latest = join(copy, 'work', 'isos', 'x86_64', 'Demo-9-latest-x86_64-dvd.iso');
    await rm(latest);
    await symlink(join(copy, 'work', 'isos', 'x86_64', DVD), latest);
    await other.horno(['finalize-compose', '--release', 'demo', '--compose', copy]);
    for (const rel of [
      'metadata/composeinfo.json',
      'metadata/images.json',
      'metadata/rpms.json',
      'metadata/modules.json',
      'metadata/README',
      'isos/x86_64/CHECKSUM',
      `isos/x86_64/${DVD}.CHECKSUM`,
    ]) {
      expect(await readFile(join(copy, 'compose', rel)), rel).toEqual(
        await readFile(join(dir, 'compose', rel)),
      );
    }
  });

  it('is FINISHED_INCOMPLETE when a failable arch failed to sync', async () => {
    const upstream = await mkdtemp(join(tmpdir(), 'horno-noarm-'));
    await cp(distro.upstream, upstream, { recursive: true });
    for (const repo of distro.repos)
      await rm(join(upstream, repo, 'aarch64'), { recursive: true, force: true });
    const partial = await serveDir(upstream);
    try {
      const l = await createLab({ upstream: partial.url });
      await l.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure']);
      const r = summaryOf((await l.horno(['finalize-compose', '--release', 'demo', '--json'])).stdout);
      expect(r).toMatchObject({ ok: true, status: 'FINISHED_INCOMPLETE' });
      expect((await readFile(join(l.composeRoot, '9', 'latest-Demo-9', 'STATUS'), 'utf8')).trim()).toBe(
        'FINISHED_INCOMPLETE',
      );
    } finally {
      await partial.close();
    }
  });
});
