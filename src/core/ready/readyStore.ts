import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../store/atomicJson';

/**
 * Per worktree, in `grove/ready/<name>.json`: the fingerprint it was last made ready with (a
 * refresh runs when the base's differs), how often setup and refresh ran, and the last failure.
 * Written only by the process holding the worktree (by a claim or reservation), so it needs no
 * lock of its own. Kept apart from state.json: it is a cache of work done, not ownership.
 */
export interface ReadyRecord {
  name: string;
  /** The fingerprint of the last successful setup or refresh; null before any. */
  fingerprint: string | null;
  commit: string | null;
  readyAt: string | null;
  setupRuns: number;
  refreshRuns: number;
  /** The last setup/refresh failure, cleared by the next success. */
  failed: { at: string; phase: 'setup' | 'refresh'; step: string; error: string } | null;
  /** Where the config came from when it last ran. */
  source: string | null;
}

export function readyDir(groveDir: string): string {
  return path.join(groveDir, 'ready');
}

export function readyRecordFile(groveDir: string, name: string): string {
  return path.join(readyDir(groveDir), `${name}.json`);
}

export function readyLogFile(groveDir: string, name: string): string {
  return path.join(readyDir(groveDir), `${name}.log`);
}

export async function readReadyRecord(groveDir: string, name: string): Promise<ReadyRecord> {
  const read = await readJson<ReadyRecord>(readyRecordFile(groveDir, name));
  const fresh: ReadyRecord = { name, fingerprint: null, commit: null, readyAt: null, setupRuns: 0, refreshRuns: 0, failed: null, source: null };
  return read.kind === 'ok' && read.value.name === name ? { ...fresh, ...read.value } : fresh;
}

export async function writeReadyRecord(groveDir: string, record: ReadyRecord): Promise<void> {
  await fs.mkdir(readyDir(groveDir), { recursive: true });
  await writeJsonAtomic(readyRecordFile(groveDir, record.name), record);
}
