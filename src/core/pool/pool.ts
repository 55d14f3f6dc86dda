import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import type { RepositoryLocation } from '../git/repository';
import { withLock } from '../store/lock';
import { identifySelf, liveness, type ProcessIdentity } from '../util/liveness';
import { addWorktree, listWorktrees, pruneWorktreeRegistrations, removeWorktree } from '../git/worktrees';
import { checkoutDetached, inspectWork, readHead, resetKeepingIgnored, resolveCommit, type WorkInspection } from '../git/worktreeState';
import { parkWork, type ParkedWork } from '../git/park';
import { DefaultBaseCache } from '../git/defaultBaseCache';
import { heal } from './heal';
import { nextName, printable, validateHolder, validateName } from './names';
import { processesInside } from './processes';
import { rebuildFromDisk } from './recover';
import { emptyState, quarantineState, readState, writeState, type ClaimOperation, type PoolStateFile, type WorktreeRecord } from './state';
import { copyWorktreeInclude } from './worktreeInclude';

export const DEFAULT_MAX = 8;

export interface PoolOptions {
  repo: RepositoryLocation;
  /** Where worktrees are made; default `<mainWorktree>.grove`, a sibling of the repository. */
  root?: string;
  /** The most worktrees the pool makes; default 8. */
  max?: number;
  logger?: Logger;
  now?: () => Date;
  /** Runs in each newly created worktree before it is handed out (the editor's post-create hook). */
  postCreate?: (worktreePath: string) => Promise<void>;
}

export interface Lease {
  name: string;
  path: string;
  leaseId: string;
  holder: string;
  leasedAt: string;
  head: string;
  /** False when this call created the worktree; true when it existed before. */
  reused: boolean;
}

export interface ReturnOutcome {
  name: string;
  path: string;
  parkedRef?: string;
  restoreHint?: string;
}

export type DestroyOutcome = ReturnOutcome;

export interface PruneOutcome {
  removed: string[];
  wouldRemove: string[];
  staleRegistrations: string[];
  dryRun: boolean;
}

export type WorktreeState = 'available' | 'leased' | 'busy' | 'dirty' | 'damaged';

export interface WorktreeStatus {
  name: string;
  path: string;
  state: WorktreeState;
  holder: string | null;
  leaseId: string | null;
  leasedAt: string | null;
  head: string | null;
  branch: string | null;
  dirty: boolean;
  reservedBy: string | null;
  processes: number[];
  /** Why the worktree is damaged, busy or dirty, in words; null when available or plainly leased. */
  reason: string | null;
}

export interface Reservation {
  name: string;
  path: string;
  reservationId: string;
  owner: string;
  head: string;
}

export interface ReserveOptions {
  owner: string;
  base?: string;
  worktree?: string;
  leaseId?: string;
  reset?: boolean;
}

/** What a claim for use of a worktree decided, under the lock. */
type Pick =
  | { kind: 'existing'; lease: Lease }
  | { kind: 'wait' }
  | { kind: 'full'; detail: string }
  | { kind: 'reuse' | 'create'; name: string; path: string; token: string; knownHead: string | null; reservation?: { reservationId: string; head: string } };

const LEASE_ID = /^[0-9a-f]{32}$/;
const SAME_HOLDER_WAIT_MS = 100;
const SAME_HOLDER_WAIT_ROUNDS = 600;

/**
 * The warm worktree pool of one repository. Every read-modify-write of state.json happens
 * under the one pool lock; slow git work (creating, checking, resetting a worktree) happens
 * outside it, on a worktree this process has claimed under the lock, so many processes can
 * share a pool without waiting on each other's checkouts or ever getting the same worktree.
 */
export class WorktreePool {
  readonly root: string;
  readonly statePath: string;
  readonly max: number;
  private readonly repo: RepositoryLocation;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly postCreate?: (worktreePath: string) => Promise<void>;
  private readonly defaultBase: DefaultBaseCache;

  constructor(options: PoolOptions) {
    this.repo = options.repo;
    this.root = path.resolve(options.root ?? `${options.repo.mainWorktree}.grove`);
    this.statePath = path.join(options.repo.groveDir, 'state.json');
    this.max = options.max ?? DEFAULT_MAX;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.postCreate = options.postCreate;
    this.defaultBase = new DefaultBaseCache(options.repo.mainWorktree, options.repo.commonDir);
    if (!Number.isSafeInteger(this.max) || this.max < 1) {
      throw new GroveError('usage', `the pool maximum must be a whole number of at least 1, got ${this.max}`, 'Pass --max N or set GROVE_MAX.');
    }
    if (isInside(this.root, options.repo.mainWorktree) || isInside(this.root, options.repo.commonDir)) {
      throw new GroveError('usage', `the pool root ${this.root} is inside the repository`,
        'Worktrees must live outside the working tree: choose another folder with --root or GROVE_ROOT.');
    }
  }

