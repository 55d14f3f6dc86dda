import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { gitOutput } from '../../core/git/run';
import { defaultBranchName, draftBody, draftCommitMessage, draftResolvePrompt, draftTitle, isLandRefusal, type LandHow, type LandSource } from '../../core/land';
import { describeLanding, landResult, type LandResultOptions, type LandResultOutcome, type ResultRecord, type Results } from '../../core/results';
import type { GroveSession } from '../session';
import { requireTrust } from '../trust';

/** The multi-diff editor's title bar shows Land… when its tab is a result's review (this context key). */
export const REVIEWING_CONTEXT = 'grove.reviewingResult';

/**
 * Which result the active Review Changes tab shows. VS Code's multi-diff editor has no API for its
 * resources, so the review command tells us the title it opened, and a tab change re-checks it.
 */
export class ReviewedResult implements vscode.Disposable {
  private readonly byTitle = new Map<string, string>();
  private readonly listener = vscode.window.tabGroups.onDidChangeTabs(() => this.update());
  current: string | null = null;

  opened(title: string, resultId: string): void {
    this.byTitle.set(title, resultId);
    this.update();
  }

  private update(): void {
    // The multi-diff tab's label is the title plus " (N files)".
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
    const title = [...this.byTitle.keys()].find((known) => label === known || label.startsWith(`${known} (`));
    this.current = title ? this.byTitle.get(title) ?? null : null;
    void vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, this.current !== null);
  }

  dispose(): void {
    this.listener.dispose();
  }
}

interface LandDeps {
  session: GroveSession;
  results: Results;
  refresh: () => Promise<void>;
  continueWith: (record: ResultRecord, prompt: string, send: () => Promise<{ task: { status: string; error: string | null } }>) => Promise<unknown>;
}

interface WayItem extends vscode.QuickPickItem { how: LandHow }

const WAYS: WayItem[] = [
  { how: 'squash', label: 'Squash into a branch', detail: 'One commit with a message drafted from the prompt and the agent\'s final message.' },
  { how: 'merge', label: 'Merge into a branch', detail: 'A merge commit keeping the agent\'s commits.' },
  { how: 'branch', label: 'Create a branch', detail: 'A branch holding the whole result; no checkout is touched.' },
  { how: 'apply', label: 'Apply to the main worktree', detail: 'The changes become uncommitted changes there, to look at and commit.' },
  { how: 'push', label: 'Push and open a pull request', detail: 'Pushes a branch; opens a pull request when gh is logged in.' },
];

/**
 * Land… on a result: the way (quick pick), its details (target branch from the branches, the
 * squash message pre-filled with the draft, the branch name), the land itself through the
 * results' landResult, then an end notification. A conflict offers Resolve with the Agent.
 */
export async function landFromEditor(d: LandDeps, record: ResultRecord): Promise<LandResultOutcome | undefined> {
  requireTrust('Landing a result');
  const repoDir = d.session.repo.mainWorktree;
  const way = await d.session.ui.pick(WAYS, { title: `Land "${record.title}"`, placeHolder: 'How should it land?' });
  if (!way) return undefined;
  const options: LandResultOptions = { how: way.how };
  if (way.how === 'squash' || way.how === 'merge') {
    const into = await pickBranch(d, repoDir, `${way.label}: which branch?`);
    if (into === undefined) return undefined;
    options.into = into || undefined;
  }
  if (way.how === 'squash') {
    // An input box holds one line: the person edits the drafted subject; the body stays the draft's.
    const source = sourceOf(record, repoDir);
    const subject = await d.session.ui.input({ title: 'The squash commit\'s subject', value: draftTitle(source), prompt: 'Commit subject (the body is drafted from the agent\'s final message)' });
    if (subject === undefined) return undefined;
    options.message = subject.trim() ? `${subject.trim()}\n\n${draftBody(source)}\n` : draftCommitMessage(source);
  }
  if (way.how === 'branch' || way.how === 'push') {
    const name = await d.session.ui.input({ title: 'The branch to create', value: defaultBranchName(record.title), prompt: 'Branch name' });
    if (name === undefined) return undefined;
    options.branch = name.trim() || undefined;
  }
  try {
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Grove: landing "${record.title}"` },
      () => landResult({ service: d.results.service, pool: d.session.pool, repoDir }, record.id, options));
    await d.refresh();
    void notifyLanded(repoDir, outcome);
    return outcome;
  } catch (error) {
    if (isLandRefusal(error, 'conflict') && error.target) {
      const answer = await d.session.ui.confirm(`Landing "${record.title}" conflicts in ${error.files.join(', ')}`,
        'Nothing was changed. The agent can merge the target in and resolve the conflicts in its own worktree; then land again.', 'Resolve with the Agent');
      if (answer === 'Resolve with the Agent') {
        const prompt = draftResolvePrompt(error.target, error.files);
        await d.continueWith(record, prompt, () => d.results.service.continue(record.id, prompt, 'resolve'));
      }
      return undefined;
    }
    throw error;
  }
}

/** The branches, the main worktree's first (the default); '' means that default. */
async function pickBranch(d: LandDeps, repoDir: string, title: string): Promise<string | undefined> {
  const [current, listed] = await Promise.all([
    gitOutput(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => ''),
    gitOutput(repoDir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']).catch(() => ''),
  ]);
  const branches = listed.split('\n').filter(Boolean);
  const items = [
    ...(current ? [{ label: current, description: 'checked out in the main worktree', branch: '' }] : []),
    ...branches.filter((branch) => branch !== current).map((branch) => ({ label: branch, description: '', branch })),
  ];
  const picked = await d.session.ui.pick(items, { title, placeHolder: 'Land into' });
  return picked?.branch;
}

function sourceOf(record: ResultRecord, repoDir: string): LandSource {
  return { repoRoot: repoDir, worktreePath: record.worktree?.path ?? '', baseCommit: record.baseCommit ?? '', title: record.title, prompt: record.prompt, finalMessage: record.finalMessage ?? undefined };
}

/** The end notification: where it landed, and the way to see it. */
async function notifyLanded(repoDir: string, { record, landed, worktree }: LandResultOutcome): Promise<void> {
  const where = record.landed ? describeLanding(record.landed) : landed.how;
  const back = worktree.returned ? `${worktree.name} is back in the pool.` : worktree.problem ?? `${worktree.name} is kept.`;
  const actions = [
    ...(landed.branch ? ['Open Branch'] : []),
    ...(landed.pullRequestUrl ? ['Open Pull Request'] : []),
    ...(landed.commit && landed.how !== 'apply' ? ['Show Commit'] : []),
  ];
  const choice = await vscode.window.showInformationMessage(`Grove: landed "${record.title}": ${where}. ${back}${landed.nextStep ? ` Next: ${landed.nextStep}` : ''}`, ...actions);
  try {
    if (choice === 'Open Pull Request' && landed.pullRequestUrl) await vscode.env.openExternal(vscode.Uri.parse(landed.pullRequestUrl));
    // Read-only views: opening a branch never switches the person's checkout.
    if (choice === 'Open Branch' && landed.branch) await showGit(repoDir, ['log', '--stat', '-n', '20', landed.branch, '--']);
    if (choice === 'Show Commit' && landed.commit) await showGit(repoDir, ['show', '--stat', '--patch', landed.commit, '--']);
  } catch (error) {
    void vscode.window.showWarningMessage(`Grove: ${describeError(error)}`);
  }
}

async function showGit(repoDir: string, args: string[]): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content: await gitOutput(repoDir, args), language: 'diff' });
  await vscode.window.showTextDocument(doc, { preview: true });
}
