import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { draftResolvePrompt, land, isLandRefusal } from '../../../src/core/land';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { captureState, landFixture, typicalAgent, write } from '../../helpers/landRepo';

describe('land: concurrent lands and other worktrees', () => {
  afterEach(cleanupTempDirs);

  it('two results landing into one branch at once: each lands or is refused as target-moved, none is lost', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'release');
    const second = path.join(path.dirname(repo), 'wt-2');
    git(repo, 'worktree', 'add', '-q', '--detach', second, source.baseCommit);
    write(second, { 'src/other.ts': 'export const other = 2;\n' });
    const outcomes = await Promise.allSettled([
      land(source, { how: 'squash', into: 'release' }),
      land({ ...source, worktreePath: second, title: 'Other change', prompt: 'Other change' }, { how: 'squash', into: 'release' }),
    ]);
    const landed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.commit!] : []));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.ok(isLandRefusal(outcome.reason, 'target-moved'), String(outcome.reason));
    }
    assert.ok(landed.length >= 1);
    const history = git(repo, 'rev-list', 'release').split('\n');
    for (const commit of landed) assert.ok(history.includes(commit), 'every land that said it landed is on the branch');
  });

  it('lands into a branch checked out in another worktree, keeping that worktree\'s unrelated changes', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    const feature = path.join(path.dirname(repo), 'feature-wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', feature, source.baseCommit);
    write(feature, { 'README.md': '# feature work in progress\n' });
    const record = await land(source, { how: 'merge', into: 'feature' });
    assert.equal(git(feature, 'rev-parse', 'HEAD'), record.commit);
    assert.equal(git(feature, 'diff', '--name-only'), 'README.md');
    assert.equal(git(feature, 'show', 'HEAD:src/index.ts'), 'export const answer = 43;');
    assert.equal(git(repo, 'rev-parse', 'main'), source.baseCommit, 'main untouched');
  });

  it('lists a modify/delete conflict from the preflight', async () => {
    const { repo, worktree, source } = landFixture({}, (wt) => git(wt, 'rm', '-q', 'src/other.ts'));
    write(repo, { 'src/other.ts': 'export const other = 3;\n' });
    git(repo, 'commit', '-q', '-am', 'main edits other');
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash' }), (error) => isLandRefusal(error, 'conflict') && error.files.join() === 'src/other.ts' && /modify\/delete/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });
});

describe('land: again after Resolve with the Agent', () => {
  afterEach(cleanupTempDirs);

  for (const how of ['squash', 'merge', 'apply'] as const) {
    it(`${how}: once the agent merged the target into its worktree and resolved the conflict, the land goes through with its resolution`, async () => {
      const { repo, worktree, source } = landFixture({}, typicalAgent);
      write(repo, { 'src/index.ts': 'export const answer = 44;\n' });
      git(repo, 'commit', '-q', '-am', 'main moves on');
      await assert.rejects(land(source, { how }), (error) => {
        assert.ok(isLandRefusal(error, 'conflict'));
        assert.equal(error.target, how === 'apply' ? undefined : 'refs/heads/main');
        if (error.target) assert.match(draftResolvePrompt(error.target, error.files), /git merge main`[\s\S]*- src\/index\.ts|- src\/index\.ts[\s\S]*git merge main`/);
        return true;
      });
      // What the agent does when asked: commit its work, merge main in, resolve, commit.
      git(worktree, 'add', '-A');
      git(worktree, 'commit', '-q', '-m', 'agent: finish');
      try {
        git(worktree, 'merge', '-q', 'main');
      } catch {
        write(worktree, { 'src/index.ts': 'export const answer = 4344; // resolved\n' });
        git(worktree, 'commit', '-q', '-am', 'agent: merge main, resolved');
      }
      await land(source, { how });
      const landed = how === 'apply' ? readFileSync(path.join(repo, 'src/index.ts'), 'utf8').trim() : git(repo, 'show', 'main:src/index.ts');
      assert.equal(landed, 'export const answer = 4344; // resolved');
    });
  }
});

describe('land: a checkout whose index another git holds for a moment', () => {
  afterEach(cleanupTempDirs);

  it('waits for a passing index.lock, and refuses a lasting one changing nothing', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const lock = path.join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash' }), (error) => isLandRefusal(error, 'operation-in-progress') && /index\.lock/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
    // Now an editor's git status that lets go 200 ms after the land reaches the checkout.
    const guard = async () => {
      writeFileSync(lock, '');
      setTimeout(() => rmSync(lock, { force: true }), 200);
    };
    rmSync(lock);
    const record = await land(source, { how: 'squash', guard });
    assert.equal(git(repo, 'rev-parse', 'HEAD'), record.commit);
  });
});
