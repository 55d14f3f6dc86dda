import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { GroveError } from '../errors';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import { checkResultRecord } from './resultShape';
import type { ResultRecord } from './types';

/** Results of finished work that holds nothing any more are forgotten after this, like runs. */
export const RESULT_RETENTION_MS = 7 * 24 * 60 * 60_000;

const RESULT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function resultsDir(groveDir: string): string {
  return path.join(groveDir, 'results');
}

/**
 * One JSON file per result under `<grove dir>/results/`. Writes are atomic; read-modify-write
 * goes through `update`, under a lock of that one file, so the editor adding a review comment
 * and the CLI appending a run cannot lose each other's change.
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

  async save(record: ResultRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(this.fileOf(record.id), record);
  }

  /** Null when there is no such result (or the id is not one); a file Grove cannot read is refused, saying why. */
  async get(id: string): Promise<ResultRecord | null> {
    const read = await this.read(id);
    if (read.kind === 'unreadable') {
      throw new GroveError('refused', `${read.file} is not a result Grove can read: ${read.reason}`,
        'Fix it by hand, or move it out of the results folder (the other results are not affected).');
    }
    return read.kind === 'ok' ? read.record : null;
  }

  /** Files `list` skipped the last time it ran: unreadable JSON or a wrong shape, with why. */
  skipped: { file: string; reason: string }[] = [];

  /** Every readable result, newest first; expired ones that hold no work are removed on the way. Unreadable files go to `skipped`. */
  async list(): Promise<ResultRecord[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const reads = await Promise.all(names.map((name) => this.read(name.slice(0, -'.json'.length))
      .catch((error: Error) => ({ kind: 'unreadable' as const, file: path.join(this.dir, name), reason: error.message }))));
    const kept: ResultRecord[] = [];
    this.skipped = reads.flatMap((read) => read.kind === 'unreadable' ? [{ file: read.file, reason: read.reason }] : []);
    for (const read of reads) {
      if (read.kind !== 'ok') continue;
      const record = read.record;
      if (this.expired(record)) await fs.rm(this.fileOf(record.id), { force: true }).catch(() => undefined);
      else kept.push(record);
    }
    return kept.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  private async read(id: string): Promise<{ kind: 'missing' } | { kind: 'ok'; record: ResultRecord } | { kind: 'unreadable'; file: string; reason: string }> {
    let file: string;
    try {
      file = this.fileOf(id);
    } catch {
      return { kind: 'missing' };
    }
    const read = await readJson<unknown>(file);
    if (read.kind === 'missing') return read;
    if (read.kind === 'corrupt') return { kind: 'unreadable', file, reason: `it is not JSON (${read.error.message.split('\n')[0]})` };
    const checked = checkResultRecord(read.value, id);
    return checked.ok ? { kind: 'ok', record: checked.record } : { kind: 'unreadable', file, reason: checked.reason };
  }

  /** A result whose worktree still holds work is never dropped; one that holds nothing (or was parked) expires. */
  private expired(record: ResultRecord): boolean {
    if (record.worktree && record.review !== 'discarded') return false;
    return this.now().getTime() - Date.parse(record.updatedAt) > RESULT_RETENTION_MS;
  }

  /** Changes one record under its own lock; `change` returns the new record (or null: leave it). */
  async update(id: string, change: (record: ResultRecord) => ResultRecord | null | Promise<ResultRecord | null>): Promise<ResultRecord> {
    const file = this.fileOf(id);
    await fs.mkdir(this.dir, { recursive: true });
    const release = await lockfile.lock(file, {
      realpath: false, lockfilePath: `${file}.lock`, stale: 10_000, update: 2_000,
      retries: { retries: 500, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
      onCompromised: () => undefined,
    });
    try {
      const current = await this.get(id);
      if (!current) throw unknownResult(id);
      const next = await change(structuredClone(current));
      if (!next) return current;
      next.updatedAt = this.now().toISOString();
      await this.save(next);
      return next;
    } finally {
      await release().catch(() => undefined);
    }
  }
}

export function unknownResult(id: string): GroveError {
  return new GroveError('usage', `no result ${id}`, 'List them with grove results (an id, a task id or a worktree name works).');
}

