// The signing key of an RPM, read from its signature header alone (two small reads per package, no rpm
// process): the OpenPGP signature packet's issuer key id, as the lower-case short id pungi puts in rpms.json
// ("sigkey"), or null for an unsigned package.
import { open } from 'node:fs/promises';

const LEAD = 96;
const HEADER_MAGIC = 0x8eade8;
/** Signature tags holding an OpenPGP signature, header-only ones first (what rpmkeys checks on v4 packages). */
const SIG_TAGS = [
  268, // RSAHEADER
  267, // DSAHEADER
  1002, // PGP (header + payload)
  1005, // GPG
];
/** Sanity bounds: a signature header is a few KiB. */
const MAX_INDEX = 1000;
const MAX_STORE = 1 << 20;

export class RpmHeaderError extends Error {
  override name = 'RpmHeaderError';
}

/** The short key id (last 8 hex digits of the issuer key id) or null when the package carries no signature. */
export async function readRpmSigkey(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(LEAD + 16);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.readUInt32BE(0) !== 0xedabeedb) {
      throw new RpmHeaderError(`${path}: not an RPM package`);
    }
    if (head.readUIntBE(LEAD, 3) !== HEADER_MAGIC) throw new RpmHeaderError(`${path}: no signature header`);
    const nindex = head.readUInt32BE(LEAD + 8);
    const hsize = head.readUInt32BE(LEAD + 12);
    if (nindex > MAX_INDEX || hsize > MAX_STORE)
      throw new RpmHeaderError(`${path}: implausible signature header`);
    const body = Buffer.alloc(nindex * 16 + hsize);
    const r = await fh.read(body, 0, body.length, LEAD + 16);
    if (r.bytesRead < body.length) throw new RpmHeaderError(`${path}: truncated signature header`);
    return sigkeyFromSignatureHeader(body, nindex, path);
  } finally {
    await fh.close();
  }
}

/** `body` = index entries then data store, as they follow the 16-byte header intro. */
export function sigkeyFromSignatureHeader(body: Buffer, nindex: number, what = 'rpm'): string | null {
  const store = nindex * 16;
  const entries = new Map<number, { offset: number; count: number }>();
  for (let i = 0; i < nindex; i++) {
    const tag = body.readUInt32BE(i * 16);
    const type = body.readUInt32BE(i * 16 + 4);
    if (type === 7)
      entries.set(tag, { offset: body.readUInt32BE(i * 16 + 8), count: body.readUInt32BE(i * 16 + 12) });
  }
  for (const tag of SIG_TAGS) {
    const e = entries.get(tag);
    if (!e) continue;
    const start = store + e.offset;
    if (start + e.count > body.length)
      throw new RpmHeaderError(`${what}: signature tag ${tag} runs past the header`);
    const keyId = issuerKeyId(body.subarray(start, start + e.count));
    if (keyId) return keyId.slice(-8);
  }
  return null;
}

/** The 16-hex issuer key id of an OpenPGP signature packet (v3 field, v4 issuer or issuer fingerprint). */
export function issuerKeyId(pkt: Buffer): string | undefined {
  const body = packetBody(pkt);
  if (!body || body.length < 1) return undefined;
  const version = body[0];
  if (version === 3) return body.length >= 15 ? body.subarray(7, 15).toString('hex') : undefined;
  if (version !== 4 && version !== 5 && version !== 6) return undefined;
  // subpacket areas are counted in two octets in v4, four in v5 (LibrePGP) and v6 (RFC 9580)
  const countBytes = version === 4 ? 2 : 4;
  let off = 4;
  let fromFingerprint: string | undefined;
  for (let area = 0; area < 2; area++) {
    if (off + countBytes > body.length) return fromFingerprint;
    const len = body.readUIntBE(off, countBytes);
    off += countBytes;
    const end = Math.min(off + len, body.length);
    while (off < end) {
      const { length, headerBytes } = subpacketLength(body, off);
      const start = off + headerBytes;
      if (length < 1 || start + length > end) break;
      const type = body[start]! & 0x7f;
      const data = body.subarray(start + 1, start + length);
      if (type === 16 && data.length === 8) return data.toString('hex');
      if (type === 33 && data.length >= 21) {
        // v4 fingerprints end with the key id; v5/v6 ones start with it
        const fp = data.subarray(1);
        fromFingerprint = (data[0] === 4 ? fp.subarray(-8) : fp.subarray(0, 8)).toString('hex');
      }
      off = start + length;
    }
    off = end;
  }
  return fromFingerprint;
}

function packetBody(pkt: Buffer): Buffer | undefined {
  if (pkt.length < 2 || !(pkt[0]! & 0x80)) return undefined;
  if (pkt[0]! & 0x40) {
    // new format: tag in the low 6 bits, then a one-, two- or five-byte length
    if ((pkt[0]! & 0x3f) !== 2) return undefined;
    const { length, headerBytes } = subpacketLength(pkt, 1);
    return pkt.subarray(1 + headerBytes, 1 + headerBytes + length);
  }
  if (((pkt[0]! >> 2) & 0x0f) !== 2) return undefined;
  const lt = pkt[0]! & 0x03;
  const n = lt === 0 ? 1 : lt === 1 ? 2 : lt === 2 ? 4 : 0;
  if (n === 0) return pkt.subarray(1);
  const length = pkt.readUIntBE(1, n);
  return pkt.subarray(1 + n, 1 + n + length);
}

/** RFC 4880 5.2.3.1 length encoding (shared by new-format packets and subpackets). */
function subpacketLength(b: Buffer, off: number): { length: number; headerBytes: number } {
  const first = b[off] ?? 0;
  if (first < 192) return { length: first, headerBytes: 1 };
  if (first < 255) return { length: ((first - 192) << 8) + (b[off + 1] ?? 0) + 192, headerBytes: 2 };
  return { length: b.readUInt32BE(off + 1), headerBytes: 5 };
}