  // ---------------------------------------------------------------- lease

  async lease(options: { holder: string; base?: string }): Promise<Lease> {
    const holder = validateHolder(options.holder);
    // Resolved while the first claim is made: both are on the path of every `grove lease`.
    const basePromise = this.resolveBase(options.base);
    basePromise.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
    const identity = await identifySelf();
    const skipped = new Map<string, string>();
    for (let round = 0; ; round++) {
      const pick = await this.mutate(async (state): Promise<Pick> => {
        const own = Object.values(state.worktrees).find((record) => record.lease?.holder === holder);
        if (own) return { kind: 'existing', lease: toLease(own, true) };
        const pending = Object.values(state.worktrees).some((record) => record.claim?.holder === holder);
        if (pending) return { kind: 'wait' };
        return this.claimForUse(state, 'lease', identity, skipped, holder);
      });
      if (pick.kind === 'existing') {
        this.logger.info(`${holder} already holds ${pick.lease.name}; returning that lease`);
        return pick.lease;
      }
      if (pick.kind === 'wait') {
        if (round >= SAME_HOLDER_WAIT_ROUNDS) throw new GroveError('unavailable', `another process is still leasing a worktree for ${holder}`, 'Retry in a moment.');
        await sleep(SAME_HOLDER_WAIT_MS);
        continue;
      }
      if (pick.kind === 'full') {
        await basePromise; // a bad --base is the caller's first problem
        throw this.poolFull(pick.detail, skipped);
      }
      let base: { commit: string };
      try {
        base = await basePromise;
      } catch (error) {
        await this.abandonPick(pick);
        throw error;
      }
      const prepared = await this.prepare(pick, base.commit, true, skipped);
      if (!prepared) continue;
      return this.mutate(async (state) => {
        const record = this.ownClaim(state, pick.name, pick.token);
        const leasedAt = this.now().toISOString();
        record.claim = null;
        record.head = prepared.head;
        record.lease = { leaseId: newId(), holder, leasedAt, head: prepared.head };
        this.logger.info(`leased ${record.name} to ${holder} at ${prepared.head.slice(0, 12)}`);
        return toLease(record, pick.kind === 'reuse');
      });
    }
  }

  // ---------------------------------------------------------------- return

  async returnWorktree(target: string, options: { ifLeaseId?: string; force?: boolean } = {}): Promise<ReturnOutcome> {
    if (options.ifLeaseId !== undefined) checkLeaseIdFormat(options.ifLeaseId);
    const targetPath = await targetAsPath(target);
    const identity = await identifySelf();
    const token = newId();
    const claimed = await this.mutate(async (state) => {
      const record = this.findRecord(state, target, targetPath);
      if (!record.lease) {
        throw new GroveError('refused', `${record.name} is not leased: there is nothing to return`, 'See `grove status`; it may have been returned already.');
      }
      if (options.ifLeaseId !== undefined && record.lease.leaseId !== options.ifLeaseId) {
        throw new GroveError('refused', `${record.name} is leased under another lease id than ${options.ifLeaseId} (holder: ${record.lease.holder})`,
          'Your lease ended (returned, or destroyed and leased again); nothing was changed.');
      }
      this.refuseIfBusy(record);
      if (record.reservation) {
        throw new GroveError('refused', `${record.name} has a task running in it (${record.reservation.owner})`,
          'Wait for the task to finish or cancel it, then return the worktree.');
      }
      record.claim = { op: 'return', token, identity, at: this.now().toISOString() };
      return { name: record.name, path: record.path, lease: { ...record.lease } };
    });
    const knownHead = claimed.lease.recovered ? null : claimed.lease.head;
    let parked: ParkedWork | undefined;
    let resetTo: string;
    try {
      if (!(await exists(claimed.path))) {
        throw new GroveError('refused', `${claimed.name}'s folder ${claimed.path} is missing: it cannot be reset for reuse`,
          `Drop it from the pool with: grove destroy --force ${claimed.name}`);
      }
      const work = await inspectWork(claimed.path, knownHead);
      resetTo = knownHead ?? work.head;
      if (work.hasWork) {
        if (!options.force) throw refuseWork(claimed.name, work, 'return');
        parked = await this.park(claimed.path, claimed.name);
        await resetKeepingIgnored(claimed.path, resetTo);
      } else if (work.branch !== null || work.head !== resetTo) {
        await checkoutDetached(claimed.path, resetTo);
      }
    } catch (error) {
      await this.releaseClaim(claimed.name, token);
      throw asGroveError(error, `could not return ${claimed.name}`);
    }
    await this.mutate(async (state) => {
      const record = this.ownClaim(state, claimed.name, token);
      record.claim = null;
      record.lease = null;
      record.head = resetTo;
    });
    this.logger.info(`returned ${claimed.name}${parked ? `; work parked under ${parked.ref}` : ''}`);
    return { name: claimed.name, path: claimed.path, ...(parked ? { parkedRef: parked.ref, restoreHint: parked.restoreHint } : {}) };
  }

