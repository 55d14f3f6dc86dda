import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { randomId } from '../util/ids';
import { identifySelf } from '../util/liveness';
import { describeOwner, judge, lookAt, OWNER_FILE, ownCommand, readOwner, writeOwner, type LockSight } from './lockOwner';

/**
 * The one lock around every read-modify-write of a pool's shared state (state, slots, budget,
 * the run registry's reservations): a folder, `pool.lock`, made with mkdir (atomic, exclusive),
 * with its owner (pid, start time, boot id) inside. A waiter takes it over at once when that
 * owner is provably dead, and after the stale time when it stopped refreshing the folder's
 * mtime (frozen, SIGSTOPped, or a folder with no owner). Taking over a lock whose holder still
 * lives is safe because the lock is not what keeps data whole: every lock-protected document
 * is committed by compare-and-swap (fencedJson), so a holder that lost the lock cannot write.
 */
const DEFAULT_STALE_MS = 10_000;
const MAX_WAIT_MS = 120_000;
const SAY_WAITING_AFTER_MS = 1_000;

export const LOCK_FILE_NAME = 'pool.lock';

export interface FenceMark {
  generation: number;
  id: string | null;
}

export interface LockContext {
  /** Throws when this process already knows the lock was lost. Not a guarantee: the fenced commit is. */
  assertHeld(): void;
  /** Each fenced document's generation as this session first read it: its commit must follow exactly that one. */
  readonly fence: Map<string, FenceMark>;
}

export interface LockOptions {
  /** Where "waiting for the pool lock held by ..." goes (the CLI: stderr). */
  logger?: Logger;
  /** Another lock folder in the same place, for a lock of its own (default: the pool lock). */
  name?: string;
  /** What the lock is called in messages. */
  label?: string;
}

/** For benchmarks: told of every acquisition and release (the lock is not a patchable library any more). */
export const lockProbe: { acquired?: (waitMs: number) => void; released?: (heldMs: number) => void } = {};

/** GROVE_LOCK_STALE_MS shortens the stale time for tests; everyone on a pool must agree on it. */
export function staleMs(): number {
  const value = Number(process.env.GROVE_LOCK_STALE_MS);
  return Number.isFinite(value) && value >= 50 ? value : DEFAULT_STALE_MS;
}

/**
 * Callers in one process take turns here, in order, and only the one whose turn it is asks for
 * the lock folder. Without this, every task of an engine polled the lock on its own (each poll
 * a mkdir and a timer): with eight slots that was most of the process's CPU time around the
 * lock, and the lock sat free between a release and the next poll.
 */
const turns = new Map<string, Promise<void>>();

export async function withLock<T>(groveDir: string, work: (lock: LockContext) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const name = options.name ?? LOCK_FILE_NAME;
  const key = path.resolve(groveDir, name);
  const previous = turns.get(key) ?? Promise.resolve();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const mine = previous.then(() => done);
  turns.set(key, mine);
  await previous;
  try {
    return await withFileLock(groveDir, name, work, options.logger ?? silentLogger, options.label ?? 'the pool lock');
  } finally {
    finished();
    if (turns.get(key) === mine) turns.delete(key);
  }
}

async function withFileLock<T>(groveDir: string, name: string, work: (lock: LockContext) => Promise<T>, logger: Logger, label: string): Promise<T> {
  const lockDir = path.join(groveDir, name);
  const asked = performance.now();
  const token = await acquire(groveDir, lockDir, logger, label);
  const got = performance.now();
  if (name === LOCK_FILE_NAME) lockProbe.acquired?.(got - asked);
  let lost: string | undefined;
  const heartbeat = startHeartbeat(lockDir, token, (why) => (lost ??= why));
  const context: LockContext = {
    fence: new Map(),
    assertHeld() {
      if (lost) throw lostLock(lost);
    },
  };
  try {
    return await work(context);
  } finally {
    clearInterval(heartbeat);
    await release(lockDir, token);
    if (name === LOCK_FILE_NAME) lockProbe.released?.(performance.now() - got);
  }
}

export function lostLock(why: string): GroveError {
  return new GroveError('internal', `${LOST_LOCK} (${why}); nothing was written`,
    'Another Grove process took the lock over while this one was paused or too slow. Retry the operation.');
}

const LOST_LOCK = 'lost the pool lock';

/** Whether a commit failed because the lock was lost: nothing was written, so the whole step may run again. */
export function isLostLock(error: unknown): boolean {
  return error instanceof GroveError && error.kind === 'internal' && error.message.startsWith(LOST_LOCK);
}

