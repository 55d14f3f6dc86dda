import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { commitsOnNoBranch, inspectWork, parseStatusV2, readWorktree } from '../../../src/core/git/worktreeState';
import { cleanupTempDirs, createRepo, git } from '../../helpers/tempRepo';

describe('worktree state: HEAD, branch, dirty check, commits on no branch', () => {
  afterEach(cleanupTempDirs);

  it('reads a clean detached worktree as clean, with ignored files not counting', async () => {
    const repo = createRepo({ gitignore: 'node_modules/\n' });
    git(repo, 'checkout', '-q', '--detach');
    mkdirSync(path.join(repo, 'node_modules'));
    writeFileSync(path.join(repo, 'node_modules/x.js'), 'x');
    const state = await readWorktree(repo);
    assert.deepEqual(state, { head: git(repo, 'rev-parse', 'HEAD'), branch: null, changed: [] });
  });

  it('lists changed, renamed, deleted and untracked paths (spaces included) and the branch', async () => {
    const repo = createRepo({ files: { 'a.txt': 'a\n', 'old name.txt': 'o\n', 'gone.txt': 'g\n' } });
    writeFileSync(path.join(repo, 'a.txt'), 'changed\n');
    git(repo, 'mv', 'old name.txt', 'new name.txt');
    git(repo, 'rm', '-q', 'gone.txt');
    writeFileSync(path.join(repo, 'fresh file.txt'), 'u\n');
    const state = await readWorktree(repo, { readOnly: true });
    assert.equal(state.branch, 'refs/heads/main');
    assert.deepEqual([...state.changed].sort(), ['.M a.txt', '?? fresh file.txt', 'D. gone.txt', 'R. new name.txt']);
  });

  it('refuses output without a HEAD commit', () => {
    assert.throws(() => parseStatusV2('# branch.oid (initial)\0# branch.head main\0'), /no HEAD commit/);
  });

  it('counts commits reachable from HEAD that no ref holds, and trusts the commit it was handed out at', async () => {
    const repo = createRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', '--detach');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'one');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'two');
    assert.equal(await commitsOnNoBranch(repo, null), 2);
    const work = await inspectWork(repo, base);
    assert.equal(work.unparkedCommits, 2);
    assert.equal(work.hasWork, true);
    git(repo, 'branch', 'keep');
    assert.equal(await commitsOnNoBranch(repo, null), 0);
    // A base that no ref holds (an old commit given by id) is not the holder's work.
    git(repo, 'branch', '-D', 'keep');
    assert.equal(await commitsOnNoBranch(repo, git(repo, 'rev-parse', 'HEAD~1')), 1);
  });
});
