import type { Command } from 'commander';
import { note, printJson, printLine } from '../io';
import { nonNegativeInteger } from '../options';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

export function register(program: Command): void {
  withPoolOptions(program.command('prune')
    .description('Remove idle, clean worktrees and git\'s stale registrations (a dry run unless --yes)')
    .option('--yes', 'really remove them')
    .option('--keep <n>', 'idle clean worktrees to keep warm (default 0)', nonNegativeInteger('--keep')))
    .action(async (options: { yes?: boolean; keep?: number }, command: Command) => {
      const pool = await poolFor(command);
      const outcome = await pool.prune({ yes: options.yes, keep: options.keep });
      if (wantsJson(command)) {
        printJson(outcome);
        return;
      }
      const names = outcome.dryRun ? outcome.wouldRemove : outcome.removed;
      if (outcome.disk) {
        note(`grove: the pool takes ${(outcome.disk.totalBytes / 1e9).toFixed(1)} GB of its ${(outcome.disk.budgetBytes / 1e9).toFixed(1)} GB disk budget; ` +
          (outcome.disk.suggest.length ? `prune first (biggest): ${outcome.disk.suggest.join(', ')}` : 'no idle worktree to prune'));
      }
      for (const name of names) printLine(name);
      for (const stale of outcome.staleRegistrations) printLine(`stale registration: ${stale}`);
      if (outcome.dryRun) {
        note(names.length || outcome.staleRegistrations.length
          ? 'grove: dry run; nothing removed. Run again with --yes to remove these.'
          : 'grove: nothing to prune.');
      } else {
        note(`grove: removed ${outcome.removed.length} worktree(s)${outcome.staleRegistrations.length ? ` and ${outcome.staleRegistrations.length} stale registration(s)` : ''}`);
      }
    });
}
