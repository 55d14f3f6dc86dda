import * as path from 'node:path';
import type { AgentKind } from '../agents/adapters/types';
import type { BlockedOn } from '../agents/agentOutcome';
import type { EngineEvents, Subscription } from '../engine/events';
import type { ChainRunSnapshot } from '../engine/chains/types';
import type { TaskSnapshot } from '../engine/types';
import { readHead } from '../git/worktreeState';
import { silentLogger, type Logger } from '../logger';
import { prefixedId } from '../util/ids';
import { computeChanges } from './changes';
import type { ResultStore } from './store';
import { titleOf, type ChangeSummary, type ResultRecord, type ResultRun, type ResultStatus, type ResultWorktree } from './types';

/** What the recorder needs to know besides the events: the pool's leases and the run registry's details. */
export interface RecorderSources {
  /** The lease a worktree is under (its `head` is the commit the work started from). */
  leaseOf(name: string): Promise<{ leaseId: string; holder: string; head: string; path: string } | null>;
  /** A finished run's turns, duration and model. */
  runDetails(runId: string): Promise<{ numTurns: number | null; durationMs: number | null; model: string | null; agentKind?: AgentKind; blockedOn?: BlockedOn | null } | null>;
}

export interface RecorderOptions {
  events: EngineEvents;
  store: ResultStore;
  sources: RecorderSources;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Turns the engine's task-finished and chain-finished events into result records: one per task,
 * one per chain (its steps' tasks are its runs), one per fan-out variant (grouped). A follow-up
 * started through `expectContinuation` adds a run to its result instead. Recording is async (git
 * and the run registry are read); `flush` waits for it, so a CLI command can exit safely.
 */
export class ResultRecorder {
  private readonly subscription: Subscription;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly startHeads = new Map<string, Promise<string | null>>();
  private readonly groupMembers = new Map<string, string[]>();
  private readonly chainTasks = new Map<string, TaskSnapshot[]>();
  private readonly continuations = new Map<string, { resultId: string; step: string }>();
  private readonly recorded = new Map<string, string>();
  private readonly listeners = new Set<(record: ResultRecord) => void>();

  constructor(private readonly o: RecorderOptions) {
    this.logger = o.logger ?? silentLogger;
    this.now = o.now ?? (() => new Date());
    this.subscription = o.events.on((event) => {
      if (event.type === 'task-queued' && event.task.group) this.noteMember(event.task);
      else if (event.type === 'task-started' && event.task.worktreePath) this.noteStart(event.task);
      else if (event.type === 'task-finished') this.track(this.onTaskFinished(event.task));
      else if (event.type === 'chain-finished') this.track(this.onChainFinished(event.chain));
    });
  }

  /** The next finish of `taskId` is a follow-up run of `resultId`, not a result of its own. */
  expectContinuation(taskId: string, resultId: string, step = 'continue'): void {
    this.continuations.set(taskId, { resultId, step });
  }

  /** Called with every record written (new or updated by a run). */
  onRecorded(listener: (record: ResultRecord) => void): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The result id recorded for a task in this process, if any. */
  resultIdOf(taskId: string): string | undefined {
    return this.recorded.get(taskId);
  }

  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** Remembers which result a task went to; the oldest are forgotten so a long-lived editor stays flat. */
  private remember(taskId: string, resultId: string): void {
    this.recorded.set(taskId, resultId);
    if (this.recorded.size > 2_000) this.recorded.delete(this.recorded.keys().next().value as string);
    if (this.groupMembers.size > 200) this.groupMembers.delete(this.groupMembers.keys().next().value as string);
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) => this.logger.error(`could not record a result: ${(error as Error).message}`));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private noteMember(task: TaskSnapshot): void {
    const members = this.groupMembers.get(task.group as string) ?? [];
    members.push(task.id);
    this.groupMembers.set(task.group as string, members);
  }

  /** HEAD when the agent starts: the base of work that was not kept under a lease (it went back to the pool). */
  private noteStart(task: TaskSnapshot): void {
    const head = readHead(task.worktreePath as string).then((read) => read.head, () => null);
    this.startHeads.set(task.id, head);
  }

  private async onTaskFinished(task: TaskSnapshot): Promise<void> {
    const continuation = this.continuations.get(task.id);
    if (continuation) {
      this.continuations.delete(task.id);
      await this.addRun(continuation.resultId, task, continuation.step);
      return;
    }
    if (task.group && !task.group.startsWith('fanout-')) {
      // A chain's step: the chain's result collects it when the chain ends.
      this.chainTasks.set(task.group, [...(this.chainTasks.get(task.group) ?? []), task]);
      return;
    }
    const run = await this.runOf(task, null);
    const worktree = await this.worktreeOf(task.leftWork?.name ?? null);
    const base = (await this.leaseHead(task.leftWork?.name ?? null)) ?? (await this.startHeads.get(task.id)) ?? null;
    this.startHeads.delete(task.id);
    const members = task.group ? this.groupMembers.get(task.group) ?? [task.id] : [];
    const record = this.newRecord({
      kind: 'task', taskId: task.id, chainRunId: null, title: titleOf(task.prompt), prompt: task.prompt, chain: null,
      status: task.status as ResultStatus, finalMessage: task.resultText, error: task.error, errorKind: task.errorKind,
      runs: [run], costMicros: task.costMicros, worktree, worktreeName: task.worktree, baseCommit: base,
      group: task.group ? { id: task.group, kind: 'fan-out', index: Math.max(0, members.indexOf(task.id)) + 1, count: members.length } : null,
    });
    record.changes = await this.changesOf(worktree, base);
    await this.o.store.save(record);
    this.remember(task.id, record.id);
    this.emit(record);
  }

  private async onChainFinished(chain: ChainRunSnapshot): Promise<void> {
    const tasks = this.chainTasks.get(chain.id) ?? [];
    this.chainTasks.delete(chain.id);
    const runs: ResultRun[] = [];
    for (const task of tasks) {
      const step = chain.steps.find((candidate) => candidate.taskId === task.id)?.name ?? task.label ?? null;
      runs.push(await this.runOf(task, step));
    }
    const worktree: ResultWorktree | null = chain.worktree ? { ...chain.worktree } : null;
    const firstTask = tasks[0];
    const base = (await this.leaseHead(chain.worktree?.name ?? null)) ?? (firstTask ? (await this.startHeads.get(firstTask.id)) ?? null : null);
    for (const task of tasks) this.startHeads.delete(task.id);
    const lastDone = [...chain.steps].reverse().find((step) => step.status === 'succeeded');
    const args = Object.entries(chain.args).map(([key, value]) => `${key}=${value}`).join(' ');
    const record = this.newRecord({
      kind: 'chain', taskId: firstTask?.id ?? null, chainRunId: chain.id, title: `chain ${chain.name}${args ? ` ${args}` : ''}`,
      prompt: tasks.map((task) => task.prompt).join('\n\n---\n\n'), chain: { name: chain.name, file: chain.file, args: chain.args },
      status: chain.status === 'running' ? 'interrupted' : chain.status, finalMessage: lastDone?.output ?? null, error: chain.error,
      errorKind: chain.errorKind, runs, costMicros: chain.costMicros, worktree, worktreeName: chain.worktree?.name ?? tasks.at(-1)?.worktree ?? null,
      baseCommit: base, group: null,
    });
    record.changes = await this.changesOf(worktree, base);
    await this.o.store.save(record);
    for (const task of tasks) this.remember(task.id, record.id);
    this.emit(record);
  }

  /** A follow-up finished: one more run, the newest final message, fresh changes. */
  private async addRun(resultId: string, task: TaskSnapshot, step: string): Promise<void> {
    const run = await this.runOf(task, step);
    let changes: ChangeSummary | null | undefined;
    const updated = await this.o.store.update(resultId, async (record) => {
      record.runs.push(run);
      record.costMicros += task.costMicros;
      record.status = task.status as ResultStatus;
      // A failed follow-up (a session the agent cannot resume, say) keeps the last good answer; its words go in `error`.
      record.error = task.status === 'succeeded' ? null : [task.error, task.resultText].filter(Boolean).join(': ') || task.status;
      record.errorKind = task.errorKind;
      if (task.status === 'succeeded' && task.resultText !== null) record.finalMessage = task.resultText;
      if (!record.worktree && task.leftWork) record.worktree = await this.worktreeOf(task.leftWork.name);
      record.baseCommit ??= (await this.startHeads.get(task.id)) ?? null;
      changes = await this.changesOf(record.worktree, record.baseCommit);
      record.changes = changes ?? record.changes;
      if (record.review === 'kept' || record.review === 'landed') record.review = 'awaiting';
      return record;
    });
    this.startHeads.delete(task.id);
    this.remember(task.id, resultId);
    this.emit(updated);
  }

  private newRecord(fields: Omit<ResultRecord, 'version' | 'id' | 'review' | 'changes' | 'parkedRef' | 'pendingComments' | 'createdAt' | 'updatedAt'>): ResultRecord {
    const at = this.now().toISOString();
    return { version: 1, id: prefixedId('result', this.now()), review: 'awaiting', changes: null, parkedRef: null, pendingComments: [], createdAt: at, updatedAt: at, ...fields };
  }

  private async runOf(task: TaskSnapshot, step: string | null): Promise<ResultRun> {
    const details = task.runId ? await this.o.sources.runDetails(task.runId).catch(() => null) : null;
    return {
      runId: task.runId, taskId: task.id, step, prompt: task.prompt, status: task.status, sessionId: task.sessionId, costMicros: task.costMicros,
      numTurns: details?.numTurns ?? null, durationMs: details?.durationMs ?? null, model: details?.model ?? null,
      startedAt: task.startedAt, endedAt: task.endedAt, resultText: task.resultText, error: task.error,
      agentKind: details?.agentKind ?? null, blockedOn: details?.blockedOn ?? null,
    };
  }

  private async worktreeOf(name: string | null): Promise<ResultWorktree | null> {
    if (!name) return null;
    const lease = await this.o.sources.leaseOf(name).catch(() => null);
    return lease ? { name, path: lease.path, leaseId: lease.leaseId, holder: lease.holder } : null;
  }

  private async leaseHead(name: string | null): Promise<string | null> {
    if (!name) return null;
    return (await this.o.sources.leaseOf(name).catch(() => null))?.head ?? null;
  }

  private async changesOf(worktree: ResultWorktree | null, base: string | null): Promise<ChangeSummary | null> {
    if (!worktree || !base) return worktree ? null : emptyChanges(base, this.now());
    try {
      return await computeChanges(worktree.path, base, path.join(this.o.store.groveDir, 'tmp'), this.now());
    } catch (error) {
      this.logger.warn(`could not read the changes in ${worktree.path}: ${(error as Error).message}`);
      return null;
    }
  }

  private emit(record: ResultRecord): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(record);
      } catch (error) {
        this.logger.warn(`a result listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function emptyChanges(base: string | null, now: Date): ChangeSummary {
  return { files: [], added: 0, removed: 0, commits: [], untracked: [], head: base ?? '', computedAt: now.toISOString() };
}
