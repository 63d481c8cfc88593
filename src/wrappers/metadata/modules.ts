// modules.json (productmd.modules 1.2) and the modulemd reading behind it: every `document: modulemd` stream in
// a repo's modules.yaml becomes payload.modules[variant][arch]["N:S:V:C"] with its metadata, the path of the
// modules.yaml it came from (per category) and its rpm artifacts.
import { parseAllDocuments } from 'yaml';
import { composeHead, type ComposeHead, header, type JsonValue, productmdJson } from './productmd-json.ts';
import type { RpmCategory } from './rpms.ts';

export interface ModuleStream {
  name: string;
  stream: string;
  /** A string: real versions have 19 digits, more than a double holds. */
  version: string;
  context: string;
  arch: string;
  /** N-E:V-R.A, as modulemd lists them. */
  artifacts: string[];
}

export interface ModuleEntry {
  stream: ModuleStream;
  /** category -> modules.yaml path relative to compose/ */
  modulemdPath: Partial<Record<RpmCategory, string>>;
}

export interface ModulesManifest {
  compose: ComposeHead;
  /** variant uid -> binary arch -> modules */
  modules: Record<string, Record<string, ModuleEntry[]>>;
}

export function moduleUid(m: Pick<ModuleStream, 'name' | 'stream' | 'version' | 'context'>): string {
  return `${m.name}:${m.stream}:${m.version}:${m.context}`;
}

/**
 * The Koji tag MBS gives a module build. There is no Koji here, but productmd makes the field mandatory and
 * consumers key on it, so it is derived the way MBS named tags (dashes in the stream become underscores).
 */
export function moduleKojiTag(m: Pick<ModuleStream, 'name' | 'stream' | 'version' | 'context'>): string {
  return `module-${m.name}-${m.stream.replaceAll('-', '_')}-${m.version}-${m.context}`;
}

/**
 * The modulemd v2 streams of a modules.yaml text (defaults, obsoletes and translations documents are skipped).
 * Parsed with the failsafe schema so every scalar stays a string: versions must not go through a double.
 */
export function parseModulemd(text: string, what: string): ModuleStream[] {
  const out: ModuleStream[] = [];
  for (const doc of parseAllDocuments(text, { schema: 'failsafe' })) {
    if (!('errors' in doc)) continue; // an empty stream yields an EmptyStream marker
    if (doc.errors.length) throw new Error(`${what}: ${doc.errors[0]!.message}`);
    const d = doc.toJS() as { document?: string; version?: string; data?: Record<string, unknown> } | null;
    if (!d || d.document !== 'modulemd') continue;
    if (d.version !== '2')
      throw new Error(`${what}: modulemd version ${d.version} is not supported (2 only)`);
    const data = d.data ?? {};
    const str = (k: string): string => {
      const v = data[k];
      if (typeof v !== 'string' || v === '') throw new Error(`${what}: a modulemd document has no ${k}`);
      return v;
    };
    const artifacts = (data.artifacts as { rpms?: unknown } | undefined)?.rpms;
    if (artifacts !== undefined && !Array.isArray(artifacts))
      throw new Error(`${what}: artifacts.rpms is not a list`);
    out.push({
      name: str('name'),
      stream: str('stream'),
      version: str('version'),
      context: str('context'),
      arch: str('arch'),
      artifacts: ((artifacts ?? []) as unknown[]).map(String),
    });
  }
  return out;
}

export function modulesDocument(m: ModulesManifest): JsonValue {
  const modules: { [v: string]: { [a: string]: { [uid: string]: JsonValue } } } = {};
  for (const [variant, byArch] of Object.entries(m.modules)) {
    for (const [arch, list] of Object.entries(byArch)) {
      if (arch === 'src' || arch === 'nosrc') throw new Error('modules.json: use binary arches as keys');
      for (const e of list) {
        const uid = moduleUid(e.stream);
        const paths = Object.fromEntries(Object.entries(e.modulemdPath).filter(([, p]) => p));
        if (Object.keys(paths).length === 0) throw new Error(`modules.json: ${uid} has no modulemd path`);
        const slot = ((modules[variant] ??= {})[arch] ??= {});
        const prev = slot[uid] as { modulemd_path: Record<string, string>; rpms: string[] } | undefined;
        slot[uid] = {
          metadata: {
            uid,
            name: e.stream.name,
            stream: e.stream.stream,
            version: e.stream.version,
            context: e.stream.context,
            koji_tag: moduleKojiTag(e.stream),
          },
          modulemd_path: { ...prev?.modulemd_path, ...(paths as Record<string, string>) },
          rpms: [...new Set([...(prev?.rpms ?? []), ...e.stream.artifacts])].sort(),
        };
      }
    }
  }
  return { header: { ...header('modules') }, payload: { compose: composeHead(m.compose), modules } };
}

export function serializeModules(m: ModulesManifest): string {
  return productmdJson(modulesDocument(m));
}
