import type { Command } from 'commander';
import { note, printJson } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

export function register(program: Command): void {
  withPoolOptions(program.command('return')
    .description('Return a leased worktree for reuse (refused, exit 4, when it holds work, unless --force parks it)')
    .argument('<worktree>', 'the worktree\'s name or path')
    .option('--if-lease-id <id>', 'only if it is still leased under this id')
    .option('--force', 'park uncommitted work and commits on no branch under refs/grove/parked/, then return'))
    .action(async (target: string, options: { ifLeaseId?: string; force?: boolean }, command: Command) => {
      const pool = await poolFor(command);
      const outcome = await pool.returnWorktree(target, { ifLeaseId: options.ifLeaseId, force: options.force });
      if (wantsJson(command)) printJson(outcome);
      note(`grove: returned ${outcome.name}`);
      if (outcome.restoreHint) note(outcome.restoreHint);
    });
}
