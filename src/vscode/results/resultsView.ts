import * as path from 'node:path';
import * as vscode from 'vscode';
import { blockedOf, changeLine, describeLanding, type Blocked, type FileChange, type ParkedEntry, type ResultRecord } from '../../core/results';
import { age, oneLine, usd } from '../format';

/** A row of the Results tree. */
export type ResultNode =
  | { kind: 'group'; id: string; records: ResultRecord[] }
  | { kind: 'result'; record: ResultRecord }
  | { kind: 'file'; record: ResultRecord; file: FileChange }
  | { kind: 'parked-root'; entries: ParkedEntry[] }
  | { kind: 'landed-root'; records: ResultRecord[] }
  | { kind: 'parked'; entry: ParkedEntry };

const STATUS_ICONS: Record<string, [string, string]> = {
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
  interrupted: ['warning', 'list.warningForeground'],
  // Blocked (issue 12): the agent gave up on a denied tool, or asked something.
  denied: ['shield', 'list.warningForeground'],
  asked: ['question', 'list.warningForeground'],
};

/** "needs you: Bash(npm test)": first on a blocked row, so it is seen before the cost. */
export function needsYou(blocked: Blocked): string {
  const wants = [...blocked.wanted, ...blocked.questions.map((question) => `asked "${oneLine(question, 40)}"`)];
  return `needs you: ${wants.join(', ')}`;
}

const FILE_ICONS: Record<FileChange['kind'], string> = { added: 'diff-added', modified: 'diff-modified', deleted: 'diff-removed', renamed: 'diff-renamed' };

export function awaitingReview(record: ResultRecord): boolean {
  return record.review === 'awaiting' && record.worktree !== null;
}

/** `grove.result.<status>.<review>` plus `.worktree`, `.variant`, `.comments`, `.session`: menus match on these with regexes. */
export function resultContext(record: ResultRecord, blocked = blockedOf(record) !== null): string {
  const parts = [`grove.result.${record.status}.${record.review}`];
  if (record.worktree) parts.push('worktree');
  if (record.group) parts.push('variant');
  if (record.pendingComments.length) parts.push('comments');
  if (record.runs.some((run) => run.sessionId)) parts.push('session');
  if (blocked) parts.push('blocked');
  return parts.join('.');
}

const iconCache = new Map<string, vscode.ThemeIcon>();

/** One ThemeIcon per status, shared by every row (a thousand rows need no thousand objects). */
function statusIcon(status: string): vscode.ThemeIcon {
  let icon = iconCache.get(status);
  if (!icon) {
    const [name, color] = STATUS_ICONS[status] ?? STATUS_ICONS.failed;
    icon = new vscode.ThemeIcon(name, new vscode.ThemeColor(color));
    iconCache.set(status, icon);
  }
  return icon;
}

export function resultItem(record: ResultRecord, now = Date.now()): vscode.TreeItem {
  const label = record.group ? `#${record.group.index} ${record.title}` : record.title;
  const hasFiles = (record.changes?.files.length ?? 0) > 0 && record.worktree !== null;
  const item = new vscode.TreeItem(label, hasFiles ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `result:${record.id}`;
  const blocked = blockedOf(record);
  item.iconPath = blocked ? statusIcon(blocked.questions.length ? 'asked' : 'denied') : statusIcon(record.status);
  const review = record.review === 'landed' && record.landed ? describeLanding(record.landed)
    : record.review === 'awaiting' ? (record.worktree ? null : 'nothing kept') : record.review;
  const comments = record.pendingComments.length ? `${record.pendingComments.length} pending comment${record.pendingComments.length === 1 ? '' : 's'}` : null;
  item.description = [blocked ? needsYou(blocked) : null, usd(record.costMicros), changeLine(record.changes), review, comments, age(record.createdAt, now)].filter(Boolean).join(' · ');
  item.contextValue = resultContext(record, blocked !== null);
  return item;
}

/** The hover text, built only when VS Code asks (resolveTreeItem), not for every row drawn. */
export function resultTooltip(record: ResultRecord): vscode.MarkdownString {
  return new vscode.MarkdownString([
    `**${escapeMarkdown(record.title)}**`,
    `${record.status}, ${usd(record.costMicros)}, ${record.runs.length} run${record.runs.length === 1 ? '' : 's'}`,
    record.worktree ? `Worktree: ${record.worktree.name} (leased to ${record.worktree.holder})` : record.parkedRef ? `Parked under ${record.parkedRef}` : 'Its worktree went back to the pool',
    blockedLine(record),
    record.finalMessage ? escapeMarkdown(oneLine(record.finalMessage, 300)) : record.error ? `Error: ${escapeMarkdown(record.error)}` : '',
  ].filter(Boolean).join('\n\n'));
}

function blockedLine(record: ResultRecord): string {
  const blocked = blockedOf(record);
  if (!blocked) return '';
  const wanted = blocked.wanted.length ? `it was denied ${blocked.wanted.map((name) => `\`${name}\``).join(', ')}` : '';
  const asked = blocked.questions.length ? `it asked: ${escapeMarkdown(blocked.questions.join(' '))}` : '';
  return `**Blocked** (${blocked.kind}): ${[wanted, asked].filter(Boolean).join('; ')}. Re-run Allowing… lets it carry on.`;
}

export function fileItem(record: ResultRecord, file: FileChange): vscode.TreeItem {
  const item = new vscode.TreeItem(path.basename(file.path), vscode.TreeItemCollapsibleState.None);
  item.id = `result:${record.id}:${file.path}`;
  item.resourceUri = record.worktree ? vscode.Uri.file(path.join(record.worktree.path, file.path)) : undefined;
  item.iconPath = new vscode.ThemeIcon(FILE_ICONS[file.kind]);
  const dir = path.dirname(file.path);
  const counts = file.added === null ? 'binary' : `+${file.added} −${file.removed}`;
  item.description = [dir === '.' ? null : dir, file.kind === 'renamed' ? `from ${file.oldPath}` : null, counts, file.untracked ? 'untracked' : null].filter(Boolean).join(' · ');
  item.contextValue = 'grove.resultFile';
  item.command = { command: 'grove.results.openFileDiff', title: 'Open Changes', arguments: [{ resultId: record.id, file: file.path }] };
  return item;
}

function groupItem(node: Extract<ResultNode, { kind: 'group' }>): vscode.TreeItem {
  const first = node.records[0];
  const item = new vscode.TreeItem(`fan-out ×${first.group?.count ?? node.records.length}: ${first.title}`, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `group:${node.id}`;
  item.iconPath = new vscode.ThemeIcon('versions');
  const ok = node.records.filter((record) => record.status === 'succeeded').length;
  const kept = node.records.find((record) => record.review === 'kept');
  item.description = [`${ok}/${node.records.length} succeeded`, usd(node.records.reduce((sum, record) => sum + record.costMicros, 0)), kept ? `kept #${kept.group?.index}` : null].filter(Boolean).join(' · ');
  item.contextValue = 'grove.resultGroup';
  return item;
}

