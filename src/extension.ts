import * as vscode from 'vscode';
import { locateRepository } from './core/git/repository';
import { describeError } from './core/errors';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Grove', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    log.info('no folder open: Grove waits for a git repository');
    return;
  }
  try {
    const repository = await locateRepository(folder.uri.fsPath);
    log.info(`pool state for ${repository.mainWorktree} is kept in ${repository.groveDir}`);
  } catch (error) {
    log.warn(`Grove is idle: ${describeError(error)}`);
  }
}

export function deactivate(): void {
  // Nothing to stop: agent runs are detached on purpose and outlive the window.
}
