import * as vscode from 'vscode';
import type { ChainRunSnapshot } from '../core/engine/chains/types';
import type { TaskResult } from '../core/engine/types';
import { gitOutput } from '../core/git/run';
import type { Logger } from '../core/logger';
import { readConfig } from './config';
import { usd } from './format';

export interface Ended {
  kind: 'task' | 'chain' | 'fan-out';
  ok: boolean;
  message: string;
  worktreePath: string | null;
}

/**
 * One notification when a task, a fan-out or a chain ends, with Open Worktree and Show
 * Changes when there is a worktree holding its work. `grove.notifications` chooses all,
 * failures only, or none; every notification offers to stop them.
 */
export class Notifier {
  private readonly emitter = new vscode.EventEmitter<Ended>();
  /** Fires for every end, shown or not (tests). */
  readonly onDidEnd = this.emitter.event;

  constructor(private readonly logger: Logger, private readonly mainWorktree: string) {}

  taskEnded(result: TaskResult): void {
    const where = result.leftWork?.path ?? null;
    const left = result.leftWork ? ` Its work is kept in ${result.leftWork.name} (leased to ${result.leftWork.holder}).` : '';
    const text = result.status === 'succeeded'
      ? `Grove: task done on ${result.slot ?? 'a slot'} (${usd(result.costMicros)}).${left}`
      : `Grove: task ${result.status}${result.error ? `: ${result.error}` : ''} (${usd(result.costMicros)}).${left}`;
    this.show({ kind: 'task', ok: result.status === 'succeeded', message: text, worktreePath: where });
  }

  fanOutEnded(results: TaskResult[]): void {
    const ok = results.filter((result) => result.status === 'succeeded').length;
    const cost = results.reduce((total, result) => total + result.costMicros, 0);
    const kept = results.filter((result) => result.leftWork);
    this.show({
      kind: 'fan-out', ok: ok === results.length,
      message: `Grove: fan-out finished, ${ok}/${results.length} succeeded (${usd(cost)}).${kept.length ? ` Work kept in ${kept.map((r) => r.leftWork!.name).join(', ')}.` : ''}`,
      worktreePath: kept[0]?.leftWork?.path ?? null,
    });
  }

  chainEnded(chain: ChainRunSnapshot): void {
    const done = chain.steps.filter((step) => step.status === 'succeeded').length;
    const text = `Grove: chain ${chain.name} ${chain.status} (${done}/${chain.steps.length} steps, ${usd(chain.costMicros)})${chain.error ? `: ${chain.error}` : ''}.`;
    this.show({ kind: 'chain', ok: chain.status === 'succeeded', message: text, worktreePath: chain.worktree?.path ?? null });
  }

  private show(ended: Ended): void {
    this.logger.info(ended.message);
    this.emitter.fire(ended);
    const level = readConfig().notifications;
    if (level === 'off' || (level === 'failures' && ended.ok)) return;
    const actions = ended.worktreePath ? ['Open Worktree', 'Show Changes', "Don't Show Again"] : ['Show Panel', "Don't Show Again"];
    const shown = ended.ok ? vscode.window.showInformationMessage(ended.message, ...actions) : vscode.window.showWarningMessage(ended.message, ...actions);
    void shown.then((choice) => this.act(choice, ended));
  }

  private async act(choice: string | undefined, ended: Ended): Promise<void> {
    if (choice === 'Open Worktree' && ended.worktreePath) await vscode.commands.executeCommand('grove.openInNewWindow', ended.worktreePath);
    if (choice === 'Show Changes' && ended.worktreePath) await this.showChanges(ended.worktreePath);
    if (choice === 'Show Panel') await vscode.commands.executeCommand('grove.showPanel');
    if (choice === "Don't Show Again") await vscode.workspace.getConfiguration('grove').update('notifications', 'off', vscode.ConfigurationTarget.Global);
  }

  /** The worktree's work against where it branched off the main worktree's HEAD: commits and uncommitted changes. */
  async showChanges(worktreePath: string): Promise<void> {
    // A section git cannot produce stays empty: the document shows what could be read.
    const gitIn = (dir: string, ...args: string[]) => gitOutput(dir, args).catch(() => '');
    const git = (...args: string[]) => gitIn(worktreePath, ...args);
    const mainHead = (await gitIn(this.mainWorktree, 'rev-parse', 'HEAD')).trim();
    const base = (await git('merge-base', 'HEAD', mainHead)).trim() || 'HEAD';
    const [log, status, diff] = await Promise.all([git('log', '--oneline', `${base}..HEAD`), git('status', '--short'), git('diff', base)]);
    const content = [`# Changes in ${worktreePath} since ${base.slice(0, 7)}`, '', '## Commits', log || '(none)', '', '## Status', status || '(clean)', '', diff].join('\n');
    const document = await vscode.workspace.openTextDocument({ content, language: 'diff' });
    await vscode.window.showTextDocument(document, { preview: true });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
