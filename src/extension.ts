// First: its clock starts before any other module of the bundle is evaluated.
import { bundleEvaluationStarted } from './vscode/loadClock';
import { performance } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import { activateGrove } from './vscode/activate';
import type { GroveApi } from './vscode/api';

/** This module's top level runs after every module it imports: the bundle is loaded. */
const bundleLoadMs = performance.now() - bundleEvaluationStarted;

export function activate(context: vscode.ExtensionContext): Promise<GroveApi> {
  return activateGrove(context, bundleLoadMs);
}

export function deactivate(): void {
  // Everything is in context.subscriptions. Agent runs are detached on purpose: they outlive
  // the window (a reload re-attaches to them) and their cost lands in the ledger either way.
}
