import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import type { RepositoryLocation } from '../git/repository';
import { withLock } from '../store/lock';
import type { FencedDocument } from '../store/fencedJson';
import { liveness, type ProcessIdentity } from '../util/liveness';
import { resolveCommit } from '../git/worktreeState';
import { DefaultBaseCache } from '../git/defaultBaseCache';
import { parkWork, type ParkedWork } from '../git/park';
import { heal } from './heal';
import { CONTROL_CHARACTERS, printable, validateName } from './names';
import { isInside, makeFolders, onVirtualFileSystem } from './paths';
import { asGroveError, errorText } from './refusals';
import { loadForUpdate } from './load';
import { emptyState, loadState, stateDocument, writeState, type ClaimOperation, type PoolStateFile, type WorktreeRecord } from './state';
import { DEFAULT_MAX, type Lease, type PoolOptions, type Reservation, type ReturnOutcome } from './types';
import { randomId } from '../util/ids';
import type { ReadyContext } from '../ready/prepare';

/**
 * What every pool operation shares: the pool's settings, and access to state.json. Every
 * read-modify-write happens in `mutate`, under the one pool lock; slow git work happens
 * outside it, on a worktree this process holds by a claim (or a reservation) taken under the
 * lock, so many processes can share a pool without waiting on each other's checkouts or ever
 * getting the same worktree.
 */
export class PoolCore {
  readonly root: string;
  readonly statePath: string;
  readonly document: FencedDocument;
  readonly max: number;
  readonly repo: RepositoryLocation;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly postCreate?: (worktreePath: string) => Promise<void>;
  private readonly defaultBase: DefaultBaseCache;
  /** For src/core/ready: setup/refresh/teardown and ports. */
  readonly ready: ReadyContext;

  constructor(options: PoolOptions) {
    this.repo = options.repo;
    this.root = path.resolve(options.root ?? `${options.repo.mainWorktree}.grove`);
    this.document = stateDocument(options.repo.groveDir);
    this.statePath = this.document.mirror;
    this.max = options.max ?? DEFAULT_MAX;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.postCreate = options.postCreate;
    this.ready = { mainWorktree: options.repo.mainWorktree, groveDir: options.repo.groveDir, logger: this.logger, options: options.ready ?? {} };
    this.defaultBase = new DefaultBaseCache(options.repo.mainWorktree, options.repo.commonDir);
    if (!Number.isSafeInteger(this.max) || this.max < 1) {
      throw new GroveError('usage', `the pool maximum must be a whole number of at least 1, got ${this.max}`, 'Pass --max N or set GROVE_MAX.');
    }
    const virtual = onVirtualFileSystem(this.root);
    if (virtual) {
      throw new GroveError('usage', `the pool root ${this.root} is under ${virtual}, a kernel file system where no worktree can be made`,
        'Choose a folder on a real disk with --root DIR or GROVE_ROOT.');
    }
    if (isInside(this.root, options.repo.mainWorktree) || isInside(this.root, options.repo.commonDir)) {
      throw new GroveError('usage', `the pool root ${this.root} is inside the repository`,
        'Worktrees must live outside the working tree: choose another folder with --root or GROVE_ROOT.');
    }
  }

  /**
   * One locked read-modify-write: load (quarantining and rebuilding an unreadable file), heal,
   * run `work`, and write only if something changed. Nothing is written when `work` throws.
   */
  mutate<T>(work: (state: PoolStateFile) => Promise<T>): Promise<T> {
    return withLock(this.repo.groveDir, async (lock) => {
      const { state, mustWrite } = await loadForUpdate({ repo: this.repo, root: this.root, document: this.document, logger: this.logger, now: this.now() }, lock);
      const before = JSON.stringify(state);
      await heal(state, liveness, this.logger);
      const result = await work(state);
      if (mustWrite || JSON.stringify(state) !== before) await writeState(this.document, lock, state);
      return result;
    }, { logger: this.logger });
  }

  /** The state as it is, without the lock (for a first look before locking). */
  async readOnly(): Promise<PoolStateFile> {
    const loaded = await loadState(this.document);
    return loaded.kind === 'ok' || loaded.kind === 'partly' ? loaded.state : emptyState();
  }

  /** Marks a record as worked on by this process: nobody else touches it until the claim is cleared. */
  claim(record: WorktreeRecord, op: ClaimOperation, token: string, identity: ProcessIdentity, holder?: string): void {
    record.claim = { op, token, identity, at: this.now().toISOString(), ...(holder ? { holder } : {}) };
  }

