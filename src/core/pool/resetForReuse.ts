import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { parkWorkKeepingIndex, type ParkedWork } from '../git/park';
import { parkStashes } from '../git/stashes';
import { switchParkedTo } from '../git/switchParked';
import { holdFiles, lateVersions, parkLateVersions, releaseHeld } from '../git/lateWrites';
import { checkoutDetached, inspectWork, type WorkInspection } from '../git/worktreeState';
import type { PoolCore } from './core';
import { describeWork } from './refusals';

/**
 * Park-and-switch rounds before giving up on a worktree that keeps changing under us, with a
 * growing pause before each later round (0.1 s, 0.2 s, 0.4 s, 0.8 s: 1.5 s in all) so that a
 * short burst of writes can end.
 */
const ROUNDS = 5;
const FIRST_PAUSE_MS = 100;

/**
 * `return --force`: parks the work and moves the worktree to `resetTo`, losing nothing that
 * was written before the switch. Each round parks what is there, then switches only what was
 * parked (switchParked.ts); anything written meanwhile is found by the next look and parked in
 * the next round. A worktree that is still changing after the last round is refused, the lease
 * kept, with everything seen so far parked and everything since left in place.
 */
export async function parkAndReset(core: PoolCore, worktree: string, name: string, resetTo: string, first: WorkInspection): Promise<ParkedWork[]> {
  const parked: ParkedWork[] = [];
  let work = first;
  let lastFailure: string | null = null;
  for (let round = 0; round < ROUNDS && work.hasWork; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, FIRST_PAUSE_MS * 2 ** (round - 1)));
    if (work.stashes.length) {
      const stashes = await parkStashes(worktree, name, core.now(), work.stashes);
      parked.push({ ref: stashes.refs[0], commit: work.stashes[0].commit, head: work.head, branch: work.branch, restoreHint: stashes.restoreHint });
    }
    if (work.changed.length > 0 || work.unparkedCommits > 0) lastFailure = await parkAndSwitch(core, worktree, name, resetTo, parked);
    work = await inspectWork(worktree, resetTo, { stashes: { commonDir: core.repo.commonDir } });
  }
  if (work.hasWork) {
    throw new GroveError('refused', `${name} kept changing while it was reset (${describeWork(work)} after ${ROUNDS} rounds${lastFailure ? `; git: ${lastFailure}` : ''}); ` +
      `the lease is kept`, `Is something writing there from outside? What was there is parked under ${parked.map((entry) => entry.ref).join(', ') || 'nothing yet'}; ` +
      'nothing written since was removed. Stop the writer, then return it again.');
  }
  if (work.branch !== null || work.head !== resetTo) await checkoutDetached(worktree, resetTo);
  for (const entry of parked) core.logger.info(`${name}: work parked under ${entry.ref}`); // callers report it (see parking.ts)
  return parked;
}

/** One round: park, then switch to `resetTo` what was parked. Returns git's reason when the switch was refused. */
async function parkAndSwitch(core: PoolCore, worktree: string, name: string, resetTo: string, parked: ParkedWork[]): Promise<string | null> {
  const scratchDir = path.join(core.repo.groveDir, 'tmp');
  const parkedAt = Date.now();
  const { parked: entry, scratchIndex, tree } = await parkWorkKeepingIndex(worktree, name, core.now(), scratchDir);
  parked.push(entry);
  const held = await holdFiles(worktree, tree, resetTo, scratchDir);
  try {
    const failure = await switchParkedTo(worktree, scratchIndex, tree, resetTo);
    // A refused switch wrote nothing: what was written since is still in place for the next round.
    if (failure) return failure;
    const late = await lateVersions(worktree, held, tree, parkedAt);
    if (late.length) parked.push(await parkLateVersions(worktree, name, core.now(), entry, tree, late, scratchDir));
    return null;
  } finally {
    await Promise.all([fs.rm(scratchIndex, { force: true }), releaseHeld(held)]);
  }
}

/** Several parkings as one outcome: the first ref, and every hint. */
export function mergeParked(parked: ParkedWork[]): ParkedWork | undefined {
  if (parked.length <= 1) return parked[0];
  return { ...parked[0], restoreHint: parked.map((entry) => entry.restoreHint).join('\n') };
}
