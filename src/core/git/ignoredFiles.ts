import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gitOutput } from './run';

/**
 * Ignored files that are someone's work rather than something a build or an install makes
 * again: `.env`, local config, notes. Destroy names them before it deletes them.
 */
export interface IgnoredFile {
  /** Relative to the worktree, '/'-separated. */
  path: string;
  size: number;
}

/** Folders whose contents tools make again: dependencies, build output, caches. */
const DISPOSABLE_FOLDERS = new Set([
  'node_modules', 'bower_components', 'jspm_packages', '.pnpm-store', '.yarn', 'vendor',
  'dist', 'build', 'out', 'target', '_build', 'bin', 'obj', 'lib-cov', 'coverage', '.nyc_output',
  '.next', '.nuxt', '.svelte-kit', '.angular', '.turbo', '.parcel-cache', '.cache', '.vite', '.docusaurus', 'storybook-static',
  '.vscode-test', '.gradle', '.terraform', '.dart_tool', 'Pods', 'DerivedData', '.stack-work', 'elm-stuff', 'deps',
  '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nox', '.venv', 'venv', '.eggs',
  'tmp', 'temp', '.tmp', 'logs',
]);

/** File names that are build output, caches or logs. */
const DISPOSABLE_FILES = [
  /\.(log|pyc|pyo|class|o|obj|a|so|dylib|dll|exe|tsbuildinfo|swp|swo)$/i, /~$/, /^\.DS_Store$/, /^Thumbs\.db$/i,
  /^\.(eslint|stylelint|prettier)cache$/, /^npm-debug\.log/, /^yarn-(debug|error)\.log/, /\.egg-info$/,
];

/** Looked at no further than this many files: a list this long means "at least" (see refusals and saveIgnored). */
export const IGNORED_LIST_LIMIT = 2000;
const WALK_LIMIT = IGNORED_LIST_LIMIT;

/**
 * The ignored files in `worktree` that are neither disposable (see above) nor identical to the
 * same file in the main worktree (a `.worktreeinclude` copy that nobody changed).
 */
export async function ignoredWork(worktree: string, mainWorktree: string): Promise<IgnoredFile[]> {
  const listed = (await gitOutput(worktree, ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'])).split('\0').filter(Boolean);
  const files: IgnoredFile[] = [];
  for (const entry of listed) {
    const relative = entry.replace(/\/$/, '');
    if (isDisposable(relative)) continue;
    if (entry.endsWith('/')) await walk(worktree, relative, files);
    else await addFile(worktree, relative, files);
    if (files.length >= WALK_LIMIT) break;
  }
  const kept: IgnoredFile[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) continue; // git may list a folder and a file in it
    seen.add(file.path);
    if (!(await sameAsMain(worktree, mainWorktree, file))) kept.push(file);
  }
  return kept;
}

function isDisposable(relative: string): boolean {
  const parts = relative.split('/');
  if (parts.some((part) => DISPOSABLE_FOLDERS.has(part))) return true;
  const name = parts[parts.length - 1];
  return DISPOSABLE_FILES.some((pattern) => pattern.test(name));
}

async function walk(worktree: string, relative: string, files: IgnoredFile[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(worktree, relative), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (files.length >= WALK_LIMIT) return;
    const child = `${relative}/${entry.name}`;
    if (isDisposable(child)) continue;
    if (entry.isDirectory()) await walk(worktree, child, files);
    else await addFile(worktree, child, files);
  }
}

async function addFile(worktree: string, relative: string, files: IgnoredFile[]): Promise<void> {
  const stat = await fs.lstat(path.join(worktree, relative)).catch(() => null);
  if (stat && (stat.isFile() || stat.isSymbolicLink())) files.push({ path: relative, size: stat.size });
}

async function sameAsMain(worktree: string, mainWorktree: string, file: IgnoredFile): Promise<boolean> {
  const theirs = path.join(mainWorktree, file.path);
  const stat = await fs.lstat(theirs).catch(() => null);
  if (!stat || stat.size !== file.size || !stat.isFile()) return false;
  if (file.size > 8 * 1024 * 1024) return false;
  const [a, b] = await Promise.all([fs.readFile(path.join(worktree, file.path)), fs.readFile(theirs)]).catch(() => [null, null]);
  return a !== null && b !== null && a.equals(b);
}
