import { identifySelf } from '../../util/liveness';
import type { Engine } from '../engine';
import { prefixedId } from '../../util/ids';
import type { WorktreeProvider } from '../ports';
import { resolveSettings } from '../settings';
import type { TaskResult } from '../types';
import { ChainRunFile } from './store';
import { renderTemplate } from './template';
import type { ChainDefinition, ChainRunSnapshot, ChainStep, StepProgress } from './types';

export interface ChainRun {
  readonly id: string;
  readonly done: Promise<ChainRunSnapshot>;
  snapshot(): ChainRunSnapshot;
  /** Kills the running step's agent; the steps after it are marked skipped. */
  cancel(): Promise<ChainRunSnapshot>;
}

/** Only an agent that ran and failed is worth another try; a refusal (budget, usage) would fail the same way again. */
function retryable(result: TaskResult): boolean {
  return result.status === 'failed' && (result.errorKind === 'agent-failed' || result.errorKind === null);
}

/**
 * Runs a chain's steps one after another as engine tasks, passing outputs along through the
 * templates, retrying failed steps and then trying the recovery prompt, and keeping a
 * persisted, evented record of every step.
 *
 * Where the work lives: with isolation `worktree` the chain leases a fresh worktree and every
 * step runs in it; with `slot` each step takes a pool worktree, and as soon as a step leaves
 * work behind, that worktree is kept under the chain's lease and the next steps continue in it.
 */
export class ChainRunner {
  constructor(private readonly o: { engine: Engine; worktrees: WorktreeProvider; groveDir: string; now?: () => Date }) {}

  async start(chain: ChainDefinition, args: Record<string, string>): Promise<ChainRun> {
    const now = this.o.now ?? (() => new Date());
    const owner = await identifySelf();
    const id = prefixedId('chain');
    const snapshot: ChainRunSnapshot = {
      id, name: chain.name, file: chain.file, args, isolation: chain.isolation, status: 'running', startedAt: now().toISOString(), endedAt: null,
      costMicros: 0, worktree: null, error: null, errorKind: null, owner,
      steps: chain.steps.map((step, index) => ({
        name: step.name, index, status: 'pending', startedAt: null, endedAt: null, costMicros: 0, sessionId: null, retriesUsed: 0,
        recovered: false, output: '', error: null, taskId: null, worktree: null,
      })),
    };
    const execution = new ChainExecution(chain, args, snapshot, this.o.engine, this.o.worktrees, new ChainRunFile(this.o.groveDir, id), now);
    await execution.persist();
    const done = execution.run();
    return {
      id,
      done,
      snapshot: () => structuredClone(snapshot),
      cancel: async () => {
        await execution.cancel();
        return done;
      },
    };
  }
}

