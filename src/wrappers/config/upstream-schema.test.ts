import { describe, expect, it } from 'vitest';
import { UpstreamConfig } from './release-schema.ts';

const base = { baseurl: 'https://dl.example.org/pub/9/', paths: { os: 'a/', debug: 'b/', source: 'c/' } };

describe('upstream.allowed_redirect_hosts', () => {
  it('defaults to none and takes hosts as a URL writes them', () => {
    expect(UpstreamConfig.parse(base).allowed_redirect_hosts).toEqual([]);
    const hosts = ['mirror.example.org', '10.0.0.5:8080', '[::1]:8443', 'a-b.c9.example'];
    expect(UpstreamConfig.parse({ ...base, allowed_redirect_hosts: hosts }).allowed_redirect_hosts).toEqual(
      hosts,
    );
  });

  it.each([
    ['https://mirror.example.org'],
    ['Mirror.Example.org'],
    ['mirror.example.org/pub'],
    ['*.example.org'],
    [''],
  ])('refuses %j', (h) => {
    expect(UpstreamConfig.safeParse({ ...base, allowed_redirect_hosts: [h] }).success).toBe(false);
  });
});
