import { describe, expect, it } from 'vitest';
import { containerOptions, dockerOptions } from './podman-spec.ts';

describe('dockerOptions', () => {
  it('reads every socket form the site config allows', () => {
    expect(dockerOptions('/run/podman/podman.sock')).toEqual({ socketPath: '/run/podman/podman.sock' });
    expect(dockerOptions('unix:///run/horno/aarch64.sock')).toEqual({
      socketPath: '/run/horno/aarch64.sock',
    });
    expect(dockerOptions('tcp://builder-arm:8888')).toEqual({
      protocol: 'http',
      host: 'builder-arm',
      port: '8888',
    });
    expect(dockerOptions('tcp://builder-arm')).toEqual({
      protocol: 'http',
      host: 'builder-arm',
      port: '2375',
    });
    expect(dockerOptions('ssh://core@ppc-host:2222')).toEqual({
      protocol: 'ssh',
      host: 'ppc-host',
      port: '2222',
      username: 'core',
    });
  });
});

describe('containerOptions', () => {
  it('builds the create options exactly', () => {
    expect(
      containerOptions(
        {
          argv: ['lorax', '--product', 'Rocky Linux', '--volid', "it's"],
          arch: 'aarch64',
          logFile: '/c/logs/build-iso/aarch64.log',
          mounts: [
            { host: '/c/work/lorax/aarch64', target: '/build' },
            { host: '/c/compose', target: '/compose', readonly: true },
          ],
          env: { SOURCE_DATE_EPOCH: '1700000000', LANG: 'C.UTF-8' },
          workdir: '/build',
          resources: { memoryMb: 4096, cpus: 1.5 },
          name: 'build-iso aarch64',
        },
        { image: 'localhost/horno-builder:bookworm', name: 'horno-build-iso-aarch64-0123abcd' },
      ),
    ).toEqual({
      name: 'horno-build-iso-aarch64-0123abcd',
      Image: 'localhost/horno-builder:bookworm',
      Entrypoint: ['lorax'],
      Cmd: ['--product', 'Rocky Linux', '--volid', "it's"],
      Env: ['SOURCE_DATE_EPOCH=1700000000', 'LANG=C.UTF-8'],
      WorkingDir: '/build',
      Tty: false,
      OpenStdin: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Labels: { 'horno.unit': 'build-iso_aarch64', 'horno.arch': 'aarch64' },
      HostConfig: {
        Mounts: [
          { Type: 'bind', Source: '/c/work/lorax/aarch64', Target: '/build', ReadOnly: false },
          { Type: 'bind', Source: '/c/compose', Target: '/compose', ReadOnly: true },
        ],
        NetworkMode: 'none',
        Memory: 4096 * 1024 * 1024,
        NanoCpus: 1_500_000_000,
      },
    });
  });

  it('leaves out what the spec does not set, and never sets Ulimits or AutoRemove', () => {
    const o = containerOptions(
      { argv: ['true'], arch: 'x86_64', logFile: '/l', network: 'bridge' },
      { image: 'img', name: 'n' },
    );
    expect(o.WorkingDir).toBeUndefined();
    expect(o.Cmd).toEqual([]);
    expect(o.Labels).toEqual({ 'horno.unit': 'x86_64-true', 'horno.arch': 'x86_64' });
    expect(o.HostConfig).toEqual({ Mounts: [], NetworkMode: 'bridge' });
  });
});
