import * as vscode from 'vscode';
import { pauseRule, untilText, type RateLimitNotice } from '../../core/agents/rateLimitNotice';
import { oneLine, usd } from '../format';

/** One row of the slots tree, built by the session from engine events and the run registry. */
export interface SlotRow {
  name: string;
  state: 'idle' | 'busy' | 'stopping' | 'attached';
  /** The task's label or prompt, or "chain fix-bug / step test". */
  doing: string | null;
  taskId: string | null;
  runId: string | null;
  worktree: string | null;
  /** Whose an attached run is ("another window", "the command line"...); null for this session's tasks. */
  startedBy: string | null;
  /** Spent on this slot, from the ledger (every window's runs), plus the running task so far. */
  costMicros: number;
  tasksDone: number;
  /** The running agent's process group, resident, at the last sample (ready/memory). */
  residentBytes?: number | null;
  /** On an idle slot: why the next queued task has not started ("waiting for memory (1.2 GB free, ...)"). */
  waiting?: string | null;
}

const ICONS: Record<SlotRow['state'], [string, string | undefined]> = {
  idle: ['circle-large-outline', undefined],
  busy: ['loading~spin', 'charts.yellow'],
  stopping: ['debug-stop', 'charts.orange'],
  attached: ['plug', 'charts.yellow'],
};

export function slotItem(row: SlotRow): vscode.TreeItem {
  const item = new vscode.TreeItem(row.name, vscode.TreeItemCollapsibleState.None);
  item.id = `slot:${row.name}`;
  const [icon, color] = ICONS[row.state];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const whose = row.state === 'attached' ? `started by ${row.startedBy ?? 'another Grove process'}` : null;
  const state = row.state === 'attached' ? 'running' : row.state;
  // What it does and what it spent come first; whose it is last (the tooltip has it all).
  item.description = [row.waiting ?? state, row.doing ? oneLine(row.doing, 60) : null, usd(row.costMicros), row.residentBytes ? `${Math.round(row.residentBytes / 1e6)} MB` : null, whose].filter(Boolean).join(' · ');
  item.tooltip = [
    `${row.name}: ${state}${whose ? `, ${whose}` : ''}`,
    row.doing ? `Doing: ${row.doing}` : 'Waiting for a task',
    row.worktree ? `Worktree: ${row.worktree}` : null,
    row.taskId ? `Task: ${row.taskId}` : null,
    row.runId ? `Run: ${row.runId}` : null,
    row.residentBytes ? `Memory: ${Math.round(row.residentBytes / 1e6)} MB resident (the agent and its children)` : null,
    row.waiting ? `Next task: ${row.waiting}` : null,
    `Cost: ${usd(row.costMicros)} over ${row.tasksDone} finished task${row.tasksDone === 1 ? '' : 's'}`,
  ].filter(Boolean).join('\n');
  item.contextValue = `grove.slot.${row.state}${row.taskId || row.runId ? '.cancellable' : ''}`;
  // A click on a busy slot opens what its agent is saying.
  if (row.runId) item.command = { command: 'grove.showOutput', title: 'Show Output', arguments: [row] };
  return item;
}

/** A paused agent kind, drawn above the slots: the queue for that kind, not any one slot, waits. */
export interface RateLimitRow {
  rateLimit: RateLimitNotice;
}

type SlotsElement = SlotRow | RateLimitRow;

export function rateLimitItem({ rateLimit: limit }: RateLimitRow): vscode.TreeItem {
  const item = new vscode.TreeItem(`${limit.kind} rate limited`, vscode.TreeItemCollapsibleState.None);
  item.id = `rate-limit:${limit.kind}`;
  item.iconPath = new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground'));
  item.description = untilText(limit);
  item.tooltip = [
    `${limit.kind} is rate limited until ${limit.clock} (${limit.remaining})`,
    `The agent said: ${limit.message}`,
    limit.runId ? `Run: ${limit.runId}` : null,
    pauseRule(limit.kind),
  ].filter(Boolean).join('\n');
  item.contextValue = 'grove.rateLimit';
  return item;
}

/** The `grove.slots` tree: redrawn from engine events and rate-limit changes, never by polling. */
export class SlotsView implements vscode.TreeDataProvider<SlotsElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private rows: SlotRow[] = [];
  private limits: RateLimitRow[] = [];

  /** The slot rows (the rate-limit rows above them are `rateLimits`). */
  get current(): readonly SlotRow[] {
    return this.rows;
  }

  get rateLimits(): readonly RateLimitRow[] {
    return this.limits;
  }

  show(rows: SlotRow[]): void {
    this.rows = rows;
    this.changed.fire();
  }

  showRateLimits(notices: readonly RateLimitNotice[]): void {
    this.limits = notices.map((rateLimit) => ({ rateLimit }));
    this.changed.fire();
  }

  getTreeItem(element: SlotsElement): vscode.TreeItem {
    return 'rateLimit' in element ? rateLimitItem(element) : slotItem(element);
  }

  getChildren(element?: SlotsElement): SlotsElement[] {
    return element ? [] : [...this.limits, ...this.rows];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
