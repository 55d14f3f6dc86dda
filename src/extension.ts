// First: its clock starts before any other module of the bundle is evaluated.
import './vscode/loadClock';
import type * as vscode from 'vscode';
import { activateGrove } from './vscode/activate';
import type { GroveApi } from './vscode/api';

export function activate(context: vscode.ExtensionContext): Promise<GroveApi> {
  return activateGrove(context);
}

export function deactivate(): void {
  // Everything is in context.subscriptions. Agent runs are detached on purpose: they outlive
  // the window (a reload re-attaches to them) and their cost lands in the ledger either way.
}
