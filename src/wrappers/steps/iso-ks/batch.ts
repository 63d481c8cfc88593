// `iso-ks edit --batch variants.yaml`: one kickstart ISO per variant from one input ISO. The input is probed and
// its boot files read once; every variant is checked (kickstart, volume id, output name) before the first ISO is
// written; then the variants run in parallel, bounded by the host's cores.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { InterruptedError } from '../../errors.ts';
import type { Logger } from '../../log/logger.ts';
import { readBootFiles, requireKernelLines } from './boot-files.ts';
import { type EditOutcome, editProblems, writeEditedIso } from './edit.ts';
import { openInstallerIso } from './installer-iso.ts';
import { readVariants, sortByOffset, VariantsError } from './variants.ts';

export interface BatchRequest {
  iso: string;
  variantsFile: string;
  /** Folder for the ISOs; the current folder when absent. */
  outdir?: string;
}

export interface BatchOutcome {
  written: (EditOutcome & { name: string })[];
  failed: { name: string; error: Error }[];
}

/** `Rocky-9.4-x86_64-boot.iso` + `deptA` -> `Rocky-9.4-x86_64-boot-deptA.iso`. */
export function defaultOutputName(iso: string, variant: string): string {
  return `${basename(iso).replace(/\.iso$/i, '')}-${variant}.iso`;
}

export async function runBatch(
  req: BatchRequest,
  ctx: { log: Logger; signal?: AbortSignal; concurrency?: number },
): Promise<BatchOutcome> {
  const { variants, problems, problem } = await readVariants(req.variantsFile);
  const source = await openInstallerIso(req.iso, { requireBoot: true, signal: ctx.signal });
  const outdir = resolve(req.outdir ?? '.');
  const base = dirname(resolve(req.variantsFile));
  const requests = variants.map((v) => ({
    name: v.name,
    index: v.index,
    outKey: v.output ? ('output' as const) : ('name' as const),
    iso: req.iso,
    ks: resolve(base, v.ks),
    volid: v.volid,
    output: join(outdir, v.output ?? defaultOutputName(req.iso, v.name)),
  }));

  const firstName = new Map<string, number>();
  const firstOutput = new Map<string, number>();
  for (const r of requests) {
    const i = r.index;
    const name = firstName.get(r.name);
    if (name !== undefined)
      problems.push(problem([i, 'name'], `"${r.name}" is already the name of variant [${name}]`));
    else firstName.set(r.name, i);
    const output = firstOutput.get(r.output);
    // a repeated name already explains its repeated default file name
    if (output === undefined) firstOutput.set(r.output, i);
    else if (name === undefined || r.outKey === 'output')
      problems.push(problem([i, r.outKey], `writes ${r.output}, as variant [${output}] does`));
    for (const p of await editProblems(source, r))
      problems.push(problem([i, p.field === 'output' ? r.outKey : p.field], p.message));
  }
  if (problems.length) throw new VariantsError(req.variantsFile, sortByOffset(problems));

  const work = await mkdtemp(join(tmpdir(), 'horno-iso-ks-'));
  try {
    const files = await readBootFiles(source, work, { efi: true, signal: ctx.signal });
    requireKernelLines(source, files);
    const limit = pLimit(Math.max(1, ctx.concurrency ?? availableParallelism()));
    const settled = await Promise.allSettled(
      requests.map((r) =>
        limit(async () => ({ name: r.name, ...(await writeEditedIso(source, files, r, work, ctx)) })),
      ),
    );
    const outcome: BatchOutcome = { written: [], failed: [] };
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') outcome.written.push(s.value);
      else outcome.failed.push({ name: requests[i]!.name, error: s.reason as Error });
    });
    const interrupted = outcome.failed.find((f) => f.error instanceof InterruptedError);
    if (interrupted) throw interrupted.error;
    // nothing got through: the error itself (with its exit code) says more than a list of the same failure
    if (outcome.written.length === 0 && outcome.failed[0]) throw outcome.failed[0].error;
    return outcome;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
