import type * as vscode from 'vscode';
import type { ChainRun } from '../core/engine/chains/runner';
import type { Notifier } from './notifications';
import type { RunsPanel } from './panel/runsPanel';
import type { ResultsFeature } from './results';
import type { GroveSession } from './session';
import type { ScriptedUi } from './ui';
import type { SlotsView } from './views/slotsView';
import type { WorktreesView } from './views/worktreesView';

/**
 * What `activate` returns: the pieces of the running extension, for the extension-host tests
 * (the status bar, trees and webview have no read API) and for the activation benchmark.
 */
export interface GroveApi {
  /** Folder of the "Grove" log channel's file (`Grove.log`). */
  readonly logUri: vscode.Uri;
  readonly state: 'noFolder' | 'notRepository' | 'ready';
  readonly session: GroveSession | undefined;
  readonly panel: RunsPanel | undefined;
  readonly notifier: Notifier | undefined;
  /** The Results view and its commands (issue 10), once a repository is open. */
  readonly results: ResultsFeature | undefined;
  readonly worktreesView: WorktreesView;
  readonly slotsView: SlotsView;
  readonly chainRuns: Map<string, ChainRun>;
  /** Resolves when the worktrees tree first asked for its rows. */
  readonly firstRender: Promise<void>;
  /** Milliseconds from the start of `activate` to the trees' first render. */
  readonly activationMs: number | null;
  /** Milliseconds from the start of `activate` to the worktree rows being ready (the state file read). */
  readonly rowsReadyMs: number | null;
  /** Milliseconds from the start of `activate` to the session (engine, pool, runner) wired, after the first draw. */
  readonly sessionReadyMs: number | null;
  /** Milliseconds the extension bundle's modules took to evaluate (before `activate` was called). */
  readonly bundleLoadMs: number;
  /** Activation's milestones, milliseconds from the start of `activate` (also in the log). */
  readonly activationSteps: Readonly<Record<string, number>>;
  readonly testing: {
    readonly ui: ScriptedUi;
    /** Route confirmations, input boxes and quick picks through `ui`'s scripted answers. */
    useScriptedUi(on: boolean): void;
    /** The error the last Grove command reported to the user, or null. */
    readonly lastError: unknown;
  };
}
