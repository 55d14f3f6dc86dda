import * as vscode from 'vscode';
import type { WorktreeState, WorktreeStatus } from '../../core/pool/pool';
import { age, shortSha } from '../format';
import { readinessRows } from './readinessRows';

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
  // The live marks first: a narrow sidebar cuts the end of the line off.
  const parts: string[] = [status.state];
  if (status.dirty) parts.push('● dirty');
  if (status.ready?.dependencies === 'stale') parts.push('deps stale');
  if (status.processes.length > 0) parts.push(`${status.processes.length} process${status.processes.length === 1 ? '' : 'es'}`);
  if (status.holder) parts.push(status.holder);
  parts.push(status.branch ?? shortSha(status.head));
  item.description = parts.filter(Boolean).join(' · ');
  item.tooltip = tooltip(status);
  item.resourceUri = vscode.Uri.file(status.path);
  // Composite context value: menus match with regexes such as /^grove\.worktree\.leased/.
  item.contextValue = `grove.worktree.${status.state}${status.dirty ? '.dirty' : ''}${status.holder ? '.held' : ''}`;
  // A click offers the row's actions (the same as its context menu), for people who do not right-click.
  item.command = { command: 'grove.worktreeActions', title: 'Worktree Actions', arguments: [status] };
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
  rows.push(...readinessRows(status.ready));
  const markdown = new vscode.MarkdownString(rows.join('  \n'));
  markdown.supportThemeIcons = false;
  return markdown;
}

/** How the tree gets the pool's status: `WorktreePool.status()` (full) and the state file alone (quick). */
export interface StatusSource {
  full(): Promise<WorktreeStatus[]>;
  quick(previous: ReadonlyMap<string, WorktreeStatus>): Promise<WorktreeStatus[] | null>;
}

/**
 * The `grove.worktrees` tree. A refresh first redraws from the state file (milliseconds, even
 * with hundreds of worktrees), then runs the pool's full status (git status and processes of
 * every worktree) and redraws again. At most one full status runs at a time: refreshes asked
 * for meanwhile are folded into one more run after it.
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
  private markLoaded!: () => void;
  private readonly firstLoad = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(private readonly source: StatusSource, private readonly onError: (error: unknown) => void) {}

  get current(): readonly WorktreeStatus[] {
    return this.statuses;
  }

  get hasLoaded(): boolean {
    return this.loaded;
  }

  /** The fast redraw from the state file alone. */
  async quickRefresh(): Promise<void> {
    try {
      const quick = await this.source.quick(new Map(this.statuses.map((status) => [status.name, status])));
      if (quick) this.show(quick);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Redraws from the state file, then from the full status; resolves when the full rows are in. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      await this.quickRefresh();
      do {
        this.again = false;
        try {
          this.statuses = sortByName(await this.source.full());
        } catch (error) {
          this.onError(error);
        }
        this.setLoaded();
        this.changed.fire();
      } while (this.again);
    })().finally(() => (this.loading = null));
    return this.loading;
  }

  /** Replaces the rows of these worktrees only (a live mark: one worktree's status). */
  merge(fresh: readonly WorktreeStatus[]): void {
    if (fresh.length === 0) return;
    const byName = new Map(fresh.map((status) => [status.name, status]));
    this.statuses = this.statuses.map((status) => byName.get(status.name) ?? status);
    this.changed.fire();
  }

  /** Replaces the rows directly (benchmarks of the rendering path). */
  show(statuses: WorktreeStatus[]): void {
    this.statuses = sortByName(statuses);
    this.setLoaded();
    this.changed.fire();
  }

  private setLoaded(): void {
    this.loaded = true;
    this.markLoaded();
  }

  /** How many rows VS Code has asked to be drawn since the extension started (benchmarks). */
  itemsResolved = 0;

  getTreeItem(element: WorktreeStatus): vscode.TreeItem {
    this.itemsResolved++;
    return worktreeItem(element);
  }

  getChildren(element?: WorktreeStatus): WorktreeStatus[] | Promise<WorktreeStatus[]> {
    if (element) return [];
    // Asked before the first read (the view is open as the window starts): answer when the
    // rows are in rather than with an empty list and a redraw one round trip later.
    if (!this.loaded) return this.firstLoad.then(() => this.getChildren() as WorktreeStatus[]);
    queueMicrotask(() => this.rendered.fire(this.statuses));
    return this.statuses;
  }

  dispose(): void {
    this.changed.dispose();
    this.rendered.dispose();
  }
}

function sortByName(statuses: WorktreeStatus[]): WorktreeStatus[] {
  return [...statuses].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
