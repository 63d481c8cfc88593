// What the cross-field checks of a release share: the file's data (after interpolation), the parts of it that
// are valid on their own, and helpers for references between parts ("a repo that exists", "an arch the release
// has"). Checks run even when other parts of the file are broken, so every problem is reported in one pass.
import type { z } from 'zod';
import { type Arch, Name } from './common-schema.ts';
import { didYouMean } from './did-you-mean.ts';
import { type ConfigPath, isPlainObject } from './dotted-path.ts';
import type { PathProblem } from './interpolate.ts';
import { ReleaseFile, versionParts } from './release-schema.ts';
import type { ReleaseIdentity } from './templates.ts';

/** The value if it passes the schema on its own, else undefined (its own problems are reported elsewhere). */
export function valid<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

const shape = ReleaseFile.shape;

export class ReleaseCheckContext {
  readonly out: PathProblem[] = [];
  /** The release arches, when the list is valid. */
  readonly arches: Arch[] | undefined;
  /** Repos by compose name; arches undefined when the repo's (or the release's) list is invalid. */
  readonly repos = new Map<string, { arches: Arch[] | undefined }>();
  readonly identity: ReleaseIdentity | undefined;

  /** False when the repo list or a repo's name is broken: then references to repos are not judged. */
  readonly reposKnown: boolean;

  constructor(readonly data: Record<string, unknown>) {
    this.arches = valid(shape.arches, data.arches);
    const repos = Array.isArray(data.repos) ? data.repos : [];
    this.reposKnown = Array.isArray(data.repos);
    for (const repo of repos) {
      if (!isPlainObject(repo) || valid(Name, repo.name) === undefined) {
        this.reposKnown = false;
        continue;
      }
      const name = repo.name as string;
      if (this.repos.has(name)) continue;
      const own =
        repo.arches === undefined ? this.arches : valid(shape.repos.element.shape.arches, repo.arches);
      this.repos.set(name, { arches: own });
    }
    this.identity = identityOf(data);
  }

  add(path: ConfigPath, message: string): void {
    this.out.push({ path, message });
  }

  /** A reference to a repo by compose name; reports an unknown one with a did-you-mean. */
  repoExists(path: ConfigPath, name: unknown): name is string {
    if (typeof name !== 'string' || this.repos.has(name)) return typeof name === 'string';
    if (!this.reposKnown) return false;
    const known = [...this.repos.keys()];
    const hint = didYouMean(name, known) || ` (repos: ${known.join(', ')})`;
    this.add(path, `unknown repo "${name}"${hint}`);
    return false;
  }

  /** A reference to one of the release arches. */
  archInRelease(path: ConfigPath, arch: unknown): boolean {
    if (!this.arches || typeof arch !== 'string' || this.arches.includes(arch as Arch)) return true;
    this.add(path, `"${arch}" is not in arches (${this.arches.join(', ')})`);
    return false;
  }

  /** A repo used on some arches must be built for each of them. */
  repoOnArches(path: ConfigPath, repo: string, arches: readonly Arch[] | undefined, role: string): void {
    const has = this.repos.get(repo)?.arches;
    if (!has || !arches) return;
    const lacking = arches.filter((a) => !has.includes(a));
    if (lacking.length)
      this.add(path, `repo "${repo}" is not built for ${lacking.join(', ')}, where ${role}`);
  }

  /** Every entry of a list appears once. */
  unique(path: ConfigPath, list: unknown, what: string): void {
    if (!Array.isArray(list)) return;
    const seen = new Set<unknown>();
    list.forEach((v, i) => {
      if (seen.has(v)) this.add([...path, i], `${what} ${JSON.stringify(v)} is listed twice`);
      seen.add(v);
    });
  }
}

function identityOf(data: Record<string, unknown>): ReleaseIdentity | undefined {
  const fields = {
    name: valid(shape.name, data.name),
    short: valid(shape.short, data.short),
    version: valid(shape.version, data.version),
    profile: valid(shape.profile, data.profile),
    disttag: valid(shape.disttag, data.disttag),
  };
  const rcLevel = valid(shape.rc_level, data.rc_level);
  if (Object.values(fields).some((v) => v === undefined) || (data.rc_level !== undefined && !rcLevel))
    return undefined;
  const f = fields as Record<keyof typeof fields, string>;
  const derived = versionParts(f.version);
  const major = valid(shape.major, data.major) ?? derived.major;
  const minor = valid(shape.minor, data.minor) ?? derived.minor;
  return { ...f, major, minor, rc_level: rcLevel };
}
