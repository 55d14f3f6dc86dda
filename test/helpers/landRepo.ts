import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LandSource } from '../../src/core/land';
import { createRepo, git } from './tempRepo';

export interface LandFixture {
  repo: string;
  worktree: string;
  base: string;
  source: LandSource;
}

/** Writes files (creating folders) under `root`. */
export function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

/**
 * A repository on `main` plus a result worktree (detached at main's tip, like a pool worktree)
 * in which `agent` is run to leave work: commits, uncommitted changes, untracked files.
 */
export function landFixture(options: { files?: Record<string, string>; gitignore?: string; prompt?: string } = {}, agent: (worktree: string) => void = () => undefined): LandFixture {
  const repo = createRepo({ files: options.files ?? { 'README.md': '# test repo\n', 'src/index.ts': 'export const answer = 42;\n', 'src/other.ts': 'export const other = 1;\n' }, gitignore: options.gitignore });
  const base = git(repo, 'rev-parse', 'HEAD');
  const worktree = path.join(path.dirname(repo), 'wt-1');
  git(repo, 'worktree', 'add', '-q', '--detach', worktree, base);
  agent(worktree);
  const prompt = options.prompt ?? 'Add a greeting module\n\nIt should export hello().';
  return { repo, worktree, base, source: { repoRoot: repo, worktreePath: worktree, baseCommit: base, title: prompt.split('\n')[0], prompt, finalMessage: 'Added src/greet.ts with hello().' } };
}

/** The typical agent: one commit, one uncommitted change, one untracked file. */
export function typicalAgent(worktree: string): void {
  write(worktree, { 'src/greet.ts': 'export const hello = () => "hi";\n' });
  git(worktree, 'add', 'src/greet.ts');
  git(worktree, 'commit', '-q', '-m', 'agent: greet');
  write(worktree, { 'src/index.ts': 'export const answer = 43;\n', 'notes/agent.md': 'untracked notes\n' });
}

/**
 * Everything a land could change, read without git touching any index: every ref, every
 * worktree's HEAD file, index bytes, files (content and mode), and git's in-progress markers.
 */
export function captureState(repo: string, worktrees: string[]): string {
  const lines: string[] = [git(repo, 'for-each-ref', '--format=%(refname) %(objectname)')];
  for (const worktree of worktrees) {
    const gitDir = gitDirOf(worktree);
    lines.push(`== ${worktree}`);
    lines.push(`HEAD ${readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim()}`);
    lines.push(`index ${hash(existsSync(path.join(gitDir, 'index')) ? readFileSync(path.join(gitDir, 'index')) : Buffer.alloc(0))}`);
    for (const marker of ['index.lock', 'MERGE_HEAD', 'ORIG_HEAD', 'rebase-merge', 'CHERRY_PICK_HEAD']) {
      if (existsSync(path.join(gitDir, marker))) lines.push(`marker ${marker}`);
    }
    for (const file of walk(worktree)) lines.push(file);
  }
  return lines.join('\n');
}

export function gitDirOf(worktree: string): string {
  const dotGit = path.join(worktree, '.git');
  if (lstatSync(dotGit).isDirectory()) return dotGit;
  return path.resolve(worktree, readFileSync(dotGit, 'utf8').replace(/^gitdir: /, '').trim());
}

function walk(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (dir === root && name === '.git') continue;
    const full = path.join(dir, name);
    const stat = lstatSync(full);
    const rel = path.relative(root, full);
    if (stat.isDirectory()) out.push(...walk(root, full));
    else if (stat.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(full)}`);
    else out.push(`${rel} ${stat.mode.toString(8)} ${hash(readFileSync(full))}`);
  }
  return out;
}

function hash(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** A file's content at a commit. */
export function show(repo: string, spec: string): string {
  return git(repo, 'show', spec);
}
