import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { addWorktree, removeWorktree } from '../git/worktrees';
import { withLock } from '../store/lock';
import { checkoutDetached, inspectWork, type WorkInspection } from '../git/worktreeState';
import type { ProcessIdentity } from '../util/liveness';
import { byName, type PoolCore } from './core';
import { nextName } from './names';
import { exists, realOrSelf } from './paths';
import { processesInside } from './processes';
import { asGroveError, describeWork, errorText } from './refusals';
import type { ClaimOperation, PoolStateFile, WorktreeRecord } from './state';
import type { Lease } from './types';
import { copyWorktreeInclude } from './worktreeInclude';
import { randomId } from '../util/ids';

/**
 * Picking a worktree for use (a lease or a reservation): under the lock, the first available
 * one or a new name below the maximum; outside it, the worktree made, or checked (clean, nobody
 * inside) and moved to the base. Shared by lease and reserve.
 */
export type Pick =
  | { kind: 'existing'; lease: Lease }
  | { kind: 'wait' }
  | { kind: 'full'; detail: string }
  | UsablePick;

export type UsablePick = {
  kind: 'reuse' | 'create';
  name: string;
  path: string;
  token: string;
  knownHead: string | null;
  /** Set when the pick reserved the worktree outright (no claim): see `claimForUse`'s reserveFor. */
  reservation?: { reservationId: string; head: string };
};

/**
 * Under the lock: claims an available worktree, or a new name when below the maximum.
 * The claim is what makes a lease never double-assign: one claim per worktree, taken and
 * checked inside the same critical section. With `reserveFor`, a reused worktree is reserved
 * for that owner instead, in this same step, at the commit Grove last left it at.
 */
export async function claimForUse(core: PoolCore, state: PoolStateFile, op: ClaimOperation, identity: ProcessIdentity, skipped: Map<string, string>,
  holder?: string, reserveFor?: string, prefer?: string, warm?: ReadonlySet<string>): Promise<Pick> {
  const token = randomId();
  // The preferred worktree (the row a person leased from) first when it is usable; else by name.
  // Then one whose dependencies already match the base (`warm`, from src/core/ready: no refresh to wait for).
  const records = Object.values(state.worktrees).sort((a, b) => Number(b.name === prefer) - Number(a.name === prefer) ||
    Number(warm?.has(b.name) ?? false) - Number(warm?.has(a.name) ?? false) || byName(a, b));
  const available = records.find((record) => !record.lease && !record.reservation && !record.claim && !record.damaged && !skipped.has(record.name));
  if (available && reserveFor !== undefined && available.head !== null) {
    const reservation = core.reserve(available, reserveFor, identity, available.head);
    return { kind: 'reuse', name: available.name, path: available.path, token, knownHead: available.head, reservation };
  }
  if (available) {
    core.claim(available, op, token, identity, holder);
    return { kind: 'reuse', name: available.name, path: available.path, token, knownHead: available.head };
  }
  if (records.length >= core.max) {
    const counts = new Map<string, number>();
    for (const record of records) {
      const why = record.lease ? 'leased' : record.reservation || record.claim ? 'busy' : record.damaged ? 'damaged' : 'dirty or in use';
      counts.set(why, (counts.get(why) ?? 0) + 1);
    }
    return { kind: 'full', detail: [...counts].map(([why, count]) => `${count} ${why}`).join(', ') };
  }
  const rootReal = await core.ensureRoot();
  const name = nextName((candidate) => candidate in state.worktrees || existsSync(path.join(rootReal, candidate)));
  const worktreePath = path.join(rootReal, name);
  state.worktrees[name] = {
    name, path: worktreePath, root: rootReal, createdAt: core.now().toISOString(), head: null,
    lease: null, reservation: null, damaged: null, claim: null,
  };
  core.claim(state.worktrees[name], 'create', token, identity, holder);
  return { kind: 'create', name, path: worktreePath, token, knownHead: null };
}

/** The pool is full: says so, after a bad base (the caller's first problem) had its say. */
export async function refuseFull(core: PoolCore, detail: string, skipped: Map<string, string>, base: Promise<unknown>): Promise<never> {
  await base;
  const notes = [...skipped].map(([name, why]) => `${name}: ${why}`).join('; ');
  throw new GroveError('unavailable',
    `the pool is at its maximum of ${core.max} worktrees and none is available (${detail})${notes ? `; skipped ${notes}` : ''}`,
    'Return one (grove return NAME), destroy one (grove destroy NAME), or raise the maximum with --max N or GROVE_MAX.');
}

/**
 * Outside the lock, on a pick this process holds: waits for the base (giving the pick back if
 * it names no commit), then creates the worktree, or checks that a reused one is clean with
 * nobody inside and moves it to the base (unless `reset` is false). Returns null (pick given
 * back, worktree remembered in `skipped`) when a reused one turns out not to be usable.
 */
