import type { Command } from 'commander';
import { note, printJson } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

export function register(program: Command): void {
  withPoolOptions(program.command('destroy')
    .description('Remove a worktree from the pool (refused, exit 4, when leased, busy or holding work, unless --force)')
    .argument('<worktree>', 'the worktree\'s name or path')
    .option('--force', 'destroy even when leased or reserved; any work is parked under refs/grove/parked/ first'))
    .action(async (target: string, options: { force?: boolean }, command: Command) => {
      const pool = await poolFor(command);
      const outcome = await pool.destroy(target, { force: options.force });
      if (wantsJson(command)) printJson(outcome);
      note(`grove: destroyed ${outcome.name} (${outcome.path})`);
      if (outcome.restoreHint) note(outcome.restoreHint);
    });
}
