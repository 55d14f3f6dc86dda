import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

const TAG_KEY = 'grove.windowTag';
const COUNTER_KEY = 'grove.leaseCounter';

/**
 * Who this window is, for leases and runs. The tag lives in the workspace's state, so it
 * survives "Reload Window" (a reloaded window still owns its leases and its runs) and differs
 * between windows on different folders. Each lease gets its own holder
 * (`<grove.pool.holder>:<tag>-<n>`): the pool's same-holder idempotency would otherwise hand a
 * second Lease Worktree the first lease back, and every window would share it.
 */
export class WindowIdentity {
  readonly tag: string;

  constructor(private readonly state: vscode.Memento) {
    let tag = state.get<string>(TAG_KEY);
    if (typeof tag !== 'string' || !/^[0-9a-f]{4,12}$/.test(tag)) {
      tag = randomBytes(3).toString('hex');
      void state.update(TAG_KEY, tag);
    }
    this.tag = tag;
  }

  /** Recorded on every run this window starts (the run entry's `origin`). */
  get origin(): string {
    return `vscode:${this.tag}`;
  }

  /** A holder name no other lease of this window has. */
  async nextHolder(prefix: string): Promise<string> {
    const next = (this.state.get<number>(COUNTER_KEY) ?? 0) + 1;
    await this.state.update(COUNTER_KEY, next);
    return `${prefix}:${this.tag}-${next}`;
  }

  /** Was this lease taken by this window (before or after a reload)? */
  holds(holder: string | null | undefined): boolean {
    // The tag is hex, so it needs no escaping in the pattern.
    return typeof holder === 'string' && new RegExp(`:${this.tag}-\\d+$`).test(holder);
  }

  /** In words, whose a run is, from its entry's origin. */
  whose(origin: string | null | undefined): string {
    if (origin === this.origin) return 'this window, before a reload';
    if (origin === 'cli') return 'the command line';
    if (typeof origin === 'string' && origin.startsWith('vscode:')) return 'another window';
    return 'another Grove process';
  }
}
