import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, GroveError } from '../../core/errors';
import { bindArguments, loadChainFile } from '../../core/engine/chains/parse';
import type { ChainRun } from '../../core/engine/chains/runner';
import type { ChainDefinition, ChainRunSnapshot } from '../../core/engine/chains/types';
import type { DrainReport } from '../../core/engine/engine';
import type { TaskResult } from '../../core/engine/types';
import { parseBudgetInput } from '../budgetInput';
import { age, oneLine, usd } from '../format';
import { messages } from '../messages';
import { wasRefused, type Notifier } from '../notifications';
import type { GroveSession } from '../session';
import { requireTrust } from '../trust';
import type { SlotRow } from '../views/slotsView';

export interface RunCommandDeps {
  session: GroveSession;
  notifier: Notifier;
  showPanel(): Promise<void>;
  /** Chains started in this window, for Cancel and the panel. */
  chainRuns: Map<string, ChainRun>;
}

const MAX_PROMPT_BYTES = 128 * 1024;

function checkPrompt(prompt: string): string | undefined {
  if (prompt.trim() === '') return 'Give the agent something to do.';
  if (Buffer.byteLength(prompt) > MAX_PROMPT_BYTES) return 'A prompt is at most 128 KiB.';
  return undefined;
}

/** Runs a task with a cancellable progress notification; the notification names what it is doing. */
async function withTaskProgress(session: GroveSession, title: string, taskIds: string[]): Promise<TaskResult[]> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const cancelling = token.onCancellationRequested(() => {
        for (const id of taskIds) void session.engine.cancel(id).catch(() => undefined);
      });
      const listener = session.onEngineEvent((event) => {
        if (event.type === 'task-started' && taskIds.includes(event.task.id)) progress.report({ message: `running on ${event.task.slot}` });
        if (event.type === 'task-finished' && taskIds.includes(event.task.id)) progress.report({ message: `${event.task.id} ${event.task.status}` });
      });
      try {
        return await Promise.all(taskIds.map((id) => session.engine.wait(id)));
      } finally {
        listener.dispose();
        cancelling.dispose();
      }
    },
  );
}

