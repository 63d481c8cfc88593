// loadConfig against small bad release and site files in temp dirs: each maps to the exact problem list (file,
// dotted path, message), all problems of both files at once. Good configs: load-resolve.test.ts.
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, type Problem } from '../errors.ts';
import { loadConfig } from './load.ts';
import { TempConfigDirs, type YamlDoc } from './temp-config.ts';

const temp = new TempConfigDirs();
afterAll(() => temp.cleanup());

const BASE = {
  name: 'Test Linux',
  short: 'Test',
  version: '9.9',
  profile: '9',
  type: 'ga',
  disttag: 'el9',
  module_platform_id: 'platform:el9',
  bugurl: 'https://bugs.example.org',
  is_final: true,
  arches: ['x86_64', 'aarch64'],
  upstream: {
    baseurl: 'https://mirror.example.org/9/',
    paths: { os: '{repo}/{arch}/os/', debug: '{repo}/{arch}/debug/tree/', source: '{repo}/source/tree/' },
    gpg_keys: ['https://mirror.example.org/RPM-GPG-KEY-test'],
  },
  repos: [{ name: 'BaseOS' }, { name: 'AppStream' }, { name: 'CRB' }],
  iso: {
    lorax: {
      repos: ['BaseOS', 'AppStream'],
      variant: 'BaseOS',
      volid: '{short}-{major}-{minor}{rc}-{arch}-dvd',
    },
    images: { dvd: { disc: true, variant: 'AppStream', repos: ['BaseOS', 'AppStream'] } },
    names: {
      iso: '{short}-{version}{rc}-{arch}-{image}.iso',
      generic_link: '{short}-{arch}-{image}.iso',
      latest_link: '{short}-{major}-latest-{arch}-{image}.iso',
    },
  },
  repoclosure: { repos: { BaseOS: [], AppStream: ['BaseOS'], CRB: ['BaseOS', 'AppStream'] } },
};

/** BASE with a change applied to a deep copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edits reach into any YAML shape, on purpose wrong
function release(edit: (r: any) => void): Record<string, unknown> {
  const r = structuredClone(BASE);
  edit(r);
  return r;
}

const S3_SITE = (credentials: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  store: { url: 's3://artifacts/horno', s3: { region: 'us-east-1', ...extra, credentials } },
});

interface Case {
  name: string;
  release?: YamlDoc;
  site?: YamlDoc;
  env?: Record<string, string>;
  /** [file ('release' | 'site' | 'release:L:C'), path, message] */
  problems: [string, string, string][];
}

