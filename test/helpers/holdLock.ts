// Takes the pool lock of the grove folder given as argument, says so, and holds it until killed.
import { withLock } from '../../src/core/store/lock';

const groveDir = process.argv[2];
void withLock(groveDir, async () => {
  process.stdout.write('locked\n');
  // The lock's heartbeat timer is unref'd: without a timer of our own the process would
  // simply exit (and remove its lock on the way out) instead of waiting to be killed.
  await new Promise(() => setInterval(() => undefined, 1_000));
});
