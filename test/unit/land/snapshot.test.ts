import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { snapshotWorktree } from '../../../src/core/land/snapshot';
import { land, worktreeMatchesSnapshot } from '../../../src/core/land';
import { cleanupTempDirs, git, tempDir } from '../../helpers/tempRepo';
import { captureState, landFixture, typicalAgent, write } from '../../helpers/landRepo';

describe('land: snapshot of a result worktree', () => {
  afterEach(cleanupTempDirs);

  it('holds the commits, the uncommitted changes and the untracked files, but no ignored ones, and touches nothing', async () => {
    const { repo, worktree, base } = landFixture({ gitignore: 'node_modules/\n' }, (wt) => {
      typicalAgent(wt);
      write(wt, { 'node_modules/dep/index.js': 'ignored\n' });
      write(wt, { 'README.md': '# staged change\n' });
      git(wt, 'add', 'README.md');
    });
    const before = captureState(repo, [repo, worktree]);
    const snap = await snapshotWorktree(worktree, tempDir(), 'snapshot');
    assert.equal(captureState(repo, [repo, worktree]), before, 'no ref, index or file changed');
    assert.equal(snap.head, git(worktree, 'rev-parse', 'HEAD'));
    assert.notEqual(snap.commit, snap.head);
    assert.equal(git(repo, 'rev-parse', `${snap.commit}^`), snap.head, 'on top of the worktree HEAD');
    assert.equal(git(repo, 'merge-base', '--is-ancestor', base, snap.commit), '');
    const files = git(repo, 'ls-tree', '-r', '--name-only', snap.commit).split('\n');
    assert.deepEqual(files.sort(), ['.gitignore', 'README.md', 'notes/agent.md', 'src/greet.ts', 'src/index.ts', 'src/other.ts']);
    assert.equal(git(repo, 'show', `${snap.commit}:src/index.ts`), 'export const answer = 43;');
    assert.equal(git(repo, 'show', `${snap.commit}:README.md`), '# staged change');
  });

  it('is the worktree HEAD itself when nothing is uncommitted', async () => {
    const { worktree } = landFixture({}, (wt) => {
      write(wt, { 'a.txt': 'a\n' });
      git(wt, 'add', 'a.txt');
      git(wt, 'commit', '-q', '-m', 'a');
    });
    const snap = await snapshotWorktree(worktree, path.join(tempDir(), 'scratch'), 'snapshot');
    assert.equal(snap.commit, git(worktree, 'rev-parse', 'HEAD'));
  });

  it('sees a same-size edit made in the same second as the last git add, even a while later (racily clean entries)', async () => {
    // git compares mtimes in whole seconds; an entry changed in the index's own second is only
    // re-read because the index file's time says so. A scratch copy with a fresh time hid such
    // edits once the clock moved on: the snapshot then silently lacked them.
    const { repo, worktree } = landFixture({ files: { 'a.txt': 'a0\n', 'b.txt': 'b0\n', 'c.txt': 'c0\n' } });
    for (const name of ['a', 'b', 'c']) {
      write(worktree, { [`${name}.txt`]: `${name}1\n` });
      git(worktree, 'add', `${name}.txt`);
      write(worktree, { [`${name}.txt`]: `${name}2\n` }); // same size, same second
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const snap = await snapshotWorktree(worktree, tempDir(), 'snapshot');
    for (const name of ['a', 'b', 'c']) assert.equal(git(repo, 'show', `${snap.tree}:${name}.txt`), `${name}2`);
  });

  it('records deletions', async () => {
    const { repo, worktree } = landFixture({}, (wt) => git(wt, 'rm', '-q', 'src/other.ts'));
    const snap = await snapshotWorktree(worktree, tempDir(), 'snapshot');
    assert.ok(!git(repo, 'ls-tree', '-r', '--name-only', snap.commit).includes('src/other.ts'));
  });
});

describe('land: does the worktree still hold only what landed', () => {
  afterEach(cleanupTempDirs);

  it('is true right after a land, and false once the worktree is edited or commits again', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const record = await land(source, { how: 'squash' });
    assert.equal(await worktreeMatchesSnapshot(repo, worktree, record.snapshot), true);
    write(worktree, { 'notes/agent.md': 'edited after the land\n' });
    assert.equal(await worktreeMatchesSnapshot(repo, worktree, record.snapshot), false);
    write(worktree, { 'notes/agent.md': 'untracked notes\n' });
    assert.equal(await worktreeMatchesSnapshot(repo, worktree, record.snapshot), true);
    git(worktree, 'add', '-A');
    git(worktree, 'commit', '-q', '-m', 'more');
    assert.equal(await worktreeMatchesSnapshot(repo, worktree, record.snapshot), false, 'a commit since: HEAD is neither');
  });
});
