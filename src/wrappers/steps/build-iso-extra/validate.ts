// Every problem build-iso-extra can see before a compose exists: no iso section, a bad --image, no disc left, an
// arch sent to a kube executor, a volume id lorax would refuse (as the config renders it: boot.iso's own label is
// only known once it is unpacked), a package list that is missing or does not parse. All of them, not the first.
import { HornoError } from '../../errors.ts';
import { checkVolid } from '../../iso/lorax.ts';
import type { PlanContext, StepProblem } from '../step.ts';
import { masteringRefusal } from './executor.ts';
import { configVolid, discImages, type ExtraIsoOptions, listTemplate, readList } from './plan.ts';

export function validateDiscs(ctx: PlanContext, opts: ExtraIsoOptions): StepProblem[] {
  const problems: StepProblem[] = [];
  const ask = (check: () => unknown): void => {
    try {
      check();
    } catch (err) {
      if (!(err instanceof HornoError)) throw err;
      problems.push({ message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
    }
  };
  let discs: ReturnType<typeof discImages> = [];
  ask(() => (discs = discImages(ctx.release, opts.image)));
  for (const arch of ctx.arches) {
    const refused = masteringRefusal(ctx.site, arch);
    if (refused) problems.push(refused);
  }
  const lists = new Set<string>();
  for (const [image, config] of discs) {
    for (const arch of ctx.arches) {
      ask(() => checkVolid(configVolid(ctx.release, arch, !!opts.rc), `image ${image} on ${arch}`));
      const rel = listTemplate(ctx.release, config, arch);
      if (rel === undefined || lists.has(rel)) continue;
      lists.add(rel);
      ask(() => readList(rel, image));
    }
  }
  return problems;
}
