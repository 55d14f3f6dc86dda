import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitOutput, runGit } from '../git/run';
import type { ChangeSummary, CommitSummary, FileChange, FileChangeKind } from './types';

/**
 * Base commit → worktree, everything a person must review: commits, staged, unstaged and
 * untracked work. Untracked files are added as intent-to-add to a scratch copy of the index,
 * so one `git diff <base>` sees them (with rename detection) while the real index is untouched.
 * With no untracked file the real index serves as it is: no copy, no extra git process.
 */
export async function withScratchIndex<T>(worktree: string, scratchDir: string, untracked: string[], work: (env: Record<string, string>) => Promise<T>): Promise<T> {
  if (untracked.length === 0) return work({});
  const realIndex = await indexPath(worktree);
  await fs.mkdir(scratchDir, { recursive: true });
  const scratch = path.join(scratchDir, `diff-${process.pid}-${randomBytes(6).toString('hex')}.index`);
  try {
    await fs.copyFile(realIndex, scratch).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const env = { GIT_INDEX_FILE: scratch };
    await runGit(worktree, ['add', '--intent-to-add', '--pathspec-from-file=-', '--pathspec-file-nul'], { env, input: untracked.map((file) => `:(literal)${file}`).join('\0') });
    return await work(env);
  } finally {
    await fs.rm(scratch, { force: true });
  }
}

/** A worktree's index file: read from its `.git` file when it is a linked worktree (no git process), else asked. */
async function indexPath(worktree: string): Promise<string> {
  const dotGit = path.join(worktree, '.git');
  const stat = await fs.stat(dotGit).catch(() => null);
  if (stat?.isDirectory()) return path.join(dotGit, 'index');
  if (stat?.isFile()) {
    const pointer = (await fs.readFile(dotGit, 'utf8')).match(/^gitdir:\s*(.+?)\s*$/m);
    if (pointer) return path.join(path.resolve(worktree, pointer[1]), 'index');
  }
  return path.resolve(worktree, await gitOutput(worktree, ['rev-parse', '--git-path', 'index']));
}

export async function untrackedFiles(worktree: string): Promise<string[]> {
  const out = await gitOutput(worktree, ['ls-files', '--others', '--exclude-standard', '-z', '--', ':/']);
  return out.split('\0').filter(Boolean);
}

export async function computeChanges(worktree: string, base: string, scratchDir: string, now: Date = new Date()): Promise<ChangeSummary> {
  const [untracked, head, commits] = await Promise.all([untrackedFiles(worktree), gitOutput(worktree, ['rev-parse', 'HEAD']), commitsSince(worktree, base)]);
  const { numstat, status } = await withScratchIndex(worktree, scratchDir, untracked, async (env) => {
    const [numstatOut, statusOut] = await Promise.all([
      gitOutput(worktree, ['diff', '--no-ext-diff', '--no-color', '-M', '--numstat', '-z', base, '--'], { env }),
      gitOutput(worktree, ['diff', '--no-ext-diff', '--no-color', '-M', '--name-status', '-z', base, '--'], { env }),
    ]);
    return { numstat: numstatOut, status: statusOut };
  });
  const files = mergeDiffOutputs(status, numstat, new Set(untracked));
  return {
    files,
    added: files.reduce((total, file) => total + (file.added ?? 0), 0),
    removed: files.reduce((total, file) => total + (file.removed ?? 0), 0),
    commits, untracked, head, computedAt: now.toISOString(),
  };
}

async function commitsSince(worktree: string, base: string): Promise<CommitSummary[]> {
  const out = await gitOutput(worktree, ['log', '--format=%H%x00%s', `${base}..HEAD`, '--']);
  return out.split('\n').filter(Boolean).map((line) => {
    const [sha, subject] = line.split('\0');
    return { sha, subject: subject ?? '' };
  });
}

const KINDS: Record<string, FileChangeKind> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', T: 'modified', C: 'added' };

/** `--name-status -z` says what happened to each path, `--numstat -z` how many lines: one entry per file from both. */
export function mergeDiffOutputs(nameStatus: string, numstat: string, untracked: Set<string>): FileChange[] {
  const counts = parseNumstat(numstat);
  const parts = nameStatus.split('\0');
  const files: FileChange[] = [];
  for (let index = 0; index < parts.length;) {
    const code = parts[index++];
    if (!code) continue;
    const letter = code[0];
    const twoPaths = letter === 'R' || letter === 'C';
    const oldPath = parts[index++];
    const newPath = twoPaths ? parts[index++] : oldPath;
    const count = counts.get(newPath) ?? { added: null, removed: null };
    files.push({ path: newPath, oldPath, kind: KINDS[letter] ?? 'modified', added: count.added, removed: count.removed, untracked: untracked.has(newPath) });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** numstat -z: "A\tR\tpath\0", or for a rename "A\tR\t\0old\0new\0". */
function parseNumstat(out: string): Map<string, { added: number | null; removed: number | null }> {
  const counts = new Map<string, { added: number | null; removed: number | null }>();
  const parts = out.split('\0');
  for (let index = 0; index < parts.length;) {
    const head = parts[index++];
    if (!head) continue;
    const [added, removed, inline] = head.split('\t');
    let file = inline;
    if (inline === '') {
      index++; // the old path
      file = parts[index++];
    }
    counts.set(file, { added: added === '-' ? null : Number(added), removed: removed === '-' ? null : Number(removed) });
  }
  return counts;
}

/** The unified diff base → worktree (untracked files as new files), as `git diff` prints it. */
export async function unifiedDiff(worktree: string, base: string, scratchDir: string, o: { stat?: boolean } = {}): Promise<string> {
  return withScratchIndex(worktree, scratchDir, await untrackedFiles(worktree), async (env) => {
    const args = ['diff', '--no-ext-diff', '--no-color', '-M', ...(o.stat ? ['--stat'] : []), base, '--'];
    return (await runGit(worktree, args, { env })).stdout;
  });
}

/** A file's content at a commit, or null when it does not exist there (an added file's base side). */
export async function fileAtCommit(repoDir: string, commit: string, file: string): Promise<Buffer | null> {
  const result = await runGit(repoDir, ['cat-file', 'blob', `${commit}:${file}`], { allowFailure: true });
  if (result.code !== 0) return null;
  return Buffer.from(result.stdout, 'utf8');
}