class ChainExecution {
  private cancelled = false;
  private currentTask: string | null = null;
  /** The worktree carrying the chain's work, held under the chain's lease. */
  private carried: { name: string; path: string; leaseId: string } | null = null;
  private readonly holder: string;
  private persistTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly chain: ChainDefinition,
    private readonly args: Record<string, string>,
    private readonly snapshot: ChainRunSnapshot,
    private readonly engine: Engine,
    private readonly worktrees: WorktreeProvider,
    private readonly file: ChainRunFile,
    private readonly now: () => Date,
  ) {
    this.holder = `grove:chain-${snapshot.id}`;
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    if (this.currentTask) await this.engine.cancel(this.currentTask).catch(() => undefined);
  }

  persist(): Promise<void> {
    return this.file.save(this.snapshot);
  }

  async run(): Promise<ChainRunSnapshot> {
    try {
      if (this.chain.isolation === 'worktree') this.carried = await this.worktrees.lease({ holder: this.holder });
      await this.runSteps();
    } catch (error) {
      this.snapshot.status = 'failed';
      this.snapshot.error = (error as Error).message;
      this.snapshot.errorKind = (error as { kind?: string }).kind ?? 'internal';
    }
    await this.settleWorktree();
    for (const step of this.snapshot.steps) if (step.status === 'pending') step.status = 'skipped';
    if (this.snapshot.status === 'running') this.snapshot.status = 'succeeded';
    this.snapshot.endedAt = this.now().toISOString();
    if (this.persistTimer) clearTimeout(this.persistTimer);
    await this.persist();
    this.engine.events.emit({ type: 'chain-finished', chain: structuredClone(this.snapshot) });
    return structuredClone(this.snapshot);
  }

  private async runSteps(): Promise<void> {
    const outputs: Record<string, string> = {};
    let previous = '';
    for (const [index, step] of this.chain.steps.entries()) {
      const progress = this.snapshot.steps[index];
      if (this.cancelled) {
        this.snapshot.status = 'cancelled';
        return;
      }
      progress.status = 'running';
      progress.startedAt = this.now().toISOString();
      this.stepChanged(progress);
      const values = { args: this.args, previousOutput: previous, stepOutputs: outputs };
      const result = await this.runStep(step, progress, values);
      progress.endedAt = this.now().toISOString();
      if (result.status === 'succeeded') {
        progress.status = 'succeeded';
        progress.output = result.resultText ?? '';
        progress.error = null;
        outputs[step.name] = progress.output;
        previous = progress.output;
        this.stepChanged(progress);
        continue;
      }
      progress.status = result.status === 'cancelled' || this.cancelled ? 'cancelled' : 'failed';
      progress.error = result.error;
      this.stepChanged(progress);
      this.snapshot.status = progress.status === 'cancelled' ? 'cancelled' : 'failed';
      this.snapshot.error = `step ${step.name}: ${result.error ?? progress.status}`;
      this.snapshot.errorKind = progress.status === 'cancelled' ? null : result.errorKind ?? 'agent-failed';
      return;
    }
  }

  /** Attempts (1 + retries), then the recovery prompt with {{error}}; the first success wins. */
  private async runStep(step: ChainStep, progress: StepProgress, values: { args: Record<string, string>; previousOutput: string; stepOutputs: Record<string, string> }): Promise<TaskResult> {
    const prompt = renderTemplate(step.prompt, values);
    let result = await this.attempt(step, progress, prompt, 'attempt 1');
    for (let retry = 1; retry <= step.retries && retryable(result) && !this.cancelled; retry++) {
      progress.retriesUsed = retry;
      progress.error = result.error;
      this.stepChanged(progress);
      result = await this.attempt(step, progress, prompt, `retry ${retry}`);
    }
    if (step.recoveryPrompt && retryable(result) && !this.cancelled) {
      progress.error = result.error;
      this.stepChanged(progress);
      const recovery = renderTemplate(step.recoveryPrompt, { ...values, error: result.error ?? 'the step failed' });
      result = await this.attempt(step, progress, recovery, 'recovery');
      if (result.status === 'succeeded') progress.recovered = true;
    }
    return result;
  }

  private async attempt(step: ChainStep, progress: StepProgress, prompt: string, what: string): Promise<TaskResult> {
    progress.output = '';
    const taskId = this.engine.submit({
      prompt,
      settings: resolveSettings(this.chain.settings, step.settings),
      worktree: this.carried?.name,
      leaseId: this.carried?.leaseId,
      holderIfWorkLeft: this.holder,
      group: this.snapshot.id,
      label: `chain ${this.chain.name} / ${step.name} (${what})`,
    });
    this.currentTask = taskId;
    progress.taskId = taskId;
    const subscription = this.engine.events.on((event) => {
      if (event.type === 'task-progress' && event.taskId === taskId) {
        progress.output += event.text;
        if (event.sessionId) progress.sessionId = event.sessionId;
        this.stepChanged(progress, { persistSoon: true });
      } else if (event.type === 'task-started' && event.task.id === taskId) {
        progress.worktree = event.task.worktree;
        this.stepChanged(progress);
      }
    });
    // A cancel that came in between two attempts must not let the next one run.
    if (this.cancelled) await this.engine.cancel(taskId).catch(() => undefined);
    const result = await this.engine.wait(taskId).finally(() => subscription.dispose());
    this.currentTask = null;
    progress.costMicros += result.costMicros;
    this.snapshot.costMicros += result.costMicros;
    progress.sessionId = result.sessionId ?? progress.sessionId;
    progress.worktree = result.worktree ?? progress.worktree;
    if (result.leftWork && !this.carried) this.carried = { name: result.leftWork.name, path: result.leftWork.path, leaseId: result.leftWork.leaseId };
    return result;
  }

  /** A chain that holds a worktree gives it back if no work is in it, and reports it if some is. */
  private async settleWorktree(): Promise<void> {
    if (!this.carried) return;
    const returned = await this.worktrees.returnIfClean({ name: this.carried.name, leaseId: this.carried.leaseId }).catch(() => false);
    if (!returned) this.snapshot.worktree = { ...this.carried, holder: this.holder };
  }

  private stepChanged(step: StepProgress, o: { persistSoon?: boolean } = {}): void {
    this.engine.events.emit({ type: 'chain-step-changed', chainRunId: this.snapshot.id, step: { ...step }, chain: structuredClone(this.snapshot) });
    if (!o.persistSoon) {
      void this.persist();
      return;
    }
    // Live output changes many times a second: write it at most twice a second.
    this.persistTimer ??= setTimeout(() => {
      this.persistTimer = null;
      void this.persist();
    }, 500);
  }
}
