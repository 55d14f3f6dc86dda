import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { isGroveError, type GroveErrorKind } from '../../../src/core/errors';
import { RECOVERED_HOLDER } from '../../../src/core/pool/state';
import { cleanupTempDirs, git, tempDir } from '../../helpers/tempRepo';
import { createPool, folderNames, readStateFile, reopen, snapshotFiles } from '../../helpers/pool';

async function rejectsWith(promise: Promise<unknown>, kind: GroveErrorKind, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isGroveError(error, kind), `expected a ${kind} GroveError, got ${String(error)}`);
    assert.match(error.message, message);
    assert.ok(error.hint && error.hint.length > 0, 'every refusal says what to do');
    return true;
  });
}

describe('WorktreePool', () => {
  afterEach(cleanupTempDirs);

  describe('lease', () => {
    it('creates a detached worktree at the default branch tip in a sibling <repo>.grove folder', async () => {
      const { repo, pool, root } = await createPool();
      const lease = await pool.lease({ holder: 'alice' });
      assert.equal(root, `${repo}.grove`);
      assert.equal(lease.path, path.join(root, 'wt-1'));
      assert.match(lease.leaseId, /^[0-9a-f]{32}$/);
      assert.equal(lease.holder, 'alice');
      assert.equal(lease.reused, false);
      assert.ok(!Number.isNaN(Date.parse(lease.leasedAt)));
      assert.equal(lease.head, git(repo, 'rev-parse', 'main'));
      assert.equal(git(lease.path, 'rev-parse', 'HEAD'), lease.head);
      assert.equal(git(lease.path, 'rev-parse', '--symbolic-full-name', 'HEAD'), 'HEAD', 'detached, on no branch');
      assert.equal(readFileSync(path.join(lease.path, 'README.md'), 'utf8'), '# test repo\n');
    });

    it('gives the same holder its own lease back, and another holder another worktree', async () => {
      const { pool } = await createPool();
      const first = await pool.lease({ holder: 'alice' });
      const again = await pool.lease({ holder: 'alice' });
      const other = await pool.lease({ holder: 'bob' });
      assert.equal(again.leaseId, first.leaseId);
      assert.equal(again.path, first.path);
      assert.notEqual(other.path, first.path);
    });

    it('starts from --base, and refuses a base that names no commit', async () => {
      const { repo, pool } = await createPool();
      const initial = git(repo, 'rev-parse', 'HEAD');
      writeFileSync(path.join(repo, 'later.txt'), 'later\n');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'later');
      git(repo, 'tag', 'v1', initial);
      const lease = await pool.lease({ holder: 'a', base: 'v1' });
      assert.equal(lease.head, initial);
      assert.ok(!existsSync(path.join(lease.path, 'later.txt')));
      await rejectsWith(pool.lease({ holder: 'b', base: 'no-such-branch' }), 'usage', /names no commit/);
      await rejectsWith(pool.lease({ holder: 'b', base: '--upload-pack=evil' }), 'usage', /not a usable base/);
    });

    it('reuses a returned worktree, moving it to the current base tip, with ignored files kept', async () => {
      const { repo, pool } = await createPool();
      const first = await pool.lease({ holder: 'a' });
      mkdirSync(path.join(first.path, 'node_modules/dep'), { recursive: true });
      writeFileSync(path.join(first.path, 'node_modules/dep/index.js'), 'module.exports = 1;\n');
      await pool.returnWorktree(first.name);
      writeFileSync(path.join(repo, 'new.txt'), 'new\n');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'moved on');
      const second = await pool.lease({ holder: 'b' });
      assert.equal(second.path, first.path);
      assert.equal(second.reused, true);
      assert.notEqual(second.leaseId, first.leaseId);
      assert.equal(second.head, git(repo, 'rev-parse', 'main'));
      assert.equal(readFileSync(path.join(second.path, 'new.txt'), 'utf8'), 'new\n');
      assert.equal(readFileSync(path.join(second.path, 'node_modules/dep/index.js'), 'utf8'), 'module.exports = 1;\n');
    });

    it('takes the preferred available worktree first, and another when the preferred one is taken', async () => {
      const { pool } = await createPool({ pool: { max: 3 } });
      const a = await pool.lease({ holder: 'a' });
      const b = await pool.lease({ holder: 'b' });
      await pool.returnWorktree(a.name);
      await pool.returnWorktree(b.name);
      const preferred = await pool.lease({ holder: 'c', prefer: b.name });
      assert.equal(preferred.name, b.name, 'the row picked, not the first by name');
      const fallback = await pool.lease({ holder: 'd', prefer: b.name });
      assert.equal(fallback.name, a.name, 'the preferred one is leased to c, so another is taken');
    });

    it('says the pool is full (unavailable) at its maximum', async () => {
      const { pool } = await createPool({ pool: { max: 2 } });
      await pool.lease({ holder: 'a' });
      await pool.lease({ holder: 'b' });
      await rejectsWith(pool.lease({ holder: 'c' }), 'unavailable', /maximum of 2 worktrees and none is available \(2 leased\)/);
    });

    it('skips an unleased worktree someone changed, or with a process inside, and never resets it', async () => {
      const fixture = await createPool({ pool: { max: 3 } });
      const { pool } = fixture;
      const a = await pool.lease({ holder: 'a' });
      const b = await pool.lease({ holder: 'b' });
      await pool.returnWorktree(a.name);
      await pool.returnWorktree(b.name);
      writeFileSync(path.join(a.path, 'README.md'), 'edited while available\n');
      const sleeper = spawn('sleep', ['30'], { cwd: b.path, stdio: 'ignore' });
      try {
        await waitFor(async () => (await pool.status()).find((w) => w.name === b.name)!.processes.includes(sleeper.pid!));
        const statuses = await pool.status();
        assert.equal(statuses.find((w) => w.name === a.name)?.state, 'dirty');
        assert.equal(statuses.find((w) => w.name === b.name)?.state, 'busy');
        const c = await pool.lease({ holder: 'c' });
        assert.equal(c.name, 'wt-3', 'both warm worktrees were unusable, so a third was made');
        assert.equal(readFileSync(path.join(a.path, 'README.md'), 'utf8'), 'edited while available\n');
        await rejectsWith(pool.lease({ holder: 'd' }), 'unavailable', /skipped wt-1: 1 changed file.*wt-2: processes inside/);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });

    it('copies .worktreeinclude files (ignored ones only) into new worktrees and runs postCreate there', async () => {
      const fixture = await createPool({ repo: { gitignore: '.env\nconfig/local.json\nnode_modules/\n' } });
      const { repo } = fixture;
      writeFileSync(path.join(repo, '.worktreeinclude'), '.env\nconfig/\nnotes.txt\n');
      writeFileSync(path.join(repo, '.env'), 'SECRET=1\n');
      mkdirSync(path.join(repo, 'config'));
      writeFileSync(path.join(repo, 'config/local.json'), '{"port":1}\n');
      writeFileSync(path.join(repo, 'notes.txt'), 'untracked but not ignored\n');
      const created: string[] = [];
      const pool = reopen(fixture, { postCreate: async (dir) => { created.push(dir); } });
      const lease = await pool.lease({ holder: 'a' });
      assert.equal(readFileSync(path.join(lease.path, '.env'), 'utf8'), 'SECRET=1\n');
      assert.equal(readFileSync(path.join(lease.path, 'config/local.json'), 'utf8'), '{"port":1}\n');
      assert.ok(!existsSync(path.join(lease.path, 'notes.txt')), 'only ignored files are copied');
      assert.deepEqual(created, [lease.path]);
    });

    it('removes a worktree whose post-create hook failed (nobody\'s work is in it), so failures never fill the pool', async () => {
      const fixture = await createPool();
      const { root } = fixture;
      const pool = reopen(fixture, { postCreate: async () => { throw new Error('npm install failed'); } });
      await rejectsWith(pool.lease({ holder: 'a' }), 'internal', /npm install failed/);
      assert.deepEqual(await pool.status(), []);
      assert.deepEqual(folderNames(root), []);
    });

    it('refuses bad holders and a pool root inside the repository', async () => {
      const fixture = await createPool();
      const { pool, location } = fixture;
      await rejectsWith(pool.lease({ holder: '  ' }), 'usage', /holder is empty/);
      await rejectsWith(pool.lease({ holder: 'evil\u001b[2J' }), 'usage', /control characters/);
      assert.throws(() => reopen(fixture, { root: path.join(location.mainWorktree, 'pool') }), /inside the repository/);
    });

    it('refuses a pool root it cannot write to, clearly, and leaves no entry behind', async () => {
      const fixture = await createPool();
      const root = readOnlyFolder();
      try {
        const pool = reopen(fixture, { root });
        await rejectsWith(pool.lease({ holder: 'a' }), 'usage', /cannot create worktrees in/);
        assert.deepEqual(await pool.status(), []);
      } finally {
        releaseReadOnly(root);
      }
    });
  });

  describe('return', () => {
    it('releases the lease and resets with ignored files kept, untouched (node_modules survives)', async () => {
      const { pool } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      mkdirSync(path.join(lease.path, 'node_modules/big/lib'), { recursive: true });
      writeFileSync(path.join(lease.path, 'node_modules/big/lib/x.js'), 'cached\n');
      writeFileSync(path.join(lease.path, 'build.log'), 'ignored log\n');
      git(lease.path, 'switch', '-q', '-c', 'topic');
      writeFileSync(path.join(lease.path, 'feature.txt'), 'f\n');
      git(lease.path, 'add', '-A');
      git(lease.path, 'commit', '-qm', 'feature on a branch');
      const outcome = await pool.returnWorktree(lease.path, { ifLeaseId: lease.leaseId });
      assert.equal(outcome.parkedRef, undefined, 'work on a branch needs no parking');
      const [status] = await pool.status();
      assert.equal(status.state, 'available');
      assert.equal(status.branch, null, 'detached again, so the branch is free elsewhere');
      assert.equal(status.head, lease.head);
      assert.equal(readFileSync(path.join(lease.path, 'node_modules/big/lib/x.js'), 'utf8'), 'cached\n');
      assert.equal(readFileSync(path.join(lease.path, 'build.log'), 'utf8'), 'ignored log\n');
      assert.ok(!existsSync(path.join(lease.path, 'feature.txt')));
    });

    it('refuses (to protect work) changes, untracked files and commits on no branch, and --force parks them', async () => {
      const { pool, repo } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      writeFileSync(path.join(lease.path, 'README.md'), 'changed\n');
      await rejectsWith(pool.returnWorktree(lease.name), 'refused', /1 changed file/);
      git(lease.path, 'commit', '-qam', 'detached commit');
      await rejectsWith(pool.returnWorktree(lease.name), 'refused', /1 commit\(s\) on no branch/);
      writeFileSync(path.join(lease.path, 'untracked.txt'), 'u\n');
      await rejectsWith(pool.returnWorktree(lease.name), 'refused', /1 untracked file/);
      assert.equal((await pool.status())[0].state, 'leased', 'a refused return keeps the lease');
      const before = snapshotFiles(lease.path);
      const outcome = await pool.returnWorktree(lease.name, { force: true });
      assert.match(outcome.parkedRef ?? '', /^refs\/grove\/parked\/wt-1\//);
      assert.match(outcome.restoreHint ?? '', /git restore --source=refs\/grove\/parked\/wt-1\//);
      assert.equal(git(repo, 'show', `${outcome.parkedRef}:untracked.txt`), 'u');
      assert.equal(git(repo, 'log', '-1', '--format=%s', `${outcome.parkedRef}^1`), 'detached commit');
      assert.equal(git(lease.path, 'status', '--porcelain'), '');
      assert.notDeepEqual(snapshotFiles(lease.path), before);
    });

    it('refuses a lease id mismatch, a malformed one, an unleased worktree, and unknown targets', async () => {
      const { pool, root } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      await rejectsWith(pool.returnWorktree(lease.name, { ifLeaseId: 'f'.repeat(32) }), 'refused', /another lease id/);
      await rejectsWith(pool.returnWorktree(lease.name, { ifLeaseId: 'nope' }), 'usage', /not a lease id/);
      await pool.returnWorktree(lease.name, { ifLeaseId: lease.leaseId });
      await rejectsWith(pool.returnWorktree(lease.name), 'refused', /not leased/);
      await rejectsWith(pool.returnWorktree('wt-9'), 'usage', /no worktree named wt-9/);
      await rejectsWith(pool.returnWorktree('..'), 'usage', /not a valid worktree name.*\.\./);
      await rejectsWith(pool.returnWorktree('bad\u0007name'), 'usage', /control characters/);
      await rejectsWith(pool.returnWorktree(path.join(root, '..', 'elsewhere')), 'usage', /not a worktree of this pool/);
      await rejectsWith(pool.returnWorktree('../wt-1x'), 'usage', /not a worktree of this pool/);
    });

    it('accepts a path inside the worktree', async () => {
      const { pool } = await createPool();
      const lease = await pool.lease({ holder: 'a' });
      assert.equal((await pool.returnWorktree(path.join(lease.path, 'src'))).name, lease.name);
    });
  });

  describe('destroy', () => {
    it('removes an available worktree and refuses a leased one unless --force', async () => {
      const { pool, root, repo } = await createPool();
      const a = await pool.lease({ holder: 'a' });
      const b = await pool.lease({ holder: 'b' });
      await pool.returnWorktree(a.name);
      await pool.destroy(a.name);
      assert.ok(!existsSync(a.path));
      await rejectsWith(pool.destroy(b.name), 'refused', /leased by b/);
      writeFileSync(path.join(b.path, 'work.txt'), 'precious\n');
      const outcome = await pool.destroy(b.name, { force: true });
      assert.ok(outcome.parkedRef);
      assert.equal(git(repo, 'show', `${outcome.parkedRef}:work.txt`), 'precious');
      assert.deepEqual(folderNames(root), []);
      assert.deepEqual(await pool.status(), []);
    });

    it('refuses to destroy a dirty available worktree without --force', async () => {
      const { pool } = await createPool();
      const a = await pool.lease({ holder: 'a' });
      await pool.returnWorktree(a.name);
      writeFileSync(path.join(a.path, 'stray.txt'), 'x\n');
      await rejectsWith(pool.destroy(a.name), 'refused', /1 untracked file/);
      assert.ok(existsSync(path.join(a.path, 'stray.txt')));
    });

    it('never removes anything outside the pool root, even through a symlink', async () => {
      const { pool, root } = await createPool();
      const a = await pool.lease({ holder: 'a' });
      await pool.returnWorktree(a.name);
      const outside = tempDir();
      writeFileSync(path.join(outside, 'keep.txt'), 'keep\n');
      rmSync(a.path, { recursive: true });
      symlinkSync(outside, a.path);
      await rejectsWith(pool.destroy(a.name, { force: true }), 'refused', /not a folder of the pool root/);
      assert.equal(readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep\n');
      assert.ok(existsSync(path.join(root, 'wt-1')));
    });

    it('drops an entry whose folder is gone and clears its git registration', async () => {
      const { pool, repo } = await createPool();
      const a = await pool.lease({ holder: 'a' });
      rmSync(a.path, { recursive: true });
      const [status] = await pool.status();
      assert.equal(status.state, 'damaged');
      assert.match(status.reason ?? '', /missing/);
      await pool.destroy(a.name, { force: true });
      assert.deepEqual(await pool.status(), []);
      assert.ok(!git(repo, 'worktree', 'list').includes('wt-1'));
    });
  });

  describe('prune', () => {
    it('is a dry run by default, keeps --keep N warm, leaves leased and dirty ones, clears stale registrations', async () => {
      const { pool, repo, root } = await createPool();
      const leases = [];
      for (const holder of ['a', 'b', 'c', 'd']) leases.push(await pool.lease({ holder }));
      for (const lease of leases.slice(0, 3)) await pool.returnWorktree(lease.name);
      writeFileSync(path.join(leases[2].path, 'stray.txt'), 'x\n');
      const stray = path.join(path.dirname(repo), 'stray-worktree');
      git(repo, 'worktree', 'add', '-q', '--detach', stray);
      rmSync(stray, { recursive: true });

      const dry = await pool.prune({ keep: 1 });
      assert.equal(dry.dryRun, true);
      assert.deepEqual(dry.wouldRemove, ['wt-2']);
      assert.deepEqual(dry.removed, []);
      assert.deepEqual(dry.staleRegistrations, [stray]);
      assert.deepEqual(folderNames(root), ['wt-1', 'wt-2', 'wt-3', 'wt-4']);

      const real = await pool.prune({ yes: true, keep: 1 });
      assert.deepEqual(real.removed, ['wt-2']);
      assert.deepEqual(folderNames(root), ['wt-1', 'wt-3', 'wt-4']);
      assert.ok(!git(repo, 'worktree', 'list').includes('stray-worktree'));
      const states = Object.fromEntries((await pool.status()).map((w) => [w.name, w.state]));
      assert.deepEqual(states, { 'wt-1': 'available', 'wt-3': 'dirty', 'wt-4': 'leased' });
    });
  });

  describe('status', () => {
    it('reports name, path, state, holder, lease id, HEAD, branch, dirty, reservation and processes', async () => {
      const { pool } = await createPool();
      const lease = await pool.lease({ holder: 'alice' });
      git(lease.path, 'switch', '-q', '-c', 'topic');
      writeFileSync(path.join(lease.path, 'README.md'), 'changed\n');
      const [status] = await pool.status();
      assert.deepEqual({ ...status, processes: [], ready: undefined }, { ready: undefined, // readiness: test/unit/ready/
        name: 'wt-1', path: lease.path, state: 'leased', holder: 'alice', leaseId: lease.leaseId, leasedAt: lease.leasedAt,
        head: lease.head, branch: 'refs/heads/topic', dirty: true, reservedBy: null, processes: [], reason: '1 changed file(s)',
      });
    });
  });

  describe('reservations (for the engine)', () => {
    it('reserves a pool worktree for this process (busy), and release with no work left makes it available', async () => {
      const { pool } = await createPool();
      const reservation = await pool.reserve({ owner: 'slot-1' });
      assert.equal(reservation.owner, 'slot-1');
      const [busy] = await pool.status();
      assert.equal(busy.state, 'busy');
      assert.equal(busy.reservedBy, 'slot-1');
      await rejectsWith(pool.reserve({ owner: 'slot-2', worktree: reservation.name }), 'unavailable', /reserved by slot-1/);
      const { lease } = await pool.releaseReservation({ name: reservation.name, reservationId: reservation.reservationId, holderIfWorkLeft: 'engine' });
      assert.equal(lease, null);
      assert.equal((await pool.status())[0].state, 'available');
    });

    it('turns work left behind into a durable lease of holderIfWorkLeft', async () => {
      const { pool } = await createPool();
      const reservation = await pool.reserve({ owner: 'slot-1' });
      git(reservation.path, 'commit', '-q', '--allow-empty', '-m', 'agent commit');
      const { lease } = await pool.releaseReservation({ name: reservation.name, reservationId: reservation.reservationId, holderIfWorkLeft: 'task 7' });
      assert.equal(lease?.holder, 'task 7');
      const [status] = await pool.status();
      assert.equal(status.state, 'leased');
      await rejectsWith(pool.returnWorktree(reservation.name), 'refused', /commit\(s\) on no branch/);
    });

    it('reserves inside a leased worktree only with its lease id, and keeps the lease on release', async () => {
      const { pool } = await createPool();
      const lease = await pool.lease({ holder: 'alice' });
      await rejectsWith(pool.reserve({ owner: 'slot-1', worktree: lease.name }), 'refused', /leased by alice/);
      await rejectsWith(pool.reserve({ owner: 'slot-1', worktree: 'wt-7' }), 'usage', /no worktree named wt-7/);
      await rejectsWith(pool.reserve({ owner: 'slot-1', worktree: '../x' }), 'usage', /path separator/);
      const reservation = await pool.reserve({ owner: 'slot-1', worktree: lease.name, leaseId: lease.leaseId });
      await rejectsWith(pool.returnWorktree(lease.name), 'refused', /task running in it/);
      writeFileSync(path.join(lease.path, 'agent.txt'), 'x\n');
      const released = await pool.releaseReservation({ name: lease.name, reservationId: reservation.reservationId, holderIfWorkLeft: 'other' });
      assert.equal(released.lease?.leaseId, lease.leaseId);
      assert.equal(released.lease?.holder, 'alice');
    });

    it('reserves a reused worktree at the base as it is now, after the base moved', async () => {
      const { repo, pool } = await createPool();
      const first = await pool.reserve({ owner: 'slot-1' });
      await pool.releaseReservation({ name: first.name, reservationId: first.reservationId, holderIfWorkLeft: 'engine' });
      writeFileSync(path.join(repo, 'later.txt'), 'later\n');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'later');
      const again = await pool.reserve({ owner: 'slot-2' });
      assert.equal(again.name, first.name, 'the available worktree is reused');
      assert.equal(again.head, git(repo, 'rev-parse', 'main'));
      assert.equal(git(again.path, 'rev-parse', 'HEAD'), again.head);
      const { lease } = await pool.releaseReservation({ name: again.name, reservationId: again.reservationId, holderIfWorkLeft: 'engine' });
      assert.equal(lease, null, 'moving to the new base is not work left by the task');
      assert.equal((await pool.status())[0].state, 'available');
    });

    it('gives back a reused worktree it reserved but could not use, and takes another', async () => {
      const { pool } = await createPool();
      const first = await pool.reserve({ owner: 'slot-1' });
      const second = await pool.reserve({ owner: 'slot-2' });
      for (const reservation of [first, second]) {
        await pool.releaseReservation({ name: reservation.name, reservationId: reservation.reservationId, holderIfWorkLeft: 'engine' });
      }
      writeFileSync(path.join(first.path, 'left-by-hand.txt'), 'x\n');
      const picked = await pool.reserve({ owner: 'slot-3' });
      assert.equal(picked.name, second.name, 'the dirty worktree is skipped');
      const statuses = await pool.status();
      assert.deepEqual(statuses.map((w) => [w.name, w.state, w.reservedBy]), [[first.name, 'dirty', null], [second.name, 'busy', 'slot-3']]);
    });

    it('heal clears the reservation of a dead process but never a lease', async () => {
      const fixture = await createPool();
      const { pool, location } = fixture;
      const lease = await pool.lease({ holder: 'alice' });
      await pool.reserve({ owner: 'slot-9' });
      // Make the reservation look like a dead process's: same boot, a pid that is not running.
      const statePath = path.join(location.groveDir, 'state.json');
      const state = JSON.parse(readFileSync(statePath, 'utf8'));
      const reserved = Object.values(state.worktrees as Record<string, { reservation: { identity: { pid: number; startTime: string } } | null }>).find((w) => w.reservation)!;
      reserved.reservation!.identity.pid = 2 ** 22 - 3;
      reserved.reservation!.identity.startTime = '1';
      writeFileSync(statePath, JSON.stringify(state));
      const statuses = await pool.status();
      assert.deepEqual(statuses.map((w) => [w.name, w.state]), [[lease.name, 'leased'], ['wt-2', 'available']]);
    });
  });

  describe('leaseOf', () => {
    it('tells the lease of a worktree from the state file, and null when it is not leased', async () => {
      const { pool } = await createPool();
      const lease = await pool.lease({ holder: 'alice' });
      const reservation = await pool.reserve({ owner: 'slot-1' });
      const { ports: _ports, env: _env, warnings: _warnings, ...plain } = lease; // what only a lease call adds (test/unit/ready/)
      assert.deepEqual(await pool.leaseOf(lease.name), { ...plain, reused: true });
      assert.equal(await pool.leaseOf(reservation.name), null);
      assert.equal(await pool.leaseOf('wt-9'), null);
      await rejectsWith(pool.leaseOf('../x'), 'usage', /path separator/);
    });
  });

  describe('an unreadable state.json', () => {
    it('is kept aside and the pool rebuilt from disk, every worktree leased to "recovered: check before reuse", nothing removed', async () => {
      const fixture = await createPool();
      const { pool, location, root } = fixture;
      const a = await pool.lease({ holder: 'a' });
      const b = await pool.lease({ holder: 'b' });
      await pool.returnWorktree(b.name);
      writeFileSync(path.join(a.path, 'work.txt'), 'keep me\n');
      const statePath = path.join(location.groveDir, 'state.json');
      writeFileSync(statePath, '{"version": 1, "worktrees": {"wt-1": ');
      const statuses = await pool.status();
      assert.deepEqual(statuses.map((w) => [w.name, w.state, w.holder]), [['wt-1', 'leased', RECOVERED_HOLDER], ['wt-2', 'leased', RECOVERED_HOLDER]]);
      const aside = (await fs.readdir(location.groveDir)).filter((name) => name.startsWith('state.corrupt-'));
      assert.equal(aside.length, 1);
      assert.equal(readFileSync(path.join(location.groveDir, aside[0]), 'utf8'), '{"version": 1, "worktrees": {"wt-1": ');
      assert.deepEqual(folderNames(root), ['wt-1', 'wt-2']);
      assert.equal(readFileSync(path.join(a.path, 'work.txt'), 'utf8'), 'keep me\n');
      // Recovered worktrees are not handed out; a new lease gets a new one.
      const c = await pool.lease({ holder: 'c' });
      assert.equal(c.name, 'wt-3');
      const state = await readStateFile(statePath);
      assert.equal(Object.keys(state.worktrees).length, 3);
    });

    it('treats valid JSON of the wrong shape as unreadable too', async () => {
      const { pool, location } = await createPool();
      await pool.lease({ holder: 'a' });
      writeFileSync(path.join(location.groveDir, 'state.json'), '[1,2,3]');
      const statuses = await pool.status();
      assert.equal(statuses[0].holder, RECOVERED_HOLDER);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A folder nobody may create entries in, root included (chattr +i as root), for the read-only root case. */
function readOnlyFolder(): string {
  const dir = path.join(tempDir(), 'readonly-root');
  mkdirSync(dir);
  chmodSync(dir, 0o555);
  if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir]);
  return dir;
}

function releaseReadOnly(dir: string): void {
  if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir]);
  chmodSync(dir, 0o755);
}
