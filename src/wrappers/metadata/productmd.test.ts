import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../run/runner.ts';
import { type ComposeInfo, serializeComposeInfo, variantId } from './composeinfo.ts';
import { imageKindOf, type ImagesManifest, serializeImages } from './images.ts';
import { moduleKojiTag, type ModulesManifest, parseModulemd, serializeModules } from './modules.ts';
import { productmdJson } from './productmd-json.ts';
import { nevra, parseRpmFileName, type RpmsManifest, serializeRpms } from './rpms.ts';

const goldenUrl = (name: string) => new URL(`../../../test/golden/${name}`, import.meta.url);
/** HORNO_UPDATE_GOLDEN=1 rewrites the golden file from the current output (review the diff before committing). */
async function golden(name: string, actual: string): Promise<string> {
  if (process.env.HORNO_UPDATE_GOLDEN) await writeFile(goldenUrl(name), actual);
  return readFile(goldenUrl(name), 'utf8');
}
const h = (d: string, n = 64) => d.repeat(n);
const compose = { id: 'Acme-3.1-20260301.0', date: '20260301', type: 'production', respin: 0 } as const;

const composeInfo: ComposeInfo = {
  compose,
  release: { name: 'Acme Linux', version: '3.1', short: 'Acme', type: 'ga', internal: false },
  variants: [
    {
      id: 'BaseOS',
      uid: 'BaseOS',
      name: 'BaseOS',
      type: 'variant',
      arches: ['x86_64', 'aarch64'],
      paths: {
        os_tree: { x86_64: 'BaseOS/x86_64/os', aarch64: 'BaseOS/aarch64/os' },
        repository: { x86_64: 'BaseOS/x86_64/os', aarch64: 'BaseOS/aarch64/os' },
        packages: { x86_64: 'BaseOS/x86_64/os/Packages', aarch64: 'BaseOS/aarch64/os/Packages' },
        isos: { x86_64: 'isos/x86_64' },
        debug_tree: { x86_64: 'BaseOS/x86_64/debug/tree' },
        source_tree: { x86_64: 'BaseOS/source/tree', aarch64: 'BaseOS/source/tree' },
        source_repository: { x86_64: 'BaseOS/source/tree', aarch64: 'BaseOS/source/tree' },
      },
    },
    { id: 'CRB', uid: 'CRB', name: 'CRB', type: 'variant', arches: ['x86_64'], paths: {} },
  ],
};

const images: ImagesManifest = {
  compose,
  images: {
    BaseOS: {
      x86_64: [
        {
          path: 'isos/x86_64/Acme-3.1-x86_64-minimal.iso',
          mtime: 1772323300,
          size: 2048000,
          volume_id: 'Acme-3-1-x86_64-dvd',
          type: 'dvd',
          format: 'iso',
          arch: 'x86_64',
          disc_number: 1,
          disc_count: 1,
          checksums: { sha256: h('b') },
          implant_md5: null,
          bootable: true,
          subvariant: 'minimal',
        },
        {
          path: 'isos/x86_64/Acme-3.1-x86_64-boot.iso',
          mtime: 1772323200,
          size: 912261120,
          volume_id: 'Acme-3-1-x86_64-dvd',
          type: 'boot',
          format: 'iso',
          arch: 'x86_64',
          disc_number: 1,
          disc_count: 1,
          checksums: { sha256: h('a'), sha512: h('c', 128) },
          implant_md5: h('d', 32),
          bootable: true,
          subvariant: 'BaseOS',
        },
      ],
    },
  },
};

const rpms: RpmsManifest = {
  compose,
  rpms: {
    BaseOS: {
      x86_64: [
        {
          nevra: 'zlib-0:1.3.1-2.ac3.x86_64',
          srpmNevra: 'zlib-0:1.3.1-2.ac3.src',
          path: 'BaseOS/x86_64/os/Packages/z/zlib-1.3.1-2.ac3.x86_64.rpm',
          sigkey: 'a1b2c3d4',
          category: 'binary',
        },
        {
          nevra: 'zlib-debuginfo-0:1.3.1-2.ac3.x86_64',
          srpmNevra: 'zlib-0:1.3.1-2.ac3.src',
          path: 'BaseOS/x86_64/debug/tree/Packages/z/zlib-debuginfo-1.3.1-2.ac3.x86_64.rpm',
          sigkey: 'a1b2c3d4',
          category: 'debug',
        },
        {
          nevra: 'zlib-0:1.3.1-2.ac3.src',
          srpmNevra: 'zlib-0:1.3.1-2.ac3.src',
          path: 'BaseOS/source/tree/Packages/z/zlib-1.3.1-2.ac3.src.rpm',
          sigkey: null,
          category: 'source',
        },
      ],
    },
  },
};

const MODULES_YAML = `---
document: modulemd
version: 2
data:
  name: nodejs
  stream: "22"
  version: 3010020260215123456
  context: abcd1234
  arch: x86_64
  summary: JavaScript runtime
  artifacts:
    rpms:
    - nodejs-1:22.1.0-1.module_ac3.x86_64
    - nodejs-docs-1:22.1.0-1.module_ac3.noarch
...
---
document: modulemd-defaults
version: 1
data:
  module: nodejs
  stream: "22"
...
`;

const modules: ModulesManifest = {
  compose,
  modules: {
    AppStream: {
      x86_64: parseModulemd(MODULES_YAML, 'modules.yaml').map((stream) => ({
        stream,
        modulemdPath: { binary: 'AppStream/x86_64/os/repodata/abc-modules.yaml.gz' },
      })),
    },
  },
};

