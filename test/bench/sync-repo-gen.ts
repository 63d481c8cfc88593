// Builds (once, cached) the sync benchmark's upstream: the planned packages with ~150 KB of random bytes each,
// made by one rpmbuild (stored-only gzip payload: random data does not compress), laid out as
// upstream/Bench/x86_64/os/Packages/b/*.rpm and indexed by createrepo_c --no-database (the EL9 layout).
import { randomFillSync } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureCached, generatorHash } from './bench-cache.ts';
import { type BenchPackage, PLANTED, payloadDir, planPackages, renderSpec } from './sync-repo-plan.ts';

export const BENCH_REPO = 'Bench';
export const BENCH_ARCH = 'x86_64';

export interface SyncRepoManifest {
  packages: number;
  noarch: number;
  bytes: number;
  /** Dependencies nothing provides (what repoclosure must report). */
  planted: string[];
  generatedMs: number;
  rpmbuildMs: number;
  createrepoMs: number;
}

export interface SyncRepo {
  /** The folder to serve. */
  upstream: string;
  /** upstream/Bench/x86_64/os. */
  tree: string;
  manifest: SyncRepoManifest;
  built: boolean;
}

const treeOf = (root: string) => join(root, 'upstream', BENCH_REPO, BENCH_ARCH, 'os');

export async function ensureSyncRepo(opts: {
  packages: number;
  payloadBytes: number;
  log: (m: string) => void;
}): Promise<SyncRepo> {
  const sources = [
    new URL('./sync-repo-gen.ts', import.meta.url),
    new URL('./sync-repo-plan.ts', import.meta.url),
  ];
  const params = { packages: opts.packages, payloadBytes: opts.payloadBytes };
  const hash = await generatorHash(sources, params);
  const { dir, manifest, built } = await ensureCached('sync', hash, async (tmp) => {
    opts.log(`generating ${opts.packages} packages of ~${opts.payloadBytes >> 10} KB in ${tmp} ...`);
    return generate(tmp, opts.packages, opts.payloadBytes, opts.log);
  });
  return { upstream: join(dir, 'upstream'), tree: treeOf(dir), manifest, built };
}

async function generate(
  root: string,
  n: number,
  payloadBytes: number,
  log: (m: string) => void,
): Promise<SyncRepoManifest> {
  const started = performance.now();
  const pkgs = planPackages(n);
  const tree = treeOf(root);
  const dest = join(tree, 'Packages', 'b');
  await mkdir(dest, { recursive: true });
  const built = await buildRpms(join(root, 'build'), pkgs, payloadBytes);
  log(`  rpmbuild: ${(built.rpmbuildMs / 1000).toFixed(1)} s`);
  let bytes = 0;
  for (const f of built.files) {
    const to = join(dest, basename(f));
    await rename(f, to);
    bytes += (await stat(to)).size;
  }
  const cr = performance.now();
  await createrepo(tree, join(root, 'build'));
  await rm(join(root, 'build'), { recursive: true, force: true });
  const createrepoMs = performance.now() - cr;
  log(`  createrepo_c: ${(createrepoMs / 1000).toFixed(1)} s`);
  return {
    packages: n,
    noarch: pkgs.filter((p) => p.noarch).length,
    bytes,
    planted: [PLANTED.missingLib, PLANTED.tooNew(pkgs[0]!.name)],
    generatedMs: Math.round(performance.now() - started),
    rpmbuildMs: Math.round(built.rpmbuildMs),
    createrepoMs: Math.round(createrepoMs),
  };
}

/** createrepo_c --no-database on a tree; `work` takes its log and the HOME librpm may write to (notes §1). */
export async function createrepo(tree: string, work: string): Promise<void> {
  await mkdir(join(work, 'home'), { recursive: true });
  await run(
    ['createrepo_c', '--quiet', '--no-database', '--checksum', 'sha256', '--revision', '1700000000', tree],
    { env: { HOME: join(work, 'home') }, logFile: join(work, 'createrepo.log'), timeoutMs: 30 * 60_000 },
  );
}

/** One rpmbuild of the whole set under `work`; returns the RPM paths (noarch and x86_64) and its duration. */
export async function buildRpms(
  work: string,
  pkgs: readonly BenchPackage[],
  payloadBytes: number,
): Promise<{ files: string[]; rpmbuildMs: number }> {
  const top = join(work, 'rpmbuild');
  const home = join(work, 'home');
  for (const d of ['SPECS', 'SOURCES/payload', 'tmp']) await mkdir(join(top, d), { recursive: true });
  await mkdir(home, { recursive: true });
  await writePayload(join(top, 'SOURCES', 'payload'), pkgs, payloadBytes);
  const spec = join(top, 'SPECS', 'bench.spec');
  await writeFile(spec, renderSpec(pkgs));
  const started = performance.now();
  await run(
    [
      'rpmbuild',
      '-bb',
      '--quiet',
      ...['--define', `_topdir ${top}`, '--define', `_tmppath ${join(top, 'tmp')}`],
      ...['--define', '_binary_payload w0.gzdio', '--define', '_buildhost bench.example'],
      ...['--target', BENCH_ARCH, spec],
    ],
    // HOME: rpm must not touch ~/.rpmdb (notes §1). PASSIVE: rpm's OpenMP threads otherwise spin between
    // packages, which more than doubles the build's CPU time on a busy 2-core host.
    {
      env: { HOME: home, OMP_WAIT_POLICY: 'PASSIVE' },
      logFile: join(work, 'rpmbuild.log'),
      timeoutMs: 30 * 60_000,
    },
  );
  const rpmbuildMs = performance.now() - started;
  const files: string[] = [];
  for (const arch of ['noarch', BENCH_ARCH]) {
    const from = join(top, 'RPMS', arch);
    for (const f of await readdir(from).catch(() => [])) if (f.endsWith('.rpm')) files.push(join(from, f));
  }
  if (files.length !== pkgs.length) {
    throw new Error(`bench generator: expected ${pkgs.length} RPMs, rpmbuild made ${files.length}`);
  }
  return { files: files.sort(), rpmbuildMs };
}

/** The buildroot-to-be: random (incompressible) data per package, plus its tool and library files. */
async function writePayload(root: string, pkgs: readonly BenchPackage[], size: number): Promise<void> {
  const buf = Buffer.alloc(size);
  for (const dir of ['usr/bin', 'usr/lib64']) await mkdir(join(root, dir), { recursive: true });
  for (const p of pkgs) {
    const d = join(root, payloadDir(p.name));
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'data.bin'), randomFillSync(buf));
    if (p.tool) {
      const f = join(root, 'usr/bin', p.name);
      await writeFile(f, randomFillSync(Buffer.alloc(2048)));
      await chmod(f, 0o755);
    }
    if (p.lib)
      await writeFile(join(root, 'usr/lib64', `lib${p.name}.so.1`), randomFillSync(Buffer.alloc(4096)));
  }
}
