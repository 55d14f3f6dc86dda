import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ChainRun } from '../core/engine/chains/runner';
import { describeError, GroveError } from '../core/errors';
import { locateRepository } from '../core/git/repository';
import type { GroveApi } from './api';
import { report } from './commands/errors';
import { poolCommands } from './commands/poolCommands';
import { runCommands } from './commands/runCommands';
import { Notifier } from './notifications';
import { PANEL_VIEW_TYPE, RunsPanel } from './panel/runsPanel';
import { GroveSession } from './session';
import { ScriptedUi, windowUi } from './ui';
import { SlotsView } from './views/slotsView';
import { quickStatuses } from './views/quickStatus';
import { WorktreesView } from './views/worktreesView';

/** Every command id in package.json; each is registered here once, whether a repository is open or not. */
export const COMMAND_IDS = [
  'grove.lease', 'grove.return', 'grove.destroy', 'grove.addToWorkspace', 'grove.openInNewWindow', 'grove.openTerminal',
  'grove.copyPath', 'grove.runTask', 'grove.fanOut', 'grove.runChain', 'grove.cancel', 'grove.setBudget', 'grove.scale',
  'grove.drain', 'grove.prune', 'grove.showPanel', 'grove.refresh', 'grove.showLog',
] as const;

type Handler = (...args: unknown[]) => Promise<unknown>;

/**
 * Builds Grove for the window: the log channel, the two trees (registered even without a
 * repository, so their welcome content can say why they are empty), the session on the
 * workspace's repository, the commands, the status bar and the panel with its serializer.
 */
export async function activateGrove(context: vscode.ExtensionContext): Promise<GroveApi> {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Grove', { log: true });
  context.subscriptions.push(log);

  let session: GroveSession | undefined;
  let panel: RunsPanel | undefined;
  let notifier: Notifier | undefined;
  const chainRuns = new Map<string, ChainRun>();
  const scriptedUi = new ScriptedUi();
  let lastError: unknown = null;
  let firstRenderMs: number | null = null;
  /** Milestones of activation, logged with the first render (see BENCHMARKS.md, editor). */
  const marks: Record<string, number> = {};

  const worktreesView = new WorktreesView({
    full: () => session ? session.worktreeStatuses() : Promise.resolve([]),
    quick: async (previous) => {
      const rows = session ? await quickStatuses(session.pool.statePath, previous) : [];
      marks['state file read'] ??= performance.now() - activationStart;
      return rows;
    },
  }, (error) => log.warn(`cannot read the pool: ${describeError(error)}`));
  const slotsView = new SlotsView();
  const worktreesTree = vscode.window.createTreeView('grove.worktrees', { treeDataProvider: worktreesView, showCollapseAll: false });
  const slotsTree = vscode.window.createTreeView('grove.slots', { treeDataProvider: slotsView });
  context.subscriptions.push(worktreesView, slotsView, worktreesTree, slotsTree);
  const firstRender = new Promise<void>((resolve) => {
    const once = worktreesView.onDidRender(() => {
      firstRenderMs ??= performance.now() - activationStart;
      once.dispose();
      const steps = Object.entries(marks).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ');
      log.info(`trees drawn ${firstRenderMs.toFixed(0)} ms after activation started (${steps})`);
      resolve();
    });
  });
  context.subscriptions.push(worktreesView.onDidRender((statuses) => {
    void vscode.commands.executeCommand('setContext', 'grove.poolEmpty', statuses.length === 0);
    worktreesTree.description = statuses.length ? `${statuses.filter((s) => s.state === 'available').length}/${statuses.length} available` : undefined;
  }));

  const folder = vscode.workspace.workspaceFolders?.[0];
  let state: 'noFolder' | 'notRepository' | 'ready' = 'noFolder';
  let why = 'No folder is open.';
  if (folder) {
    try {
      const repo = await locateRepository(folder.uri.fsPath);
      marks.repository = performance.now() - activationStart;
      session = new GroveSession(repo, log, { worktrees: worktreesView, slots: slotsView });
      notifier = new Notifier(log, repo.mainWorktree);
      panel = new RunsPanel(context.extensionUri, session, chainRuns);
      context.subscriptions.push(session, notifier, panel);
      state = 'ready';
      marks.session = performance.now() - activationStart;
      log.info(`pool state for ${repo.mainWorktree} is kept in ${repo.groveDir}; worktrees in ${session.pool.root}`);
      log.info(vscode.workspace.isTrusted ? 'workspace trusted: agents may run' : 'Restricted Mode: Grove is read-only (no agent runs, no hooks)');
    } catch (error) {
      state = 'notRepository';
      why = describeError(error);
      log.warn(`Grove is idle: ${why}`);
    }
  }
  // Draw as early as possible: the trees read the pool before anything else waits on the window.
  const starting = session?.start().catch((error: unknown) => log.error(`Grove could not start: ${describeError(error)}`));
  void vscode.commands.executeCommand('setContext', 'grove.state', state);

  const needSession = (): GroveSession => {
    if (!session) throw new GroveError('usage', `Grove needs a git repository with at least one commit: ${why}`, 'Open a folder inside a git repository.');
    return session;
  };
  const showPanel = async () => {
    needSession();
    panel!.show();
  };
  const handlers: Record<string, Handler> = {
    'grove.showPanel': showPanel,
    'grove.showLog': async () => log.show(true),
  };
  if (session && notifier) {
    Object.assign(handlers, poolCommands(session), runCommands({ session, notifier, showPanel, chainRuns }));
  }
  for (const id of COMMAND_IDS) {
    const handler = handlers[id] ?? (async () => needSession());
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        lastError = null;
        return await handler(...args);
      } catch (error) {
        lastError = error;
        report(log, id, error);
        return undefined;
      }
    }));
  }

  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel) {
      if (panel) panel.restore(webviewPanel);
      else webviewPanel.dispose();
    },
  }));

  if (session) {
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => log.info('workspace trusted: agents may run now')));
    // The engine, pool and runner take their settings when they are built, and tasks may be
    // running in them: say so rather than swap them underneath.
    context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
      const applyOnReload = ['grove.slots', 'grove.pool', 'grove.agent'].filter((key) => event.affectsConfiguration(key));
      if (applyOnReload.length === 0) return;
      log.info(`settings changed (${applyOnReload.join(', ')}): they apply after a window reload`);
      void vscode.window.showInformationMessage('Grove: the changed settings apply after the window reloads (running agents keep running).', 'Reload Window')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow'); });
    }));
    void starting;
  } else {
    await worktreesView.refresh();
  }

  return {
    logUri: context.logUri,
    state,
    get session() { return session; },
    get panel() { return panel; },
    get notifier() { return notifier; },
    worktreesView,
    slotsView,
    chainRuns,
    firstRender,
    get activationMs() { return firstRenderMs; },
    get rowsReadyMs() { return marks['state file read'] ?? null; },
    testing: {
      ui: scriptedUi,
      useScriptedUi(on: boolean) {
        if (session) session.ui = on ? scriptedUi : windowUi;
      },
      get lastError() { return lastError; },
    },
  };
}
