import * as path from 'node:path';
import { runGit } from '../git/run';
import type { LandContext } from './context';

/**
 * Where the result's own commits are kept once a squash or an apply landed only their content:
 * `refs/grove/landed/<worktree>/<time>`. Any ref keeps them from gc, and the pool's "commits on
 * no branch" check sees them as kept, so the worktree can go back to the pool without parking.
 */
export function keptRefName(context: LandContext): string {
  const worktree = path.basename(context.source.worktreePath).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'worktree';
  const time = context.now.toISOString().replace(/[:.]/g, '-');
  return `refs/grove/landed/${worktree}/${time}-${process.pid}`;
}

/** One line of `git update-ref --stdin`. */
export interface RefUpdate { ref: string; newValue: string; oldValue: string | null }

/**
 * Moves refs in one transaction (`git update-ref --stdin`): all or none, each checked against
 * its old value (compare-and-swap; `oldValue: ''` means "must not exist yet", null means "don't care").
 * Returns git's complaint when the transaction was refused.
 */
export async function updateRefs(repo: string, updates: RefUpdate[], reason: string): Promise<string | null> {
  const input = updates.map((u) => `update ${u.ref} ${u.newValue}${u.oldValue === null ? '' : ` ${u.oldValue || '0'.repeat(u.newValue.length)}`}\n`).join('');
  const result = await runGit(repo, ['update-ref', '-m', reason, '--stdin'], { input, allowFailure: true });
  return result.code === 0 ? null : result.stderr.trim() || `exit code ${result.code}`;
}
