import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issuerKeyId, readRpmSigkey } from './rpm-sigkey.ts';

const KEYID = Buffer.from('0123456789abcdef', 'hex');

function subpacket(type: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([data.length + 1, type]), data]);
}

/** An OpenPGP v4 signature packet (old format, 2-byte length) with the given subpackets; the MPI is filler. */
function v4Signature(hashed: Buffer[], unhashed: Buffer[]): Buffer {
  const h = Buffer.concat(hashed);
  const u = Buffer.concat(unhashed);
  const body = Buffer.concat([
    Buffer.from([4, 0x00, 1, 8]), // v4, binary document, RSA, SHA256
    Buffer.from([h.length >> 8, h.length & 255]),
    h,
    Buffer.from([u.length >> 8, u.length & 255]),
    u,
    Buffer.from([0xab, 0xcd, 0, 8, 0xff]),
  ]);
  return Buffer.concat([Buffer.from([0x89, body.length >> 8, body.length & 255]), body]);
}

/** Lead + signature header with one RPMSIGTAG entry (BIN type), as rpm lays it out. */
function rpmWith(sigTag: number | undefined, sig: Buffer): Buffer {
  const lead = Buffer.alloc(96);
  lead.writeUInt32BE(0xedabeedb, 0);
  const entries: Buffer[] = [];
  // a SIZE entry (INT32) first, so the signature is not at offset 0 of the store
  const size = Buffer.alloc(16);
  size.writeUInt32BE(1000, 0);
  size.writeUInt32BE(4, 4);
  size.writeUInt32BE(0, 8);
  size.writeUInt32BE(1, 12);
  entries.push(size);
  const store: Buffer[] = [Buffer.from([0, 0, 0, 42])];
  if (sigTag !== undefined) {
    const e = Buffer.alloc(16);
    e.writeUInt32BE(sigTag, 0);
    e.writeUInt32BE(7, 4);
    e.writeUInt32BE(4, 8);
    e.writeUInt32BE(sig.length, 12);
    entries.push(e);
    store.push(sig);
  }
  const data = Buffer.concat(store);
  const intro = Buffer.alloc(16);
  intro.writeUIntBE(0x8eade8, 0, 3);
  intro[3] = 1;
  intro.writeUInt32BE(entries.length, 8);
  intro.writeUInt32BE(data.length, 12);
  return Buffer.concat([lead, intro, ...entries, data, Buffer.alloc(64)]);
}

describe('rpm sigkey', () => {
  it('takes the issuer key id of a v4 signature, hashed or unhashed area', () => {
    expect(issuerKeyId(v4Signature([subpacket(2, Buffer.alloc(4))], [subpacket(16, KEYID)]))).toBe(
      '0123456789abcdef',
    );
    expect(issuerKeyId(v4Signature([subpacket(16, KEYID)], []))).toBe('0123456789abcdef');
  });

  it('falls back to the issuer fingerprint (v4: the key id is its tail)', () => {
    const fp = Buffer.concat([Buffer.from([4]), Buffer.alloc(12, 0xee), KEYID]);
    expect(issuerKeyId(v4Signature([subpacket(33, fp)], []))).toBe('0123456789abcdef');
  });

  it('reads v3 signatures', () => {
    const body = Buffer.concat([Buffer.from([3, 5, 0, 0, 0, 0, 0]), KEYID, Buffer.from([1, 8, 0, 0])]);
    expect(issuerKeyId(Buffer.concat([Buffer.from([0x88, body.length]), body]))).toBe('0123456789abcdef');
  });

  it('reads the short id from a package file, and null from an unsigned one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-rpm-'));
    const signed = join(dir, 'signed.rpm');
    await writeFile(signed, rpmWith(268, v4Signature([], [subpacket(16, KEYID)])));
    expect(await readRpmSigkey(signed)).toBe('89abcdef');
    const unsigned = join(dir, 'unsigned.rpm');
    await writeFile(unsigned, rpmWith(undefined, Buffer.alloc(0)));
    expect(await readRpmSigkey(unsigned)).toBeNull();
    const junk = join(dir, 'junk.rpm');
    await writeFile(junk, Buffer.alloc(200));
    await expect(readRpmSigkey(junk)).rejects.toThrow(/not an RPM package/);
  });
});
