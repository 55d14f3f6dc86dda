import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { isGroveError } from '../../../src/core/errors';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { createPool } from '../../helpers/pool';

/** What a later `git gc` does to anything only a reflog or a dropped stash kept. */
function forgetStashesAndCollect(repo: string): void {
  git(repo, 'stash', 'clear');
  git(repo, 'reflog', 'expire', '--expire=now', '--expire-unreachable=now', '--all');
  git(repo, 'gc', '--quiet', '--prune=now');
}

function objectExists(repo: string, id: string): boolean {
  try {
    execFileSync('git', ['cat-file', '-e', `${id}^{commit}`], { cwd: repo, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isGroveError(error, 'refused'), String(error));
    assert.match(error.message, message);
    return true;
  });
}

describe('stash entries are work: return and destroy park them or refuse (issue 9, 4a)', () => {
  afterEach(cleanupTempDirs);

  it('a commit on no branch hidden behind a stash: return refuses, --force parks it, and it survives a gc after the stash is dropped', async () => {
    const { repo, pool } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    writeFileSync(path.join(lease.path, 'feature.txt'), 'committed on no branch\n');
    git(lease.path, 'add', 'feature.txt');
    git(lease.path, 'commit', '-q', '-m', 'work on no branch');
    const commit = git(lease.path, 'rev-parse', 'HEAD');
    writeFileSync(path.join(lease.path, 'README.md'), 'stashed edit\n');
    git(lease.path, 'stash', 'push', '-q', '-m', 'my stash');
    const stash = git(lease.path, 'rev-parse', 'refs/stash');
    await refused(pool.returnWorktree(lease.name), /1 commit\(s\) on no branch/);
    const outcome = await pool.returnWorktree(lease.name, { force: true });
    assert.ok(outcome.parkedRef);
    forgetStashesAndCollect(repo);
    assert.ok(objectExists(repo, commit), 'the commit behind the stash is still there');
    assert.ok(objectExists(repo, stash), 'the stash entry is still there');
    assert.equal(git(repo, 'show', `${stash}:README.md`), 'stashed edit');
  });

  it('a stash made on a commit on no branch, HEAD moved back to the base: refused, named, and --force parks every such entry', async () => {
    const { repo, pool } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    const stashes: string[] = [];
    for (const round of [1, 2]) {
      writeFileSync(path.join(lease.path, `f${round}.txt`), `commit ${round}\n`);
      git(lease.path, 'add', '-A');
      git(lease.path, 'commit', '-q', '-m', `commit ${round}`);
      writeFileSync(path.join(lease.path, 'README.md'), `stash ${round}\n`);
      git(lease.path, 'stash', 'push', '-q', '-m', `stash ${round}`);
      stashes.push(git(lease.path, 'rev-parse', 'refs/stash'));
    }
    git(lease.path, 'checkout', '-q', '--detach', lease.head);
    await refused(pool.returnWorktree(lease.name), /2 stash entr(y|ies) on commits on no branch/);
    await refused(pool.destroy(lease.name), /leased/);
    const outcome = await pool.returnWorktree(lease.name, { force: true });
    assert.match(outcome.restoreHint ?? '', /git stash apply refs\/grove\/parked\/wt-1\//);
    forgetStashesAndCollect(repo);
    for (const [index, stash] of stashes.entries()) {
      assert.ok(objectExists(repo, stash), `stash ${index + 1} survives`);
      assert.equal(git(repo, 'show', `${stash}:README.md`), `stash ${index + 1}`);
      assert.equal(git(repo, 'show', `${stash}^1:f${index + 1}.txt`), `commit ${index + 1}`);
    }
    const parked = git(repo, 'for-each-ref', '--format=%(objectname)', 'refs/grove/parked/').split('\n');
    for (const stash of stashes) assert.ok(parked.includes(stash), 'each entry has its own parked ref');
  });

  it('destroy --force of a leased worktree parks such stash entries too', async () => {
    const { repo, pool } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    writeFileSync(path.join(lease.path, 'f.txt'), 'on no branch\n');
    git(lease.path, 'add', '-A');
    git(lease.path, 'commit', '-q', '-m', 'c');
    writeFileSync(path.join(lease.path, 'README.md'), 'stashed\n');
    git(lease.path, 'stash', 'push', '-q');
    const stash = git(lease.path, 'rev-parse', 'refs/stash');
    git(lease.path, 'checkout', '-q', '--detach', lease.head);
    await pool.destroy(lease.name, { force: true });
    forgetStashesAndCollect(repo);
    assert.ok(objectExists(repo, stash));
  });

  it('a stash of the main worktree on its branch does not stop a clean return or destroy', async () => {
    const { repo, pool } = await createPool();
    writeFileSync(path.join(repo, 'README.md'), 'main worktree edit\n');
    git(repo, 'stash', 'push', '-q');
    const lease = await pool.lease({ holder: 'a' });
    const outcome = await pool.returnWorktree(lease.name);
    assert.equal(outcome.parkedRef, undefined);
    await pool.destroy(lease.name);
    assert.equal(git(repo, 'stash', 'list').split('\n').length, 1, 'the main worktree\'s stash is left alone');
  });
});
