// The package list of a package_list disc (templates/minimal/<major>/<arch>, as empanadas ships them): one entry a
// line, `@id` for a comps group or environment, `#` comments. Groups expand as dnf installs them: mandatory and
// default members (each only if some repo has it), conditional members when their trigger is in the set.
import { UsageError, WorkError } from '../../errors.ts';
import type { DepsolveRequest } from '../../rpmmd/index.ts';
import { scanXml, type XmlTag } from '../../rpmmd/xml-scan.ts';

export interface ListEntry {
  line: number;
  /** A package name or provide, or a comps id when `group`. */
  name: string;
  group: boolean;
}

const ENTRY = /^(@?)([A-Za-z0-9_][A-Za-z0-9_.+()-]*)$/;

export function parsePackageList(text: string, file: string): ListEntry[] {
  const out: ListEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const m = ENTRY.exec(line);
    if (!m)
      throw new UsageError(
        `${file}:${i + 1}: "${line}" is not a package name or @group`,
        'one entry a line: a package name, a provide, or @<comps group or environment id>',
      );
    out.push({ line: i + 1, name: m[2]!, group: m[1] === '@' });
  });
  if (!out.length) throw new UsageError(`${file}: the package list is empty`);
  return out;
}

export interface CompsGroup {
  id: string;
  packages: { name: string; type: string; requires?: string }[];
}

export interface Comps {
  groups: Map<string, CompsGroup>;
  /** environment id -> its grouplist (optionlist groups are not installed by default). */
  environments: Map<string, string[]>;
}

export function emptyComps(): Comps {
  return { groups: new Map(), environments: new Map() };
}

/** Adds a comps.xml's groups and environments to `into` (ids already there keep their first definition). */
export function parseComps(xml: string, what: string, into: Comps = emptyComps()): Comps {
  const stack: string[] = [];
  let group: CompsGroup | undefined;
  let env: { id: string; groups: string[] } | undefined;
  let req: { type: string; requires?: string } | undefined;
  const open = (t: XmlTag): boolean => {
    stack.push(t.name);
    if (t.name === 'group' && stack.length === 2) group = { id: '', packages: [] };
    if (t.name === 'environment' && stack.length === 2) env = { id: '', groups: [] };
    if (t.name === 'packagereq') {
      const a = t.attributes;
      req = { type: a.type ?? 'mandatory', ...(a.requires ? { requires: a.requires } : {}) };
    }
    return true;
  };
  const close = (name: string, text: string): void => {
    const parent = stack[stack.length - 2];
    const value = text.trim();
    if (name === 'id' && parent === 'group' && group) group.id = value;
    if (name === 'id' && parent === 'environment' && env) env.id = value;
    if (name === 'packagereq' && group && req) group.packages.push({ name: value, ...req });
    if (name === 'groupid' && parent === 'grouplist' && env) env.groups.push(value);
    if (name === 'group' && group && stack.length === 2) {
      if (!into.groups.has(group.id)) into.groups.set(group.id, group);
      group = undefined;
    }
    if (name === 'environment' && env && stack.length === 2) {
      if (!into.environments.has(env.id)) into.environments.set(env.id, env.groups);
      env = undefined;
    }
    stack.pop();
  };
  try {
    scanXml(xml, { open, close });
  } catch (err) {
    throw new WorkError(`${what}: not valid comps XML: ${(err as Error).message}`);
  }
  return into;
}

/** The depsolve request a list makes with these comps; an @id no comps defines is an error. */
export function expandList(entries: readonly ListEntry[], comps: Comps, file: string): DepsolveRequest {
  const install: string[] = [];
  const ifAvailable = new Set<string>();
  const conditional: { name: string; requires: string }[] = [];
  const addGroup = (id: string) => {
    const g = comps.groups.get(id);
    if (!g) return false;
    for (const p of g.packages) {
      if (p.type === 'mandatory' || p.type === 'default') ifAvailable.add(p.name);
      else if (p.type === 'conditional' && p.requires)
        conditional.push({ name: p.name, requires: p.requires });
    }
    return true;
  };
  for (const e of entries) {
    if (!e.group) {
      install.push(e.name);
      continue;
    }
    const envGroups = comps.environments.get(e.name);
    if (envGroups) for (const g of envGroups) addGroup(g);
    else if (!addGroup(e.name))
      throw new WorkError(
        `${file}:${e.line}: @${e.name} is neither a group nor an environment in the repos' comps`,
        `known: ${[...comps.environments.keys(), ...comps.groups.keys()].sort().join(', ') || '(no comps)'}`,
      );
  }
  return { install, installIfAvailable: [...ifAvailable], conditional };
}
