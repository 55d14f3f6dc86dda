import { promises as fs } from 'node:fs';
import { GroveError } from '../errors';
import { FencedDocument } from '../store/fencedJson';
import { withLock, type LockContext } from '../store/lock';
import { identifySelf, liveness, type ProcessIdentity } from '../util/liveness';
import { formatUsd } from '../money';
import { ledgerIndex, type LedgerIndex, type LedgerView } from '../store/spendLedger';

/**
 * The pool's spend cap, shared by every process on the pool. What was spent comes from the
 * spend ledger (the runner appends one line per finished run, exactly once); what running
 * tasks may still spend is held as reservations in `<groveDir>/budget.json`, changed only
 * under the pool lock. A reservation stops counting as soon as its run's cost is in the
 * ledger, or its run ended, or its owner died before the run started: so a crash anywhere
 * neither loses spend (the ledger has it) nor counts it twice (the reservation is dropped).
 */
export interface BudgetStatus {
  capMicros: number | null;
  spentMicros: number;
  reservedMicros: number;
  /** cap - spent - reserved; null without a cap. */
  remainingMicros: number | null;
}

export interface BudgetReservation {
  micros: number;
  owner: ProcessIdentity;
  runId?: string;
  taskId?: string;
  at: string;
}

export interface BudgetFile {
  capMicros: number | null;
  reservations: Record<string, BudgetReservation>;
}

/** What the run registry knows of a run: a reservation for an active run holds even if its owner died (the agent still spends). */
export interface RunLookup {
  runState(runId: string): Promise<'active' | 'terminal' | 'missing'>;
}

export interface BudgetOptions {
  groveDir: string;
  runs?: RunLookup;
  now?: () => Date;
}

/** A hold (budget reservation or slot claim) with the owner and the run it is for. */
export interface Hold {
  owner: ProcessIdentity;
  runId?: string;
}

export class Budget {
  readonly file: string;
  private readonly document: FencedDocument;
  private readonly totals: LedgerIndex;
  private readonly now: () => Date;

  constructor(private readonly options: BudgetOptions) {
    this.document = new FencedDocument(options.groveDir, 'budget');
    this.file = this.document.mirror;
    this.totals = ledgerIndex(options.groveDir);
    this.now = options.now ?? (() => new Date());
  }

  /** Read-only: no lock, reservations judged live the same way the locked path judges them. */
  async status(): Promise<BudgetStatus> {
    return this.statusOf(await this.load());
  }

  /** Sets (or with null removes) the cap. Zero, negative and non-numbers never get here (see parseUsdToMicros). */
  async setCap(capMicros: number | null): Promise<BudgetStatus> {
    if (capMicros !== null && !(Number.isSafeInteger(capMicros) && capMicros > 0)) {
      throw new GroveError('usage', `the budget must be a positive amount, got ${capMicros} microdollars`, 'Give a positive number of US dollars, such as 5.');
    }
    return withLock(this.options.groveDir, async (lock) => {
      const state = await this.load(lock).catch(async (error: unknown) => {
        // Setting the cap is how a person repairs an unreadable file: keep the old one aside.
        if (!(error instanceof GroveError)) throw error;
        await fs.copyFile(this.file, `${this.file}.unreadable-${Date.now()}`).catch(() => undefined);
        return { capMicros: null, reservations: {} } as BudgetFile;
      });
      state.capMicros = capMicros;
      await this.save(lock, state);
      return this.statusOf(state);
    });
  }

  /**
   * Holds what a task may spend, inside a lock the caller holds. Refuses with
   * `budget exhausted` when nothing remains. Returns null when there is no cap and no task cap
   * (nothing to hold, nothing to pass as --max-budget-usd).
   */
  async reserveLocked(lock: LockContext, o: { key: string; runId: string; taskId?: string; taskCapMicros?: number; slotCount: number }): Promise<number | null> {
    const state = await this.load(lock);
    const ledger = await this.totals.read();
    state.reservations = await this.liveReservations(state, ledger.hasRun);
    const cap = state.capMicros;
    if (cap === null) return o.taskCapMicros ?? null;
    const reserved = sum(state.reservations);
    const remaining = cap - ledger.spentMicros - reserved;
    if (remaining <= 0) {
      throw new GroveError('budget', `budget exhausted: spent ${formatUsd(ledger.spentMicros)} of ${formatUsd(cap)}`,
        reserved > 0
          ? `${formatUsd(reserved)} more is held by running tasks. Wait for them, or raise the cap with: grove budget --set USD`
          : 'Raise the cap with: grove budget --set USD');
    }
    const taskCap = o.taskCapMicros ?? Math.max(1, Math.floor(cap / Math.max(1, o.slotCount)));
    const micros = Math.min(taskCap, remaining);
    state.reservations[o.key] = { micros, owner: await identifySelf(), runId: o.runId, taskId: o.taskId, at: this.now().toISOString() };
    await this.save(lock, state);
    return micros;
  }

