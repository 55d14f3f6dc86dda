import * as vscode from 'vscode';
import type { WorktreeState, WorktreeStatus } from '../../core/pool/pool';

/** A tree row passes its WorktreeStatus; the palette passes nothing and the user picks one. */
export async function worktreeArgument(
  given: unknown,
  statuses: () => Promise<readonly WorktreeStatus[]>,
  o: { title: string; states?: WorktreeState[]; empty: string },
): Promise<WorktreeStatus | undefined> {
  if (isWorktreeStatus(given)) return given;
  if (typeof given === 'string') {
    const found = (await statuses()).find((status) => status.name === given || status.path === given);
    if (found) return found;
  }
  const candidates = (await statuses()).filter((status) => !o.states || o.states.includes(status.state));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(o.empty);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((status) => ({
      label: status.name,
      description: [status.state, status.holder, status.branch].filter(Boolean).join(' · '),
      detail: status.path,
      status,
    })),
    { title: o.title, placeHolder: 'Pick a worktree' },
  );
  return picked?.status;
}

export function isWorktreeStatus(value: unknown): value is WorktreeStatus {
  return typeof value === 'object' && value !== null && typeof (value as WorktreeStatus).name === 'string'
    && typeof (value as WorktreeStatus).path === 'string' && typeof (value as WorktreeStatus).state === 'string';
}
