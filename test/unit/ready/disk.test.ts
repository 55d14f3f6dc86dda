import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../../../src/core/errors';
import { cachedDiskUsage } from '../../../src/core/ready/diskUsage';
import { createPool, reopen } from '../../helpers/pool';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';

function fill(file: string, bytes: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes, 7));
}

const GITIGNORE = 'node_modules/\n*.log\ndist/\ntarget/\n.next/\n';

describe('ready: disk use, budget and trim', () => {
  afterEach(cleanupTempDirs);

  it('measures checkout and ignored files apart, into a cache that status reads; a lease never measures', async () => {
    const fixture = await createPool({ repo: { gitignore: GITIGNORE } });
    const lease = await fixture.pool.lease({ holder: 'a' });
    assert.ok(!existsSync(path.join(fixture.location.groveDir, 'ready', 'disk')), 'the lease path measured nothing');
    fill(path.join(lease.path, 'node_modules/dep/index.js'), 300_000);
    fill(path.join(lease.path, 'dist/app.js'), 100_000);
    fill(path.join(lease.path, 'notes.txt'), 50_000); // untracked, not ignored: part of the checkout
    const [usage] = await fixture.pool.measureDisk();
    assert.equal(usage.name, 'wt-1');
    assert.ok(usage.ignoredBytes >= 400_000 && usage.ignoredBytes < 600_000, `ignored ${usage.ignoredBytes}`);
    assert.ok(usage.checkoutBytes >= 50_000 && usage.checkoutBytes < 200_000, `checkout ${usage.checkoutBytes}`);
    const [status] = await fixture.pool.status();
    assert.deepEqual(status.ready?.disk, usage);
  });

  it('over the disk budget, prune suggests the biggest available worktrees first, and never a leased one', async () => {
    const fixture = await createPool({ repo: { gitignore: GITIGNORE } });
    const [one, two, three] = [await fixture.pool.lease({ holder: 'a' }), await fixture.pool.lease({ holder: 'b' }), await fixture.pool.lease({ holder: 'c' })];
    fill(path.join(one.path, 'node_modules/x'), 200_000);
    fill(path.join(two.path, 'node_modules/x'), 900_000);
    fill(path.join(three.path, 'node_modules/x'), 2_000_000);
    await fixture.pool.returnWorktree('wt-1');
    await fixture.pool.returnWorktree('wt-2');
    await fixture.pool.measureDisk();
    const budgeted = reopen(fixture, { ready: { diskBudgetGb: 0.0015 } });
    const outcome = await budgeted.prune();
    assert.ok(outcome.disk, 'over budget');
    assert.deepEqual(outcome.disk.suggest, ['wt-2', 'wt-1'], 'biggest available first; wt-3 is leased');
    assert.equal(outcome.dryRun, true);
    assert.equal((await reopen(fixture, { ready: { diskBudgetGb: 100 } }).prune()).disk, null, 'within budget: nothing to say');
    assert.equal((await fixture.pool.prune()).disk, null, 'no budget: nothing to say');
  });

  it('trim deletes the listed build outputs that git ignores, keeps dependencies and anything tracked or untracked', async () => {
    const fixture = await createPool({ repo: { gitignore: GITIGNORE, files: { 'README.md': 'x\n', 'target/keep.txt': 'tracked\n' } } });
    git(fixture.repo, 'add', '-f', 'target/keep.txt');
    git(fixture.repo, 'commit', '-q', '-m', 'a tracked file under target');
    const lease = await fixture.pool.lease({ holder: 'a' });
    fill(path.join(lease.path, 'dist/app.js'), 100_000);
    fill(path.join(lease.path, '.next/cache/a'), 50_000);
    fill(path.join(lease.path, '.next/server/page.js'), 10);
    fill(path.join(lease.path, 'node_modules/dep/index.js'), 10);
    await assert.rejects(fixture.pool.trim('wt-1'), (error: GroveError) => error.kind === 'refused' && /only its holder/.test(error.message));
    const outcome = await fixture.pool.trim('wt-1', { ifLeaseId: lease.leaseId });
    assert.deepEqual(outcome.removed, ['dist', '.next/cache']);
    assert.deepEqual(outcome.kept, [{ path: 'target', why: 'holds files git tracks' }]);
    assert.ok(outcome.freedBytes >= 150_000);
    assert.ok(!existsSync(path.join(lease.path, 'dist')));
    assert.deepEqual(readdirSync(path.join(lease.path, '.next')), ['server']);
    assert.ok(existsSync(path.join(lease.path, 'node_modules/dep/index.js')), 'dependencies kept');
    assert.ok(existsSync(path.join(lease.path, 'target/keep.txt')));
    const [status] = await fixture.pool.status();
    assert.equal(status.reservedBy, null, 'the trim\'s hold is gone');
    assert.equal(status.dirty, false, 'trimming left no change git sees');
  });

  it('trim follows the repository\'s "trim" list, and refuses a worktree a task holds', async () => {
    const fixture = await createPool({ repo: { gitignore: GITIGNORE + 'build/\n', files: { 'README.md': 'x\n', '.grove/worktree.json': JSON.stringify({ trim: ['build'] }) } } });
    const lease = await fixture.pool.lease({ holder: 'a' });
    fill(path.join(lease.path, 'build/x'), 10);
    fill(path.join(lease.path, 'dist/x'), 10);
    await fixture.pool.returnWorktree('wt-1');
    const outcome = await fixture.pool.trim('wt-1');
    assert.deepEqual(outcome.removed, ['build']);
    assert.ok(existsSync(path.join(lease.path, 'dist/x')), 'not listed: kept');
    await fixture.pool.reserve({ owner: 'slot-1' });
    await assert.rejects(fixture.pool.trim('wt-1'), /reserved by slot-1/);
    assert.equal(await cachedDiskUsage(fixture.location.groveDir, 'wt-1'), null);
  });
});
