import * as vscode from 'vscode';
import { describeError, isGroveError } from '../../core/errors';
import type { Logger } from '../../core/logger';

/**
 * Shows a command's failure: a GroveError (a refusal with a hint) becomes a warning that says
 * what to do; anything else is an error that points at the log.
 */
export function report(logger: Logger, name: string, error: unknown): void {
  const text = describeError(error).replace(/\n/g, ' ');
  if (isGroveError(error) && error.kind !== 'internal') {
    logger.warn(`${name}: ${text}`);
    void vscode.window.showWarningMessage(text);
  } else {
    logger.error(`${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    void vscode.window.showErrorMessage(`Grove: ${text}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand('grove.showLog');
    });
  }
}
