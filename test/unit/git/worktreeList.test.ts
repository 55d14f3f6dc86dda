import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { rmSync } from 'node:fs';
import { listWorktrees, parseWorktreeList } from '../../../src/core/git/worktrees';
import { cleanupTempDirs, createRepo, git } from '../../helpers/tempRepo';

describe('git worktree list --porcelain -z parser', () => {
  afterEach(cleanupTempDirs);

  it('reads the main worktree, a detached one, a branch, a locked and a prunable one', () => {
    const sha = 'a'.repeat(40);
    const output = [
      'worktree /repo', `HEAD ${sha}`, 'branch refs/heads/main', '',
      'worktree /pool/wt-1', `HEAD ${sha}`, 'detached', '',
      'worktree /pool/wt 2', `HEAD ${sha}`, 'detached', 'locked reason with spaces', '',
      'worktree /pool/gone', `HEAD ${sha}`, 'detached', 'prunable gitdir file points to non-existent location', '',
      'worktree /pool/locked-no-reason', `HEAD ${sha}`, 'branch refs/heads/x', 'locked', '',
      '',
    ].join('\0');
    const entries = parseWorktreeList(output);
    assert.equal(entries.length, 5);
    assert.deepEqual(entries[0], { path: '/repo', head: sha, branch: 'refs/heads/main', detached: false, bare: false, locked: null, prunable: null });
    assert.equal(entries[1].detached, true);
    assert.equal(entries[1].branch, null);
    assert.equal(entries[2].path, '/pool/wt 2');
    assert.equal(entries[2].locked, 'reason with spaces');
    assert.equal(entries[3].prunable, 'gitdir file points to non-existent location');
    assert.equal(entries[4].locked, '');
    assert.equal(entries[4].branch, 'refs/heads/x');
  });

  it('keeps a path with a newline in it whole, and reads a bare entry and an unborn HEAD', () => {
    const output = ['worktree /weird\nname', 'HEAD ' + '0'.repeat(40), 'branch refs/heads/new', '', 'worktree /bare.git', 'bare', '', ''].join('\0');
    const entries = parseWorktreeList(output);
    assert.equal(entries.length, 2);
    assert.equal(entries[0].path, '/weird\nname');
    assert.equal(entries[0].head, null);
    assert.equal(entries[1].bare, true);
  });

  it('ignores attributes it does not know and tolerates a missing final terminator', () => {
    const entries = parseWorktreeList(['worktree /a', 'HEAD ' + 'b'.repeat(40), 'detached', 'futurething yes'].join('\0'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].detached, true);
    assert.deepEqual(parseWorktreeList(''), []);
  });

  it('parses what a real git prints for linked, locked and removed worktrees', async () => {
    const repo = createRepo();
    const parent = path.dirname(repo);
    git(repo, 'worktree', 'add', '-q', '--detach', path.join(parent, 'one'));
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', path.join(parent, 'two words'));
    git(repo, 'worktree', 'add', '-q', '--detach', path.join(parent, 'gone'));
    git(repo, 'worktree', 'lock', '--reason', 'kept', path.join(parent, 'one'));
    rmSync(path.join(parent, 'gone'), { recursive: true });
    const entries = await listWorktrees(repo);
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    assert.equal(entries[0].path, repo);
    assert.equal(entries[0].branch, 'refs/heads/main');
    assert.equal(byPath.get(path.join(parent, 'one'))?.locked, 'kept');
    assert.equal(byPath.get(path.join(parent, 'two words'))?.branch, 'refs/heads/feature');
    assert.match(byPath.get(path.join(parent, 'gone'))?.prunable ?? '', /non-existent/);
  });
});
