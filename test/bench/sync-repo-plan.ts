// The sync benchmark's package set, as data (pure, seeded): N packages, x86_64 and noarch, each requiring a few
// others by name, by version, by soname, by capability, by file (in primary and in filelists) and now and then
// by a rich dependency, plus two planted dependencies nothing satisfies. Rendered as ONE spec whose %package
// subpackages are the packages, because one rpmbuild of 2,000 subpackages beats 2,000 rpmbuild runs.

export interface BenchPackage {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  noarch: boolean;
  /** Ships /usr/bin/<name> (a primary file other packages may require). */
  tool: boolean;
  /** x86_64 only: ships /usr/lib64/lib<name>.so.1 and provides its soname. */
  lib: boolean;
  requires: string[];
  provides: string[];
}

/** What no package provides: each is an unresolved dependency of exactly one package. */
export const PLANTED = {
  missingLib: 'libbench-missing.so.9()(64bit)',
  /** bench-cap(<first package>) exists, but only at a version far below this. */
  tooNew: (first: string) => `bench-cap(${first}) >= 99`,
};

export const RELEASE = '1.el9';
export const payloadDir = (name: string) => `/usr/share/bench/${name}`;
const soname = (name: string) => `lib${name}.so.1()(64bit)`;

export function planPackages(n: number, seed = 9): BenchPackage[] {
  const rand = mulberry32(seed);
  const pick = (k: number) => Math.floor(rand() * k);
  const pkgs: BenchPackage[] = [];
  for (let i = 0; i < n; i++) {
    const noarch = rand() < 0.3;
    const name = `bench-${String(i).padStart(5, '0')}`;
    const pkg: BenchPackage = {
      name,
      epoch: rand() < 0.05 ? 1 + pick(3) : undefined,
      version: `${1 + pick(9)}.${pick(20)}.${pick(6)}`,
      release: RELEASE,
      noarch,
      tool: rand() < 0.25,
      lib: !noarch && rand() < 0.4,
      requires: [],
      provides: [],
    };
    pkg.provides.push(`bench-cap(${name}) = ${pkg.version}`);
    if (pkg.lib) pkg.provides.push(soname(name));
    pkgs.push(pkg);
  }
  for (const [i, pkg] of pkgs.entries()) {
    const wanted = 2 + pick(4);
    const reqs = new Set<string>();
    for (let k = 0; k < wanted && n > 1; k++) {
      let j = pick(n);
      if (j === i) j = (j + 1) % n;
      reqs.add(requirement(pkgs[j]!, pkgs[pick(n)]!, rand()));
    }
    pkg.requires.push(...reqs);
  }
  if (n > 0) pkgs[Math.min(7, n - 1)]!.requires.push(PLANTED.missingLib);
  if (n > 1) pkgs[Math.floor(n / 2)]!.requires.push(PLANTED.tooNew(pkgs[0]!.name));
  return pkgs;
}

function evrOf(p: BenchPackage, withRelease: boolean): string {
  return `${p.epoch ? `${p.epoch}:` : ''}${p.version}${withRelease ? `-${p.release}` : ''}`;
}

/** One dependency on `t` (and sometimes `u`) whose kind follows `r`; every one of them is satisfiable. */
function requirement(t: BenchPackage, u: BenchPackage, r: number): string {
  if (r < 0.3) return t.name;
  if (r < 0.4) return `${t.name} >= ${evrOf(t, false)}`;
  if (r < 0.45) return `${t.name} = ${evrOf(t, true)}`;
  if (r < 0.5) return `${t.name} < ${t.epoch ? `${t.epoch}:` : ''}99`; // an epoch outranks any version
  if (r < 0.68) return t.lib ? soname(t.name) : t.name;
  if (r < 0.8) return `bench-cap(${t.name}) >= ${t.version.split('.')[0]}`;
  if (r < 0.9) return t.tool ? `/usr/bin/${t.name}` : t.name;
  if (r < 0.93) return `${payloadDir(t.name)}/data.bin`; // only in filelists.xml
  if (r < 0.97) return `(${t.name} or bench-absent-${u.name})`;
  return `(${t.name} >= ${evrOf(t, false)} if ${u.name})`;
}

/** The spec: an empty main package (not built) plus one %package per benchmark package. */
export function renderSpec(pkgs: readonly BenchPackage[]): string {
  const L = [
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%global _build_id_links none',
    'Name: bench',
    'Version: 1.0',
    `Release: ${RELEASE}`,
    'Summary: horno sync benchmark',
    'License: MIT',
    '',
    '%description',
    'Package set of the horno sync benchmark (test/bench).',
    '',
  ];
  for (const p of pkgs) {
    L.push(`%package -n ${p.name}`, `Summary: Benchmark package ${p.name}`);
    if (p.epoch) L.push(`Epoch: ${p.epoch}`);
    L.push(`Version: ${p.version}`, `Release: ${p.release}`, 'AutoReqProv: no');
    if (p.noarch) L.push('BuildArch: noarch');
    for (const r of p.requires) L.push(`Requires: ${r}`);
    for (const r of p.provides) L.push(`Provides: ${r}`);
    L.push(`%description -n ${p.name}`, `Payload of ${p.name} for the sync benchmark.`, '');
  }
  // The payload is prepared beside the spec; hardlinking it into the buildroot costs nothing.
  L.push(
    '%install',
    'mkdir -p "$RPM_BUILD_ROOT"',
    'cp -al "$RPM_SOURCE_DIR/payload/." "$RPM_BUILD_ROOT/"',
    '',
  );
  for (const p of pkgs) {
    L.push(`%files -n ${p.name}`, payloadDir(p.name));
    if (p.tool) L.push(`/usr/bin/${p.name}`);
    if (p.lib) L.push(`/usr/lib64/lib${p.name}.so.1`);
    L.push('');
  }
  return `${L.join('\n')}\n`;
}

/** Small seeded PRNG (mulberry32): the same seed gives the same package set. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
