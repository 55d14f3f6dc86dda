// Takes the pool lock of the grove folder given as argument, says so, and holds it until killed.
import { withLock } from '../../src/core/store/lock';

const groveDir = process.argv[2];
void withLock(groveDir, async () => {
  process.stdout.write('locked\n');
  await new Promise(() => undefined);
});
