import * as path from 'node:path';
import * as vscode from 'vscode';
import { gitOutput, runGit } from '../core/git/run';

export const CHANGES_SCHEME = 'grove-changes';
/** Untracked files bigger than this are listed, not shown. */
const MAX_UNTRACKED_BYTES = 256 * 1024;

/**
 * Show Changes: the work in one or more worktrees (every worktree of a fan-out) against where
 * each branched off the main worktree's HEAD, as a read-only virtual document. A virtual
 * document is never dirty, so closing it asks nothing (an untitled buffer would ask to save).
 * Untracked files are shown as diffs of new files (`git diff --no-index /dev/null FILE`), not
 * as bare `??` lines. The Results view (issue 10) replaces this with a real diff editor.
 */
export class ChangesDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly mainWorktree: string) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(CHANGES_SCHEME, this);
  }

  async show(worktreePaths: string[]): Promise<vscode.TextDocument> {
    const names = worktreePaths.map((worktree) => path.basename(worktree)).join(', ');
    const uri = vscode.Uri.from({ scheme: CHANGES_SCHEME, path: `/Changes in ${names}.diff`, query: JSON.stringify(worktreePaths), fragment: String(Date.now()) });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'diff');
    await vscode.window.showTextDocument(document, { preview: true });
    return document;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const worktrees = JSON.parse(uri.query) as string[];
    const sections = await Promise.all(worktrees.map((worktree) => this.changesOf(worktree)));
    return sections.join('\n\n');
  }

  private async changesOf(worktreePath: string): Promise<string> {
    // A section git cannot produce stays empty: the document shows what could be read.
    const gitIn = (dir: string, ...args: string[]) => gitOutput(dir, args).catch(() => '');
    const git = (...args: string[]) => gitIn(worktreePath, ...args);
    const mainHead = (await gitIn(this.mainWorktree, 'rev-parse', 'HEAD')).trim();
    const base = (await git('merge-base', 'HEAD', mainHead)).trim() || 'HEAD';
    const [log, status, diff, untracked] = await Promise.all([
      git('log', '--oneline', `${base}..HEAD`), git('status', '--short'), git('diff', base), untrackedDiffs(worktreePath),
    ]);
    return [`# Changes in ${worktreePath} since ${base.slice(0, 7)}`, '', '## Commits', log || '(none)', '', '## Status', status || '(clean)', '',
      diff, untracked].filter((part, index) => index < 8 || part !== '').join('\n');
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/** Each untracked (not ignored) file as the diff of a new file. */
async function untrackedDiffs(worktreePath: string): Promise<string> {
  const listed = await gitOutput(worktreePath, ['ls-files', '--others', '--exclude-standard', '-z']).catch(() => '');
  const files = listed.split('\0').filter(Boolean).slice(0, 200);
  const diffs: string[] = [];
  for (const file of files) {
    // `--no-index` exits 1 when the files differ, which is always here.
    const result = await runGit(worktreePath, ['diff', '--no-index', '--', '/dev/null', file], { allowFailure: true }).catch(() => null);
    if (!result) diffs.push(`# new file ${file} (git could not show it)`);
    else if (result.stdout.length > MAX_UNTRACKED_BYTES) diffs.push(`# new file ${file} (${result.stdout.length} bytes of diff, too large to show here)`);
    else diffs.push(result.stdout.replace(/\n$/, ''));
  }
  return diffs.join('\n');
}
