import type { Command } from 'commander';
import { formatUsd } from '../../core/money';
import { blockedOf, changeLine, type ResultRecord } from '../../core/results';
import { printJson, printLine } from '../io';
import { wantsJson, withPoolOptions } from '../pool';
import { resultsFor } from './results';

export function register(program: Command): void {
  withPoolOptions(program.command('result')
    .description('show one result whole: prompt, final message, runs, worktree, changes')
    .argument('<id>', 'a result id, a task id or a worktree name'))
    .action(async (id: string, _options: unknown, command: Command) => {
      const record = await (await resultsFor(command)).find(id);
      if (wantsJson(command)) printJson(record);
      else printLine(describe(record));
    });
}

function describe(record: ResultRecord): string {
  const lines = [
    `${record.title}`,
    `  id ${record.id}  ${record.kind}  ${record.status}  review: ${record.review}  ${formatUsd(record.costMicros)}`,
    `  worktree: ${record.worktree ? `${record.worktree.path} (leased to ${record.worktree.holder})` : record.parkedRef ? `discarded, parked under ${record.parkedRef}` : 'given back (no work left)'}`,
    `  base: ${record.baseCommit ?? 'unknown'}  changes: ${changeLine(record.changes)}`,
  ];
  for (const file of record.changes?.files ?? []) {
    const counts = file.added === null ? 'binary' : `+${file.added} −${file.removed}`;
    lines.push(`    ${file.kind.padEnd(8)} ${file.kind === 'renamed' ? `${file.oldPath} → ${file.path}` : file.path}  ${counts}${file.untracked ? '  (untracked)' : ''}`);
  }
  for (const commit of record.changes?.commits ?? []) lines.push(`    commit ${commit.sha.slice(0, 12)} ${commit.subject}`);
  lines.push('  runs:');
  for (const run of record.runs) {
    lines.push(`    ${run.step ?? 'task'}: ${run.status}, ${formatUsd(run.costMicros)}, ${run.numTurns ?? '?'} turns, ${run.durationMs === null ? '?' : `${(run.durationMs / 1000).toFixed(1)} s`}, ${run.model ?? 'model ?'}, session ${run.sessionId ?? '-'}`);
  }
  if (record.pendingComments.length) lines.push(`  ${record.pendingComments.length} pending review comment(s)`);
  if (record.error) lines.push(`  error: ${record.error}`);
  const blocked = blockedOf(record);
  if (blocked) {
    lines.push(`  blocked: the agent needs you${blocked.wanted.length ? `; it wanted ${blocked.wanted.join(', ')}` : ''}${blocked.questions.length ? `; it asked: ${blocked.questions.join('; ')}` : ''}`);
    lines.push(`  re-run allowing it: grove continue ${record.id} --allow-denied${blocked.questions.length ? ' "your answer"' : ''}`);
  }
  lines.push('', record.finalMessage ?? '(no final message)');
  return lines.join('\n');
}
