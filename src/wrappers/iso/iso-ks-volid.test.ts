import { describe, expect, it } from 'vitest';
import { volidProblem } from './iso-ks-volid.ts';

describe('volidProblem', () => {
  it('accepts lorax-style labels up to 32 characters', () => {
    expect(volidProblem('Rocky-9-4-x86_64-dvd')).toBeUndefined();
    expect(volidProblem('A'.repeat(32))).toBeUndefined();
  });

  it('names the rule that is broken', () => {
    expect(volidProblem('')).toBe('must not be empty');
    expect(volidProblem('A'.repeat(33))).toBe(
      `"${'A'.repeat(33)}" is 33 characters; an ISO volume id holds at most 32`,
    );
    expect(volidProblem("Dept A's")).toBe(
      `"Dept A's" has characters outside A-Z a-z 0-9 _ . + - (lorax writes "Dept-A-s")`,
    );
  });
});
