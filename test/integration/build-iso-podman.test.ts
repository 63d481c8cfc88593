// build-iso with the podman executor: lorax (the stand-in) runs inside the builder image through dockerode, with
// the compose mounted read-only and the work and log folders read-write at the same paths. The stand-in and the
// boot assets go into a thin image layered on the builder image (the product mounts only what lorax needs, and the
// container's PATH is the image's), with aarch64 set to fail: x86_64 is built and stored, aarch64 is failable, the
// command exits 0, and the x86_64 boot.iso made in the container boots.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { bootcheck, bootcheckSkipReason } from '../helpers/bootcheck.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import {
  ensureBuilderImage,
  ensurePodmanService,
  podmanSkipReason,
  type PodmanService,
} from '../helpers/podman.ts';
import { S3RVER_KEY, S3RVER_SECRET, startS3rver } from '../helpers/s3.ts';
import { LORAX_STAND_IN, standInWrapper } from '../stand-ins/lorax/install.ts';

const skip = await podmanSkipReason();
if (skip) console.warn(`skipping build-iso on podman: ${skip}`);

const IN_IMAGE = '/opt/horno-lorax-stand-in';
let svc: PodmanService;
let served: Served;
let lab: Lab;
let image: string;

/** The builder image plus /usr/local/bin/lorax (the stand-in wrapper) and the boot assets; built once per content. */
async function standInImage(builder: string, assets: string): Promise<string> {
  const wrapper = standInWrapper({
    assets: `${IN_IMAGE}/assets`,
    script: `${IN_IMAGE}/lorax`,
    failArches: ['aarch64'],
  });
  const builderId = (
    await run(['podman', 'image', 'inspect', '--format', '{{.Id}}', builder], { captureStdout: true })
  ).stdout.trim();
  const hash = createHash('sha256')
    .update(wrapper)
    .update(await readFile(LORAX_STAND_IN))
    .update(await readFile(join(assets, 'manifest.json')))
    .update(builderId)
    .digest('hex')
    .slice(0, 12);
  const tag = `localhost/horno-lorax-stand-in:${hash}`;
  const exists = await run(['podman', 'image', 'exists', tag], { okExitCodes: [0, 1] });
  if (exists.exitCode === 0) return tag;
  const ctx = await mkdtemp(join(tmpdir(), 'horno-standin-image-'));
  await cp(assets, join(ctx, 'assets'), { recursive: true, verbatimSymlinks: true });
  await cp(LORAX_STAND_IN, join(ctx, 'lorax'));
  await writeFile(join(ctx, 'lorax-wrapper'), wrapper, { mode: 0o755 });
  await writeFile(
    join(ctx, 'Containerfile'),
    [
      `FROM ${builder}`,
      `COPY assets/ ${IN_IMAGE}/assets/`,
      `COPY lorax ${IN_IMAGE}/lorax`,
      'COPY lorax-wrapper /usr/local/bin/lorax',
      '',
    ].join('\n'),
  );
  try {
    await run(['podman', 'build', '-q', '-t', tag, '-f', join(ctx, 'Containerfile'), ctx], {
      timeoutMs: 300_000,
    });
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  return tag;
}

beforeAll(async () => {
  if (skip) return;
  const distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  svc = await ensurePodmanService();
  const assets = await ensureBootAssets({ log: console.log });
  image = await standInImage(await ensureBuilderImage(), assets.dir);
  lab = await createLab({
    upstream: served.url,
    site: (root) =>
      [
        `compose_root: ${root}`,
        `store: { url: 'file://${join(root, '..', 'store')}' }`,
        'executors:',
        `  default: { type: podman, socket: 'unix://${svc.socket}', image: '${image}' }`,
        '',
      ].join('\n'),
  });
  lab.env.SOURCE_DATE_EPOCH = '1700000000';
  await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure'], { timeoutMs: 300_000 });
}, 900_000);
afterAll(async () => {
  await svc?.stop();
  await served?.close();
  if (lab) await rm(lab.dir, { recursive: true, force: true });
});

describe.skipIf(!!skip)('build-iso on the podman executor', () => {
  it('uploads to an S3 store (s3rver) with the sha256 recorded, and pull-unpack-tree gets it back verified', async () => {
    const s3 = await startS3rver();
    try {
      const s3lab = await createLab({
        upstream: served.url,
        site: (root) =>
          [
            `compose_root: ${root}`,
            'store:',
            "  url: 's3://artifacts/horno'",
            `  s3: { endpoint: '${s3.endpoint}', force_path_style: true, credentials: { access_key_id_env: HORNO_S3_KEY, secret_access_key_env: HORNO_S3_SECRET } }`,
            'executors:',
            `  default: { type: podman, socket: 'unix://${svc.socket}', image: '${image}' }`,
            '',
          ].join('\n'),
      });
      Object.assign(s3lab.env, { HORNO_S3_KEY: S3RVER_KEY, HORNO_S3_SECRET: S3RVER_SECRET });
      s3lab.env.SOURCE_DATE_EPOCH = '1700000000';
      const x86 = ['--release', 'demo', '--arch', 'x86_64', '--json'];
      await s3lab.horno(['sync-repos', '--new', '--no-repoclosure', ...x86], { timeoutMs: 300_000 });
      const built = JSON.parse((await s3lab.horno(['build-iso', ...x86], { timeoutMs: 600_000 })).stdout) as {
        ran: { summary: { key: string; sha256: string } }[];
      };
      const { key, sha256 } = built.ran[0]!.summary;
      expect(key).toBe('buildiso-9-x86_64/Demo-9.9-20231114.0/1700000000/lorax-9.9-x86_64.tar.gz');
      // the object is in s3rver's data folder, not in any file store
      const stored = await run(['find', s3.dataDir, '-name', '*lorax-9.9-x86_64.tar.gz*'], {
        captureStdout: true,
      });
      expect(stored.stdout).toContain('lorax-9.9-x86_64.tar.gz');
      const pulled = JSON.parse((await s3lab.horno(['pull-unpack-tree', ...x86])).stdout) as {
        failed: unknown[];
      };
      expect(pulled.failed).toEqual([]);
      const tarball = join(
        s3lab.composeRoot,
        '9',
        'latest-Demo-9',
        'work',
        'lorax',
        'x86_64',
        'lorax-9.9-x86_64.tar.gz',
      );
      expect(
        createHash('sha256')
          .update(await readFile(tarball))
          .digest('hex'),
      ).toBe(sha256);
      await rm(s3lab.dir, { recursive: true, force: true });
    } finally {
      await s3.stop();
    }
  }, 900_000);

  it('runs lorax in the builder image: x86_64 stored, failable aarch64 reported, exit 0', async () => {
    const r = await lab.horno(['build-iso', '--release', 'demo', '--json'], { timeoutMs: 600_000 });
    const s = JSON.parse(r.stdout) as {
      status: string;
      phases: { status: string }[];
      ran: { key: string; summary: { key: string; sha256: string } }[];
      failed: { key: string; failable: boolean; logFile: string }[];
    };
    expect(s.phases[0]!.status).toBe('FINISHED_INCOMPLETE'); // the phase's; STATUS stays STARTED
    expect(s.ran.map((x) => x.key)).toEqual(['x86_64']);
    expect(s.failed).toMatchObject([{ key: 'aarch64', failable: true }]);
    // both ran in containers of the stand-in image, and aarch64's output is kept
    const x86Log = await readFile(
      join(lab.composeRoot, '9', 'latest-Demo-9', 'logs', 'build-iso', 'x86_64.log'),
      'utf8',
    );
    expect(x86Log).toContain(`image=${image}`);
    expect(await readFile(s.failed[0]!.logFile, 'utf8')).toMatch(
      /failure injected by HORNO_LORAX_FAIL_ARCHES/,
    );

    const key = s.ran[0]!.summary.key;
    expect(key).toBe('buildiso-9-x86_64/Demo-9.9-20231114.0/1700000000/lorax-9.9-x86_64.tar.gz');
    const tarball = join(lab.dir, 'store', ...key.split('/'));
    expect(
      createHash('sha256')
        .update(await readFile(tarball))
        .digest('hex'),
    ).toBe(s.ran[0]!.summary.sha256);
    const out = join(lab.dir, 'unpacked');
    await mkdir(out);
    await run(['tar', '-xzf', tarball, '-C', out]);
    await run(['sha256sum', '--quiet', '-c', 'MANIFEST.sha256'], { cwd: out });
    await run(['checkisomd5', join(out, 'lorax', 'images', 'boot.iso')]);
  }, 900_000);

  it.skipIf(bootcheckSkipReason('uefi'))(
    'boots the boot.iso made in the container (UEFI, CD)',
    async () => {
      const iso = join(lab.dir, 'unpacked', 'lorax', 'images', 'boot.iso');
      const r = await bootcheck({
        iso,
        firmware: 'uefi',
        media: 'cdrom',
        logFile: join(lab.dir, 'boot.log'),
      });
      console.log(`podman-built boot.iso, UEFI cdrom: ${r.ok ? 'ok' : r.reason} in ${r.seconds} s`);
      expect(r, r.tail).toMatchObject({ ok: true, firmwareSeen: 'UEFI', loader: 'grub' });
    },
    300_000,
  );
});
