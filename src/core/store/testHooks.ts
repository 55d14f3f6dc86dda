/**
 * Hooks that let tests put a process in the exact spot a race needs, driven by the
 * environment so they work on real `grove` processes. Unset (always, outside tests) they do nothing.
 */
let commits = 0;

/**
 * GROVE_TEST_STOP_BEFORE_COMMIT=N: the process stops itself (SIGSTOP) just before its Nth
 * commit of a lock-protected document, inside the lock, the way a frozen editor or a paused
 * shell job would. The test then lets the lock go stale, runs others, and sends SIGCONT.
 */
export function stopBeforeCommitForTests(): void {
  const at = Number(process.env.GROVE_TEST_STOP_BEFORE_COMMIT);
  if (!Number.isSafeInteger(at) || at < 1) return;
  commits++;
  if (commits === at) process.kill(process.pid, 'SIGSTOP');
}