  /** Reserves a record for `owner`, a live process's short-lived hold (heal clears it when the process dies). */
  reserve(record: WorktreeRecord, owner: string, identity: ProcessIdentity, head: string): Reservation {
    const reservationId = randomId();
    record.reservation = { reservationId, owner, identity, at: this.now().toISOString(), head };
    return { name: record.name, path: record.path, reservationId, owner, head };
  }

  ownClaim(state: PoolStateFile, name: string, token: string): WorktreeRecord {
    const record = state.worktrees[name];
    if (!record || record.claim?.token !== token) {
      throw new GroveError('internal', `lost the claim on ${name} while working on it`, 'Check `grove status`; then retry.');
    }
    return record;
  }

  async releaseClaim(name: string, token: string): Promise<void> {
    await this.mutate(async (state) => {
      const record = state.worktrees[name];
      if (record?.claim?.token === token) record.claim = null;
    });
  }

  /**
   * Runs the slow, unlocked part of an operation on a worktree this process claimed. If it
   * fails, the claim is given back (nothing else changed) and the failure says what was being done.
   */
  async whileClaimed<T>(name: string, token: string, doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.releaseClaim(name, token);
      throw asGroveError(error, doing);
    }
  }

  refuseIfBusy(record: WorktreeRecord): void {
    if (record.claim) {
      throw new GroveError('refused', `${record.name} is busy: another grove process (pid ${record.claim.identity.pid}) is running ${record.claim.op} on it`,
        'Retry in a moment.');
    }
  }

  /** The record a user's target (a name, or a path inside a worktree) means. */
  findRecord(state: PoolStateFile, target: string, targetPath: string | null): WorktreeRecord {
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

  async resolveBase(ref?: string): Promise<{ ref: string; commit: string }> {
    if (ref === undefined) return this.defaultBase.get();
    if (ref.trim() === '' || ref.startsWith('-') || CONTROL_CHARACTERS.test(ref)) {
      throw new GroveError('usage', `"${printable(ref)}" is not a usable base ref`, 'Pass a branch, tag or commit with --base.');
    }
    const commit = await resolveCommit(this.repo.mainWorktree, ref);
    if (!commit) throw new GroveError('usage', `--base ${printable(ref)} names no commit in this repository`, 'Pass an existing branch, tag or commit (git branch -a lists branches).');
    return { ref, commit };
  }

  async ensureRoot(): Promise<string> {
    try {
      await makeFolders(this.root);
      await fs.access(this.root, fs.constants.W_OK);
      return await fs.realpath(this.root);
    } catch (error) {
      throw new GroveError('usage', `cannot create worktrees in ${this.root}: ${errorText(error)}`,
        'Choose a writable folder for the pool with --root DIR or GROVE_ROOT.', { cause: error });
    }
  }

  async park(worktreePath: string, name: string): Promise<ParkedWork> {
    const parked = await parkWork(worktreePath, name, this.now(), path.join(this.repo.groveDir, 'tmp'));
    this.logger.info(`${name}: work parked under ${parked.ref}`); // callers report it (see parking.ts)
    return parked;
  }
}

export function toLease(record: WorktreeRecord, reused: boolean): Lease {
  const lease = record.lease!;
  return { name: record.name, path: record.path, leaseId: lease.leaseId, holder: lease.holder, leasedAt: lease.leasedAt, head: lease.head, reused };
}


/** wt-2 before wt-10. (Not localeCompare: building an ICU collator costs 30 ms of a 100 ms CLI call.) */
export function byName(a: WorktreeRecord, b: WorktreeRecord): number {
  const [, aStem, aNumber] = /^(.*?)(\d*)$/.exec(a.name)!;
  const [, bStem, bNumber] = /^(.*?)(\d*)$/.exec(b.name)!;
  if (aStem !== bStem) return aStem < bStem ? -1 : 1;
  const difference = Number(aNumber || -1) - Number(bNumber || -1);
  return difference !== 0 ? difference : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** What return and destroy report: the worktree, and where its work was parked if it was. */
export function parkedOutcome(worktree: { name: string; path: string }, parked: ParkedWork | undefined): ReturnOutcome {
  return { name: worktree.name, path: worktree.path, ...(parked ? { parkedRef: parked.ref, restoreHint: parked.restoreHint } : {}) };
}
