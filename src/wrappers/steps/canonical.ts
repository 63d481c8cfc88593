// Canonical JSON (sorted keys, no spaces) and its sha256: the identity of a unit's inputs, as osbuild does for
// stages. Equal inputs give equal ids on every machine.
import { sha256Hex } from '../metadata/digest.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function unitId(inputs: unknown): string {
  return sha256Hex(canonicalJson(inputs));
}
