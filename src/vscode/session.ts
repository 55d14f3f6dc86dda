import * as vscode from 'vscode';
import { RunRegistry } from '../core/agents/runRegistry';
import type { RunRecord } from '../core/agents/types';
import { Budget, type BudgetStatus } from '../core/engine/budget';
import { ChainRunner } from '../core/engine/chains/runner';
import { Engine } from '../core/engine/engine';
import type { EngineEvent } from '../core/engine/events';
import { PoolWorktrees } from '../core/engine/poolWorktrees';
import { RegistryLauncher } from '../core/engine/registryLauncher';
import type { AgentSettings } from '../core/engine/settings';
import type { TaskSnapshot } from '../core/engine/types';
import type { RepositoryLocation } from '../core/git/repository';
import type { Logger } from '../core/logger';
import { WorktreePool, type WorktreeStatus } from '../core/pool/pool';
import { readConfig, type GroveConfig } from './config';
import { GroveWatcher } from './groveWatcher';
import { runPostCreateHook } from './hooks';
import { BudgetStatusBar, type RunningTask } from './statusBar';
import { windowUi, type Ui } from './ui';
import type { SlotRow, SlotsView } from './views/slotsView';
import type { WorktreesView } from './views/worktreesView';

export interface SessionViews {
  worktrees: WorktreesView;
  slots: SlotsView;
}

/**
 * Everything Grove runs for one workspace repository: the pool, the run registry, the engine
 * and chain runner (src/core), and the state the views draw. Views redraw from the engine's
 * events (this window's work) and from the pool watcher (everyone else's: the CLI, other
 * windows, runs that outlived a reload).
 */
export class GroveSession implements vscode.Disposable {
  readonly pool: WorktreePool;
  readonly registry: RunRegistry;
  readonly engine: Engine;
  readonly chains: ChainRunner;
  readonly budget: Budget;
  readonly watcher: GroveWatcher;
  readonly statusBar: BudgetStatusBar;
  ui: Ui = windowUi;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly engineEvents = new vscode.EventEmitter<EngineEvent>();
  /** Every engine event, re-emitted on the extension host's event loop (panel, notifications, tests). */
  readonly onEngineEvent = this.engineEvents.event;
  private readonly tasks = new Map<string, TaskSnapshot>();
  private detachedRuns: RunRecord[] = [];
  private lastBudget: BudgetStatus | null = null;

  constructor(readonly repo: RepositoryLocation, readonly logger: Logger, private readonly views: SessionViews, settings: GroveConfig = readConfig()) {
    this.pool = new WorktreePool({
      repo, root: settings.poolRoot ?? undefined, max: settings.poolMax, logger,
      postCreate: (worktreePath) => runPostCreateHook(worktreePath, logger),
    });
    const worktrees = new PoolWorktrees(this.pool);
    this.registry = new RunRegistry({ groveDir: repo.groveDir, logger, agentCommand: settings.agentCommand, workKeeper: worktrees });
    this.engine = new Engine({
      groveDir: repo.groveDir, worktrees, agents: new RegistryLauncher(this.registry), logger,
      slots: settings.slots, settings: agentSettings(settings),
    });
    this.chains = new ChainRunner({ engine: this.engine, worktrees, groveDir: repo.groveDir });
    this.budget = this.engine.budget;
    this.statusBar = new BudgetStatusBar();
    this.watcher = new GroveWatcher(repo.groveDir, logger);
    const subscription = this.engine.events.on((event) => this.onEvent(event));
    this.disposables.push(
      this.statusBar, this.watcher, this.engineEvents, { dispose: () => subscription.dispose() },
      this.watcher.onDidChange((change) => {
        if (change === 'pool') void this.refreshWorktrees();
        if (change === 'spend') void this.refreshSpend();
        if (change === 'runs') {
          void this.refreshDetachedRuns();
          // A run that ended also ended the process inside its worktree: the tree shows processes.
          void this.refreshWorktrees();
        }
      }),
    );
  }

  config(): GroveConfig {
    return readConfig();
  }

  /** First load: finish runs a dead host left (their cost lands in the ledger), then draw everything. */
  async start(): Promise<void> {
    this.drawSlots();
    await Promise.all([this.refreshWorktrees(), this.refreshSpend()]);
    await this.engine.start();
    await Promise.all([this.refreshDetachedRuns(), this.refreshSpend()]);
  }

