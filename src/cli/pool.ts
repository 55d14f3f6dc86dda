import type { Command } from 'commander';
import { WorktreePool } from '../core/pool/pool';
import { repositoryFor } from './context';
import { note, stderrLogger } from './io';
import { integerFromEnv, positiveInteger, positiveNumber } from './options';

/** The options every pool command takes: where the pool lives, how big it may grow, --json. */
export function withPoolOptions(command: Command): Command {
  return command
    .option('--root <dir>', 'folder the pool\'s worktrees live in (default: <repo>.grove; also GROVE_ROOT)')
    .option('--max <n>', 'most worktrees the pool makes (default 8; also GROVE_MAX)', positiveInteger('--max'))
    .option('--port-base <n>', 'ports: wt-N owns base + block × N onward (default 20000; also GROVE_POOL_PORT_BASE)', positiveInteger('--port-base'))
    .option('--port-block <n>', 'ports each worktree owns (default 10; also GROVE_POOL_PORT_BLOCK)', positiveInteger('--port-block'))
    .option('--disk-budget-gb <n>', 'disk the pool may take; over it, prune suggests the biggest idle worktrees (also GROVE_DISK_BUDGET_GB)', positiveNumber('--disk-budget-gb'))
    .option('--json', 'print machine-readable JSON on stdout');
}

export async function poolFor(command: Command): Promise<WorktreePool> {
  const options = command.optsWithGlobals() as { root?: string; max?: number; portBase?: number; portBlock?: number; diskBudgetGb?: number };
  const repo = await repositoryFor(command);
  return new WorktreePool({
    repo,
    root: options.root ?? (process.env.GROVE_ROOT || undefined),
    max: options.max ?? integerFromEnv('GROVE_MAX'),
    logger: stderrLogger(),
    // Not GROVE_PORT_BASE: that one is what Grove gives processes inside a worktree.
    ready: {
      ports: { base: options.portBase ?? integerFromEnv('GROVE_POOL_PORT_BASE'), size: options.portBlock ?? integerFromEnv('GROVE_POOL_PORT_BLOCK') },
      progress: (message) => note(`grove: ${message}`), forwardInterrupts: true,
      diskBudgetGb: options.diskBudgetGb ?? (process.env.GROVE_DISK_BUDGET_GB ? positiveNumber('GROVE_DISK_BUDGET_GB')(process.env.GROVE_DISK_BUDGET_GB) : null),
    },
  });
}

export function wantsJson(command: Command): boolean {
  return (command.optsWithGlobals() as { json?: boolean }).json === true;
}
