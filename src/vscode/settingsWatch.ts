import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { readConfig, type GroveConfig } from './config';
import { messages } from './messages';

/** The settings the engine, pool and runner take when they are built: a change applies after a reload. */
const APPLIED_ON_RELOAD = {
  slots: 'grove.slots',
  poolMax: 'grove.pool.max',
  poolRoot: 'grove.pool.root',
  agentCommand: 'grove.agent.command',
  model: 'grove.agent.model',
  permissionMode: 'grove.agent.permissionMode',
  timeoutMinutes: 'grove.agent.timeoutMinutes',
} as const satisfies Partial<Record<keyof GroveConfig, string>>;

/** The settings whose resolved value differs between what Grove runs with and what is set now. */
export function changedOnReload(applied: GroveConfig, current: GroveConfig): string[] {
  return Object.entries(APPLIED_ON_RELOAD).filter(([key]) => applied[key as keyof GroveConfig] !== current[key as keyof GroveConfig]).map(([, id]) => id);
}

/**
 * Asks for a reload only when a value Grove really uses changed: a configuration event alone
 * (VS Code fires them when another window opens, a folder is added, or a value is written
 * that equals the old one) is compared against the values the session was built with.
 * The rest (pool.holder, pool.baseRef, budget.capUsd, hooks.postCreate, notifications) are
 * read when used and need no reload.
 */
export function watchSettings(applied: GroveConfig, logger: Logger): vscode.Disposable {
  let lastAsked = '';
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('grove')) return;
    const changed = changedOnReload(applied, readConfig());
    const key = changed.join(',');
    if (key === lastAsked) return;
    lastAsked = key;
    if (changed.length === 0) return;
    logger.info(`settings changed (${changed.join(', ')}): they apply after a window reload`);
    void messages.show('info', `Grove: ${changed.join(', ')} changed; the new value applies after the window reloads (running agents keep running).`, 'Reload Window')
      .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow'); });
  });
}