  worktreeStatuses(): Promise<WorktreeStatus[]> {
    return this.pool.status();
  }

  refreshWorktrees(): Promise<void> {
    return this.views.worktrees.refresh();
  }

  async refreshSpend(): Promise<void> {
    try {
      this.lastBudget = await this.budget.status();
      this.statusBar.update(this.lastBudget, this.runningTasks());
    } catch (error) {
      this.logger.warn(`cannot read the budget: ${(error as Error).message}`);
    }
  }

  get budgetStatus(): BudgetStatus | null {
    return this.lastBudget;
  }

  /** Active runs this window did not start (another window, or this one before a reload). */
  async refreshDetachedRuns(): Promise<void> {
    try {
      const mine = new Set([...this.tasks.values()].map((task) => task.runId).filter(Boolean));
      this.detachedRuns = (await this.registry.list()).filter((run) => run.status === 'active' && !mine.has(run.id));
    } catch (error) {
      this.logger.warn(`cannot read the run registry: ${(error as Error).message}`);
    }
    this.drawSlots();
  }

  task(taskId: string): TaskSnapshot | undefined {
    return this.tasks.get(taskId) ?? this.engine.result(taskId);
  }

  runningTasks(): RunningTask[] {
    const running: RunningTask[] = [...this.tasks.values()]
      .filter((task) => task.status === 'running')
      .map((task) => ({ label: task.label ?? task.prompt, slot: task.slot, costMicros: task.costMicros }));
    for (const run of this.detachedRuns) running.push({ label: `run ${run.id}`, slot: run.slot, costMicros: run.costMicros });
    return running;
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'task-queued':
      case 'task-started':
      case 'task-finished':
        this.tasks.set(event.task.id, event.task);
        this.forgetOldTasks();
        this.drawSlots();
        if (event.type !== 'task-queued') void this.refreshSpend();
        break;
      case 'slot-changed':
        this.drawSlots();
        break;
      case 'spend-changed':
        this.lastBudget = event.budget;
        this.statusBar.update(event.budget, this.runningTasks());
        break;
      default:
        break;
    }
    this.engineEvents.fire(event);
  }

  private forgetOldTasks(): void {
    const finished = [...this.tasks.values()].filter((task) => task.endedAt !== null);
    for (const task of finished.slice(0, Math.max(0, finished.length - 200))) this.tasks.delete(task.id);
  }

  slotRows(): SlotRow[] {
    const rows: SlotRow[] = this.engine.slots().map((slot) => {
      const task = slot.taskId ? this.tasks.get(slot.taskId) : undefined;
      return {
        name: slot.name, state: slot.state, doing: task ? task.label ?? task.prompt : null, taskId: slot.taskId,
        runId: task?.runId ?? null, worktree: slot.worktree, costMicros: slot.costMicros + (task?.status === 'running' ? task.costMicros : 0),
        tasksDone: slot.tasksDone,
      };
    });
    // A run started before a reload (or by another window) shows on its slot until it ends.
    for (const run of this.detachedRuns) {
      const row = rows.find((candidate) => candidate.name === run.slot && candidate.state === 'idle');
      const attached: SlotRow = { name: run.slot ?? run.id, state: 'attached', doing: run.taskId ? `task ${run.taskId}` : `run ${run.id}`, taskId: null, runId: run.id, worktree: run.worktree, costMicros: run.costMicros, tasksDone: 0 };
      if (row) Object.assign(row, { ...attached, tasksDone: row.tasksDone, costMicros: row.costMicros + run.costMicros });
      else rows.push(attached);
    }
    return rows;
  }

  drawSlots(): void {
    this.views.slots.show(this.slotRows());
  }

  dispose(): void {
    this.engine.close();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** The editor's settings as the engine's global agent settings. */
export function agentSettings(settings: GroveConfig): AgentSettings {
  return {
    agentCommand: settings.agentCommand,
    ...(settings.model ? { model: settings.model } : {}),
    ...(settings.permissionMode ? { permissionMode: settings.permissionMode } : {}),
    timeoutMs: settings.timeoutMinutes * 60_000,
  };
}
