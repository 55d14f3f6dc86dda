import * as vscode from 'vscode';
import type { WorktreeState, WorktreeStatus } from '../../core/pool/pool';
import { age, shortSha } from '../format';

const ICONS: Record<WorktreeState, [string, string | undefined]> = {
  available: ['pass', 'testing.iconPassed'],
  leased: ['lock', 'charts.blue'],
  busy: ['sync~spin', 'charts.yellow'],
  dirty: ['diff-modified', 'gitDecoration.modifiedResourceForeground'],
  damaged: ['error', 'errorForeground'],
};

/** The tree item of one worktree; `contextValue` drives the context menu (see package.json menus). */
export function worktreeItem(status: WorktreeStatus): vscode.TreeItem {
  const item = new vscode.TreeItem(status.name, vscode.TreeItemCollapsibleState.None);
  item.id = `worktree:${status.name}`;
  const [icon, color] = ICONS[status.state] ?? ICONS.damaged;
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const parts: string[] = [status.state];
  if (status.holder) parts.push(status.holder);
  parts.push(status.branch ?? shortSha(status.head));
  if (status.dirty) parts.push('● dirty');
  if (status.processes.length > 0) parts.push(`${status.processes.length} process${status.processes.length === 1 ? '' : 'es'}`);
  item.description = parts.filter(Boolean).join(' · ');
  item.tooltip = tooltip(status);
  item.resourceUri = vscode.Uri.file(status.path);
  // Composite context value: menus match with regexes such as /^grove\.worktree\.leased/.
  item.contextValue = `grove.worktree.${status.state}${status.dirty ? '.dirty' : ''}${status.holder ? '.held' : ''}`;
  item.command = undefined; // a tree row is never a single action (UX guidelines)
  return item;
}

function tooltip(status: WorktreeStatus): vscode.MarkdownString {
  const rows = [
    `**${status.name}** — ${status.state}${status.dirty ? ' (uncommitted changes)' : ''}`,
    '',
    `Path: \`${status.path}\``,
    `HEAD: \`${shortSha(status.head) || 'unknown'}\`${status.branch ? ` on \`${status.branch}\`` : ' (detached)'}`,
  ];
  if (status.holder) rows.push(`Leased to: ${status.holder}${status.leasedAt ? `, ${age(status.leasedAt)}` : ''}`);
  if (status.leaseId) rows.push(`Lease id: \`${status.leaseId}\``);
  if (status.reservedBy) rows.push(`Reserved by: ${status.reservedBy}`);
  if (status.processes.length > 0) rows.push(`Processes inside: ${status.processes.join(', ')}`);
  const markdown = new vscode.MarkdownString(rows.join('  \n'));
  markdown.supportThemeIcons = false;
  return markdown;
}

/** How the tree gets the pool's status: `WorktreePool.status()` in the extension. */
export type StatusSource = () => Promise<WorktreeStatus[]>;

/**
 * The `grove.worktrees` tree. It re-reads the pool's status when told to (the state file
 * watcher, or after a Grove command), keeps the last result for getChildren, and runs at most
 * one read at a time: a refresh asked for during a read runs once more after it.
 */
export class WorktreesView implements vscode.TreeDataProvider<WorktreeStatus>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly rendered = new vscode.EventEmitter<WorktreeStatus[]>();
  /** Fires after the tree asked for its rows following a refresh (tests, benchmarks). */
  readonly onDidRender = this.rendered.event;
  private statuses: WorktreeStatus[] = [];
  private loading: Promise<void> | null = null;
  private again = false;
  private loaded = false;
  private lastError: string | null = null;

  constructor(private readonly source: StatusSource, private readonly onError: (error: unknown) => void) {}

  get current(): readonly WorktreeStatus[] {
    return this.statuses;
  }

  get hasLoaded(): boolean {
    return this.loaded;
  }

  /** Re-reads the pool; resolves when the new rows are in (not when they are painted). */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          this.statuses = sortByName(await this.source());
          this.lastError = null;
        } catch (error) {
          this.lastError = (error as Error).message;
          this.onError(error);
        }
        this.loaded = true;
        this.changed.fire();
      } while (this.again);
    })().finally(() => (this.loading = null));
    return this.loading;
  }

  /** Replaces the rows directly (benchmarks of the rendering path). */
  show(statuses: WorktreeStatus[]): void {
    this.statuses = sortByName(statuses);
    this.loaded = true;
    this.changed.fire();
  }

  getTreeItem(element: WorktreeStatus): vscode.TreeItem {
    return worktreeItem(element);
  }

  getChildren(element?: WorktreeStatus): WorktreeStatus[] {
    if (element) return [];
    if (this.loaded) queueMicrotask(() => this.rendered.fire(this.statuses));
    return this.statuses;
  }

  get error(): string | null {
    return this.lastError;
  }

  dispose(): void {
    this.changed.dispose();
    this.rendered.dispose();
  }
}

function sortByName(statuses: WorktreeStatus[]): WorktreeStatus[] {
  return [...statuses].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
