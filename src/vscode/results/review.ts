import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { computeChanges, type FileChange, type ResultRecord, type ResultsService } from '../../core/results';
import { baseUri } from './documents';

export type ChangeTriple = [vscode.Uri, vscode.Uri | undefined, vscode.Uri | undefined];

/** Left: the base commit's file, read-only (a virtual document); right: the real file in the worktree, editable. */
export function changeTriple(repoDir: string, base: string, worktreePath: string, file: FileChange): ChangeTriple {
  const real = vscode.Uri.file(path.join(worktreePath, file.path));
  if (file.kind === 'deleted') return [real, baseUri(repoDir, base, file.oldPath), baseUri(repoDir, base, null)];
  if (file.kind === 'added') return [real, baseUri(repoDir, base, null), real];
  return [real, baseUri(repoDir, base, file.oldPath), real];
}

/**
 * Reads the changes afresh (the person may have edited since the agent ended), stores them on
 * the result, and returns the multi-file diff's resources. `grove` time only: the editor's
 * own drawing is not counted (see BENCHMARKS.md).
 */
export async function reviewResources(service: ResultsService, record: ResultRecord, repoDir: string): Promise<{ triples: ChangeTriple[]; record: ResultRecord; ms: number }> {
  const started = performance.now();
  const worktree = service.worktreeOf(record);
  if (!record.baseCommit) throw new Error(`${record.id} has no base commit recorded`);
  const base = record.baseCommit;
  const changes = await computeChanges(worktree.path, base, path.join(service.store.groveDir, 'tmp'));
  const updated = await service.store.update(record.id, (current) => ({ ...current, changes }));
  const triples = changes.files.map((file) => changeTriple(repoDir, base, worktree.path, file));
  return { triples, record: updated, ms: performance.now() - started };
}

export async function openReview(title: string, triples: ChangeTriple[]): Promise<void> {
  await vscode.commands.executeCommand('vscode.changes', title, triples);
}

/** One file's diff (a row under a result). */
export async function openFileDiff(record: ResultRecord, file: FileChange, repoDir: string, worktreePath: string): Promise<void> {
  const [, left, right] = changeTriple(repoDir, record.baseCommit ?? 'HEAD', worktreePath, file);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${file.path} (${record.title})`, { preview: true });
}

/** Two fan-out variants against each other: every file either changed, variant A's worktree → variant B's. */
export function variantTriples(a: ResultRecord, b: ResultRecord, repoDir: string): ChangeTriple[] {
  const files = new Set([...(a.changes?.files ?? []), ...(b.changes?.files ?? [])].map((file) => file.path));
  const side = (record: ResultRecord, file: string) => {
    const change = record.changes?.files.find((candidate) => candidate.path === file);
    if (change?.kind === 'deleted' || !record.worktree) return baseUri(repoDir, record.baseCommit ?? 'HEAD', change ? null : file);
    if (!change) return baseUri(repoDir, record.baseCommit ?? 'HEAD', file);
    return vscode.Uri.file(path.join(record.worktree.path, file));
  };
  return [...files].sort().map((file) => [side(b, file), side(a, file), side(b, file)]);
}