async function acquire(groveDir: string, lockDir: string, logger: Logger, label: string): Promise<string> {
  const token = randomId();
  const started = Date.now();
  let delay = 5;
  let said = false;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await claimFolder(lockDir, token);
      return token;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // The grove folder itself is not there yet (a new pool): made once, then the lock.
        await fs.mkdir(groveDir, { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw cannotLock(lockDir, error);
    }
    const sight = await lookAt(lockDir);
    if (sight.kind === 'file') {
      throw new GroveError('internal', `${lockDir} is a file, but Grove's lock is a folder: something other than Grove made it`,
        `If no grove process is running, remove it (rm ${lockDir}) and retry.`);
    }
    if (sight.kind === 'gone') continue;
    const verdict = await judge(sight, staleMs());
    if (verdict !== 'held' && (await breakLock(lockDir, sight, logger, verdict, label))) continue;
    const waited = Date.now() - started;
    if (!said && waited > SAY_WAITING_AFTER_MS) {
      said = true;
      logger.warn(`waiting for ${label}, held by ${describeOwner(sight)}${sight.owner?.at ? ` since ${sight.owner.at}` : ''}`);
    }
    if (waited > MAX_WAIT_MS) {
      throw new GroveError('internal', `could not take ${label} at ${lockDir}: held by ${describeOwner(sight)} for over ${Math.round(MAX_WAIT_MS / 1000)} s`,
        'Look for a hung grove process (ps) and end it; a lock whose owner has died is taken over at once.');
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 1.3, 60);
  }
}

async function claimFolder(lockDir: string, token: string): Promise<void> {
  const self = await identifySelf();
  try {
    await writeOwner(lockDir, { ...self, token, command: ownCommand(), at: new Date().toISOString() });
  } catch (error) {
    await fs.rm(lockDir, { recursive: true, force: true }).catch(() => undefined);
    throw cannotLock(lockDir, error);
  }
}

/**
 * Removes a lock judged dead or stale, and says whether it did. Waiters that judged the same
 * lock at once must not remove each other's fresh one: breaking takes a second, short-lived
 * folder (`pool.lock.break`), and under it the lock is looked at again and removed only if it
 * is still the one judged (same folder, same owner, same verdict).
 */
async function breakLock(lockDir: string, judged: Extract<LockSight, { kind: 'dir' }>, logger: Logger, verdict: string, label: string): Promise<boolean> {
  const breaker = `${lockDir}.break`;
  try {
    await fs.mkdir(breaker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotLock(lockDir, error);
    // A breaker is held for a few file operations; one this old was left by a process that died in between.
    const stat = await fs.stat(breaker).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > staleMs()) await fs.rmdir(breaker).catch(() => undefined);
    return false;
  }
  try {
    const again = await lookAt(lockDir);
    if (again.kind !== 'dir') return again.kind === 'gone';
    if (again.ino !== judged.ino || again.owner?.token !== judged.owner?.token || (await judge(again, staleMs())) === 'held') return false;
    await fs.rm(lockDir, { recursive: true, force: true });
    logger.info(`took over ${label} from ${describeOwner(judged)}: ${verdict === 'dead' ? 'that process has ended' : `no sign of life for over ${staleMs()} ms`}`);
    return true;
  } finally {
    await fs.rmdir(breaker).catch(() => undefined);
  }
}

/** Refreshes the folder's mtime (the sign of life staleness is judged by) and notices a takeover. */
function startHeartbeat(lockDir: string, token: string, onLost: (why: string) => void): NodeJS.Timeout {
  const every = Math.max(20, Math.min(2_000, Math.floor(staleMs() / 4)));
  let last = Date.now();
  const timer = setInterval(() => {
    const late = Date.now() - last > staleMs();
    last = Date.now();
    void (async () => {
      const owner = await readOwner(lockDir);
      if (owner?.token !== token) return onLost(late ? 'this process was paused past the stale time and another took the lock over' : 'another process took the lock over');
      const now = new Date();
      await fs.utimes(lockDir, now, now).catch(() => undefined);
    })().catch(() => undefined);
  }, every);
  timer.unref();
  return timer;
}

/** Removes the lock only while it is still this process's own: never a lock another took over. */
async function release(lockDir: string, token: string): Promise<void> {
  const owner = await readOwner(lockDir);
  if (owner?.token !== token) return;
  await fs.unlink(path.join(lockDir, OWNER_FILE)).catch(() => undefined);
  await fs.rmdir(lockDir).catch(() => fs.rm(lockDir, { recursive: true, force: true })).catch(() => undefined);
}

function cannotLock(lockDir: string, error: unknown): GroveError {
  return new GroveError('internal', `could not lock the pool at ${lockDir}: ${(error as Error).message}`,
    'Check that the repository\'s .git folder is writable.', { cause: error });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
