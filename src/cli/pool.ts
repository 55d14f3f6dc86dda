import type { Command } from 'commander';
import { WorktreePool } from '../core/pool/pool';
import { repositoryFor } from './context';
import { stderrLogger } from './io';
import { integerFromEnv, positiveInteger } from './options';

/** The options every pool command takes: where the pool lives, how big it may grow, --json. */
export function withPoolOptions(command: Command): Command {
  return command
    .option('--root <dir>', 'folder the pool\'s worktrees live in (default: <repo>.grove; also GROVE_ROOT)')
    .option('--max <n>', 'most worktrees the pool makes (default 8; also GROVE_MAX)', positiveInteger('--max'))
    .option('--json', 'print machine-readable JSON on stdout');
}

export async function poolFor(command: Command): Promise<WorktreePool> {
  const options = command.optsWithGlobals() as { root?: string; max?: number };
  const repo = await repositoryFor(command);
  return new WorktreePool({
    repo,
    root: options.root ?? (process.env.GROVE_ROOT || undefined),
    max: options.max ?? integerFromEnv('GROVE_MAX'),
    logger: stderrLogger(),
  });
}

export function wantsJson(command: Command): boolean {
  return (command.optsWithGlobals() as { json?: boolean }).json === true;
}
