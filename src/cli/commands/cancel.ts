import type { Command } from 'commander';
import { registryFor } from '../engineContext';
import { note, printJson, printLine } from '../io';

/** `grove cancel <run-id>`: kills the run's whole process group (TERM, then KILL) and records it. */
export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel an agent run: kill all its processes and record it as cancelled')
    .argument('<run-id>', 'the run (see grove runs)')
    .option('--json', 'print the run record as JSON')
    .action(async (runId: string, options: { json?: boolean }, command: Command) => {
      const registry = await registryFor(command);
      const before = await registry.get(runId);
      const record = await registry.cancel(runId);
      if (before && before.status !== 'active') note(`run ${runId} had already ended: ${before.status}`);
      if (options.json) printJson(record);
      else printLine(`${record.id} ${record.status}`);
    });
}
