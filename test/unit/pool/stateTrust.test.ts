import * as assert from 'node:assert/strict';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs } from '../../helpers/tempRepo';
import { createPool, folderNames } from '../../helpers/pool';
import { RECOVERED_HOLDER } from '../../../src/core/pool/state';

/**
 * state.json is not trusted blindly: a record of the wrong shape is kept aside and recovered
 * from disk (the whole records stay), and worktrees git lists under the pool root that the
 * state does not know are adopted as recovered leases, never handed out or lost.
 */
describe('the pool does not trust state.json blindly', () => {
  afterEach(cleanupTempDirs);

  const wrongShapes: Array<[string, (record: Record<string, unknown>) => void]> = [
    ['"lease": "yes"', (record) => (record.lease = 'yes')],
    ['"claim": 7', (record) => (record.claim = 7)],
    ['"reservation": {"identity": null}', (record) => (record.reservation = { reservationId: 'r', owner: 'o', at: 'now', head: 'h', identity: null })],
    ['a lease without a holder', (record) => (record.lease = { leaseId: 'x', leasedAt: 'now', head: 'h' })],
    ['a claim with an unknown operation', (record) => (record.claim = { op: 'explode', token: 't', at: 'now', identity: { pid: 1, startTime: null, bootId: null } })],
    ['"head": 12', (record) => (record.head = 12)],
    ['"path": null', (record) => (record.path = null)],
  ];

  for (const [shape, spoil] of wrongShapes) {
    it(`${shape}: quarantined, that worktree recovered from disk, the other lease kept, every command still works`, async () => {
      const { pool, location } = await createPool();
      const a = await pool.lease({ holder: 'a' });
      const b = await pool.lease({ holder: 'b' });
      const statePath = path.join(location.groveDir, 'state.json');
      const state = JSON.parse(readFileSync(statePath, 'utf8'));
      spoil(state.worktrees[a.name]);
      const spoiled = JSON.stringify(state);
      writeFileSync(statePath, spoiled);

      const statuses = await pool.status();
      assert.deepEqual(statuses.map((w) => [w.name, w.state, w.holder]), [[a.name, 'leased', RECOVERED_HOLDER], [b.name, 'leased', 'b']]);
      assert.equal(statuses[1].leaseId, b.leaseId, 'the whole record is kept as it was');
      const aside = (await fs.readdir(location.groveDir)).filter((name) => name.startsWith('state.corrupt-'));
      assert.equal(aside.length, 1);
      assert.equal(readFileSync(path.join(location.groveDir, aside[0]), 'utf8'), spoiled);
      const c = await pool.lease({ holder: 'c' });
      assert.equal(c.name, 'wt-3', 'the recovered worktree is not handed out');
      await pool.returnWorktree(b.name);
    });
  }

  it('an emptied state while git lists leased pool worktrees: they are adopted as recovered leases, nothing reused or removed', async () => {
    const { pool, location, root } = await createPool();
    const a = await pool.lease({ holder: 'a' });
    const b = await pool.lease({ holder: 'b' });
    writeFileSync(path.join(a.path, 'work.txt'), 'keep me\n');
    writeFileSync(path.join(location.groveDir, 'state.json'), '{"version":1,"worktrees":{}}');

    const statuses = await pool.status();
    assert.deepEqual(statuses.map((w) => [w.name, w.state, w.holder]), [[a.name, 'leased', RECOVERED_HOLDER], [b.name, 'leased', RECOVERED_HOLDER]]);
    const c = await pool.lease({ holder: 'c' });
    assert.equal(c.name, 'wt-3');
    assert.deepEqual(folderNames(root), ['wt-1', 'wt-2', 'wt-3']);
    assert.equal(readFileSync(path.join(a.path, 'work.txt'), 'utf8'), 'keep me\n');
  });

  it('a state file of an older generation put in place: the worktrees leased since are adopted, not lost', async () => {
    const { pool, location } = await createPool();
    await pool.lease({ holder: 'a' });
    const older = readFileSync(path.join(location.groveDir, 'state.json'), 'utf8');
    const b = await pool.lease({ holder: 'b' });
    // A hand restore of an old copy, without Grove's stamp: honoured as a person's edit, then reconciled with git.
    const restored = JSON.parse(older);
    delete restored.fence;
    writeFileSync(path.join(location.groveDir, 'state.json'), JSON.stringify(restored));
    const statuses = await pool.status();
    assert.deepEqual(statuses.map((w) => [w.name, w.holder]), [['wt-1', 'a'], [b.name, RECOVERED_HOLDER]]);
  });
});
