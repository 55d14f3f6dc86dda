// The extension-host half of bench/editor.bench.ts, loaded as its `extensionTestsPath`
// (bundled by the harness). Each window load is one activation sample: the Grove view is
// open when the window starts (VS Code restores it), so `activationMs` is activate() →
// the worktrees tree's first getChildren. After the last reload it times tree refreshes
// with the pool's 200 worktrees, then writes the numbers for the harness.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { GroveApi } from '../src/vscode/api';

interface Progress { activationMs: number[]; readyMs?: number[]; loadMs?: number[]; sessionMs?: number[]; repositoryMs?: number[]; done?: boolean; refreshMs?: number[]; renderMs?: number[]; rows?: number; error?: string }

const OUT = process.env.GROVE_BENCH_OUT ?? '/tmp/grove-editor-bench.json';
const SAMPLES = Number(process.env.GROVE_BENCH_ACTIVATIONS ?? 5);
const REFRESHES = 20;

function load(): Progress {
  return existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) as Progress : { activationMs: [] };
}

function until(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const tick = () => {
      if (predicate()) resolve();
      else if (performance.now() - start > timeoutMs) reject(new Error('timed out'));
      else setImmediate(tick);
    };
    tick();
  });
}

export async function run(): Promise<void> {
  const progress = load();
  try {
    const api = await vscode.extensions.getExtension('grove-dev.grove')!.activate() as GroveApi;
    if (progress.activationMs.length === 0 && api.activationMs === null) {
      // First load: the view was never opened in this profile. Open it, and reload so the
      // next window starts with it open (no sample from this load).
      await vscode.commands.executeCommand('workbench.view.extension.grove');
      await api.firstRender;
      progress.activationMs.push(-1);
    } else {
      await api.firstRender;
      progress.activationMs.push(api.activationMs!);
      (progress.readyMs ??= []).push(api.rowsReadyMs ?? -1);
      (progress.loadMs ??= []).push(api.bundleLoadMs);
      (progress.sessionMs ??= []).push(api.sessionReadyMs ?? -1);
      (progress.repositoryMs ??= []).push(api.activationSteps.repository ?? -1);
    }
    writeFileSync(OUT, JSON.stringify(progress));
    if (progress.activationMs.length <= SAMPLES) {
      // run() must not return: when it does, the test runner ends this extension host.
      // The reload ends this host, so the command never settles here (or settles "Canceled").
      vscode.commands.executeCommand('workbench.action.reloadWindow').then(undefined, () => undefined);
      await new Promise<never>(() => undefined);
    }
    const view = api.worktreesView;
    const refreshMs: number[] = [];
    const renderMs: number[] = [];
    await view.refresh(); // the full status is in; from here each sample is timed alone
    const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < REFRESHES; i++) {
      // Quick refresh: what a state-file change draws first (state.json only), until VS Code has every row.
      await pause();
      let target = view.itemsResolved + view.current.length;
      let start = performance.now();
      await view.quickRefresh();
      await until(() => view.itemsResolved >= target);
      renderMs.push(performance.now() - start);
      // Full refresh: quick, then the pool's status of every worktree, until VS Code has the final rows.
      await pause();
      target = view.itemsResolved + 2 * view.current.length;
      start = performance.now();
      await view.refresh();
      await until(() => view.itemsResolved >= target);
      refreshMs.push(performance.now() - start);
    }
    Object.assign(progress, { refreshMs, renderMs, rows: view.current.length, done: true });
  } catch (error) {
    progress.error = (error as Error).stack ?? String(error);
    progress.done = true;
  }
  writeFileSync(OUT, JSON.stringify(progress));
}
