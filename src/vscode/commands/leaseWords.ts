import type { WorkInspection } from '../../core/git/worktreeState';
import type { WorktreeStatus } from '../../core/pool/pool';
import { age } from '../format';

/** "1 untracked file (notes.txt)", "2 changed files (a.ts, b.ts)": exactly what a worktree holds. */
export function describeWorkExactly(work: WorkInspection): string[] {
  const untracked = work.changed.filter((line) => line.startsWith('??')).map(pathOf);
  const changed = work.changed.filter((line) => !line.startsWith('??')).map(pathOf);
  const parts: string[] = [];
  if (changed.length) parts.push(counted(changed, 'changed file'));
  if (untracked.length) parts.push(counted(untracked, 'untracked file'));
  if (work.unparkedCommits) parts.push(`${work.unparkedCommits} commit${work.unparkedCommits === 1 ? '' : 's'} on no branch`);
  return parts;
}

/** "leased to cli-user since 14:02 (3 min ago)". */
export function leasedToSince(status: Pick<WorktreeStatus, 'holder' | 'leasedAt'>): string {
  if (!status.holder) return 'not leased';
  if (!status.leasedAt) return `leased to ${status.holder}`;
  const at = new Date(status.leasedAt);
  const when = Number.isNaN(at.getTime()) ? status.leasedAt : at.toLocaleString();
  return `leased to ${status.holder} since ${when} (${age(status.leasedAt)})`;
}

function counted(files: string[], noun: string): string {
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, … ${files.length - 5} more` : '');
  return `${files.length} ${noun}${files.length === 1 ? '' : 's'} (${shown})`;
}

/** A porcelain v1 line's path: "?? notes.txt" → "notes.txt", "R  a -> b" → "b". */
function pathOf(line: string): string {
  const file = line.slice(3);
  const arrow = file.indexOf(' -> ');
  return arrow >= 0 ? file.slice(arrow + 4) : file;
}
