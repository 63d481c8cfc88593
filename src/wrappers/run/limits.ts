// Named limits that hold across steps: one p-limit pool per resource (cpu, downloads, one per executor host), shared
// by every unit of every phase of a run, so that an arch's DVD mastering and another arch's lorax build draw on the
// same budgets they would one after the other.
import pLimit, { type LimitFunction } from 'p-limit';
import type { SiteConfig } from '../config/site-schema.ts';

/** 'cpu', 'downloads', 'host:<id>' (containers_per_host), or a step's own pool by name. */
export type LimitName = string;

export interface Limits {
  /** The pool for `name`; `size` sets it for a name the site config does not size (the first caller's wins). */
  get(name: LimitName, size?: number): LimitFunction;
}

export function createLimits(site: Pick<SiteConfig, 'limits'>): Limits {
  const pools = new Map<string, LimitFunction>();
  const sized = (name: string, size?: number): number => {
    const l = site.limits;
    if (name === 'cpu') return l.cpu;
    if (name === 'downloads') return l.downloads;
    if (name.startsWith('host:')) return l.containers_per_host;
    return size ?? 1;
  };
  return {
    get(name, size) {
      let p = pools.get(name);
      if (!p) pools.set(name, (p = pLimit(Math.max(1, sized(name, size)))));
      return p;
    },
  };
}
