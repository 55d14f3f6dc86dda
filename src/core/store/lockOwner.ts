import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { liveness, type ProcessIdentity } from '../util/liveness';

/**
 * Who holds the pool lock, written inside the lock folder right after it is made, so a
 * waiter can tell a holder that died (take over at once) from one that is alive (wait) and
 * name it while it waits.
 */
export interface LockOwner extends ProcessIdentity {
  /** Random per acquisition: a holder knows the lock is still its own, and a breaker that it judged the same lock. */
  token: string;
  /** The command line, shortened, to tell a person what they are waiting for. */
  command: string;
  at: string;
}

export const OWNER_FILE = 'owner.json';
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a terminal
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** What a waiter finds at the lock path. */
export type LockSight =
  | { kind: 'gone' }
  | { kind: 'file' }
  | { kind: 'dir'; ino: number; mtimeMs: number; owner: LockOwner | null };

export async function writeOwner(lockDir: string, owner: LockOwner): Promise<void> {
  // One small write into the fresh folder. A reader that catches it half-written sees no
  // owner, and only waits for the stale time: never a wrong owner.
  await fs.writeFile(path.join(lockDir, OWNER_FILE), JSON.stringify(owner), { flag: 'wx' });
}

export async function readOwner(lockDir: string): Promise<LockOwner | null> {
  try {
    const value = JSON.parse(await fs.readFile(path.join(lockDir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (typeof value.token !== 'string' || !Number.isSafeInteger(value.pid)) return null;
    return {
      token: value.token, pid: value.pid!, startTime: typeof value.startTime === 'string' ? value.startTime : null,
      bootId: typeof value.bootId === 'string' ? value.bootId : null, command: typeof value.command === 'string' ? value.command : '',
      at: typeof value.at === 'string' ? value.at : '',
    };
  } catch {
    return null;
  }
}

export async function lookAt(lockDir: string): Promise<LockSight> {
  let stat: Stats;
  try {
    stat = await fs.lstat(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  if (!stat.isDirectory()) return { kind: 'file' };
  return { kind: 'dir', ino: stat.ino, mtimeMs: stat.mtimeMs, owner: await readOwner(lockDir) };
}

export type Verdict = 'held' | 'dead' | 'stale';

/**
 * dead: the recorded owner provably no longer runs (safe to take over at once: a writer that
 * lost the lock cannot commit, see fencedJson). stale: no heartbeat for `staleMs` (a frozen or
 * paused holder, or a folder without an owner: hand-made, or an older Grove). held: wait.
 */
export async function judge(sight: Extract<LockSight, { kind: 'dir' }>, staleMs: number, now = Date.now()): Promise<Verdict> {
  if (sight.owner && (await liveness(sight.owner)) === 'dead') return 'dead';
  return now - sight.mtimeMs > staleMs ? 'stale' : 'held';
}

export function describeOwner(sight: LockSight): string {
  if (sight.kind !== 'dir') return 'nobody';
  if (!sight.owner) return 'an unknown process (the lock folder names no owner)';
  const command = sight.owner.command ? ` (${sight.owner.command})` : '';
  return `pid ${sight.owner.pid}${command}`;
}

/** `grove lease --holder x`, shortened: argv may carry a long prompt. */
export function ownCommand(): string {
  const script = process.argv[1] ? path.basename(process.argv[1]).replace(/\.(c?js|ts)$/, '') : 'node';
  const text = [script === 'cli' ? 'grove' : script, ...process.argv.slice(2)].join(' ').replace(CONTROL, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
