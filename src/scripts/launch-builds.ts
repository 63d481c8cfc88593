// horno launch-builds: one Kubernetes Job per arch running build-iso there; written as YAML, or submitted and
// waited for with --submit.
import { resolve } from 'node:path';
import { launchBuilds } from '../wrappers/steps/build-iso/launch.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { loadFor } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    releaseOption(y)
      .option('arch', {
        type: 'string',
        array: true,
        describe: 'only these arches (repeat or comma-separate)',
      })
      .option('rc', { type: 'boolean', default: false, describe: 'the Jobs build a release candidate' })
      .option('submit', {
        type: 'boolean',
        default: false,
        describe: 'create the Jobs with the current kubeconfig and wait for them',
      })
      .option('output-dir', {
        alias: 'o',
        type: 'string',
        describe: "write <job>.yaml per Job here (and the pods' logs with --submit); default: print the YAML",
      })
      .option('image', {
        type: 'string',
        describe: "image with horno and lorax (default: the arch's kube executor image, else builder_images)",
      })
      .option('namespace', {
        type: 'string',
        describe: "default: the arch's kube executor namespace, else horno",
      })
      .option('secret', {
        type: 'string',
        describe:
          'Secret the Jobs read credentials from, one key per variable: the store credentials and any token ' +
          "the release's URLs refer to (default: the kube executor's credentials_secret, else horno-credentials)",
      })
      .option('pod-site', {
        type: 'string',
        describe: 'HORNO_SITE inside the pods: a site file in the image',
      })
      .option('memory', { type: 'number', describe: 'MiB per Job (default 8192)' })
      .option('cpus', { type: 'number', describe: 'CPUs per Job (default 4)' })
      .option('poll-seconds', { type: 'number', default: 10, describe: 'how often --submit reads the Jobs' }),
  async run(args, ctx) {
    const cfg = await loadFor(args);
    const result = await launchBuilds(
      cfg,
      {
        releaseKey: args.release,
        arches: splitList(args.arch),
        rc: args.rc,
        image: args.image,
        namespace: args.namespace,
        secret: args.secret,
        podSite: args['pod-site'],
        memoryMb: args.memory,
        cpus: args.cpus,
        outputDir: args['output-dir'] ? resolve(args['output-dir']) : undefined,
        submit: args.submit,
        submitOptions: { pollMs: args['poll-seconds'] * 1000 },
      },
      { print: ctx.print },
    );
    ctx.summary({ ok: result.exitCode === 0, ...result });
    return result.exitCode;
  },
});
