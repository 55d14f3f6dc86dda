import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, promises as fs } from 'node:fs';
import { once } from 'node:events';
import { GroveError } from '../errors';
import { startTimeNow } from './processGroup';
import type { RunFiles } from './runFiles';
import type { StartRunOptions } from './types';

/** A spawn's outcome, taken at once: the pid and its start time, or why it failed. */
export interface Spawned {
  child: ChildProcess | undefined;
  pid: number | undefined;
  /** Read before the event loop can reap the child, so even one that exited at once is identified (undefined: not on Linux). */
  startTime: string | null | undefined;
  /** Set when there is no pid: the spawn's 'error' (listened for before it can fire). */
  failure: Promise<Error> | null;
}

/**
 * Starts the agent detached: file descriptors, not pipes, for stdin (the prompt), stdout (the
 * log) and stderr; it leads its own process group (setsid) and must outlive this process.
 * Plain spawn rather than execa, which would pipe and clean up on exit.
 */
export function spawnAgent(command: string, args: string[], files: RunFiles, cwd: string, env: NodeJS.ProcessEnv): Spawned {
  const fds: number[] = [];
  let child: ChildProcess;
  try {
    fds.push(openSync(files.prompt, 'r'), openSync(files.log, 'a'), openSync(files.stderr, 'a'));
    child = spawn(command, args, { cwd, env, detached: true, stdio: fds, windowsHide: true });
  } catch (error) {
    // Files that cannot be opened, or bad arguments (a NUL byte in a value), throw here rather
    // than failing as an event: the run is recorded as failed all the same.
    return { child: undefined, pid: undefined, startTime: null, failure: Promise.resolve(error as Error) };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  child.unref();
  const failure = child.pid === undefined ? once(child, 'error').then(([error]) => error as Error) : null;
  // Without a listener an 'error' event would throw.
  child.on('error', () => undefined);
  const startTime = child.pid === undefined ? null : startTimeNow(child.pid);
  return { child, pid: child.pid, startTime, failure };
}

export async function checkStartOptions(o: StartRunOptions): Promise<void> {
  if (typeof o.prompt !== 'string' || o.prompt.trim() === '') throw new GroveError('usage', 'the prompt is empty', 'Say what the agent should do.');
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) {
    throw new GroveError('usage', `the timeout must be a positive number of milliseconds, got ${o.timeoutMs}`);
  }
  const stat = await fs.stat(o.cwd).catch(() => undefined);
  if (!stat?.isDirectory()) throw new GroveError('usage', `${o.cwd} is not a folder the agent can run in`, 'Pass an existing worktree path.');
}
