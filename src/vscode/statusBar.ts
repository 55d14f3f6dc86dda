import * as vscode from 'vscode';
import type { RateLimitNotice } from '../core/agents/rateLimitNotice';
import type { BudgetStatus } from '../core/engine/budget';
import { usd } from './format';

export interface RunningTask {
  label: string;
  slot: string | null;
  costMicros: number;
}

/** What the item shows, exposed for the tests (the status bar has no read API). */
export interface BudgetItemState {
  text: string;
  tooltip: string;
  /** `statusBarItem.warningBackground`, `statusBarItem.errorBackground`, or null. */
  background: string | null;
  command: string;
}

/** Warning from 80 % of the cap, error at 100 %: the only two colours a status item may use. */
export function budgetBackground(budget: BudgetStatus): string | null {
  if (budget.capMicros === null || budget.capMicros <= 0) return null;
  const used = budget.spentMicros / budget.capMicros;
  if (used >= 1) return 'statusBarItem.errorBackground';
  if (used >= 0.8) return 'statusBarItem.warningBackground';
  return null;
}

export function budgetItemState(budget: BudgetStatus, running: RunningTask[], rateLimits: readonly RateLimitNotice[] = []): BudgetItemState {
  const spent = usd(budget.spentMicros);
  const text = budget.capMicros === null ? `$(pulse) ${spent}` : `$(pulse) ${spent} / ${usd(budget.capMicros)}`;
  const lines = [
    budget.capMicros === null ? `Grove spend: ${spent} (no cap set)` : `Grove spend: ${spent} of ${usd(budget.capMicros)} (${Math.floor((budget.spentMicros / budget.capMicros) * 100)} %)`,
    `Reserved by running tasks: ${usd(budget.reservedMicros)}`,
  ];
  if (budget.remainingMicros !== null) lines.push(`Remaining: ${usd(Math.max(0, budget.remainingMicros))}`);
  if (running.length === 0) lines.push('No task running');
  else {
    lines.push(`Running (${running.length}):`);
    for (const task of running) lines.push(`• ${task.label}${task.slot ? ` on ${task.slot}` : ''}: ${usd(task.costMicros)}`);
  }
  // A paused kind explains why queued tasks of that kind are not starting.
  for (const limit of rateLimits) lines.push(`${limit.kind} rate limited until ${limit.clock} (${limit.message})`);
  lines.push('', 'Click to open the Grove panel');
  return { text, tooltip: lines.join('\n'), background: budgetBackground(budget), command: 'grove.showPanel' };
}

/** The `grove.budget` item: spent / cap on the left, click opens the panel. */
export class BudgetStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: BudgetItemState | null = null;
  private shown: { budget: BudgetStatus; running: RunningTask[] } | null = null;
  private rateLimits: readonly RateLimitNotice[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('grove.budget', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Grove Budget';
    this.item.command = 'grove.showPanel';
  }

  update(budget: BudgetStatus, running: RunningTask[]): void {
    this.shown = { budget, running };
    const state = budgetItemState(budget, running, this.rateLimits);
    this.state = state;
    this.item.text = state.text;
    this.item.tooltip = state.tooltip;
    this.item.backgroundColor = state.background ? new vscode.ThemeColor(state.background) : undefined;
    this.item.accessibilityInformation = { label: state.tooltip.split('\n')[0] };
    this.item.show();
  }

  /** The paused kinds' lines; drawn at once over the last budget (before any budget, with the first). */
  showRateLimits(notices: readonly RateLimitNotice[]): void {
    this.rateLimits = notices;
    if (this.shown) this.update(this.shown.budget, this.shown.running);
  }

  get current(): BudgetItemState | null {
    return this.state;
  }

  dispose(): void {
    this.item.dispose();
  }
}
