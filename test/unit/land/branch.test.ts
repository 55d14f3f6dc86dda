import { strict as assert } from 'node:assert';
import { land, isLandRefusal, defaultBranchName } from '../../../src/core/land';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { captureState, landFixture, typicalAgent } from '../../helpers/landRepo';

describe('land --branch', () => {
  afterEach(cleanupTempDirs);

  it('makes grove/<slug> at a commit holding the whole result, with no checkout touched', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const before = captureState(repo, [repo, worktree]);
    const record = await land(source, { how: 'branch' });
    assert.equal(record.branch, 'refs/heads/grove/add-a-greeting-module');
    assert.equal(git(repo, 'rev-parse', record.branch), record.commit);
    assert.equal(record.commit, record.snapshot);
    assert.equal(git(repo, 'show', `${record.branch}:src/index.ts`), 'export const answer = 43;');
    assert.equal(git(repo, 'show', `${record.branch}:notes/agent.md`), 'untracked notes');
    assert.equal(git(repo, 'show', `${record.branch}~1:src/greet.ts`), 'export const hello = () => "hi";', "the agent's commit is in its history");
    const after = captureState(repo, [repo, worktree]).split('\n').filter((line) => !line.startsWith(`${record.branch} `)).join('\n');
    assert.equal(after, before, 'nothing but the new branch changed');
    assert.ok(!Number.isNaN(Date.parse(record.at)));
  });

  it('takes the next free default name when grove/<slug> exists', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'grove/add-a-greeting-module');
    const record = await land(source, { how: 'branch' });
    assert.equal(record.branch, 'refs/heads/grove/add-a-greeting-module-2');
  });

  it('uses a given name, and refuses it when it exists, changing nothing', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const first = await land(source, { how: 'branch', branch: 'feature/greet' });
    assert.equal(first.branch, 'refs/heads/feature/greet');
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'branch', branch: 'feature/greet' }), (error) => {
      assert.ok(isLandRefusal(error, 'branch-exists'));
      assert.equal(error.exitCode, 4);
      assert.match(error.message, /feature\/greet already exists/);
      assert.match(error.hint ?? '', /--force/);
      return true;
    });
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('moves an existing branch with force, but not one a worktree has checked out', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'old-work');
    const moved = await land(source, { how: 'branch', branch: 'old-work', force: true });
    assert.equal(git(repo, 'rev-parse', 'old-work'), moved.commit);
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'branch', branch: 'main', force: true }), (error) => isLandRefusal(error, 'branch-checked-out') && error.exitCode === 4);
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  for (const bad of ['has space', 'a..b', '-x', 'x.lock', 'a~1', 'we:ird', '']) {
    it(`refuses the branch name ${JSON.stringify(bad)} (exit 2), changing nothing`, async () => {
      const { repo, worktree, source } = landFixture({}, typicalAgent);
      const before = captureState(repo, [repo, worktree]);
      await assert.rejects(land(source, { how: 'branch', branch: bad || ' ' }), (error) => isLandRefusal(error, 'bad-branch-name') && error.exitCode === 2);
      assert.equal(captureState(repo, [repo, worktree]), before);
    });
  }

  it('refuses a result with no changes: nothing to land', async () => {
    const { repo, worktree, source } = landFixture();
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'branch' }), (error) => isLandRefusal(error, 'nothing-to-land') && /nothing to land/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('slugs titles into branch names', () => {
    assert.equal(defaultBranchName('Fix the parser: handle "quotes" & tabs!'), 'grove/fix-the-parser-handle-quotes-tabs');
    assert.equal(defaultBranchName('!!!'), 'grove/result');
    assert.ok(defaultBranchName('word '.repeat(40)).length <= 'grove/'.length + 48);
  });
});
