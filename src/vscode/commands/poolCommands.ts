import * as vscode from 'vscode';
import { GroveError, isGroveError } from '../../core/errors';
import type { Lease, WorktreeStatus } from '../../core/pool/pool';
import type { GroveSession } from '../session';
import { postCreateHookCommand } from '../hooks';
import { requireTrust } from '../trust';
import { readyLogFile } from '../../core/ready/readyStore';
import { isWorktreeStatus, worktreeArgument } from './pickers';

/**
 * Lease, return, destroy, prune, and the ways to open a worktree. Each returns what it did
 * (the tests check it); refusals are GroveErrors that the command wrapper shows with their hint.
 */
export function poolCommands(session: GroveSession): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const pick = (given: unknown, title: string, states?: WorktreeStatus['state'][], empty = 'No worktree to choose from.') =>
    worktreeArgument(given, () => session.worktreeStatuses(), { title, states, empty });

  return {
    'grove.lease': async (given?: unknown): Promise<Lease | undefined> => {
      const config = session.config();
      // Restricted Mode is read-only; and a lease may create a worktree, which runs the post-create hook.
      requireTrust(postCreateHookCommand() ? 'Leasing (with a post-create hook)' : 'Leasing a worktree');
      const lease = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Grove: leasing a worktree…' },
        // From a tree row, that worktree is taken when it is available; from the palette, any.
        () => session.pool.lease({ holder: config.holder, base: config.baseRef ?? undefined, prefer: isWorktreeStatus(given) ? given.name : undefined }),
      );
      await session.refreshWorktrees();
      void vscode.window.showInformationMessage(`Leased ${lease.name}${lease.reused ? '' : ' (new)'} at ${lease.path}`, 'Open in New Window', 'Add to Workspace')
        .then((choice) => {
          if (choice === 'Open in New Window') void vscode.commands.executeCommand('grove.openInNewWindow', lease.path);
          if (choice === 'Add to Workspace') void vscode.commands.executeCommand('grove.addToWorkspace', lease.path);
        });
      return lease;
    },

    'grove.return': async (given?: unknown) => {
      requireTrust('Returning a worktree');
      const target = await pick(given, 'Return a leased worktree', ['leased', 'dirty'], 'No leased worktree to return.');
      if (!target) return undefined;
      try {
        const outcome = await session.pool.returnWorktree(target.name);
        await session.refreshWorktrees();
        return outcome;
      } catch (error) {
        if (!isGroveError(error, 'refused')) throw error;
        const choice = await session.ui.confirm(
          `${target.name} holds work that a return would reset.`,
          `${error.message}\n\nPark and Return saves the working tree, the index, untracked files and HEAD under refs/grove/parked/${target.name}/… first, then returns the worktree. Nothing is discarded.`,
          'Park and Return',
        );
        if (choice !== 'Park and Return') return undefined;
        const outcome = await session.pool.returnWorktree(target.name, { force: true });
        await session.refreshWorktrees();
        if (outcome.parkedRef) void vscode.window.showInformationMessage(`Returned ${outcome.name}; its work is parked at ${outcome.parkedRef}. ${outcome.restoreHint ?? ''}`);
        return outcome;
      }
    },

    'grove.destroy': async (given?: unknown) => {
      requireTrust('Destroying a worktree');
      const target = await pick(given, 'Destroy a worktree');
      if (!target) return undefined;
      const parked = whatWouldBeParked(target);
      const detail = parked.length === 0
        ? `${target.path} will be removed. It holds no uncommitted work and no lease.`
        : `${target.path} will be removed. First parked under refs/grove/parked/${target.name}/…: ${parked.join('; ')}. Nothing is discarded.`;
      const action = parked.length === 0 ? 'Destroy' : 'Park and Destroy';
      const choice = await session.ui.confirm(`Destroy worktree ${target.name}?`, detail, action);
      if (choice !== action) return undefined;
      const outcome = await session.pool.destroy(target.name, { force: parked.length > 0 });
      await session.refreshWorktrees();
      if (outcome.parkedRef) void vscode.window.showInformationMessage(`Destroyed ${outcome.name}; its work is parked at ${outcome.parkedRef}. ${outcome.restoreHint ?? ''}`);
      return outcome;
    },

    'grove.prune': async () => {
      requireTrust('Pruning the pool');
      const preview = await session.pool.prune({ keep: 0 });
      const count = preview.wouldRemove.length + preview.staleRegistrations.length;
      if (count === 0) {
        void vscode.window.showInformationMessage('Nothing to prune: every worktree is in use or holds work.');
        return preview;
      }
      const detail = [
        preview.wouldRemove.length ? `Available, clean worktrees: ${preview.wouldRemove.join(', ')}` : '',
        preview.staleRegistrations.length ? `Stale git registrations: ${preview.staleRegistrations.join(', ')}` : '',
      ].filter(Boolean).join('\n');
      const choice = await session.ui.confirm(`Prune ${count} item${count === 1 ? '' : 's'} from the pool?`, detail, 'Prune');
      if (choice !== 'Prune') return preview;
      const outcome = await session.pool.prune({ yes: true, keep: 0 });
      await session.refreshWorktrees();
      return outcome;
    },

    'grove.addToWorkspace': async (given?: unknown) => {
      const target = await pick(given, 'Add a worktree to the workspace');
      if (!target) return false;
      const uri = vscode.Uri.file(target.path);
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.some((folder) => folder.uri.fsPath === uri.fsPath)) return true;
      // Append only: changing folder 0 restarts every extension host, this one included.
      const added = vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `grove: ${target.name}` });
      if (!added) throw new GroveError('refused', `VS Code did not add ${target.path} to the workspace`, 'Wait for the previous folder change to finish, then try again.');
      return true;
    },

    'grove.openInNewWindow': async (given?: unknown) => {
      const target = await pick(given, 'Open a worktree in a new window');
      if (!target) return false;
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target.path), { forceNewWindow: true });
      return true;
    },

    'grove.openTerminal': async (given?: unknown) => {
      const target = await pick(given, 'Open a terminal in a worktree');
      if (!target) return undefined;
      const terminal = vscode.window.createTerminal({ name: `Grove: ${target.name}`, cwd: target.path, env: session.pool.worktreeEnv(target.name) });
      terminal.show();
      return terminal.name;
    },

    'grove.openReadyLog': async (given?: unknown) => {
      const target = await pick(given, 'Open the setup/refresh log of a worktree');
      if (!target) return undefined;
      const log = readyLogFile(session.repo.groveDir, target.name);
      try {
        await vscode.window.showTextDocument(vscode.Uri.file(log), { preview: true });
      } catch {
        void vscode.window.showInformationMessage(`${target.name} has no setup or refresh log yet: nothing ran in it.`);
      }
      return log;
    },

    'grove.copyPath': async (given?: unknown) => {
      const target = await pick(given, 'Copy the path of a worktree');
      if (!target) return undefined;
      await vscode.env.clipboard.writeText(target.path);
      vscode.window.setStatusBarMessage(`Copied ${target.path}`, 3000);
      return target.path;
    },

    'grove.refresh': async () => {
      await Promise.all([session.refreshWorktrees(), session.refreshSpend()]);
      return true;
    },
  };
}

/** What a forced destroy would park, in words, for the confirmation. */
export function whatWouldBeParked(status: WorktreeStatus): string[] {
  const parts: string[] = [];
  if (status.dirty) parts.push('uncommitted changes and untracked files');
  if (status.holder) parts.push(`the lease held by ${status.holder}`);
  if (status.reservedBy) parts.push(`the running task of ${status.reservedBy}`);
  if (status.state === 'damaged' && status.reason) parts.push(status.reason);
  return parts;
}
