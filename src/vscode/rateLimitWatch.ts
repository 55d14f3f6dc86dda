import type * as vscode from 'vscode';
import { nextChangeMs, rateLimitNotices, type RateLimitNotice } from '../core/agents/rateLimitNotice';
import { readRateLimits, type RateLimitMark } from '../core/agents/rateLimits';
import type { AgentKind } from '../core/agents/adapters';
import type { Logger } from '../core/logger';

/** Past a countdown's minute boundary (or a reset) by this much, so the redraw lands after it. */
const TICK_SLACK_MS = 50;

/**
 * The paused agent kinds for the slots view and the status bar. `refresh()` reads
 * `rate-limits.json` (the session calls it when the grove watcher sees the file change);
 * between reads one timer, armed only while a kind is paused, redraws from the marks already
 * read when a countdown drops a minute or a reset passes, so a row goes by itself.
 */
export class RateLimitWatch implements vscode.Disposable {
  private marks: Partial<Record<AgentKind, RateLimitMark>> = {};
  private timer: NodeJS.Timeout | undefined;
  private reads = 0;
  private shown: RateLimitNotice[] = [];
  private disposed = false;

  constructor(private readonly groveDir: string, private readonly draw: (notices: readonly RateLimitNotice[]) => void,
    private readonly logger: Logger, private readonly now: () => Date = () => new Date()) {}

  get current(): readonly RateLimitNotice[] {
    return this.shown;
  }

  async refresh(): Promise<void> {
    const read = ++this.reads;
    try {
      const marks = await readRateLimits(this.groveDir);
      // Two changes close together: only the later read is drawn.
      if (read !== this.reads) return;
      this.marks = marks;
    } catch (error) {
      this.logger.warn(`cannot read the rate limits: ${(error as Error).message}`);
    }
    this.redraw();
  }

  private redraw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    const now = this.now();
    const notices = rateLimitNotices(this.marks, now);
    // Unchanged and nothing paused: no redraw (the tree and status bar are left alone).
    if (notices.length || this.shown.length) this.draw(notices);
    this.shown = notices;
    const wait = nextChangeMs(notices, now);
    if (wait !== null) this.timer = setTimeout(() => this.redraw(), wait + TICK_SLACK_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
