import * as vscode from 'vscode';
import { GroveError } from '../core/errors';

/**
 * Restricted Mode is read-only: views work, nothing runs an agent or a hook. Menus hide the
 * actions through `isWorkspaceTrusted`, but "a command can still be called even if it is not
 * presented in the UI", so every command that runs something checks here too.
 */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new GroveError('refused', `${action} is not available in Restricted Mode: Grove runs no agents and no hooks in an untrusted workspace`,
      'Trust this folder (Manage Workspace Trust) to let Grove run agents.');
  }
}
