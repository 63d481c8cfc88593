import { describe, expect, it } from 'vitest';
import { labelValue, readableName, uniqueName } from './names.ts';

describe('names', () => {
  it('makes DNS-1123 names of at most 63 characters with the suffix kept', () => {
    expect(uniqueName('build-iso BaseOS/x86_64', 'deadbeef')).toBe('horno-build-iso-baseos-x86-64-deadbeef');
    const long = uniqueName('A'.repeat(100), '0123abcd');
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^horno-a+-0123abcd$/);
    expect(uniqueName('---', '00000000')).toBe('horno-run-00000000');
    expect(uniqueName('x')).toMatch(/^horno-x-[0-9a-f]{8}$/);
    expect(uniqueName('x')).not.toBe(uniqueName('x'));
  });

  it('makes label values Kubernetes accepts', () => {
    expect(labelValue('build-iso x86_64')).toBe('build-iso_x86_64');
    expect(labelValue('-/lead and trail/-')).toBe('lead_and_trail');
    expect(labelValue('z'.repeat(80))).toHaveLength(63);
    expect(labelValue('///')).toBe('run');
  });

  it('names a run after the spec, else after its arch and command', () => {
    expect(readableName({ name: 'lorax-9', arch: 'x86_64', argv: ['x'] })).toBe('lorax-9');
    expect(readableName({ arch: 's390x', argv: ['/usr/sbin/lorax', '-v'] })).toBe('s390x-lorax');
  });
});
