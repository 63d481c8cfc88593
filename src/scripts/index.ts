// The command table: every `horno <command>` and its npm script, in the order a compose runs them.
import type { Command } from './command.ts';

export const commands: Command<never>[] = [];
