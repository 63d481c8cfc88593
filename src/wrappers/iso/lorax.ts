// lorax's command line, built from typed options (image-builders.md section 1.3; empanadas' buildImage.tmpl.sh
// passes the same set). Pure: the build-iso step decides the values, the executor runs the argv. The volume id
// is checked here too, because lorax only finds out after it has spent the package installs.
import { volidProblems } from './volid.ts';
import { UsageError } from '../errors.ts';

/** ISO 9660 volume identifier length; lorax exits when the label is longer. */

export interface LoraxOptions {
  /** --product: the release's full name ("Rocky Linux"). */
  product: string;
  /** --version and --release: the release version ("9.7"), as empanadas and pungi pass both. */
  version: string;
  release: string;
  variant?: string;
  /** One --source per repo (file:// or http(s):// URLs of os/ trees), in priority order. */
  sources: string[];
  isfinal: boolean;
  buildarch: string;
  volid: string;
  bugurl?: string;
  nomacboot: boolean;
  squashfsOnly: boolean;
  /** GiB. */
  rootfsSize?: number;
  logfile: string;
  /** --add-template files, run after runtime-install.tmpl. */
  addTemplates?: string[];
  /** Must not exist yet: lorax refuses an existing OUTPUTDIR without --force. */
  outputDir: string;
}

export function checkVolid(volid: string, what: string): string {
  const p = volidProblems(volid);
  if (p.length)
    throw new UsageError(
      `volume id "${volid}" for ${what} ${p.length}`,
      'shorten iso.lorax.volid in the release config',
    );
  if (p.chars)
    throw new UsageError(
      `volume id "${volid}" for ${what} ${p.chars}`,
      'the boot menus find the ISO by this label (inst.stage2=hd:LABEL=...)',
    );
  return volid;
}

export function loraxArgv(o: LoraxOptions): string[] {
  if (o.sources.length === 0) throw new UsageError('lorax needs at least one --source repo');
  checkVolid(o.volid, o.buildarch);
  const argv = ['lorax', '--product', o.product, '--version', o.version, '--release', o.release];
  if (o.isfinal) argv.push('--isfinal');
  for (const s of o.sources) argv.push('--source', s);
  if (o.squashfsOnly) argv.push('--squashfs-only');
  if (o.bugurl) argv.push('--bugurl', o.bugurl);
  if (o.variant) argv.push('--variant', o.variant);
  if (o.nomacboot) argv.push('--nomacboot');
  argv.push('--buildarch', o.buildarch, '--volid', o.volid, '--logfile', o.logfile);
  if (o.rootfsSize !== undefined) argv.push('--rootfs-size', String(o.rootfsSize));
  for (const t of o.addTemplates ?? []) argv.push('--add-template', t);
  argv.push(o.outputDir);
  return argv;
}