const CASES: Case[] = [
  {
    name: 'unknown keys, with a did-you-mean from the keys valid at that place',
    release: release((r) => {
      r.chekcsum = 'sha256';
      r.iso.lorax.squashfs_olny = true;
      r.zzz = 1;
    }),
    problems: [
      ['release', 'iso.lorax.squashfs_olny', 'unknown key "squashfs_olny" (did you mean "squashfs_only"?)'],
      ['release', 'chekcsum', 'unknown key "chekcsum" (did you mean "checksum"?)'],
      [
        'release',
        'zzz',
        'unknown key "zzz" (known keys: name, short, version, major, minor, profile, type, disttag, ' +
          'module_platform_id, bugurl, rc_level, is_final, arches, failable_arches, checksum, multilib, upstream, ' +
          'repos, iso, live, repoclosure, extra_files)',
      ],
    ],
  },
  {
    name: 'wrong types (and no repo-reference noise when the repo list itself is broken)',
    release: release((r) => {
      r.version = 9.9;
      r.is_final = 'yes';
      r.arches = [1, 'aarch64'];
      r.repos = 'BaseOS';
    }),
    problems: [
      ['release', 'version', 'expected a string, got a number (9.9) (put it in quotes)'],
      ['release', 'is_final', 'expected true or false, got a string ("yes")'],
      [
        'release',
        'arches[0]',
        'expected one of: x86_64, aarch64, ppc64le, s390x, i686, riscv64, armv7hl; got a number (1)',
      ],
      ['release', 'repos', 'expected a list, got a string ("BaseOS")'],
    ],
  },
  {
    name: 'missing required keys',
    release: release((r) => {
      delete r.disttag;
      delete r.type;
      delete r.iso.lorax.variant;
    }),
    problems: [
      [
        'release',
        'type',
        'required key is missing (one of: fast, ga, updates, updates-testing, eus, aus, els, tus, e4s)',
      ],
      ['release', 'disttag', 'required key is missing (expected a string)'],
      ['release', 'iso.lorax.variant', 'required key is missing (expected a string)'],
    ],
  },
  {
    name: 'bad enum values, with a did-you-mean',
    release: release((r) => {
      r.type = 'gaa';
      r.arches = ['x86-64', 'aarch64'];
      r.checksum = 'sha265';
    }),
    problems: [
      [
        'release',
        'type',
        '"gaa" is not one of: fast, ga, updates, updates-testing, eus, aus, els, tus, e4s (did you mean "ga"?)',
      ],
      [
        'release',
        'arches[0]',
        '"x86-64" is not one of: x86_64, aarch64, ppc64le, s390x, i686, riscv64, armv7hl (did you mean "x86_64"?)',
      ],
      [
        'release',
        'checksum',
        '"sha265" is not one of: sha1, sha224, sha256, sha384, sha512 (did you mean "sha256"?)',
      ],
    ],
  },
  {
    name: 'failable arch not in arches, and listed twice',
    release: release((r) => {
      r.failable_arches = ['s390x', 'aarch64', 'aarch64'];
    }),
    problems: [
      ['release', 'failable_arches[0]', '"s390x" is not in arches (x86_64, aarch64)'],
      ['release', 'failable_arches[2]', 'arch "aarch64" is listed twice'],
    ],
  },
  {
    name: 'repoclosure naming unknown repos',
    release: release((r) => {
      r.repoclosure.repos.AppStrem = ['BaseOS'];
      r.repoclosure.repos.CRB = ['BaseOS', 'Appstream', 'Zzz'];
    }),
    problems: [
      ['release', 'repoclosure.repos.CRB[1]', 'unknown repo "Appstream" (did you mean "AppStream"?)'],
      ['release', 'repoclosure.repos.CRB[2]', 'unknown repo "Zzz" (repos: BaseOS, AppStream, CRB)'],
      ['release', 'repoclosure.repos.AppStrem', 'unknown repo "AppStrem" (did you mean "AppStream"?)'],
    ],
  },
  {
    name: 'volume id over 32 characters on one arch only (aarch64 is one letter longer than x86_64)',
    release: release((r) => {
      r.iso.lorax.volid = '{short}-Linux-{major}-{minor}-{arch}-dvd1-ABCDE';
    }),
    problems: [
      [
        'release',
        'iso.lorax.volid',
        'volume id "Test-Linux-9-9-aarch64-dvd1-ABCDE" for aarch64 is 33 characters; ISO 9660 allows 32',
      ],
    ],
  },
  {
    name: 'volume id checked with the RC suffix when the release has one',
    release: release((r) => {
      r.rc_level = 'RC1';
      r.iso.lorax.volid = '{short}-Linux-{major}-{minor}{rc}-{arch}-dvd-XY';
    }),
    problems: [
      [
        'release',
        'iso.lorax.volid',
        'volume id "Test-Linux-9-9-RC1-aarch64-dvd-XY" for aarch64 is 33 characters; ISO 9660 allows 32',
      ],
    ],
  },
  {
    name: 'template placeholders: unknown ones and the ones a name needs',
    release: release((r) => {
      r.iso.lorax.volid = '{short}-{majr}-{arch}';
      r.iso.names.iso = '{short}-{version}.iso';
      r.upstream.paths.source = '{repo}/{arch}/source/';
    }),
    problems: [
      ['release', 'upstream.paths.source', 'unknown placeholder {arch} (allowed: {repo})'],
      [
        'release',
        'iso.lorax.volid',
        'unknown placeholder {majr} (did you mean {major}?) ' +
          '(allowed: {name} {short} {version} {major} {minor} {profile} {disttag} {rc} {arch})',
      ],
      [
        'release',
        'iso.names.iso',
        'must use {arch} and {image} (or different outputs would get the same name)',
      ],
    ],
  },
  {
    name: 'unset environment variable; ${VAR:-default} is fine unset',
    release: release((r) => {
      r.upstream.baseurl = '${MIRROR}/9/';
      r.upstream.gpg_keys = ['${KEYS:-https://keys.example.org}/KEY'];
    }),
    problems: [
      [
        'release',
        'upstream.baseurl',
        'environment variable MIRROR is not set (and ${MIRROR} has no default)',
      ],
    ],
  },
  {
    name: 'literal secrets in the site file: a credential key and a password in a URL',
    site: S3_SITE(
      { access_key_id_env: 'AWS_ACCESS_KEY_ID', secret_access_key: 'wJalrXUtnFEMI/K7MDENG' },
      { endpoint: 'http://admin:hunter2@127.0.0.1:4569' },
    ),
    env: { AWS_ACCESS_KEY_ID: 'id' },
    problems: [
      [
        'site',
        'store.s3.endpoint',
        'literal secret: this URL holds a password; credentials never go in the site file',
      ],
      ['site', 'store.s3.credentials.secret_access_key_env', 'required key is missing (expected a string)'],
      [
        'site',
        'store.s3.credentials.secret_access_key',
        'literal secret "secret_access_key": credentials never go in the site file; put the value in an ' +
          'environment variable and name that variable in secret_access_key_env',
      ],
    ],
  },
  {
    name: 'credential variables: a value where a name belongs, and a named variable that is not set',
    site: S3_SITE({ access_key_id_env: 'AWS_ACCESS_KEY_ID', secret_access_key_env: 'wJalrXUtnFEMI/K7MDENG' }),
    problems: [
      ['site', 'store.s3.credentials.access_key_id_env', 'environment variable AWS_ACCESS_KEY_ID is not set'],
      [
        'site',
        'store.s3.credentials.secret_access_key_env',
        'must name an environment variable (like AWS_SECRET_ACCESS_KEY), not hold the value itself',
      ],
    ],
  },
  {
    name: 'site schema problems',
    site: {
      compose_root: 3,
      store: { url: 'file://var/store', s3: {} },
      executors: { default: { type: 'podmn' }, aarch46: { type: 'local' } },
      limits: { cpu: 0, downloads: 'many' },
      log_level: 'verbose',
    },
    problems: [
      ['site', 'compose_root', 'expected a string, got a number (3) (put it in quotes)'],
      ['site', 'store.s3', 'only used with an s3:// store url (store.url is file://var/store)'],
      [
        'site',
        'executors.default.type',
        '"podmn" is not one of: local, podman, mock, kube (did you mean "podman"?)',
      ],
      ['site', 'executors.aarch46', 'unknown key "aarch46" (did you mean "aarch64"?)'],
      ['site', 'limits.cpu', 'must be at least 1, got a number (0)'],
      ['site', 'limits.downloads', 'expected a number, got a string ("many")'],
      ['site', 'log_level', '"verbose" is not one of: fatal, error, warn, info, debug, trace, silent'],
    ],
  },
  {
    name: 'a container executor with no image for the release dist tag (a check across both files)',
    site: {
      executors: { aarch64: { type: 'podman', socket: '/run/horno/aarch64.sock' } },
      builder_images: {},
    },
    problems: [
      [
        'site',
        'executors.aarch64.image',
        'release t (el9) runs aarch64 in podman, but no image is given here or in builder_images.el9',
      ],
    ],
  },
  {
    name: 'YAML syntax error, reported at file:line:col',
    release: 'name: Test\nversion: "9.9\narches: [x86_64\n',
    problems: [['release:4:1', '', 'YAML syntax error: Missing closing "quote']],
  },
  {
    name: 'a file that is not a mapping',
    release: '- BaseOS\n- AppStream\n',
    problems: [['release', '', 'not a YAML mapping (a list)']],
  },
  {
    // /etc/shadow-like text parses as one plain scalar: refused by the file's name, none of its text echoed
    name: 'a file that is text, not YAML keys and values',
    release: 'root:CANARY-hash:19000:0:99999:7:::\ndaemon:CANARY-two:19000::::::\n',
    site: 'CANARY line one\nCANARY line two\n',
    problems: [
      ['release', '', 'not a YAML mapping of config keys (no key is one we know)'],
      ['site', '', 'not a YAML mapping (text)'],
    ],
  },
  {
    name: 'an empty file',
    site: '',
    problems: [['site', '', 'not a YAML mapping (the file is empty)']],
  },
  {
    name: 'literal passwords in release URLs; ${VAR} references pass',
    release: release((r) => {
      r.upstream.baseurl = 'https://mirror:hunter2@mirror.example.org/9/';
      r.upstream.gpg_keys = [
        'https://mirror:${TOKEN}@keys.example.org/KEY',
        '${KEYS:-https://u:pw@keys.example.org}/KEY2',
      ];
    }),
    env: { TOKEN: 't0k' },
    problems: [
      [
        'release',
        'upstream.baseurl',
        'literal secret: this URL holds a password; credentials never go in a release file (write the ' +
          'password as ${VARIABLE}, set in the environment)',
      ],
      [
        'release',
        'upstream.gpg_keys[1]',
        'literal secret: this URL holds a password; credentials never go in a release file (write the ' +
          'password as ${VARIABLE}, set in the environment)',
      ],
    ],
  },
  {
    name: 'several problems in both files, reported together in file order',
    release: release((r) => {
      r.failable_arches = ['ppc64le'];
      r.bugurl = 'bugs.example.org';
      r.repos[2].arches = ['x86_64'];
      r.major = '8';
    }),
    site: { store: { url: 's3://artifacts' }, limits: { downloads: 0 }, password: 'hunter2' },
    problems: [
      ['release', 'bugurl', 'must be an http:// or https:// URL'],
      ['release', 'failable_arches[0]', '"ppc64le" is not in arches (x86_64, aarch64)'],
      ['release', 'major', '"8" does not match version "9.9" (leave it out: it is derived from version)'],
      ['site', 'store.s3', 'required with an s3:// store url'],
      ['site', 'limits.downloads', 'must be at least 1, got a number (0)'],
      [
        'site',
        'password',
        'literal secret "password": credentials never go in the site file; put the value in an environment ' +
          'variable and name that variable in store.s3.credentials (access_key_id_env, secret_access_key_env, ' +
          'session_token_env)',
      ],
    ],
  },
];

