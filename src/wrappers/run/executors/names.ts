// Names for the things executors create: containers and Jobs get a readable part (from the spec) plus a random
// suffix, so two runs of the same unit never collide (empanadas reused "BaseOS-x86_64" and clobbered itself), and a
// label value that finds leftovers. Kubernetes and podman accept different alphabets; both are met here.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { ExecSpec } from './executor.ts';

/** The label every container and Job carries: its readable unit name. */
export const UNIT_LABEL = 'horno.unit';

export function readableName(spec: Pick<ExecSpec, 'name' | 'arch' | 'argv'>): string {
  return spec.name ?? `${spec.arch}-${basename(spec.argv[0] ?? 'run')}`;
}

/** A DNS-1123 label part: lower-case letters, digits and "-", no "-" at either end. */
function dnsPart(s: string, max: number): string {
  const clean = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
  return clean || 'run';
}

/** `horno-<readable>-<8 hex>`, at most 63 characters: valid as a container name and a Kubernetes Job name. */
export function uniqueName(readable: string, suffix = randomBytes(4).toString('hex')): string {
  return `horno-${dnsPart(readable, 63 - 'horno-'.length - 1 - suffix.length)}-${suffix}`;
}

/** A Kubernetes label value (also fine for podman): at most 63 of [A-Za-z0-9._-], alphanumeric at both ends. */
export function labelValue(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'run'
  );
}
