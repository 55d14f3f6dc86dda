import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parkWork } from '../../../src/core/git/park';
import { cleanupTempDirs, createRepo, git, tempDir } from '../../helpers/tempRepo';
import { snapshotFiles } from '../../helpers/pool';

describe('parking work under refs/grove/parked', () => {
  afterEach(cleanupTempDirs);

  function messyWorktree(): { repo: string; worktree: string } {
    const repo = createRepo({ files: { 'a.txt': 'a1\n', 'b.txt': 'b1\n', 'run.sh': 'echo hi\n', 'dir/c.txt': 'c1\n' }, gitignore: 'node_modules/\n' });
    const worktree = path.join(path.dirname(repo), 'wt');
    git(repo, 'worktree', 'add', '-q', '--detach', worktree);
    // A commit on no branch, then every kind of uncommitted change.
    writeFileSync(path.join(worktree, 'a.txt'), 'a2 committed on no branch\n');
    git(worktree, 'commit', '-qam', 'detached work');
    writeFileSync(path.join(worktree, 'a.txt'), 'a3 staged\n');
    git(worktree, 'add', 'a.txt');
    writeFileSync(path.join(worktree, 'a.txt'), 'a4 unstaged on top\n');
    rmSync(path.join(worktree, 'b.txt'));
    chmodSync(path.join(worktree, 'run.sh'), 0o755);
    writeFileSync(path.join(worktree, 'staged-new.txt'), 'new and staged\n');
    git(worktree, 'add', 'staged-new.txt');
    mkdirSync(path.join(worktree, 'untracked/deep'), { recursive: true });
    writeFileSync(path.join(worktree, 'untracked/deep/u.txt'), 'untracked\n');
    symlinkSync('a.txt', path.join(worktree, 'link-to-a'));
    mkdirSync(path.join(worktree, 'node_modules/dep'), { recursive: true });
    writeFileSync(path.join(worktree, 'node_modules/dep/index.js'), 'ignored\n');
    return { repo, worktree };
  }

  it('stores files, index, untracked files and HEAD without touching the worktree, and the printed commands restore them exactly', async () => {
    const { repo, worktree } = messyWorktree();
    const before = { files: snapshotFiles(worktree), index: git(worktree, 'ls-files', '-s'), head: git(worktree, 'rev-parse', 'HEAD'), status: git(worktree, 'status', '--porcelain') };
    const parked = await parkWork(worktree, 'wt', new Date('2030-01-02T03:04:05.678Z'), tempDir());
    assert.equal(parked.ref, 'refs/grove/parked/wt/2030-01-02T03-04-05-678Z');
    assert.equal(git(worktree, 'status', '--porcelain'), before.status, 'parking changed the worktree');
    assert.equal(git(repo, 'rev-parse', `${parked.ref}^1`), before.head);
    assert.ok(!git(repo, 'ls-tree', '-r', '--name-only', parked.ref).includes('node_modules'), 'ignored files must not be parked');

    // Wipe everything the way a forced return does, then follow the hint in a fresh worktree.
    const other = path.join(path.dirname(repo), 'restore-here');
    git(repo, 'worktree', 'add', '-q', '--detach', other);
    const commands = parked.restoreHint.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('git '));
    assert.ok(commands.length >= 3, parked.restoreHint);
    for (const command of commands) {
      const args = command.replace(/\s+#.*$/, '').split(/\s+/).slice(1);
      git(other, ...args);
    }
    assert.deepEqual(snapshotFiles(other), before.files);
    assert.equal(git(other, 'ls-files', '-s'), before.index);
    assert.equal(git(other, 'rev-parse', 'HEAD'), before.head);
    assert.equal(git(other, 'status', '--porcelain'), before.status);
    assert.ok(!existsSync(path.join(other, 'node_modules')));
  });

  it('gives each parking of the same worktree at the same moment its own ref', async () => {
    const { worktree } = messyWorktree();
    const at = new Date('2030-01-02T03:04:05.678Z');
    const first = await parkWork(worktree, 'wt', at, tempDir());
    const second = await parkWork(worktree, 'wt', at, tempDir());
    assert.notEqual(first.ref, second.ref);
    assert.equal(git(worktree, 'rev-parse', `${first.ref}^{tree}`), git(worktree, 'rev-parse', `${second.ref}^{tree}`));
  });

  it('tells the branch that was checked out', async () => {
    const repo = createRepo();
    const worktree = path.join(path.dirname(repo), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'topic', worktree);
    writeFileSync(path.join(worktree, 'x.txt'), 'x\n');
    const parked = await parkWork(worktree, 'wt', new Date(), tempDir());
    assert.equal(parked.branch, 'refs/heads/topic');
    assert.match(parked.restoreHint, /git switch topic/);
  });
});
