// Developer entry for the benchmarks: `npm run bench -- <name> [args]` (node bin/horno-dev.js test/bench/cli.ts).
// Each bench is a module test/bench/<name>.ts exporting main(args) -> exit code, loaded only when asked for, so
// one bench's heavy imports never slow another down.

const BENCHES = {
  sync: 'dnf reposync / repoclosure against horno sync-repos / repoclosure, and sync peak memory',
  store: 'S3 store put/get throughput (s3rver) against a plain local copy',
  checksum: "finalize's checksum engine against sha256sum",
  'iso-extra': "build-iso-extra's DVD against a bare xorriso replay of the same dialog",
} as const;
type BenchName = keyof typeof BENCHES;

const isBench = (s: string | undefined): s is BenchName => s !== undefined && Object.hasOwn(BENCHES, s);

export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!isBench(name)) {
    const list = Object.entries(BENCHES).map(([k, v]) => `  ${k.padEnd(10)} ${v}`);
    process.stderr.write(`usage: npm run bench -- <name> [args]\n${list.join('\n')}\n`);
    return 2;
  }
  const mod = (await import(`./${name}.ts`)) as { main(args: string[]): Promise<number> };
  return mod.main(rest);
}
