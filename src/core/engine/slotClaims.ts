import { promises as fs } from 'node:fs';
import { FencedDocument } from '../store/fencedJson';
import { withLock, type LockContext } from '../store/lock';
import { identifySelf, type ProcessIdentity } from '../util/liveness';
import { liveOnly, type Budget } from './budget';

/**
 * Slots are shared by every Grove process on the pool: ten `grove run` processes with four
 * slots run four agents, not forty. A slot is claimed in `<groveDir>/slots.json` under the
 * pool lock, in the same critical section that reserves the task's budget, so a task never
 * holds a slot without its money or money without its slot.
 *
 * Both files are fenced documents (see fencedJson), committed budget first: a process that
 * lost the lock between the two commits leaves money held without a slot (it refuses nobody's
 * cap, and is released below or when the hold's run or owner ends), never a slot without money.
 */
export interface SlotClaim {
  taskId: string;
  runId: string;
  owner: ProcessIdentity;
  at: string;
}

interface SlotsFile {
  claims: Record<string, SlotClaim>;
}

export type Admission = { slot: string; budgetMicros: number | null } | null;

export class SlotClaims {
  readonly file: string;
  private readonly document: FencedDocument;

  constructor(private readonly groveDir: string, private readonly budget: Budget, private readonly now: () => Date = () => new Date()) {
    this.document = new FencedDocument(groveDir, 'slots');
    this.file = this.document.mirror;
  }

  /**
   * Claims the first free slot among `candidates` and reserves the task's budget with it.
   * Returns null when every candidate is held (the caller waits); throws GroveError 'budget'
   * when a slot is free but the money is not.
   */
  async admit(o: { taskId: string; runId: string; candidates: string[]; taskCapMicros?: number; slotCount: number }): Promise<Admission> {
    let reserved = false;
    try {
      return await withLock(this.groveDir, async (lock) => {
        const claims = await this.liveClaims(lock);
        const slot = o.candidates.find((name) => !claims[name]);
        if (!slot) return null;
        const budgetMicros = await this.budget.reserveLocked(lock, { key: o.taskId, runId: o.runId, taskId: o.taskId, taskCapMicros: o.taskCapMicros, slotCount: o.slotCount });
        reserved = true;
        claims[slot] = { taskId: o.taskId, runId: o.runId, owner: await identifySelf(), at: this.now().toISOString() };
        await this.document.commit(lock, { claims } satisfies SlotsFile);
        return { slot, budgetMicros };
      });
    } catch (error) {
      // The money was held but the slot not claimed (the lock was lost in between): give it back.
      if (reserved) await this.budget.release(o.taskId).catch(() => undefined);
      throw error;
    }
  }

  /** Frees the slot and drops the task's budget reservation (its cost is in the ledger by now). */
  async discharge(o: { taskId: string; slot: string | null }): Promise<void> {
    await withLock(this.groveDir, async (lock) => {
      await this.budget.releaseLocked(lock, o.taskId);
      if (!o.slot) return;
      // Only this task's own claim is touched: judging everyone else's (what admit does) is not needed to free one.
      const claims = await this.readClaims(lock);
      if (claims[o.slot]?.taskId !== o.taskId) return;
      delete claims[o.slot];
      await this.document.commit(lock, { claims } satisfies SlotsFile);
    });
  }

  /** The slots held right now, by any process (read without the lock, for views). */
  async claimed(): Promise<Record<string, SlotClaim>> {
    return this.liveClaims();
  }

  private async liveClaims(lock?: LockContext): Promise<Record<string, SlotClaim>> {
    const claims = await this.readClaims(lock);
    const ledger = await this.budget.ledger();
    return liveOnly(claims, (claim) => this.budget.holdIsLive(claim, ledger.hasRun));
  }

  private async readClaims(lock?: LockContext): Promise<Record<string, SlotClaim>> {
    const read = await this.document.read(lock);
    if (read.kind === 'missing') return {};
    const value = read.kind === 'ok' ? (read.value as Partial<SlotsFile> | null) : null;
    if (read.kind === 'corrupt' || typeof value?.claims !== 'object' || value.claims === null) {
      // Claims only keep two processes off one slot name; the pool's reservations guard the
      // worktrees themselves and the registry refuses a second active run per slot, so
      // starting over is safe. The old file is kept for a look; the next admit rewrites it.
      await fs.copyFile(this.file, `${this.file}.unreadable-${Date.now()}`).catch(() => undefined);
      return {};
    }
    return value.claims as Record<string, SlotClaim>;
  }
}
