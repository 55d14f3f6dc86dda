import * as vscode from 'vscode';
import type { WorktreeStatus } from '../../core/pool/pool';
import { messages } from '../messages';
import type { RunOutputDocuments } from '../runOutput';
import type { GroveSession } from '../session';
import type { SlotRow } from '../views/slotsView';
import { isWorktreeStatus } from './pickers';

interface Action extends vscode.QuickPickItem {
  command: string;
}

/** What a click on a tree row does: a busy slot opens its live output, a worktree offers its actions. */
export function rowCommands(session: GroveSession, outputs: RunOutputDocuments): Record<string, (...args: unknown[]) => Promise<unknown>> {
  return {
    'grove.showOutput': async (given?: unknown) => {
      const row = given as Partial<SlotRow> | undefined;
      if (!row || typeof row.name !== 'string' || !row.runId) {
        void messages.show('info', 'That slot is not running anything: there is no output to show.');
        return undefined;
      }
      return outputs.show(row.runId, row.name);
    },

    'grove.worktreeActions': async (given?: unknown) => {
      if (!isWorktreeStatus(given)) return undefined;
      const picked = await session.ui.pick(actionsFor(given), { title: `Grove: ${given.name}`, placeHolder: `${given.state}${given.holder ? ` · ${given.holder}` : ''} · ${given.path}` });
      if (!picked) return undefined;
      return vscode.commands.executeCommand(picked.command, given);
    },
  };
}

function actionsFor(status: WorktreeStatus): Action[] {
  const trusted = vscode.workspace.isTrusted;
  const actions: Action[] = [];
  if (trusted && status.state === 'available') actions.push({ label: '$(add) Lease Worktree', command: 'grove.lease' });
  actions.push(
    { label: '$(empty-window) Open in New Window', command: 'grove.openInNewWindow' },
    { label: '$(root-folder) Add to Workspace', command: 'grove.addToWorkspace' },
    { label: '$(terminal) Open Terminal Here', command: 'grove.openTerminal' },
    { label: '$(copy) Copy Path', command: 'grove.copyPath' },
  );
  if (trusted && (status.state === 'leased' || status.state === 'dirty')) actions.push({ label: '$(reply) Return Worktree', command: 'grove.return' });
  if (trusted) actions.push({ label: '$(trash) Destroy Worktree', command: 'grove.destroy' });
  return actions;
}
