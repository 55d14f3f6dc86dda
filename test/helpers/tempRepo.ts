import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, promises as fs, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Folders made by a test, removed after it (see `cleanupTempDirs`). */
const made: string[] = [];

export function tempDir(prefix = 'grove-test-'): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
}

export interface RepoOptions {
  /** Tracked files to create (default: a README and one source file). */
  files?: Record<string, string>;
  /** Make no commit (for the "no commit yet" refusal). */
  noCommit?: boolean;
  /** A .gitignore to commit. */
  gitignore?: string;
}

/** A real git repository in a fresh temp folder (inside its own parent, so `<repo>.grove` lands in the temp folder too). */
export function createRepo(options: RepoOptions = {}): string {
  const parent = tempDir();
  const repo = path.join(parent, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  const files = options.files ?? { 'README.md': '# test repo\n', 'src/index.ts': 'export const answer = 42;\n' };
  if (options.gitignore !== undefined) files['.gitignore'] = options.gitignore;
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  if (!options.noCommit) {
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');
  }
  return repo;
}

export const CLI_PATH = path.resolve(__dirname, '../../dist/cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled `grove` CLI as a real process (build first: `node esbuild.mjs`). */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
