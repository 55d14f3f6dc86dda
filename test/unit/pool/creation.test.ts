import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, git, runCli } from '../../helpers/tempRepo';
import { createPool, folderNames } from '../../helpers/pool';

/** Making worktrees: many at once, again after a folder was deleted, and after a failing hook. */
describe('creating pool worktrees', function () {
  this.timeout(600_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  it('12 processes creating worktrees at once, 6 rounds: every git worktree add succeeds', async () => {
    const failures: string[] = [];
    for (let round = 1; round <= 6; round++) {
      const { repo, root } = await createPool();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        runCli(['lease', '--max', '12', '--holder', `creator-${round}-${i}`], { cwd: repo })));
      for (const result of results) if (result.code !== 0) failures.push(`round ${round}: ${result.stderr.trim()}`);
      assert.equal(folderNames(root).length, 12 - failures.filter((failure) => failure.startsWith(`round ${round}:`)).length);
    }
    assert.deepEqual(failures, []);
  });

  it('the same holder asking again after its folder was deleted by hand gets it back, at the commit it had', async () => {
    const { pool, repo } = await createPool();
    const lease = await pool.lease({ holder: 'alice' });
    writeFileSync(path.join(lease.path, 'work.txt'), 'committed work\n');
    git(lease.path, 'add', 'work.txt');
    git(lease.path, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'work');
    const head = git(lease.path, 'rev-parse', 'HEAD');
    rmSync(lease.path, { recursive: true, force: true });

    const again = await runCli(['lease', '--json', '--holder', 'alice'], { cwd: repo });
    assert.equal(again.code, 0, again.stderr);
    const told = JSON.parse(again.stdout) as { path: string; leaseId: string };
    assert.equal(told.path, lease.path);
    assert.equal(told.leaseId, lease.leaseId, 'the same lease');
    assert.ok(existsSync(path.join(told.path, '.git')), 'the path it prints exists and is a worktree');
    assert.equal(git(told.path, 'rev-parse', 'HEAD'), head, 'at the commit the holder had made');
    assert.equal(readFileSync(path.join(told.path, 'work.txt'), 'utf8'), 'committed work\n');
    assert.match(again.stderr, /re-created/);
  });

  it('a failing post-checkout hook: each lease fails clearly, no damaged worktree is left, the pool never fills', async () => {
    const { repo, root, pool } = await createPool();
    const hook = path.join(repo, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, '#!/bin/sh\necho "hook says no" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    for (let i = 0; i < 5; i++) {
      const result = await runCli(['lease', '--max', '2', '--holder', `h${i}`], { cwd: repo });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /could not create worktree/);
      assert.doesNotMatch(result.stderr, /maximum/, 'the pool did not fill up with failed creations');
    }
    assert.deepEqual(folderNames(root), []);
    assert.deepEqual(await pool.status(), []);
    rmSync(hook);
    const fixed = await runCli(['lease', '--max', '2', '--holder', 'after'], { cwd: repo });
    assert.equal(fixed.code, 0, fixed.stderr);
  });
});
