import type { Command } from 'commander';
import { withPoolOptions } from '../pool';
import { resultsFor } from './results';

export function register(program: Command): void {
  withPoolOptions(program.command('diff')
    .description('the unified diff of a result, base commit → worktree (commits, staged, unstaged and untracked files)')
    .argument('<id>', 'a result id, a task id or a worktree name')
    .option('--stat', 'only the diffstat'))
    .action(async (id: string, options: { stat?: boolean }, command: Command) => {
      const service = await resultsFor(command);
      process.stdout.write(await service.diff(await service.find(id), { stat: options.stat }));
    });
}
