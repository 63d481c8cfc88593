import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { checkVolid, loraxArgv, type LoraxOptions } from './lorax.ts';

const opts: LoraxOptions = {
  product: 'Rocky Linux',
  version: '9.7',
  release: '9.7',
  variant: 'BaseOS',
  sources: ['file:///c/BaseOS/x86_64/os', 'file:///c/AppStream/x86_64/os'],
  isfinal: true,
  buildarch: 'x86_64',
  volid: 'Rocky-9-7-x86_64-dvd',
  bugurl: 'https://bugs.rockylinux.org',
  nomacboot: true,
  squashfsOnly: true,
  rootfsSize: 4,
  logfile: '/c/logs/build-iso/lorax-x86_64/lorax.log',
  addTemplates: ['/c/work/build-iso/x86_64/templates/removes.tmpl'],
  outputDir: '/c/work/build-iso/x86_64/lorax',
};

describe('loraxArgv', () => {
  it('renders every option in empanadas order, one token per value', () => {
    expect(loraxArgv(opts)).toEqual([
      'lorax',
      '--product',
      'Rocky Linux',
      '--version',
      '9.7',
      '--release',
      '9.7',
      '--isfinal',
      '--source',
      'file:///c/BaseOS/x86_64/os',
      '--source',
      'file:///c/AppStream/x86_64/os',
      '--squashfs-only',
      '--bugurl',
      'https://bugs.rockylinux.org',
      '--variant',
      'BaseOS',
      '--nomacboot',
      '--buildarch',
      'x86_64',
      '--volid',
      'Rocky-9-7-x86_64-dvd',
      '--logfile',
      '/c/logs/build-iso/lorax-x86_64/lorax.log',
      '--rootfs-size',
      '4',
      '--add-template',
      '/c/work/build-iso/x86_64/templates/removes.tmpl',
      '/c/work/build-iso/x86_64/lorax',
    ]);
  });

  it('leaves out what is off (an RC build is not final; no templates, no macboot flag)', () => {
    const argv = loraxArgv({
      ...opts,
      isfinal: false,
      nomacboot: false,
      squashfsOnly: false,
      variant: undefined,
      bugurl: undefined,
      rootfsSize: undefined,
      addTemplates: [],
    });
    expect(argv).toEqual([
      'lorax',
      '--product',
      'Rocky Linux',
      '--version',
      '9.7',
      '--release',
      '9.7',
      '--source',
      'file:///c/BaseOS/x86_64/os',
      '--source',
      'file:///c/AppStream/x86_64/os',
      '--buildarch',
      'x86_64',
      '--volid',
      'Rocky-9-7-x86_64-dvd',
      '--logfile',
      '/c/logs/build-iso/lorax-x86_64/lorax.log',
      '/c/work/build-iso/x86_64/lorax',
    ]);
  });

  it('refuses a label lorax would refuse, and no sources', () => {
    expect(() => loraxArgv({ ...opts, volid: 'R'.repeat(33) })).toThrow(UsageError);
    expect(() => checkVolid('Rocky-9-7-RC1-x86_64-dvd1234567', 'x86_64')).not.toThrow();
    expect(() => checkVolid('Rocky 9', 'x86_64')).toThrow(/may only hold/);
    expect(() => loraxArgv({ ...opts, sources: [] })).toThrow(/at least one --source/);
  });
});
