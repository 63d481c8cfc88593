// Checks of the site config beyond its schema: no literal secrets in the file (credential keys, passwords in
// URLs; release files get the same check), the store url agrees with its s3 block, the credential variables it
// names are set, and (per release) every container executor has an image to run.
import { didYouMean } from './did-you-mean.ts';
import { type ConfigPath, isPlainObject } from './dotted-path.ts';
import type { PathProblem } from './interpolate.ts';
import type { ReleaseConfig } from './release-schema.ts';
import { executorFor, SiteConfig } from './site-schema.ts';
import { knownKeys, schemaAt } from './zod-problems.ts';

const SECRET_KEYS = new Set([
  'secret',
  'secretkey',
  'secretaccesskey',
  'awssecretaccesskey',
  'accesskey',
  'accesskeyid',
  'awsaccesskeyid',
  'sessiontoken',
  'awssessiontoken',
  'token',
  'password',
  'passwd',
  'apikey',
  'privatekey',
]);
const normalizeKey = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
/** user:password@ in a URL, unless the password is a ${VAR} reference. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:(?!\$\{[^}]*\}@)[^/@\s]+@/i;

/** The string, and the defaults of its ${VAR:-default} references: a password there is as literal. */
const urlsIn = (s: string): string[] => [
  s,
  ...[...s.matchAll(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g)].map((m) => m[1]!),
];

/** Run on the file as written (before ${VAR} interpolation): what is literally in it. */
export function checkLiteralSecrets(raw: unknown): PathProblem[] {
  return literalSecrets(raw, 'the site file', (parent, key) => secretMessage(raw, parent, key));
}

/** The same check on a release file: its URLs (upstream.baseurl, gpg_keys ...) take a password only as ${VAR}. */
export function checkReleaseSecrets(raw: unknown): PathProblem[] {
  return literalSecrets(
    raw,
    'a release file',
    (_parent, key) =>
      `literal secret "${key}": credentials never go in a release file; put the value in an environment ` +
      'variable and refer to it in the URL that needs it (https://user:${TOKEN}@host/)',
  );
}

function literalSecrets(
  raw: unknown,
  where: string,
  keyMessage: (parent: ConfigPath, key: string) => string,
): PathProblem[] {
  const out: PathProblem[] = [];
  const walk = (v: unknown, path: ConfigPath): void => {
    if (typeof v === 'string' && urlsIn(v).some((u) => URL_PASSWORD.test(u)))
      out.push({
        path,
        message:
          `literal secret: this URL holds a password; credentials never go in ${where}` +
          (where === 'the site file' ? '' : ' (write the password as ${VARIABLE}, set in the environment)'),
      });
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    if (!isPlainObject(v)) return;
    for (const [key, item] of Object.entries(v)) {
      if (SECRET_KEYS.has(normalizeKey(key)))
        out.push({ path: [...path, key], message: keyMessage(path, key) });
      else walk(item, [...path, key]);
    }
  };
  walk(raw, []);
  return out;
}

function secretMessage(raw: unknown, parent: ConfigPath, key: string): string {
  const envKeys = knownKeys(schemaAt(SiteConfig, raw, parent)).filter((k) => k.endsWith('_env'));
  const match = envKeys.find((k) => normalizeKey(k) === `${normalizeKey(key)}env`);
  const where = match
    ? `name that variable in ${match}`
    : `name that variable in store.s3.credentials (${knownKeys(schemaAt(SiteConfig, {}, ['store', 's3', 'credentials'])).join(', ')})`;
  return `literal secret "${key}": credentials never go in the site file; put the value in an environment variable and ${where}${match ? '' : didYouMean(key, envKeys)}`;
}

/** Store url against its s3 block, and the credential variables named there. */
export function checkStore(data: unknown, env: Record<string, string | undefined>): PathProblem[] {
  const out: PathProblem[] = [];
  const store = isPlainObject(data) ? data.store : undefined;
  if (!isPlainObject(store) || typeof store.url !== 'string') return out;
  const isS3 = store.url.startsWith('s3://');
  if (isS3 && store.s3 === undefined)
    out.push({ path: ['store', 's3'], message: 'required with an s3:// store url' });
  if (!isS3 && store.s3 !== undefined)
    out.push({
      path: ['store', 's3'],
      message: `only used with an s3:// store url (store.url is ${store.url})`,
    });
  const creds = isPlainObject(store.s3) ? store.s3.credentials : undefined;
  if (!isS3 || !isPlainObject(creds)) return out;
  for (const [key, name] of Object.entries(creds))
    if (typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && env[name] === undefined)
      out.push({
        path: ['store', 's3', 'credentials', key],
        message: `environment variable ${name} is not set`,
      });
  return out;
}

/** Every arch of the release whose executor runs containers needs an image: its own or builder_images[disttag]. */
export function checkSiteForRelease(
  site: SiteConfig,
  release: ReleaseConfig,
  releaseName: string,
): PathProblem[] {
  const out: PathProblem[] = [];
  const reported = new Set<string>();
  for (const arch of release.arches) {
    const key = site.executors[arch] ? arch : 'default';
    const executor = executorFor(site, arch);
    if ((executor.type !== 'podman' && executor.type !== 'kube') || executor.image) continue;
    if (site.builder_images[release.disttag] || reported.has(key)) continue;
    reported.add(key);
    out.push({
      path: ['executors', key, 'image'],
      message: `release ${releaseName} (${release.disttag}) runs ${arch} in ${executor.type}, but no image is given here or in builder_images.${release.disttag}`,
    });
  }
  return out;
}
