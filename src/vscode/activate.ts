import { isDeepStrictEqual } from 'node:util';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ChainRun } from '../core/engine/chains/runner';
import { describeError, GroveError } from '../core/errors';
import { locateRepository, type RepositoryLocation } from '../core/git/repository';
import { findRepositoryOnDisk } from '../core/git/repositoryOnDisk';
import type { GroveApi } from './api';
import { report } from './commands/errors';
import type { Notifier } from './notifications';
import type { RunsPanel } from './panel/runsPanel';
import { PANEL_VIEW_TYPE } from './panel/viewType';
import type { ResultsFeature } from './results';
import { RESULT_COMMAND_IDS } from './results/commandIds';
import type { GroveSession } from './session';
import { ScriptedUi, windowUi } from './ui';
import { SlotsView } from './views/slotsView';
import { quickStatuses } from './views/quickStatus';
import { WorktreesView } from './views/worktreesView';

/** Every command id in package.json; each is registered here once, whether a repository is open or not. */
export const COMMAND_IDS = [
  'grove.lease', 'grove.return', 'grove.destroy', 'grove.addToWorkspace', 'grove.openInNewWindow', 'grove.openTerminal',
  'grove.copyPath', 'grove.runTask', 'grove.fanOut', 'grove.runChain', 'grove.cancel', 'grove.setBudget', 'grove.scale',
  'grove.drain', 'grove.prune', 'grove.showPanel', 'grove.refresh', 'grove.showLog', ...RESULT_COMMAND_IDS,
] as const;

type Handler = (...args: unknown[]) => Promise<unknown>;

/**
 * Builds Grove for the window: the log channel, the two trees (registered even without a
 * repository, so their welcome content can say why they are empty), the session on the
 * workspace's repository, the commands, the status bar and the panel with its serializer.
 *
 * The first draw comes before everything else (issue 5: activation under 100 ms): the
 * repository is found from the file system alone and the worktree rows read from the state
 * file; only then are the engine, pool and runner loaded (dynamic imports, bundled by
 * esbuild) and git asked to confirm the repository. Commands and the panel serializer are
 * registered at once and wait for that wiring; `activate` resolves when it is done.
 */
