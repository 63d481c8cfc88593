import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { discTimestamp, serializeDiscInfo, serializeMediaRepo } from './discinfo.ts';
import { parseLoraxTreeInfo, parseTreeInfo, serializeTreeInfo, type TreeInfo } from './treeinfo.ts';

const golden = (name: string) => readFile(new URL(`../../../test/golden/${name}`, import.meta.url), 'utf8');
const h = (d: string) => d.repeat(64);

const bootable: TreeInfo = {
  release: { name: 'Rocky Linux', short: 'Rocky', version: '9.7' },
  tree: { arch: 'x86_64', buildTimestamp: 1700000000, platforms: ['x86_64', 'xen'] },
  variants: [
    {
      id: 'BaseOS',
      uid: 'BaseOS',
      name: 'BaseOS',
      type: 'variant',
      paths: { packages: 'Packages', repository: '.' },
    },
    {
      id: 'AppStream',
      uid: 'AppStream',
      name: 'AppStream',
      type: 'variant',
      paths: {
        packages: '../../../AppStream/x86_64/os/Packages',
        repository: '../../../AppStream/x86_64/os',
      },
    },
  ],
  checksums: {
    'images/boot.iso': ['sha256', h('1')],
    'images/efiboot.img': ['sha256', h('2')],
    'images/install.img': ['sha256', h('3')],
    'images/pxeboot/initrd.img': ['sha256', h('4')],
    'images/pxeboot/vmlinuz': ['sha256', h('5')],
    'repodata/repomd.xml': ['sha256', h('6')],
  },
  images: {
    x86_64: {
      kernel: 'images/pxeboot/vmlinuz',
      initrd: 'images/pxeboot/initrd.img',
      'efiboot.img': 'images/efiboot.img',
      'boot.iso': 'images/boot.iso',
    },
    xen: { kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img' },
  },
  stage2: { mainimage: 'images/install.img' },
};

describe('.treeinfo', () => {
  it('matches productmd output for a bootable tree with two variants', async () => {
    expect(serializeTreeInfo(bootable, 'BaseOS')).toBe(await golden('treeinfo-bootable.treeinfo'));
  });

  it('matches productmd output for a source tree', async () => {
    const src: TreeInfo = {
      release: { name: 'Horno Demo Linux', short: 'Demo', version: '9.9' },
      tree: { arch: 'src', buildTimestamp: 1700000000, platforms: [] },
      variants: [
        {
          id: 'AppStream',
          uid: 'AppStream',
          name: 'AppStream',
          type: 'variant',
          paths: { source_packages: 'Packages', source_repository: '.' },
        },
      ],
      checksums: {},
      images: {},
    };
    expect(serializeTreeInfo(src)).toBe(await golden('treeinfo-source.treeinfo'));
  });

  it('round-trips through the parser', () => {
    const text = serializeTreeInfo(bootable, 'BaseOS');
    const back = parseTreeInfo(text);
    expect(serializeTreeInfo(back, 'BaseOS')).toBe(text);
    expect(back.checksums['images/install.img']).toEqual(['sha256', h('3')]);
  });

  it('adds [media] on discs and refuses what productmd refuses', () => {
    expect(serializeTreeInfo({ ...bootable, media: { discnum: 1, totaldiscs: 1 } })).toContain(
      '[media]\ndiscnum = 1\ntotaldiscs = 1\n',
    );
    expect(() =>
      serializeTreeInfo({ ...bootable, variants: [{ ...bootable.variants[0]!, id: 'Base-OS' }] }),
    ).toThrow(/Invalid character '-'/);
    expect(() => serializeTreeInfo({ ...bootable, images: { ppc64le: {} } })).toThrow(
      /not in the platform list/,
    );
  });
});

// lorax's own .treeinfo (configparser, old style): [general] from pylorax.treeinfo, the rest in the order the arch
// template sets it (x86.tmpl: images-x86_64 opened by installkernel, images-xen, then efiboot.img, product.img and
// boot.iso added to images-x86_64). Without SOURCE_DATE_EPOCH the timestamp is time.time(), a float. An empty
// value is written `key = ` (the trailing space is configparser's).
const LORAX_X86_64 = `[general]
timestamp = 1700000000.4242158
family = Rocky Linux
version = 9
name = Rocky Linux-9
variant = 
arch = x86_64
packagedir = 

[stage2]
mainimage = images/install.img

[images-x86_64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
efiboot.img = images/efiboot.img
product.img = images/product.img
boot.iso = images/boot.iso

[images-xen]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img

`;

// aarch64.tmpl: no xen, efiboot.img listed in the arch's own section.
const LORAX_AARCH64 = `[general]
timestamp = 1700000000
family = Rocky Linux
version = 9
name = Rocky Linux-9
variant = BaseOS
arch = aarch64
packagedir = 

[stage2]
mainimage = images/install.img

[images-aarch64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
efiboot.img = images/efiboot.img
boot.iso = images/boot.iso

`;

describe("lorax's .treeinfo", () => {
  it('reads the old-style x86_64 file: release from family/version, platforms from images-*, no checksums', () => {
    expect(parseLoraxTreeInfo(LORAX_X86_64, 'lorax/.treeinfo')).toEqual({
      release: { name: 'Rocky Linux', short: 'Rocky Linux', version: '9' },
      tree: { arch: 'x86_64', buildTimestamp: 1700000000, platforms: ['x86_64', 'xen'] },
      variants: [],
      checksums: {},
      images: {
        x86_64: {
          kernel: 'images/pxeboot/vmlinuz',
          initrd: 'images/pxeboot/initrd.img',
          'efiboot.img': 'images/efiboot.img',
          'product.img': 'images/product.img',
          'boot.iso': 'images/boot.iso',
        },
        xen: { kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img' },
      },
      stage2: { mainimage: 'images/install.img', instimage: undefined },
    });
  });

  it('reads the aarch64 file', () => {
    const t = parseLoraxTreeInfo(LORAX_AARCH64);
    expect(t.tree).toEqual({ arch: 'aarch64', buildTimestamp: 1700000000, platforms: ['aarch64'] });
    expect(Object.keys(t.images)).toEqual(['aarch64']);
    expect(t.images['aarch64']?.['efiboot.img']).toBe('images/efiboot.img');
    expect(t.stage2?.mainimage).toBe('images/install.img');
  });

  it('reads a productmd one as parseTreeInfo does', () => {
    const text = serializeTreeInfo(bootable, 'BaseOS');
    expect(parseLoraxTreeInfo(text)).toEqual(parseTreeInfo(text));
  });

  it('names the file and the missing key when neither format fits', () => {
    expect(() => parseLoraxTreeInfo('[header]\n', 'work/lorax/.treeinfo')).toThrow(
      'work/lorax/.treeinfo: missing [general] arch (and no [header] version: not productmd either)',
    );
    expect(() =>
      parseLoraxTreeInfo(LORAX_AARCH64.replace('family = Rocky Linux\n', ''), 'x/.treeinfo'),
    ).toThrow('x/.treeinfo: missing [general] family');
    expect(() => parseLoraxTreeInfo(LORAX_AARCH64.replace('= 1700000000', '= soon'), 'x/.treeinfo')).toThrow(
      'x/.treeinfo: [general] timestamp is not a number: soon',
    );
    expect(() => parseLoraxTreeInfo('[header]\nversion = 1.2\n', 'y/.treeinfo')).toThrow(
      'y/.treeinfo: missing [release] name',
    );
    // productmd's own parser does not take lorax's file
    expect(() => parseTreeInfo(LORAX_X86_64, 'lorax/.treeinfo')).toThrow(
      'lorax/.treeinfo: missing [release] name',
    );
  });
});

describe('.discinfo and media.repo', () => {
  it('are written as pungi writes them', () => {
    expect(
      serializeDiscInfo({ timestamp: '1700000000', description: 'Rocky Linux 9.7', arch: 'x86_64' }),
    ).toBe('1700000000\nRocky Linux 9.7\nx86_64\nALL\n');
    expect(serializeMediaRepo('Rocky Linux 9.7', '1700000000')).toBe(
      '[InstallMedia]\nname=Rocky Linux 9.7\nmediaid=1700000000\nmetadata_expire=-1\ngpgcheck=0\ncost=500\n',
    );
  });

  it('take SOURCE_DATE_EPOCH, else the time with microseconds', () => {
    expect(discTimestamp({ SOURCE_DATE_EPOCH: '1700000000' })).toBe('1700000000');
    expect(discTimestamp({}, 1700000000123)).toBe('1700000000.123000');
  });
});
