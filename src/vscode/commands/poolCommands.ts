import * as vscode from 'vscode';
import { GroveError, isGroveError } from '../../core/errors';
import { inspectWork } from '../../core/git/worktreeState';
import type { Lease, WorktreeStatus } from '../../core/pool/pool';
import { messages } from '../messages';
import type { GroveSession } from '../session';
import { postCreateHookCommand } from '../hooks';
import { requireTrust } from '../trust';
import { readyLogFile } from '../../core/ready/readyStore';
import { describeWorkExactly, leasedToSince } from './leaseWords';
import { isWorktreeStatus, worktreeArgument } from './pickers';

/**
 * Lease, return, destroy, prune, and the ways to open a worktree. Each returns what it did
 * (the tests check it); refusals are GroveErrors that the command wrapper shows with their hint.
 */
export function poolCommands(session: GroveSession): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const pick = (given: unknown, title: string, states?: WorktreeStatus['state'][], empty = 'No worktree to choose from.') =>
    worktreeArgument(given, () => session.worktreeStatuses(), { title, states, empty, ui: session.ui, isMine: (holder) => session.identity.holds(holder) });
  /** Someone else's lease (the CLI, another window, a task): ask before ending it, naming whose it is. */
  const confirmForeignLease = async (target: WorktreeStatus, action: 'Return' | 'Destroy'): Promise<boolean> => {
    if (!target.holder || session.identity.holds(target.holder)) return true;
    const choice = await session.ui.confirm(
      `${target.name} is ${leasedToSince(target)}. ${action} it anyway?`,
      `This is not this window's lease. ${action === 'Return' ? 'Returning ends it and resets the worktree for reuse.' : 'Destroying ends it and removes the worktree.'} `
        + `Only lease ${target.leaseId} is ${action === 'Return' ? 'returned' : 'ended'}: if it changes meanwhile, nothing is done.`,
      action,
    );
    return choice === action;
  };

  return {
    'grove.lease': async (given?: unknown): Promise<Lease | undefined> => {
      const config = session.config();
      // Restricted Mode is read-only; and a lease may create a worktree, which runs the post-create hook.
      requireTrust(postCreateHookCommand() ? 'Leasing (with a post-create hook)' : 'Leasing a worktree');
      const lease = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Grove: leasing a worktree…' },
        // From a tree row, that worktree is taken when it is available; from the palette, any.
        // Each lease its own holder: the same holder asking again would get its first lease back.
        async () => session.pool.lease({ holder: await session.identity.nextHolder(config.holder), base: config.baseRef ?? undefined, prefer: isWorktreeStatus(given) ? given.name : undefined }),
      );
      await session.refreshWorktrees();
      void messages.show('info', `Leased ${lease.name}${lease.reused ? '' : ' (new)'} at ${lease.path}`, 'Open in New Window', 'Add to Workspace')
        .then((choice) => {
          if (choice === 'Open in New Window') void vscode.commands.executeCommand('grove.openInNewWindow', lease.path);
          if (choice === 'Add to Workspace') void vscode.commands.executeCommand('grove.addToWorkspace', lease.path);
        });
      return lease;
    },

    'grove.return': async (given?: unknown) => {
      requireTrust('Returning a worktree');
      const target = await pick(given, 'Grove: Return Worktree', ['leased', 'dirty'], 'No leased worktree to return.');
      if (!target) return undefined;
      if (!(await confirmForeignLease(target, 'Return'))) return undefined;
      // Only the lease that was shown: one that changed meanwhile is left alone.
      const ifLeaseId = target.leaseId ?? undefined;
      try {
        const outcome = await session.pool.returnWorktree(target.name, { ifLeaseId });
        await session.refreshWorktrees();
        return outcome;
      } catch (error) {
        // Only a refusal for work is answered by parking it; a changed lease or a running task is not.
        if (!isGroveError(error, 'refused') || !/has work that would be lost/.test(error.message)) throw error;
        const choice = await session.ui.confirm(
          `${target.name} holds work that a return would reset.`,
          `${error.message}\n\nPark and Return saves the working tree, the index, untracked files and HEAD under refs/grove/parked/${target.name}/… first, then returns the worktree. Nothing is discarded.`,
          'Park and Return',
        );
        if (choice !== 'Park and Return') return undefined;
        const outcome = await session.pool.returnWorktree(target.name, { force: true, ifLeaseId });
        await session.refreshWorktrees();
        if (outcome.parkedRef) void messages.show('info', `Returned ${outcome.name}; its work is parked at ${outcome.parkedRef}. ${outcome.restoreHint ?? ''}`);
        return outcome;
      }
    },

    'grove.destroy': async (given?: unknown) => {
      requireTrust('Destroying a worktree');
      const target = await pick(given, 'Grove: Destroy Worktree');
      if (!target) return undefined;
      if (target.reservedBy) {
        throw new GroveError('refused', `${target.name} has a task running in it (${target.reservedBy})`, 'Cancel the task or wait for it, then destroy the worktree.');
      }
      const parked = await whatWouldBeParked(session, target);
      const lease = target.holder ? ` It is ${leasedToSince(target)}${session.identity.holds(target.holder) ? '' : ", not this window's lease"}; destroying ends the lease.` : '';
      const detail = parked.length === 0
        ? `${target.path} will be removed. It holds no uncommitted work.${lease}`
        : `${target.path} will be removed. First parked under refs/grove/parked/${target.name}/…: ${parked.join('; ')}. Nothing is discarded.${lease}`;
      const action = parked.length === 0 ? 'Destroy' : 'Park and Destroy';
      const choice = await session.ui.confirm(`Destroy worktree ${target.name}?`, detail, action);
      if (choice !== action) return undefined;
      const outcome = await session.pool.destroy(target.name, { force: parked.length > 0 || target.holder !== null || target.state === 'damaged', ifLeaseId: target.leaseId ?? undefined });
      await session.refreshWorktrees();
      if (outcome.parkedRef) void messages.show('info', `Destroyed ${outcome.name}; its work is parked at ${outcome.parkedRef}. ${outcome.restoreHint ?? ''}`);
      return outcome;
    },

    'grove.prune': async () => {
      requireTrust('Pruning the pool');
      const preview = await session.pool.prune({ keep: 0 });
      const count = preview.wouldRemove.length + preview.staleRegistrations.length;
      if (count === 0) {
        void messages.show('info', 'Nothing to prune: every worktree is in use or holds work.');
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
      const target = await pick(given, 'Grove: Add Worktree to Workspace');
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
      const target = await pick(given, 'Grove: Open Worktree in New Window');
      if (!target) return false;
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target.path), { forceNewWindow: true });
      return true;
    },

    'grove.openTerminal': async (given?: unknown) => {
      const target = await pick(given, 'Grove: Open Terminal Here');
      if (!target) return undefined;
      // The tab adds the folder's name after the terminal's ("Grove - wt-1"): the name says only whose it is.
      // `grove` is found there: the window's terminals get the shim's folder on PATH (groveShim.ts).
      const terminal = vscode.window.createTerminal({ name: 'Grove', cwd: target.path, env: session.pool.worktreeEnv(target.name) });
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
      const target = await pick(given, 'Grove: Copy Worktree Path');
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

/** What a forced destroy would park, in words, for the confirmation: exactly what git sees, never the lease. */
export async function whatWouldBeParked(session: GroveSession, status: WorktreeStatus): Promise<string[]> {
  if (status.state === 'damaged') return status.reason ? [status.reason] : [];
  const lease = status.holder ? await session.pool.leaseOf(status.name) : null;
  try {
    return describeWorkExactly(await inspectWork(status.path, lease?.head ?? status.head, { readOnly: true }));
  } catch (error) {
    return [`whatever is in it (git cannot read it: ${(error as Error).message.split('\n')[0]})`];
  }
}
