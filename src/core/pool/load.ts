import type { Logger } from '../logger';
import type { RepositoryLocation } from '../git/repository';
import type { FencedDocument } from '../store/fencedJson';
import type { LockContext } from '../store/lock';
import { exists } from './paths';
import { adoptListed, rebuildFromDisk, rememberNotWorktrees, unknownFolders } from './recover';
import { emptyState, loadState, quarantineState, RECOVERED_HOLDER, type PoolStateFile } from './state';

export interface LoadContext {
  repo: RepositoryLocation;
  root: string;
  document: FencedDocument;
  logger: Logger;
  now: Date;
}

/**
 * The state a locked operation starts from. Never a silently emptier pool: an unreadable
 * state is kept aside and rebuilt from disk; records of the wrong shape are kept aside with
 * it and recovered from disk while the whole ones stay; and worktrees git lists under the
 * pool root that the state does not know are adopted as recovered leases.
 */
export async function loadForUpdate(context: LoadContext, lock: LockContext): Promise<{ state: PoolStateFile; mustWrite: boolean }> {
  const { repo, root, logger, now } = context;
  const loaded = await loadState(context.document, lock);
  if (loaded.kind === 'corrupt' || loaded.kind === 'partly') {
    const aside = await quarantineState(repo.groveDir, loaded.read, now);
    const state = loaded.kind === 'partly' ? loaded.state : emptyState();
    const kept = Object.keys(state.worktrees).length;
    const adopted = await adoptListed(state, repo.mainWorktree, root, now);
    logger.error(`state.json was unreadable (${loaded.reason}); kept it as ${aside} and rebuilt the pool from disk: ` +
      `${kept ? `${kept} whole record(s) kept, ` : ''}${adopted.length} worktree(s) leased to "${RECOVERED_HOLDER}"`);
    return { state, mustWrite: true };
  }
  if (loaded.kind === 'missing') {
    // No state yet. Worktrees already under the root (state.json deleted by hand) are adopted
    // as recovered leases rather than forgotten.
    const state = (await exists(root)) ? await rebuildFromDisk(repo.mainWorktree, root, now) : emptyState();
    const count = Object.keys(state.worktrees).length;
    if (count) logger.warn(`state.json was missing; adopted ${count} worktree(s) found under ${root} as recovered leases`);
    return { state, mustWrite: count > 0 };
  }
  const state = loaded.state;
  const unknown = await unknownFolders(state, root);
  if (unknown.length === 0) return { state, mustWrite: false };
  const adopted = await adoptListed(state, repo.mainWorktree, root, now);
  rememberNotWorktrees(root, unknown.filter((name) => !adopted.includes(name)));
  if (adopted.length) {
    logger.warn(`the pool state did not know ${adopted.join(', ')} under ${root}, which git lists as worktrees: ` +
      `adopted as leased to "${RECOVERED_HOLDER}" (check, then grove return or grove destroy)`);
  }
  return { state, mustWrite: adopted.length > 0 };
}
