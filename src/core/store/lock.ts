import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { GroveError } from '../errors';

/**
 * The one lock around every read-modify-write of a pool's shared state (state.json, the run
 * registry's reservations, the budget). Every Grove process must use these same options:
 * proper-lockfile judges staleness by the lock's mtime, refreshed every `update` ms by the holder.
 */
const STALE_MS = Number(process.env.GROVE_LOCK_STALE_MS) || 10_000;
const UPDATE_MS = 2_000;
// Long enough to outwait a holder doing slow git work under the lock; short, randomized
// retry intervals keep a crowd of racing processes fair.
const RETRY = { retries: 2_000, factor: 1.2, minTimeout: 5, maxTimeout: 60, randomize: true };

export interface LockContext {
  /** Throws when the lock was lost (stalled event loop, lock dir removed): do not write after that. */
  assertHeld(): void;
}

export const LOCK_FILE_NAME = 'pool.lock';

/**
 * Callers in one process take turns here, in order, and only the one whose turn it is asks for
 * the lock file. Without this, every task of an engine polled the lock file on its own (each
 * poll a mkdir and a timer): with eight slots that was most of the process's CPU time around
 * the lock, and the lock sat free between a release and the next poll. Other processes still
 * compete for the file as before.
 */
const turns = new Map<string, Promise<void>>();

export async function withLock<T>(groveDir: string, work: (lock: LockContext) => Promise<T>): Promise<T> {
  const key = path.resolve(groveDir);
  const previous = turns.get(key) ?? Promise.resolve();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const mine = previous.then(() => done);
  turns.set(key, mine);
  await previous;
  try {
    return await withFileLock(groveDir, work);
  } finally {
    finished();
    if (turns.get(key) === mine) turns.delete(key);
  }
}

async function withFileLock<T>(groveDir: string, work: (lock: LockContext) => Promise<T>): Promise<T> {
  await fs.mkdir(groveDir, { recursive: true });
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(groveDir, {
      realpath: false,
      lockfilePath: path.join(groveDir, LOCK_FILE_NAME),
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: RETRY,
      // The library's default throws from a timer, which would take down the extension host.
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    throw new GroveError('internal', `could not lock the pool at ${groveDir}: ${(error as Error).message}`,
      'Another Grove process holds the lock for too long; retry, or look for a hung grove process.', { cause: error });
  }
  const context: LockContext = {
    assertHeld() {
      if (compromised) {
        throw new GroveError('internal', `lost the pool lock: ${compromised.message}`,
          'Nothing was written; retry the operation.', { cause: compromised });
      }
    },
  };
  try {
    const result = await work(context);
    context.assertHeld();
    return result;
  } finally {
    // Releasing a compromised lock fails; the lock is already gone, which is what we want.
    await release().catch(() => undefined);
  }
}
