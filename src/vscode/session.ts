import * as vscode from 'vscode';
import * as path from 'node:path';
import { loadPriceTableSync, priceMap, type MicroPrice } from '../core/agents/prices';
import { isAgentKind, type AgentKind } from '../core/agents/adapters';
import { RunRegistry } from '../core/agents/runRegistry';
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
import { RunHistory, spendBySlot, type PersistedRun } from '../core/runs/persistedRuns';
import { readLedger } from '../core/store/spendLedger';
import { readConfig, type GroveConfig } from './config';
import { measureDiskPeriodically } from './diskMeasure';
import { showReadyProgress } from './readyProgress';
import { SlotMemory } from './slotMemory';
import { slotReadiness } from './views/slotReadiness';
import { GroveWatcher } from './groveWatcher';
import { RateLimitWatch } from './rateLimitWatch';
import { runPostCreateHook } from './hooks';
import { BudgetStatusBar, type RunningTask } from './statusBar';
import { windowUi, type Ui } from './ui';
import type { SlotRow, SlotsView } from './views/slotsView';
import type { WorktreesView } from './views/worktreesView';
import type { WindowIdentity } from './windowIdentity';

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
  /** Paused agent kinds (rate-limits.json): a row above the slots and lines in the status bar tooltip. */
  readonly rateLimits: RateLimitWatch;
  ui: Ui = windowUi;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly engineEvents = new vscode.EventEmitter<EngineEvent>();
  /** Every engine event, re-emitted on the extension host's event loop (panel, notifications, tests). */
  readonly onEngineEvent = this.engineEvents.event;
  private readonly tasks = new Map<string, TaskSnapshot>();
  private detachedRuns: PersistedRun[] = [];
  private lastBudget: BudgetStatus | null = null;
  private readonly memory: SlotMemory;
  /** What each slot spent, from the ledger (the same in every window and after a reload). */
  private slotSpend = new Map<string, { micros: number; runs: number }>();
  readonly history: RunHistory;
  private readonly detachedEnded = new vscode.EventEmitter<PersistedRun>();
  /** A run this window started before a reload has ended (its end notification). */
  readonly onDetachedRunEnded = this.detachedEnded.event;

  constructor(readonly repo: RepositoryLocation, readonly logger: Logger, private readonly views: SessionViews, readonly identity: WindowIdentity, readonly applied: GroveConfig = readConfig()) {
    const settings = applied;
    this.pool = new WorktreePool({
      repo, root: settings.poolRoot ?? undefined, max: settings.poolMax, logger,
      postCreate: (worktreePath) => runPostCreateHook(worktreePath, logger, this.pool.worktreeEnv(path.basename(worktreePath))),
      // .grove/worktree.json steps run only in a trusted workspace (checked at each lease: trust can be granted later).
      ready: { ports: { base: settings.portBase, size: settings.portsPerWorktree }, diskBudgetGb: settings.diskBudgetGb, runSteps: () => vscode.workspace.isTrusted, progress: (message) => showReadyProgress(message, logger) },
    });
    const worktrees = new PoolWorktrees(this.pool);
    this.registry = new RunRegistry({ groveDir: repo.groveDir, logger, agentCommand: settings.agentCommand, workKeeper: worktrees, prices: editorPrices(repo, settings, logger) });
    this.memory = new SlotMemory(this.registry, () => this.slotRows().map((row) => row.runId).filter((id): id is string => id !== null), () => this.drawSlots());
    this.engine = new Engine({
      groveDir: repo.groveDir, worktrees, agents: new RegistryLauncher(this.registry), logger,
      slots: settings.slots, settings: agentSettings(settings), origin: identity.origin,
      memory: { minFreeGb: settings.minFreeMemoryGb },
    });
    this.history = new RunHistory(repo.groveDir);
    this.chains = new ChainRunner({ engine: this.engine, worktrees, groveDir: repo.groveDir });
    this.budget = this.engine.budget;
    this.statusBar = new BudgetStatusBar();
    this.watcher = new GroveWatcher(repo.groveDir, logger);
    this.rateLimits = new RateLimitWatch(repo.groveDir, (notices) => {
      this.views.slots.showRateLimits(notices);
      this.statusBar.showRateLimits(notices);
    }, logger);
    const subscription = this.engine.events.on((event) => this.onEvent(event));
    this.disposables.push(
      this.statusBar, this.watcher, this.rateLimits, this.engineEvents, this.detachedEnded, { dispose: () => subscription.dispose() },
      this.watcher.onDidChange((change) => {
        if (change === 'pool') void this.refreshWorktrees();
        if (change === 'spend') void this.refreshSpend();
        if (change === 'rateLimits') void this.rateLimits.refresh();
        if (change === 'runs') {
          void this.refreshDetachedRuns();
          // A run that ended also ended the process inside its worktree: the tree shows processes.
          void this.refreshWorktrees();
        }
      }),
      // Worktree sizes, measured in the background (never on a lease) for the tooltip and the disk budget.
      measureDiskPeriodically(this.pool, logger, () => this.refreshWorktrees()),
      this.memory,
    );
  }

  config(): GroveConfig {
    return readConfig();
  }

  /** First load: finish runs a dead host left (their cost lands in the ledger), then draw everything. */
  async start(): Promise<void> {
    this.drawSlots();
    await Promise.all([this.refreshWorktrees(), this.refreshSpend(), this.rateLimits.refresh()]);
    await this.engine.start();
    await Promise.all([this.refreshDetachedRuns(), this.refreshSpend()]);
  }

  worktreeStatuses(): Promise<WorktreeStatus[]> {
    return this.pool.status();
  }

  refreshWorktrees(): Promise<void> {
    return this.views.worktrees.refresh();
  }

  /** A live mark: the status of these worktrees only. */
  async updateWorktrees(names: string[]): Promise<void> {
    try {
      this.views.worktrees.merge(await this.pool.statusOf(names));
    } catch (error) {
      this.logger.warn(`cannot read ${names.join(', ')}: ${(error as Error).message}`);
    }
  }

  async refreshSpend(): Promise<void> {
    try {
      const [budget, ledger] = await Promise.all([this.budget.status(), readLedger(this.repo.groveDir)]);
      this.lastBudget = budget;
      this.slotSpend = spendBySlot(ledger);
      this.statusBar.update(this.lastBudget, this.runningTasks());
    } catch (error) {
      this.logger.warn(`cannot read the budget: ${(error as Error).message}`);
    }
    this.drawSlots();
  }

  get budgetStatus(): BudgetStatus | null {
    return this.lastBudget;
  }

  /**
   * Active runs this session's engine did not start (another window, the CLI, or this window
   * before a reload), from their entries on disk. One of this window's that has ended since
   * the last look gets its end notification here: the engine that started it is gone.
   */
  async refreshDetachedRuns(): Promise<void> {
    try {
      const mine = new Set([...this.tasks.values()].map((task) => task.runId).filter(Boolean));
      const before = this.detachedRuns;
      const runs = await this.history.runs();
      this.detachedRuns = runs.filter((run) => run.status === 'active' && !mine.has(run.id));
      for (const earlier of before) {
        const now = runs.find((run) => run.id === earlier.id);
        if (now && now.status !== 'active' && now.origin === this.identity.origin) this.detachedEnded.fire(now);
      }
    } catch (error) {
      this.logger.warn(`cannot read the run registry: ${(error as Error).message}`);
    }
    this.drawSlots();
  }

  /** An active run's entry, if it is one this session's engine did not start. */
  detachedRun(runId: string): PersistedRun | undefined {
    return this.detachedRuns.find((run) => run.id === runId);
  }

  task(taskId: string): TaskSnapshot | undefined {
    return this.tasks.get(taskId) ?? this.engine.result(taskId);
  }

  runningTasks(): RunningTask[] {
    const running: RunningTask[] = [...this.tasks.values()]
      .filter((task) => task.status === 'running')
      .map((task) => ({ label: task.label ?? task.prompt, slot: task.slot, costMicros: task.costMicros }));
    for (const run of this.detachedRuns) running.push({ label: run.label ?? `run ${run.id}`, slot: run.slot, costMicros: run.costMicros });
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
      const spent = this.slotSpend.get(slot.name);
      return {
        name: slot.name, state: slot.state, doing: task ? task.label ?? task.prompt : null, taskId: slot.taskId,
        runId: task?.runId ?? null, worktree: slot.worktree, startedBy: null,
        costMicros: Math.max(spent?.micros ?? 0, slot.costMicros) + (task?.status === 'running' ? task.costMicros : 0),
        tasksDone: Math.max(spent?.runs ?? 0, slot.tasksDone),
        ...slotReadiness(task?.runId ?? null, slot.state, this.memory, this.tasks.values()), // ready: memory, waiting for memory
      };
    });
    // A run started before a reload (or by another window, or the CLI) shows on its slot until it ends.
    for (const run of this.detachedRuns) {
      const row = rows.find((candidate) => candidate.name === run.slot && candidate.state === 'idle');
      const attached: SlotRow = {
        name: run.slot ?? run.id, state: 'attached', doing: run.label ?? (run.taskId ? `task ${run.taskId}` : `run ${run.id}`), taskId: null,
        runId: run.id, worktree: run.worktree, startedBy: this.identity.whose(run.origin), costMicros: run.costMicros, tasksDone: 0,
      };
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
    agentKind: settings.agentKind,
    ...(Number.isFinite(settings.stallMinutes) && settings.stallMinutes >= 0 ? { stallMs: Math.round(settings.stallMinutes * 60_000) } : {}),
    // Each kind's command and model reach the runner as GROVE_<KIND>_COMMAND / _MODEL (adapters/, agentRun).
    ...kindEnv(settings.agentCommands, settings.agentModels),
  };
}

/** Shipped prices, then .grove/prices.json, then grove.agent.prices; a bad override is logged and the rest used. */
function editorPrices(repo: RepositoryLocation, settings: GroveConfig, logger: Logger): Record<string, MicroPrice> | undefined {
  try {
    return priceMap(loadPriceTableSync({ repoRoot: repo.mainWorktree, settings: Object.keys(settings.agentPrices).length ? settings.agentPrices : undefined }));
  } catch (error) {
    logger.error(`prices: ${(error as Error).message}`);
    return undefined;
  }
}

function kindEnv(commands: Partial<Record<AgentKind, string>>, models: Partial<Record<AgentKind, string>>): { env?: Record<string, string> } {
  const pairs = (values: Partial<Record<AgentKind, string>>, what: string) => Object.entries(values)
    .filter(([kind, value]) => isAgentKind(kind) && typeof value === 'string' && value.trim())
    .map(([kind, value]) => [`GROVE_${kind.toUpperCase()}_${what}`, value!.trim()]);
  const env = Object.fromEntries([...pairs(commands, 'COMMAND'), ...pairs(models, 'MODEL')]);
  return Object.keys(env).length ? { env } : {};
}
