import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { templateFile } from '../../install.ts';
import { emptyComps, expandList, parseComps, parsePackageList } from './package-list.ts';

const BASEOS_COMPS = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq type="default">python3</packagereq>
      <packagereq type="optional">python3-dnf</packagereq>
      <packagereq type="conditional" requires="kernel">shim-x64</packagereq>
    </packagelist>
  </group>
  <environment>
    <id>minimal-environment</id>
    <name>Minimal Install</name>
    <grouplist><groupid>core</groupid></grouplist>
    <optionlist><groupid>standard</groupid></optionlist>
  </environment>
</comps>
`;
const APPSTREAM_COMPS = `<comps><group><id>standard</id><packagelist>
<packagereq type="mandatory">hello</packagereq></packagelist></group>
<group><id>core</id><packagelist><packagereq>not-this-one</packagereq></packagelist></group></comps>`;

describe('package lists', () => {
  it('parse entries and groups, skipping comments and blank lines', () => {
    expect(parsePackageList('# minimal\n@core\n\nkernel  # the kernel\npython(abi)\n', 'l')).toEqual([
      { line: 2, name: 'core', group: true },
      { line: 4, name: 'kernel', group: false },
      { line: 5, name: 'python(abi)', group: false },
    ]);
    expect(() => parsePackageList('kernel\nrm -rf /\n', 'templates/x')).toThrow(
      /templates\/x:2: "rm -rf \/"/,
    );
    expect(() => parsePackageList('# nothing\n', 'templates/x')).toThrow(/empty/);
  });

  it('expand groups and environments with the comps of every repo (first definition wins)', () => {
    const comps = parseComps(APPSTREAM_COMPS, 'a', parseComps(BASEOS_COMPS, 'b', emptyComps()));
    const req = expandList(parsePackageList('@minimal-environment\n@standard\nkernel\n', 'l'), comps, 'l');
    expect(req).toEqual({
      install: ['kernel'],
      installIfAvailable: ['bash', 'python3', 'hello'],
      conditional: [{ name: 'shim-x64', requires: 'kernel' }],
    });
    expect(() => expandList(parsePackageList('@nope\n', 'l'), comps, 'l')).toThrow(/l:1: @nope is neither/);
  });

  it('ship for every arch of the 9 releases and parse', async () => {
    for (const arch of ['x86_64', 'aarch64', 'ppc64le', 's390x']) {
      const entries = parsePackageList(await readFile(templateFile(`minimal/9/${arch}`), 'utf8'), arch);
      expect(entries.map((e) => e.name)).toEqual(
        expect.arrayContaining(['minimal-environment', 'core', 'kernel']),
      );
    }
  });
});
