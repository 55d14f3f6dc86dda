import { promises as fs, watch, type FSWatcher } from 'node:fs';
import * as vscode from 'vscode';
import { runFiles } from '../core/agents/runFiles';
import { StreamJsonParser } from '../core/agents/streamParser';

export const OUTPUT_SCHEME = 'grove-live';

/**
 * A busy slot's default action: the live output of its run, as a read-only document read
 * from the run's log (`runs/<id>.jsonl`), so it works for this window's runs, another
 * window's and the CLI's alike. While the document is open its log is watched and the text
 * follows; nothing is polled.
 */
export class RunOutputDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly groveDir: string) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme !== OUTPUT_SCHEME) return;
        this.watchers.get(document.uri.toString())?.close();
        this.watchers.delete(document.uri.toString());
      }),
    );
  }

  async show(runId: string, title: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${title.replace(/[/\\]/g, '-')} output`, query: runId });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
    this.follow(uri, runId);
    return document;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const files = runFiles(this.groveDir, uri.query);
    const [prompt, log] = await Promise.all([fs.readFile(files.prompt, 'utf8').catch(() => ''), fs.readFile(files.log).catch(() => Buffer.alloc(0))]);
    const parsed = new StreamJsonParser();
    const texts: string[] = [];
    for (const event of [...parsed.push(log), ...parsed.end()]) if (event.type === 'text') texts.push(event.text);
    const result = parsed.result ? `\n--- ${parsed.result.success ? 'finished' : 'failed'} (${parsed.result.subtype ?? 'result'}) ---\n${parsed.result.resultText ?? ''}` : '\n--- still running ---';
    return [`Prompt: ${prompt.split('\n')[0] ?? ''}`, `Run: ${uri.query}`, '', texts.join('\n\n') || '(no output yet)', result].join('\n');
  }

  private follow(uri: vscode.Uri, runId: string): void {
    const key = uri.toString();
    if (this.watchers.has(key)) return;
    try {
      const watcher = watch(runFiles(this.groveDir, runId).log, { persistent: false }, () => this.changed.fire(uri));
      watcher.on('error', () => undefined);
      this.watchers.set(key, watcher);
    } catch {
      // No log yet (or already expired): the document shows what there is.
    }
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.changed.dispose();
  }
}
