import * as vscode from 'vscode';
import { blockedReason } from '../core/agents/agentOutcome';
import type { ChainRunSnapshot } from '../core/engine/chains/types';
import type { TaskResult } from '../core/engine/types';
import type { Logger } from '../core/logger';
import type { PersistedRun } from '../core/runs/persistedRuns';
import { ChangesDocuments } from './changesDocument';
import { readConfig } from './config';
import { oneLine, usd } from './format';
import { messages } from './messages';

export interface Ended {
  kind: 'task' | 'chain' | 'fan-out';
  ok: boolean;
  message: string;
  /** Every worktree holding the work (all of a fan-out's). */
  worktreePaths: string[];
  /** Refused for lack of budget: offer Set Budget and Show Panel. */
  budget: boolean;
  /** Whether it was shown (successes can be silenced; failures always show). */
  shown: boolean;
  /** The task of a run that ended blocked (the agent needs a person): offer Re-run Allowing…. */
  blockedTask?: string;
}

export const RERUN_ALLOWING = 'Re-run Allowing…';
export const SHOW_AGENT_OUTPUT = 'Show Agent Output';

export const DONT_SHOW_AGAIN = "Don't Show Again";
const FAILURES_ONLY_NOTE = 'Grove will show only failures from now on. To see every end again, set grove.notifications to "all".';

/** A task named as the user knows it: the first line of its prompt (or its label for a fan-out variant). */
export function taskName(task: { prompt?: string | null; label?: string | null }): string {
  const firstLine = (task.prompt ?? '').split('\n').map((line) => line.trim()).find(Boolean) ?? '';
  const name = firstLine ? `"${oneLine(firstLine, 60)}"` : 'a task';
  return task.label && !task.label.startsWith('chain ') ? `${name} (${task.label})` : name;
}

/** A task Grove did not start (budget, no slot, no worktree, bad input): not an agent's failure. */
export function wasRefused(result: TaskResult): boolean {
  return result.status === 'failed' && result.errorKind !== null && result.errorKind !== 'agent-failed' && result.errorKind !== 'internal';
}

function taskText(result: TaskResult): string {
  const name = taskName(result);
  const where = result.slot ? ` on ${result.slot}` : '';
  const left = result.leftWork ? ` Its work is kept in ${result.leftWork.name} (leased to ${result.leftWork.holder}).` : '';
  if (result.status === 'succeeded') return `Grove: ${name} done${where} (${usd(result.costMicros)}).${left}`;
  if (result.status === 'cancelled') {
    const why = result.error && result.error !== 'cancelled' ? ` (${result.error})` : '';
    return `Grove: ${name} cancelled${where}${why} (${usd(result.costMicros)}).${left}`;
  }
  if (wasRefused(result)) return `Grove: ${name} was not started: ${result.error ?? 'refused'}.`;
  const blocked = blockedReason(result.error);
  if (blocked !== null) return `Grove: ${name} needs you${where}: the agent is blocked, it ${blocked} (${usd(result.costMicros)}).${left}`;
  return `Grove: ${name} failed${where}${result.error ? `: ${result.error}` : ''} (${usd(result.costMicros)}).${left}`;
}

/**
 * One notification when a task, a fan-out or a chain ends, with Open Worktree and Show
 * Changes when worktrees hold its work. `grove.notifications` (and Don't Show Again) may
 * silence successes; failures always show.
 */
export class Notifier {
  private readonly emitter = new vscode.EventEmitter<Ended>();
  /** Fires for every end, shown or not (tests). */
  readonly onDidEnd = this.emitter.event;
  readonly changes: ChangesDocuments;

  constructor(private readonly logger: Logger, mainWorktree: string) {
    this.changes = new ChangesDocuments(mainWorktree);
  }

  taskEnded(result: TaskResult): void {
    const paths = result.leftWork ? [result.leftWork.path] : [];
    const blockedTask = blockedReason(result.error) !== null ? result.id : undefined;
    this.show({ kind: 'task', ok: result.status === 'succeeded', message: taskText(result), worktreePaths: paths, budget: result.errorKind === 'budget', blockedTask });
  }

