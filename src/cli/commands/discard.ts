import type { Command } from 'commander';
import { note, printJson } from '../io';
import { wantsJson, withPoolOptions } from '../pool';
import { resultsFor } from './results';

export function register(program: Command): void {
  withPoolOptions(program.command('discard')
    .description('park whatever a result\'s worktree holds under refs/grove/parked/ and return it to the pool')
    .argument('<id>', 'a result id, a task id or a worktree name'))
    .action(async (id: string, _options: unknown, command: Command) => {
      const record = await (await resultsFor(command)).discard(id);
      if (wantsJson(command)) printJson(record);
      note(record.parkedRef ? `grove: discarded ${record.id}; its work is parked under ${record.parkedRef} (grove parked restore ${record.parkedRef})` : `grove: discarded ${record.id} (it held no work)`);
    });
}