  async releaseLocked(lock: LockContext, key: string): Promise<void> {
    const state = await this.load(lock);
    if (!(key in state.reservations)) return;
    delete state.reservations[key];
    await this.save(lock, state);
  }

  async reserve(o: { key: string; runId: string; taskId?: string; taskCapMicros?: number; slotCount: number }): Promise<number | null> {
    return withLock(this.options.groveDir, (lock) => this.reserveLocked(lock, o));
  }

  async release(key: string): Promise<void> {
    await withLock(this.options.groveDir, (lock) => this.releaseLocked(lock, key));
  }

  /** Whether a hold still stands: see the class comment. Used for slot claims too. */
  async holdIsLive(hold: Hold, hasRun: (runId: string) => boolean): Promise<boolean> {
    if (hold.runId && hasRun(hold.runId)) return false;
    if (hold.runId && this.options.runs) {
      const state = await this.options.runs.runState(hold.runId);
      if (state === 'terminal') return false;
      if (state === 'active') return true;
    }
    return (await liveness(hold.owner)) !== 'dead';
  }

  async ledger(): Promise<LedgerView> {
    return this.totals.read();
  }

  private async liveReservations(state: BudgetFile, hasRun: (runId: string) => boolean): Promise<Record<string, BudgetReservation>> {
    return liveOnly(state.reservations, (reservation) => this.holdIsLive(reservation, hasRun));
  }

  private async statusOf(state: BudgetFile): Promise<BudgetStatus> {
    const ledger = await this.totals.read();
    return summarize(state.capMicros, ledger.spentMicros, await this.liveReservations(state, ledger.hasRun));
  }

  /** Inside a lock, pass it: the commit that follows must build on exactly what was read. */
  async load(lock?: LockContext): Promise<BudgetFile> {
    const read = await this.document.read(lock);
    if (read.kind === 'missing') return { capMicros: null, reservations: {} };
    if (read.kind === 'corrupt' || !isBudgetFile(read.value)) {
      // Refusing is the only safe answer: guessing "no cap" could spend past the person's limit.
      throw new GroveError('internal', `${this.file} is unreadable`, 'Set the cap again with grove budget --set USD (this rewrites the file; spend is kept in spend.jsonl).');
    }
    return { capMicros: read.value.capMicros ?? null, reservations: read.value.reservations ?? {} };
  }

  private async save(lock: LockContext, state: BudgetFile): Promise<void> {
    await this.document.commit(lock, state);
  }
}

/** The holds that still stand, judged all at once (each judgement may read a run entry). */
export async function liveOnly<T>(holds: Record<string, T>, isLive: (hold: T) => Promise<boolean>): Promise<Record<string, T>> {
  const entries = Object.entries(holds);
  const verdicts = await Promise.all(entries.map(([, hold]) => isLive(hold)));
  return Object.fromEntries(entries.filter((_, index) => verdicts[index]));
}

function isBudgetFile(value: unknown): value is Partial<BudgetFile> {
  if (typeof value !== 'object' || value === null) return false;
  const { capMicros, reservations } = value as Partial<BudgetFile>;
  const capOk = capMicros === undefined || capMicros === null || (Number.isSafeInteger(capMicros) && capMicros > 0);
  return capOk && (reservations === undefined || (typeof reservations === 'object' && reservations !== null));
}

function sum(reservations: Record<string, BudgetReservation>): number {
  return Object.values(reservations).reduce((total, reservation) => total + reservation.micros, 0);
}

function summarize(capMicros: number | null, spentMicros: number, live: Record<string, BudgetReservation>): BudgetStatus {
  const reservedMicros = sum(live);
  return { capMicros, spentMicros, reservedMicros, remainingMicros: capMicros === null ? null : capMicros - spentMicros - reservedMicros };
}
