import { GroveError } from '../errors';
import type { ParkedWork } from '../git/park';
import * as path from 'node:path';
import { ignoredWork } from '../git/ignoredFiles';
import { parkNested, type ParkedNested } from '../git/parkNested';
import { submodulesWithWork, untrackedRepositories } from '../git/nestedWork';
import { pruneWorktreeRegistrations, removeWorktree } from '../git/worktrees';
import { inspectWork, type WorkInspection } from '../git/worktreeState';
import { identifySelf } from '../util/liveness';
import { parkedOutcome, type PoolCore } from './core';
import { parkAll } from './parking';
import { refuseIfProcessesInside, provenPoolWorktree } from './ownWorktree';
import { targetAsPath } from './paths';
import { errorText, refuseIgnored, refuseNestedWork, refuseWork } from './refusals';
import { saveIgnored, type SavedIgnored } from './saveIgnored';
import type { WorktreeRecord } from './state';
import type { DestroyOutcome } from './types';
import { randomId } from '../util/ids';

/** Removes a worktree from the pool and the disk; leased, reserved or unparked work only with `force` (parked first). */
export async function destroyWorktree(core: PoolCore, target: string, options: { force?: boolean } = {}): Promise<DestroyOutcome> {
  const targetPath = await targetAsPath(target);
  const identity = await identifySelf();
  const token = randomId();
  const claimed = await core.mutate(async (state) => {
    const record = core.findRecord(state, target, targetPath);
    core.refuseIfBusy(record);
    if (!options.force) {
      if (record.lease) {
        throw new GroveError('refused', `${record.name} is leased by ${record.lease.holder} (since ${record.lease.leasedAt})`,
          `Return it first (grove return ${record.name}), or pass --force to destroy it anyway (any work is parked first).`);
      }
      if (record.reservation) {
        throw new GroveError('refused', `${record.name} has a task running in it (${record.reservation.owner})`,
          'Wait for the task or cancel it, or pass --force (any work is parked first).');
      }
    }
    core.claim(record, 'destroy', token, identity);
    return { ...record };
  });
  const removed = await core.whileClaimed(claimed.name, token, `could not destroy ${claimed.name}`, () => removeFromDisk(core, claimed, options.force === true));
  await core.mutate(async (state) => {
    core.ownClaim(state, claimed.name, token);
    delete state.worktrees[claimed.name];
  });
  core.logger.info(`destroyed ${claimed.name}${removed.parked ? `; work parked under ${removed.parked.ref}` : ''}`);
  return outcomeOf(claimed, removed);
}

/** One outcome for everything kept: the main parked ref (or the first nested one), every hint, and where ignored files went. */
function outcomeOf(claimed: { name: string; path: string }, removed: Removal): DestroyOutcome {
  const { parked, savedIgnored, parkedNested = [] } = removed;
  const outcome = parkedOutcome(claimed, parked);
  const hints = [outcome.restoreHint, ...parkedNested.map((entry) => entry.restoreHint), savedIgnored?.restoreHint].filter(Boolean);
  const parkedRef = outcome.parkedRef ?? (parkedNested.length ? `${parkedNested[0].prefix}/work` : undefined);
  return {
    ...outcome,
    ...(parkedRef ? { parkedRef } : {}),
    ...(hints.length ? { restoreHint: hints.join('\n') } : {}),
    ...(savedIgnored ? { ignoredSavedTo: savedIgnored.folder } : {}),
  };
}

export interface Removal {
  parked?: ParkedWork;
  /** Ignored files a forced destroy saved (or had to delete: too big). */
  savedIgnored?: SavedIgnored;
  /** Nested repositories and submodules a forced destroy parked. */
  parkedNested?: ParkedNested[];
}

/**
 * Removes a claimed worktree's folder and registration, after proving it is one of the pool's
 * own (see ownWorktree.ts), that nobody works inside it, and that it holds no unparked work.
 */
export async function removeFromDisk(core: PoolCore, record: WorktreeRecord, force: boolean): Promise<Removal> {
  const mainWorktree = core.repo.mainWorktree;
  const real = await provenPoolWorktree(core, record);
  if (real === null) {
    await pruneWorktreeRegistrations(mainWorktree);
    return {};
  }
  await refuseIfProcessesInside(record.name, real, 'destroy');
  const removal = record.incomplete ? {} : await keepWhatMatters(core, record, real, force);
  await removeWorktree(mainWorktree, real);
  return removal;
}

/**
 * Everything a removal would lose, refused without `force` and kept with it: work git can
 * park (parked), work in nested repositories (always refused), and ignored files that are
 * not dependencies or build output (saved to a folder).
 */
async function keepWhatMatters(core: PoolCore, record: WorktreeRecord, real: string, force: boolean): Promise<Removal> {
  const knownHead = record.lease?.recovered ? null : record.lease?.head ?? record.reservation?.head ?? record.head;
  let work: WorkInspection;
  try {
    work = await inspectWork(real, knownHead, { stashes: { commonDir: core.repo.commonDir } });
  } catch (error) {
    throw new GroveError('refused', `git cannot read ${record.name} (${errorText(error)}); not removing what might be work`,
      `Look at ${real}, save what you need, and remove it with: git worktree remove --force ${real}`);
  }
  const nested = [...await untrackedRepositories(real, work.changed), ...await submodulesWithWork(real)];
  if (nested.length && !force) throw refuseNestedWork(record.name, nested, 'destroy');
  if (work.hasWork && !force) throw refuseWork(record.name, work, 'destroy');
  const ignored = await ignoredWork(real, core.repo.mainWorktree);
  if (ignored.length && !force) throw refuseIgnored(record.name, ignored);
  const parkedNested: ParkedNested[] = [];
  for (const [index, entry] of nested.entries()) {
    parkedNested.push(await parkNested(real, entry, record.name, core.now(), index + 1, path.join(core.repo.groveDir, 'tmp'), core.repo.commonDir));
  }
  const untrackedRepos = nested.filter((entry) => entry.kind === 'repository').map((entry) => entry.path);
  const parked = work.hasWork ? await parkAll(core, real, record.name, work, untrackedRepos) : undefined;
  const savedIgnored = ignored.length ? await saveIgnored(core, real, record.name, ignored) : undefined;
  return { parked, savedIgnored, parkedNested };
}
