import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { CliResult } from './tempRepo';

/** A spawned process's exit and everything it printed. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Waits until the process is in state T (stopped): where GROVE_TEST_STOP_BEFORE_COMMIT puts it, inside the lock. */
export async function waitUntilStopped(child: ChildProcess): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    let state = '';
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      throw new Error('the process exited before it stopped inside the lock');
    }
    if (state === 'T') return;
    if (Date.now() > until) throw new Error('the process never stopped inside the lock');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
