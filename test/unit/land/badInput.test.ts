import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { land, isLandRefusal, type LandOptions } from '../../../src/core/land';
import { isGroveError } from '../../../src/core/errors';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { captureState, landFixture, typicalAgent, write } from '../../helpers/landRepo';

describe('land: bad input and unfinished results', () => {
  afterEach(cleanupTempDirs);

  it('refuses landing the same result to a default branch twice, saying where it is, even a second later', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    await land(source, { how: 'branch' });
    // The snapshot commit is made anew (its date is now): only its tree and parent say it is the same.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'branch' }), (error) => isLandRefusal(error, 'nothing-to-land') && /already on branch grove\/add-a-greeting-module/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses a result worktree with unresolved conflicts, naming the files, for every way of landing', async () => {
    const { repo, worktree, source } = landFixture({}, (wt) => {
      git(wt, 'switch', '-q', '-c', 'side');
      write(wt, { 'src/index.ts': 'export const answer = 1;\n' });
      git(wt, 'commit', '-q', '-am', 'side');
      git(wt, 'switch', '-q', '--detach', 'HEAD~1');
      write(wt, { 'src/index.ts': 'export const answer = 2;\n' });
      git(wt, 'commit', '-q', '-am', 'detached');
      try {
        git(wt, 'merge', '-q', 'side');
      } catch {
        // the conflict is the point
      }
    });
    const before = captureState(repo, [repo, worktree]);
    const scratch = path.join(repo, '.git', 'grove', 'land-tmp');
    for (const how of ['apply', 'branch', 'squash', 'merge'] as const) {
      await assert.rejects(land(source, { how }), (error) => isLandRefusal(error) && (error.reason === 'operation-in-progress' || error.reason === 'conflict'), how);
      // Refused before the snapshot finished: land returns only once that git is done and its scratch index gone.
      assert.deepEqual(existsSync(scratch) ? readdirSync(scratch) : [], [], `${how}: a scratch file left behind`);
      assert.equal(captureState(repo, [repo, worktree]), before, how);
    }
    // Unmerged entries without a merge in progress (as a conflicting stash pop leaves them).
    git(worktree, 'update-ref', '-d', 'MERGE_HEAD');
    await assert.rejects(land(source, { how: 'branch' }), (error) => isLandRefusal(error, 'conflict') && error.files.includes('src/index.ts'));
  });

  it("refuses to land into a branch the result's own worktree has checked out", async () => {
    const { repo, worktree, source } = landFixture({}, (wt) => {
      git(wt, 'switch', '-q', '-c', 'agent-branch');
      typicalAgent(wt);
    });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash', into: 'agent-branch' }), (error) => isLandRefusal(error, 'branch-checked-out'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses a missing worktree, the main worktree as the result, a base that is no commit, and an unknown way (exit 2)', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const before = captureState(repo, [repo, worktree]);
    const cases: Array<[typeof source, LandOptions, RegExp]> = [
      [{ ...source, worktreePath: path.join(repo, '..', 'gone') }, { how: 'branch' }, /does not exist/],
      [{ ...source, worktreePath: repo }, { how: 'branch' }, /is the main worktree/],
      [{ ...source, baseCommit: '--output=x' }, { how: 'branch' }, /not a commit id/],
      [{ ...source, baseCommit: 'f'.repeat(40) }, { how: 'branch' }, /not in this repository/],
      [source, { how: 'rebase' as LandOptions['how'] }, /unknown way to land/],
    ];
    for (const [input, options, message] of cases) {
      await assert.rejects(land(input, options), (error) => isGroveError(error, 'usage') && error.exitCode === 2 && message.test(error.message), message.source);
    }
    assert.equal(captureState(repo, [repo, worktree]), before);
  });
});
