import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProcessIdentity } from '../util/liveness';
import { readJson } from '../store/atomicJson';
import { FencedDocument, type FencedRead } from '../store/fencedJson';
import type { LockContext } from '../store/lock';
import { checkShape } from './stateShape';

/** A durable lease: ends only by an explicit return or a forced destroy, never by heal. */
export interface LeaseRecord {
  leaseId: string;
  holder: string;
  leasedAt: string;
  /** The commit the worktree was handed out at: commits after it are the holder's work. */
  head: string;
  /**
   * Made when the pool was rebuilt from disk: `head` is only where it stood then, so work
   * checks trust refs alone (commits on no branch from before the rebuild stay protected).
   */
  recovered?: boolean;
}

/** A short-lived reservation by a live process (the engine while a task runs). */
export interface ReservationRecord {
  reservationId: string;
  owner: string;
  identity: ProcessIdentity;
  at: string;
  /** HEAD when reserved: release compares against it to tell whether work was left. */
  head: string;
}

export type ClaimOperation = 'create' | 'lease' | 'reserve' | 'return' | 'destroy';

/**
 * An operation in flight on a worktree, doing slow git work outside the lock. Owned by a
 * process identity so heal can drop it when that process died; nobody else touches a
 * claimed worktree meanwhile.
 */
export interface ClaimRecord {
  op: ClaimOperation;
  token: string;
  identity: ProcessIdentity;
  at: string;
  /** For lease claims: who the lease is for (a second lease call for the same holder waits). */
  holder?: string;
}

export interface WorktreeRecord {
  name: string;
  path: string;
  /** The pool root the worktree was made in: destroy never removes anything outside it. */
  root: string;
  createdAt: string;
  /** The commit the worktree was last left at by Grove (creation, reset, return). */
  head: string | null;
  lease: LeaseRecord | null;
  reservation: ReservationRecord | null;
  claim: ClaimRecord | null;
  /** Why the worktree must not be handed out (creation interrupted, hook failed); null when fine. */
  damaged: string | null;
  /** Set when the creation was interrupted: nobody's work can be in it, so it may go without --force. */
  incomplete?: boolean;
}

export interface PoolStateFile {
  version: 1;
  worktrees: Record<string, WorktreeRecord>;
}

export const RECOVERED_HOLDER = 'recovered: check before reuse';

export function emptyState(): PoolStateFile {
  return { version: 1, worktrees: {} };
}

export type LoadedState =
  | { kind: 'ok'; state: PoolStateFile }
  | { kind: 'missing' }
  /** Some records were whole: they are kept, the rest is recovered from disk. */
  | { kind: 'partly'; state: PoolStateFile; reason: string; read: FencedRead }
  | { kind: 'corrupt'; reason: string; read?: FencedRead };

/** The pool's state document: generations under the pool lock, `state.json` as its readable copy (see fencedJson). */
export function stateDocument(groveDir: string): FencedDocument {
  return new FencedDocument(groveDir, 'state');
}

/** Reads the newest state; anything that is not a whole pool state of a version we know is corrupt or partly so. */
export async function loadState(document: FencedDocument, lock?: LockContext): Promise<LoadedState> {
  const read = await document.read(lock);
  if (read.kind === 'missing') return { kind: 'missing' };
  if (read.kind === 'corrupt') return { kind: 'corrupt', reason: read.reason, read };
  return fromValue(read.value, read);
}

/** Reads one state file as it is (the editor's quick rows read the copy, `state.json`). */
export async function readState(statePath: string): Promise<LoadedState> {
  const read = await readJson<unknown>(statePath);
  if (read.kind === 'missing') return { kind: 'missing' };
  if (read.kind === 'corrupt') return { kind: 'corrupt', reason: read.error.message };
  const loaded = fromValue(stripFence(read.value));
  return loaded.kind === 'partly' ? { kind: 'corrupt', reason: loaded.reason } : loaded;
}

function fromValue(value: unknown, read?: FencedRead & { kind: 'ok' }): LoadedState {
  const checked = checkShape(value);
  if (checked.kind === 'ok') return { kind: 'ok', state: checked.state };
  if (checked.kind === 'invalid') return { kind: 'corrupt', reason: `not a Grove pool state (version 1): ${checked.reason}`, read };
  return read ? { kind: 'partly', state: checked.state, reason: checked.problems.join('; '), read } : { kind: 'corrupt', reason: checked.problems.join('; ') };
}

function stripFence(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('fence' in value)) return value;
  const { fence: _fence, ...rest } = value as Record<string, unknown>;
  return rest;
}

export async function writeState(document: FencedDocument, lock: LockContext, state: PoolStateFile): Promise<void> {
  await document.commit(lock, state);
}

/** Keeps an unreadable state aside (never deletes it) as state.corrupt-<time>.json and returns where it went. */
export async function quarantineState(groveDir: string, read: FencedRead | undefined, now: Date): Promise<string> {
  const aside = path.join(groveDir, `state.corrupt-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  const text = read && read.kind !== 'missing' ? (read.kind === 'corrupt' ? read.text : await fs.readFile(read.file, 'utf8')) : '';
  await fs.writeFile(aside, text, { flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
    await fs.writeFile(aside.replace(/\.json$/, `-${process.pid}.json`), text);
  });
  return aside;
}
