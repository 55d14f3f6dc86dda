import { gitOutput, runGit } from '../git/run';
import { LandRefusal, listFiles } from './types';

export interface MergeOutcome {
  /** The merged tree (written even when there are conflicts: then it holds conflict markers). */
  tree: string;
  /** Paths with conflicts; empty when the merge is clean. */
  conflicts: string[];
  /** git's own words about each conflict ("CONFLICT (contents): Merge conflict in f"). */
  messages: string[];
}

/**
 * `merge-tree --write-tree` came in git 2.38. Older git is refused in the preflight, before
 * anything changes. The version is only asked for when merge-tree fails: one process less per land.
 */
export async function refuseOldGit(repo: string): Promise<void> {
  const text = await gitOutput(repo, ['version']);
  if (!supportsMergeTree(text)) {
    throw new LandRefusal('git-too-old', `landing needs git 2.38 or later (for git merge-tree --write-tree); this is ${text.trim()}`,
      'Upgrade git, or land with --branch and merge by hand.');
  }
}

export function supportsMergeTree(versionText: string): boolean {
  const match = /(\d+)\.(\d+)/.exec(versionText);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return major > 2 || (major === 2 && minor >= 38);
}

/**
 * Merges two commits in the object store only (`git merge-tree --write-tree`): no index, no
 * working tree, no lock. Conflicts come back as a list of paths instead of a half-merged checkout.
 */
export async function mergeTrees(repo: string, ours: string, theirs: string): Promise<MergeOutcome> {
  const result = await runGit(repo, ['merge-tree', '--write-tree', '--name-only', '-z', '--messages', ours, theirs], { allowFailure: true });
  if (result.code !== 0 && result.code !== 1) {
    await refuseOldGit(repo);
    throw new Error(`git merge-tree failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
  return parseMergeTree(result.stdout, result.code === 1);
}

/**
 * `-z --name-only` output: the tree, NUL; then (on conflict) each conflicted path, NUL; an empty
 * field; then messages as `<count> NUL <path>... NUL <type> NUL <text> NUL`.
 */
export function parseMergeTree(output: string, conflicted: boolean): MergeOutcome {
  const fields = output.split('\0');
  const tree = fields[0].trim();
  if (!/^[0-9a-f]{40,64}$/.test(tree)) throw new Error(`git merge-tree printed no tree: ${output.slice(0, 200)}`);
  const conflicts: string[] = [];
  let i = 1;
  if (conflicted) {
    for (; i < fields.length && fields[i] !== ''; i++) conflicts.push(fields[i]);
  }
  i++; // the empty field before the messages
  const messages: string[] = [];
  while (i < fields.length && fields[i] !== '') {
    const count = Number(fields[i]);
    if (!Number.isInteger(count) || count < 0) break;
    const type = fields[i + 1 + count];
    const text = (fields[i + 2 + count] ?? '').trim();
    if (type && type !== 'Auto-merging') messages.push(text);
    i += 3 + count;
  }
  return { tree, conflicts, messages };
}

export function conflictRefusal(outcome: MergeOutcome, into: string, resolveHint: string, targetRef?: string): LandRefusal {
  const files = outcome.conflicts;
  const detail = outcome.messages.length ? `\n${outcome.messages.slice(0, 10).join('\n')}` : '';
  return new LandRefusal('conflict', `the result conflicts with ${into} in ${files.length} file${files.length === 1 ? '' : 's'}: ${listFiles(files)}${detail}`,
    `Nothing was changed. ${resolveHint}`, files, targetRef);
}