/** The four documents, as the golden files hold them. */
const documents = {
  'productmd-composeinfo.json.golden': () => serializeComposeInfo(composeInfo),
  'productmd-images.json.golden': () => serializeImages(images),
  'productmd-rpms.json.golden': () => serializeRpms(rpms),
  'productmd-modules.json.golden': () => serializeModules(modules),
};

describe('productmd documents', () => {
  for (const [file, make] of Object.entries(documents)) {
    it(`match ${file}`, async () => {
      expect(make()).toBe(await golden(file, make()));
    });
  }

  it('are byte-equal to Python json.dump(indent=4, sort_keys=True) of the same data, as productmd writes', async (t) => {
    if (!existsSync('/usr/bin/python3')) t.skip();
    const script =
      'import json,sys\nfor p in sys.argv[1:]:\n' +
      '    d=json.load(open(p))\n' +
      '    sys.stdout.write(json.dumps(d, indent=4, sort_keys=True, separators=(",", ": "))+"\\x00")\n';
    const files = Object.keys(documents).map((f) => goldenUrl(f).pathname);
    const r = await run(['python3', '-c', script, ...files], { captureStdout: true });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(Object.values(documents).map((m) => m()));
  });

  it('escape non-ASCII like ensure_ascii and sort keys at every depth', () => {
    expect(productmdJson({ b: 'Ünïcode ✓', a: { d: [1, { f: null, e: true }], c: '\u007f' } })).toBe(
      '{\n    "a": {\n        "c": "\\u007f",\n        "d": [\n            1,\n            {\n' +
        '                "e": true,\n                "f": null\n            }\n        ]\n    },\n' +
        '    "b": "\\u00dcn\\u00efcode \\u2713"\n}',
    );
    expect(() => productmdJson({ a: 1.5 })).toThrow(/safe integer/);
  });

  it('keep module versions exact (19 digits) and skip other modulemd documents', () => {
    const [m] = parseModulemd(MODULES_YAML, 'x');
    expect(m).toMatchObject({
      name: 'nodejs',
      stream: '22',
      version: '3010020260215123456',
      context: 'abcd1234',
    });
    expect(parseModulemd(MODULES_YAML, 'x')).toHaveLength(1);
    expect(moduleKojiTag({ name: 'perl', stream: '5.32-x', version: '1', context: 'c' })).toBe(
      'module-perl-5.32_x-1-c',
    );
    expect(() => parseModulemd('document: modulemd\nversion: 3\ndata: {}\n', 'y')).toThrow(/version 3/);
  });

  it('refuse what productmd refuses', () => {
    const img = images.images.BaseOS!.x86_64![0]!;
    const bad = (change: object) => ({ compose, images: { BaseOS: { x86_64: [{ ...img, ...change }] } } });
    expect(() => serializeImages(bad({ type: 'minimal' }))).toThrow(/unknown type minimal/);
    expect(() => serializeImages(bad({ checksums: {} }))).toThrow(/no checksums/);
    expect(() => serializeImages(bad({ implant_md5: 'xyz' }))).toThrow(/implant_md5/);
    expect(() => serializeImages({ compose, images: { BaseOS: { src: [img] } } })).toThrow(/arch key/);
    const twin = { ...img, path: 'isos/x86_64/other.iso', checksums: { sha256: h('e') } };
    expect(() => serializeImages({ compose, images: { BaseOS: { x86_64: [img, twin] } } })).toThrow(/share/);
    const src = rpms.rpms.BaseOS!.x86_64![2]!;
    expect(() =>
      serializeRpms({ compose, rpms: { BaseOS: { x86_64: [{ ...src, category: 'binary' }] } } }),
    ).toThrow(/cannot be binary/);
    expect(() =>
      serializeRpms({ compose, rpms: { BaseOS: { x86_64: [{ ...src, nevra: 'zlib-1.3.1-2.ac3.src' }] } } }),
    ).toThrow(/N-E:V-R.A/);
    expect(() =>
      serializeComposeInfo({ ...composeInfo, variants: [{ ...composeInfo.variants[1]!, id: 'C-RB' }] }),
    ).toThrow(/letters and digits/);
  });

  it('name NEVRAs, files, variant ids and image kinds the productmd way', () => {
    expect(nevra({ name: 'bash', epoch: '', version: '5.1', release: '1.el9', arch: 'x86_64' })).toBe(
      'bash-0:5.1-1.el9.x86_64',
    );
    expect(parseRpmFileName('python3-dnf-4.14.0-1.el9.src.rpm')).toEqual({
      name: 'python3-dnf',
      version: '4.14.0',
      release: '1.el9',
      arch: 'src',
    });
    expect(variantId('Sap-HANA_2')).toBe('SapHANA2');
    expect(imageKindOf('Rocky-9-GenericCloud-Base-9.7-20251123.0.x86_64.qcow2')).toEqual({
      type: 'qcow2',
      format: 'qcow2',
    });
    expect(imageKindOf('Rocky-9-Vagrant-Libvirt-9.7-20251123.0.x86_64.vagrant-libvirt.box')?.type).toBe(
      'vagrant-libvirt',
    );
    expect(imageKindOf('Rocky-9-Container-Base-9.7-20251123.0.x86_64.tar.xz')).toEqual({
      type: 'docker',
      format: 'tar.xz',
    });
    expect(imageKindOf('notes.txt')).toBeUndefined();
  });
});
