// Helpers for tests that run inside the real extension host.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'grove-dev.grove';

export function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  if (!found) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return found;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need a folder open');
  return folder.uri.fsPath;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` returns a truthy value; fails with what it was waiting for. */
export async function eventually<T>(probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await delay(100);
  }
}

/** Runs the bundled `grove` CLI as its own process, as a user would from a terminal. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = path.join(extension().extensionPath, 'dist', 'cli.js');
  // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

import type { GroveApi } from '../../src/vscode/api';
import type { GroveSession } from '../../src/vscode/session';

let viewOpened = false;

/** The running extension's API, after its trees first rendered (a tree renders only when its view is visible). */
export async function groveApi(): Promise<GroveApi> {
  const api = await extension().activate() as GroveApi;
  if (!viewOpened) {
    viewOpened = true;
    await vscode.commands.executeCommand('workbench.view.extension.grove');
  }
  await Promise.race([api.firstRender, delay(15_000).then(() => { throw new Error('the Grove trees never rendered'); })]);
  return api;
}

export async function session(): Promise<GroveSession> {
  const api = await groveApi();
  if (!api.session) throw new Error(`Grove has no session (state ${api.state})`);
  return api.session;
}

/** Runs a Grove command; fails the test with the error Grove showed the user, if any. */
export async function command<T>(id: string, ...args: unknown[]): Promise<T> {
  const api = await groveApi();
  const result = await vscode.commands.executeCommand<T>(id, ...args);
  if (api.testing.lastError) throw api.testing.lastError;
  return result;
}

/** Runs a Grove command that must be refused; returns the error Grove showed. */
export async function refusedCommand(id: string, ...args: unknown[]): Promise<Error> {
  const api = await groveApi();
  await vscode.commands.executeCommand(id, ...args);
  const error = api.testing.lastError;
  if (!(error instanceof Error)) throw new Error(`${id} was not refused`);
  return error;
}

export function treeNames(api: GroveApi): string[] {
  return api.worktreesView.current.map((status) => status.name);
}
