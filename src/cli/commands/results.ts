import type { Command } from 'commander';
import { formatUsd } from '../../core/money';
import { RunRegistry } from '../../core/agents/runRegistry';
import { openResults, changeLine, type ResultRecord, type ResultsService } from '../../core/results';
import { repositoryFor } from '../context';
import { printJson, printLine, note } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

/** The results service without an engine: for commands that read, diff, discard and restore. */
export async function resultsFor(command: Command): Promise<ResultsService> {
  const repo = await repositoryFor(command);
  const pool = await poolFor(command);
  return openResults({ repo, pool, registry: new RunRegistry({ groveDir: repo.groveDir }) }).service;
}

const STATUS_MARK: Record<string, string> = { succeeded: '✓', failed: '✗', cancelled: '–', interrupted: '!' };

/** One line per result: what the person needs to pick one to review. */
export function resultLine(record: ResultRecord): string {
  const group = record.group ? ` [variant ${record.group.index}/${record.group.count}]` : '';
  const review = record.review === 'awaiting' ? '' : ` (${record.review})`;
  return `${STATUS_MARK[record.status] ?? '?'} ${record.id}  ${formatUsd(record.costMicros)}  ${changeLine(record.changes)}  ${record.title}${group}${review}`;
}

export function register(program: Command): void {
  withPoolOptions(program.command('results')
    .description('list the results of tasks, chains and fan-outs, newest first'))
    .action(async (_options: unknown, command: Command) => {
      const service = await resultsFor(command);
      // Work whose engine died before recording it (a killed grove run) gets its result here.
      for (const adopted of await service.recordOrphans().catch(() => [])) note(`grove: recorded ${adopted.id} for work left in ${adopted.worktreeName} by task ${adopted.taskId}`);
      const records = await service.list();
      for (const { file, reason } of service.store.skipped) note(`grove: skipped ${file}: ${reason} (fix it or move it out of the results folder)`);
      if (wantsJson(command)) {
        printJson({ results: records });
        return;
      }
      if (records.length === 0) note('grove: no results yet (they appear when a task, chain or fan-out ends)');
      for (const record of records) printLine(resultLine(record));
    });
}
