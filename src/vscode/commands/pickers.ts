import * as vscode from 'vscode';
import type { WorktreeState, WorktreeStatus } from '../../core/pool/pool';
import { messages } from '../messages';
import type { Ui } from '../ui';

export interface PickOptions {
  /** The command's own name, e.g. "Grove: Return Worktree". */
  title: string;
  states?: WorktreeState[];
  empty: string;
  ui: Ui;
  /** Marks a lease that is not this window's in the list. */
  isMine?: (holder: string) => boolean;
}

/** A tree row passes its WorktreeStatus; the palette passes nothing and the user picks one. */
export async function worktreeArgument(given: unknown, statuses: () => Promise<readonly WorktreeStatus[]>, o: PickOptions): Promise<WorktreeStatus | undefined> {
  if (isWorktreeStatus(given)) return given;
  if (typeof given === 'string') {
    const found = (await statuses()).find((status) => status.name === given || status.path === given);
    if (found) return found;
  }
  const candidates = (await statuses()).filter((status) => !o.states || o.states.includes(status.state));
  if (candidates.length === 0) {
    void messages.show('info', o.empty);
    return undefined;
  }
  const picked = await o.ui.pick(
    candidates.map((status) => ({
      label: status.name,
      description: [status.state, status.holder, status.branch, status.holder && o.isMine && !o.isMine(status.holder) ? "not this window's lease" : null]
        .filter(Boolean).join(' · '),
      detail: status.path,
      status,
    } satisfies vscode.QuickPickItem & { status: WorktreeStatus })),
    { title: o.title, placeHolder: 'Pick a worktree' },
  );
  return picked?.status;
}

export function isWorktreeStatus(value: unknown): value is WorktreeStatus {
  return typeof value === 'object' && value !== null && typeof (value as WorktreeStatus).name === 'string'
    && typeof (value as WorktreeStatus).path === 'string' && typeof (value as WorktreeStatus).state === 'string';
}
