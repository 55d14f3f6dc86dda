import * as vscode from 'vscode';
import { describeError, isGroveError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { messages } from '../messages';

/**
 * Shows a command's failure: a GroveError (a refusal with a hint) becomes a warning that says
 * what to do; anything else is an error that points at the log. An exhausted budget offers
 * the two things to do about it in the editor instead of a CLI command line.
 */
export function report(logger: Logger, name: string, error: unknown): void {
  const text = describeError(error).replace(/\n/g, ' ');
  if (isGroveError(error, 'budget')) {
    logger.warn(`${name}: ${text}`);
    void messages.show('warning', `Grove: ${error.message}. Raise the cap with Set Budget, or see what was spent in the panel.`, 'Set Budget', 'Show Panel')
      .then((choice) => {
        if (choice === 'Set Budget') void vscode.commands.executeCommand('grove.setBudget');
        if (choice === 'Show Panel') void vscode.commands.executeCommand('grove.showPanel');
      });
  } else if (isGroveError(error) && error.kind !== 'internal') {
    logger.warn(`${name}: ${text}`);
    void messages.show('warning', text);
  } else {
    logger.error(`${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    void messages.show('error', `Grove: ${text}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand('grove.showLog');
    });
  }
}
