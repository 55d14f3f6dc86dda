import * as vscode from 'vscode';
import { GroveError } from '../core/errors';
import type { Logger } from '../core/logger';

/**
 * The user's post-create hook (`grove.hooks.postCreate`: a command and its arguments, no
 * shell), run in each new pool worktree. Only from user settings (a workspace's own settings
 * could otherwise make anyone who opens it run a command) and only in a trusted workspace.
 */
export function postCreateHookCommand(): string[] | null {
  const inspected = vscode.workspace.getConfiguration('grove').inspect<string[]>('hooks.postCreate');
  const command = inspected?.globalValue;
  if (!Array.isArray(command) || command.length === 0 || typeof command[0] !== 'string' || command[0].trim() === '') return null;
  return command.map(String);
}

/** `env`: the worktree's GROVE_WORKTREE, GROVE_PORT_* ... (src/core/ready/ports.ts), on top of the editor's own. */
export async function runPostCreateHook(worktreePath: string, logger: Logger, env: Record<string, string> = {}): Promise<void> {
  const command = postCreateHookCommand();
  if (!command) return;
  if (!vscode.workspace.isTrusted) {
    logger.warn(`post-create hook skipped for ${worktreePath}: the workspace is not trusted`);
    return;
  }
  const [file, ...args] = command;
  logger.info(`post-create hook in ${worktreePath}: ${command.join(' ')}`);
  // Loaded here, not with the extension: execa costs tens of milliseconds to load, and most
  // windows never run a hook (see BENCHMARKS.md, editor activation).
  const { execa } = await import('execa');
  const result = await execa(file, args, { cwd: worktreePath, env, reject: false, timeout: 10 * 60_000, stdin: 'ignore', all: true });
  if (result.exitCode !== 0 || result.failed) {
    throw new GroveError('internal', `the post-create hook ${command.join(' ')} failed in ${worktreePath}: ${result.shortMessage ?? `exit ${result.exitCode}`}`,
      `Its output: ${String(result.all ?? '').slice(-500)}`);
  }
}