export function runCommands(deps: RunCommandDeps): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const { session, notifier } = deps;

  return {
    'grove.runTask': async (given?: unknown): Promise<TaskResult | undefined> => {
      requireTrust('Running an agent');
      const prompt = typeof given === 'string' ? given : await session.ui.input({
        title: 'Grove: Run Task', prompt: 'What should the agent do?', placeHolder: 'Fix the failing test in src/parser.ts', validateInput: checkPrompt, ignoreFocusOut: true,
      });
      if (!prompt) return undefined;
      const problem = checkPrompt(prompt);
      if (problem) throw new GroveError('usage', problem);
      const taskId = session.engine.submit({ prompt });
      const [result] = await withTaskProgress(session, `Grove: ${oneLine(prompt, 50)}`, [taskId]);
      refusalOf(result);
      notifier.taskEnded(result);
      return result;
    },

    'grove.fanOut': async (given?: unknown): Promise<TaskResult[] | undefined> => {
      requireTrust('Running agents');
      const preset = given && typeof given === 'object' ? given as { prompt?: string; count?: number } : {};
      const prompt = preset.prompt ?? await session.ui.input({
        title: 'Grove: Fan Out (1/2)', prompt: 'The prompt every agent gets', validateInput: checkPrompt, ignoreFocusOut: true,
      });
      if (!prompt) return undefined;
      const countText = preset.count !== undefined ? String(preset.count) : await session.ui.input({
        title: 'Grove: Fan Out (2/2)', prompt: 'How many agents, each in its own worktree?', value: String(session.engine.slots().length),
        validateInput: (value) => (/^[1-9]\d*$/.test(value.trim()) && Number(value) <= 32 ? undefined : 'A whole number from 1 to 32.'),
      });
      if (!countText) return undefined;
      const count = Number(countText);
      const ids = Array.from({ length: count }, (_, index) => session.engine.submit({ prompt, label: `fan-out ${index + 1}/${count}` }));
      const results = await withTaskProgress(session, `Grove: fan-out ×${count}`, ids);
      notifier.fanOutEnded(results);
      return results;
    },

    'grove.runChain': async (given?: unknown): Promise<ChainRunSnapshot | undefined> => {
      requireTrust('Running a chain');
      const preset = given && typeof given === 'object' ? given as { file?: string; args?: Record<string, string>; wait?: boolean } : {};
      const file = preset.file ?? (typeof given === 'string' ? given : await pickChainFile(session));
      if (!file) return undefined;
      const chain = await loadChainFile(file, { repoRoot: session.repo.mainWorktree, homeDir: os.homedir() });
      const args = preset.args ?? await askArguments(session, chain);
      if (!args) return undefined;
      const run = await session.chains.start(chain, bindArguments(chain, args));
      deps.chainRuns.set(run.id, run);
      await deps.showPanel();
      const watch = vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Grove: chain ${chain.name}`, cancellable: true },
        async (progress, token) => {
          const cancelling = token.onCancellationRequested(() => void run.cancel());
          const listener = session.onEngineEvent((event) => {
            if (event.type === 'chain-step-changed' && event.chainRunId === run.id) {
              progress.report({ message: `step ${event.step.index + 1}/${event.chain.steps.length} ${event.step.name}: ${event.step.status}` });
            }
          });
          try {
            return await run.done;
          } finally {
            listener.dispose();
            cancelling.dispose();
          }
        },
      );
      const finished = watch.then((snapshot) => {
        deps.chainRuns.delete(run.id);
        notifier.chainEnded(snapshot);
        return snapshot;
      });
      // The palette returns at once (progress stays up); callers that pass { wait: true } get the end.
      return preset.wait === false ? run.snapshot() : finished;
    },

    'grove.cancel': async (given?: unknown) => {
      // Restricted Mode changes nothing, and that includes stopping another window's agent.
      requireTrust('Cancelling a task');
      const target = await cancelTarget(deps, given);
      if (!target) return undefined;
      if (target.kind === 'chain') return deps.chainRuns.get(target.id)?.cancel();
      if (target.kind === 'task') return session.engine.cancel(target.id);
      if (!(await confirmForeignCancel(session, target.id))) return undefined;
      return session.registry.cancel(target.id);
    },

    'grove.setBudget': async (given?: unknown) => {
      requireTrust('Changing the budget');
      const current = session.budgetStatus;
      const raw = typeof given === 'string' ? given : await session.ui.input({
        title: 'Grove: Set Budget', prompt: `Spend cap for the whole pool, in US dollars, e.g. 5, 2.50 or $2 (spent so far: ${usd(current?.spentMicros ?? 0)}). Type "none" to remove the cap.`,
        value: current?.capMicros ? String(current.capMicros / 1_000_000) : String(session.config().capUsd ?? ''),
        validateInput: (value) => {
          try { parseBudgetInput(value); return undefined; } catch (error) { return describeError(error).replace(/\n/g, ' '); }
        },
      });
      if (raw === undefined) return undefined;
      const cap = parseBudgetInput(raw);
      const status = await session.engine.setBudgetCap(cap);
      await session.refreshSpend();
      return status;
    },

    'grove.scale': async (given?: unknown) => {
      requireTrust('Scaling the slots');
      const raw = typeof given === 'number' ? String(given) : await session.ui.input({
        title: 'Grove: Scale Slots', prompt: `How many slots? (now ${session.engine.slots().length}; scaling down waits for busy slots)`,
        validateInput: (value) => (/^[1-9]\d*$/.test(value.trim()) ? undefined : 'A whole number of slots, at least 1.'),
      });
      if (!raw) return undefined;
      const count = await session.engine.scale(Number(raw));
      session.drawSlots();
      return count;
    },

    'grove.drain': async (): Promise<DrainReport | undefined> => {
      requireTrust('Draining');
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Grove: draining (no new tasks; waiting for running ones)…' },
        () => session.engine.drain({}),
      );
      const { tasks } = report;
      // The drain is over once this is out: new tasks are taken again.
      void messages.show('info',
        `Grove drained: ${tasks.total} task(s), ${tasks.succeeded} succeeded, ${tasks.failed} failed, ${tasks.cancelled} cancelled; spent ${usd(report.spentMicros)}.`);
      return report;
    },
  };
}

/** A task Grove refused to start (budget, no slot, bad input) is an error with a hint, not an agent's failure. */
function refusalOf(result: TaskResult): void {
  // Whether it was refused before or after it got a slot (pool full comes after): not "task failed".
  if (wasRefused(result) && result.errorKind) {
    throw new GroveError(result.errorKind, result.error ?? 'the task was refused', result.errorHint ?? undefined);
  }
}

/** Chain files: `.grove/chains/*.json` in the workspace, or any JSON file the user browses to. */
async function pickChainFile(session: GroveSession): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('.grove/chains/*.json', undefined, 200);
  const items: (vscode.QuickPickItem & { file?: string })[] = found
    .map((uri) => ({ label: path.basename(uri.fsPath, '.json'), description: vscode.workspace.asRelativePath(uri), file: uri.fsPath }))
    .sort((a, b) => a.label.localeCompare(b.label));
  items.push({ label: 'Browse…', description: 'a chain file anywhere' });
  const picked = await session.ui.pick(items, { title: 'Grove: Run Chain', placeHolder: 'Pick a chain file' });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Chain file': ['json'] }, title: 'Grove: pick a chain file' });
  return chosen?.[0]?.fsPath;
}

/** One input box per chain argument, with its description and default. */
async function askArguments(session: GroveSession, chain: ChainDefinition): Promise<Record<string, string> | undefined> {
  const args: Record<string, string> = {};
  for (const [index, argument] of chain.arguments.entries()) {
    const value = await session.ui.input({
      title: `Grove: Run Chain ${chain.name} (argument ${index + 1}/${chain.arguments.length})`,
      prompt: `${argument.name}${argument.description ? `: ${argument.description}` : ''}${argument.required ? '' : ' (optional)'}`,
      value: argument.default ?? '', ignoreFocusOut: true,
      validateInput: (text) => (argument.required && text.trim() === '' ? `${argument.name} is required` : undefined),
    });
    if (value === undefined) return undefined;
    if (value !== '') args[argument.name] = value;
  }
  return args;
}

type CancelTarget = { kind: 'task' | 'chain' | 'run'; id: string };

async function cancelTarget(deps: RunCommandDeps, given: unknown): Promise<CancelTarget | undefined> {
  const row = given as Partial<SlotRow> | undefined;
  if (row && typeof row === 'object' && typeof row.name === 'string') {
    if (row.taskId) return { kind: 'task', id: row.taskId };
    if (row.runId) return { kind: 'run', id: row.runId };
  }
  if (typeof given === 'string') {
    if (deps.chainRuns.has(given)) return { kind: 'chain', id: given };
    return given.startsWith('run-') ? { kind: 'run', id: given } : { kind: 'task', id: given };
  }
  const items: (vscode.QuickPickItem & { target: CancelTarget })[] = [];
  for (const run of deps.chainRuns.values()) {
    const snapshot = run.snapshot();
    const step = snapshot.steps.find((candidate) => candidate.status === 'running');
    items.push({ label: `chain ${snapshot.name}`, description: step ? `step ${step.name}` : snapshot.status, target: { kind: 'chain', id: run.id } });
  }
  for (const task of deps.session.engine.list().filter((candidate) => candidate.status === 'running' || candidate.status === 'queued')) {
    items.push({ label: oneLine(task.label ?? task.prompt, 50), description: `${task.status}${task.slot ? ` on ${task.slot}` : ''}`, target: { kind: 'task', id: task.id } });
  }
  for (const row of deps.session.slotRows().filter((candidate) => candidate.state === 'attached' && candidate.runId)) {
    items.push({ label: oneLine(row.doing ?? row.runId!, 50), description: `started by ${row.startedBy} · ${row.name}`, target: { kind: 'run', id: row.runId! } });
  }
  if (items.length === 0) {
    void messages.show('info', 'Nothing to cancel: no task or chain is running.');
    return undefined;
  }
  return (await deps.session.ui.pick(items, { title: 'Grove: Cancel Task', placeHolder: 'Pick what to cancel' }))?.target;
}

/** A run this window's engine did not start is someone else's work: ask first, naming where it runs. */
async function confirmForeignCancel(session: GroveSession, runId: string): Promise<boolean> {
  const run = session.detachedRun(runId) ?? await session.history.run(runId);
  if (!run || run.status !== 'active') return true; // nothing running: the registry says so
  const whose = session.identity.whose(run.origin);
  const what = run.label ? `"${oneLine(run.label, 60)}"` : `run ${run.id}`;
  const detail = [
    `${what} was started by ${whose} ${age(run.startedAt)}.`,
    `It runs on ${run.slot ?? 'no slot'} in worktree ${run.worktree ?? '(none)'} (run ${run.id}).`,
    'Cancelling kills its agent and every process it started; what it spent so far still counts.',
  ].join('\n');
  return (await session.ui.confirm(`Cancel a run this window did not start (${whose})?`, detail, 'Cancel Run')) === 'Cancel Run';
}