  // ---------------------------------------------------------------- destroy

  async destroy(target: string, options: { force?: boolean } = {}): Promise<DestroyOutcome> {
    const targetPath = await targetAsPath(target);
    const identity = await identifySelf();
    const token = newId();
    const claimed = await this.mutate(async (state) => {
      const record = this.findRecord(state, target, targetPath);
      this.refuseIfBusy(record);
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
      record.claim = { op: 'destroy', token, identity, at: this.now().toISOString() };
      return { ...record };
    });
    let parked: ParkedWork | undefined;
    try {
      parked = await this.removeFromDisk(claimed, options.force === true);
    } catch (error) {
      await this.releaseClaim(claimed.name, token);
      throw asGroveError(error, `could not destroy ${claimed.name}`);
    }
    await this.mutate(async (state) => {
      this.ownClaim(state, claimed.name, token);
      delete state.worktrees[claimed.name];
    });
    this.logger.info(`destroyed ${claimed.name}${parked ? `; work parked under ${parked.ref}` : ''}`);
    return { name: claimed.name, path: claimed.path, ...(parked ? { parkedRef: parked.ref, restoreHint: parked.restoreHint } : {}) };
  }

  /**
   * Removes a claimed worktree's folder and registration, after making sure it is inside the
   * pool root (real paths: a symlink never leads it elsewhere) and holds no unparked work.
   */
  private async removeFromDisk(record: WorktreeRecord, force: boolean): Promise<ParkedWork | undefined> {
    const real = await fs.realpath(record.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (real === null) {
      await pruneWorktreeRegistrations(this.repo.mainWorktree);
      return undefined;
    }
    const rootReal = await fs.realpath(record.root).catch(() => record.root);
    if (path.dirname(real) !== rootReal || path.basename(real) !== record.name) {
      throw new GroveError('refused', `${record.name} resolves to ${real}, which is not a folder of the pool root ${rootReal}; not removing it`,
        'Grove only removes its own worktrees. Look at that folder and remove it yourself if it is junk.');
    }
    let parked: ParkedWork | undefined;
    if (!record.incomplete) {
      const knownHead = record.lease?.recovered ? null : record.lease?.head ?? record.reservation?.head ?? record.head;
      let work: WorkInspection;
      try {
        work = await inspectWork(real, knownHead);
      } catch (error) {
        throw new GroveError('refused', `git cannot read ${record.name} (${errorText(error)}); not removing what might be work`,
          `Look at ${real}, save what you need, and remove it with: git worktree remove --force ${real}`);
      }
      if (work.hasWork) {
        if (!force) throw refuseWork(record.name, work, 'destroy');
        parked = await this.park(real, record.name);
      }
    }
    try {
      await removeWorktree(this.repo.mainWorktree, real);
    } catch (error) {
      // An interrupted creation may have left a folder git never registered: it is ours and empty of work.
      if (!record.incomplete) throw error;
      await fs.rm(real, { recursive: true, force: true });
      await pruneWorktreeRegistrations(this.repo.mainWorktree);
    }
    return parked;
  }

  // ---------------------------------------------------------------- prune

  async prune(options: { yes?: boolean; keep?: number } = {}): Promise<PruneOutcome> {
    const keep = options.keep ?? 0;
    if (!Number.isSafeInteger(keep) || keep < 0) throw new GroveError('usage', `--keep expects a whole number of 0 or more, got ${keep}`);
    const dryRun = !options.yes;
    const identity = await identifySelf();
    const token = newId();
    // Claimed (for a real prune) so that nobody leases one while it is checked and removed.
    const candidates = await this.mutate(async (state) => {
      const idle = Object.values(state.worktrees)
        .filter((record) => !record.lease && !record.reservation && !record.claim)
        .sort(byName);
      if (!dryRun) for (const record of idle) record.claim = { op: 'destroy', token, identity, at: this.now().toISOString() };
      return idle.map((record) => ({ ...record }));
    });
    const stale = (await listWorktrees(this.repo.mainWorktree)).filter((entry) => entry.prunable !== null).map((entry) => entry.path);
    const doomed: WorktreeRecord[] = [];
    const keptClean: string[] = [];
    const processes = await processesInside(await Promise.all(candidates.map((record) => realOrSelf(record.path))));
    for (const record of candidates) {
      if (record.incomplete || !(await exists(record.path))) {
        doomed.push(record);
        continue;
      }
      if (record.damaged) continue;
      const real = await realOrSelf(record.path);
      if ((processes.get(real) ?? []).length > 0) continue;
      const work = await inspectWork(record.path, record.head, { readOnly: dryRun }).catch(() => null);
      if (!work || work.hasWork) continue;
      if (keptClean.length < keep) keptClean.push(record.name);
      else doomed.push(record);
    }
    const removed: string[] = [];
    if (!dryRun) {
      for (const record of doomed) {
        try {
          await this.removeFromDisk(record, false);
          removed.push(record.name);
        } catch (error) {
          this.logger.warn(`prune: kept ${record.name}: ${errorText(error)}`);
        }
      }
      if (stale.length > 0) await pruneWorktreeRegistrations(this.repo.mainWorktree);
      await this.mutate(async (state) => {
        for (const record of candidates) {
          const current = state.worktrees[record.name];
          if (current?.claim?.token !== token) continue;
          if (removed.includes(record.name)) delete state.worktrees[record.name];
          else current.claim = null;
        }
      });
    }
    return { removed, wouldRemove: doomed.map((record) => record.name), staleRegistrations: stale, dryRun };
  }

  // ---------------------------------------------------------------- status

  async status(): Promise<WorktreeStatus[]> {
    const state = await this.mutate(async (current) => structuredClone(current));
    const records = Object.values(state.worktrees).sort(byName);
    const reals = await Promise.all(records.map((record) => realOrSelf(record.path)));
    const inside = await processesInside(reals);
    return Promise.all(records.map((record, index) => this.describe(record, inside.get(reals[index]) ?? [])));
  }

  private async describe(record: WorktreeRecord, processes: number[]): Promise<WorktreeStatus> {
    const base: WorktreeStatus = {
      name: record.name, path: record.path, state: 'available',
      holder: record.lease?.holder ?? null, leaseId: record.lease?.leaseId ?? null, leasedAt: record.lease?.leasedAt ?? null,
      head: null, branch: null, dirty: false, reservedBy: record.reservation?.owner ?? null, processes, reason: null,
    };
    let damaged = record.damaged;
    if (!damaged && !(await exists(record.path))) damaged = 'folder is missing';
    if (!damaged && record.claim?.op !== 'create') {
      try {
        const knownHead = record.lease?.recovered ? null : record.reservation?.head ?? record.lease?.head ?? record.head;
        const work = await inspectWork(record.path, knownHead, { readOnly: true });
        base.head = work.head;
        base.branch = work.branch;
        base.dirty = work.hasWork;
        if (work.hasWork) base.reason = describeWork(work);
      } catch (error) {
        damaged = `git cannot read it: ${errorText(error)}`;
      }
    }
    if (damaged) return { ...base, state: 'damaged', reason: damaged };
    if (record.claim) return { ...base, state: 'busy', reason: `${record.claim.op} in progress (pid ${record.claim.identity.pid})` };
    if (record.reservation) return { ...base, state: 'busy', reason: `task running (${record.reservation.owner})` };
    if (record.lease) return { ...base, state: 'leased' };
    if (base.dirty) return { ...base, state: 'dirty' };
    if (processes.length > 0) return { ...base, state: 'busy', reason: `processes inside: ${processes.join(', ')}` };
    return base;
  }

  /**
   * The lease a worktree is under, from the state file alone (no lock, no git): for callers
   * that only need the lease id, where `status()` would inspect every worktree.
   */
  async leaseOf(name: string): Promise<Lease | null> {
    const record = (await this.readOnly()).worktrees[validateName(name)];
    return record?.lease ? toLease(record, true) : null;
  }

  // ---------------------------------------------------------------- reservations (engine)

  /** A short-lived hold by this live process: heal clears it when the process dies. */
  async reserve(options: ReserveOptions): Promise<Reservation> {
    const owner = options.owner?.trim();
    if (!owner) throw new GroveError('usage', 'a reservation needs an owner (e.g. "slot-2")');
    if (options.leaseId !== undefined) checkLeaseIdFormat(options.leaseId);
    if (options.worktree !== undefined) return this.reserveNamed(owner, validateName(options.worktree), options);
    // Resolved while the lock is awaited: it is on the path of every task.
    const basePromise = this.resolveBase(options.base);
    basePromise.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
    const identity = await identifySelf();
    const reset = options.reset !== false;
    const skipped = new Map<string, string>();
    for (;;) {
      // A reused worktree is reserved in this same locked step (no separate claim to clear
      // afterwards): the reservation keeps everyone else off it while it is checked and reset.
      const pick = await this.mutate(async (state) => this.claimForUse(state, 'reserve', identity, skipped, undefined, owner));
      if (pick.kind === 'full') {
        await basePromise;
        throw this.poolFull(pick.detail, skipped);
      }
      if (pick.kind !== 'reuse' && pick.kind !== 'create') continue;
      let base: { commit: string };
      try {
        base = await basePromise;
      } catch (error) {
        await this.abandonPick(pick);
        throw error;
      }
      const prepared = await this.prepare(pick, base.commit, reset, skipped);
      if (!prepared) continue;
      if (pick.reservation && pick.reservation.head === prepared.head) {
        return { name: pick.name, path: pick.path, reservationId: pick.reservation.reservationId, owner, head: prepared.head };
      }
      // A new worktree, or HEAD is not where the reservation said (the base moved, or no reset):
      // one more locked step records where the task starts.
      return this.mutate(async (state) => {
        const record = this.ownPick(state, pick);
        record.claim = null;
        record.head = prepared.head;
        if (record.reservation) {
          record.reservation.head = prepared.head;
          return { name: record.name, path: record.path, reservationId: record.reservation.reservationId, owner, head: prepared.head };
        }
        return this.setReservation(record, owner, identity, prepared.head);
      });
    }
  }

  private async reserveNamed(owner: string, name: string, options: ReserveOptions): Promise<Reservation> {
    const reset = options.reset === true;
    const identity = await identifySelf();
    const token = newId();
    const checkable = await this.mutate(async (state) => {
      const record = state.worktrees[name];
      if (!record) throw new GroveError('usage', `no worktree named ${name} in the pool`, 'See `grove status` for the names.');
      this.refuseIfBusy(record);
      if (record.reservation) {
        throw new GroveError('unavailable', `${name} is reserved by ${record.reservation.owner}`, 'Wait for that task to finish.');
      }
      if (record.damaged) throw new GroveError('refused', `${name} is damaged: ${record.damaged}`, `Destroy it: grove destroy ${name}`);
      if (record.lease && record.lease.leaseId !== options.leaseId) {
        throw new GroveError('refused', `${name} is leased by ${record.lease.holder}`,
          options.leaseId ? 'The lease id given is not that lease\'s: the lease ended.' : 'Pass that lease\'s id to work inside it.');
      }
      if (!record.lease && options.leaseId !== undefined) {
        throw new GroveError('refused', `${name} is no longer leased under ${options.leaseId}`, 'The lease ended; nothing was changed.');
      }
      record.claim = { op: 'reserve', token, identity, at: this.now().toISOString() };
      return { path: record.path, knownHead: record.lease?.recovered ? null : record.lease?.head ?? record.head };
    });
    let head: string;
    try {
      if (reset) {
        const base = await this.resolveBase(options.base);
        const work = await inspectWork(checkable.path, checkable.knownHead);
        if (work.hasWork) throw refuseWork(name, work, 'reset');
        if (work.branch !== null || work.head !== base.commit) await checkoutDetached(checkable.path, base.commit);
        head = base.commit;
      } else {
        head = (await readHead(checkable.path)).head;
      }
    } catch (error) {
      await this.releaseClaim(name, token);
      throw asGroveError(error, `could not reserve ${name}`);
    }
    return this.mutate(async (state) => {
      const record = this.ownClaim(state, name, token);
      record.claim = null;
      if (reset && !record.lease) record.head = head;
      return this.setReservation(record, owner, identity, head);
    });
  }

  private setReservation(record: WorktreeRecord, owner: string, identity: ProcessIdentity, head: string): Reservation {
    const reservationId = newId();
    record.reservation = { reservationId, owner, identity, at: this.now().toISOString(), head };
    return { name: record.name, path: record.path, reservationId, owner, head };
  }

  /**
   * Ends a reservation. Work left in the worktree (changes, untracked files, HEAD moved) is
   * kept: the worktree becomes a durable lease of `holderIfWorkLeft` unless already leased.
   */
  async releaseReservation(options: { name: string; reservationId: string; holderIfWorkLeft: string }): Promise<{ lease: Lease | null }> {
    const name = validateName(options.name);
    const holder = validateHolder(options.holderIfWorkLeft);
    const current = await this.readOnly();
    const record = current.worktrees[name];
    if (!record?.reservation || record.reservation.reservationId !== options.reservationId) {
      this.logger.warn(`release: ${name} has no reservation ${options.reservationId} (already released?)`);
      return { lease: record?.lease ? toLease(record, true) : null };
    }
    const reservedAt = record.reservation.head;
    let workLeft = true;
    let headNow: string | null = null;
    // Inside a lease the work stays with the lease whatever it is: no need to look.
    if (!record.lease) {
      try {
        const work = await inspectWork(record.path, reservedAt, { readOnly: true });
        headNow = work.head;
        workLeft = work.hasWork || work.head !== reservedAt;
      } catch (error) {
        // Cannot look: keep it held rather than hand out what may be work.
        this.logger.warn(`release: cannot inspect ${name} (${errorText(error)}); keeping it leased`);
      }
    }
    return this.mutate(async (state) => {
      const live = state.worktrees[name];
      if (!live?.reservation || live.reservation.reservationId !== options.reservationId) {
        return { lease: live?.lease ? toLease(live, true) : null };
      }
      live.reservation = null;
      if (live.lease) return { lease: toLease(live, true) };
      if (workLeft) {
        live.lease = { leaseId: newId(), holder, leasedAt: this.now().toISOString(), head: reservedAt };
        this.logger.info(`release: ${name} has work left; leased to ${holder}`);
        return { lease: toLease(live, true) };
      }
      if (headNow) live.head = headNow;
      return { lease: null };
    });
  }

  // ---------------------------------------------------------------- shared steps

  /**
   * Under the lock: claims an available worktree, or a new name when below the maximum.
   * The claim is what makes a lease never double-assign: one claim per worktree, taken and
   * checked inside the same critical section.
   */
  private async claimForUse(state: PoolStateFile, op: ClaimOperation, identity: ProcessIdentity, skipped: Map<string, string>, holder?: string, reserveFor?: string): Promise<Pick> {
    const at = this.now().toISOString();
    const token = newId();
    const records = Object.values(state.worktrees).sort(byName);
    const available = records.find((record) => !record.lease && !record.reservation && !record.claim && !record.damaged && !skipped.has(record.name));
    if (available && reserveFor !== undefined && available.head !== null) {
      const reservation = this.setReservation(available, reserveFor, identity, available.head);
      return { kind: 'reuse', name: available.name, path: available.path, token, knownHead: available.head, reservation };
    }
    if (available) {
      available.claim = { op, token, identity, at, ...(holder ? { holder } : {}) };
      return { kind: 'reuse', name: available.name, path: available.path, token, knownHead: available.head };
    }
    if (records.length >= this.max) {
      const counts = new Map<string, number>();
      for (const record of records) {
        const why = record.lease ? 'leased' : record.reservation || record.claim ? 'busy' : record.damaged ? 'damaged' : 'dirty or in use';
        counts.set(why, (counts.get(why) ?? 0) + 1);
      }
      return { kind: 'full', detail: [...counts].map(([why, count]) => `${count} ${why}`).join(', ') };
    }
    const rootReal = await this.ensureRoot();
    const name = nextName((candidate) => candidate in state.worktrees || existsSync(path.join(rootReal, candidate)));
    const worktreePath = path.join(rootReal, name);
    state.worktrees[name] = {
      name, path: worktreePath, root: rootReal, createdAt: at, head: null,
      lease: null, reservation: null, damaged: null,
      claim: { op: 'create', token, identity, at, ...(holder ? { holder } : {}) },
    };
    return { kind: 'create', name, path: worktreePath, token, knownHead: null };
  }

  /**
   * Outside the lock, on a claimed worktree: creates it, or checks that a reused one is
   * clean with nobody inside and moves it to `base`. Returns null (claim released, worktree
   * remembered in `skipped`) when a reused one turns out not to be usable.
   */
  private async prepare(pick: Extract<Pick, { kind: 'reuse' | 'create' }>, base: string, reset: boolean, skipped: Map<string, string>): Promise<{ head: string } | null> {
    if (pick.kind === 'create') {
      try {
        await addWorktree(this.repo.mainWorktree, pick.path, base);
        const copied = await copyWorktreeInclude(this.repo.mainWorktree, pick.path);
        if (copied.length) this.logger.info(`${pick.name}: copied ${copied.length} file(s) listed by .worktreeinclude`);
        if (this.postCreate) await this.postCreate(pick.path);
        return { head: base };
      } catch (error) {
        await this.mutate(async (state) => {
          const record = state.worktrees[pick.name];
          if (record?.claim?.token !== pick.token) return;
          record.claim = null;
          if (await exists(pick.path)) {
            record.damaged = `creation failed: ${errorText(error)}`;
            record.incomplete = true;
          } else {
            delete state.worktrees[pick.name];
          }
        });
        throw asGroveError(error, `could not create worktree ${pick.name} in ${this.root}`);
      }
    }
    const checked = await this.checkReusable(pick.path, pick.knownHead);
    if (typeof checked === 'string') {
      this.logger.info(`${pick.name} is not reusable now: ${checked}`);
      skipped.set(pick.name, checked);
      await this.abandonPick(pick);
      return null;
    }
    try {
      const { head, branch } = checked;
      if (!reset) return { head };
      if (branch !== null || head !== base) await checkoutDetached(pick.path, base);
      return { head: base };
    } catch (error) {
      skipped.set(pick.name, errorText(error));
      await this.abandonPick(pick);
      return null;
    }
  }

  /** Gives back a pick made for nothing: a placeholder for a new worktree goes, a reused one is released. */
  private async abandonPick(pick: Extract<Pick, { kind: 'reuse' | 'create' }>): Promise<void> {
    await this.mutate(async (state) => {
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
  private ownPick(state: PoolStateFile, pick: Extract<Pick, { kind: 'reuse' | 'create' }>): WorktreeRecord {
    if (!pick.reservation) return this.ownClaim(state, pick.name, pick.token);
    const record = state.worktrees[pick.name];
    if (!record || record.reservation?.reservationId !== pick.reservation.reservationId) {
      throw new GroveError('internal', `lost the reservation of ${pick.name} while preparing it`, 'Check `grove status`; then retry.');
    }
    return record;
  }

  /** Why a claimed, unleased worktree cannot be handed out now, or what it looks like if it can. */
  private async checkReusable(worktreePath: string, knownHead: string | null): Promise<string | WorkInspection> {
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

  private async resolveBase(ref?: string): Promise<{ ref: string; commit: string }> {
    if (ref === undefined) return this.defaultBase.get();
    // eslint-disable-next-line no-control-regex
    if (ref.trim() === '' || ref.startsWith('-') || /[\u0000-\u001f\u007f]/.test(ref)) {
      throw new GroveError('usage', `"${printable(ref)}" is not a usable base ref`, 'Pass a branch, tag or commit with --base.');
    }
    const commit = await resolveCommit(this.repo.mainWorktree, ref);
    if (!commit) throw new GroveError('usage', `--base ${printable(ref)} names no commit in this repository`, 'Pass an existing branch, tag or commit (git branch -a lists branches).');
    return { ref, commit };
  }

  private async ensureRoot(): Promise<string> {
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.access(this.root, fs.constants.W_OK);
      return await fs.realpath(this.root);
    } catch (error) {
      throw new GroveError('usage', `cannot create worktrees in ${this.root}: ${errorText(error)}`,
        'Choose a writable folder for the pool with --root DIR or GROVE_ROOT.', { cause: error });
    }
  }

  private async park(worktreePath: string, name: string): Promise<ParkedWork> {
    const parked = await parkWork(worktreePath, name, this.now(), path.join(this.repo.groveDir, 'tmp'));
    this.logger.warn(`${name}: work parked under ${parked.ref}`);
    return parked;
  }

  private poolFull(detail: string, skipped: Map<string, string>): GroveError {
    const notes = [...skipped].map(([name, why]) => `${name}: ${why}`).join('; ');
    return new GroveError('unavailable',
      `the pool is at its maximum of ${this.max} worktrees and none is available (${detail})${notes ? `; skipped ${notes}` : ''}`,
      'Return one (grove return NAME), destroy one (grove destroy NAME), or raise the maximum with --max N or GROVE_MAX.');
  }

  private refuseIfBusy(record: WorktreeRecord): void {
    if (record.claim) {
      throw new GroveError('refused', `${record.name} is busy: another grove process (pid ${record.claim.identity.pid}) is running ${record.claim.op} on it`,
        'Retry in a moment.');
    }
  }

  private findRecord(state: PoolStateFile, target: string, targetPath: string | null): WorktreeRecord {
    if (targetPath === null) {
      const record = state.worktrees[validateName(target)];
      if (!record) throw new GroveError('usage', `no worktree named ${target} in the pool`, 'See `grove status` for the names, or pass the worktree\'s path.');
      return record;
    }
    const record = Object.values(state.worktrees).find((candidate) => targetPath === candidate.path || targetPath.startsWith(candidate.path + path.sep));
    if (!record) {
      throw new GroveError('usage', `${printable(targetPath)} is not a worktree of this pool (pool root: ${this.root})`,
        'Pass a name or path from `grove status`.');
    }
    return record;
  }

  private ownClaim(state: PoolStateFile, name: string, token: string): WorktreeRecord {
    const record = state.worktrees[name];
    if (!record || record.claim?.token !== token) {
      throw new GroveError('internal', `lost the claim on ${name} while working on it`, 'Check `grove status`; then retry.');
    }
    return record;
  }

  private async releaseClaim(name: string, token: string): Promise<void> {
    await this.mutate(async (state) => {
      const record = state.worktrees[name];
      if (record?.claim?.token === token) record.claim = null;
    });
  }

  /** The state as it is, without the lock (for a first look before locking). */
  private async readOnly(): Promise<PoolStateFile> {
    const loaded = await readState(this.statePath);
    return loaded.kind === 'ok' ? loaded.state : emptyState();
  }

  /**
   * One locked read-modify-write: load (quarantining and rebuilding an unreadable file), heal,
   * run `work`, and write only if something changed. Nothing is written when `work` throws.
   */
  private mutate<T>(work: (state: PoolStateFile) => Promise<T>): Promise<T> {
    return withLock(this.repo.groveDir, async (lock) => {
      const { state, mustWrite } = await this.load();
      const before = JSON.stringify(state);
      await heal(state, liveness, this.logger);
      const result = await work(state);
      if (mustWrite || JSON.stringify(state) !== before) {
        lock.assertHeld();
        await writeState(this.statePath, state);
      }
      return result;
    });
  }

  private async load(): Promise<{ state: PoolStateFile; mustWrite: boolean }> {
    const loaded = await readState(this.statePath);
    if (loaded.kind === 'ok') return { state: loaded.state, mustWrite: false };
    const now = this.now();
    if (loaded.kind === 'corrupt') {
      const aside = await quarantineState(this.statePath, now);
      const state = await rebuildFromDisk(this.repo.mainWorktree, this.root, now);
      this.logger.error(`state.json was unreadable (${loaded.reason}); kept it as ${aside} and rebuilt the pool from disk: ` +
        `${Object.keys(state.worktrees).length} worktree(s), each leased to "recovered: check before reuse"`);
      return { state, mustWrite: true };
    }
    // No state yet. Worktrees already under the root (state.json deleted by hand) are adopted
    // as recovered leases rather than forgotten.
    const state = (await exists(this.root)) ? await rebuildFromDisk(this.repo.mainWorktree, this.root, now) : emptyState();
    if (Object.keys(state.worktrees).length) this.logger.warn(`state.json was missing; adopted ${Object.keys(state.worktrees).length} worktree(s) found under ${this.root} as recovered leases`);
    return { state, mustWrite: Object.keys(state.worktrees).length > 0 };
  }
}

// ------------------------------------------------------------------ helpers

function toLease(record: WorktreeRecord, reused: boolean): Lease {
  const lease = record.lease!;
  return { name: record.name, path: record.path, leaseId: lease.leaseId, holder: lease.holder, leasedAt: lease.leasedAt, head: lease.head, reused };
}

function newId(): string {
  return randomBytes(16).toString('hex');
}

function checkLeaseIdFormat(leaseId: string): void {
  if (!LEASE_ID.test(leaseId)) {
    throw new GroveError('usage', `"${printable(leaseId)}" is not a lease id (32 hexadecimal characters)`, 'Use the leaseId that `grove lease --json` printed.');
  }
}

/** A target with a path separator (or "." ) is a path, resolved to a real path; otherwise a name. */
async function targetAsPath(target: string): Promise<string | null> {
  if (!target.includes('/') && !target.includes('\\') && target !== '.') return null;
  const absolute = path.resolve(target);
  return fs.realpath(absolute).catch(() => absolute);
}

function refuseWork(name: string, work: WorkInspection, action: 'return' | 'destroy' | 'reset'): GroveError {
  const flag = action === 'reset' ? 'commit or park it first' : `pass --force to park it under refs/grove/parked/${name}/<time> and ${action} anyway`;
  return new GroveError('refused', `${name} has work that would be lost: ${describeWork(work)}`,
    `Commit it on a branch (or stash it), or ${flag}.`);
}

function describeWork(work: WorkInspection): string {
  const parts: string[] = [];
  const untracked = work.changed.filter((line) => line.startsWith('??')).length;
  const changed = work.changed.length - untracked;
  if (changed) parts.push(`${changed} changed file(s)`);
  if (untracked) parts.push(`${untracked} untracked file(s)`);
  if (work.unparkedCommits) parts.push(`${work.unparkedCommits} commit(s) on no branch`);
  return parts.join(', ');
}

function asGroveError(error: unknown, doing: string): GroveError {
  if (error instanceof GroveError) return error;
  return new GroveError('internal', `${doing}: ${errorText(error)}`, 'Check `grove status`; nothing was discarded.', { cause: error });
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? ((error as { reason?: string }).reason ?? error.message) : String(error);
  return text.trim().split('\n')[0];
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative));
}

/** wt-2 before wt-10. (Not localeCompare: building an ICU collator costs 30 ms of a 100 ms CLI call.) */
function byName(a: WorktreeRecord, b: WorktreeRecord): number {
  const [, aStem, aNumber] = /^(.*?)(\d*)$/.exec(a.name)!;
  const [, bStem, bNumber] = /^(.*?)(\d*)$/.exec(b.name)!;
  if (aStem !== bStem) return aStem < bStem ? -1 : 1;
  const difference = Number(aNumber || -1) - Number(bNumber || -1);
  return difference !== 0 ? difference : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

async function realOrSelf(file: string): Promise<string> {
  return fs.realpath(file).catch(() => file);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
