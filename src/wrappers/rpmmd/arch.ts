// Which package arches can satisfy dependencies on a given base arch: libsolv's arch policy as dnf --forcearch
// sets it (x86_64 accepts the i?86 family, aarch64 only itself), plus noarch. Source packages never provide.

const POLICY: Record<string, readonly string[]> = {
  x86_64: ['x86_64', 'i686', 'i586', 'i486', 'i386'],
  x86_64_v2: ['x86_64_v2', 'x86_64', 'i686', 'i586', 'i486', 'i386'],
  x86_64_v3: ['x86_64_v3', 'x86_64_v2', 'x86_64', 'i686', 'i586', 'i486', 'i386'],
  i686: ['i686', 'i586', 'i486', 'i386'],
  aarch64: ['aarch64'],
  ppc64le: ['ppc64le'],
  ppc64: ['ppc64', 'ppc'],
  s390x: ['s390x', 's390'],
  riscv64: ['riscv64'],
};

const MULTILIB = /^i[3-6]86$|^s390$|^ppc$/;

export interface ArchOptions {
  /** Accept the 32-bit compat arches (i686 on x86_64), as dnf does. Default true. */
  multilib?: boolean;
}

/** The arches whose packages are available on `basearch`, noarch included. */
export function compatibleArches(basearch: string, opts: ArchOptions = {}): Set<string> {
  const list = POLICY[basearch] ?? [basearch];
  const keep = opts.multilib === false ? list.filter((a) => a === basearch || !MULTILIB.test(a)) : list;
  return new Set([...keep, 'noarch']);
}

export function isSourceArch(arch: string): boolean {
  return arch === 'src' || arch === 'nosrc';
}
