import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorktreePool } from '../../../src/core/pool/pool';
import { createPool } from '../../helpers/pool';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';

const refreshStep = [process.execPath, '-e', `require('fs').appendFileSync(require('path').join(process.env.GROVE_MAIN_WORKTREE, '..', 'refreshes.log'), process.env.GROVE_WORKTREE + '\\n')`];

describe('ready: warm or stale', () => {
  afterEach(cleanupTempDirs);

  it('status says whether each worktree\'s dependencies match the base, and a lease takes a warm one first', async () => {
    const { pool, repo } = await createPool({ repo: { files: { 'README.md': 'x\n', 'Cargo.lock': 'v1\n', '.grove/worktree.json': JSON.stringify({ refresh: [refreshStep] }) } } });
    await pool.lease({ holder: 'a' });
    await pool.lease({ holder: 'b' });
    await pool.returnWorktree('wt-1');
    await pool.returnWorktree('wt-2');
    writeFileSync(path.join(repo, 'Cargo.lock'), 'v2\n');
    git(repo, 'commit', '-q', '-am', 'bump the lockfile');
    let statuses = await pool.status();
    assert.deepEqual(statuses.map((w) => [w.name, w.ready?.dependencies]), [['wt-1', 'stale'], ['wt-2', 'stale']]);
    const refreshed = await pool.lease({ holder: 'c', prefer: 'wt-2' });
    assert.equal(refreshed.name, 'wt-2');
    await pool.returnWorktree('wt-2');
    statuses = await pool.status();
    assert.deepEqual(statuses.map((w) => [w.name, w.ready?.dependencies]), [['wt-1', 'stale'], ['wt-2', 'warm']]);
    const warm = await pool.lease({ holder: 'd' });
    assert.equal(warm.name, 'wt-2', 'the warm worktree before the stale one that sorts first');
    assert.deepEqual(readFileSync(path.join(repo, '..', 'refreshes.log'), 'utf8').trim().split('\n'), ['wt-2'], 'one refresh in all');
  });

  it('racing leases during a slow refresh never share a worktree, and each stale one refreshes once', async () => {
    const slow = [process.execPath, '-e', `setTimeout(() => require('fs').appendFileSync(require('path').join(process.env.GROVE_MAIN_WORKTREE, '..', 'refreshes.log'), process.env.GROVE_WORKTREE + '\\n'), 400)`];
    const { pool, repo, location } = await createPool({ repo: { files: { 'README.md': 'x\n', 'go.sum': 'v1\n', '.grove/worktree.json': JSON.stringify({ refresh: [slow] }) } } });
    await pool.lease({ holder: 'a' });
    await pool.lease({ holder: 'b' });
    await pool.returnWorktree('wt-1');
    await pool.returnWorktree('wt-2');
    writeFileSync(path.join(repo, 'go.sum'), 'v2\n');
    git(repo, 'commit', '-q', '-am', 'bump go.sum');
    const other = new WorktreePool({ repo: location }); // a second process's pool object on the same repository
    const [one, two] = await Promise.all([pool.lease({ holder: 'c' }), other.lease({ holder: 'd' })]);
    assert.notEqual(one.name, two.name);
    assert.deepEqual(readFileSync(path.join(repo, '..', 'refreshes.log'), 'utf8').trim().split('\n').sort(), ['wt-1', 'wt-2']);
  });
});
