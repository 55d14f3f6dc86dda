import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE_NAME, withLock } from '../../../src/core/store/lock';
import { cleanupTempDirs, tempDir } from '../../helpers/tempRepo';

describe('withLock', () => {
  afterEach(cleanupTempDirs);

  it('lets callers in one process in one at a time, in the order they asked, each holding the lock file', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    const order: string[] = [];
    let inside = 0;
    const caller = (name: string) => withLock(groveDir, async (lock) => {
      inside++;
      assert.equal(inside, 1, 'never two holders at once');
      assert.ok(existsSync(path.join(groveDir, LOCK_FILE_NAME)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      lock.assertHeld();
      order.push(name);
      inside--;
      return name;
    });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map(caller));
    assert.deepEqual(results, ['a', 'b', 'c', 'd']);
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    assert.ok(!existsSync(path.join(groveDir, LOCK_FILE_NAME)), 'released after the last one');
  });

  it('gives the next caller its turn when the work before it throws', async () => {
    const groveDir = path.join(tempDir(), 'grove');
    const failing = withLock(groveDir, async () => {
      throw new Error('boom');
    });
    const next = withLock(groveDir, async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });
});
