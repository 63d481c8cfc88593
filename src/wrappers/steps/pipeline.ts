// The compose pipeline: the commands `horno compose` runs, in order, each on the same compose. Units a command
// finished before are skipped on a rerun, so running the pipeline again resumes it. repoclosure reports but does
// not stop the pipeline (pungi's default repoclosure_strictness, lenient).

export interface Phase {
  command: string;
  /** Extra arguments this phase always gets inside the pipeline. */
  args: string[];
  /** Exit codes that let the pipeline go on. */
  continueOn: number[];
}

export const COMPOSE_PIPELINE: readonly Phase[] = [
  { command: 'sync-repos', args: ['--no-repoclosure'], continueOn: [0] },
  { command: 'repoclosure', args: [], continueOn: [0, 1] },
  { command: 'build-iso', args: [], continueOn: [0] },
  { command: 'pull-unpack-tree', args: [], continueOn: [0] },
  { command: 'build-iso-extra', args: [], continueOn: [0] },
  { command: 'finalize-compose', args: [], continueOn: [0] },
];
