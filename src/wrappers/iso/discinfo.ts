// .discinfo and media.repo, byte for byte as pungi writes them (pungi/metadata.py write_discinfo and
// write_media_repo). The timestamp string is shared by both files, as pungi does.

export interface DiscInfo {
  /** Seconds since the epoch; an integer under SOURCE_DATE_EPOCH, else with microseconds like pungi's "%f". */
  timestamp: string;
  description: string;
  arch: string;
  discNumbers?: (number | 'ALL')[];
}

export function discTimestamp(env: NodeJS.ProcessEnv = process.env, now = Date.now()): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return epoch;
  return (now / 1000).toFixed(6);
}

export function serializeDiscInfo(d: DiscInfo): string {
  const discs = d.discNumbers?.length ? d.discNumbers : ['ALL'];
  return `${d.timestamp}\n${d.description}\n${d.arch}\n${discs.join(',')}\n`;
}

export function serializeMediaRepo(description: string, timestamp: string): string {
  return [
    '[InstallMedia]',
    `name=${description}`,
    `mediaid=${timestamp}`,
    'metadata_expire=-1',
    'gpgcheck=0',
    'cost=500',
    '',
  ].join('\n');
}
