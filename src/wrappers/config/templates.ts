// The `{name}` templates in release configs (upstream paths, ISO names, volume ids) and the values they may use.
// Validation renders every template for every arch, so a step that renders one later cannot meet a missing or
// misspelt placeholder.

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders a template uses, in order of appearance (repeats kept). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export type TemplateVars = Readonly<Record<string, string | number>>;

/** Fills every `{name}`; a name missing from `vars` is a programming error (validation checked the template). */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template ${JSON.stringify(template)}: no value for ${whole}`);
    return String(v);
  });
}

/** What identity placeholders every release template may use. */
export interface ReleaseIdentity {
  name: string;
  short: string;
  version: string;
  major: string;
  minor: string;
  profile: string;
  disttag: string;
  rc_level?: string | undefined;
}

/** `{name} {short} {version} {major} {minor} {profile} {disttag} {rc}`; `{rc}` is `-RC1` on an RC build, else ''. */
export function releaseVars(r: ReleaseIdentity, opts: { rc?: boolean } = {}): Record<string, string> {
  return {
    name: r.name,
    short: r.short,
    version: r.version,
    major: r.major,
    minor: r.minor,
    profile: r.profile,
    disttag: r.disttag,
    rc: opts.rc && r.rc_level ? `-${r.rc_level}` : '',
  };
}

const IDENTITY = ['name', 'short', 'version', 'major', 'minor', 'profile', 'disttag', 'rc'] as const;

/** Placeholders allowed in each kind of template. */
export const TEMPLATE_PLACEHOLDERS = {
  upstreamTree: ['repo', 'arch'],
  upstreamSource: ['repo'],
  volid: [...IDENTITY, 'arch'],
  liveVolid: [...IDENTITY, 'arch', 'image'],
  isoName: [...IDENTITY, 'arch', 'image', 'date', 'respin'],
  templateFile: ['major', 'arch'],
} as const satisfies Record<string, readonly string[]>;

/** Sample values for the compose-time placeholders, used when validation renders a name. */
export const SAMPLE_COMPOSE_VARS = { date: '20260101', respin: 0 } as const;

/** Joins an upstream base URL and a rendered tree path with exactly one slash. */
export function joinUrl(base: string, rel: string): string {
  return `${base.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}
