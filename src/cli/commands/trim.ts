import type { Command } from 'commander';
import { note, printJson, printLine } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

/** `grove trim <name>`: delete a worktree's listed build outputs, keep its dependencies. */
export function register(program: Command): void {
  withPoolOptions(program.command('trim <worktree>')
    .description('Delete a worktree\'s build outputs ("trim" in .grove/worktree.json; default dist, target, .next/cache), keeping dependencies')
    .option('--if-lease-id <id>', 'trim a leased worktree: only its holder may, by its lease id'))
    .action(async (target: string, options: { ifLeaseId?: string }, command: Command) => {
      const outcome = await (await poolFor(command)).trim(target, { ifLeaseId: options.ifLeaseId });
      if (wantsJson(command)) {
        printJson(outcome);
        return;
      }
      for (const removed of outcome.removed) printLine(removed);
      for (const kept of outcome.kept) note(`grove: kept ${kept.path}: ${kept.why}`);
      note(`grove: trimmed ${outcome.name}: freed ${(outcome.freedBytes / 1e6).toFixed(1)} MB`);
    });
}
