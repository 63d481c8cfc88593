// Every path horno reads or writes in a compose. No other module joins compose paths by hand, so the layout
// (pungi's compose/, metadata/, logs/, work/ with empanadas' isos/<arch>) can change in one place.
import { join } from 'node:path';

export type TreeKind = 'os' | 'debug' | 'source';

export const STATUS_FILE = 'STATUS';
export const COMPOSE_ID_FILE = 'COMPOSE_ID';

export function latestLinkName(short: string, profile: string): string {
  return `latest-${short}-${profile}`;
}

export class ComposePaths {
  constructor(
    readonly root: string,
    readonly id: string,
  ) {}

  get dir(): string {
    return join(this.root, this.id);
  }
  get compose(): string {
    return join(this.dir, 'compose');
  }
  get metadata(): string {
    return join(this.compose, 'metadata');
  }
  get logs(): string {
    return join(this.dir, 'logs');
  }
  get work(): string {
    return join(this.dir, 'work');
  }
  get status(): string {
    return join(this.dir, STATUS_FILE);
  }
  get composeIdFile(): string {
    return join(this.dir, COMPOSE_ID_FILE);
  }
  get lock(): string {
    return join(this.work, 'compose.lock');
  }
  /** The JSON-lines log of every command run on this compose. */
  get mainLog(): string {
    return join(this.logs, 'horno.log');
  }
  /** Per-unit tool output (reposync, lorax, xorriso ...). */
  unitLog(step: string, unit: string): string {
    return join(this.logs, step, `${unit}.log`);
  }
  unitRecord(unitId: string): string {
    return join(this.work, 'units', `${unitId}.json`);
  }
  /** A repo tree: compose/<Repo>/<arch>/os, compose/<Repo>/<arch>/debug/tree, compose/<Repo>/source/tree. */
  tree(repo: string, arch: string, kind: TreeKind): string {
    if (kind === 'source') return join(this.compose, repo, 'source', 'tree');
    if (kind === 'debug') return join(this.compose, repo, arch, 'debug', 'tree');
    return join(this.compose, repo, arch, 'os');
  }
  isos(arch: string): string {
    return join(this.compose, 'isos', arch);
  }
  live(arch: string): string {
    return join(this.compose, 'live', arch);
  }
  images(arch: string): string {
    return join(this.compose, 'images', arch);
  }
  /** Scratch space of one step; removed or reused freely. */
  workDir(...parts: string[]): string {
    return join(this.work, ...parts);
  }
}
