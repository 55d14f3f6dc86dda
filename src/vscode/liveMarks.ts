import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Keeps the dirty and process marks of the Worktrees tree live without a timer that runs git
 * in every worktree: while the view is visible, file events under the pool root (VS Code's
 * own watcher) and terminals opening or closing in a worktree mark that worktree, and after a
 * quiet moment only the marked worktrees get a status.
 */
export class LiveMarks implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** What it has done, for the tests: the worktrees it looked at, in order. */
  readonly looked: string[][] = [];

  constructor(
    private readonly poolRoot: string,
    private readonly update: (names: string[]) => Promise<void>,
    view: vscode.TreeView<unknown>,
    private readonly debounceMs = 400,
  ) {
    this.disposables.push(
      view.onDidChangeVisibility((event) => this.watch(event.visible)),
      vscode.window.onDidOpenTerminal((terminal) => this.terminalChanged(terminal)),
      vscode.window.onDidCloseTerminal((terminal) => this.terminalChanged(terminal)),
    );
    this.watch(view.visible);
  }

  /** Marks the worktree a path lies in (nothing for a path outside the pool root). */
  touched(file: string): void {
    const relative = path.relative(this.poolRoot, file);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return;
    this.mark(relative.split(path.sep)[0], this.debounceMs);
  }

  private mark(name: string, delayMs: number): void {
    this.pending.add(name);
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const names = [...this.pending];
    this.pending.clear();
    if (names.length === 0) return;
    this.looked.push(names);
    await this.update(names);
  }

  private terminalChanged(terminal: vscode.Terminal): void {
    const cwd = (terminal.creationOptions as vscode.TerminalOptions).cwd;
    const folder = typeof cwd === 'string' ? cwd : cwd?.fsPath;
    if (!folder) return;
    // The shell needs a moment to start (or to be gone): look once it has, and once more later.
    for (const delayMs of [1500, 5000]) setTimeout(() => this.touched(path.join(folder, '.')), delayMs).unref?.();
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  private watch(visible: boolean): void {
    if (!visible) {
      this.watcher?.dispose();
      this.watcher = undefined;
      return;
    }
    if (this.watcher) return;
    // A watcher made before its folder exists only ever sees the folder appear, nothing inside
    // it (seen in VS Code 1.100): the pool root is made first (the pool would make it anyway).
    try {
      mkdirSync(this.poolRoot, { recursive: true });
    } catch {
      return; // an unwritable root: the pool refuses to lease there, and there is nothing to watch
    }
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(this.poolRoot), '**/*'));
    const onEvent = (uri: vscode.Uri) => this.touched(uri.fsPath);
    this.watcher.onDidCreate(onEvent);
    this.watcher.onDidChange(onEvent);
    this.watcher.onDidDelete(onEvent);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
