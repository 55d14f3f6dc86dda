import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** Which part of the pool's state changed on disk. */
export type GroveChange = 'pool' | 'spend' | 'runs' | 'chains' | 'rateLimits';

const KIND_BY_FILE: Record<string, GroveChange> = {
  'state.json': 'pool',
  'spend.jsonl': 'spend',
  'budget.json': 'spend',
  'rate-limits.json': 'rateLimits',
};

/**
 * Tells the views when another process (a `grove lease` in a terminal, another window, the
 * CLI) changed the pool: fs.watch on `<groveDir>` (files are replaced by rename, so the folder
 * is watched, not the file) and on the entry files of its `runs/` and `chains/` folders. No
 * polling loop. Bursts are coalesced into one event per kind.
 */
export class GroveWatcher implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<GroveChange>();
  readonly onDidChange = this.emitter.event;
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Set<GroveChange>();
  private timer: NodeJS.Timeout | undefined;

  constructor(groveDir: string, private readonly logger: Logger, private readonly debounceMs = 30) {
    mkdirSync(groveDir, { recursive: true });
    this.watchFolder(groveDir, (file) => KIND_BY_FILE[file]);
    for (const [folder, kind] of [['runs', 'runs'], ['chains', 'chains']] as const) {
      const dir = path.join(groveDir, folder);
      mkdirSync(dir, { recursive: true });
      // Only the `<id>.json` entries: a running agent appends its stream to `runs/<id>.jsonl`
      // line by line, and each of those writes would otherwise redraw the worktrees tree
      // (a git status of every worktree) while telling nothing the entries do not.
      this.watchFolder(dir, (file) => (file.endsWith('.json') ? kind : undefined));
    }
  }

  private watchFolder(dir: string, classify: (file: string) => GroveChange | undefined): void {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, file) => {
        const kind = file ? classify(file.toString()) : undefined;
        if (kind) this.schedule(kind);
      });
      watcher.on('error', (error) => this.logger.warn(`watching ${dir} stopped: ${error.message}`));
      this.watchers.push(watcher);
    } catch (error) {
      this.logger.warn(`cannot watch ${dir}: ${(error as Error).message}; the views refresh on Grove's own actions only`);
    }
  }

  private schedule(kind: GroveChange): void {
    this.pending.add(kind);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const kinds = [...this.pending];
      this.pending.clear();
      for (const changed of kinds) this.emitter.fire(changed);
    }, this.debounceMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    this.emitter.dispose();
  }
}
