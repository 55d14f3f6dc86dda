import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProcessIdentity } from '../util/liveness';
import { readJson, writeJsonAtomic } from '../store/atomicJson';

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
  | { kind: 'corrupt'; reason: string };

/** Reads state.json; anything that is not a pool state of a version we know counts as corrupt. */
export async function readState(statePath: string): Promise<LoadedState> {
  const read = await readJson<PoolStateFile>(statePath);
  if (read.kind === 'missing') return { kind: 'missing' };
  if (read.kind === 'corrupt') return { kind: 'corrupt', reason: read.error.message };
  const value = read.value as unknown;
  if (!isPoolState(value)) return { kind: 'corrupt', reason: 'not a Grove pool state (version 1)' };
  return { kind: 'ok', state: value };
}

function isPoolState(value: unknown): value is PoolStateFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<PoolStateFile>;
  if (candidate.version !== 1 || typeof candidate.worktrees !== 'object' || candidate.worktrees === null) return false;
  return Object.entries(candidate.worktrees).every(([name, record]) =>
    typeof record === 'object' && record !== null && record.name === name && typeof record.path === 'string' && typeof record.root === 'string');
}

export async function writeState(statePath: string, state: PoolStateFile): Promise<void> {
  await writeJsonAtomic(statePath, state);
}

/** Moves an unreadable state file aside (never deletes it) and returns where it went. */
export async function quarantineState(statePath: string, now: Date): Promise<string> {
  const aside = path.join(path.dirname(statePath), `state.corrupt-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  await fs.rename(statePath, aside);
  return aside;
}
