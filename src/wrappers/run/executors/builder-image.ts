// The local builder image the podman executor runs in on this machine: Debian bookworm from debootstrap with the
// compose tools (and what the lorax stand-in needs), imported into podman. Idempotent: an image carrying the same
// recipe label is kept; else a cached `podman save` tarball (zstd, under ${HORNO_CACHE:-~/.cache/horno}) is
// loaded; else it is built (about 70 s) and cached. Argv builders are pure and exported for tests.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../../steps/canonical.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import { run } from '../runner.ts';

export const DEFAULT_BUILDER_IMAGE = 'localhost/horno-builder:bookworm';
export const BUILDER_SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/** The image label that records which recipe built it. */
export const RECIPE_LABEL = 'horno.recipe';

const COMPOSE_TOOLS = [
  'xorriso',
  'createrepo-c',
  'isomd5sum',
  'rpm',
  'squashfs-tools',
  'dnf',
  'dnf-plugins-core',
  'tar',
  'zstd',
  'ca-certificates',
];
/** What the test suite's lorax stand-in uses to make a bootable tree (kernel, busybox initrd, GRUB, isolinux). */
const LORAX_STANDIN_TOOLS = [
  'busybox-static',
  'cpio',
  'gzip',
  'xz-utils',
  'mtools',
  'dosfstools',
  'grub-common',
];
const X86_BOOT = ['grub-efi-amd64-bin', 'grub-pc-bin', 'isolinux', 'syslinux-common'];

/** Debian's name for this host's architecture. */
export function hostDebArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64el', s390x: 's390x' };
  const a = map[nodeArch];
  if (!a) throw new Error(`no Debian architecture for node's ${nodeArch}`);
  return a;
}

export function builderPackages(debArch: string): string[] {
  const boot = debArch === 'amd64' ? X86_BOOT : debArch === 'arm64' ? ['grub-efi-arm64-bin'] : [];
  return [...COMPOSE_TOOLS, ...LORAX_STANDIN_TOOLS, ...boot];
}

export function sourcesList(mirror: string, suite = BUILDER_SUITE): string {
  const security = mirror.replace(/\/debian\/?$/, '/debian-security');
  return [
    `deb ${mirror} ${suite} main`,
    `deb ${mirror} ${suite}-updates main`,
    `deb ${security} ${suite}-security main`,
    '',
  ].join('\n');
}

export interface Recipe {
  suite: string;
  mirror: string;
  packages: string[];
  changes: string[];
}

export function recipeFor(mirror: string, debArch: string): Recipe {
  return {
    suite: BUILDER_SUITE,
    mirror,
    packages: builderPackages(debArch),
    changes: [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      'CMD ["/bin/bash"]',
    ],
  };
}

/** 16 hex characters naming the recipe: in the image label and the cache file name. */
export function recipeId(r: Recipe): string {
  return sha256Hex(canonicalJson(r)).slice(0, 16);
}

export function debootstrapArgv(root: string, r: Recipe): string[] {
  return ['debootstrap', '--variant=minbase', `--include=${r.packages.join(',')}`, r.suite, root, r.mirror];
}

export function tarArgv(root: string, tarFile: string): string[] {
  return ['tar', '--numeric-owner', '--xattrs', '--acls', '-C', root, '-cf', tarFile, '.'];
}

export function importArgv(tarFile: string, image: string, r: Recipe): string[] {
  const changes = [...r.changes, `LABEL ${RECIPE_LABEL}=${recipeId(r)}`];
  return ['podman', 'import', ...changes.flatMap((c) => ['--change', c]), tarFile, image];
}

export function cacheDirFrom(env: Record<string, string | undefined> = process.env): string {
  return join(env.HORNO_CACHE || join(env.HOME || homedir(), '.cache', 'horno'), 'builder-images');
}

/** `<cacheDir>/<image as a file name>-<recipe id>.tar.zst` */
export function cacheFileFor(cacheDir: string, image: string, r: Recipe): string {
  return join(cacheDir, `${imageFileStem(image)}-${recipeId(r)}.tar.zst`);
}

