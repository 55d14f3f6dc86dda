import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';
import { readJson } from '../store/atomicJson';
import { FencedDocument, type FencedRead } from '../store/fencedJson';
import { isLostLock, withLock, type LockContext } from '../store/lock';
import { checkResultRecord } from './resultShape';
import type { ResultRecord } from './types';

/** Results of finished work that holds nothing any more are forgotten after this, like runs. */
export const RESULT_RETENTION_MS = 7 * 24 * 60 * 60_000;

const RESULT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** A writer that lost its lock wrote nothing: its change is applied again to the newer record, this many times at most. */
const LOST_LOCK_RETRIES = 3;

export function resultsDir(groveDir: string): string {
  return path.join(groveDir, 'results');
}

type Read = { kind: 'missing' } | { kind: 'ok'; record: ResultRecord } | { kind: 'unreadable'; file: string; reason: string };

/**
 * One result per id under `<grove dir>/results/`: `<id>.json` is what views, watchers and people
 * read; writes are fenced like the pool's state (store/fencedJson.ts), as generation files in
 * `<id>.generations/` committed with link(), under a lock of that one result (`<id>.lock`). A
 * writer paused past the lock's stale time (a frozen editor adding a review comment) cannot put
 * back the record it read: its commit fails, and its change is applied again to the newer record,
 * so the CLI appending a run and the editor adding a comment never lose each other's change.
 */
export class ResultStore {
  readonly dir: string;

  constructor(readonly groveDir: string, private readonly now: () => Date = () => new Date()) {
    this.dir = resultsDir(groveDir);
  }

  fileOf(id: string): string {
    if (!RESULT_ID.test(id) || id.includes('..')) {
      throw new GroveError('usage', `"${id}" is not a valid result id`, 'List results with grove results.');
    }
    return path.join(this.dir, `${id}.json`);
  }

  /** Writes a record whole (a new result), as the next generation of that id. */
  async save(record: ResultRecord): Promise<void> {
    await this.locked(record.id, async (lock, document) => {
      await document.read(lock);
      await document.commit(lock, record);
    });
  }

  /** Null when there is no such result (or the id is not one); a file Grove cannot read is refused, saying why. */
  async get(id: string): Promise<ResultRecord | null> {
    if (!RESULT_ID.test(id) || id.includes('..')) return null;
    return this.checked(id, await this.document(id).read());
  }

  /** Files `list` skipped the last time it ran: unreadable JSON or a wrong shape, with why. */
  skipped: { file: string; reason: string }[] = [];

  /**
   * Every readable result, newest first, from the `<id>.json` copies (one file each: fast for a
   * thousand); expired ones that hold no work are removed on the way. Unreadable files go to `skipped`.
   */
  async list(): Promise<ResultRecord[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const reads = await Promise.all(names.map((name) => this.readCopy(name.slice(0, -'.json'.length))
      .catch((error: Error): Read => ({ kind: 'unreadable', file: path.join(this.dir, name), reason: error.message }))));
    const kept: ResultRecord[] = [];
    this.skipped = reads.flatMap((read) => read.kind === 'unreadable' ? [{ file: read.file, reason: read.reason }] : []);
    for (const read of reads) {
      if (read.kind !== 'ok') continue;
      const record = read.record;
      if (this.expired(record)) await this.remove(record.id);
      else kept.push(record);
    }
    return kept.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  /** Changes one record under its own lock; `change` returns the new record (or null: leave it). It may run again if the lock was lost. */
  async update(id: string, change: (record: ResultRecord) => ResultRecord | null | Promise<ResultRecord | null>): Promise<ResultRecord> {
    return this.locked(id, async (lock, document) => {
      const current = this.checked(id, await document.read(lock));
      if (!current) throw unknownResult(id);
      const next = await change(structuredClone(current));
      if (!next) return current;
      next.updatedAt = this.now().toISOString();
      await document.commit(lock, next);
      return next;
    });
  }

  private document(id: string): FencedDocument {
    this.fileOf(id);
    return new FencedDocument(this.dir, id);
  }

  private async locked<T>(id: string, work: (lock: LockContext, document: FencedDocument) => Promise<T>): Promise<T> {
    const document = this.document(id);
    await fs.mkdir(this.dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      try {
        return await withLock(this.dir, (lock) => work(lock, document), { name: `${id}.lock`, label: `the lock of result ${id}` });
      } catch (error) {
        if (attempt >= LOST_LOCK_RETRIES || !isLostLock(error)) throw error;
      }
    }
  }

  private checked(id: string, read: FencedRead): ResultRecord | null {
    if (read.kind === 'missing') return null;
    const checked = read.kind === 'ok' ? checkResultRecord(read.value, id) : { ok: false as const, reason: `it is not JSON (${read.reason.split('\n')[0]})` };
    if (checked.ok) return checked.record;
    throw new GroveError('refused', `${read.file} is not a result Grove can read: ${checked.reason}`,
      'Fix it by hand, or move it out of the results folder (the other results are not affected).');
  }

  private async readCopy(id: string): Promise<Read> {
    if (!RESULT_ID.test(id) || id.includes('..')) return { kind: 'missing' };
    const file = this.fileOf(id);
    const read = await readJson<unknown>(file);
    if (read.kind === 'missing') return read;
    if (read.kind === 'corrupt') return { kind: 'unreadable', file, reason: `it is not JSON (${read.error.message.split('\n')[0]})` };
    const checked = checkResultRecord(withoutFence(read.value), id);
    return checked.ok ? { kind: 'ok', record: checked.record } : { kind: 'unreadable', file, reason: checked.reason };
  }

  private async remove(id: string): Promise<void> {
    const document = this.document(id);
    await fs.rm(document.mirror, { force: true }).catch(() => undefined);
    await fs.rm(document.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** A result whose worktree still holds work is never dropped; one that holds nothing (or was parked) expires. */
  private expired(record: ResultRecord): boolean {
    if (record.worktree && record.review !== 'discarded') return false;
    return this.now().getTime() - Date.parse(record.updatedAt) > RESULT_RETENTION_MS;
  }
}

/** The copy carries its generation's stamp (`fence`); a record does not. */
function withoutFence(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('fence' in value)) return value;
  const { fence: _fence, ...rest } = value as Record<string, unknown>;
  return rest;
}

export function unknownResult(id: string): GroveError {
  return new GroveError('usage', `no result ${id}`, 'List them with grove results (an id, a task id or a worktree name works).');
}
