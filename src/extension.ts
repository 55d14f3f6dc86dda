import * as vscode from 'vscode';
import { locateRepository } from './core/git/repository';
import { describeError } from './core/errors';
import type { GroveApi } from './vscode/api';

export async function activate(context: vscode.ExtensionContext): Promise<GroveApi> {
  const log = vscode.window.createOutputChannel('Grove', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    log.info('no folder open: Grove waits for a git repository');
    return { logUri: context.logUri };
  }
  try {
    const repository = await locateRepository(folder.uri.fsPath);
    log.info(`pool state for ${repository.mainWorktree} is kept in ${repository.groveDir}`);
  } catch (error) {
    log.warn(`Grove is idle: ${describeError(error)}`);
  }
  return { logUri: context.logUri };
}

export function deactivate(): void {
  // Nothing to stop: agent runs are detached on purpose and outlive the window.
}
