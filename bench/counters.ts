/**
 * Counts what a benchmark's work costs in processes, locks and disk flushes: every `git`
 * process started, every pool-lock acquisition (and how long it waited and was held), every
 * fsync. Installed by patching the modules' exported functions, so the code under test runs
 * unchanged.
 */
import { createRequire } from 'node:module';
import type * as ChildProcessModule from 'node:child_process';
import type * as FsModule from 'node:fs';
import type * as LockfileModule from 'proper-lockfile';

// The raw module objects (not import namespaces, whose properties are read-only getters):
// patching them is seen by every module that calls through them.
const load = createRequire(__filename);
const childProcess = load('node:child_process') as typeof ChildProcessModule;
const fs = load('node:fs') as typeof FsModule;
const lockfile = load('proper-lockfile') as typeof LockfileModule;

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

  const locks = lockfile as unknown as { lock: typeof lockfile.lock };
  const originalLock = locks.lock;
  locks.lock = (async (file: string, options?: LockfileModule.LockOptions) => {
    const asked = performance.now();
    const release = await originalLock(file, options);
    const got = performance.now();
    counts.locks++;
    counts.lockWaitMs += got - asked;
    return async () => {
      counts.lockHeldMs += performance.now() - got;
      await release();
    };
  }) as typeof lockfile.lock;

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
      locks.lock = originalLock;
      callbackFs.fsync = originalFsync;
      handleProto.sync = originalSync;
    },
  };
}

function empty(): Counts {
  return { git: 0, gitByCommand: {}, locks: 0, lockWaitMs: 0, lockHeldMs: 0, fsyncs: 0 };
}
