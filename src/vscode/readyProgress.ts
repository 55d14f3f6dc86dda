import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** "refreshing wt-3: npm ci" in the status bar while it runs (the next step replaces it), and in the log. */
export function showReadyProgress(message: string, logger: Logger): void {
  logger.info(message);
  vscode.window.setStatusBarMessage(`$(sync~spin) Grove: ${message}`, 15_000);
}
