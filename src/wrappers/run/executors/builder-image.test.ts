import { describe, expect, it } from 'vitest';
import {
  builderPackages,
  cacheDirFrom,
  cacheFileFor,
  debootstrapArgv,
  hostDebArch,
  importArgv,
  recipeFor,
  recipeId,
  sourcesList,
  tarArgv,
} from './builder-image.ts';

describe('builder image recipe', () => {
  const r = recipeFor('http://deb.debian.org/debian', 'amd64');

  it('includes the compose tools and what the lorax stand-in needs', () => {
    expect(builderPackages('amd64')).toEqual([
      'xorriso',
      'createrepo-c',
      'isomd5sum',
      'rpm',
      'squashfs-tools',
      'dnf',
      'dnf-plugins-core',
      'tar',
      'zstd',
      'ca-certificates',
      'busybox-static',
      'cpio',
      'gzip',
      'xz-utils',
      'mtools',
      'dosfstools',
      'grub-common',
      'grub-efi-amd64-bin',
      'grub-pc-bin',
      'isolinux',
      'syslinux-common',
    ]);
    // no BIOS boot loaders on arm64: only its GRUB EFI
    expect(builderPackages('arm64').slice(-2)).toEqual(['grub-common', 'grub-efi-arm64-bin']);
    expect(hostDebArch('x64')).toBe('amd64');
    expect(hostDebArch('arm64')).toBe('arm64');
    expect(() => hostDebArch('mips')).toThrow();
  });

  it('builds the argv of each stage exactly', () => {
    expect(debootstrapArgv('/c/.build/rootfs', r)).toEqual([
      'debootstrap',
      '--variant=minbase',
      `--include=${builderPackages('amd64').join(',')}`,
      'bookworm',
      '/c/.build/rootfs',
      'http://deb.debian.org/debian',
    ]);
    expect(tarArgv('/c/.build/rootfs', '/c/.build/rootfs.tar')).toEqual([
      'tar',
      '--numeric-owner',
      '--xattrs',
      '--acls',
      '-C',
      '/c/.build/rootfs',
      '-cf',
      '/c/.build/rootfs.tar',
      '.',
    ]);
    expect(importArgv('/c/.build/rootfs.tar', 'localhost/horno-builder:bookworm', r)).toEqual([
      'podman',
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      'ENV LANG=C.UTF-8',
      '--change',
      'CMD ["/bin/bash"]',
      '--change',
      `LABEL horno.recipe=${recipeId(r)}`,
      '/c/.build/rootfs.tar',
      'localhost/horno-builder:bookworm',
    ]);
  });

  it('names the recipe and its cache file, and changes both when the recipe changes', () => {
    expect(recipeId(r)).toMatch(/^[0-9a-f]{16}$/);
    expect(recipeId(recipeFor('http://deb.debian.org/debian', 'amd64'))).toBe(recipeId(r));
    expect(recipeId(recipeFor('http://mirror.example/debian', 'amd64'))).not.toBe(recipeId(r));
    expect(cacheFileFor('/cache', 'localhost/horno-builder:bookworm', r)).toBe(
      `/cache/localhost_horno-builder_bookworm-${recipeId(r)}.tar.zst`,
    );
    expect(cacheDirFrom({ HORNO_CACHE: '/srv/cache', HOME: '/root' })).toBe('/srv/cache/builder-images');
    expect(cacheDirFrom({ HOME: '/home/u' })).toBe('/home/u/.cache/horno/builder-images');
  });

  it('points apt at the mirror, its updates and security', () => {
    expect(sourcesList('http://deb.debian.org/debian')).toBe(
      'deb http://deb.debian.org/debian bookworm main\n' +
        'deb http://deb.debian.org/debian bookworm-updates main\n' +
        'deb http://deb.debian.org/debian-security bookworm-security main\n',
    );
  });
});
