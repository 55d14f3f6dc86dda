import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import type { Logger } from '../logger';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import type { LockContext } from '../store/lock';
import { isRunEntry, isTerminal, listRunIds, runFiles, type RunEntry } from './runFiles';

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

  async read(id: string): Promise<RunEntry | undefined> {
    const cached = this.terminalCache.get(id);
    if (cached) return { ...cached };
    const file = runFiles(this.groveDir, id).entry;
    const read = await readJson<unknown>(file);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'corrupt' || !isRunEntry(read.value)) {
      throw new GroveError('internal', `the registry entry of run ${id} is unreadable`, `Look at ${file}; move it aside to forget the run.`);
    }
    if (isTerminal(read.value)) this.remember({ ...read.value });
    return read.value;
  }

  async write(lock: LockContext, entry: RunEntry): Promise<void> {
    lock.assertHeld();
    await writeJsonAtomic(runFiles(this.groveDir, entry.id).entry, entry);
    if (isTerminal(entry)) this.remember(entry);
  }

  /**
   * Every entry in runs/; with `activeOnly`, only the ones not known to be terminal: on the
   * path of every start, under the lock, it must not grow with the number of runs kept.
   */
  async readAll(o: { activeOnly?: boolean } = {}): Promise<RunEntry[]> {
    const ids = (await listRunIds(this.groveDir))
      .filter((id) => !o.activeOnly || !this.terminalIds.has(id));
    const entries = await Promise.all(ids.map(async (id) => {
      try {
        return await this.read(id);
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
