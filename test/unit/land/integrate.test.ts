import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { land, isLandRefusal } from '../../../src/core/land';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { captureState, gitDirOf, landFixture, typicalAgent, write } from '../../helpers/landRepo';

describe('land --squash / --merge', () => {
  afterEach(cleanupTempDirs);

  it('squashes into a branch no worktree has checked out: one commit on the old tip, no checkout touched', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'release');
    const oldTip = git(repo, 'rev-parse', 'release');
    const checkouts = () => captureState(repo, [repo, worktree]).split('\n== ').slice(1).join('\n== ');
    const before = checkouts();
    const record = await land(source, { how: 'squash', into: 'release' });
    assert.equal(record.target, 'refs/heads/release');
    assert.equal(git(repo, 'rev-parse', 'release'), record.commit);
    assert.equal(git(repo, 'rev-parse', `${record.commit}^@`), oldTip, 'one parent: the old tip');
    assert.equal(git(repo, 'show', 'release:src/index.ts'), 'export const answer = 43;');
    assert.equal(git(repo, 'show', 'release:src/greet.ts'), 'export const hello = () => "hi";');
    assert.equal(git(repo, 'show', 'release:notes/agent.md'), 'untracked notes');
    assert.equal(git(repo, 'log', '-1', '--format=%s', 'release'), 'Add a greeting module');
    assert.match(git(repo, 'log', '-1', '--format=%b', 'release'), /Added src\/greet\.ts with hello\(\)\.[\s\S]*It should export hello\(\)/);
    assert.equal(checkouts(), before, 'no checkout, index or HEAD changed');
    assert.ok(record.keptRef?.startsWith('refs/grove/landed/wt-1/'));
    assert.equal(git(repo, 'rev-parse', record.keptRef!), record.snapshot, "the result's own commits stay reachable");
    assert.match(git(repo, 'reflog', '-1', '--format=%gs', 'release'), /grove land --squash/);
  });

  it('takes a given message', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'release');
    await land(source, { how: 'squash', into: 'release', message: 'My own words\n\nwith a body' });
    assert.equal(git(repo, 'log', '-1', '--format=%B', 'release'), 'My own words\n\nwith a body');
  });

  it('merges with a two-parent commit: the old tip and the snapshot', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'release');
    const oldTip = git(repo, 'rev-parse', 'release');
    const record = await land(source, { how: 'merge', into: 'release' });
    assert.deepEqual(git(repo, 'rev-parse', `${record.commit}^1`, `${record.commit}^2`).split('\n'), [oldTip, record.snapshot]);
    assert.equal(git(repo, 'show', 'release:src/index.ts'), 'export const answer = 43;');
    assert.match(git(repo, 'log', '-1', '--format=%s', 'release'), /^Merge Add a greeting module into release$/);
    assert.equal(record.keptRef, undefined, 'the merge itself keeps the result reachable');
    await assert.rejects(land(source, { how: 'merge', into: 'release' }), (error) => isLandRefusal(error, 'nothing-to-land'), 'merging twice');
    assert.equal(git(repo, 'rev-parse', 'release'), record.commit);
  });

  it('lands into the main worktree\'s branch by default, keeping its unrelated changes (staged, unstaged, untracked)', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    write(repo, { 'README.md': '# my own unstaged edit\n', 'scratch.txt': 'mine\n', 'src/other.ts': 'export const other = 2;\n' });
    git(repo, 'add', 'src/other.ts');
    const oldTip = git(repo, 'rev-parse', 'HEAD');
    const record = await land(source, { how: 'squash' });
    assert.equal(record.target, 'refs/heads/main');
    assert.equal(git(repo, 'rev-parse', 'ORIG_HEAD'), oldTip, 'git reset --keep ORIG_HEAD undoes it');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), record.commit);
    assert.equal(git(repo, 'diff', '--name-only'), 'README.md', 'the unstaged change is still unstaged');
    assert.equal(git(repo, 'diff', '--cached', '--name-only'), 'src/other.ts', 'the staged change is still staged');
    assert.equal(git(repo, 'ls-files', '--others', '--exclude-standard'), 'scratch.txt');
    assert.equal(readFileSync(path.join(repo, 'README.md'), 'utf8'), '# my own unstaged edit\n');
    assert.equal(git(repo, 'show', ':src/other.ts'), 'export const other = 2;', 'still staged');
    assert.equal(git(repo, 'show', 'HEAD:src/other.ts'), 'export const other = 1;', 'their staged change is not in the landed commit');
    assert.equal(git(repo, 'show', 'HEAD:src/index.ts'), 'export const answer = 43;');
    assert.equal(git(repo, 'cat-file', '-p', 'HEAD:src/greet.ts'), 'export const hello = () => "hi";');
    assert.equal(git(repo, 'show', 'HEAD:src/greet.ts'), git(repo, 'show', ':src/greet.ts'), 'index updated with the land');
    assert.ok(!git(worktree, 'status', '--porcelain').includes('greet'), "the result's worktree is as it was");
  });

  it('refuses to land into a checked-out branch whose worktree has changes in the touched files, naming them; nothing changed', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    write(repo, { 'src/index.ts': 'export const answer = 0; // mine\n', 'notes/agent.md': 'my own untracked file\n' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash' }), (error) => {
      assert.ok(isLandRefusal(error, 'local-changes'));
      assert.equal(error.exitCode, 4);
      assert.deepEqual([...error.files].sort(), ['notes/agent.md', 'src/index.ts']);
      assert.match(error.message, /src\/index\.ts/);
      return true;
    });
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses when an ignored file sits where the land adds one (git would overwrite it silently)', async () => {
    const { repo, worktree, source } = landFixture({ gitignore: '.env\n' }, (wt) => {
      write(wt, { '.env': 'AGENT=1\n' });
      git(wt, 'add', '-f', '.env');
      git(wt, 'commit', '-q', '-m', 'env');
    });
    write(repo, { '.env': 'SECRET=mine\n' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'merge' }), (error) => isLandRefusal(error, 'local-changes') && error.files.includes('.env'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('finds conflicts in the preflight and lists the files, changing nothing', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    write(repo, { 'src/index.ts': 'export const answer = 44;\n' });
    git(repo, 'commit', '-q', '-am', 'main moves on');
    git(repo, 'branch', 'release');
    for (const how of ['squash', 'merge'] as const) {
      for (const into of ['release', undefined]) {
        const before = captureState(repo, [repo, worktree]);
        await assert.rejects(land(source, { how, into }), (error) => {
          assert.ok(isLandRefusal(error, 'conflict'), String(error));
          assert.equal(error.exitCode, 4);
          assert.deepEqual(error.files, ['src/index.ts']);
          assert.match(error.message, /CONFLICT \(content\)/);
          assert.match(error.hint ?? '', /Resolve with the agent/i);
          return true;
        });
        assert.equal(captureState(repo, [repo, worktree]), before, `${how} into ${into ?? 'main'}`);
      }
    }
  });

  it('lands cleanly onto a target that moved on in other files', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    write(repo, { 'src/other.ts': 'export const other = 5;\n' });
    git(repo, 'commit', '-q', '-am', 'main moves on');
    const record = await land(source, { how: 'squash' });
    assert.equal(git(repo, 'show', 'HEAD:src/other.ts'), 'export const other = 5;');
    assert.equal(git(repo, 'show', 'HEAD:src/index.ts'), 'export const answer = 43;');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), record.commit);
  });

  it('refuses a target that changed after the preflight (compare-and-swap), changing nothing', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    git(repo, 'branch', 'release');
    let movedTo = '';
    const guard = async () => {
      git(repo, 'commit', '-q', '--allow-empty', '-m', 'meanwhile');
      movedTo = git(repo, 'rev-parse', 'HEAD');
      git(repo, 'update-ref', 'refs/heads/release', movedTo);
    };
    await assert.rejects(land(source, { how: 'squash', into: 'release', guard }), (error) => isLandRefusal(error, 'target-moved'));
    assert.equal(git(repo, 'rev-parse', 'release'), movedTo, 'the concurrent update stands');
    assert.equal(git(repo, 'for-each-ref', 'refs/grove/'), '', 'no kept ref either: the transaction was all or nothing');
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash', guard: async () => { git(repo, 'commit', '-q', '--allow-empty', '-m', 'again'); } }),
      (error) => isLandRefusal(error, 'target-moved'));
    assert.notEqual(captureState(repo, [repo, worktree]), before, 'sanity: the guard did commit');
    assert.equal(git(repo, 'log', '-1', '--format=%s'), 'again', 'the checkout keeps the concurrent commit');
  });

  it('refuses a branch that does not exist (exit 2) and a detached main worktree (exit 2), changing nothing', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    let before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash', into: 'nope' }), (error) => isLandRefusal(error, 'no-such-branch') && error.exitCode === 2 && /no branch nope/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
    git(repo, 'checkout', '-q', '--detach');
    before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'merge' }), (error) => isLandRefusal(error, 'detached') && error.exitCode === 2 && /--into/.test(error.hint ?? ''));
    assert.equal(captureState(repo, [repo, worktree]), before);
    await assert.rejects(land(source, { how: 'squash', into: 'bad name' }), (error) => isLandRefusal(error, 'bad-branch-name'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses a result already in the target, and an empty message', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    await land(source, { how: 'squash', into: 'main' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash' }), (error) => isLandRefusal(error, 'nothing-to-land') && /already in main/.test(error.message));
    git(repo, 'branch', 'release', source.baseCommit);
    const beforeMessage = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash', into: 'release', message: '  ' }), (error) => isLandRefusal(error, 'nothing-to-land') && /message is empty/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), beforeMessage);
    assert.notEqual(before, beforeMessage);
  });

  it('refuses to land into a checkout that is mid-merge, never finishing or aborting it', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    writeFileSync(path.join(gitDirOf(repo), 'MERGE_HEAD'), `${source.baseCommit}\n`);
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'squash' }), (error) => isLandRefusal(error, 'operation-in-progress') && /middle of a merge/.test(error.message));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });
});
