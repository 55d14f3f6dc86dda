import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { openResults, resultsDir, type Results, type ResultRecord } from '../../core/results';
import type { GroveSession } from '../session';
import { ReviewComments } from './comments';
import { resultCommands } from './commands';
import type { ResultCommandId } from './commandIds';
import { BASE_SCHEME, BaseContentProvider, OUTPUT_SCHEME, OutputContentProvider } from './documents';
import { awaitingReview, ResultsView } from './resultsView';
import { ReviewedResult } from './land';

export { RESULT_COMMAND_IDS } from './commandIds';

/** What the Results feature hands the extension-host tests. */
export interface ResultsFeature {
  readonly view: ResultsView;
  readonly tree: vscode.TreeView<unknown>;
  readonly results: Results;
  readonly comments: ReviewComments;
  refresh(): Promise<void>;
  /** Grove's own time in the last Review Changes (reading changes, building the resources). */
  lastReviewMs: number | null;
  /** The commands, registered by activation with its error reporting. */
  readonly handlers: Record<ResultCommandId, (...args: unknown[]) => Promise<unknown>>;
}

/**
 * The Results view, its commands, the read-only base-side documents, agent output documents
 * and review comments, on the session's engine: results are recorded as this window's tasks
 * end, and read back from `grove/results/` when the CLI or another window writes them.
 */
export function registerResults(context: vscode.ExtensionContext, session: GroveSession, log: Logger): ResultsFeature {
  const results = openResults({ repo: session.repo, pool: session.pool, registry: session.registry, engine: session.engine, logger: log });
  const view = new ResultsView();
  const tree = vscode.window.createTreeView('grove.results', { treeDataProvider: view, showCollapseAll: true });
  const comments = new ReviewComments(() => results.service);
  const output = new OutputContentProvider(() => results.service, () => session.repo.groveDir);
  // The records this window knows, kept up to date one file at a time: a change to one result
  // (the recorder here, or the watcher for another process) re-reads that file only.
  const known = new Map<string, ResultRecord>();
  // A hand-edited or half-copied result file: said once in the log, not at every redraw.
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(message);
  };
  const draw = async (full: boolean) => {
    if (full) {
      const records = await results.service.list();
      known.clear();
      for (const record of records) known.set(record.id, record);
      for (const { file, reason } of results.store.skipped) warnOnce(`${file}: ${reason}`, `skipped ${file}: ${reason}; fix or move it to see the others' full list again`);
    }
    const records = [...known.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    const parked = await results.service.parked({ files: false }).catch(() => []);
    view.show(records, parked);
    comments.sync(records);
    const count = records.filter(awaitingReview).length;
    tree.badge = count ? { value: count, tooltip: `${count} result${count === 1 ? '' : 's'} awaiting review` } : undefined;
    void vscode.commands.executeCommand('setContext', 'grove.resultsAwaiting', count);
  };
  let refreshing: Promise<void> | null = null;
  let again = false;
  let againFull = false;
  /** Redraws; `full` re-reads every result file (start, the refresh button, after this window's own changes). */
  const redraw = (full: boolean): Promise<void> => {
    if (refreshing) {
      again = true;
      againFull ||= full;
      return refreshing;
    }
    refreshing = draw(full).catch((error: unknown) => log.warn(`cannot read the results: ${describeError(error)}`)).finally(() => {
      refreshing = null;
      if (again) {
        const nextFull = againFull;
        again = againFull = false;
        void redraw(nextFull);
      }
    });
    return refreshing;
  };
  const refresh = () => redraw(true);
  const refreshOne = async (id: string): Promise<void> => {
    const record = await results.store.get(id).catch((error: Error) => {
      warnOnce(error.message, error.message);
      return null;
    });
    if (record) known.set(id, record);
    else known.delete(id);
    await redraw(false);
  };
  const feature = { view, tree, results, comments, refresh, lastReviewMs: null } as Omit<ResultsFeature, 'handlers'> as ResultsFeature;
  const reviewed = new ReviewedResult();
  Object.assign(feature, { handlers: resultCommands({ session, results, view, comments, output, refresh, log, feature, reviewed }) });
  const recorded = results.recorder?.onRecorded((record: ResultRecord) => {
    log.info(`result ${record.id} recorded for "${record.title}": ${record.status}`);
    known.set(record.id, record);
    void redraw(false);
  });
  context.subscriptions.push(
    view, tree, comments, output, reviewed,
    vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, new BaseContentProvider(session.repo.mainWorktree)),
    vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, output),
    { dispose: () => recorded?.dispose() },
    { dispose: () => results.recorder?.dispose() },
    watchResults(session.repo.groveDir, refreshOne, log),
  );
  // Work whose engine died before recording it (a killed grove run, a crashed window) gets its result.
  void results.service.recordOrphans().then((made) => {
    for (const record of made) log.info(`recorded ${record.id} for work left in ${record.worktreeName} by task ${record.taskId}`);
  }, (error: unknown) => log.warn(`cannot look for unrecorded work: ${describeError(error)}`)).finally(() => void refresh());
  return feature;
}

/** Another process wrote (or removed) a result: re-read those files, coalescing bursts. */
function watchResults(groveDir: string, refreshOne: (id: string) => Promise<void>, log: Logger): vscode.Disposable {
  const dir = resultsDir(groveDir);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  try {
    mkdirSync(dir, { recursive: true });
    watcher = watch(dir, { persistent: false }, (_event, file) => {
      const name = file?.toString();
      if (!name || !name.endsWith('.json')) return;
      changed.add(name.slice(0, -'.json'.length));
      timer ??= setTimeout(() => {
        timer = undefined;
        const ids = [...changed];
        changed.clear();
        for (const id of ids) void refreshOne(id);
      }, 50);
    });
    watcher.on('error', (error) => log.warn(`watching ${dir} stopped: ${error.message}`));
  } catch (error) {
    log.warn(`cannot watch ${dir}: ${(error as Error).message}; the Results view refreshes on this window's work only`);
  }
  return { dispose: () => { if (timer) clearTimeout(timer); watcher?.close(); } };
}
