/**
 * Counts what a benchmark's work costs in processes, locks and disk flushes: every `git`
 * process started, every pool-lock acquisition (and how long it waited and was held), every
 * fsync. Installed by patching the modules' exported functions, so the code under test runs
 * unchanged.
 */
import { createRequire } from 'node:module';
import type * as ChildProcessModule from 'node:child_process';
import type * as FsModule from 'node:fs';
import { lockProbe } from '../src/core/store/lock';

// The raw module objects (not import namespaces, whose properties are read-only getters):
// patching them is seen by every module that calls through them.
const load = createRequire(__filename);
const childProcess = load('node:child_process') as typeof ChildProcessModule;
const fs = load('node:fs') as typeof FsModule;

export interface Counts {
  git: number;
  gitByCommand: Record<string, number>;
  locks: number;
  lockWaitMs: number;
  lockHeldMs: number;
  fsyncs: number;
}

export interface Counter {
  reset(): void;
  read(): Counts;
  uninstall(): void;
}

export async function installCounters(): Promise<Counter> {
  let counts = empty();
  const cp = childProcess as unknown as { spawn: typeof childProcess.spawn };
  const originalSpawn = cp.spawn;
  cp.spawn = ((command: string, args?: readonly string[], ...rest: unknown[]) => {
    if (command === 'git') {
      counts.git++;
      const sub = (args ?? []).find((arg, index) => !arg.startsWith('-') && (args ?? [])[index - 1] !== '-c') ?? '?';
      counts.gitByCommand[sub] = (counts.gitByCommand[sub] ?? 0) + 1;
    }
    return (originalSpawn as (...a: unknown[]) => unknown)(command, args, ...rest);
  }) as typeof childProcess.spawn;

  // The pool lock tells a probe of each acquisition and release (it is Grove's own code, not a patchable library).
  lockProbe.acquired = (waitMs) => {
    counts.locks++;
    counts.lockWaitMs += waitMs;
  };
  lockProbe.released = (heldMs) => {
    counts.lockHeldMs += heldMs;
  };

  const callbackFs = fs as unknown as { fsync: typeof fs.fsync };
  const originalFsync = callbackFs.fsync;
  callbackFs.fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    counts.fsyncs++;
    originalFsync(fd, callback);
  }) as typeof fs.fsync;
  const probe = await fs.promises.open(__filename, 'r');
  const handleProto = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
  await probe.close();
  const originalSync = handleProto.sync;
  handleProto.sync = function sync(this: unknown) {
    counts.fsyncs++;
    return originalSync.call(this);
  };

  return {
    reset: () => (counts = empty()),
    read: () => ({ ...counts, gitByCommand: { ...counts.gitByCommand } }),
    uninstall: () => {
      cp.spawn = originalSpawn;
      lockProbe.acquired = undefined;
      lockProbe.released = undefined;
      callbackFs.fsync = originalFsync;
      handleProto.sync = originalSync;
    },
  };
}

function empty(): Counts {
  return { git: 0, gitByCommand: {}, locks: 0, lockWaitMs: 0, lockHeldMs: 0, fsyncs: 0 };
}
