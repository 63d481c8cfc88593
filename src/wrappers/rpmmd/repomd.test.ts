import { describe, expect, it } from 'vitest';
import { RepoMetadataError } from './errors.ts';
import { findRecord, metadataFiles, parseRepomd } from './repomd.ts';

// createrepo_c 0.17 output with the sqlite, comps and modules records an EL9 compose has, plus an old-style "sha"
// checksum and an xml:base location
const REPOMD = `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <tags>
    <content>binary-x86_64</content>
    <distro cpeid="cpe:/o:rocky:rocky:9">Rocky Linux 9</distro>
  </tags>
  <data type="primary">
    <checksum type="sha256">94F6060E620910EC49C387A33D5653BE8E15E6384B4A38DA934DE2E30823766B</checksum>
    <open-checksum type="sha256">8ce17666a699cd4bf4fcd07f23d372f7c2c93288c84488c9ebc22df4d782af4b</open-checksum>
    <location href="repodata/94f6060e620910ec49c387a33d5653be8e15e6384b4a38da934de2e30823766b-primary.xml.gz"/>
    <timestamp>1700000000</timestamp>
    <size>1814</size>
    <open-size>15059</open-size>
  </data>
  <data type="primary_db">
    <checksum type="sha256">aaaa</checksum>
    <open-checksum type="sha256">bbbb</open-checksum>
    <location href="repodata/aaaa-primary.sqlite.bz2"/>
    <timestamp>1700000000</timestamp>
    <size>4096</size>
    <open-size>106496</open-size>
    <database_version>10</database_version>
  </data>
  <data type="group">
    <checksum type="sha">cccc</checksum>
    <location xml:base="http://mirror.example/" href="repodata/comps.xml"/>
    <timestamp>1700000000.25</timestamp>
    <size>1234</size>
  </data>
  <data type="modules">
    <checksum type="sha256">dddd</checksum>
    <open-checksum type="sha256">eeee</open-checksum>
    <location href="repodata/dddd-modules.yaml.gz"/>
    <timestamp>1700000123</timestamp>
    <size>700</size>
    <open-size>2100</open-size>
  </data>
</repomd>
`;

describe('parseRepomd', () => {
  it('reads revision, tags and every record', () => {
    const md = parseRepomd(REPOMD);
    expect(md.revision).toBe('1700000000');
    expect(md.tags).toEqual({
      content: ['binary-x86_64'],
      repo: [],
      distro: [{ cpeid: 'cpe:/o:rocky:rocky:9', name: 'Rocky Linux 9' }],
    });
    expect(md.records.map((r) => r.type)).toEqual(['primary', 'primary_db', 'group', 'modules']);
    expect(findRecord(md, 'primary')).toEqual({
      type: 'primary',
      checksum: {
        type: 'sha256',
        value: '94f6060e620910ec49c387a33d5653be8e15e6384b4a38da934de2e30823766b',
      },
      openChecksum: {
        type: 'sha256',
        value: '8ce17666a699cd4bf4fcd07f23d372f7c2c93288c84488c9ebc22df4d782af4b',
      },
      location: {
        href: 'repodata/94f6060e620910ec49c387a33d5653be8e15e6384b4a38da934de2e30823766b-primary.xml.gz',
      },
      timestamp: 1700000000,
      size: 1814,
      openSize: 15059,
    });
    expect(findRecord(md, 'primary_db')?.databaseVersion).toBe(10);
    expect(findRecord(md, 'group')).toMatchObject({
      checksum: { type: 'sha1', value: 'cccc' },
      location: { href: 'repodata/comps.xml', base: 'http://mirror.example/' },
      timestamp: 1700000000,
    });
    expect(findRecord(md, 'updateinfo')).toBeUndefined();
  });

  it('lists the metadata files to mirror, sorted by location', () => {
    const files = metadataFiles(parseRepomd(REPOMD)).map((r) => r.location.href);
    expect(files).toEqual([...files].sort());
    expect(files).toHaveLength(4);
  });

  it('rejects what is not a repomd.xml', () => {
    expect(() => parseRepomd('<html><body>404</body></html>', 'x')).toThrow(RepoMetadataError);
    expect(() => parseRepomd('<repomd><data', 'x')).toThrow(/x: not valid XML/);
  });
});