function landedRootItem(records: ResultRecord[]): vscode.TreeItem {
  const item = new vscode.TreeItem(`Landed (${records.length})`, vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'landed-root';
  item.iconPath = new vscode.ThemeIcon('git-merge');
  item.contextValue = 'grove.landedRoot';
  return item;
}

function parkedItem(entry: ParkedEntry): vscode.TreeItem {
  const item = new vscode.TreeItem(entry.ref.replace(/^refs\/grove\/parked\//, ''), vscode.TreeItemCollapsibleState.None);
  item.id = `parked:${entry.ref}`;
  item.iconPath = new vscode.ThemeIcon('archive');
  const files = entry.files;
  item.description = [age(entry.parkedAt), files ? `${files.length} file${files.length === 1 ? '' : 's'}` : null, entry.worktree].filter(Boolean).join(' · ');
  item.tooltip = `${entry.ref}\n${entry.subject}\nParked ${entry.parkedAt}${files ? `\n${files.slice(0, 20).join('\n')}${files.length > 20 ? '\n…' : ''}` : ''}`;
  item.contextValue = 'grove.parked';
  return item;
}

/**
 * The `grove.results` tree: fan-out groups and results, newest first, each result's changed
 * files under it, and the Parked Work list at the end. Redrawn from the recorder (this window)
 * and the results folder watcher (the CLI, other windows).
 */
export class ResultsView implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ResultNode[] = [];
  private records: ResultRecord[] = [];

  get current(): readonly ResultRecord[] {
    return this.records;
  }

  get awaiting(): number {
    return this.records.filter(awaitingReview).length;
  }

  private drawnAt = Date.now();

  show(records: ResultRecord[], parked: ParkedEntry[]): void {
    this.records = records;
    this.drawnAt = Date.now();
    this.roots = buildRoots(records, parked);
    this.changed.fire();
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': return groupItem(node);
      case 'result': return resultItem(node.record, this.drawnAt);
      case 'file': return fileItem(node.record, node.file);
      case 'parked': return parkedItem(node.entry);
      case 'landed-root': return landedRootItem(node.records);
      case 'parked-root': {
        const item = new vscode.TreeItem(`Parked Work (${node.entries.length})`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'parked-root';
        item.iconPath = new vscode.ThemeIcon('archive');
        item.contextValue = 'grove.parkedRoot';
        return item;
      }
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: ResultNode): vscode.TreeItem {
    if (node.kind === 'result') item.tooltip = resultTooltip(node.record);
    return item;
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) return this.roots;
    if (node.kind === 'group') return node.records.map((record) => ({ kind: 'result', record }));
    if (node.kind === 'result' && node.record.worktree) return (node.record.changes?.files ?? []).map((file) => ({ kind: 'file', record: node.record, file }));
    if (node.kind === 'parked-root') return node.entries.map((entry) => ({ kind: 'parked', entry }));
    if (node.kind === 'landed-root') return node.records.map((record) => ({ kind: 'result', record }));
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Newest first; a fan-out's variants under one group row where the newest variant would be. */
export function buildRoots(all: ResultRecord[], parked: ParkedEntry[]): ResultNode[] {
  const roots: ResultNode[] = [];
  // Landed results (issue 11) leave the review list for their own group, above Parked Work.
  const landed = all.filter((record) => record.review === 'landed');
  const records = all.filter((record) => record.review !== 'landed');
  const groups = new Map<string, Extract<ResultNode, { kind: 'group' }>>();
  for (const record of records) {
    if (!record.group) {
      roots.push({ kind: 'result', record });
      continue;
    }
    let group = groups.get(record.group.id);
    if (!group) {
      group = { kind: 'group', id: record.group.id, records: [] };
      groups.set(record.group.id, group);
      roots.push(group);
    }
    group.records.push(record);
  }
  for (const group of groups.values()) group.records.sort((a, b) => (a.group?.index ?? 0) - (b.group?.index ?? 0));
  if (landed.length) roots.push({ kind: 'landed-root', records: landed });
  if (parked.length) roots.push({ kind: 'parked-root', entries: parked });
  return roots;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