  /** A run this window started before a reload, ended after it: named from its prompt file. */
  runEnded(run: PersistedRun): void {
    const name = run.label ? `"${oneLine(run.label, 60)}"` : `run ${run.id}`;
    const where = run.slot ? ` on ${run.slot}` : '';
    const ok = run.status === 'completed';
    const blocked = run.status === 'blocked' ? blockedReason(run.error) ?? 'wanted something' : null;
    const outcome = ok ? 'done' : blocked !== null ? 'needs you' : run.status === 'cancelled' ? 'cancelled' : `failed${run.error ? `: ${run.error}` : ''}`;
    this.show({ kind: 'task', ok, message: `Grove: ${name} ${outcome}${where}${blocked !== null ? `: the agent is blocked, it ${blocked}` : ''} (${usd(run.costMicros)}).`, worktreePaths: [], budget: false,
      blockedTask: blocked !== null ? run.taskId ?? undefined : undefined });
  }

  fanOutEnded(results: TaskResult[]): void {
    const ok = results.filter((result) => result.status === 'succeeded').length;
    const refused = results.filter(wasRefused);
    const cost = results.reduce((total, result) => total + result.costMicros, 0);
    const kept = results.filter((result) => result.leftWork);
    const name = results[0] ? taskName({ prompt: results[0].prompt }) : '';
    const refusedText = refused.length ? `, ${refused.length} not started (${refused[0].error})` : '';
    this.show({
      kind: 'fan-out', ok: ok === results.length,
      message: `Grove: fan-out ${name} finished, ${ok}/${results.length} succeeded${refusedText} (${usd(cost)}).${kept.length ? ` Work kept in ${kept.map((r) => r.leftWork!.name).join(', ')}.` : ''}`,
      worktreePaths: kept.map((result) => result.leftWork!.path), budget: refused.some((result) => result.errorKind === 'budget'),
    });
  }

  chainEnded(chain: ChainRunSnapshot): void {
    const done = chain.steps.filter((step) => step.status === 'succeeded').length;
    const text = `Grove: chain ${chain.name} ${chain.status} (${done}/${chain.steps.length} steps, ${usd(chain.costMicros)})${chain.error ? `: ${chain.error}` : ''}.`;
    this.show({ kind: 'chain', ok: chain.status === 'succeeded', message: text, worktreePaths: chain.worktree ? [chain.worktree.path] : [], budget: chain.errorKind === 'budget' });
  }

  private show(end: Omit<Ended, 'shown'>): void {
    this.logger.info(end.message);
    // "off" is read as "failures": a failure is never silent.
    const silenced = end.ok && readConfig().notifications !== 'all';
    this.emitter.fire({ ...end, shown: !silenced });
    if (silenced) return;
    const actions = end.blockedTask ? [RERUN_ALLOWING, SHOW_AGENT_OUTPUT]
      : end.budget ? ['Set Budget', 'Show Panel'] : end.worktreePaths.length ? ['Open Worktree', 'Show Changes'] : ['Show Panel'];
    if (end.ok) actions.push(DONT_SHOW_AGAIN);
    void messages.show(end.ok ? 'info' : 'warning', end.message, ...actions).then((choice) => this.act(choice, end));
  }

  private async act(choice: string | undefined, end: Omit<Ended, 'shown'>): Promise<void> {
    if (choice === 'Open Worktree' && end.worktreePaths[0]) await vscode.commands.executeCommand('grove.openInNewWindow', end.worktreePaths[0]);
    if (choice === 'Show Changes' && end.worktreePaths.length) await this.showChanges(...end.worktreePaths);
    if (choice === 'Show Panel') await vscode.commands.executeCommand('grove.showPanel');
    // By task id: the result may still be being recorded when the toast appears; the command finds it by its task.
    if (choice === RERUN_ALLOWING) await vscode.commands.executeCommand('grove.results.rerunAllowing', end.blockedTask);
    if (choice === SHOW_AGENT_OUTPUT) await vscode.commands.executeCommand('grove.results.showOutput', end.blockedTask);
    if (choice === 'Set Budget') await vscode.commands.executeCommand('grove.setBudget');
    if (choice === DONT_SHOW_AGAIN) {
      await vscode.workspace.getConfiguration('grove').update('notifications', 'failures', vscode.ConfigurationTarget.Global);
      const undo = await messages.show('info', FAILURES_ONLY_NOTE, 'Open Setting');
      if (undo) await vscode.commands.executeCommand('workbench.action.openSettings', 'grove.notifications');
    }
  }

  /** The work in these worktrees, in one read-only document. */
  async showChanges(...worktreePaths: string[]): Promise<vscode.TextDocument> {
    return this.changes.show(worktreePaths);
  }

  dispose(): void {
    this.changes.dispose();
    this.emitter.dispose();
  }
}