export async function activateGrove(context: vscode.ExtensionContext, bundleLoadMs: number): Promise<GroveApi> {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Grove', { log: true });
  context.subscriptions.push(log);

  let session: GroveSession | undefined;
  let panel: RunsPanel | undefined;
  let notifier: Notifier | undefined;
  let results: ResultsFeature | undefined;
  const chainRuns = new Map<string, ChainRun>();
  const scriptedUi = new ScriptedUi();
  let lastError: unknown = null;
  let firstRenderMs: number | null = null;
  /** Milestones of activation, logged with the first render (see BENCHMARKS.md, editor). */
  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] ??= performance.now() - activationStart);
  /** The pool's state file, once a repository is found: all the first draw reads. */
  let statePath: string | undefined;

  const worktreesView = new WorktreesView({
    full: () => session ? session.worktreeStatuses() : Promise.resolve([]),
    quick: async (previous) => {
      const rows = statePath ? await quickStatuses(statePath, previous) : [];
      mark('state file read');
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
      log.info(`trees drawn ${firstRenderMs.toFixed(0)} ms after activation started (the bundle took ${bundleLoadMs.toFixed(0)} ms to load; ${steps})`);
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
  const goIdle = (error: unknown) => {
    state = 'notRepository';
    why = describeError(error);
    statePath = undefined;
    log.warn(`Grove is idle: ${why}`);
  };
  let repo: RepositoryLocation | undefined;
  /** git's own answer (locateRepository): asked at once when the file system could not tell, else after the first draw. */
  let confirmed: Promise<RepositoryLocation> | undefined;
  if (folder) {
    try {
      repo = findRepositoryOnDisk(folder.uri.fsPath) ?? undefined;
      if (!repo) confirmed = locateRepository(folder.uri.fsPath);
      repo ??= await confirmed!;
      mark('repository');
      statePath = path.join(repo.groveDir, 'state.json');
      state = 'ready';
    } catch (error) {
      goIdle(error);
    }
  }
  void vscode.commands.executeCommand('setContext', 'grove.state', state);
  // The first draw: rows from the state file alone (no lock, no git); the session's start redraws them fully.
  await worktreesView.quickRefresh();

  if (repo) {
    // Let a request for the rows that is already waiting be answered before the heavier wiring.
    await new Promise((resolve) => setImmediate(resolve));
    confirmed ??= locateRepository(folder!.uri.fsPath);
    try {
      const [sessionModule, notificationsModule, panelModule, located] = await Promise.all([
        import('./session'), import('./notifications'), import('./panel/runsPanel'), confirmed]);
      mark('core loaded, repository confirmed by git');
      if (!isDeepStrictEqual(located, repo)) {
        log.warn(`the repository read from disk (${repo.commonDir}) is not what git says (${located.commonDir}): using git's`);
        repo = located;
        statePath = path.join(repo.groveDir, 'state.json');
      }
      session = new sessionModule.GroveSession(repo, log, { worktrees: worktreesView, slots: slotsView });
      notifier = new notificationsModule.Notifier(log, repo.mainWorktree);
      panel = new panelModule.RunsPanel(context.extensionUri, session, chainRuns);
      context.subscriptions.push(session, notifier, panel);
      mark('session');
      log.info(`pool state for ${repo.mainWorktree} is kept in ${repo.groveDir}; worktrees in ${session.pool.root}`);
      log.info(vscode.workspace.isTrusted ? 'workspace trusted: agents may run' : 'Restricted Mode: Grove is read-only (no agent runs, no hooks)');
    } catch (error) {
      // git refused what the file system showed (or the pool cannot be built here): as if no repository had been found.
      session?.dispose();
      session = panel = notifier = undefined;
      goIdle(error);
      void vscode.commands.executeCommand('setContext', 'grove.state', state);
      await worktreesView.refresh();
    }
  }
  void session?.start().catch((error: unknown) => log.error(`Grove could not start: ${describeError(error)}`));

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
    const [{ poolCommands }, { runCommands }] = await Promise.all([import('./commands/poolCommands'), import('./commands/runCommands')]);
    Object.assign(handlers, poolCommands(session), runCommands({ session, notifier, showPanel, chainRuns }));
    results = (await import('./results')).registerResults(context, session, log);
    Object.assign(handlers, results.handlers);
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
    // The engine, pool and runner take these settings when they are built, and tasks may be
    // running in them: say so rather than swap them underneath. The rest (pool.holder,
    // pool.baseRef, budget.capUsd, hooks.postCreate, notifications) are read when used.
    context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
      const applyOnReload = ['grove.slots', 'grove.pool.max', 'grove.pool.root', 'grove.agent'].filter((key) => event.affectsConfiguration(key));
      if (applyOnReload.length === 0) return;
      log.info(`settings changed (${applyOnReload.join(', ')}): they apply after a window reload`);
      void vscode.window.showInformationMessage('Grove: the changed settings apply after the window reloads (running agents keep running).', 'Reload Window')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow'); });
    }));
  }
  log.info(`Grove ready ${(performance.now() - activationStart).toFixed(0)} ms after activation started`);

  return {
    logUri: context.logUri,
    get state() { return state; },
    get session() { return session; },
    get panel() { return panel; },
    get notifier() { return notifier; },
    get results() { return results; },
    worktreesView,
    slotsView,
    chainRuns,
    firstRender,
    get activationMs() { return firstRenderMs; },
    get rowsReadyMs() { return marks['state file read'] ?? null; },
    get sessionReadyMs() { return marks.session ?? null; },
    bundleLoadMs,
    activationSteps: marks,
    testing: {
      ui: scriptedUi,
      useScriptedUi(on: boolean) {
        if (session) session.ui = on ? scriptedUi : windowUi;
      },
      get lastError() { return lastError; },
    },
  };
}
