import { GroveError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { Budget, type BudgetStatus } from './budget';
import { drainReport, type DrainReport } from './drain';
import type { EngineOptions } from './engineOptions';
import { EngineEvents } from './events';
import type { AgentRun, ReservedWorktree } from './ports';
import { resolveSettings, type AgentSettings } from './settings';
import { failure, isTerminal, outcomeOf, unknownTask } from './taskOutcome';
import { agentFlags } from './taskAgent';
import { SlotClaims } from './slotClaims';
import { SlotSet, type Slot } from './slotSet';
import { type SlotSnapshot, type TaskResult, type TaskSnapshot, type TaskSpec } from './types';
import { prefixedId } from '../util/ids';
import { pausePoint } from '../util/testPause';
import { MemoryGate } from '../ready/memory';

export type { EngineOptions } from './engineOptions';
export type { DrainReport } from './drain';


interface Task {
  snapshot: TaskSnapshot;
  spec: TaskSpec;
  settled: Promise<TaskResult>;
  settle: (result: TaskResult) => void;
  run: AgentRun | null;
  cancelRequested: boolean;
}

const PARTIAL_OUTPUT_LIMIT = 64 * 1024;

/**
 * Slots, a FIFO queue, and the life of each task: wait for a slot (shared with every Grove
 * process on the pool) and the budget to hold what it may spend, reserve a worktree, run the
 * agent, then give everything back, keeping any work the agent left under a lease for a
 * person. Everything that happens goes out on `events`.
 */
export class Engine {
  readonly events: EngineEvents;
  readonly budget: Budget;
  private readonly claims: SlotClaims;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly slotSet: SlotSet;
  private readonly queue: Task[] = [];
  private readonly tasks = new Map<string, Task>();
  private readonly finishedOrder: string[] = [];
  private readonly context = new Map<string, string>();
  private readonly partialOutput = new Map<string, string>();
  private pumping = false;
  private pumpAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];
  private started: Promise<void> | null = null;
  private readonly memory: MemoryGate;

  constructor(private readonly options: EngineOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.events = new EngineEvents((error) => this.logger.error(`an engine event listener failed: ${(error as Error).message}`));
    this.budget = new Budget({ groveDir: options.groveDir, runs: options.agents, now: this.now });
    this.claims = new SlotClaims(options.groveDir, this.budget, this.now);
    this.memory = new MemoryGate(options.memory);
    this.slotSet = new SlotSet(this.events, options.minSlots ?? 1, options.maxSlots ?? 32, options.slots ?? 4);
    for (const [key, value] of Object.entries(options.context ?? {})) this.context.set(key, value);
  }

  // ---- tasks ---------------------------------------------------------------------------

  /** Queues a task and returns its id at once. */
  submit(spec: TaskSpec): string {
    if (this.draining) {
      throw new GroveError('unavailable', 'the engine is draining and takes no new tasks', 'Wait for the drain to finish, then start again.');
    }
    if (typeof spec.prompt !== 'string' || spec.prompt.trim() === '') {
      throw new GroveError('usage', 'a task needs a prompt', 'Give the agent something to do.');
    }
    const id = prefixedId('task');
    let settle!: (result: TaskResult) => void;
    const settled = new Promise<TaskResult>((resolve) => (settle = resolve));
    const task: Task = {
      spec,
      settled,
      settle,
      run: null,
      cancelRequested: false,
      snapshot: {
        id, label: spec.label ?? null, prompt: spec.prompt, status: 'queued', slot: null, worktree: null, worktreePath: null,
        runId: null, sessionId: null, costMicros: 0, budgetMicros: null, queuedAt: this.now().toISOString(), startedAt: null,
        endedAt: null, resultText: null, error: null, errorKind: null, errorHint: null, leftWork: null, group: spec.group ?? null,
      },
    };
    this.tasks.set(id, task);
    this.queue.push(task);
    this.events.emit({ type: 'task-queued', task: { ...task.snapshot } });
    this.pump();
    return id;
  }

  /** Runs a task and waits for it; resolves with its result whatever the outcome (see `status`). */
  run(spec: TaskSpec): Promise<TaskResult> {
    return this.wait(this.submit(spec));
  }

  wait(taskId: string): Promise<TaskResult> {
    const task = this.tasks.get(taskId);
    if (!task) return Promise.reject(unknownTask(taskId));
    return task.settled;
  }

  /** The task as it is now (queued, running, or its final result); undefined once forgotten. */
  result(taskId: string): TaskSnapshot | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    const partial = this.partialOutput.get(taskId);
    return { ...task.snapshot, ...(partial !== undefined && task.snapshot.status === 'running' ? { resultText: partial } : {}) };
  }

  /** Live partial output of a running task. */
  partial(taskId: string): string {
    return this.partialOutput.get(taskId) ?? '';
  }

  list(): TaskSnapshot[] {
    return [...this.tasks.values()].map((task) => ({ ...task.snapshot }));
  }

  /** Cancels a queued task, or kills a running one's agent (its whole process group). */
  async cancel(taskId: string): Promise<TaskSnapshot> {
    const task = this.tasks.get(taskId);
    if (!task) throw unknownTask(taskId);
    if (isTerminal(task.snapshot)) return { ...task.snapshot };
    task.cancelRequested = true;
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(task, { status: 'cancelled', error: 'cancelled before it started' });
      return { ...task.snapshot };
    }
    // Running: kill the agent if it has started; a task still reserving checks the flag itself.
    if (task.run) await task.run.cancel();
    await task.settled;
    return { ...task.snapshot };
  }

  /** Several prompts (or one prompt `count` times), in parallel, each in its own worktree. */
  async fanOut(prompts: string[] | { prompt: string; count: number }, common: Omit<TaskSpec, 'prompt'> = {}): Promise<TaskResult[]> {
    const list = Array.isArray(prompts) ? prompts : Array.from({ length: prompts.count }, () => prompts.prompt);
    if (list.length === 0) throw new GroveError('usage', 'fan-out needs at least one prompt');
    const group = common.group ?? (list.length > 1 ? prefixedId('fanout') : undefined);
    const ids = list.map((prompt, index) => this.submit({ ...common, prompt, group, label: common.label ?? (list.length > 1 ? `fan-out ${index + 1}/${list.length}` : undefined) }));
    return Promise.all(ids.map((id) => this.wait(id)));
  }

  // ---- context, slots, scaling, drain --------------------------------------------------

  setContext(key: string, value: string): void {
    this.context.set(key, value);
  }

  deleteContext(key: string): boolean {
    return this.context.delete(key);
  }

  listContext(): Record<string, string> {
    return Object.fromEntries(this.context);
  }

  slots(): SlotSnapshot[] {
    return this.slotSet.snapshots();
  }

  /**
   * Sets the number of slots within min/max. Scaling down takes idle slots away at once and
   * waits for busy ones to finish their task; worktrees belong to the pool, so nothing is
   * destroyed (a worktree with work in it stays leased for a person).
   */
  scale(count: number): Promise<number> {
    return this.slotSet.scale(count, () => this.pump());
  }

  /** Stops intake, waits for queued and running tasks (at most `timeoutMs`, then cancels them), and reports. */
  async drain(o: { timeoutMs?: number } = {}): Promise<DrainReport> {
    this.draining = true;
    // A drain ends when its report is out: the next task runs (issue 8, item 1).
    try {
      const all = [...this.tasks.values()];
      return await drainReport(all, { timeoutMs: o.timeoutMs, cancel: (id) => this.cancel(id), budget: () => this.budget.status() });
    } finally {
      this.draining = false;
    }
  }

  /** Finishes runs left by a dead host (their spend into the ledger once) before taking work. */
  start(): Promise<void> {
    this.started ??= this.options.agents.reconcile().catch((error: unknown) => {
      this.logger.warn(`could not reconcile earlier runs: ${(error as Error).message}`);
    });
    return this.started;
  }

  /** Lets go of everything that would keep the process alive; running agents are not touched. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.options.agents.close?.();
  }

  /** Sets (null: removes) the pool cap and tells the views. */
  async setBudgetCap(capMicros: number | null): Promise<BudgetStatus> {
    const budget = await this.budget.setCap(capMicros);
    this.events.emit({ type: 'spend-changed', budget });
    return budget;
  }

  async budgetStatus(): Promise<BudgetStatus> {
    return this.budget.status();
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.slotSet.anyBusy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- scheduling ----------------------------------------------------------------------

  /**
   * Admits queued tasks in order while this process has idle slots. One admission at a time:
   * each is a short locked step that claims a slot shared with other processes and reserves
   * the budget. When another process holds every free slot, look again after a short wait.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pump();
      }
    });
  }

  private async pumpLoop(): Promise<void> {
    await this.start();
    while (this.queue.length > 0) {
      const idle = this.slotSet.idle();
      if (idle.length === 0) return;
      const task = this.queue[0];
      // ready/memory.ts: short of memory, the task waits in the queue (and says so) instead of pushing the machine into swap.
      if (await this.memory.holdBack(task.snapshot, () => this.events.emit({ type: 'task-queued', task: { ...task.snapshot } }))) return this.retryLater();
      const runId = prefixedId('run');
      let admission;
      try {
        admission = await this.claims.admit({
          taskId: task.snapshot.id, runId, candidates: idle.map((slot) => slot.name),
          taskCapMicros: this.resolvedSettings(task, null).maxBudgetMicros, slotCount: this.slotSet.size,
        });
      } catch (error) {
        if (this.queue[0] === task) this.queue.shift();
        this.finish(task, failure(error));
        continue;
      }
      if (this.queue[0] !== task) {
        // Cancelled while we waited for the lock: give the slot and money back.
        if (admission) await this.claims.discharge({ taskId: task.snapshot.id, slot: admission.slot }).catch(() => undefined);
        continue;
      }
      if (!admission) {
        this.retryLater();
        return;
      }
      const slot = this.slotSet.idleNamed(admission.slot);
      if (!slot) {
        // Scaled away (or set stopping) while we waited for the lock: give it back, try the others.
        await this.claims.discharge({ taskId: task.snapshot.id, slot: admission.slot }).catch(() => undefined);
        continue;
      }
      this.queue.shift();
      slot.state = 'busy';
      slot.taskId = task.snapshot.id;
      task.snapshot.slot = slot.name;
      task.snapshot.runId = runId;
      task.snapshot.budgetMicros = admission.budgetMicros;
      task.snapshot.status = 'running';
      task.snapshot.startedAt = this.now().toISOString();
      this.slotSet.emit(slot);
      void this.execute(task, slot, runId, admission.budgetMicros);
    }
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.options.slotPollMs ?? 250);
  }

  private async execute(task: Task, slot: Slot, runId: string, budgetMicros: number | null): Promise<void> {
    let reserved: ReservedWorktree | null = null;
    const outcome: Partial<TaskSnapshot> & { status: TaskResult['status'] } = { status: 'failed' };
    try {
      await pausePoint('engine:admitted');
      reserved = await this.reserveWorktree(task, slot);
      await pausePoint('engine:reserved');
      task.snapshot.worktree = reserved.name;
      task.snapshot.worktreePath = reserved.path;
      slot.worktree = reserved.name;
      this.slotSet.emit(slot);
      this.events.emit({ type: 'task-started', task: { ...task.snapshot } });
      if (task.cancelRequested) {
        Object.assign(outcome, { status: 'cancelled', error: 'cancelled before the agent started' });
      } else {
        Object.assign(outcome, await this.runAgent(task, slot, reserved, runId, budgetMicros));
      }
    } catch (error) {
      Object.assign(outcome, failure(error));
    }
    if (reserved) {
      try {
        outcome.leftWork = await this.options.worktrees.release({ name: reserved.name, reservationId: reserved.reservationId, holderIfWorkLeft: holderOf(task) });
        // Failing to note it only means the next look checks the worktree again.
        if (task.run) await this.options.agents.workKept?.(runId)?.catch((error: Error) => this.logger.warn(`run ${runId}: ${error.message}`));
      } catch (error) {
        this.logger.error(`could not release worktree ${reserved.name} after task ${task.snapshot.id}: ${(error as Error).message}`);
      }
    }
    try {
      await this.claims.discharge({ taskId: task.snapshot.id, slot: slot.name });
    } catch (error) {
      this.logger.error(`could not free ${slot.name} after task ${task.snapshot.id}: ${(error as Error).message}`);
    }
    slot.costMicros += outcome.costMicros ?? 0;
    slot.tasksDone += 1;
    slot.taskId = null;
    slot.worktree = null;
    this.finish(task, outcome);
    this.slotSet.freed(slot);
    this.emitSpend();
    this.pump();
    this.notifyIdle();
  }

  private async reserveWorktree(task: Task, slot: Slot): Promise<ReservedWorktree> {
    const worktrees = this.options.worktrees;
    if (task.spec.resumeSession && !task.spec.worktree) {
      // Continuing a conversation only makes sense where it happened: same files, same history.
      const name = await this.options.agents.sessionWorktree(task.spec.resumeSession);
      if (!name) {
        throw new GroveError('usage', `no run of session ${task.spec.resumeSession} is known to this pool`,
          'Continue a session that a Grove task started (see grove runs --json), or start a new task.');
      }
      const leaseId = await worktrees.leaseIdOf(name);
      return worktrees.reserve({ owner: slot.name, worktree: name, leaseId: leaseId ?? undefined });
    }
    if (task.spec.worktree) return worktrees.reserve({ owner: slot.name, worktree: task.spec.worktree, leaseId: task.spec.leaseId });
    return worktrees.reserve({ owner: slot.name });
  }

  private async runAgent(task: Task, slot: Slot, worktree: ReservedWorktree, runId: string, budgetMicros: number | null): Promise<Partial<TaskSnapshot> & { status: TaskResult['status'] }> {
    const settings = this.resolvedSettings(task, slot.name);
    const context = { ...this.listContext(), ...task.spec.context };
    const run = await this.options.agents.start({
      runId, cwd: worktree.path, prompt: task.spec.prompt, taskId: task.snapshot.id, slot: slot.name, worktree: worktree.name,
      flags: agentFlags(settings, { slot: slot.name, identity: this.options.slotSettings?.[slot.name], context, budgetMicros, resume: task.spec.resumeSession }),
      timeoutMs: settings.timeoutMs, agentCommand: settings.agentCommand,
      env: { ...settings.env, ...worktree.env }, // the worktree's identity and ports (GROVE_*) win over settings
      // If this process dies, whoever records the run keeps the work under the same holder.
      keepWork: { holder: holderOf(task), head: worktree.head ?? null },
      origin: this.options.origin,
      agentKind: settings.agentKind, stallMs: settings.stallMs,
    });
    task.run = run;
    this.partialOutput.set(task.snapshot.id, '');
    run.onEvent((event) => {
      if (event.type === 'session') {
        task.snapshot.sessionId = event.sessionId;
        return;
      }
      const sofar = (this.partialOutput.get(task.snapshot.id) ?? '') + event.text;
      this.partialOutput.set(task.snapshot.id, sofar.length > PARTIAL_OUTPUT_LIMIT ? sofar.slice(-PARTIAL_OUTPUT_LIMIT) : sofar);
      this.events.emit({ type: 'task-progress', taskId: task.snapshot.id, text: event.text, sessionId: task.snapshot.sessionId });
    });
    if (task.cancelRequested) await run.cancel();
    const result = await run.done;
    this.partialOutput.delete(task.snapshot.id);
    return outcomeOf(result);
  }

  private resolvedSettings(task: Task, slotName: string | null): AgentSettings {
    const slotSettings = slotName ? this.options.slotSettings?.[slotName] : undefined;
    return resolveSettings(this.options.settings, slotSettings, task.spec.settings);
  }

  // ---- bookkeeping ---------------------------------------------------------------------

  private finish(task: Task, outcome: Partial<TaskSnapshot> & { status: TaskResult['status'] }): void {
    Object.assign(task.snapshot, outcome, { endedAt: this.now().toISOString() });
    task.run = null;
    this.partialOutput.delete(task.snapshot.id);
    this.events.emit({ type: 'task-finished', task: { ...task.snapshot } });
    task.settle({ ...task.snapshot } as TaskResult);
    this.finishedOrder.push(task.snapshot.id);
    const keep = this.options.keepFinished ?? 256;
    while (this.finishedOrder.length > keep) this.tasks.delete(this.finishedOrder.shift() as string);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.slotSet.anyBusy()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private emitSpend(): void {
    this.budget.status().then(
      (budget) => this.events.emit({ type: 'spend-changed', budget }),
      (error: unknown) => this.logger.warn(`could not read the budget: ${(error as Error).message}`),
    );
  }
}

function holderOf(task: Task): string {
  return task.spec.holderIfWorkLeft ?? `grove:${task.snapshot.id}`;
}
