import { promises as fs, watch, type FSWatcher } from 'node:fs';

/** Used only where fs.watch is unavailable (no inotify watches left, some network filesystems). */
export const FALLBACK_POLL_MS = 100;
const CHUNK_BYTES = 64 * 1024;

/**
 * Follows a file that another process appends to: fs.watch says it changed, and each change
 * reads from where the last read stopped, so every byte is delivered exactly once and in order.
 */
export class LogTail {
  private offset = 0;
  private handle: fs.FileHandle | undefined;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly file: string, private readonly onChunk: (chunk: Buffer) => void, private readonly onError: (error: Error) => void) {}

  start(): void {
    try {
      this.watcher = watch(this.file, { persistent: true }, () => this.poke());
      this.watcher.on('error', () => this.fallBackToPolling());
    } catch {
      this.fallBackToPolling();
    }
    // What was written before the watch began.
    this.poke();
  }

  /** Reads everything written so far; resolves when caught up. */
  async drain(): Promise<void> {
    while (this.reading) await this.reading;
    this.poke();
    while (this.reading) await this.reading;
  }

  /** Whether this tail alone may keep the process alive. */
  setRef(ref: boolean): void {
    for (const handle of [this.watcher, this.poller]) {
      if (handle) {
        if (ref) handle.ref();
        else handle.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    while (this.reading) await this.reading;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  private fallBackToPolling(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (!this.poller && !this.closed) this.poller = setInterval(() => this.poke(), FALLBACK_POLL_MS);
  }

  private poke(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readToEnd()
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async readToEnd(): Promise<void> {
    this.handle ??= await fs.open(this.file, 'r');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.onChunk(Buffer.from(buffer.subarray(0, bytesRead)));
    }
  }
}
