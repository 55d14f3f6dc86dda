import type { Command } from 'commander';
import { formatUsd, type RunRecord } from '../../core/agents';
import { registryFor } from '../engineContext';
import { note, printJson, printLine } from '../io';

/**
 * `grove runs [--json]`: every agent run of this repository. It reconciles first, like every
 * command that looks: runs whose agent died are recorded from their log, overdue ones are
 * killed. It does not stay to watch live ones (their own host does, or the next look).
 */
export function register(program: Command): void {
  program
    .command('runs')
    .description('list agent runs (recording runs that ended while no Grove process watched)')
    .option('--json', 'print a JSON array of run records')
    .action(async (options: { json?: boolean }, command: Command) => {
      const registry = await registryFor(command);
      const { attached, finished } = await registry.reconcile();
      for (const run of attached) run.detach();
      for (const record of finished) note(`recorded run ${record.id}: ${record.status}${record.error ? ` (${record.error})` : ''}`);
      const runs = await registry.list();
      if (options.json) {
        printJson(runs);
        return;
      }
      if (runs.length === 0) {
        note('no agent runs yet');
        return;
      }
      for (const run of runs) printLine(describeRun(run));
    });
}

function describeRun(run: RunRecord): string {
  const where = [run.slot, run.worktree].filter(Boolean).join(' in ') || run.cwd;
  const took = run.endedAt ? ` ${((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)}s` : '';
  return `${run.id}  ${run.status.padEnd(9)}  ${formatUsd(run.costMicros).padStart(9)}  ${run.startedAt}${took}  ${where}${run.error ? `  ${run.error}` : ''}`;
}
