import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import type { Logger } from '../logger';
import { FencedDocument } from '../store/fencedJson';
import type { LockContext } from '../store/lock';
import { isRunEntry, isTerminal, listRunIds, runFiles, runsDir, type RunEntry } from './runFiles';

const TERMINAL_ENTRIES_KEPT = 256;

/**
 * The registry entries on disk (`runs/<id>.json`), read and written for the registry. Writes
 * happen under the pool lock the caller holds.
 */
export class RunEntries {
  /**
   * Terminal entries never change again (but for the one mark `workKeptAt`, written through
   * here). Their ids are all remembered, so the path of every start skips them without
   * reading; their contents only for the most recent ones, so a long-lived host stays flat.
   */
  private readonly terminalIds = new Set<string>();
  private readonly terminalCache = new Map<string, RunEntry>();

  constructor(private readonly groveDir: string, private readonly logger: Logger) {}

  /**
   * Under the pool lock, pass the lock: the generation read is then what this session's write
   * must follow, so a writer paused past a takeover cannot put back the entry it read (a
   * recorded run turned active again, a kill mark lost).
   */
  async read(id: string, lock?: LockContext): Promise<RunEntry | undefined> {
    const cached = this.terminalCache.get(id);
    if (cached) return { ...cached };
    const read = await this.document(id).read(lock);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'corrupt' || !isRunEntry(read.value)) {
      const file = runFiles(this.groveDir, id).entry;
      throw new GroveError('internal', `the registry entry of run ${id} is unreadable`, `Look at ${file}; move it aside to forget the run.`);
    }
    if (isTerminal(read.value)) this.remember({ ...read.value });
    return read.value;
  }

  /** Commits the entry as the next generation of the one this session read; refused (nothing written) if the lock was lost meanwhile. */
  async write(lock: LockContext, entry: RunEntry): Promise<void> {
    lock.assertHeld();
    await this.document(entry.id).commit(lock, entry);
    if (isTerminal(entry)) this.remember(entry);
  }

  /** `runs/<id>.json` is the readable copy; the generations are in `runs/<id>.generations/` (store/fencedJson.ts). */
  private document(id: string): FencedDocument {
    return new FencedDocument(runsDir(this.groveDir), id);
  }

  /**
   * Every entry in runs/; with `activeOnly`, only the ones not known to be terminal: on the
   * path of every start, under the lock, it must not grow with the number of runs kept.
   */
  async readAll(o: { activeOnly?: boolean; lock?: LockContext } = {}): Promise<RunEntry[]> {
    const ids = (await listRunIds(this.groveDir))
      .filter((id) => !o.activeOnly || !this.terminalIds.has(id));
    const entries = await Promise.all(ids.map(async (id) => {
      try {
        return await this.read(id, o.lock);
      } catch (error) {
        this.logger.warn((error as Error).message);
        return undefined;
      }
    }));
    return entries.filter((entry): entry is RunEntry => entry !== undefined && !(o.activeOnly && isTerminal(entry)));
  }

  /** Removes an expired run: the entry goes last, so a crash midway leaves one the next look expires again. */
  async remove(lock: LockContext, id: string): Promise<void> {
    const files = runFiles(this.groveDir, id);
    lock.assertHeld();
    await Promise.all([files.log, files.stderr, files.prompt].map((file) => fs.rm(file, { force: true })));
    await fs.rm(this.document(id).dir, { recursive: true, force: true });
    await fs.rm(files.entry, { force: true });
    this.terminalCache.delete(id);
    this.terminalIds.delete(id);
  }

  private remember(entry: RunEntry): void {
    this.terminalIds.add(entry.id);
    this.terminalCache.delete(entry.id);
    this.terminalCache.set(entry.id, entry);
    // A Map iterates in insertion order: the first key is the least recently recorded.
    if (this.terminalCache.size > TERMINAL_ENTRIES_KEPT) this.terminalCache.delete(this.terminalCache.keys().next().value!);
  }
}