function imageFileStem(image: string): string {
  return image.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export interface EnsureOptions {
  image?: string;
  /** Rebuild from debootstrap even when the image or a cached tarball exists. */
  force?: boolean;
  mirror?: string;
  cacheDir?: string;
  /** Tool output goes here (default: <cacheDir>/build-<image>.log). */
  logFile?: string;
  signal?: AbortSignal;
  progress?: (msg: string) => void;
}

export interface EnsureResult {
  image: string;
  /** present: the image was there; cache: loaded from the cached tarball; built: debootstrapped now. */
  source: 'present' | 'cache' | 'built';
  recipe: string;
  cacheFile: string;
  logFile: string;
  durationMs: number;
}

export async function ensureBuilderImage(opts: EnsureOptions = {}): Promise<EnsureResult> {
  const started = performance.now();
  const image = opts.image ?? DEFAULT_BUILDER_IMAGE;
  const recipe = recipeFor(opts.mirror ?? DEFAULT_MIRROR, hostDebArch());
  const cacheDir = resolve(opts.cacheDir ?? cacheDirFrom());
  const cacheFile = cacheFileFor(cacheDir, image, recipe);
  const logFile = opts.logFile ?? join(cacheDir, `build-${imageFileStem(image)}.log`);
  await mkdir(cacheDir, { recursive: true });
  const ro = { logFile, signal: opts.signal };
  const done = (source: EnsureResult['source']): EnsureResult => ({
    image,
    source,
    recipe: recipeId(recipe),
    cacheFile,
    logFile,
    durationMs: Math.round(performance.now() - started),
  });

  if (!opts.force && (await imageRecipe(image, ro)) === recipeId(recipe)) return done('present');
  if (!opts.force && (await stat(cacheFile).catch(() => undefined))) {
    opts.progress?.(`loading ${image} from ${cacheFile}`);
    await run(['podman', 'load', '-q', '-i', cacheFile], ro);
    if ((await imageRecipe(image, ro)) === recipeId(recipe)) return done('cache');
    opts.progress?.(`${cacheFile} did not hold ${image} with recipe ${recipeId(recipe)}: building`);
  }

  const work = join(cacheDir, `.build-${process.pid}-${randomBytes(4).toString('hex')}`);
  const root = join(work, 'rootfs');
  try {
    await mkdir(work, { recursive: true });
    opts.progress?.(`debootstrap ${recipe.suite} from ${recipe.mirror} (about a minute)`);
    await run(debootstrapArgv(root, recipe), { ...ro, timeoutMs: 30 * 60_000 });
    await writeFile(join(root, 'etc/apt/sources.list'), sourcesList(recipe.mirror, recipe.suite));
    await run(['chroot', root, 'apt-get', 'clean'], ro);
    for (const p of ['var/lib/apt/lists', 'var/cache/apt'])
      await rm(join(root, p), { recursive: true, force: true }).then(() =>
        mkdir(join(root, p), { recursive: true }),
      );
    for (const f of await readdir(join(root, 'var/log')).catch(() => [] as string[]))
      if (f.endsWith('.log')) await rm(join(root, 'var/log', f), { force: true });
    const rootTar = join(work, 'rootfs.tar');
    await run(tarArgv(root, rootTar), ro);
    await unmountUnder(root, ro);
    await rm(root, { recursive: true, force: true });
    opts.progress?.(`podman import ${image}`);
    await run(importArgv(rootTar, image, recipe), ro);
    await rm(rootTar, { force: true });
    opts.progress?.(`caching ${image} in ${cacheFile}`);
    const saved = join(work, 'image.tar');
    await run(['podman', 'save', '-q', '-o', saved, image], ro);
    const tmpZst = join(work, 'image.tar.zst');
    await run(['zstd', '-q', '-T2', '-3', '--rm', saved, '-o', tmpZst], ro);
    await rename(tmpZst, cacheFile);
    await pruneOtherRecipes(cacheDir, image, cacheFile);
    return done('built');
  } finally {
    await unmountUnder(root, ro).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

/** The recipe label of a local image, or undefined when the image does not exist. */
async function imageRecipe(
  image: string,
  ro: { logFile: string; signal?: AbortSignal },
): Promise<string | undefined> {
  const exists = await run(['podman', 'image', 'exists', image], { ...ro, okExitCodes: [0, 1] });
  if (exists.exitCode !== 0) return undefined;
  const r = await run(
    ['podman', 'image', 'inspect', '--format', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, image],
    { ...ro, captureStdout: true },
  );
  return r.stdout.trim();
}

/** debootstrap mounts /proc and /sys in the target and may leave them there when it fails: never rm through them. */
async function unmountUnder(root: string, ro: { logFile: string }): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const under = mounts
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === root || m.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of under) await run(['umount', '-l', m], ro);
}

async function pruneOtherRecipes(cacheDir: string, image: string, keep: string): Promise<void> {
  const stem = `${imageFileStem(image)}-`;
  for (const f of await readdir(cacheDir))
    if (
      f.startsWith(stem) &&
      /^[0-9a-f]{16}\.tar\.zst$/.test(f.slice(stem.length)) &&
      join(cacheDir, f) !== keep
    )
      await rm(join(cacheDir, f), { force: true });
}
