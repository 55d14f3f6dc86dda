import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChainRun } from '../../core/engine/chains/runner';
import { listChainRuns } from '../../core/engine/chains/store';
import type { ChainRunSnapshot } from '../../core/engine/chains/types';
import { readLedger } from '../../core/store/spendLedger';
import type { GroveSession } from '../session';
import { parseFromWebview, type PanelState, type RenderedSummary, type ToWebview } from './protocol';
import { summarizeSpend } from './spendSummary';
import { PANEL_VIEW_TYPE } from './viewType';

export { PANEL_VIEW_TYPE };

const RECENT_CHAINS = 20;

/**
 * The Grove panel (an editor tab): chain progress and spend over time. One instance,
 * created or revealed on demand, restored after a reload by the serializer. The page is
 * stateless apart from `setState` (no retainContextWhenHidden): the host sends the whole
 * state after the page says it is ready, and again whenever it becomes visible, because a
 * hidden webview receives no messages.
 */
export class RunsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private stale = false;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedSummary>();
  /** The page's report of what it drew (tests). */
  readonly onDidRender = this.renderedEmitter.event;
  private lastRendered: RenderedSummary | null = null;
  private chainTimers = new Map<string, NodeJS.Timeout>();
  private taskLabels = new Map<string, string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: GroveSession,
    private readonly chainRuns: Map<string, ChainRun>,
  ) {
    this.disposables.push(
      this.renderedEmitter,
      session.onEngineEvent((event) => {
        if (event.type === 'task-queued' && event.task.label) this.taskLabels.set(event.task.id, event.task.label);
        if (event.type === 'chain-step-changed') this.sendChainSoon(event.chain);
        if (event.type === 'chain-finished') {
          // A step change still waiting to be sent is older than the end: drop it.
          clearTimeout(this.chainTimers.get(event.chain.id));
          this.chainTimers.delete(event.chain.id);
          this.send({ type: 'chain', chain: event.chain });
        }
        if (event.type === 'task-finished' || event.type === 'spend-changed' || event.type === 'chain-finished') this.refreshSoon();
      }),
      session.watcher.onDidChange((change) => {
        if (change === 'spend' || change === 'chains') this.refreshSoon();
      }),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get rendered(): RenderedSummary | null {
    return this.lastRendered;
  }

  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Grove', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, this.options());
    this.attach(panel);
  }

  /** Called by the serializer after a reload with the panel VS Code kept. */
  restore(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.attach(panel);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      // Only the bundled page script and the stylesheet: nothing from the workspace.
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'grove.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.stale) void this.sendState();
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        for (const disposable of this.panelDisposables.splice(0)) disposable.dispose();
      }),
    );
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) {
      this.session.logger.warn(`the Grove panel sent a message Grove does not know: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.sendState();
        break;
      case 'rendered':
        this.lastRendered = message.summary;
        this.renderedEmitter.fire(message.summary);
        break;
      case 'cancelChain':
        await this.chainRuns.get(message.chainRunId)?.cancel();
        break;
      case 'openWorktree':
        await vscode.commands.executeCommand('grove.openInNewWindow', message.path);
        break;
    }
  }

  async state(): Promise<PanelState> {
    const [persisted, ledger, prompts] = await Promise.all([
      listChainRuns(this.session.repo.groveDir), readLedger(this.session.repo.groveDir), this.session.history.taskLabels()]);
    // Labels from the prompt files on disk, so a reloaded window and every other window show the same;
    // this window's own labels only until a task's prompt file is there.
    const labels = new Map([...this.taskLabels, ...prompts]);
    // Live runs of this window are fresher than their files (output is written a bit later).
    const live = new Map([...this.chainRuns.values()].map((run) => [run.id, run.snapshot()]));
    const chains = persisted.map((chain) => live.get(chain.id) ?? chain);
    for (const [id, snapshot] of live) if (!chains.some((chain) => chain.id === id)) chains.push(snapshot);
    chains.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return {
      chains: chains.slice(0, RECENT_CHAINS),
      spend: summarizeSpend(ledger, this.session.budgetStatus, labels),
      repository: this.session.repo.mainWorktree,
    };
  }

  private async sendState(): Promise<void> {
    if (!this.panel) return;
    if (!this.ready || !this.panel.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    try {
      await this.post({ type: 'state', state: await this.state() });
    } catch (error) {
      this.session.logger.warn(`cannot update the Grove panel: ${(error as Error).message}`);
    }
  }

  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshSoon(): void {
    if (!this.panel || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.sendState();
    }, 100);
  }

  /** Live output arrives in many small pieces: send each chain at most every 150 ms. */
  private sendChainSoon(chain: ChainRunSnapshot): void {
    if (!this.panel) return;
    const pending = this.chainTimers.get(chain.id);
    if (pending) clearTimeout(pending);
    this.chainTimers.set(chain.id, setTimeout(() => {
      this.chainTimers.delete(chain.id);
      const live = this.chainRuns.get(chain.id);
      if (live) this.send({ type: 'chain', chain: live.snapshot() });
    }, 150));
  }

  private send(message: ToWebview): void {
    if (!this.panel) return;
    if (!this.ready || !this.panel.visible) {
      this.stale = true;
      return;
    }
    void this.post(message);
  }

  private async post(message: ToWebview): Promise<void> {
    const delivered = await this.panel?.webview.postMessage(message);
    if (delivered === false) this.stale = true;
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `connect-src 'none'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Grove</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading Grove…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const timer of this.chainTimers.values()) clearTimeout(timer);
    this.panel?.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