export async function readyPick(core: PoolCore, pick: UsablePick, basePromise: Promise<{ commit: string }>, reset: boolean, skipped: Map<string, string>): Promise<{ head: string } | null> {
  let base: string;
  try {
    base = (await basePromise).commit;
  } catch (error) {
    await abandonPick(core, pick);
    throw error;
  }
  if (pick.kind === 'create') return createWorktree(core, pick, base);
  const checked = await checkReusable(pick.path, pick.knownHead);
  if (typeof checked === 'string') {
    core.logger.info(`${pick.name} is not reusable now: ${checked}`);
    skipped.set(pick.name, checked);
    await abandonPick(core, pick);
    return null;
  }
  try {
    const { head, branch } = checked;
    if (!reset) return { head };
    if (branch !== null || head !== base) await checkoutDetached(pick.path, base);
    return { head: base };
  } catch (error) {
    skipped.set(pick.name, errorText(error));
    await abandonPick(core, pick);
    return null;
  }
}

async function createWorktree(core: PoolCore, pick: UsablePick, base: string): Promise<{ head: string }> {
  try {
    await addWorktreeSerially(core, pick.path, base);
    const copied = await copyWorktreeInclude(core.repo.mainWorktree, pick.path);
    if (copied.length) core.logger.info(`${pick.name}: copied ${copied.length} file(s) listed by .worktreeinclude`);
    if (core.postCreate) await core.postCreate(pick.path);
    return { head: base };
  } catch (error) {
    // Nobody's work can be in a worktree whose creation just failed (a failing post-checkout
    // hook, a full disk): it goes, so failures cannot fill the pool with damaged worktrees.
    // Only if it cannot be removed does it stay, marked damaged.
    const removed = await removeFailedCreation(core, pick.path);
    await core.mutate(async (state) => {
      const record = state.worktrees[pick.name];
      if (record?.claim?.token !== pick.token) return;
      record.claim = null;
      if (!removed && (await exists(pick.path))) {
        record.damaged = `creation failed: ${errorText(error)}`;
        record.incomplete = true;
      } else {
        delete state.worktrees[pick.name];
      }
    });
    throw asGroveError(error, `could not create worktree ${pick.name} in ${core.root}`);
  }
}

/**
 * `git worktree add` one at a time per repository: concurrent adds race inside git itself
 * (one reads another's half-made .git/worktrees/<name>, "failed to read ... commondir"). A small
 * lock of its own, not the pool lock: other pool operations go on meanwhile.
 */
export async function addWorktreeSerially(core: PoolCore, worktreePath: string, commit: string, force = false): Promise<void> {
  await withLock(core.repo.groveDir, () => addWorktree(core.repo.mainWorktree, worktreePath, commit, force),
    { name: ADD_LOCK_NAME, logger: core.logger, label: 'the worktree-add lock' });
}

const ADD_LOCK_NAME = 'worktree-add.lock';

async function removeFailedCreation(core: PoolCore, worktreePath: string): Promise<boolean> {
  if (!(await exists(worktreePath))) return true;
  try {
    await removeWorktree(core.repo.mainWorktree, worktreePath);
  } catch (error) {
    core.logger.warn(`could not remove the failed creation at ${worktreePath}: ${errorText(error)}`);
  }
  return !(await exists(worktreePath));
}

/** Gives back a pick made for nothing: a placeholder for a new worktree goes, a reused one is released. */
export async function abandonPick(core: PoolCore, pick: UsablePick): Promise<void> {
  await core.mutate(async (state) => {
    const record = state.worktrees[pick.name];
    if (!record) return;
    if (pick.reservation) {
      if (record.reservation?.reservationId === pick.reservation.reservationId) record.reservation = null;
      return;
    }
    if (record.claim?.token !== pick.token) return;
    if (pick.kind === 'create') delete state.worktrees[pick.name];
    else record.claim = null;
  });
}

/** The record of a pick this process still holds (by its claim, or its reservation). */
export function ownPick(core: PoolCore, state: PoolStateFile, pick: UsablePick): WorktreeRecord {
  if (!pick.reservation) return core.ownClaim(state, pick.name, pick.token);
  const record = state.worktrees[pick.name];
  if (!record || record.reservation?.reservationId !== pick.reservation.reservationId) {
    throw new GroveError('internal', `lost the reservation of ${pick.name} while preparing it`, 'Check `grove status`; then retry.');
  }
  return record;
}

/** Why a claimed, unleased worktree cannot be handed out now, or what it looks like if it can. */
async function checkReusable(worktreePath: string, knownHead: string | null): Promise<string | WorkInspection> {
  if (!(await exists(worktreePath))) return 'folder is missing';
  const real = await realOrSelf(worktreePath);
  const [inside, work] = await Promise.all([
    processesInside([real]).then((found) => found.get(real) ?? []),
    inspectWork(worktreePath, knownHead).catch((error: unknown) => `git cannot read it: ${errorText(error)}`),
  ]);
  if (inside.length > 0) return `processes inside: ${inside.join(', ')}`;
  if (typeof work === 'string') return work;
  return work.hasWork ? describeWork(work) : work;
}