describe('loadConfig reports every problem with its file and dotted path', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = temp.configDir({ t: c.release ?? BASE }, c.site ?? {});
      const fileOf = (f: string) => {
        const [which, ...pos] = f.split(':');
        const file = which === 'site' ? join(dir, 'site.yaml') : join(dir, 'releases', 't.yaml');
        return [file, ...pos].join(':');
      };
      const want: Problem[] = c.problems.map(([file, path, message]) => ({
        file: fileOf(file),
        path,
        message,
      }));
      const err = await loadConfig({ release: 't', configDir: dir, env: c.env ?? {} }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual(want);
    });
  }
});

describe('loadConfig reads only config files that are really in the config folder', () => {
  const CANARY = 'CANARY-3f9a: this line must never be shown';
  // a file whose every line would be read back as an unknown key, were it followed
  const outsideFile = () => {
    const f = join(temp.dir(), 'shadow');
    writeFileSync(f, `root:${CANARY}:19000:0:99999:7:::\nname: ${CANARY}\n`);
    return f;
  };
  const problemsOf = async (p: Promise<unknown>) => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).not.toContain('CANARY');
    return (err as ConfigError).problems;
  };

  it('refuses a release file or the default site file that is a symlink out of the folder, unread', async () => {
    const target = outsideFile();
    const dir = temp.configDir({});
    symlinkSync(target, join(dir, 'releases', 't.yaml'));
    rmSync(join(dir, 'site.yaml'));
    symlinkSync(target, join(dir, 'site.yaml'));
    const root = realpathSync(dir);
    const message = `leads to ${realpathSync(target)}, outside the config folder ${root}: refused (config files must be in that folder)`;
    expect(await problemsOf(loadConfig({ release: 't', configDir: dir, env: {} }))).toEqual([
      { file: join(dir, 'releases', 't.yaml'), path: '', message },
      { file: join(dir, 'site.yaml'), path: '', message },
    ]);
  });

  it('follows a symlink that stays in the folder, and a site file named by --site wherever it is', async () => {
    const dir = temp.configDir({ real: BASE });
    symlinkSync(join(dir, 'releases', 'real.yaml'), join(dir, 'releases', 't.yaml'));
    const site = join(temp.dir(), 'site.yaml');
    writeFileSync(site, 'log_level: debug\n');
    const loaded = await loadConfig({ release: 't', configDir: dir, siteFile: site, env: {} });
    expect(loaded.release.short).toBe('Test');
    expect(loaded.site.log_level).toBe('debug');
  });

  it('refuses what is not a regular file', async () => {
    const dir = temp.configDir({});
    mkdirSync(join(dir, 'releases', 't.yaml'));
    expect(await problemsOf(loadConfig({ release: 't', configDir: dir, env: {} }))).toEqual([
      { file: join(dir, 'releases', 't.yaml'), path: '', message: 'not a regular file: refused' },
    ]);
  });
});
