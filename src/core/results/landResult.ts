import { GroveError } from '../errors';
import { gitOutput } from '../git/run';
import { land, LandRefusal, worktreeMatchesSnapshot, type LandOptions, type LandRecord, type LandSource } from '../land';
import type { WorktreePool } from '../pool/pool';
import { dropParked } from './parked';
import type { ResultsService } from './service';
import type { ResultLanding, ResultRecord } from './types';

export interface LandResultOptions extends Omit<LandOptions, 'guard'> {
  /** Leave the worktree leased to the result after landing (the person wants to go on there). */
  keep?: boolean;
}

export interface LandResultOutcome {
  record: ResultRecord;
  landed: LandRecord;
  /** What happened to the worktree: back in the pool (parked only if it changed since the land), kept, or left leased with why. */
  worktree: { name: string; path: string; returned: boolean; parkedRef: string | null; problem: string | null };
}

export interface LandResultDeps {
  service: ResultsService;
  pool: WorktreePool;
  /** The main worktree. */
  repoDir: string;
}

/**
 * Lands a result by id (result id, task id or worktree name): refuses one already landed (saying
 * where), one whose agent still runs, one with nothing to land; lands it with the git core (the
 * guard re-checks run and lease just before the change); records how and where on the result;
 * then gives the worktree back to the pool warm unless `keep`. Everything the worktree held is in
 * the land's snapshot, so a worktree unchanged since the land goes back without a parked ref; one
 * edited since is parked first (as `return --force` does), so nothing is lost either way.
 */
export async function landResult(deps: LandResultDeps, ref: string, options: LandResultOptions): Promise<LandResultOutcome> {
  const record = await deps.service.find(ref);
  refuseLanded(record);
  if (!record.worktree && !record.parkedRef) {
    throw new LandRefusal('nothing-to-land', `nothing to land: ${record.id} left no work (its worktree went back to the pool)`,
      `Nothing was changed. Clear it with grove discard ${record.id}, or grove continue it to ask for more.`);
  }
  const worktree = deps.service.worktreeOf(record);
  if (!record.baseCommit) throw new GroveError('internal', `${record.id} has no base commit recorded`, 'Land it by hand from its worktree.');
  await refuseRunning(deps.pool, record.id, worktree);
  const source: LandSource = {
    repoRoot: deps.repoDir, worktreePath: worktree.path, baseCommit: record.baseCommit,
    title: record.title, prompt: record.prompt, finalMessage: record.finalMessage ?? undefined, holderLeaseId: worktree.leaseId,
  };
  const { keep, ...landOptions } = options;
  let landed: LandRecord;
  try {
    landed = await land(source, { ...landOptions, guard: () => refuseRunning(deps.pool, record.id, worktree) });
  } catch (error) {
    if (error instanceof LandRefusal && error.reason === 'nothing-to-land') {
      throw new LandRefusal('nothing-to-land', `nothing to land: ${record.id}'s worktree ${worktree.name} holds no changes since its base`,
        `Nothing was changed. Discard it to give the worktree back: grove discard ${record.id}`);
    }
    throw error;
  }
  let updated = await deps.service.store.update(record.id, (current) => ({ ...current, review: 'landed', landed: toLanding(landed) }));
  if (keep) return { record: updated, landed, worktree: { ...worktree, returned: false, parkedRef: null, problem: null } };
  const back = await giveBack(deps, worktree, landed.snapshot);
  if (back.returned) {
    updated = await deps.service.store.update(record.id, (current) => ({ ...current, worktree: null, parkedRef: back.parkedRef ?? current.parkedRef }));
  }
  return { record: updated, landed, worktree: { name: worktree.name, path: worktree.path, ...back } };
}

/** Where a landed result went, in words: "squash into main at 1a2b3c4d5e6f". */
export function describeLanding(landing: ResultLanding): string {
  const short = (ref: string | null) => (ref ?? '').replace(/^refs\/heads\//, '');
  const at = landing.commit ? ` at ${landing.commit.slice(0, 12)}` : '';
  switch (landing.how) {
    case 'apply': return `applied to the main worktree as uncommitted changes (${landing.at})`;
    case 'branch': return `branch ${short(landing.branch)}${at}`;
    case 'push': return `pushed as ${short(landing.branch)} to ${landing.remote ?? 'the remote'}${landing.pullRequestUrl ? `, ${landing.pullRequestUrl}` : ''}`;
    default: return `${landing.how} into ${short(landing.target)}${at}`;
  }
}

function refuseLanded(record: ResultRecord): void {
  if (record.review !== 'landed') return;
  const where = record.landed ? describeLanding(record.landed) : 'elsewhere';
  throw new GroveError('refused', `${record.id} was landed already: ${where}`, 'Landing twice is refused; nothing was changed.');
}

/** An agent at work in the worktree (a follow-up running) or a lease that moved: refused, nothing changed. */
async function refuseRunning(pool: WorktreePool, id: string, worktree: { name: string; leaseId: string }): Promise<void> {
  const status = (await pool.status()).find((entry) => entry.name === worktree.name);
  if (status?.reservedBy) {
    throw new GroveError('refused', `${id}'s agent is still running in ${worktree.name} (${status.reservedBy})`,
      'Nothing was changed. Wait for it to finish (or cancel it), then land again.');
  }
  if (status?.leaseId !== worktree.leaseId) {
    throw new GroveError('refused', `${worktree.name} is no longer held for ${id} (${status?.holder ? `leased to ${status.holder}` : 'not leased'})`,
      'Nothing was changed: the result\'s worktree was returned or leased again. grove result shows what it holds.');
  }
}

/**
 * Back to the pool reset to base, ignored files kept. `return --force` parks whatever is there at
 * that moment (no window for an edit to slip between a check and a reset); when it parked exactly
 * the landed snapshot the parked ref is redundant and dropped, otherwise it is kept and reported.
 */
async function giveBack(deps: LandResultDeps, worktree: { name: string; path: string; leaseId: string }, snapshot: string):
  Promise<{ returned: boolean; parkedRef: string | null; problem: string | null }> {
  const matched = await worktreeMatchesSnapshot(deps.repoDir, worktree.path, snapshot).catch(() => false);
  let parkedRef: string | null;
  try {
    parkedRef = (await deps.pool.returnWorktree(worktree.name, { ifLeaseId: worktree.leaseId, force: true })).parkedRef ?? null;
  } catch (error) {
    return { returned: false, parkedRef: null, problem: `${worktree.name} stays leased to the result: ${(error as Error).message}` };
  }
  if (matched && parkedRef && await sameTree(deps.repoDir, parkedRef, snapshot)) {
    const commit = await gitOutput(deps.repoDir, ['rev-parse', parkedRef]);
    await dropParked(deps.repoDir, parkedRef, commit);
    parkedRef = null;
  }
  return { returned: true, parkedRef, problem: null };
}

async function sameTree(repoDir: string, a: string, b: string): Promise<boolean> {
  const [left, right] = (await gitOutput(repoDir, ['rev-parse', `${a}^{tree}`, `${b}^{tree}`])).split('\n');
  return left === right;
}

function toLanding(record: LandRecord): ResultLanding {
  return {
    how: record.how, commit: record.commit ?? null, branch: record.branch ?? null, target: record.target ?? null,
    remote: record.remote ?? null, pullRequestUrl: record.pullRequestUrl ?? null, nextStep: record.nextStep ?? null,
    snapshot: record.snapshot, keptRef: record.keptRef ?? null, at: record.at,
  };
}
