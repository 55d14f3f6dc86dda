import { spawn } from 'node:child_process';
import { GroveError } from '../errors';
import { gitEnvironment } from './environment';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  /** Extra variables (GIT_INDEX_FILE, author identity) added after the safe environment is built. */
  env?: Record<string, string>;
  /** Resolve with the exit code instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Written to git's stdin (for --stdin forms that take lists too long for arguments). */
  input?: string;
}

/**
 * Runs git with an argument array in `cwd`. Grove runs all its git through this rather than
 * simple-git: it reports git's real exit code (simple-git treats a non-zero exit with empty
 * stderr as success, which would turn a failed dirty check into "clean"), lets a call add
 * GIT_INDEX_FILE for parking, and keeps the CLI's import graph small, which is most of
 * `grove lease`'s start-up time.
 */
export function runGit(cwd: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...gitEnvironment(), ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined); // git may exit before reading it all; its exit code tells
      child.stdin?.end(options.input);
    }
    child.on('error', (error) => {
      reject(new GroveError('internal', `could not run git: ${error.message}`, 'Install git and make sure it is on PATH.', { cause: error }));
    });
    child.on('close', (code, signal) => {
      const result = { code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (result.code !== 0 && !options.allowFailure) {
        const why = result.stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${result.code}`);
        reject(new GitError(args, cwd, result, why));
        return;
      }
      resolve(result);
    });
  });
}

/** A git command that failed; the pool turns these into GroveErrors with context. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly cwd: string,
    readonly result: GitResult,
    readonly reason: string,
  ) {
    super(`git ${args[0] ?? ''} failed in ${cwd}: ${reason}`);
    this.name = 'GitError';
  }
}

/** Runs git and returns its stdout, trimmed of the final newline. */
export async function gitOutput(cwd: string, args: string[], options: GitRunOptions = {}): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.replace(/\n$/, '');
}
